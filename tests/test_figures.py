"""The dashboard's pure figure and table builders, on small hand-built slates with known answers."""

import pandas as pd

from dashboard.figures import (capacity_heatmap, cash_bars, conflict_bars, difference_heatmap, pool_figure, stage_board_figure,
                               timeline_figure)
from dashboard.tables import (conflicts_display, delivery_display, kpi_display, move_display, moves_by_production,
                              named_productions, plan_changes_display, resource_label)
from factory import H0, demand, phase, production, resource, slate
from planning.analysis.compare import delivery_changes, kpi_table, schedule_changes
from planning.data.inputs import planned_schedule
from planning.plan import SCENARIO, Origin, as_planned, build_plan

START = pd.Timestamp(H0)


def two_productions():
    return slate([production("A", locked=True), production("B")],
                 [phase("A", "shoot", 3, 0, locked=True), phase("B", "prep", 2, 0, kind="prep"),
                  phase("B", "shoot", 2, 2)],
                 [resource("G&E", capacity=1), resource("S1", kind="stage", size=10_000.0)],
                 [demand("A", "shoot", "G&E"), demand("B", "shoot", "G&E"), demand("B", "shoot", min_size=5_000.0)])


def test_timeline_bars_legend_and_planned_outline():
    data = two_productions()
    planned = planned_schedule(data)
    moved = planned.copy()
    moved.loc[moved["production_id"] == "B", ["start_week", "end_week"]] += 3
    fig = timeline_figure(moved, data.productions, START, 52, planned=planned)
    bars = [t for t in fig.data if t.name in ("prep", "shoot")]
    assert sum(len(t.y) for t in bars) == 3                       # one bar per phase
    legend = [t.name for t in fig.data if t.showlegend is not False]
    assert legend.count("shoot") == 1 and "locked" in legend        # each phase kind once, hatching explained once
    locked = [t for t in bars if t.marker.pattern.shape == "/"]
    assert [list(t.y) for t in locked] == [["A · Title A"]]          # only the locked phase is hatched
    outline = next(t for t in fig.data if t.name == "planned dates")
    assert list(outline.y) == ["B · Title B"]                       # one outline per moved production
    assert pd.Timestamp(outline.base[0]) == START                   # its planned span: weeks 0 .. 4
    assert outline.x[0] == 4 * 7 * 86_400_000


def test_timeline_marks_targets_late_ones_and_today():
    data = slate([production("A", target_delivery="2027-02-01"), production("B", target_delivery="2027-12-27")],
                 [phase("A", "shoot", 6, 0), phase("B", "shoot", 2, 0)], [resource("G&E")], [demand("A", "shoot", "G&E")])
    today = START + pd.Timedelta(weeks=3)
    fig = timeline_figure(planned_schedule(data), data.productions, START, 52, today=today)
    late = next(t for t in fig.data if t.name == "late: target")
    on_time = next(t for t in fig.data if t.name == "target delivery")
    assert list(late.y) == ["A · Title A"] and pd.Timestamp(late.x[0]) == pd.Timestamp("2027-02-01")  # ends week 6
    assert list(on_time.y) == ["B · Title B"] and late.marker.color == "#dc2626"
    assert [pd.Timestamp(shape.x0) for shape in fig.layout.shapes if shape.type == "line"] == [today]
    assert [a.text for a in fig.layout.annotations] == ["today"]


def test_capacity_heatmap_ratio_and_text():
    data = two_productions()
    util = as_planned(data).utilization
    fig = capacity_heatmap(util[util["resource_id"] == "G&E"])
    z, text = fig.data[0].z, fig.data[0].text
    assert list(z[0][:5]) == [1.0, 1.0, 2.0, 1.0, 0.0]                 # A weeks 0-2, B weeks 2-3: over in week 2
    assert text[0][2] == "2 / 1"


def test_pool_figure_splits_demand_into_own_hired_and_short():
    data = slate([production("A"), production("B"), production("C")],
                 [phase("A", "shoot", 2, 0), phase("B", "shoot", 2, 0), phase("C", "shoot", 1, 1)],
                 [resource("G&E", capacity=1, hire_cost_per_week=10.0, hire_max_units=1)],
                 [demand(p, "shoot", "G&E") for p in "ABC"])
    fig = pool_figure(as_planned(data).utilization, "G&E")
    bars = {t.name: list(t.y[:3]) for t in fig.data if t.type == "bar"}
    assert bars == {"From the lot": [1, 1, 0], "Hired in": [1, 1, 0], "Short": [0, 1, 0]}


def test_conflict_bars_and_table_name_resources_and_productions():
    data = two_productions()
    plan = as_planned(data)                         # G&E: A and B both in week 2
    fig = conflict_bars({"as planned": plan.conflicts})
    assert [(t.name, list(t.x), list(t.y)) for t in fig.data] == [("as planned", ["G&E"], [1])]
    table = conflicts_display(plan.conflicts, data.productions)
    row = table.iloc[0]
    assert row["Resource"] == "G&E" and row["Productions involved"] == "A Title A, B Title B"
    assert row["From"] == START.date() + pd.Timedelta(weeks=2) and row["Until"] == (START + pd.Timedelta(days=20)).date()


def test_stage_board_names_productions_in_the_hover():
    data = two_productions()
    board = as_planned(data).stage_board
    stages = data.resources[data.resources["kind"] == "stage"]
    fig = stage_board_figure(board, stages, START, 10, titles={"B": "Title B"})
    row = fig.data[0].text[0]
    assert row[2] == "B Title B, shoot (shoot)" and row[0] == "free"
    assert fig.data[0].z[0][2] == 2
    # Each booking carries its production's code, once, in its middle (weeks 2-3): it reads on paper too.
    assert [(a.text, pd.Timestamp(a.x)) for a in fig.layout.annotations] == [("B", START + pd.Timedelta(days=7 * 2.5))]


def test_cash_bars_give_each_of_many_productions_its_own_colour():
    n = 22
    tagged = pd.DataFrame({"production_id": [f"P{i:02d}" for i in range(n)], "title": [f"T{i}" for i in range(n)],
                           "section": "ATL", "flow": "spend", "amount": -1.0, "period": "2027-01"})
    fig = cash_bars(tagged, ["2027-01"], by="production")
    spend = [t for t in fig.data if t.name.startswith("P")]
    assert len(spend) == n and len({t.marker.color for t in spend}) == n
    assert spend[0].name == "P00 · T0" and list(spend[0].y) == [-1e-6]


def test_difference_heatmap_dates_and_labels():
    diff = pd.DataFrame({"resource_id": ["R", "R", "WHATIF-18000-1"], "week": [0, 2, 2],
                         "demand_diff": [1, -2, 3], "shortfall_diff": [0, 0, 0]})
    labels = {r: resource_label(r, {"R": "Grip"}) for r in diff["resource_id"]}
    fig = difference_heatmap(diff, labels, START)
    assert list(fig.data[0].y) == ["Grip", "Added stage 18,000 sq ft #1"]
    assert pd.Timestamp(fig.data[0].x[1]) == START + pd.Timedelta(weeks=2)
    assert fig.data[0].zmax == 3 and fig.data[0].zmin == -3


def test_kpi_display_formats_money_counts_and_changes():
    data = two_productions()
    base = as_planned(data)
    starts = planned_schedule(data)
    starts.loc[starts["production_id"] == "B", "start_week"] += 2
    later = build_plan(data, starts, Origin(SCENARIO, "later", {"objective": 2_000_000.0}))
    table = kpi_display(kpi_table({"baseline": base, "later": later}), "USD").set_index("metric")
    assert table.loc["Conflicts in the plan", "baseline"] == "1"
    assert table.loc["Conflicts in the plan", "later vs baseline"] == "-1"
    assert table.loc["Hire-in cost (USD)", "later"] == "0.00M USD"
    assert table.loc["Hire-in cost (USD)", "later vs baseline"] == "0"
    assert table.loc["Cost of the plan (hire-in, lateness, moves) (USD)", "later"] == "2.00M USD"
    assert table.loc["Cost of the plan (hire-in, lateness, moves) (USD)", "baseline"] == "—"


def test_delivery_and_move_tables_speak_in_dates_and_titles():
    data = two_productions()
    starts = planned_schedule(data)
    starts.loc[starts["production_id"] == "B", "start_week"] += 2
    plans = {"baseline": as_planned(data), "what-if": build_plan(data, starts, Origin(SCENARIO, "what-if"))}
    deliveries = delivery_display(delivery_changes(plans), data.productions, START)
    assert deliveries["production_id"].tolist() == ["B"]            # A does not move: not listed
    row = deliveries.iloc[0]
    assert row["title"] == "Title B" and row["weeks later: what-if"] == 2
    assert row["finish: what-if"] == (START + pd.Timedelta(weeks=6)).date()
    moves = move_display(schedule_changes(plans), data.productions, START)
    assert set(moves["phase_id"]) == {"prep", "shoot"}
    assert moves.set_index("phase_id").loc["shoot", "start: what-if"] == (START + pd.Timedelta(weeks=4)).date()


def test_moves_by_production_sums_up_what_moved_and_why():
    data = two_productions()
    planned = planned_schedule(data)
    moved = planned.assign(start_week=planned["start_week"] + (planned["production_id"] == "B").astype(int) * 3)
    moved["end_week"] = moved["start_week"] + moved["duration_weeks"]
    changes = pd.DataFrame([
        dict(change="moved", production_id="B", phase_id="prep", amount=3, detail="capacity: G&E"),
        dict(change="moved", production_id="B", phase_id="shoot", amount=3, detail="link: it keeps its order with prep"),
        dict(change="hire", production_id="", phase_id="", amount=1, detail="x")])
    out = moves_by_production(changes, moved, planned, data.productions)
    assert out.to_dict("records") == [{"production_id": "B", "title": "Title B", "phases moved": 2, "weeks": "+3",
                                       "delivery": "3 weeks later",
                                       "why": "capacity: G&E; link: it keeps its order with prep"}]


def test_named_productions_and_plan_changes():
    data = two_productions()
    assert named_productions(pd.Series(["A;B", ""]), data.productions).tolist() == ["A Title A, B Title B", ""]
    changes = pd.DataFrame([
        dict(change="stage", production_id="B", phase_id="shoot", resource_id="S1", first_week=2, last_week=3,
             amount=1, detail="any stage of at least 5,000 sq ft"),
        dict(change="hire", production_id=None, phase_id=None, resource_id="G&E", first_week=2, last_week=2,
             amount=1, detail="1 unit-weeks")])
    stages = plan_changes_display(changes, "stage", planned_schedule(data), data.productions, data.resources, START)
    assert stages.iloc[0]["stage"] == "S1" and stages.iloc[0]["until"] == (START + pd.Timedelta(weeks=4)).date()
    hires = plan_changes_display(changes, "hire", planned_schedule(data), data.productions, data.resources, START)
    assert hires.iloc[0]["unit-weeks hired"] == 1 and hires.iloc[0]["from"] == (START + pd.Timedelta(weeks=2)).date()
