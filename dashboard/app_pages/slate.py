"""Slate: the headline numbers and the timeline of every production and phase, for the plan shown;
what changed since an earlier version of the slate, and the plans adopted (the decision log).

Drag a phase (or a whole production) on the timeline to another week: the move becomes a lock at that
week (``Scenario.moves``), the plan shown is re-planned around it with the What-if's search (quick unless
thorough is picked) and compared with the baseline. Moves add up until undone; the moved plan can be saved as a scenario."""

from dataclasses import replace

import streamlit as st

from dashboard import show
from dashboard.components.timeline import timeline
from dashboard.decisions import MESSAGE, decision_log, what_changed
from dashboard.forms import DEPTHS
from dashboard.moves import MOVED_BY_HAND, moved_scenario, moves_table, take_drop
from dashboard.state import (DEFAULT_OPTIONS, WHATIF_OPTIONS, actor, baseline, current, planned, run_with_progress,
                             scenario_store, shown_plan, shown_scenario)
from dashboard.tables import delivery_display, kpi_display, move_display
from dashboard.text import md
from dashboard.timeline import GROUPINGS, productions_shown, timeline_data
from planning.access import Forbidden
from planning.analysis.compare import delivery_changes, kpi_table, schedule_changes
from planning.analysis.kpis import production_status
from planning.data.inputs import week_start
from planning.scenarios.store import ScenarioExists

loaded = current()
data = loaded.data
me = actor()
shown = shown_plan(loaded)
base = shown_scenario(loaded)


def hand_moves() -> dict:
    """This session's moves by hand on the plan shown: ``drops`` (in order), ``refused`` (why the last
    drop was not taken) and ``revision`` (draws the timeline again). A new list when the slate or the
    plan shown changes."""
    key = f"{loaded.key}|{base.overrides_json()}"
    if st.session_state.get("slate_hand", {}).get("base") != key:
        st.session_state["slate_hand"] = {"base": key, "drops": [], "refused": None, "revision": 0}
    return st.session_state["slate_hand"]


def take(value) -> None:
    """The timeline's drop: added to the moves when the slate takes it, else why not is kept to show."""
    hand = hand_moves()
    hand["drops"], hand["refused"] = take_drop(value, hand["drops"], base, data, me)
    hand["revision"] += 1


def undo(everything: bool) -> None:
    hand = hand_moves()
    hand["drops"] = [] if everything else hand["drops"][:-1]
    hand["refused"] = None
    hand["revision"] += 1


hand = hand_moves()
st.title("Slate")
if message := st.session_state.pop(MESSAGE, None):
    st.success(message)
scenario = moved_scenario(base, hand["drops"]) if hand["drops"] else None
base_result = moved = None
quick = st.session_state.get("slate_depth", DEPTHS[0]) == DEPTHS[0]     # (the radio is with the comparison)
with st.container(key="slate_progress"):   # one element whatever it holds: the timeline below keeps its place
    if scenario is not None:
        base_result = run_with_progress(loaded, baseline(loaded), DEFAULT_OPTIONS, label="Planning the baseline")
        if base_result is not None:
            moved = run_with_progress(loaded, scenario, WHATIF_OPTIONS if quick else DEFAULT_OPTIONS,
                                      label="Re-planning around the moves by hand", start=base_result.schedule)
plan = moved or shown
k = plan.kpis
if moved is not None:
    st.caption(f"Showing the plan **{md(shown.origin.label)}** (pick another in the sidebar) with "
               f"**{len(hand['drops'])} move{'s' if len(hand['drops']) != 1 else ''} by hand**, re-planned: "
               f"{md(moved.origin.solver['verdict'])}.")
else:
    st.caption(f"Showing the plan **{md(plan.origin.label)}** (pick another in the sidebar).")
status = production_status(data, plan.schedule, data.settings.now_week)["status"].value_counts()
order = ["not started", "development", "prep", "shoot", "post", "delivery", "other", "delivered"]
when = "At the start of the horizon" if data.settings.as_of is None else "On the report date"
st.caption(f"{when} ({data.settings.report_date:%d %b %Y}): " +
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

st.subheader("Timeline")
c = st.columns([1.1, 0.9, 0.9, 1.3, 1.3], vertical_alignment="bottom")
group_by = c[0].selectbox("Rows", list(GROUPINGS), format_func=GROUPINGS.get, key="slate_group",
                          help="One row per production, or the phases grouped by format, status, the stage they hold "
                               "(set build and strike included: the stage board) or the crew, kit or post they use")
prods = data.productions
formats = c[1].multiselect("Format", sorted(prods["format"].dropna().unique()), key="slate_formats",
                           placeholder="every format")
statuses = c[2].multiselect("Status", sorted(prods["status"].dropna().unique()), key="slate_statuses",
                            placeholder="every status")
res = data.resources
uses = c[3].multiselect("Using a stage or resource", list(res["resource_id"]), key="slate_uses",
                        format_func=dict(zip(res["resource_id"], res["name"])).get, placeholder="anything")
whole = c[4].toggle("Whole productions", key="slate_whole",
                    help="Off: a drag moves one phase; the production's other phases follow their links. "
                         "On: a drag moves every phase of the production together.")
editable = me.may("optimize")
with st.container(key="slate_refused"):
    if hand["refused"]:
        st.error(f"Not moved: {md(hand['refused'])}.")
chosen = productions_shown(plan, formats, statuses, uses)
drawn = timeline_data(plan, group_by, chosen, scenario.moves if scenario is not None else base.moves,
                      planned=planned(loaded.key).schedule)
with st.container(key="slate_timeline_box"):
    timeline(**drawn, editable=editable, whole_productions=whole, revision=hand["revision"], height=900,
             key="slate_timeline", on_change=lambda: take(st.session_state["slate_timeline"]))
st.caption("Drag a bar to another week to move that phase there: it is locked at that week, the plan is re-planned "
           "around it and compared with the baseline below. Hatched bars are locked and stay where they are; outlined "
           "ones were moved by hand. A diamond is a production's target delivery, red when it delivers later; a "
           "dashed outline, the planned dates of a production that moved. Ctrl + wheel zooms; drag the background to pan."
           if editable else f"Moving phases by hand re-plans the slate, which takes the planner role (you are a "
           f"{me.role}): the timeline is read-only.")

st.subheader("What changed since an earlier version")
what_changed(loaded)
st.subheader("Adopted plans")
decision_log()

if moved is None:
    st.stop()
st.subheader("Moved by hand, against the baseline")
plans = {"baseline": base_result, MOVED_BY_HAND: moved}
kb, km = base_result.kpis, moved.kpis
cur = data.settings.currency
cols = st.columns(5)
cols[0].metric("Conflicts", km["conflicts"], delta=(km["conflicts"] - kb["conflicts"]) or None, delta_color="inverse",
               help="Runs of weeks short after hire-in, against the baseline plan")
hire = km["hire_cost"] - kb["hire_cost"]
cols[1].metric(f"Hire-in ({cur})", f"{km['hire_cost'] / 1e6:,.2f}M",
               delta=f"{hire / 1e6:+,.2f}M" if round(hire / 1e4) else None, delta_color="inverse")
cols[2].metric("Late", km["late_deliveries"], delta=(km["late_deliveries"] - kb["late_deliveries"]) or None,
               delta_color="inverse", help=f"Productions that deliver after their target ({km['weeks_late']} weeks in all)")
need = km["peak_funding_need"] - kb["peak_funding_need"]
cols[3].metric(f"Peak funding ({cur})", f"{km['peak_funding_need'] / 1e6:,.1f}M",
               delta=f"{need / 1e6:+,.1f}M" if round(need / 1e5) else None, delta_color="inverse")
cost = km["total_cost"] - kb["total_cost"]
cols[4].metric(f"Cost of the plan ({cur})", f"{km['total_cost'] / 1e6:,.2f}M",
               delta=f"{cost / 1e6:+,.2f}M" if round(cost / 1e4) else None, delta_color="inverse",
               help="Hire-in, lateness and moves, as the optimizer weighs them")
st.radio("Search", DEPTHS, horizontal=True, key="slate_depth",
         help="As on the What-if page: both start from the baseline plan; quick answers in a few seconds and says how "
              "close it got, thorough searches until within 1% of the best possible or 20 s.")
if quick and moved.origin.solver["status"] != "optimal":
    st.caption("Not proven the best plan around these moves: lateness, hire-in or conflicts may still come down with "
               "the thorough search.")
st.markdown("**Moves by hand**")
with st.container(key="slate_moves"):
    show.table(moves_table(scenario, moved).set_index("production_id"))
b = st.columns([1, 1, 3])
b[0].button("Undo last move", key="slate_undo", on_click=undo, args=(False,), icon=":material/undo:")
b[1].button("Undo all moves", key="slate_undo_all", on_click=undo, args=(True,))
st.markdown("**KPIs**")
show.dataframe(kpi_display(kpi_table(plans), cur), height="content")
deliveries = delivery_display(delivery_changes(plans), data.productions, data.settings.horizon_start)
st.markdown("**Deliveries that change**")
if deliveries.empty:
    st.caption("Every production delivers when it does in the baseline plan.")
else:
    show.dataframe(deliveries)
with st.expander("Phases that move against the baseline"):
    show.dataframe(move_display(schedule_changes(plans), data.productions, data.settings.horizon_start))

with st.form("slate_save"):
    st.markdown("**Save as scenario** so colleagues can open and compare it (Scenarios page) and pick it as the plan shown.")
    f = st.columns([2, 3])
    name = f[0].text_input("Name", key="slate_save_name", placeholder="e.g. P05 shoots in May")
    note = f[1].text_input("Note", key="slate_save_note")
    replace_it = st.checkbox("Replace a saved scenario of the same name (it is kept: Undo on the Scenarios page)",
                             key="slate_save_replace")
    save = st.form_submit_button("Save as scenario", disabled=not me.may("save scenario"))
if save:
    if not name.strip():
        st.warning("Give the scenario a name.")
    else:
        named = replace(scenario, name=name.strip(), note=note)
        store = scenario_store()
        try:
            store.save(named, actor=me, results=moved.frames(), replace=replace_it,
                       summary={**moved.summary(), "search": "quick" if quick else "thorough"})
        except Forbidden as exc:
            st.error(md(exc))
        except ScenarioExists as exc:
            st.warning(f"Not saved: {md(exc)}. A free name: “{md(store.free_name(named.name))}”; or tick *Replace*.")
        else:
            st.success(f"Saved “{md(named.name)}”: pick it in the sidebar's *Plan shown* to see it on every page.")
