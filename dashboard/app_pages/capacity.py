"""Capacity: how full every stage, pool and facility is, week by week."""

import streamlit as st

from dashboard.figures import KIND_ORDER, capacity_heatmap, pool_figure, stage_board_figure
from dashboard.tables import titles
from dashboard.state import as_planned, current, current_plan, current_plan_key, stage_board_of
from planning.conflicts import capacity_by_week

loaded = current()
data = loaded.data
schedule, util, found = as_planned(loaded.key)
result = current_plan(loaded)

st.title("Capacity")
sources = ["as planned"] + (["optimized"] if result is not None else [])
source = st.radio("Dates", sources, horizontal=True, key="capacity_source",
                  help="The optimized plan appears here once the optimizer has run on the Plan page.")
if source == "optimized":
    names = util.drop_duplicates("resource_id").set_index("resource_id")[["name", "kind"]]
    util = result.frames["utilization"].merge(names, left_on="resource_id", right_index=True, how="left")
    util["name"] = util["name"].fillna(util["resource_id"])
    util["kind"] = util["kind"].fillna("stage class")
    util["over"] = util["shortfall"]
    util["week_start"] = data.week_start(util["week"]).to_numpy()
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
               "Orange to red cells are over-booked. 'Any stage ≥ N sq ft' rows count every size-based "
               "stage request against all stages big enough to serve it.")

st.subheader("Stage board")
stages = data.resources[data.resources["kind"] == "stage"]
board = stage_board_of(loaded.key, None if source == "as planned" else current_plan_key(loaded))
cap = capacity_by_week(data)
closed = cap[cap["resource_id"].isin(stages["resource_id"]) & (cap["capacity"] == 0)]
st.plotly_chart(stage_board_figure(board, stages, data.settings.horizon_start, data.settings.horizon_weeks, closed,
                                   titles=titles(data.productions)), width="stretch")
if (board["resource_id"] == "unplaced").any():
    st.caption("**Unplaced bookings**: weeks of a stage booking that no stage of the right size was free for "
               "on the planned dates. They are the stage conflicts; the optimizer moves productions to clear them.")

st.subheader("One resource, week by week")
names = util.drop_duplicates("resource_id").set_index("resource_id")["name"]
busiest = util.groupby("resource_id")["over"].sum().sort_values(ascending=False).index[0]
pick = st.selectbox("Resource", list(names.index), index=list(names.index).index(busiest),
                    format_func=lambda rid: f"{names[rid]} ({rid})" if not rid.startswith("stages>=") else names[rid],
                    key="capacity_pool")
st.plotly_chart(pool_figure(util, pick), width="stretch")
