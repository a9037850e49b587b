"""Capacity: how full every stage, pool and facility is, week by week, in the plan shown; when the
people and places of the slate are available and who books them when."""

import streamlit as st

from dashboard import show
from dashboard.figures import KIND_ORDER, capacity_heatmap, people_places_figure, pool_figure, stage_board_figure
from dashboard.state import current, shown_plan
from dashboard.tables import people_display, titles
from dashboard.text import md
from planning.analysis.people import KINDS as PEOPLE_KINDS, availability_windows, bookings, people_and_places
from planning.analysis.capacity import (CLASS_PREFIX, capacity_by_week, counted_productions, counted_utilization,
                                       resource_label)
from planning.analysis.stageboard import UNPLACED

loaded = current()
data = loaded.data
plan = shown_plan(loaded)


def named(rows) -> str:
    """``P14 Last Light at Dover (50%), P15 The Understudy (70%)``, or ``none``."""
    return ", ".join(f"{p} {t} ({c:.0%})" for p, t, c in
                     zip(rows["production_id"], rows["title"], rows["greenlight_probability"])) or "none"


st.title("Capacity")
st.caption(f"Showing the plan **{md(plan.origin.label)}** (pick another in the sidebar).")
tentative = counted_productions(plan.data, 0)["status"].eq("development").any()
if tentative:
    percent = st.slider("Count development productions with at least this chance of going ahead", 0, 100, 0,
                        step=5, format="%d%%", key="capacity_threshold",
                        help="Greenlit productions always count. At 0% every development production counts: "
                             "the plan as it stands.")
    who = counted_productions(plan.data, percent / 100)
    development = who[who["status"] == "development"].sort_values("greenlight_probability", ascending=False)
    st.container(key="capacity_counted").caption(
        f"Development productions counted: {named(development[development['counted']])}. "
        f"Left out: {named(development[~development['counted']])}. The heatmap and the one-resource chart "
        "count only these; the stage board shows every booking of the plan.")
    util = counted_utilization(plan.data, plan.allocation, percent / 100)
else:
    util = plan.utilization
kinds = [k for k in KIND_ORDER if k in set(plan.utilization["kind"])]
chosen = st.multiselect("Resource kinds", kinds, default=kinds, key="capacity_kinds")
idle = st.toggle("Show idle resources", value=False, key="capacity_idle",
                 help="Resources with no booking in the whole horizon, e.g. stages only requested by size")
busy = set(plan.utilization.loc[plan.utilization["demand"] > 0, "resource_id"])   # rows stay as the threshold moves
shown = util[util["kind"].isin(chosen) & (util["resource_id"].isin(busy) | idle)]
if shown.empty:
    st.info("Choose at least one resource kind.")
else:
    st.plotly_chart(capacity_heatmap(shown), width="stretch")
    st.caption("Each cell is one resource in one week: what is needed against the capacity after calendar "
               "overrides. Blue: how full (dark: full). Violet: over the lot's capacity, covered by hire-in. Orange to "
               "red: short, after hire-in: these weeks are the Conflicts page's conflicts. 'Any stage ≥ N sq ft' rows "
               "count the stages of at least that size in use and the bookings no such stage was free for; a booking "
               "no stage could take is short on its own size's row only.")

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

with st.container(key="people_places"):
    st.subheader("People and places")
    who = people_and_places(plan.data)
    if who.empty:
        st.caption("This slate has no people (talent) or places (location) to book: see the data format.")
    else:
        booked = bookings(plan.data, plan.allocation, plan.utilization)
        clashes = plan.conflicts[plan.conflicts["kind"].isin(PEOPLE_KINDS)]
        st.plotly_chart(people_places_figure(who, availability_windows(plan.data), booked, clashes,
                                             data.settings.horizon_start, data.settings.horizon_weeks,
                                             titles=titles(data.productions)), width="stretch")
        st.caption("Each row is a person or a place. Green: when available (the availability table; a row without "
                   "dates is available all the horizon). Bars: every booking of the plan, one colour per production. "
                   "Red: a clash, weeks in which the plan books more than is available (two productions at once, or "
                   "outside the availability), outlined on the bookings it involves; these are the Conflicts page's "
                   "conflicts on people and places.")
        if clashes.empty:
            st.success("No clashes: every person and place is booked once at a time, inside their availability.")
        else:
            for line in clashes["what"]:
                st.markdown(f"- :red[**Clash**]: {md(line)}")
        st.markdown("**Who needs them when**")
        show.table(people_display(booked, data.productions).set_index("Person or place"))

st.subheader("One resource, week by week")
names = dict(zip(plan.data.resources["resource_id"].astype(str), plan.data.resources["name"].astype(str)))
ids = list(plan.utilization["resource_id"].drop_duplicates())
busiest = plan.utilization.groupby("resource_id")["over"].sum().sort_values(ascending=False).index[0]
pick = st.selectbox("Resource", ids, index=ids.index(busiest), key="capacity_pool",
                    format_func=lambda rid: resource_label(rid, names) + ("" if rid.startswith(CLASS_PREFIX) else f" ({rid})"))
st.plotly_chart(pool_figure(util, pick, split=tentative), width="stretch")
