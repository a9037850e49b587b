"""Slate: the headline numbers and the timeline of every production and phase, for the plan shown."""

import pandas as pd
import streamlit as st

from dashboard.figures import timeline_figure
from dashboard.state import current, planned, shown_plan
from dashboard.text import md
from planning.analysis.kpis import production_status
from planning.data.inputs import week_start
from planning.plan import AS_PLANNED

loaded = current()
data = loaded.data
plan = shown_plan(loaded)
k = plan.kpis

st.title("Slate")
st.caption(f"Showing the plan **{md(plan.origin.label)}** (pick another in the sidebar).")
status = production_status(data, plan.schedule)["status"].value_counts()
order = ["not started", "development", "prep", "shoot", "post", "delivery", "other", "delivered"]
st.caption("At the start of the horizon (" + f"{data.settings.horizon_start:%d %b %Y}): " +
           " · ".join(f"**{status[s]}** {s}" for s in order if s in status))

cur = data.settings.currency
cols = st.columns(3) + st.columns(3)     # two rows of three: every value fits a laptop's screen
cols[0].metric("Productions", len(data.productions),
               help=f"{int(data.productions['locked'].sum())} locked (already shooting)")
peak_week = "" if k["peak_stages_week"] is None else \
    f" (week of {week_start(k['peak_stages_week'], data.settings.horizon_start):%d %b %Y})"
cols[1].metric("Peak stages", f"{k['peak_stages']} / {k['stages_then']}",
               help=f"Booked / open: the most stage bookings held in one week{peak_week}, set build and strike "
                    "included, against the stages open on the lot that week")
cols[2].metric("Conflicts", k["conflicts"],
               help=f"Runs of weeks where a resource is short after hire-in: {k['unit_weeks_short']} unit-weeks in all")
cols[3].metric("Late", k["late_deliveries"], help=f"Productions that deliver after their target ({k['weeks_late']} weeks in all)")
cols[4].metric(f"Peak funding ({cur})", f"{k['peak_funding_need'] / 1e6:,.1f}M",
               help="The most cash the slate needs at once (the lowest cumulative position)")
cols[5].metric(f"Hire-in ({cur})", f"{k['hire_cost'] / 1e6:,.2f}M",
               help="Outside crew and kit hired where the lot's own is full, up to each pool's limit")

moved = plan.origin.kind != AS_PLANNED
fig = timeline_figure(plan.schedule, data.productions, data.settings.horizon_start, data.settings.horizon_weeks,
                      title=f"Slate timeline ({plan.origin.name}"
                            + ("; outline: planned dates of a production that moved)" if moved else ")"),
                      planned=planned(loaded.key).schedule if moved else None,
                      today=pd.Timestamp.today().normalize())
st.plotly_chart(fig, width="stretch")
st.caption("Hatched bars are locked: they stay at their planned dates. A diamond is a production's target delivery, "
           "red when it delivers later. The dotted line is today; the shaded band is the planning horizon.")
