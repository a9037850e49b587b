"""The plan from as_of (issue 23): a slate under way is planned from its report week. Done phases
stay where they happened, running ones at their actual start to their expected end, nothing else
starts before the report week, moves count from the plan's own dates, and weeks before the report
week are history that counts against no capacity. Every figure below is worked out by hand on
small hand-built slates (week 0 is Monday 2027-01-04)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planning.data.inputs import effective_links, planned_schedule
from planning.data.progress import from_as_of, from_report_week, phase_weeks
from planning.data.validate import check
from planning.optimizer import PlanOptions, plan
from planning.plan import as_planned, from_result

from factory import budget, demand, edit, frames, monday, phase, production, resource

OPTIONS = PlanOptions(time_limit=20, gap=0.0)


def sunday(week: int) -> str:
    """The last day of ``week``."""
    return str((pd.Timestamp(monday(week)) + pd.Timedelta(days=6)).date())


def checked(raw: dict):
    data, problems = check(raw)
    assert not problems, "\n".join(map(str, problems))
    return data


def on(raw: dict, now: int) -> dict:
    """``raw`` reported on the Monday of week ``now``."""
    return {**raw, "settings": raw["settings"].assign(as_of=monday(now))}


def risk(pid, phase_id, name):
    return dict(production_id=pid, phase_id=phase_id, name=name, kind="weather", probability=1.0,
                delay_low_weeks=2, delay_high_weeks=2, extra_cost_low=0.0, extra_cost_high=0.0)


def starts_of(schedule: pd.DataFrame) -> dict:
    return {(p, q): int(w) for p, q, w in zip(schedule["production_id"], schedule["phase_id"], schedule["start_week"])}


# --- the slate as it is planned from the report week -------------------------------------------

def under_way_raw() -> dict:
    """Report week 6. A: prep done (weeks 0-2, a week long), shoot running since week 3 (planned 3
    weeks: it has run 4 by the end of week 6), post planned in week 5, delivery in week 9. B: not
    started, planned in weeks 1 and 3. C: may start in week 10. D: prep done by week 2, its shoot
    planned in week 4 within 1 week of the prep (a max lag history broke)."""
    return on(frames(
        [production("A", earliest_start=monday(1), latest_start=monday(1), target_delivery=monday(30)),
         production("B"), production("C", earliest_start=monday(10)), production("D")],
        [phase("A", "prep", 2, 0, "prep", duration_high_weeks=4, actual_start=monday(0), actual_end=sunday(2)),
         phase("A", "shoot", 3, 2, duration_low_weeks=2, duration_high_weeks=5, actual_start=monday(3)),
         phase("A", "post", 2, 5, "post"), phase("A", "delivery", 1, 9, "delivery"),
         phase("B", "shoot", 2, 1), phase("B", "post", 2, 3, "post"),
         phase("C", "shoot", 2, 12),
         phase("D", "prep", 2, 0, "prep", actual_start=monday(0), actual_end=sunday(2)), phase("D", "shoot", 2, 4)],
        [resource("CREW", capacity=2)], [demand("A", "shoot", "CREW"), demand("B", "shoot", "CREW")],
        links=[("D", "prep", "shoot", 0, 1)]), 6)


def test_from_as_of_locks_started_phases_where_they_happened_and_plans_the_rest_from_the_report_week():
    raw = under_way_raw()
    raw["risks"] = pd.DataFrame([risk("A", "prep", "done prep"), risk("A", "shoot", "running shoot"),
                                 risk("D", None, "D's first phase, done"), risk("B", "shoot", "to come")])
    data = checked(raw)
    slate = from_as_of(data)
    ph = slate.phases.set_index(["production_id", "phase_id"])
    # Started: locked at the actual start's Monday, the weeks they ran or are expected to run, no window.
    assert ph.loc[("A", "prep"), ["duration_weeks", "duration_low_weeks", "duration_high_weeks"]].tolist() == [3, 3, 3]
    assert ph.loc[("A", "shoot"), ["duration_weeks", "duration_low_weeks", "duration_high_weeks"]].tolist() == [4, 4, 5]
    assert ph.loc[("A", "prep"), "planned_start"] == pd.Timestamp(monday(0))
    assert ph.loc[("A", "shoot"), "planned_start"] == pd.Timestamp(monday(3))
    assert ph.loc[[("A", "prep"), ("A", "shoot"), ("D", "prep")], "locked"].all()
    assert ph.loc[[("A", "prep"), ("A", "shoot")], ["window_start", "window_end"]].isna().all().all()
    # Not started: from the report week (week 6), or later where the production's window or links say.
    assert ph.loc[("B", "shoot"), "window_start"] == pd.Timestamp(monday(6))
    assert ph.loc[("C", "shoot"), "window_start"] == pd.Timestamp(monday(10))          # earliest_start is later
    planned = {k: int((d - pd.Timestamp(monday(0))).days // 7) for k, d in ph["planned_start"].items()}
    assert planned[("A", "post")] == 7          # behind the shoot's expected end (3 + 4), not week 5
    assert planned[("A", "delivery")] == 9      # still fits where it was planned
    assert planned[("B", "shoot")] == 6 and planned[("B", "post")] == 8
    assert planned[("C", "shoot")] == 12 and planned[("D", "shoot")] == 6
    assert not ph.loc[[("A", "post"), ("B", "shoot"), ("D", "shoot")], "locked"].any()
    # Links: prep -> shoot of A (both started) binds nothing; D's max lag allows the report week: 6 - 3.
    links = effective_links(slate)
    assert set(zip(links["production_id"], links["before_phase"], links["after_phase"])) == {
        ("A", "shoot", "post"), ("A", "post", "delivery"), ("B", "shoot", "post"), ("D", "prep", "shoot")}
    assert links.loc[links["production_id"] == "D", ["min_lag_weeks", "max_lag_weeks"]].values.tolist() == [[0, 3]]
    # The production's window widened to history: A started in week 0 (earliest: week 1), its last start week 3.
    prods = slate.productions.set_index("production_id")
    assert prods.at["A", "earliest_start"] == pd.Timestamp(monday(0))
    assert prods.at["A", "latest_start"] == pd.Timestamp(monday(3))
    # Risks on done phases are gone (D's has no phase: it hits D's first phase, done).
    assert list(slate.risks["name"]) == ["running shoot", "to come"]
    # The original lengths stay in the data; the weeks are the same either way.
    assert data.phases.set_index(["production_id", "phase_id"]).loc[("A", "shoot"), "duration_weeks"] == 3
    sched = planned_schedule(slate)
    assert phase_weeks(data, sched).equals(phase_weeks(slate, sched))
    assert starts_of(sched) == planned
    # Applying it again changes nothing; a slate that tracks no progress is itself.
    again = from_as_of(slate)
    for name in ("phases", "phase_links", "productions", "risks"):
        assert getattr(again, name).equals(getattr(slate, name)), name
    plain = checked(frames([production("A")], [phase("A", "shoot", 2, 3)], [resource("CREW")], [demand("A", "shoot", "CREW")]))
    assert from_as_of(plain) is plain and from_report_week(plain) is plain


def test_the_as_planned_plan_of_a_slate_under_way_shows_history_where_it_happened():
    data = checked(under_way_raw())
    shown = as_planned(data).schedule.set_index(["production_id", "phase_id"])
    assert shown.loc[("A", "prep"), ["start_week", "end_week"]].tolist() == [0, 3]
    assert shown.loc[("A", "shoot"), ["start_week", "end_week"]].tolist() == [3, 7]
    assert shown.loc[("A", "post"), ["start_week", "moved_weeks"]].tolist() == [7, 0]
    assert (shown.drop(index=[("A", "prep"), ("A", "shoot"), ("D", "prep")])["start_week"] >= 6).all()


# --- the optimizer, a what-if and a re-planned risk sample from the report week ------------------

def stage_slate(now: int | None = 6) -> dict:
    """A's shoot (3 weeks planned from week 2) started on time and is still running in week 6, two
    weeks over: it holds the one stage STG to the end of week 6. Its post follows it (planned for
    week 5). B's shoot (2 weeks on STG) was planned for week 5 and has not started. ``now`` None:
    the same slate tracking no progress (no report date, no actual start)."""
    started = {} if now is None else {"actual_start": monday(2)}
    raw = frames([production("A", target_delivery=monday(30)), production("B", target_delivery=monday(30))],
                 [phase("A", "shoot", 3, 2, **started), phase("A", "post", 2, 5, "post"), phase("B", "shoot", 2, 5)],
                 [resource("STG", "stage", size=10_000.0)], [demand("A", "shoot", "STG"), demand("B", "shoot", "STG")],
                 horizon_weeks=30)
    return on(raw, now) if now is not None else raw


def test_a_running_phase_that_overran_pushes_its_successor_and_the_plan_is_the_known_optimum():
    data = checked(stage_slate())
    result = plan(data, OPTIONS)
    # A's shoot runs weeks 2-6 (expected end week 7), its post waits for it; B's shoot waits for the
    # stage until week 7: one week from where it is planned from the report week (week 6), 1,000.
    assert starts_of(result.starts) == {("A", "shoot"): 2, ("A", "post"): 7, ("B", "shoot"): 7}
    assert result.status == "optimal" and result.shortfall == 0
    assert result.parts == {"hire": 0.0, "lateness": 0.0, "moves": 1000.0}
    built = from_result(data, result)
    sched = built.schedule.set_index(["production_id", "phase_id"])
    assert sched.loc[("A", "shoot"), ["start_week", "end_week", "moved_weeks"]].tolist() == [2, 7, 0]
    assert sched.loc[("B", "shoot"), ["planned_start", "moved_weeks"]].tolist() == [pd.Timestamp(monday(6)), 1]
    assert built.kpis["conflicts"] == 0 and built.kpis["unit_weeks_short"] == 0
    # The same slate tracking no progress: A's shoot ends in week 4 as planned, nothing moves.
    before = plan(checked(stage_slate(None)), OPTIONS)
    assert starts_of(before.starts) == {("A", "shoot"): 2, ("A", "post"): 5, ("B", "shoot"): 5}
    assert before.objective == 0.0


def test_a_done_phase_blocks_nothing_after_the_report_week_and_history_counts_no_shortfall():
    """A's and D's shoots both ran in weeks 1-2 on the one crew (history over-booked it); A's shoot
    had been planned for weeks 6-9. B's shoot is planned in week 6 on the same crew. From week 5 on
    nothing clashes: the plan keeps B where it is and counts nothing short."""
    raw = on(frames([production("A"), production("B"), production("D")],
                    [phase("A", "shoot", 4, 6, actual_start=monday(0), actual_end=sunday(3)),
                     phase("B", "shoot", 2, 6), phase("D", "shoot", 2, 6, actual_start=monday(1), actual_end=sunday(2))],
                    [resource("CREW", capacity=1)],
                    [demand("A", "shoot", "CREW"), demand("B", "shoot", "CREW"), demand("D", "shoot", "CREW")]), 5)
    data = checked(raw)
    result = plan(data, OPTIONS)
    assert starts_of(result.starts) == {("A", "shoot"): 0, ("B", "shoot"): 6, ("D", "shoot"): 1}
    assert result.objective == 0.0 and result.shortfall == 0 and result.status == "optimal"
    shown = as_planned(data)
    util = shown.utilization.set_index(["resource_id", "week"])
    assert util.loc[("CREW", 1), ["capacity", "demand", "over", "hired", "shortfall"]].tolist() == [1, 2, 1, 0, 0]
    assert shown.conflicts.empty and shown.kpis["unit_weeks_short"] == 0
    # Planned as it was (no progress), A's shoot in weeks 6-9 and B's in 6-7 clash on the crew.
    assert as_planned(checked({**raw, "settings": raw["settings"].drop(columns="as_of"),
                               "phases": raw["phases"].drop(columns=["actual_start", "actual_end"])})
                      ).kpis["unit_weeks_short"] == 4           # weeks 6 and 7: 3 shoots, 1 crew


def test_the_move_cost_counts_from_the_plan_and_from_the_report_week():
    """B's shoot must wait for the crew until week 10 (A's shoot, running since week 4, holds it to the
    end of week 9). Planned in week 8 it moves 2 weeks; once the plan says week 9 (adopted), 1; planned
    in week 2, before the report week 6, it moves 4 weeks counted from week 6, not 8 from week 2."""
    def slate(b_week):
        return checked(on(frames([production("A"), production("B")],
                                 [phase("A", "shoot", 6, 4, actual_start=monday(4)), phase("B", "shoot", 2, b_week)],
                                 [resource("CREW", capacity=1)],
                                 [demand("A", "shoot", "CREW"), demand("B", "shoot", "CREW")]), 6))
    for planned, moves in ((8, 2000.0), (9, 1000.0), (2, 4000.0)):
        result = plan(slate(planned), OPTIONS)
        assert starts_of(result.starts)[("B", "shoot")] == 10
        assert result.parts == {"hire": 0.0, "lateness": 0.0, "moves": moves}, planned


def test_once_the_plan_is_adopted_the_plan_from_as_of_moves_nothing():
    """The optimized plan of the overrun slate moves B's shoot a week (from week 6 to 7); adopted, its
    dates are the plan's, and planning again moves nothing and costs nothing."""
    from planning.data.adopt import adopted_phases

    data = checked(stage_slate())
    first = plan(data, OPTIONS)
    assert first.parts["moves"] == 1000.0
    adopted = checked({**data.tables(), "phases": adopted_phases(data, first.starts)})
    again = plan(adopted, OPTIONS)
    assert starts_of(again.starts) == starts_of(first.starts) and again.objective == 0.0


def test_a_what_if_starts_from_the_report_week_too():
    from planning.scenarios.run import run_scenario
    from planning.scenarios.types import Scenario

    data = checked(stage_slate())
    # B two weeks later: planned in week 7, when the stage is free again; A's shoot stays where it is.
    built = run_scenario(data, Scenario("B later", slips={"B": 2}), OPTIONS)
    assert starts_of(built.schedule) == {("A", "shoot"): 2, ("A", "post"): 7, ("B", "shoot"): 7}
    assert built.kpis["total_cost"] == 0.0 and built.kpis["conflicts"] == 0
    # A slip earlier cannot take B before the report week: planned from week 6, it waits to week 7.
    earlier = run_scenario(data, Scenario("B earlier", slips={"B": -3}), OPTIONS)
    assert starts_of(earlier.schedule) == {("A", "shoot"): 2, ("A", "post"): 7, ("B", "shoot"): 7}
    assert earlier.kpis["total_cost"] == 1000.0


def test_moving_a_phase_that_has_started_by_hand_is_refused():
    from planning.scenarios.apply import MoveRejected, apply
    from planning.scenarios.types import Scenario

    data = checked(stage_slate())
    with pytest.raises(MoveRejected, match="A shoot started on 2027-01-18"):
        apply(data, Scenario("drag", moves={"A/shoot": monday(9)}))
    with pytest.raises(MoveRejected, match="A shoot started"):
        apply(data, Scenario("drag", moves={"A": monday(9)}))
    with pytest.raises(MoveRejected) as refused:
        apply(data, Scenario("drag", moves={"B/shoot": monday(4)}))           # before the report week
    assert [(p.table, p.row, p.column) for p in refused.value.problems] == [("phases", "B/shoot", "planned_start")]
    assert apply(data, Scenario("drag", moves={"B/shoot": monday(8)})).phases["locked"].sum() == 1


def test_a_replanned_risk_sample_never_moves_what_has_started_nor_starts_anything_before_the_report_week():
    from planning.risk.inputs import duration_skew, prepare
    from planning.risk.replan import reaction_week, replan
    from planning.risk.run import RiskOptions, run
    from planning.risk.simulate import draw

    raw = stage_slate()
    raw["phases"] = raw["phases"].assign(duration_high_weeks=[6, 2, 2])      # A's shoot may run to 6 weeks
    raw["risks"] = pd.DataFrame([risk("B", "shoot", "rain on B")])
    raw["budget_lines"] = pd.DataFrame([budget("A", "2500", 3000.0, "shoot", basis="weekly"),    # 1,000 a week
                                        budget("B", "2000", 1000.0, "shoot")])
    data = checked(raw)
    schedule = from_result(data, plan(data, OPTIONS)).schedule
    inputs = prepare(data, schedule)
    # A's crew costs 1,000 a week of the 3 planned: what is left from the report week (week 6) is one week
    # at 5 weeks long, two at 6, paid from the report week on (4 weeks after its start).
    assert [inputs.spend[0, d].tolist()[:6] for d in (5, 6)] == [[0, 0, 0, 0, 100_000, 0],
                                                                  [0, 0, 0, 0, 100_000, 100_000]]
    assert inputs.now == 6 and inputs.started.tolist() == [True, False, False]
    # A's shoot has run 5 weeks by the end of week 6: it lasts 5 (expected) or 6, never 3 or 4.
    assert inputs.duration.tolist() == [5, 2, 2] and inputs.low.tolist() == [5, 2, 2]
    skew = duration_skew(data)          # only A's shoot has a range left: 5 to 6, 5 most likely
    assert (skew.ranged, skew.long) == (1, 1) and skew.extra_weeks == pytest.approx((5 + 5 + 6) / 3 - 5)
    s = draw(inputs, 200, seed=4)
    assert set(s.duration[:, 0]) == {5, 6} and (s.start[:, 0] == 2).all() and (s.start >= np.array([2, 6, 6])).all()
    merged = run(data, schedule, RiskOptions(samples=4, seed=4, replan=True, workers=1))
    assert (merged.reacted.unit_weeks_short == 0).all() and np.array_equal(merged.inputs.spend, inputs.spend)
    for i in range(4):
        week = reaction_week(inputs, s.start[i], s.duration[i], s.goes[i])
        new = replan(data, inputs, s.start[i], s.duration[i], s.goes[i], OPTIONS)
        assert week >= 6 and new[0] == 2 and (new[1:] >= 6).all()
        assert new[1] >= new[0] + s.duration[i][0]                          # A's post after its shoot
        assert new[2] >= new[0] + s.duration[i][0] or new[2] + s.duration[i][2] <= new[0]   # one stage


@pytest.mark.parametrize("expected_end, lengths", [(None, (5, 6, 8)), (sunday(4), (3, 3, 8)), (sunday(12), (5, 11, 11))])
def test_a_running_phase_is_drawn_around_its_expected_end(expected_end, lengths):
    """A's shoot (6 weeks, 5 to 8) started in week 2; by the end of report week 4 it has run 3. Its
    range from there: at least what it has run, its expected length (planned, or from an expected_end
    that wraps it early or runs it long) inside."""
    from planning.risk.inputs import prepare
    from planning.risk.simulate import draw

    data = checked(on(frames([production("A")], [phase("A", "shoot", 6, 2, duration_low_weeks=5, duration_high_weeks=8,
                                                       actual_start=monday(2), expected_end=expected_end)],
                             [resource("CREW")], [demand("A", "shoot", "CREW")]), 4))
    ph = from_as_of(data).phases.iloc[0]
    assert (ph["duration_low_weeks"], ph["duration_weeks"], ph["duration_high_weeks"]) == lengths
    drawn = draw(prepare(data, planned_schedule(from_as_of(data))), 300, seed=1).duration[:, 0]
    assert lengths[0] <= drawn.min() and drawn.max() <= lengths[2]


# --- a slate that tracks no progress plans exactly as before --------------------------------------

BEFORE = ("P01/prep=-15;P01/shoot_b1=-1;P01/shoot_b2=3;P01/shoot_b3=7;P01/shoot_b4=11;P01/post_b1=4;P01/post_b2=8;"
          "P01/post_b3=12;P01/post_b4=16;P01/delivery=30;P02/prep=9;P02/shoot=23;P02/post=33;P02/delivery=53;"
          "P03/prep=0;P03/shoot=16;P03/post=28;P03/delivery=62;P04/prep=16;P04/shoot=36;P04/post=44;P04/delivery=84")


def test_a_slate_that_tracks_no_progress_gets_the_plan_it_got_before_issue_23():
    """A generated slate (4 productions, the first shooting before the horizon) without as_of or actual
    dates: the optimized plan and the as-planned figures recorded with the code before the plan from
    as_of existed (commit 4103498)."""
    from planning.sample import make_slate

    data = checked(make_slate(4, seed=5, n_locked=1))
    assert from_as_of(data) is data and from_report_week(data) is data
    result = plan(data, PlanOptions(time_limit=30, gap=0.0))
    assert result.status == "optimal" and result.shortfall == 0
    assert result.parts == {"hire": 345_000.0, "lateness": 0.0, "moves": 27_000.0}
    assert ";".join(f"{p}/{q}={w}" for p, q, w in result.starts.itertuples(index=False)) == BEFORE
    kpis = as_planned(data).kpis
    assert (kpis["conflicts"], kpis["unit_weeks_short"], kpis["hire_cost"]) == (2, 9, 1_095_000.0)


# --- a slate under way must still have a plan from its report week --------------------------------

@pytest.mark.parametrize("change, named", [
    # B's post may end no later than Monday of week 7: from week 6 it has no 2 whole weeks left.
    (lambda raw: edit({**raw, "phases": raw["phases"].assign(window_end=None)},
                      "phases", {"production_id": "B", "phase_id": "post"}, "window_end", monday(7)),
     ("phases", "B/post", "window_end")),
    # B had to start by week 3 and has not started.
    (lambda raw: edit(raw, "productions", {"production_id": "B"}, "latest_start", monday(3)),
     ("productions", "B", "latest_start")),
    # A's post locked in week 6, while A's shoot is expected to run to the end of week 6.
    (lambda raw: edit(edit(raw, "phases", {"production_id": "A", "phase_id": "post"}, "planned_start", monday(6)),
                      "phases", {"production_id": "A", "phase_id": "post"}, "locked", True),
     ("phases", "A/post", "planned_start")),
    # A whole production locked (from week 0, its post in week 6): its post stays in week 6, where A's
    # shoot still runs; history does not move a locked phase.
    (lambda raw: edit(edit(edit(raw, "productions", {"production_id": "A"}, "earliest_start", monday(0)),
                           "phases", {"production_id": "A", "phase_id": "post"}, "planned_start", monday(6)),
                      "productions", {"production_id": "A"}, "locked", True),
     ("phases", "A/post", "planned_start")),
    # A 30-week horizon and a 22-week delivery: A's phases fit from earliest_start (weeks 1 to 29) but
    # from the report week its post (from week 7) and delivery would end in week 31.
    (lambda raw: edit({**raw, "settings": raw["settings"].assign(horizon_weeks=30)},
                      "phases", {"production_id": "A", "phase_id": "delivery"}, "duration_weeks", 22),
     ("phases", "A/post", "duration_weeks")),
])
def test_a_slate_under_way_without_a_plan_from_its_report_week_is_refused_naming_table_row_and_column(change, named):
    raw = under_way_raw()
    checked(raw)
    data, problems = check(change(raw))
    assert data is None
    assert [(p.table, p.row, p.column) for p in problems] == [named]
    assert "as_of (2027-02-15)" in problems[0].message
