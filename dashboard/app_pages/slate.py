"""Slate: the headline numbers and the timeline of every production and phase."""

import streamlit as st

from dashboard.figures import timeline_figure
from dashboard.state import as_planned, current
from planning.conflicts import stages_booked

loaded = current()
data = loaded.data
schedule, util, found = as_planned(loaded.key)

st.title("Slate")
stage_load = stages_booked(data, schedule)
peak = stage_load.loc[stage_load["booked"].idxmax()]
cols = st.columns(4)
cols[0].metric("Productions", len(data.productions),
               help=f"{int(data.productions['locked'].sum())} locked (already shooting)")
cols[1].metric("Phases", len(schedule))
cols[2].metric("As-planned conflicts", len(found), help="Runs of weeks where a resource is over-booked")
cols[3].metric("Peak stage occupancy", f"{int(peak['booked'])} / {int(peak['available'])}",
               help=f"Most stages held in one week (week {int(peak['week'])}), including set build and strike")

st.plotly_chart(timeline_figure(schedule, data.productions, data.settings.horizon_start,
                                data.settings.horizon_weeks, title="Slate timeline (as planned)"),
                width="stretch")
st.caption("Hatched bars are locked: they stay at their planned dates. The shaded band is the planning horizon.")
