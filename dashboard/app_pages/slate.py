"""Slate: the headline numbers and the timeline of every production and phase."""

import pandas as pd
import streamlit as st

from dashboard.figures import timeline_figure
from dashboard.state import as_planned, cash, current, current_plan
from planning.cashflow import funding_need, position
from planning.conflicts import stages_booked
from planning.kpis import late_deliveries, production_status

loaded = current()
data = loaded.data
schedule, util, found = as_planned(loaded.key)
result = current_plan(loaded)

st.title("Slate")
status = production_status(data, schedule)["status"].value_counts()
order = ["not started", "development", "prep", "shoot", "post", "delivery", "other", "delivered"]
st.caption("At the start of the horizon (" + f"{data.settings.horizon_start:%d %b %Y}): " +
           " · ".join(f"**{status[s]}** {s}" for s in order if s in status))

stage_load = stages_booked(data, schedule)
peak = stage_load.loc[stage_load["booked"].idxmax()]
late = late_deliveries(data, schedule)
need = funding_need(position(cash(loaded.key), data.settings))
cur = data.settings.currency
cols = st.columns(6)
cols[0].metric("Productions", len(data.productions),
               help=f"{int(data.productions['locked'].sum())} locked (already shooting)")
cols[1].metric("Peak stages", f"{int(peak['booked'])} / {int(peak['available'])}",
               help=f"Most stages held in one week as planned (week of {data.settings.horizon_start + pd.Timedelta(weeks=int(peak['week'])):%d %b %Y}), "
                    "set build and strike included, against the stages on the lot")
cols[2].metric("Conflicts", len(found), help="As planned: runs of weeks where a resource is over-booked")
cols[3].metric("Late", int((late["weeks_late"] > 0).sum()), help="Productions that deliver after their target, as planned")
cols[4].metric(f"Peak funding ({cur})", f"{need.peak_need / 1e6:,.0f}M",
               help="As planned: the most cash the slate needs at once (the lowest cumulative position)")
if result is not None:
    k = result.summary["kpis"]
    cols[5].metric(f"Hire-in ({cur})", f"{k['hire_cost'] / 1e6:,.2f}M",
                   help=f"In the optimized plan, which leaves {k['conflicts']} conflicts and {k['late_deliveries']} late")
else:
    cols[5].metric(f"Hire-in ({cur})", "—", help="Run the optimizer on the Plan page")

view = "as planned"
if result is not None:
    view = st.radio("Timeline", ["as planned", "optimized"], horizontal=True, key="slate_view")
if view == "optimized":
    shown = schedule[["production_id", "phase_id", "kind", "locked"]].merge(
        result.frames["schedule"][["production_id", "phase_id", "start_week", "end_week"]],
        on=["production_id", "phase_id"])
    fig = timeline_figure(shown, data.productions, data.settings.horizon_start, data.settings.horizon_weeks,
                          title="Slate timeline (optimized; outline: planned dates of a production that moved)", planned=schedule)
else:
    fig = timeline_figure(schedule, data.productions, data.settings.horizon_start, data.settings.horizon_weeks,
                          title="Slate timeline (as planned)")
st.plotly_chart(fig, width="stretch")
st.caption("Hatched bars are locked: they stay at their planned dates. The shaded band is the planning horizon.")
