"""Conflicts: where the planned dates over-book a resource, who collides there, and what is
still short after the optimizer has moved productions, chosen stages and hired in."""

import streamlit as st

from dashboard.figures import conflict_bars
from dashboard.state import as_planned, current, current_plan
from dashboard.tables import named_productions

loaded = current()
schedule, util, found = as_planned(loaded.key)
result = current_plan(loaded)
remaining = result.frames["shortfalls"] if result is not None else None

st.title("Conflicts")
left, right = st.columns(2)
left.metric("As planned", len(found), help="Runs of consecutive over-booked weeks on a resource")
if remaining is None:
    right.metric("After optimization", "—", help="Run the optimizer on the Plan page")
else:
    right.metric("After optimization", len(remaining), delta=len(remaining) - len(found), delta_color="inverse",
                 help="Runs of weeks still short after moves, stage choices and hire-in")

if found.empty and (remaining is None or remaining.empty):
    st.success("No conflicts: every resource is within capacity in every week of the plan.")
    st.stop()
st.plotly_chart(conflict_bars(found, remaining), width="stretch")

tab_planned, tab_left = st.tabs(["As planned", "After optimization"])
with tab_planned:
    kinds = sorted(found["kind"].unique())
    chosen = st.multiselect("Resource kinds", kinds, default=kinds, key="conflict_kinds")
    table = found[found["kind"].isin(chosen)][
        ["name", "kind", "start", "end", "weeks", "peak_demand", "capacity", "short_by", "unit_weeks", "productions"]]
    table = table.assign(productions=named_productions(table["productions"], loaded.data.productions))
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "name": "Resource", "kind": "Kind", "start": st.column_config.DateColumn("From", format="D MMM YYYY"),
        "end": st.column_config.DateColumn("Until (exclusive)", format="D MMM YYYY"), "weeks": "Weeks",
        "peak_demand": "Peak demand", "capacity": "Capacity", "short_by": "Short by (units)",
        "unit_weeks": "Unit-weeks over", "productions": st.column_config.TextColumn("Productions involved", width="large")})
with tab_left:
    if remaining is None:
        st.info("Run the optimizer on the Plan page to see what it can resolve.")
    elif remaining.empty:
        st.success("The optimized plan resolves every conflict: nothing is short in any week.")
    else:
        left_table = remaining[["name", "start", "end", "weeks", "short_by", "unit_weeks", "productions", "fix"]]
        left_table = left_table.assign(productions=named_productions(left_table["productions"], loaded.data.productions))
        st.dataframe(left_table, hide_index=True, width="stretch", column_config={
                         "name": "Resource", "start": st.column_config.DateColumn("From", format="D MMM YYYY"),
                         "end": st.column_config.DateColumn("Until (exclusive)", format="D MMM YYYY"), "weeks": "Weeks",
                         "short_by": "Short by (units)", "unit_weeks": "Unit-weeks short",
                         "productions": st.column_config.TextColumn("Productions involved", width="large"),
                         "fix": st.column_config.TextColumn("What would fix it", width="large")})
