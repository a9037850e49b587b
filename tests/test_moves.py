"""Moves by hand (Slate timeline): the scenario override (``Scenario.moves``, ``apply``), the drop
from the timeline checked and turned into moves (``dashboard.moves``), what the timeline shows
(``dashboard.timeline``), and the Slate page with moves (AppTest; the real drag is in test_browser)."""

import pandas as pd
import pytest

from dashboard.forms import whatif_values
from dashboard.moves import MOVED_BY_HAND, Drop, DropRefused, moved_scenario, moves_table, read_drop, take_drop
from dashboard.timeline import productions_shown, timeline_data
from planning.access import Actor
from planning.data.inputs import week_index
from planning.optimizer import PlanOptions
from planning.plan import as_planned
from planning.scenarios.apply import MoveRejected, apply
from planning.scenarios.run import run_scenario
from planning.scenarios.types import Scenario, describe

from factory import demand, monday, phase, production, resource, slate

PLANNER, VIEWER = Actor("ana@studio.test", "planner"), Actor("vic@studio.test", "viewer")


def two_on_one_stage():
    """A preps (2 weeks) straight into its shoot (3 weeks, max lag 0), then posts; B shoots 3 weeks.
    One stage: as planned, A shoots weeks 2-4 and B weeks 6-8."""
    prods = [production("A", latest_start=monday(10), target_delivery=monday(30)),
             production("B", latest_start=monday(12), target_delivery=monday(30))]
    phases = [phase("A", "prep", 2, 0, kind="prep"), phase("A", "shoot", 3, 2), phase("A", "post", 4, 5, kind="post"),
              phase("B", "shoot", 3, 6)]
    links = [("A", "prep", "shoot", 0, 0), ("A", "shoot", "post", 0, None)]
    res = [resource("S1", "stage", size=20_000)]
    dem = [demand("A", "shoot", "S1"), demand("B", "shoot", "S1")]
    return slate(prods, phases, res, dem, links=links)


def starts(plan) -> dict[str, int]:
    return {f"{r.production_id}/{r.phase_id}": int(r.start_week) for r in plan.schedule.itertuples()}


def test_a_moved_phase_is_locked_at_the_dropped_week_and_the_plan_moves_around_it():
    data = two_on_one_stage()
    moved = apply(data, Scenario("m", moves={"A/prep": monday(4)}))
    ph = moved.phases.set_index(["production_id", "phase_id"])
    assert ph.at[("A", "prep"), "planned_start"] == pd.Timestamp(monday(4)) and ph.at[("A", "prep"), "locked"]
    assert not ph.at[("A", "shoot"), "locked"] and not ph.at[("A", "post"), "locked"]    # the others follow links
    assert ph.at[("A", "shoot"), "planned_start"] == pd.Timestamp(monday(2))             # their planned dates stay

    plan = run_scenario(data, Scenario("m", moves={"A/prep": monday(4)}), PlanOptions(time_limit=20, gap=0.0))
    got, locked = starts(plan), plan.schedule.set_index(["production_id", "phase_id"])["locked"]
    assert got["A/prep"] == 4 and locked[("A", "prep")] and not locked[("A", "shoot")]
    assert got["A/shoot"] == 6                     # the shoot follows the prep straight away (max lag 0)
    assert got["A/post"] >= 9                      # post after the shoot
    b = got["B/shoot"]                             # planned for weeks 6-8: off the one stage while A shoots there
    assert b + 3 <= 6 or b >= 9
    assert plan.kpis["conflicts"] == 0


def test_a_whole_production_move_shifts_every_planned_start_and_locks_the_first():
    data = two_on_one_stage()
    moved = apply(data, Scenario("m", moves={"A": monday(3)}))
    ph = moved.phases[moved.phases["production_id"] == "A"].set_index("phase_id")
    assert week_index(ph["planned_start"], data.settings.horizon_start).tolist() == [3, 5, 8]
    assert ph["locked"].tolist() == [True, False, False]
    # A later move of one of its phases comes on top (production moves first, whatever the order).
    both = apply(data, Scenario("m", moves={"A/post": monday(12), "A": monday(3)}))
    ph = both.phases[both.phases["production_id"] == "A"].set_index("phase_id")
    assert ph.at["post", "planned_start"] == pd.Timestamp(monday(12)) and ph["locked"].tolist() == [True, False, True]


@pytest.mark.parametrize("moves, words", [
    ({"A/prep": monday(-1)}, ["A prep", "2026-12-28", "outside the planning horizon"]),
    ({"A/post": monday(50)}, ["A post", "2027-12-20", "outside the planning horizon"]),
    ({"A/shoot": "2027-02-03"}, ["A shoot", "2027-02-03 is not a Monday"]),
    ({"A/cut": monday(3)}, ["no phase A/cut"]),
    ({"A": monday(20)}, ["A moved to start the week of 2027-05-24", "A/prep", "latest_start"]),
])
def test_an_impossible_move_is_refused_naming_the_phase_and_the_week(moves, words):
    with pytest.raises(MoveRejected) as refused:
        apply(two_on_one_stage(), Scenario("m", moves=moves))
    for word in words:
        assert word in str(refused.value), str(refused.value)


def test_a_move_before_the_production_may_start_is_refused_by_the_slate_rules(sample_data):
    """P09 (not started by the sample's report date) may not start before 12 Apr 2027: its shoot
    locked in the week of 3 May leaves its 18-week prep no week to run."""
    with pytest.raises(MoveRejected) as refused:
        apply(sample_data, Scenario("m", moves={"P09/shoot": "2027-05-03"}))
    text = str(refused.value)
    assert text.startswith("the slate cannot take P09 shoot moved to the week of 2027-05-03, locked: ")
    assert "P09/prep: no start week is left" in text and refused.value.problems


def test_a_locked_phase_does_not_move_by_hand(sample_data):
    with pytest.raises(MoveRejected, match="P01 shoot is locked and stays where it is"):
        apply(sample_data, Scenario("m", moves={"P01/shoot": "2027-02-01"}))
    with pytest.raises(MoveRejected, match="P06 prep, shoot, post, delivery is locked"):
        apply(sample_data, Scenario("m", locks={"P06": True}, moves={"P06": "2027-08-02"}))


def test_moves_survive_json_and_scenarios_saved_before_them_still_load():
    scenario = Scenario("hand", base_hash="abc", slips={"P06": 2}, moves={"P05/shoot": "2027-05-03", "P07": "2027-03-01"})
    again = Scenario.from_json("hand", scenario.overrides_json())
    assert again == scenario and again.moves == {"P05/shoot": "2027-05-03", "P07": "2027-03-01"}
    old = '{"base_hash":"abc","capacity":[],"stages":[],"slips":{"P06":2},"locks":{},"phase_locks":{},' \
          '"overage_pct":0.0,"hire_allowed":true,"weights":{},"added_costs":{},"note":""}'
    assert Scenario.from_json("old", old).moves == {}
    assert describe(scenario) == ("P06 slips 2 weeks; P05 shoot moved to the week of 2027-05-03, locked; "
                                  "P07 moved to start the week of 2027-03-01, first phase locked")


def test_a_drop_is_read_only_when_it_names_a_phase_of_the_slate_and_a_monday(sample_data):
    good = {"production_id": "P05", "phase_id": "shoot", "new_start": "2027-05-03", "drop": "1"}
    assert read_drop(good, sample_data) == Drop("P05", "shoot", "2027-05-03")
    assert read_drop(good | {"phase_id": None}, sample_data) == Drop("P05", None, "2027-05-03")
    for bad, why in [(None, "not a drop"), (good | {"production_id": "P99"}, "no production 'P99'"),
                     (good | {"phase_id": "<img src=x>"}, "P05 has no phase"), (good | {"new_start": "2027-05-04"},
                     "not a Monday"), (good | {"new_start": "soon"}, "not a date"), (good | {"new_start": 3}, "not")]:
        with pytest.raises(DropRefused, match=why):
            read_drop(bad, sample_data)


def test_moves_add_up_later_ones_replace_earlier_and_a_production_move_replaces_its_phases():
    base = Scenario("Stage 13", base_hash="k", stages=(), moves={"P09/post": "2028-01-03"})
    drops = [Drop("P05", "shoot", "2027-05-03"), Drop("P05", "post", "2027-08-02"), Drop("P07", "prep", "2027-03-01"),
             Drop("P05", None, "2027-02-01"), Drop("P07", "prep", "2027-03-08")]
    moved = moved_scenario(base, drops)
    assert moved.name == MOVED_BY_HAND and moved.base_hash == "k"
    assert moved.moves == {"P09/post": "2028-01-03", "P05": "2027-02-01", "P07/prep": "2027-03-08"}
    assert moved_scenario(base, drops[:1]).moves == {"P09/post": "2028-01-03", "P05/shoot": "2027-05-03"}


def test_take_drop_adds_what_the_slate_takes_and_says_why_not_otherwise(sample_data):
    base = Scenario("baseline", base_hash="k")
    drop = {"production_id": "P09", "phase_id": "shoot", "new_start": "2027-09-06", "drop": "a"}
    drops, why = take_drop(drop, [], base, sample_data, PLANNER)
    assert drops == [Drop("P09", "shoot", "2027-09-06")] and why is None
    kept, why = take_drop(drop | {"new_start": "2027-05-03"}, drops, base, sample_data, PLANNER)
    assert kept == drops
    assert why.startswith("P09 shoot moved to the week of 2027-05-03, locked: the slate cannot take it: P09/prep: ")
    kept, why = take_drop(drop | {"production_id": "P05"}, [], base, sample_data, PLANNER)   # P05's shoot is running
    assert kept == [] and "P05 shoot started on 2027-03-08 and stays where it happened" in why
    kept, why = take_drop(drop, [], base, sample_data, VIEWER)
    assert kept == [] and "takes the planner role (you are a viewer)" in why
    kept, why = take_drop({"production_id": "P05"}, [], base, sample_data, PLANNER)
    assert kept == [] and why.startswith("the drop was not understood")


def test_the_timeline_shows_every_phase_and_lets_only_unlocked_or_hand_moved_ones_move(sample_data):
    plan = as_planned(sample_data)
    shown = productions_shown(plan, [], [], [])
    drawn = timeline_data(plan, "production", shown, {"P05/shoot": "2027-03-08"}, planned=plan.schedule)
    items = {i["id"]: i for i in drawn["items"]}
    assert len(items) == len(sample_data.phases)
    assert not items["P01/shoot"]["phase_draggable"] and not items["P01/shoot"]["production_draggable"]  # locked
    assert items["P05/shoot"]["moved"] and items["P05/shoot"]["phase_draggable"]
    assert items["P05/post"]["production_start"] == "2027-01-11" == items["P05/prep"]["phase_start"]
    assert [g["id"] for g in drawn["groups"]][:3] == ["P03", "P02", "P01"]          # by first start
    late = {m["group"] for m in drawn["markers"] if m["late"]}
    assert late == {p for p, k in plan.schedule.groupby("production_id")["end"].max().items()
                    if k > sample_data.productions.set_index("production_id").at[p, "target_delivery"]}

    by_stage = timeline_data(plan, "stage", shown, {}, planned=None)
    stage_items = [i for i in by_stage["items"] if i["group"] == "STG-10"]
    board = plan.stage_board[plan.stage_board["resource_id"] == "STG-10"]
    assert {(i["production_id"], i["phase_id"]) for i in stage_items} == set(zip(board["production_id"], board["phase_id"]))
    assert by_stage["groups"][0]["label"] == "Stage 10 (30,000 sq ft)"

    by_resource = timeline_data(plan, "resource", shown, {}, planned=None)
    star = {(i["production_id"], i["phase_id"]) for i in by_resource["items"] if i["group"] == "TAL-STAR"}
    dem = sample_data.demands
    assert star == set(zip(dem.loc[dem["resource_id"] == "TAL-STAR", "production_id"],
                           dem.loc[dem["resource_id"] == "TAL-STAR", "phase_id"])) and len(star) == 2
    assert [g["id"] for g in by_resource["groups"]][:2] == ["TAL-DIR", "TAL-SHOW"]      # people first, by id

    series = productions_shown(plan, ["series"], [], ["STG-10"])
    assert series and all(sample_data.productions.set_index("production_id").at[p, "format"] == "series" for p in series)
    assert productions_shown(plan, [], ["development"], []) == {"P14", "P15", "P17"}


def test_a_scenario_with_moves_does_not_open_in_the_whatif_form(sample_data):
    _, cannot = whatif_values(Scenario("hand", moves={"P05/shoot": "2027-05-03"}), sample_data, quick=True)
    assert any("moved by hand" in c for c in cannot)


def test_moves_table_says_where_the_plan_starts_each_move(sample_data):
    scenario = Scenario(MOVED_BY_HAND, moves={"P09/shoot": "2027-09-06", "P10": "2027-05-10"})
    plan = as_planned(apply(sample_data, scenario))
    table = moves_table(scenario, plan)
    assert table.to_dict("records") == [
        {"production_id": "P09", "title": "Red Meridian", "moved": "shoot",
         "dropped on the week of": pd.Timestamp("2027-09-06").date(),
         "starts in the plan": pd.Timestamp("2027-09-06").date(), "locked": True},
        {"production_id": "P10", "title": "The Bureau (S1)", "moved": "whole production (from its prep)",
         "dropped on the week of": pd.Timestamp("2027-05-10").date(),
         "starts in the plan": pd.Timestamp("2027-05-10").date(), "locked": True}]


def timeline_args(app) -> dict:
    """What the Slate page hands the timeline component (AppTest does not draw custom components)."""
    import json

    found = [e for e in app.main if getattr(e, "type", "") == "component_instance"]
    assert len(found) == 1
    return json.loads(found[0].proto.json_args)


def test_the_slate_page_replans_around_moves_compares_and_undoes(start_app):
    """A drop the page has taken (as the timeline's callback leaves it): the plan is re-planned with
    the phase locked at the dropped week, compared with the baseline, listed; Undo puts it back."""
    from dashboard import state

    app = start_app()
    drawn = timeline_args(app)
    assert drawn["editable"] and not drawn["whole_productions"]
    assert {i["id"] for i in drawn["items"]} >= {"P09/shoot", "P01/prep"} and not app.get("plotly_chart")
    loaded = state.current()
    app.session_state["slate_hand"] = {"base": f"{loaded.key}|{state.baseline(loaded).overrides_json()}",
                                       "drops": [Drop("P09", "shoot", "2027-09-06")], "refused": None, "revision": 1}
    app.run()
    assert not app.exception
    assert "with **1 move by hand**, re-planned" in app.caption[0].value
    moves = app.table[0].value
    sep_6 = pd.Timestamp("2027-09-06").date()
    assert moves.index.tolist() == ["P09"] and moves.iloc[0].tolist() == ["Red Meridian", "shoot", sep_6, sep_6, True]
    shoot = next(i for i in timeline_args(app)["items"] if i["id"] == "P09/shoot")
    assert shoot["start"] == "2027-09-06" and shoot["locked"] and shoot["moved"] and shoot["phase_draggable"]
    kpis = next(d.value for d in app.dataframe if "metric" in d.value.columns)
    assert list(kpis.columns) == ["metric", "baseline", MOVED_BY_HAND, f"{MOVED_BY_HAND} vs baseline"]
    assert {m.label for m in app.metric} >= {"Conflicts", "Late", "Cost of the plan (USD)"}

    app.text_input(key="slate_save_name").input("P09 shoots in September")
    app.button(key="FormSubmitter:slate_save-Save as scenario").click().run()
    assert "Saved “P09 shoots in September”" in app.success[0].value
    saved = state.scenario_store().load("P09 shoots in September")[0]
    assert saved.moves == {"P09/shoot": "2027-09-06"} and saved.base_hash == loaded.key

    app.button(key="slate_undo").click().run()
    assert not app.exception
    assert app.session_state["slate_hand"]["drops"] == [] and "move by hand" not in app.caption[0].value
    assert not app.table
    optimized = state.current_plan(loaded).schedule.set_index(["production_id", "phase_id"])   # shown since it exists
    shoot = next(i for i in timeline_args(app)["items"] if i["id"] == "P09/shoot")
    assert shoot["start"] == str(optimized.at[("P09", "shoot"), "start"].date()) and not shoot["moved"]


def test_a_refused_drop_is_shown_and_nothing_moves(start_app):
    from dashboard import state

    app = start_app()
    loaded = state.current()
    why = "P05 shoot moved to the week of 2027-01-04, locked: the slate cannot take it: P05/prep: no start week is left"
    app.session_state["slate_hand"] = {"base": f"{loaded.key}|{state.baseline(loaded).overrides_json()}",
                                       "drops": [], "refused": why, "revision": 1}
    app.run()
    assert not app.exception
    assert app.error[0].value.startswith("Not moved: P05 shoot moved to the week of 2027") and "P05/prep" in app.error[0].value
    assert not app.get("status")


def test_the_component_serves_the_pinned_vis_timeline():
    """``frontend/static`` (what the app serves) holds the vis-timeline file whose checksum
    ``build.sh`` pins, beside our own page."""
    import hashlib
    import re

    from conftest import ROOT

    frontend = ROOT / "dashboard" / "components" / "timeline" / "frontend"
    assert {"index.html", "timeline.js", "timeline.css"} <= {p.name for p in (frontend / "static").iterdir()}
    pinned = re.search(r"^SHA256=([0-9a-f]{64})", (frontend / "build.sh").read_text(), re.M).group(1)
    assert hashlib.sha256((frontend / "static" / "vis-timeline-graph2d.min.js").read_bytes()).hexdigest() == pinned


def test_a_viewer_sees_a_read_only_timeline(start_app, monkeypatch):
    from dashboard import state

    monkeypatch.setattr(state, "actor", lambda: VIEWER)
    app = start_app()
    assert not app.exception
    assert not timeline_args(app)["editable"]
    assert any("takes the planner role (you are a viewer): the timeline is read-only" in c.value for c in app.caption)
