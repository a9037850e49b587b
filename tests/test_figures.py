"""The dashboard's pure figure and table builders, on small hand-built slates with known answers."""

import colorsys

import pandas as pd

from dashboard.figures import (HIRED_Z, SHORT_Z, capacity_heatmap, cash_bars, conflict_bars, difference_heatmap,
                               pool_figure, row_label, stage_board_figure, timeline_figure)
from dashboard.tables import (conflicts_display, delivery_display, kpi_display, move_display, moves_by_production,
                              named_productions, plan_changes_display, resource_label)
from factory import H0, demand, phase, production, resource, slate
from planning.analysis.compare import delivery_changes, kpi_table, schedule_changes
from planning.analysis.capacity import is_short
from planning.data.inputs import planned_schedule, week_start
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


def test_capacity_heatmap_colours_load_hire_in_and_shortage_apart():
    # One G&E crew, one more can be hired: A alone (full), A+B (hired in), A+B+C (short by 1), nobody.
    data = slate([production("A"), production("B"), production("C")],
                 [phase("A", "shoot", 3, 0), phase("B", "shoot", 2, 1), phase("C", "shoot", 1, 2)],
                 [resource("G&E", capacity=1, hire_cost_per_week=10.0, hire_max_units=1)],
                 [demand(p, "shoot", "G&E") for p in "ABC"])
    trace = capacity_heatmap(as_planned(data).utilization).data[0]
    assert list(trace.z[0][:4]) == [1.0, HIRED_Z, SHORT_Z + (2 - SHORT_Z) * 1 / 1, 0.0]
    assert list(trace.text[0][:4]) == ["1 needed / 1 on the lot", "2 needed / 1 on the lot · 1 hired in",
                                       "3 needed / 1 on the lot · 1 hired in · 1 short", "0 needed / 1 on the lot"]


def colour_at(scale, z: float) -> str:
    """The colour a heatmap of ``zmin`` 0 and ``zmax`` 2 gives ``z``: its colorscale stop at or below ``z / 2``
    (the stops of ``LOAD_COLORS`` bound flat or blue-only, violet-only and orange-to-red bands)."""
    return [c for at, c in scale if at <= z / 2][-1]


def hue(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(r, g, b)[0] * 360


def test_the_heatmap_shows_orange_to_red_exactly_on_the_weeks_of_the_conflicts(sample_data):
    """One rule for the capacity heatmap and the Conflicts list (``is_short``): on the sample slate as
    planned, every orange or red cell is a week of a conflict on its row, and every week of a conflict
    is an orange or red cell. Cells over the lot's capacity that hire-in covers, or (on a size row) that
    a bigger size's booking fills, are not."""
    plan = as_planned(sample_data)
    trace = capacity_heatmap(plan.utilization).data[0]
    warm = {(row, pd.Timestamp(week)) for row, zs in zip(trace.y, trace.z) for week, z in zip(trace.x, zs)
            if hue(colour_at(trace.colorscale, z)) < 45}                                 # orange to red
    runs = plan.conflicts
    conflicts = {(row_label(r.resource_id, r.name), week_start(w, sample_data.settings.horizon_start))
                 for r in runs.itertuples() for w in range(r.first_week, r.last_week + 1)}
    assert warm == conflicts and len(conflicts) == runs["weeks"].sum() > 0
    util = plan.utilization
    over = util[(util["demand"] > util["capacity"]) & ~is_short(util)]
    assert {"stages>=12000", "POST-MIX"} <= set(over["resource_id"])      # over, but nothing short there
    assert not {(row_label(r, n), pd.Timestamp(w)) for r, n, w in zip(over["resource_id"], over["name"],
                                                                      over["week_start"])} & warm


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


def lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* of an sRGB ``#rrggbb`` (D65)."""
    rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [((v + 0.055) / 1.055) ** 2.4 if v > 0.04045 else v / 12.92 for v in rgb]
    xyz = ((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b,
           (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883)
    fx, fy, fz = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def apart(one: str, other: str) -> float:
    """How far two colours look apart (CIE76 delta E: about 2.3 is just noticeable, 30 is another colour)."""
    return sum((p - q) ** 2 for p, q in zip(lab(one), lab(other))) ** 0.5


def spending(n: int, weeks: int = 1) -> pd.DataFrame:
    """``n`` productions spending 1 a week (P00 the least), with incentive receipts and financing cost."""
    rows = [dict(production_id=f"P{i:02d}", title=f"T{i}", section="ATL", flow="spend", amount=-1.0 - i / 100,
                 period=f"2027-{w + 1:02d}") for i in range(n) for w in range(weeks)]
    rows += [dict(production_id="P00", title="T0", section="ATL", flow=f, amount=a, period="2027-01")
             for f, a in (("incentive", 5.0), ("financing", -0.5))]
    return pd.DataFrame(rows)


def test_cash_bars_give_each_production_its_own_colour_apart_from_financing_and_incentives():
    for n in (20, 22):
        fig = cash_bars(spending(n), ["2027-01"], by="production")
        colour = {t.name: t.marker.color for t in fig.data}
        spend = [name for name in colour if name.startswith("P")]
        assert len(spend) == n and len({colour[p] for p in spend}) == n
        assert min(apart(colour[p], colour[q]) for p in spend for q in spend if p < q) > 15
        assert min(apart(colour[p], colour[s]) for p in spend for s in ("Incentive receipts", "Financing cost")) > 30
    assert spend[0] == "P00 · T0" and list(fig.data[0].y) == [-1e-6]
    financing = next(t for t in fig.data if t.name == "Financing cost")
    assert financing.marker.pattern.shape == "/"                    # hatched too: it reads in grey print


def test_cash_bars_past_the_palette_group_the_smallest_spenders_and_keep_the_legend_in_view():
    fig = cash_bars(spending(30, weeks=26), [f"2027-{w + 1:02d}" for w in range(26)], by="production")
    names = [t.name for t in fig.data]
    assert names[-3:] == ["Other productions (9)", "Incentive receipts", "Financing cost"]
    assert "P29 · T29" in names and "P08 · T8" not in names        # the 21 that spend most keep their own colour
    assert len({t.marker.color for t in fig.data}) == len(names) == 24
    legend = fig.layout.legend
    assert legend.orientation == "h" and legend.y < 0                 # under the chart, wrapping into rows: no scrolling


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


def test_people_and_places_figure_and_table_on_a_hand_built_slate():
    from dashboard.figures import CLASH_RED, people_places_figure
    from dashboard.tables import people_display
    from planning.analysis.people import availability_windows, bookings, people_and_places

    # Ana (talent) is available weeks 1..10 (2027-01-11 to 2027-03-21); A shoots weeks 2..5 with her,
    # B weeks 4..6 (clash in 4..5, both inside), C weeks 12..13 (outside). Yard (location) is never
    # dated and only C uses it.
    data = slate([production("A"), production("B"), production("C")],
                 [phase("A", "shoot", 4, 2), phase("B", "shoot", 3, 4), phase("C", "shoot", 2, 12)],
                 [resource("ANA", kind="talent", name="Ana"), resource("YARD", kind="location", name="Yard")],
                 [demand("A", "shoot", "ANA"), demand("B", "shoot", "ANA"), demand("C", "shoot", "ANA"),
                  demand("C", "shoot", "YARD")],
                 availability=[("ANA", "2027-01-11", "2027-03-21", None)])
    plan = as_planned(data)
    booked = bookings(data, plan.allocation, plan.utilization)
    clashes = plan.conflicts[plan.conflicts["kind"].isin(["talent", "location"])]
    fig = people_places_figure(people_and_places(data), availability_windows(data), booked, clashes, START, 52,
                               titles={"A": "Alpha"})
    day = 86_400_000
    traces = {t.name: t for t in fig.data}
    assert list(fig.layout.yaxis.ticktext) == ["Ana · talent", "Yard · location"]
    win = traces["available"]
    assert list(win.y) == [0, 1] and list(win.x) == [70 * day, 364 * day]           # 10 weeks; the whole horizon
    assert [str(pd.Timestamp(b).date()) for b in win.base] == ["2027-01-11", "2027-01-04"]
    red = traces["clash"]
    assert [str(pd.Timestamp(b).date()) for b in red.base] == ["2027-02-01", "2027-03-29"]    # weeks 4 and 12
    assert list(red.x) == [14 * day, 14 * day] and list(red.y) == [0, 0]
    alpha, b, c = traces["A Alpha"], traces["B"], traces["C"]
    assert list(alpha.text) == ["A shoot"] and list(b.text) == ["B shoot"] and list(c.text) == ["C shoot", "C shoot"]
    # Ana's row (0) has two lanes, 0.4 high each from -0.4: A the top one, B below, C (after A) the top one again;
    # Yard's row (1) one lane, in its middle.
    assert [round(y, 6) for y in (*alpha.y, *b.y, *c.y)] == [-0.2, 0.2, -0.2, 1.0]
    assert list(alpha.marker.line.color) == [CLASH_RED] and list(c.marker.line.color) == [CLASH_RED, "white"]
    table = people_display(booked, data.productions)
    assert table.values.tolist() == [
        ["Ana", "talent", "A Title A", "shoot", pd.Timestamp("2027-01-18").date(), pd.Timestamp("2027-02-14").date(),
         "inside", "with B shoot, 2 weeks"],
        ["Ana", "talent", "B Title B", "shoot", pd.Timestamp("2027-02-01").date(), pd.Timestamp("2027-02-21").date(),
         "inside", "with A shoot, 2 weeks"],
        ["Ana", "talent", "C Title C", "shoot", pd.Timestamp("2027-03-29").date(), pd.Timestamp("2027-04-11").date(),
         "outside, 2 weeks", "yes, 2 weeks"],
        ["Yard", "location", "C Title C", "shoot", pd.Timestamp("2027-03-29").date(), pd.Timestamp("2027-04-11").date(),
         "inside", "no"],
    ]
