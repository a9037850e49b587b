"""Capacity: how full every stage, pool and facility is, week by week, in the plan shown."""

import streamlit as st

from dashboard.figures import KIND_ORDER, capacity_heatmap, pool_figure, stage_board_figure
from dashboard.state import current, shown_plan
from dashboard.tables import titles
from planning.analysis.capacity import CLASS_PREFIX, capacity_by_week, resource_label
from planning.analysis.stageboard import UNPLACED

loaded = current()
data = loaded.data
plan = shown_plan(loaded)
util = plan.utilization

st.title("Capacity")
st.caption(f"Showing the plan **{plan.origin.label}** (pick another in the sidebar).")
kinds = [k for k in KIND_ORDER if k in set(util["kind"])]
chosen = st.multiselect("Resource kinds", kinds, default=kinds, key="capacity_kinds")
idle = st.toggle("Show idle resources", value=False, key="capacity_idle",
                 help="Resources with no booking in the whole horizon, e.g. stages only requested by size")
busy = util.groupby("resource_id")["demand"].transform("max") > 0
shown = util[util["kind"].isin(chosen) & (busy | idle)]
if shown.empty:
    st.info("Choose at least one resource kind.")
else:
    st.plotly_chart(capacity_heatmap(shown), width="stretch")
    st.caption("Each cell is one resource in one week: demand / capacity after calendar overrides. "
               "Orange to red cells are over-booked (hire-in may cover a pool). 'Any stage ≥ N sq ft' rows count "
               "the stages of at least that size in use, and the bookings no such stage was free for.")

st.subheader("Stage board")
stages = data.resources[data.resources["kind"] == "stage"]
cap = capacity_by_week(plan.data)
closed = cap[cap["resource_id"].isin(stages["resource_id"]) & (cap["capacity"] == 0)]
st.plotly_chart(stage_board_figure(plan.stage_board, plan.data.resources[plan.data.resources["kind"] == "stage"],
                                   data.settings.horizon_start, data.settings.horizon_weeks, closed,
                                   titles=titles(data.productions)), width="stretch")
if (plan.stage_board["resource_id"] == UNPLACED).any():
    st.caption("**Unplaced bookings**: weeks of a stage booking that no stage of the right size was free for, "
               "for the whole booking. They are the stage conflicts; the optimizer moves productions to clear them.")

st.subheader("One resource, week by week")
names = dict(zip(plan.data.resources["resource_id"].astype(str), plan.data.resources["name"].astype(str)))
ids = list(util["resource_id"].drop_duplicates())
busiest = util.groupby("resource_id")["over"].sum().sort_values(ascending=False).index[0]
pick = st.selectbox("Resource", ids, index=ids.index(busiest), key="capacity_pool",
                    format_func=lambda rid: resource_label(rid, names) + ("" if rid.startswith(CLASS_PREFIX) else f" ({rid})"))
st.plotly_chart(pool_figure(util, pick), width="stretch")
