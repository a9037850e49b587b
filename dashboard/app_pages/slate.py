"""Slate: the headline numbers and the timeline of every production and phase."""

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
cols[1].metric("Peak stage occupancy", f"{int(peak['booked'])} / {int(peak['available'])}",
               help=f"Most stages held in one week (week {int(peak['week'])}), set build and strike included")
cols[2].metric("Conflicts as planned", len(found), help="Runs of weeks where a resource is over-booked")
cols[3].metric("Late deliveries as planned", int((late["weeks_late"] > 0).sum()))
cols[4].metric("Peak funding need", f"{need.peak_need / 1e6:,.0f}M {cur}", help="As planned")
if result is not None:
    k = result.summary["kpis"]
    cols[5].metric("Hire-in (optimized plan)", f"{k['hire_cost'] / 1e6:,.2f}M {cur}",
                   help=f"The optimized plan leaves {k['conflicts']} conflicts and {k['late_deliveries']} late")
else:
    cols[5].metric("Hire-in (optimized plan)", "—", help="Run the optimizer on the Plan page")

view = "as planned"
if result is not None:
    view = st.radio("Timeline", ["as planned", "optimized"], horizontal=True, key="slate_view")
if view == "optimized":
    shown = schedule[["production_id", "phase_id", "kind", "locked"]].merge(
        result.frames["schedule"][["production_id", "phase_id", "start_week", "end_week"]],
        on=["production_id", "phase_id"])
    fig = timeline_figure(shown, data.productions, data.settings.horizon_start, data.settings.horizon_weeks,
                          title="Slate timeline (optimized; outlines: planned dates of moved phases)", planned=schedule)
else:
    fig = timeline_figure(schedule, data.productions, data.settings.horizon_start, data.settings.horizon_weeks,
                          title="Slate timeline (as planned)")
st.plotly_chart(fig, width="stretch")
st.caption("Hatched bars are locked: they stay at their planned dates. The shaded band is the planning horizon.")
