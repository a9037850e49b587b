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


def people_slate():
    """Ana Ruiz (talent) is available 2027-01-11 to 2027-04-30 (whole weeks 1..15) and 2027-06-21 to
    2027-08-08 (weeks 24..30); Harbour (a location, no availability rows) has capacity 1.
    P03 shoots weeks 9..12 with Ana at Harbour, P07 weeks 8..13 with Ana, P08 weeks 17..18 with Ana
    (between her windows), P10 week 0 (before the first), P11 weeks 40..41 (after the last), P09
    weeks 10..11 at Harbour."""
    shoots = {"P03": (9, 4), "P07": (8, 6), "P08": (17, 2), "P10": (0, 1), "P11": (40, 2), "P09": (10, 2)}
    return slate([production(p) for p in shoots],
                 [phase(p, "shoot", d, s) for p, (s, d) in shoots.items()],
                 [resource("ANA", kind="talent", name="Ana Ruiz"), resource("HARB", kind="location", name="Harbour")],
                 [demand(p, "shoot", "ANA") for p in ("P03", "P07", "P08", "P10", "P11")]
                 + [demand(p, "shoot", "HARB") for p in ("P03", "P09")],
                 availability=[("ANA", "2027-01-11", "2027-04-30", None), ("ANA", "2027-06-21", "2027-08-08", None)])


def test_a_person_or_place_conflict_names_them_the_productions_the_dates_and_the_availability():
    runs = as_planned(people_slate()).conflicts
    got = [(r.resource_id, r.first_week, r.last_week, r.productions, r.what, r.fix) for r in runs.itertuples()]
    assert got == [
        ("ANA", 0, 0, "P10", "Ana Ruiz (talent) is booked by P10 shoot in the week of 2027-01-04; "
                             "not available before 2027-01-11",
         "move P10 shoot into weeks Ana Ruiz is available, or change the availability"),
        ("ANA", 9, 12, "P03;P07", "Ana Ruiz (talent) is booked by P03 shoot and P07 shoot in the weeks of "
                                  "2027-03-08 to 2027-03-29; available until 2027-04-30",
         "move P03 shoot or P07 shoot so that they do not overlap"),
        ("ANA", 17, 18, "P08", "Ana Ruiz (talent) is booked by P08 shoot in the weeks of 2027-05-03 to 2027-05-10; "
                               "not available from 2027-05-01 to 2027-06-20",
         "move P08 shoot into weeks Ana Ruiz is available, or change the availability"),
        ("ANA", 40, 41, "P11", "Ana Ruiz (talent) is booked by P11 shoot in the weeks of 2027-10-11 to 2027-10-18; "
                               "not available from 2027-08-09 on",
         "move P11 shoot into weeks Ana Ruiz is available, or change the availability"),
        ("HARB", 10, 11, "P03;P09", "Harbour (location) is booked by P03 shoot and P09 shoot in the weeks of "
                                    "2027-03-15 to 2027-03-22",
         "move P03 shoot or P09 shoot so that they do not overlap, or raise its capacity"),
    ]
    assert not any("hire" in f for f in runs["fix"])


def test_the_sample_as_planned_names_every_person_and_place_and_who_holds_them(sample_data):
    plan = as_planned(sample_data)
    res = sample_data.resources.set_index("resource_id")
    runs = plan.conflicts[plan.conflicts["kind"].isin(["talent", "location"])]
    assert set(runs["resource_id"]) == {"TAL-DIR", "TAL-STAR", "TAL-SHOW", "LOC-HARBOUR"}   # the Old Mill is free
    for r in runs.itertuples():
        name = res.at[r.resource_id, "name"]
        assert r.what.startswith(f"{name[:-1]}, {r.kind}) is booked by ")     # "Maya Okafor (director, talent)"
        held = plan.allocation[(plan.allocation["resource_id"] == r.resource_id)
                               & plan.allocation["week"].between(r.first_week, r.last_week)]
        assert len(set(held["production_id"])) == 2                         # double-booked, both named
        for p, ph in set(zip(held["production_id"], held["phase_id"])):
            assert f"{p} {ph}" in r.what and f"{p} {ph}" in r.fix
        assert "hire" not in r.fix and " she " not in r.what and " he " not in r.what
        assert f"{r.start:%Y-%m-%d}" in r.what
    # Planned from the report date: P07's prep started a week late, so its shoot meets P05's only in its last week.
    assert "Leo Marsh (lead actor, talent) is booked by P05 shoot and P07 shoot in the week of 2027-05-03; " \
           "available until 2027-09-05" in set(runs["what"])
    assert (plan.conflicts.loc[~plan.conflicts["kind"].isin(["talent", "location"]), "what"] == "").all()


def test_bookings_of_people_and_places_with_their_weeks_and_clashes():
    from planning.analysis.people import availability_windows, bookings

    data = people_slate()
    plan = as_planned(data)
    got = bookings(data, plan.allocation, plan.utilization)
    rows = [(r.resource_id, r.production_id, r.phase_id, r.first_week, r.last_week, r.inside, r.clash_weeks, r.with_,
             r.state) for r in got.rename(columns={"with": "with_"}).itertuples()]
    assert rows == [
        ("ANA", "P10", "shoot", 0, 0, False, 1, "", "outside availability (1 week)"),
        ("ANA", "P07", "shoot", 8, 13, True, 4, "P03 shoot", "clashes with P03 shoot (4 weeks)"),
        ("ANA", "P03", "shoot", 9, 12, True, 4, "P07 shoot", "clashes with P07 shoot (4 weeks)"),
        ("ANA", "P08", "shoot", 17, 18, False, 2, "", "outside availability (2 weeks)"),
        ("ANA", "P11", "shoot", 40, 41, False, 2, "", "outside availability (2 weeks)"),
        ("HARB", "P03", "shoot", 9, 12, True, 2, "P09 shoot", "clashes with P09 shoot (2 weeks)"),
        ("HARB", "P09", "shoot", 10, 11, True, 2, "P03 shoot", "clashes with P03 shoot (2 weeks)"),
    ]
    p07 = got[(got["resource_id"] == "ANA") & (got["production_id"] == "P07")].iloc[0]
    assert (p07["start"], p07["end"]) == (pd.Timestamp("2027-03-01"), pd.Timestamp("2027-04-11"))   # weeks 8..13: Monday, Sunday
    win = availability_windows(data)
    assert win[["resource_id", "start", "end", "units", "always"]].values.tolist() == [
        ["ANA", pd.Timestamp("2027-01-11"), pd.Timestamp("2027-04-30"), 1, False],
        ["ANA", pd.Timestamp("2027-06-21"), pd.Timestamp("2027-08-08"), 1, False],
        ["HARB", pd.Timestamp("2027-01-04"), pd.Timestamp("2028-01-02"), 1, True],   # 52 weeks from 2027-01-04
    ]


def test_a_booking_both_outside_availability_and_clashing_says_both():
    from planning.analysis.people import bookings

    # Bo is available weeks 2..5 (2027-01-18 to 2027-02-14); A shoots weeks 4..7, B weeks 5..6:
    # short in 5 (both), 6 (both, outside) and 7 (A, outside).
    data = slate([production("A"), production("B")], [phase("A", "shoot", 4, 4), phase("B", "shoot", 2, 5)],
                 [resource("BO", kind="talent", name="Bo")], [demand("A", "shoot", "BO"), demand("B", "shoot", "BO")],
                 availability=[("BO", "2027-01-18", "2027-02-14", None)])
    plan = as_planned(data)
    got = bookings(data, plan.allocation, plan.utilization).set_index("production_id")
    assert got.at["A", "state"] == "outside availability (2 weeks); clashes with B shoot (2 weeks)"
    assert got.at["B", "state"] == "outside availability (1 week); clashes with A shoot (2 weeks)"
    assert got.at["A", "clash_weeks"] == 3 and not got.at["A", "inside"]      # week 4: A alone, inside
    assert plan.conflicts[["first_week", "last_week"]].values.tolist() == [[5, 7]]
    assert plan.conflicts["what"].iloc[0] == ("Bo (talent) is booked by A shoot and B shoot in the weeks of "
                                              "2027-02-08 to 2027-02-22; not available from 2027-02-15 on")
    assert plan.conflicts["fix"].iloc[0] == "move A shoot or B shoot into weeks Bo is available, or change the availability"


def test_a_person_away_by_the_calendar_is_moved_not_hired():
    # Cy has no availability rows; the calendar takes Cy away in week 3; A shoots weeks 2..4 with Cy.
    data = slate([production("A")], [phase("A", "shoot", 3, 2)], [resource("CY", kind="talent", name="Cy")],
                 [demand("A", "shoot", "CY")], calendar=[("CY", monday(3), 0)])
    runs = as_planned(data).conflicts
    assert runs[["first_week", "last_week", "what", "fix"]].values.tolist() == [
        [3, 3, "Cy (talent) is booked by A shoot in the week of 2027-01-25",
         "move A shoot to weeks Cy is available, or change its capacity in the calendar"]]
