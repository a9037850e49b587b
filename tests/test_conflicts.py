"""Utilization and conflicts of the planned dates on hand-built slates whose answers are known."""

import pandas as pd

from planning.analysis.capacity import capacity_by_week, occupancy, stages_booked
from planning.data.inputs import planned_schedule
from planning.plan import as_planned

from factory import demand, monday, phase, production, resource, slate


def row(util, rid, week):
    hit = util[(util["resource_id"] == rid) & (util["week"] == week)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_pool_over_allocation_and_conflict_run():
    # A needs 2 G&E crews in weeks 0-3, B needs 2 in weeks 2-5; the pool has 3.
    data = slate([production("A"), production("B")],
                 [phase("A", "shoot", 4, 0), phase("B", "shoot", 4, 2)],
                 [resource("GE", capacity=3)],
                 [demand("A", "shoot", "GE", units=2), demand("B", "shoot", "GE", units=2)])
    plan = as_planned(data)
    util = plan.utilization
    assert [row(util, "GE", w)["demand"] for w in range(7)] == [2, 2, 4, 4, 2, 2, 0]
    assert row(util, "GE", 2)[["over", "hired", "shortfall"]].tolist() == [1, 0, 1] and row(util, "GE", 1)["over"] == 0
    found = plan.conflicts
    assert len(found) == 1 and plan.kpis["conflicts"] == 1 and plan.kpis["unit_weeks_short"] == 2
    c = found.iloc[0]
    assert (c["resource_id"], c["first_week"], c["last_week"], c["weeks"]) == ("GE", 2, 3, 2)
    assert (c["peak_demand"], c["capacity"], c["short_by"], c["unit_weeks"]) == (4, 3, 1, 2)
    assert c["productions"] == "A;B"
    assert c["start"] == pd.Timestamp(monday(2)) and c["end"] == pd.Timestamp(monday(4))
    assert c["fix"] == "add 1 more GE to the lot"


def test_hire_in_covers_a_pool_up_to_its_limit_and_the_rest_is_a_conflict():
    # The pool of 3 can hire 1 at 500 a week: A+B need 4 in weeks 2-3 (covered), A+B+C 5 in week 3.
    data = slate([production("A"), production("B"), production("C")],
                 [phase("A", "shoot", 4, 0), phase("B", "shoot", 4, 2), phase("C", "shoot", 1, 3)],
                 [resource("GE", capacity=3, hire_cost_per_week=500.0, hire_max_units=1)],
                 [demand("A", "shoot", "GE", units=2), demand("B", "shoot", "GE", units=2),
                  demand("C", "shoot", "GE", units=1)])
    plan = as_planned(data)
    assert row(plan.utilization, "GE", 2)[["over", "hired", "shortfall"]].tolist() == [1, 1, 0]
    assert row(plan.utilization, "GE", 3)[["over", "hired", "shortfall"]].tolist() == [2, 1, 1]
    assert plan.kpis["hire_cost"] == 2 * 500.0
    c = plan.conflicts.iloc[0]
    assert (len(plan.conflicts), c["first_week"], c["last_week"], c["short_by"]) == (1, 3, 3, 1)
    assert c["productions"] == "A;B;C"
    assert c["fix"] == "hire in 1 more GE (raise the hire-in limit from 1 to 2), or add it to the lot"


def test_calendar_override_and_lead_tail_weeks():
    # One crew; A holds it weeks 1..5 (1 lead + 3 run + 1 tail); the crew is away in week 5.
    data = slate([production("A")], [phase("A", "shoot", 3, 2)], [resource("CAM", capacity=1)],
                 [demand("A", "shoot", "CAM", lead=1, tail=1)],
                 calendar=[("CAM", monday(5), 0)])
    cap = capacity_by_week(data)
    assert cap[(cap["resource_id"] == "CAM") & (cap["week"] == 5)]["capacity"].item() == 0
    occ = occupancy(data, planned_schedule(data))
    assert occ.sort_values("week")["week"].tolist() == [1, 2, 3, 4, 5]
    assert occ.sort_values("week")["part"].tolist() == ["lead", "run", "run", "run", "tail"]
    found = as_planned(data).conflicts
    assert found[["resource_id", "first_week", "last_week", "short_by"]].values.tolist() == [["CAM", 5, 5, 1]]


def test_unplanned_phases_follow_links_from_earliest_start():
    data = slate([production("A", earliest_start=monday(3))],
                 [phase("A", "prep", 2, None, kind="prep"), phase("A", "shoot", 3, None), phase("A", "post", 4, 10, kind="post")],
                 [resource("CAM")], [demand("A", "shoot", "CAM")])
    sched = planned_schedule(data).set_index("phase_id")
    assert sched.loc["prep", "start_week"] == 3 and sched.loc["shoot", "start_week"] == 5
    assert sched.loc["post", "start_week"] == 10 and not sched.loc["shoot", "planned"]


def nested_stages(n_small_demands: int, n_big_demands: int):
    stages = [resource("S10", "stage", size=10_000), resource("S20", "stage", size=20_000),
              resource("S30", "stage", size=30_000)]
    prods, phases, dems = [], [], []
    for i in range(n_big_demands):
        prods.append(production(f"B{i}")); phases.append(phase(f"B{i}", "shoot", 2, 0))
        dems.append(demand(f"B{i}", "shoot", min_size=20_000))
    for i in range(n_small_demands):
        prods.append(production(f"S{i}")); phases.append(phase(f"S{i}", "shoot", 2, 0))
        dems.append(demand(f"S{i}", "shoot", min_size=10_000))
    return slate(prods, phases, stages, dems)


def test_stage_classes_count_against_every_stage_big_enough():
    # Two >=20k and one >=10k requests fit the three stages exactly: no conflict.
    data = nested_stages(1, 2)
    plan = as_planned(data)
    util = plan.utilization
    assert row(util, "stages>=20000", 0)[["demand", "capacity", "over", "shortfall"]].tolist() == [2, 2, 0, 0]
    assert row(util, "stages>=10000", 0)[["demand", "capacity", "over", "shortfall"]].tolist() == [3, 3, 0, 0]
    assert plan.conflicts.empty
    # The small request gets the small stage: the exact assignment leaves the big ones to the big requests.
    assert plan.schedule.set_index("production_id").at["S0", "stages"] == "S10"


def test_nested_class_conflict_is_found_where_totals_hide_it():
    # Three >=20k requests, no small one: 3 stages in total, but only 2 are big enough.
    data = nested_stages(0, 3)
    plan = as_planned(data)
    found = plan.conflicts
    assert found["resource_id"].tolist() == ["stages>=20000"]
    assert found["short_by"].tolist() == [1] and found["productions"].tolist() == ["B0;B1;B2"]
    assert found["fix"].tolist() == ["add 1 stage of at least 20,000 sq ft"]
    # The booking no stage could take sits on the stage board's unplaced row.
    board = plan.stage_board
    assert len(board[board["resource_id"] == "unplaced"]) == 2 and set(board["resource_id"]) == {"S20", "S30", "unplaced"}


def test_named_stage_booking_counts_in_its_classes_and_against_itself():
    # A books S30 by name; B and C ask for >=20k: only S20 is left -> short by one in the class.
    stages = [resource("S20", "stage", size=20_000), resource("S30", "stage", size=30_000)]
    data = slate([production("A"), production("B"), production("C")],
                 [phase("A", "shoot", 1, 0), phase("B", "shoot", 1, 0), phase("C", "shoot", 1, 0)],
                 stages, [demand("A", "shoot", "S30"), demand("B", "shoot", min_size=20_000),
                          demand("C", "shoot", min_size=20_000)])
    plan = as_planned(data)
    util = plan.utilization
    assert row(util, "S30", 0)[["demand", "over"]].tolist() == [1, 0]
    assert row(util, "stages>=20000", 0)[["demand", "capacity", "over", "shortfall"]].tolist() == [3, 2, 1, 1]
    booked = stages_booked(data, plan.allocation)
    assert booked.set_index("week").loc[0].tolist() == [3, 2]


def test_sample_slate_has_some_conflicts_not_everywhere(sample_data):
    plan = as_planned(sample_data)
    util, found = plan.utilization, plan.conflicts
    assert 3 <= len(found) == plan.kpis["conflicts"]
    pools = sample_data.resources[sample_data.resources["kind"] != "stage"]["resource_id"]
    assert set(pools) - set(found["resource_id"]), "every pool is in conflict"
    # Every conflict row agrees with the utilization it came from.
    for c in found.itertuples():
        weeks = util[(util["resource_id"] == c.resource_id) & util["week"].between(c.first_week, c.last_week)]
        assert (weeks["shortfall"] > 0).all() and weeks["shortfall"].sum() == c.unit_weeks
    assert int(util["shortfall"].sum()) == plan.kpis["unit_weeks_short"] == int(found["unit_weeks"].sum())


def test_each_fix_says_in_words_what_to_hire_or_add(sample_data):
    runs = as_planned(sample_data).conflicts
    fixes = dict(zip(runs["resource_id"], runs["fix"]))
    assert fixes["CREW-CON"] == ("hire in 1 more Construction crew (raise the hire-in limit from 1 to 2), "
                                 "or add it to the lot")
    assert fixes["CREW-GE"] == ("hire in 2 more Grip & electric crews (raise the hire-in limit from 1 to 3), "
                                "or add them to the lot")
    assert fixes["stages>=30000"] == "add 1 stage of at least 30,000 sq ft"
    assert fixes["stages>=18000"] == "add 2 stages of at least 18,000 sq ft"
