"""Conflicts: where a plan leaves a resource short (after hire-in), who collides there, and what
would fix it; the plan shown against the planned dates."""

import streamlit as st

from dashboard import show
from dashboard.figures import conflict_bars
from dashboard.state import current, planned, shown_plan
from dashboard.tables import conflicts_display
from dashboard.text import md

loaded = current()
plan = shown_plan(loaded)
base = planned(loaded.key)
plans = {"as planned": base} if plan is base else {"as planned": base, plan.origin.name: plan}

st.title("Conflicts")
st.caption("A conflict is a run of weeks in which a stage, crew or facility is short: more is booked than the lot "
           "has and hire-in can cover; or a person or place (talent, location) is booked by two productions at "
           "once, or outside their availability (they cannot be hired in). Showing the plan **"
           + md(plan.origin.label) + "** (pick another in the sidebar).")
cols = st.columns(len(plans))
for col, (name, p) in zip(cols, plans.items()):
    delta = None if p is base else p.kpis["conflicts"] - base.kpis["conflicts"]
    col.metric(f"Conflicts: {name}", p.kpis["conflicts"], delta=delta, delta_color="inverse",
               help=f"{p.kpis['unit_weeks_short']} unit-weeks short in all")

if all(p.conflicts.empty for p in plans.values()):
    st.success("No conflicts: every resource is within capacity (and hire-in) in every week of the plan.")
    st.stop()
st.plotly_chart(conflict_bars({name: p.conflicts for name, p in plans.items()}), width="stretch")

for tab, (name, p) in zip(st.tabs([name.capitalize() for name in plans]), plans.items()):
    with tab:
        if p.conflicts.empty:
            st.success(f"{name.capitalize()}: nothing is short in any week.")
            continue
        kinds = sorted(p.conflicts["kind"].unique())
        chosen = st.multiselect("Resource kinds", kinds, default=kinds, key=f"conflict_kinds_{name}")
        shown = conflicts_display(p.conflicts[p.conflicts["kind"].isin(chosen)], loaded.data.productions)
        show.table(shown.assign(From=shown["From"].map(lambda d: f"{d:%d %b %Y}"),      # wraps: every name in full
                                Until=shown["Until"].map(lambda d: f"{d:%d %b %Y}")).set_index("Resource"))
