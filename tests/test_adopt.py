"""Adopting a plan: a planner or an admin makes a plan's starts the slate's planned dates, as a new
slate version (the one before kept), with an audit row and a decision-log row, in one transaction;
everything else is refused with nothing changed. Expected dates are worked out by hand on tiny slates."""

from __future__ import annotations

import io

import duckdb
import pandas as pd
import pytest

from planning.access import Actor, Forbidden
from planning.data.adopt import PlanNotAdopted, adopted_phases
from planning.data.files import csv_bytes
from planning.data.inputs import planned_schedule
from planning.data.store import StaleEdit, Store
from planning.data.validate import check

from factory import H0, demand, frames, monday, phase, production, resource, slate

ADMIN, PLANNER = Actor("boss@studio.test", "admin"), Actor("ana@studio.test", "planner")
VIEWER = Actor("vic@studio.test", "viewer")


def two_productions():
    """A: prep 2 weeks planned week 0, shoot 3 weeks undated (after prep: week 2); B: shoot 2 weeks, week 1."""
    return slate([production("A"), production("B")],
                 [phase("A", "prep", 2, 0, kind="prep"), phase("A", "shoot", 3, None), phase("B", "shoot", 2, 1)],
                 [resource("GE")], [demand("A", "shoot", "GE"), demand("B", "shoot", "GE")])


def plan(**weeks) -> pd.DataFrame:
    """A schedule from ``A_prep=4, ...``."""
    return pd.DataFrame([(*key.split("_"), week) for key, week in weeks.items()],
                        columns=["production_id", "phase_id", "start_week"])


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "slate.duckdb")
    s.save(two_productions(), source="hand-built", actor=ADMIN)
    return s


def starts(data) -> dict[str, int]:
    return {f"{r.production_id}/{r.phase_id}": int(r.start_week) for r in planned_schedule(data).itertuples()}


def test_a_planner_adopts_a_plan_as_a_new_version_with_audit_and_decision_rows(store):
    before = store.meta()["content_hash"]
    new = store.adopt(plan(A_prep=4, A_shoot=7, B_shoot=1), "scenario “later”", before,
                      note="  Agreed with finance: A after the holidays  ", actor=PLANNER)
    assert starts(store.slate()) == starts(new) == {"A/prep": 4, "A/shoot": 7, "B/shoot": 1}
    dates = store.slate().phases.set_index("phase_id", append=True)["planned_start"].dt.strftime("%Y-%m-%d").tolist()
    assert dates == [monday(4), monday(7), monday(1)]                # Mondays, in the phases' listed order
    kept = store.history()
    assert len(kept) == 1 and kept["content_hash"].iloc[0] == before           # the slate before is kept
    assert starts(store.kept_slate(int(kept["version"].iloc[0]))) == {"A/prep": 0, "A/shoot": 2, "B/shoot": 1}
    log = store.adoptions()
    assert len(log) == 1
    row = log.iloc[0]
    assert (row["user"], row["user_id"], row["role"], row["plan"]) == ("ana@studio.test", "name:ana@studio.test",
                                                                      "planner", "scenario “later”")
    assert row["note"] == "Agreed with finance: A after the holidays"            # trimmed, else as typed
    assert row["moved"] == 2                             # A/prep 0 -> 4, A/shoot undated -> 7; B/shoot stays
    assert (row["from_hash"], row["to_hash"], row["version"]) == (before, store.meta()["content_hash"],
                                                                  kept["version"].iloc[0])
    audit = store.audit().iloc[0]
    assert (audit["user"], audit["role"], audit["action"], audit["target"]) == ("ana@studio.test", "planner",
                                                                               "adopt plan", "scenario “later”")
    assert audit["detail"] == "planned dates changed for 2 phase(s); note: Agreed with finance: A after the holidays"
    assert store.meta()["source"] == "hand-built, plan adopted: scenario “later”"
    assert audit["at"] == row["at"]                                              # one transaction, one time


@pytest.mark.parametrize("who", [VIEWER, Actor("eve@studio.test", "Admin"), Actor("eve@studio.test", "root")])
def test_a_viewer_or_a_forged_role_is_refused_and_audited_and_nothing_changes(store, who):
    before = store.meta()["content_hash"]
    with pytest.raises(Forbidden, match=rf"{who.user} \({who.role}\) may not adopt plan: it takes the planner role"):
        store.adopt(plan(A_prep=4, A_shoot=7, B_shoot=1), "optimized", before, note="why not", actor=who)
    assert store.meta()["content_hash"] == before and store.history().empty and store.adoptions().empty
    refused = store.audit().iloc[0]
    assert (refused["user"], refused["role"], refused["action"], refused["target"]) == (
        who.user, who.role, "refused: adopt plan", "optimized")


@pytest.mark.parametrize("note, said", [("", "needs a note"), ("   \n\t ", "needs a note"),
                                        ("ok\u202egnp.exe", r"U\+202E"), ("x" * 2001, "at most 2,000")])
def test_a_note_that_is_empty_or_hides_characters_is_refused(store, note, said):
    before = store.meta()["content_hash"]
    with pytest.raises(PlanNotAdopted, match=said):
        store.adopt(plan(A_prep=4, A_shoot=7, B_shoot=1), "optimized", before, note=note, actor=PLANNER)
    assert store.meta()["content_hash"] == before and store.adoptions().empty and store.history().empty


def test_a_note_with_markup_or_a_formula_is_kept_as_typed_and_exported_formula_safe(store):
    note = '=HYPERLINK("http://evil.test","click") **bold** <img src=x onerror=alert(1)> [link](http://x)'
    store.adopt(plan(A_prep=4, A_shoot=7, B_shoot=1), "optimized", store.meta()["content_hash"], note=note,
                actor=PLANNER)
    assert store.adoptions()["note"].iloc[0] == note
    exported = pd.read_csv(io.BytesIO(csv_bytes(store.adoptions())))
    assert exported["note"].iloc[0] == "'" + note                                # a spreadsheet shows it, never runs it


def test_a_plan_made_on_an_earlier_slate_is_refused_and_says_who_changed_it(store):
    made_on = store.meta()["content_hash"]
    productions = store.slate().productions
    other = Actor("kim@studio.test", "admin")
    store.replace_table("productions", productions.assign(title=productions["title"] + " (new)"), "upload", other)
    changed = store.meta()["content_hash"]
    with pytest.raises(StaleEdit, match=r"the slate changed since the plan was made \(kim@studio.test: replace table, "
                                        r".*\); nothing was saved: plan again on the slate as it is now"):
        store.adopt(plan(A_prep=4, A_shoot=7, B_shoot=1), "optimized", made_on, note="late", actor=PLANNER)
    assert store.meta()["content_hash"] == changed and store.adoptions().empty and len(store.history()) == 1


def test_a_plan_that_does_not_cover_every_phase_or_is_the_slates_plan_already_is_refused(store):
    key = store.meta()["content_hash"]
    with pytest.raises(PlanNotAdopted, match=r"does not cover every phase: A/shoot has no start"):
        store.adopt(plan(A_prep=4, B_shoot=1), "optimized", key, note="n", actor=PLANNER)
    with pytest.raises(PlanNotAdopted, match=r"C/shoot is not a phase of the slate"):
        store.adopt(plan(A_prep=4, A_shoot=7, B_shoot=1, C_shoot=3), "optimized", key, note="n", actor=PLANNER)
    with pytest.raises(PlanNotAdopted, match=r"no whole start week for A/prep"):
        store.adopt(plan(A_prep=4.5, A_shoot=7, B_shoot=1), "optimized", key, note="n", actor=PLANNER)
    assert store.meta()["content_hash"] == key and store.adoptions().empty and store.history().empty
    store.adopt(plan(A_prep=0, A_shoot=2, B_shoot=1), "as planned", key, note="date A's shoot", actor=PLANNER)
    assert store.adoptions()["moved"].tolist() == [1]              # the undated shoot gets its date: a change
    again = store.meta()["content_hash"]
    with pytest.raises(PlanNotAdopted, match=r"as planned is the slate's plan already"):
        store.adopt(plan(A_prep=0, A_shoot=2, B_shoot=1), "as planned", again, note="n", actor=PLANNER)
    assert store.meta()["content_hash"] == again and len(store.adoptions()) == 1


def under_way():
    """Report date week 5 (as_of Monday of week 5). A: prep weeks 0-1 done (actual 4 Jan to 15 Jan), shoot
    running since week 3 (actual start on the Wednesday of week 3), post 4 weeks planned week 8; B: shoot planned week 9."""
    raw = frames([production("A"), production("B")],
                 [phase("A", "prep", 2, 0, kind="prep", actual_start=H0, actual_end=str(pd.Timestamp(monday(2)) -
                                                                                       pd.Timedelta(days=3))[:10]),
                  phase("A", "shoot", 3, 2, actual_start=str(pd.Timestamp(monday(3)) + pd.Timedelta(days=2))[:10]),
                  phase("A", "post", 4, 8, kind="post"), phase("B", "shoot", 2, 9)],
                 [resource("GE")], [demand("A", "shoot", "GE"), demand("B", "shoot", "GE")])
    raw["settings"]["as_of"] = monday(5)
    data, problems = check(raw)
    assert not problems, problems
    return data


def test_started_phases_keep_their_actual_dates_and_are_planned_at_their_actual_start_week():
    data = under_way()
    out = adopted_phases(data, plan(A_prep=6, A_shoot=9, A_post=10, B_shoot=12))
    got = dict(zip(out["phase_id"] + "/" + out["production_id"], out["planned_start"].dt.strftime("%Y-%m-%d")))
    assert got == {"prep/A": monday(0), "shoot/A": monday(3), "post/A": monday(10), "shoot/B": monday(12)}
    pd.testing.assert_series_equal(out["actual_start"], data.phases["actual_start"])
    pd.testing.assert_series_equal(out["actual_end"], data.phases["actual_end"])
    assert list(out.columns) == [c for c in data.phases.columns if c != "seq"]


def test_a_plan_that_starts_a_phase_not_yet_started_before_the_report_date_is_refused():
    with pytest.raises(PlanNotAdopted, match=r"starts B/shoot before the report date \(08 Feb 2027\), and it has "
                                             r"not started: it was made before the report date"):
        adopted_phases(under_way(), plan(A_prep=0, A_shoot=3, A_post=8, B_shoot=4))


def test_a_store_made_before_the_decision_log_opens_and_adopts(tmp_path):
    path = tmp_path / "old.duckdb"
    Store(path).save(two_productions(), source="then", actor=ADMIN)
    with duckdb.connect(str(path)) as con:                        # as a version before adopting left it
        con.execute("DROP TABLE adoptions")
    store = Store(path)
    assert store.adoptions().empty
    store.adopt(plan(A_prep=1, A_shoot=3, B_shoot=5), "optimized", store.meta()["content_hash"], note="n",
                actor=ADMIN)
    assert len(store.adoptions()) == 1 and starts(store.slate()) == {"A/prep": 1, "A/shoot": 3, "B/shoot": 5}


def test_adopting_a_saved_scenario_gives_a_slate_planned_as_that_scenario(tmp_path):
    """Two shoots planned the same week on one crew of one, hire-in impossible: the scenario's plan moves
    one. Adopted, the slate's as-planned start of every phase is the scenario's, with an audit row."""
    from planning.plan import SCENARIO, Origin
    from planning.scenarios.run import run_scenario
    from planning.scenarios.store import ScenarioStore
    from planning.scenarios.types import Scenario

    data = slate([production("A"), production("B")], [phase("A", "shoot", 2, 0), phase("B", "shoot", 2, 0)],
                 [resource("GE")], [demand("A", "shoot", "GE"), demand("B", "shoot", "GE")])
    store = Store(tmp_path / "slate.duckdb")
    store.save(data, source="two shoots", actor=ADMIN)
    key = store.meta()["content_hash"]
    result = run_scenario(data, Scenario("no hire", base_hash=key, hire_allowed=False))
    scenarios = ScenarioStore(tmp_path / "scenarios.duckdb")
    scenarios.save(Scenario("no hire", base_hash=key, hire_allowed=False), actor=PLANNER, results=result.frames(),
                   summary=result.summary())
    scenario, saved, _ = scenarios.load("no hire")
    wanted = {f"{r.production_id}/{r.phase_id}": int(r.start_week) for r in saved["schedule"].itertuples()}
    assert sorted(wanted.values()) == [0, 2]                                  # one shoot waits for the other
    label = Origin(SCENARIO, "no hire").label
    store.adopt(saved["schedule"], label, scenario.base_hash, note="one crew", actor=PLANNER)
    assert starts(store.slate()) == wanted
    assert store.audit().iloc[0][["action", "target"]].tolist() == ["adopt plan", label]
    assert label == "scenario “no hire”"
