"""KPIs, shortfall runs, plan comparison and the stage board, on hand-built frames with known answers."""

import io

import pandas as pd

from planning.analysis.compare import (comparison_csv, conflict_changes, delivery_changes, kpi_table, schedule_changes,
                              utilization_difference)
from planning.data.inputs import planned_schedule
from planning.analysis.kpis import late_deliveries, production_status, shortfall_runs
from planning.analysis.stageboard import UNPLACED, stage_board

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


def test_shortfall_runs_name_productions_and_fixes():
    data = two_productions()
    util = pd.DataFrame({"resource_id": ["GE"] * 4 + ["MIX"] * 2 + ["stages>=20000"],
                         "week": [3, 4, 5, 9, 1, 2, 7], "shortfall": [1, 2, 0, 1, 1, 1, 1]})
    alloc = pd.DataFrame({"production_id": ["A", "A", "B", "A"], "phase_id": ["shoot"] * 4,
                          "resource_id": ["GE", "GE", "GE", "MIX"], "week": [3, 4, 9, 1], "units": [1, 1, 1, 1]})
    runs = shortfall_runs(data, util, alloc)
    got = runs[["resource_id", "first_week", "last_week", "short_by", "unit_weeks", "productions"]].values.tolist()
    assert got == [["GE", 3, 4, 2, 3, "A"], ["GE", 9, 9, 1, 1, "B"], ["MIX", 1, 2, 1, 2, "A"],
                   ["stages>=20000", 7, 7, 1, 1, ""]]
    fixes = runs["fix"].tolist()
    assert "hire_max_units 1 -> 3" in fixes[0]
    assert fixes[2] == "add 1 unit(s) of capacity"
    assert fixes[3] == "add 1 stage(s) of at least 20,000 sq ft"


def summary(objective, **kpis):
    base = dict(planned_conflicts=3, conflicts=1, hire_cost=0.0, late_deliveries=1, weeks_late=2,
                peak_funding_need=100.0, financing_cost=5.0)
    return {"objective": objective, "kpis": {**base, **kpis}}


def test_kpi_table_and_schedule_differences():
    table = kpi_table({"baseline": summary(10.0), "more stages": summary(7.0, conflicts=0, hire_cost=50.0)})
    row = table.set_index("metric")
    assert row.loc["Conflicts left after optimizing", "change: more stages"] == -1
    assert row.loc["Hire-in cost", "change: more stages"] == 50.0
    assert row.loc["Cost of the plan (hire-in, lateness, moves)", "more stages"] == 7.0
    a = pd.DataFrame({"production_id": ["A", "A", "B"], "phase_id": ["p", "s", "s"], "start_week": [0, 2, 5],
                      "end_week": [2, 6, 8]})
    b = a.assign(start_week=[0, 4, 5], end_week=[2, 8, 8])
    moved = schedule_changes({"baseline": a, "x": b})
    assert moved[["production_id", "phase_id", "shift: x"]].values.tolist() == [["A", "s", 2]]
    deliveries = delivery_changes({"baseline": a, "x": b}).set_index("production_id")
    assert deliveries["shift: x"].to_dict() == {"A": 2, "B": 0}
    text = comparison_csv({"baseline": summary(1.0), "x": summary(2.0)}, {"baseline": a, "x": b}).decode()
    assert text.startswith("# KPIs\n") and "# Phases moved\n" in text and "# Deliveries\n" in text
    kpis = pd.read_csv(io.StringIO(text.split("\n\n")[0].split("\n", 1)[1]))
    assert kpis.set_index("metric").loc["Cost of the plan (hire-in, lateness, moves)", "change: x"] == 1.0


def test_utilization_and_conflict_changes():
    a = pd.DataFrame({"resource_id": ["GE", "GE", "MIX"], "week": [0, 1, 0], "demand": [3, 2, 1], "shortfall": [1, 0, 0]})
    b = pd.DataFrame({"resource_id": ["GE", "GE", "MIX"], "week": [0, 1, 0], "demand": [2, 3, 2], "shortfall": [0, 0, 1]})
    diff = utilization_difference({"baseline": a, "x": b}).set_index(["resource_id", "week"])
    assert diff.loc[("GE", 0)].tolist() == [-1, -1] and diff.loc[("MIX", 0)].tolist() == [1, 1]
    runs_a = pd.DataFrame({"resource_id": ["GE", "EQ"], "unit_weeks": [3, 2]})
    runs_b = pd.DataFrame({"resource_id": ["MIX", "EQ"], "unit_weeks": [1, 1]})
    out = conflict_changes({"baseline": runs_a, "x": runs_b}).set_index("resource_id")["outcome"].to_dict()
    assert out == {"EQ": "less short", "GE": "resolved", "MIX": "added"}


def test_stage_board_places_best_fit_and_names_build_and_strike():
    # A wants >=10k (1 build week), B >=20k, C >=10k at the same time: only two stages exist.
    data = slate([production("A"), production("B"), production("C")],
                 [phase("A", "shoot", 2, 2), phase("B", "shoot", 2, 2), phase("C", "shoot", 1, 3)],
                 [resource("S10", "stage", size=10_000), resource("S20", "stage", size=20_000)],
                 [demand("A", "shoot", min_size=10_000, lead=1, tail=1), demand("B", "shoot", min_size=20_000),
                  demand("C", "shoot", min_size=10_000)])
    board = stage_board(data, planned_schedule(data))
    held = board.groupby("production_id")["resource_id"].unique().map(list).to_dict()
    assert held == {"A": ["S10"], "B": ["S20"], "C": [UNPLACED]}
    a = board[board["production_id"] == "A"].sort_values("week")
    assert a[["week", "part"]].values.tolist() == [[1, "build"], [2, "shoot"], [3, "shoot"], [4, "strike"]]
    assert board[board["resource_id"] != UNPLACED].groupby(["resource_id", "week"]).size().max() == 1
