"""KPIs, conflict runs, plan comparison and the stage board, on hand-built slates with known answers."""

import io

import pandas as pd

from planning.analysis.compare import (comparison_csv, comparison_xlsx, conflict_changes, delivery_changes, kpi_table, schedule_changes,
                                       utilization_difference)
from planning.analysis.conflicts import conflict_runs
from planning.analysis.kpis import late_deliveries, production_status
from planning.analysis.stageboard import UNPLACED
from planning.data.inputs import planned_schedule
from planning.plan import SCENARIO, Origin, as_planned, build_plan

from factory import demand, monday, phase, production, resource, slate


def two_productions():
    return slate([production("A", target_delivery=monday(6)), production("B", target_delivery=monday(20))],
                 [phase("A", "prep", 2, 0, kind="prep"), phase("A", "shoot", 6, 2),
                  phase("B", "shoot", 3, 10)],
                 [resource("GE", capacity=1, hire_cost_per_week=100.0, hire_max_units=1), resource("MIX", "facility"),
                  resource("S10", "stage", size=10_000), resource("S20", "stage", size=20_000)],
                 [demand("A", "shoot", "GE"), demand("B", "shoot", "GE")])


def test_late_deliveries_and_status():
    data = two_productions()
    sched = planned_schedule(data)
    late = late_deliveries(data, sched).set_index("production_id")
    assert late.loc["A", ["finish_week", "target_week", "weeks_late"]].tolist() == [8, 6, 2]
    assert late.loc["B", "weeks_late"] == 0
    status = production_status(data, sched, week=3).set_index("production_id")["status"]
    assert status.to_dict() == {"A": "shoot", "B": "not started"}
    assert production_status(data, sched, week=15).set_index("production_id")["status"].to_dict() == \
        {"A": "delivered", "B": "delivered"}


def test_conflict_runs_name_productions_and_fixes():
    data = two_productions()
    util = pd.DataFrame({"resource_id": ["GE"] * 4 + ["MIX"] * 2 + ["stages>=20000"],
                         "name": ["GE"] * 4 + ["MIX"] * 2 + ["Any stage ≥ 20,000 sq ft"],
                         "kind": ["crew"] * 4 + ["facility"] * 2 + ["stage class"],
                         "week": [3, 4, 5, 9, 1, 2, 7], "demand": [3, 4, 1, 3, 2, 2, 1], "capacity": 1,
                         "shortfall": [1, 2, 0, 1, 1, 1, 1]})
    alloc = pd.DataFrame({"production_id": ["A", "A", "B", "A"], "phase_id": ["shoot"] * 4,
                          "resource_id": ["GE", "GE", "GE", "MIX"], "week": [3, 4, 9, 1], "units": [1, 1, 1, 1]})
    runs = conflict_runs(data, util, alloc)
    got = runs[["resource_id", "first_week", "last_week", "short_by", "unit_weeks", "productions"]].values.tolist()
    assert got == [["GE", 3, 4, 2, 3, "A"], ["GE", 9, 9, 1, 1, "B"], ["MIX", 1, 2, 1, 2, "A"],
                   ["stages>=20000", 7, 7, 1, 1, ""]]
    assert runs["peak_demand"].tolist() == [4, 3, 2, 1]
    fixes = runs["fix"].tolist()
    assert "(raise the hire-in limit from 1 to 3)" in fixes[0]
    assert fixes[2] == "add 1 more MIX to the lot"
    assert fixes[3] == "add 1 stage of at least 20,000 sq ft"


def moved_plan(data, weeks: int, name="later"):
    """``data``'s planned dates with B's shoot ``weeks`` later, as a scenario plan."""
    starts = planned_schedule(data)
    starts.loc[starts["production_id"] == "B", "start_week"] += weeks
    return build_plan(data, starts, Origin(SCENARIO, name, {"objective": 7.0, "verdict": "best possible plan"}))


def test_kpi_table_and_schedule_differences():
    data = two_productions()
    base, later = as_planned(data), moved_plan(data, 3)
    plans = {"baseline": base, "later": later}
    row = kpi_table(plans).set_index("metric")
    assert row.loc["Late deliveries", "baseline"] == 1 and row.loc["Late deliveries", "change: later"] == 0
    assert row.loc["Cost of the plan (hire-in, lateness, moves)", "later"] == 7.0
    assert pd.isna(row.loc["Cost of the plan (hire-in, lateness, moves)", "baseline"])   # as planned: no solver cost
    moved = schedule_changes(plans)
    assert moved[["production_id", "phase_id", "shift: later"]].values.tolist() == [["B", "shoot", 3]]
    deliveries = delivery_changes(plans).set_index("production_id")
    assert deliveries["shift: later"].to_dict() == {"A": 0, "B": 3}
    content = comparison_csv(plans)
    assert content.startswith(b"metric,baseline,later,change: later\r\n")       # the header first, one table
    kpis = pd.read_csv(io.BytesIO(content))
    assert kpis.set_index("metric").loc["Weeks late (all productions)", "change: later"] == 0
    assert kpis.set_index("metric").loc["Cost of the plan (hire-in, lateness, moves)", "later"] == 7.0
    book = pd.read_excel(io.BytesIO(comparison_xlsx(plans, "slate abc")), sheet_name=None)
    assert list(book) == ["About", "KPIs", "Phases moved", "Deliveries"]
    assert book["About"]["about"].tolist() == ["slate abc", "baseline: as planned",
                                               "later: scenario “later”: best possible plan"]
    assert book["Phases moved"][["production_id", "phase_id", "shift: later"]].values.tolist() == [["B", "shoot", 3]]
    assert book["Deliveries"].set_index("production_id")["shift: later"].to_dict() == {"A": 0, "B": 3}


def test_utilization_and_conflict_changes():
    # GE (1, hire 1 more) is held by A (1 unit) in weeks 2-7 and by B (2 units) in 10-12: no overlap,
    # B's second unit is hired for its 3 weeks.
    data = slate([production("A"), production("B")], [phase("A", "shoot", 6, 2), phase("B", "shoot", 3, 10)],
                 [resource("GE", capacity=1, hire_cost_per_week=100.0, hire_max_units=1)],
                 [demand("A", "shoot", "GE"), demand("B", "shoot", "GE", units=2)])
    base = as_planned(data)
    assert base.conflicts.empty and base.kpis["hire_cost"] == 300.0
    # B three weeks earlier overlaps A in week 7: 3 held, 1 hired, 1 short.
    earlier = moved_plan(data, -3, "earlier")
    diff = utilization_difference({"baseline": base, "earlier": earlier}).set_index(["resource_id", "week"])
    assert diff.loc[("GE", 7)].tolist() == [2, 1] and diff.loc[("GE", 12)].tolist() == [-2, 0]
    assert earlier.kpis["hire_cost"] == 300.0 and earlier.kpis["unit_weeks_short"] == 1
    # Five weeks earlier: weeks 5-7 overlap, one run of 3 unit-weeks short.
    worse = moved_plan(data, -5, "worse")
    assert worse.conflicts[["resource_id", "first_week", "last_week", "unit_weeks"]].values.tolist() == [["GE", 5, 7, 3]]
    out = conflict_changes({"earlier": earlier, "worse": worse}).set_index("resource_id")["outcome"].to_dict()
    assert out == {"GE": "more short"}
    assert conflict_changes({"worse": worse, "baseline": base})["outcome"].tolist() == ["resolved"]
    assert conflict_changes({"baseline": base, "worse": worse})["outcome"].tolist() == ["added"]


def test_stage_board_assigns_whole_bookings_and_names_build_and_strike():
    # A wants >=10k (1 build week), B >=20k, C >=10k at the same time: only two stages exist.
    data = slate([production("A"), production("B"), production("C")],
                 [phase("A", "shoot", 2, 2), phase("B", "shoot", 2, 2), phase("C", "shoot", 1, 3)],
                 [resource("S10", "stage", size=10_000), resource("S20", "stage", size=20_000)],
                 [demand("A", "shoot", min_size=10_000, lead=1, tail=1), demand("B", "shoot", min_size=20_000),
                  demand("C", "shoot", min_size=10_000)])
    board = as_planned(data).stage_board
    held = board.groupby("production_id")["resource_id"].unique().map(list).to_dict()
    assert held["B"] == ["S20"] and sorted(held["A"] + held["C"]) == ["S10", UNPLACED]
    a = board[board["production_id"] == "A"].sort_values("week")
    assert a[["week", "part"]].values.tolist() == [[1, "build"], [2, "shoot"], [3, "shoot"], [4, "strike"]]
    assert board[board["resource_id"] != UNPLACED].groupby(["resource_id", "week"]).size().max() == 1
