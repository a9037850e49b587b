"""Scenarios: overrides applied as a pure function, and the shared DuckDB scenario store."""

import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from planning.analysis.capacity import capacity_by_week
from planning.data.inputs import week_index
from planning.access import Actor
from planning.scenarios.store import KEEP_VERSIONS, ScenarioError, ScenarioExists, ScenarioStore
from planning.scenarios.types import CapacityChange, Scenario, StageChange, describe
from planning.scenarios.apply import added_capacity_cost, apply

from conftest import ROOT

FULL = Scenario(
    name="Stage 13 + slip P05", base_hash="abc123",
    capacity=(CapacityChange("CREW-GE", delta=2, first_week=10, last_week=20), CapacityChange("EQ-LGT", pct=-50.0)),
    stages=(StageChange(30_000, 1), StageChange(12_000, -1)), slips={"P05": 6, "P09": -2},
    locks={"P06": True}, phase_locks={"P11/shoot": True}, overage_pct=10.0, hire_allowed=False,
    weights={"lateness": 2.0, "moves": 0.5}, note="what if we build stage 13",
)


def cap(data, rid, week):
    c = capacity_by_week(data)
    return int(c[(c["resource_id"] == rid) & (c["week"] == week)]["capacity"].item())


def test_apply_changes_exactly_what_the_scenario_says(sample_data):
    base = sample_data
    new = apply(base, FULL)
    # capacity: +2 G&E crews in weeks 10..20 only; lighting halved everywhere, on top of the calendar
    ge = int(base.resources.set_index("resource_id").at["CREW-GE", "capacity"])
    assert [cap(new, "CREW-GE", w) for w in (9, 10, 20, 21)] == [ge, ge + 2, ge + 2, ge]
    assert cap(new, "EQ-LGT", 30) == round(cap(base, "EQ-LGT", 30) * 0.5)
    assert cap(new, "EQ-LGT", 51) == round(cap(base, "EQ-LGT", 51) * 0.5)  # a holiday week stays lower
    # stages: one more 30k stage; the highest-numbered 12k stage closed all horizon
    added = new.resources[new.resources["resource_id"].str.startswith("WHATIF")]
    assert added[["kind", "size", "capacity"]].values.tolist() == [["stage", 30_000.0, 1]]
    assert all(cap(new, "STG-04", w) == 0 for w in (0, 50, 103)) and cap(new, "STG-03", 0) == 1
    # slips move the window, the target and every planned start
    for pid, weeks in FULL.slips.items():
        b = base.phases[base.phases["production_id"] == pid]["planned_start"]
        n = new.phases[new.phases["production_id"] == pid]["planned_start"]
        assert ((n.to_numpy() - b.to_numpy()) == pd.Timedelta(days=7 * weeks)).all()
        bp = base.productions.set_index("production_id").loc[pid]
        np_ = new.productions.set_index("production_id").loc[pid]
        assert np_["target_delivery"] - bp["target_delivery"] == pd.Timedelta(days=7 * weeks)
        assert week_index(np_["earliest_start"], base.settings.horizon_start) - \
            week_index(bp["earliest_start"], base.settings.horizon_start) == weeks
    assert new.productions.set_index("production_id").at["P06", "locked"]
    ph = new.phases.set_index(["production_id", "phase_id"])
    assert ph.at[("P11", "shoot"), "locked"] and not ph.at[("P11", "prep"), "locked"]
    # budget +10% to the cent; no hiring
    ratio = new.budget_lines["amount"] / base.budget_lines["amount"]
    assert ((ratio - 1.1).abs() < 1e-6).all()
    assert (new.resources.loc[new.resources["kind"] != "stage", "hire_max_units"] == 0).all()
    # and the base is untouched
    assert len(base.resources) == len(new.resources) - 1


def test_apply_is_deterministic_and_names_bad_overrides(sample_data):
    a, b = apply(sample_data, FULL), apply(sample_data, FULL)
    for name, frame in a.tables().items():
        pd.testing.assert_frame_equal(frame, b.tables()[name])
    with pytest.raises(ValueError, match="unknown resource 'NOPE'"):
        apply(sample_data, Scenario("x", capacity=(CapacityChange("NOPE", delta=1),)))
    with pytest.raises(ValueError, match="cannot close 9 stages"):
        apply(sample_data, Scenario("x", stages=(StageChange(30_000, -9),)))


def test_round_trip_of_every_field_survives_a_restart(tmp_path):
    path = tmp_path / "scenarios.duckdb"
    results = {"schedule": pd.DataFrame({"production_id": ["P01"], "start_week": [3]}),
               "cashflow": pd.DataFrame({"week": [0, 1], "amount": [-1.25, 2.5]})}
    ScenarioStore(path).save(FULL, actor=Actor("ana", "admin"), results=results, summary={"objective": 12.5, "status": "Optimal"})
    again = ScenarioStore(path)  # a new process would open it the same way
    scenario, got, summary = again.load(FULL.name)
    assert scenario == FULL
    assert summary == {"objective": 12.5, "status": "Optimal"}
    for part, frame in results.items():
        pd.testing.assert_frame_equal(got[part], frame)
    listed = again.list().iloc[0]
    assert (listed["name"], listed["created_by"], listed["saved_by"], listed["parts"]) == (FULL.name, "ana", "ana", 2)


def test_rename_delete_and_who_saved(tmp_path):
    store = ScenarioStore(tmp_path / "s.duckdb")
    store.save(Scenario("a"), actor=Actor("ana", "admin"))
    store.save(Scenario("a", overage_pct=5.0), actor=Actor("ben", "admin"), replace=True)
    row = store.list().iloc[0]
    assert (row["created_by"], row["saved_by"]) == ("ana", "ben")
    store.save(Scenario("b"), actor=Actor("ben", "admin"))
    with pytest.raises(ScenarioError, match="already exists"):
        store.rename("a", "b", actor=Actor("ana", "admin"))
    store.rename("a", "c", actor=Actor("ana", "admin"))
    assert store.load("c")[0].overage_pct == 5.0
    store.delete("b", actor=Actor("ben", "admin"))
    assert store.list()["name"].tolist() == ["c"]
    with pytest.raises(ScenarioError, match="no scenario named 'b'"):
        store.load("b")


def test_a_taken_name_is_never_replaced_silently_and_a_replace_can_be_undone(tmp_path):
    store = ScenarioStore(tmp_path / "s.duckdb")
    first = Scenario("Stage 13 built", stages=(StageChange(30_000, 1),), note="the build")
    store.save(first, actor=Actor("ana", "admin"), results={"f": pd.DataFrame({"x": [1]})}, summary={"verdict": "best possible plan"})
    slip = Scenario("Stage 13 built", slips={"P05": 6}, note="a slip")
    with pytest.raises(ScenarioExists, match="already exists .*saved by ana"):
        store.save(slip, actor=Actor("ben", "admin"), results={"f": pd.DataFrame({"x": [2]})})
    assert store.load("Stage 13 built")[0] == first and store.versions("Stage 13 built").empty   # unchanged
    assert store.free_name("Stage 13 built") == "Stage 13 built (2)"

    store.save(slip, actor=Actor("ben", "admin"), results={"f": pd.DataFrame({"x": [2]})}, replace=True)
    scenario, results, _ = store.load("Stage 13 built")
    assert scenario == slip and results["f"]["x"].tolist() == [2]
    kept = store.versions("Stage 13 built")
    assert len(kept) == 1 and kept.iloc[0]["replaced_by"] == "ben" and kept.iloc[0]["note"] == "the build"

    store.undo_replace("Stage 13 built", actor=Actor("ana", "admin"))           # the build is back, whole
    scenario, results, summary = store.load("Stage 13 built")
    assert scenario == first and results["f"]["x"].tolist() == [1] and summary == {"verdict": "best possible plan"}
    assert store.list()["saved_by"].tolist() == ["ana"]
    store.undo_replace("Stage 13 built", actor=Actor("ana", "admin"))           # and an undo can be undone
    assert store.load("Stage 13 built")[0] == slip


def test_a_deleted_scenario_can_be_brought_back_and_only_the_last_versions_are_kept(tmp_path):
    store = ScenarioStore(tmp_path / "s.duckdb")
    for i in range(KEEP_VERSIONS + 3):
        store.save(Scenario("x", overage_pct=float(i)), actor=Actor("ana", "admin"), replace=True)
    assert len(store.versions("x")) == KEEP_VERSIONS
    store.delete("x", actor=Actor("ben", "admin"))
    assert store.list().empty and store.kept()["replaced_by"].iloc[0] == "ben"
    store.undo_replace("x", actor=Actor("ben", "admin"))
    assert store.load("x")[0].overage_pct == KEEP_VERSIONS + 2
    with pytest.raises(ScenarioError, match="no earlier version of 'y'"):
        store.undo_replace("y", actor=Actor("ben", "admin"))


def test_added_capacity_is_priced_for_the_weeks_it_is_added(sample_data):
    weeks = sample_data.settings.horizon_weeks
    scenario = Scenario("x", stages=(StageChange(30_000, 2), StageChange(12_000, -1)),
                        capacity=(CapacityChange("CREW-GE", delta=2, first_week=10, last_week=19),
                                  CapacityChange("EQ-LGT", delta=-3)),
                        added_costs={"stage": 10_000.0, "unit": 500.0})
    assert added_capacity_cost(sample_data, scenario) == 2 * weeks * 10_000 + 2 * 10 * 500   # closing saves nothing
    assert added_capacity_cost(sample_data, Scenario("free", stages=(StageChange(30_000, 1),))) == 0


def test_describe_says_what_a_scenario_changes():
    names = {"CREW-GE": "Grip & electric crews"}
    assert describe(FULL, names) == (
        "stages of 30,000 sq ft +1; stages of 12,000 sq ft -1; Grip & electric crews +2 in weeks 10-20; "
        "EQ-LGT -50%; P05 slips 6 weeks; P09 2 weeks earlier; P06 locked; P11/shoot locked; budgets +10%; "
        "hire-in off; lateness weighed × 2; a week's move costs 0.5")
    assert describe(Scenario("nothing")) == "no change"


SAVER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    import pandas as pd
    from planning.access import Actor
    from planning.scenarios.store import ScenarioStore
    from planning.scenarios.types import Scenario
    store = ScenarioStore({path!r})
    frame = pd.DataFrame({{"x": range(2000)}})
    for i in range(15):
        store.save(Scenario(f"{prefix}-{{i}}", overage_pct=float(i)), actor=Actor({prefix!r}, "admin"), results={{"f": frame}})
""")


def test_two_processes_saving_at_once_both_land(tmp_path):
    path = str(tmp_path / "shared.duckdb")
    ScenarioStore(path)
    procs = [subprocess.Popen([sys.executable, "-c", SAVER.format(root=str(ROOT), path=path, prefix=p)],
                              stderr=subprocess.PIPE, text=True) for p in ("left", "right")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    names = set(ScenarioStore(path).list()["name"])
    assert names == {f"{p}-{i}" for p in ("left", "right") for i in range(15)}


KILLED = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    import pandas as pd
    import planning.scenarios.store as ss
    from planning.access import Actor
    from planning.scenarios.types import Scenario

    real = ss._to_blob
    def slow(frame):  # the save is inside its transaction when this runs
        blob = real(frame)
        print("in-transaction", flush=True)
        time.sleep(60)
        return blob
    ss._to_blob = slow
    ss.ScenarioStore({path!r}).save(Scenario("keep", overage_pct=99.0), actor=Actor("crash", "admin"),
                                    results={{"f": pd.DataFrame({{"x": [9]}})}}, replace=True)
""")


def test_a_process_killed_during_a_save_leaves_the_old_content(tmp_path):
    path = str(tmp_path / "crash.duckdb")
    ScenarioStore(path).save(Scenario("keep", overage_pct=1.0), actor=Actor("ana", "admin"),
                             results={"f": pd.DataFrame({"x": [1]})})
    proc = subprocess.Popen([sys.executable, "-c", KILLED.format(root=str(ROOT), path=path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "in-transaction", proc.stderr.read()
    proc.kill()
    proc.wait(timeout=30)
    scenario, results, _ = ScenarioStore(path).load("keep")
    assert scenario.overage_pct == 1.0
    assert results["f"]["x"].tolist() == [1]
    assert ScenarioStore(path).list()["saved_by"].tolist() == ["ana"]


@pytest.mark.parametrize("name", ["", "   ", " padded", "line\nbreak", "bell\x07", "rtl\u202eevil", "x" * 121])
def test_a_scenario_name_with_control_characters_or_no_text_is_refused(tmp_path, name):
    from planning.access import Actor
    from planning.scenarios.store import ScenarioError, ScenarioStore

    store = ScenarioStore(tmp_path / "s.duckdb")
    planner = Actor("ana@studio.test", "planner")
    with pytest.raises(ScenarioError):
        store.save(Scenario(name), actor=planner)
    store.save(Scenario("x" * 120), actor=planner)                  # the longest name that passes
    with pytest.raises(ScenarioError):
        store.rename("x" * 120, name, actor=planner)
    assert store.list()["name"].tolist() == ["x" * 120]


def dated_slate():
    """A person T with one window (a Wednesday to a Friday), a place L always available but closed in
    week 10 by its calendar, and a crew C always available; horizon 52 weeks from 2027-01-04."""
    from factory import demand, monday, phase, production, resource, slate

    return slate([production("P1")], [phase("P1", "shoot", 3, 5)],
                 [resource("T", kind="talent", name="Leo Marsh (lead actor)"), resource("L", kind="location"),
                  resource("C")],
                 [demand("P1", "shoot", "T"), demand("P1", "shoot", "L")],
                 availability=[dict(resource_id="T", available_from="2027-01-06", available_to="2027-04-30", units=None)],
                 calendar=[dict(resource_id="L", week_start=monday(10), capacity=0)])


def windows(data, rid):
    av = data.availability[data.availability["resource_id"] == rid].sort_values("available_from")
    return [(str(a.date()), str(b.date()), None if pd.isna(u) else int(u))
            for a, b, u in zip(av["available_from"], av["available_to"], av["units"])]


def test_availability_later_and_a_gap_split_windows_and_drop_pieces_without_a_whole_week():
    from planning.scenarios.types import AvailabilityChange

    data = dated_slate()
    new = apply(data, Scenario("x", availability=(
        AvailabilityChange("T", shift_weeks=2, off_from="2027-02-10", off_to="2027-02-20"),
        AvailabilityChange("L", shift_weeks=3, off_from="2027-03-01", off_to="2027-03-21"),
        AvailabilityChange("C", shift_weeks=2))))
    # T: 01-06..04-30 two weeks later is 01-20..05-14; the gap 02-10..02-20 splits it (01-20..02-09
    # still holds the week of 01-25).
    assert windows(new, "T") == [("2027-01-20", "2027-02-09", None), ("2027-02-21", "2027-05-14", None)]
    # L (no windows; calendar: week 10 = 2027-03-15 at 0): weeks 0-9 at 1, week 10 at 0, weeks 11-51 at 1
    # (to 2028-01-02); 3 weeks later drops 01-04..01-24; the gap 03-01..03-21 leaves 01-25..02-28 and
    # swallows the 0 week; its calendar rows are gone.
    assert windows(new, "L") == [("2027-01-25", "2027-02-28", 1), ("2027-03-22", "2028-01-02", 1)]
    assert new.resource_calendar.empty
    # C: always available: 2 weeks later means from week 2 (2027-01-18) to the horizon's end.
    assert windows(new, "C") == [("2027-01-18", "2028-01-02", None)]
    assert cap(new, "T", 2) == 0 and cap(new, "T", 3) == 1 and cap(new, "T", 5) == 0 and cap(new, "T", 7) == 1
    assert [cap(new, "C", w) for w in (1, 2)] == [0, 1]
    assert windows(data, "T") == [("2027-01-06", "2027-04-30", None)]          # the base is unchanged


def test_availability_earlier_a_gap_of_everything_and_bad_changes():
    from planning.scenarios.types import AvailabilityChange

    data = dated_slate()
    earlier = apply(data, Scenario("x", availability=(AvailabilityChange("T", shift_weeks=-1),
                                                        AvailabilityChange("C", shift_weeks=-4))))
    assert windows(earlier, "T") == [("2026-12-30", "2027-04-23", None)]
    assert windows(earlier, "C") == [("2027-01-04", "2028-01-02", None)]      # always available: no change
    # A gap over the whole window leaves nothing: one window of 0 units, unavailable every week.
    gone = apply(data, Scenario("x", availability=(AvailabilityChange("T", off_from="2027-01-01", off_to="2027-06-30"),)))
    assert windows(gone, "T") == [("2027-01-04", "2027-01-10", 0)]
    assert capacity_by_week(gone).query("resource_id == 'T'")["capacity"].sum() == 0
    with pytest.raises(ValueError, match="unknown resource 'NOPE'"):
        apply(data, Scenario("x", availability=(AvailabilityChange("NOPE", 1),)))
    with pytest.raises(ValueError, match="give both"):
        apply(data, Scenario("x", availability=(AvailabilityChange("T", off_from="2027-02-01"),)))
    with pytest.raises(ValueError, match="has availability windows"):
        apply(data, Scenario("x", capacity=(CapacityChange("T", delta=1),)))


def test_availability_changes_round_trip_describe_and_old_scenarios_still_load():
    from planning.scenarios.types import AvailabilityChange

    s = Scenario("x", availability=(AvailabilityChange("TAL-STAR", 3),
                                    AvailabilityChange("LOC-HARBOUR", off_from="2027-06-07", off_to="2027-07-04")))
    assert Scenario.from_json("x", s.overrides_json()) == s
    assert describe(s, {"TAL-STAR": "Leo Marsh (lead actor)", "LOC-HARBOUR": "Harbour Street"}) == (
        "Leo Marsh (lead actor) available 3 weeks later; Harbour Street not available 2027-06-07 to 2027-07-04")
    assert describe(Scenario("y", availability=(AvailabilityChange("T", -1, "2027-01-01", "2027-01-31"),))) == \
        "T available 1 week earlier, not available 2027-01-01 to 2027-01-31"
    old = ('{"added_costs":{},"base_hash":"","capacity":[],"hire_allowed":true,"locks":{},"moves":{},"note":"",'
           '"overage_pct":0.0,"phase_locks":{},"slips":{"P05":2},"stages":[],"weights":{}}')
    loaded = Scenario.from_json("old", old)
    assert loaded.availability == () and loaded.slips == {"P05": 2}
    assert loaded.overrides_json() == old                                      # the same text, the same hash
