"""The brute-force oracle itself, on slates small enough to solve by hand.

Every expected value below is worked out in the comment above it, from the rules in
``tests/bruteforce.py`` (the data contract). Week w is ``monday(w)``; the move cost is the default
1000 a week; priority factors are (0.5, 0.75, 1.0, 1.5, 2.0) for priority 1..5.
"""

from __future__ import annotations

import functools
import itertools

import pandas as pd
import pytest

from bruteforce import TINY_SLATES, Parts, _evaluate, _Instance, best_plans, evaluate
from factory import demand, monday, phase, production, resource, slate


def assert_optimum(opt, shortfall, money, parts, plans=None, optimal_plans=None, schedule=None):
    assert opt.shortfall == shortfall
    assert opt.money == pytest.approx(money, abs=1e-6)
    assert tuple(opt.parts) == pytest.approx(tuple(parts), abs=1e-6)
    assert sum(opt.parts) == pytest.approx(opt.money, abs=1e-6)
    if plans is not None:
        assert opt.plans == plans
    if optimal_plans is not None:
        assert opt.optimal_plans == optimal_plans
    if schedule is not None:
        assert opt.schedule == schedule


def two_shoots(hire_cost=None, hire_max=None):
    # P1 (priority 5, factor 2.0) and P2 (priority 1, factor 0.5): one 2-week shoot each, both
    # planned at week 0, target week 2, lateness 10k a week; one crew of 1; horizon 6 weeks, so
    # each shoot starts in 0..4: 5 x 5 = 25 plans.
    return slate(
        [production("P1", priority=5, target_delivery=monday(2), lateness_cost_per_week=10_000.0),
         production("P2", priority=1, target_delivery=monday(2), lateness_cost_per_week=10_000.0)],
        [phase("P1", "shoot", 2, 0), phase("P2", "shoot", 2, 0)],
        [resource("CREW", capacity=1, hire_cost_per_week=hire_cost, hire_max_units=hire_max)],
        [demand("P1", "shoot", "CREW"), demand("P2", "shoot", "CREW")],
        horizon_weeks=6)


def test_one_crew_the_low_priority_production_waits():
    # No overlap means one shoot starts at week >= 2.
    #   P2 waits to week 2: late 2 weeks * 10k * 0.5 = 10,000, moved 2 weeks = 2,000 -> 12,000
    #   P1 waits to week 2: late 2 * 10k * 2.0 = 40,000 + 2,000 -> 42,000
    #   anything later, or both moving, costs more. Unique optimum: 12,000.
    opt = best_plans(two_shoots())
    assert_optimum(opt, 0, 12_000, Parts(0, 10_000, 2_000), plans=25, optimal_plans=1,
                   schedule={("P1", "shoot"): 0, ("P2", "shoot"): 2})
    assert (opt.pool_shortfall, opt.stage_shortfall) == (0, 0)


def test_hire_in_when_cheaper_than_waiting():
    # Hire 1 unit at 3,000 for the 2 overlapping weeks = 6,000 < 12,000 (waiting, above).
    # (Half overlap, P2 at week 1: 3,000 hire + 5,000 late + 1,000 move = 9,000: worse.)
    opt = best_plans(two_shoots(hire_cost=3_000.0, hire_max=1))
    assert_optimum(opt, 0, 6_000, Parts(6_000, 0, 0), plans=25, optimal_plans=1,
                   schedule={("P1", "shoot"): 0, ("P2", "shoot"): 0})
    # At 7,000 a week hiring costs 14,000 (or 7,000 + 6,000 for one week's overlap = 13,000):
    # waiting (12,000) wins again.
    opt = best_plans(two_shoots(hire_cost=7_000.0, hire_max=1))
    assert_optimum(opt, 0, 12_000, Parts(0, 10_000, 2_000), optimal_plans=1)
    # A hire cost without hire_max_units would never be used: the data is refused, naming the cell.
    with pytest.raises(AssertionError, match=r"resources\[CREW\]\.hire_max_units: is empty"):
        two_shoots(hire_cost=3_000.0, hire_max=None)


def test_undated_phase_costs_no_moves():
    # P1's post (2 weeks) has no planned_start; P2's shoot is planned at week 0; both need the one
    # crew; targets are week 40 (never late); horizon 6: 5 x 5 = 25 plans.
    # P2 stays at 0 and P1's post goes to week 2, 3 or 4 for free: money 0, 3 optimal plans.
    def build(post_week):
        return slate([production("P1"), production("P2")],
                     [phase("P1", "post", 2, post_week, kind="post"), phase("P2", "shoot", 2, 0)],
                     [resource("CREW", capacity=1)],
                     [demand("P1", "post", "CREW"), demand("P2", "shoot", "CREW")],
                     horizon_weeks=6)

    assert_optimum(best_plans(build(None)), 0, 0, Parts(0, 0, 0), plans=25, optimal_plans=3)
    # Dated at week 0 instead, one of the two must move 2 weeks: 2,000, either way (2 optima).
    assert_optimum(best_plans(build(0)), 0, 2_000, Parts(0, 0, 2_000), plans=25, optimal_plans=2)


def test_size_based_stage_demand_fits_only_on_the_big_stage():
    # Stages BIG (20k sq ft) and SMALL (8k). P1's shoot needs a stage >= 15k (so BIG) for 2 weeks
    # plus a build week before and a strike week after: block [s-1, s+3) clipped to the grid.
    # P2's shoot holds BIG by name for [t, t+2). Both planned at week 2; horizon 8: 7 x 7 = 49 plans.
    # Disjoint blocks need t >= s+3 or t+2 <= s-1; the cheapest shifts total 3 weeks = 3,000:
    #   t >= s+3: (s,t) = (2,5), (1,4), (0,3)  [s=0: the build week falls before the grid]
    #   s >= t+3: (s,t) = (3,0), (4,1), (5,2)
    # -> money 3,000, 6 optimal plans.
    def build(min_size):
        return slate([production("P1"), production("P2")],
                     [phase("P1", "shoot", 2, 2), phase("P2", "shoot", 2, 2)],
                     [resource("BIG", kind="stage", size=20_000.0), resource("SMALL", kind="stage", size=8_000.0)],
                     [demand("P1", "shoot", min_size=min_size, lead=1, tail=1), demand("P2", "shoot", "BIG")],
                     horizon_weeks=8)

    assert_optimum(best_plans(build(15_000.0)), 0, 3_000, Parts(0, 0, 3_000), plans=49, optimal_plans=6)
    # If 5k will do, P1 takes SMALL and nobody moves.
    assert_optimum(best_plans(build(5_000.0)), 0, 0, Parts(0, 0, 0), plans=49, optimal_plans=1,
                   schedule={("P1", "shoot"): 2, ("P2", "shoot"): 2})


def test_stage_shortfall_is_the_best_assignment():
    # Both productions locked at week 0 for 2 weeks (1 plan). P1 needs a stage >= 5k (either
    # stage), P2 one >= 15k (BIG only). Listed first, P1 could grab BIG, but the best assignment
    # puts it on SMALL: no shortfall. If P1 also needs >= 15k, both want BIG for 2 weeks:
    # shortfall 2 stage-weeks (stages cannot be hired, nothing can move).
    def build(p1_size):
        return slate([production("P1", locked=True), production("P2", locked=True)],
                     [phase("P1", "shoot", 2, 0), phase("P2", "shoot", 2, 0)],
                     [resource("BIG", kind="stage", size=20_000.0), resource("SMALL", kind="stage", size=8_000.0)],
                     [demand("P1", "shoot", min_size=p1_size), demand("P2", "shoot", min_size=15_000.0)],
                     horizon_weeks=4)

    assert_optimum(best_plans(build(5_000.0)), 0, 0, Parts(0, 0, 0), plans=1)
    opt = best_plans(build(15_000.0))
    assert_optimum(opt, 2, 0, Parts(0, 0, 0), plans=1)
    assert (opt.pool_shortfall, opt.stage_shortfall) == (0, 2)


def test_pool_calendar_drops_capacity_one_week():
    # One crew of 1, but 0 in week 1. P1's 2-week shoot is planned at week 0, target week 2,
    # lateness 10k (priority 3, factor 1.0); horizon 5: starts 0..3 = 4 plans.
    #   start 0 or 1 runs through week 1: shortfall 1
    #   start 2: late 2 weeks = 20,000 + 2 weeks moved = 2,000 -> 22,000
    #   start 3: 30,000 + 3,000
    data = slate([production("P1", target_delivery=monday(2), lateness_cost_per_week=10_000.0)],
                 [phase("P1", "shoot", 2, 0)], [resource("CREW", capacity=1)],
                 [demand("P1", "shoot", "CREW")],
                 calendar=[dict(resource_id="CREW", week_start=monday(1), capacity=0)], horizon_weeks=5)
    assert_optimum(best_plans(data), 0, 22_000, Parts(0, 20_000, 2_000), plans=4, optimal_plans=1,
                   schedule={("P1", "shoot"): 2})


def test_forced_shortfall_when_nothing_fits():
    # Two 3-week shoots on one crew (no hire) in a 4-week horizon: starts 0..1 each, 4 plans.
    # Both at 0 overlap 3 weeks; one at 1 overlaps 2 weeks (weeks 1-2): shortfall 2, one move of
    # 1 week = 1,000; either production can be the one that moves (2 optimal plans).
    data = slate([production("P1"), production("P2")],
                 [phase("P1", "shoot", 3, 0), phase("P2", "shoot", 3, 0)],
                 [resource("CREW", capacity=1)],
                 [demand("P1", "shoot", "CREW"), demand("P2", "shoot", "CREW")], horizon_weeks=4)
    opt = best_plans(data)
    assert_optimum(opt, 2, 1_000, Parts(0, 0, 1_000), plans=4, optimal_plans=2)
    assert (opt.pool_shortfall, opt.stage_shortfall) == (2, 0)


def links_slate(max_lag):
    # P1: prep (1 week, undated) -> shoot (2 weeks, planned week 3), min lag 1, max lag `max_lag`;
    # earliest_start week 1, latest_start week 2. P2: a 2-week shoot locked at week 3. One crew.
    return slate([production("P1", earliest_start=monday(1), latest_start=monday(2)), production("P2")],
                 [phase("P1", "prep", 1, None, kind="prep"), phase("P1", "shoot", 2, 3),
                  phase("P2", "shoot", 2, 3, locked=True)],
                 [resource("CREW", capacity=1)],
                 [demand("P1", "shoot", "CREW"), demand("P2", "shoot", "CREW")],
                 links=[dict(production_id="P1", before_phase="prep", after_phase="shoot",
                             min_lag_weeks=1, max_lag_weeks=max_lag)],
                 horizon_weeks=8)


def test_links_lags_latest_start_and_lock():
    # prep p in {1, 2} (earliest 1, latest 2); shoot s in [p+2, p+3] (min/max lag), s <= 6:
    # p=1: s in {3, 4}; p=2: s in {4, 5} -> 4 plans (P2 is fixed). P2 holds the crew in weeks 3-4,
    # so only s = 5 avoids shortfall, which needs p = 2: the shoot moves 2 weeks = 2,000.
    assert_optimum(best_plans(links_slate(2)), 0, 2_000, Parts(0, 0, 2_000), plans=4, optimal_plans=1,
                   schedule={("P1", "prep"): 2, ("P1", "shoot"): 5, ("P2", "shoot"): 3})
    # Without the max lag: p=1: s in 3..6 (4), p=2: s in 4..6 (3) -> 7 plans; s = 5 from either
    # prep week costs the same 2,000 (the prep is undated): 2 optimal plans.
    assert_optimum(best_plans(links_slate(None)), 0, 2_000, Parts(0, 0, 2_000), plans=7, optimal_plans=2)


def day(week: int, weekday: int) -> str:
    """The date of ``weekday`` (0 Monday .. 6 Sunday) in ``week``."""
    return str((pd.Timestamp(monday(week)) + pd.Timedelta(days=weekday)).date())


def listed_and_explicit_links():
    # P1 has no phase_links: prep (1 week) then shoot (2 weeks), in listed order (lag 0, no max);
    # earliest_start a Wednesday of week 1 (rounds up: week 2), latest_start a Friday of week 3 (rounds
    # down: week 3), target a Tuesday of week 4 (rounds up: week 5), 1,000 a week late (factor 1.0).
    # P2 lists post before shoot but links shoot -> post: its links are exactly that one row.
    # Nothing is dated (no moves); only P2's post needs the crew (never short); horizon 8.
    return slate([production("P1", earliest_start=day(1, 2), latest_start=day(3, 4), target_delivery=day(4, 1),
                             lateness_cost_per_week=1_000.0),
                  production("P2")],
                 [phase("P1", "prep", 1, None, kind="prep"), phase("P1", "shoot", 2, None),
                  phase("P2", "post", 1, None, kind="post"), phase("P2", "shoot", 1, None)],
                 [resource("CREW")], [demand("P2", "post", "CREW")],
                 links=[dict(production_id="P2", before_phase="shoot", after_phase="post", min_lag_weeks=0,
                             max_lag_weeks=None)],
                 horizon_weeks=8)


def test_the_oracle_links_listed_phases_and_rounds_dates_itself():
    # P1: prep p in {2, 3}; shoot s >= p + 1 and s + 2 <= 8: p=2: s in 3..6, p=3: s in 4..6 -> 7.
    # P2: shoot q in 0..7 with post r in q+1..7: 7 + 6 + ... + 1 = 28 (post listed first adds no link).
    # 7 x 28 = 196 plans. Only P1 at (2, 3) finishes by week 5 (money 0); P2 is free: 28 optima.
    # (Without the listed-order link P1 would have 2 x 5 = 10 tuples; rounding earliest_start down, 3 x 7.)
    opt = best_plans(listed_and_explicit_links())
    assert_optimum(opt, 0, 0, Parts(0, 0, 0), plans=196, optimal_plans=28)
    assert (opt.schedule[("P1", "prep")], opt.schedule[("P1", "shoot")]) == (2, 3)
    data = listed_and_explicit_links()
    plan = {("P1", "prep"): 2, ("P1", "shoot"): 4, ("P2", "shoot"): 5, ("P2", "post"): 6}
    score = evaluate(data, plan)
    assert score.feasible and score.parts == Parts(0, 1_000, 0)             # finishes week 6: 1 week late
    for bad in ({**plan, ("P1", "shoot"): 2},                                  # shoot before its prep ends
                {**plan, ("P1", "prep"): 1},                                   # before the Wednesday of week 1
                {**plan, ("P1", "prep"): 4, ("P1", "shoot"): 5},               # after the Friday of week 3
                {**plan, ("P2", "post"): 5}):                                  # post before its shoot ends
        assert not evaluate(data, bad).feasible, bad
    assert evaluate(data, {**plan, ("P2", "shoot"): 0, ("P2", "post"): 7}).feasible   # no max lag


def test_evaluate_rejects_plans_the_contract_forbids():
    data = links_slate(2)
    ok = {("P1", "prep"): 2, ("P1", "shoot"): 5, ("P2", "shoot"): 3}
    score = evaluate(data, ok)
    assert score.feasible and score.shortfall == 0 and score.money == pytest.approx(2_000)
    inst = _Instance(data, 1000.0, (0.5, 0.75, 1.0, 1.5, 2.0))
    assert _evaluate(inst, {**ok, ("P1", "prep"): 1, ("P1", "shoot"): 3}).shortfall == 2  # overlaps P2
    for bad in ({**ok, ("P1", "prep"): 3},            # after latest_start
                {**ok, ("P1", "prep"): 0},            # before earliest_start
                {**ok, ("P1", "shoot"): 6},           # max lag broken (prep ends 3, 3 + 2 = 5)
                {**ok, ("P1", "prep"): 1, ("P1", "shoot"): 2},  # min lag broken
                {**ok, ("P2", "shoot"): 4},           # locked phase moved
                {k: v for k, v in ok.items() if k != ("P2", "shoot")}):  # a phase missing
        assert not _evaluate(inst, bad).feasible, bad


SMALL_ENOUGH = 2_000  # full grids of at most this many start combinations


@functools.cache
def solved(name):
    data = dict(TINY_SLATES)[name]()
    return data, best_plans(data)


@pytest.mark.parametrize("name,build", TINY_SLATES, ids=[n for n, _ in TINY_SLATES])
def test_tiny_slates_against_a_naive_grid(name, build):
    """Each tiny slate solves within the plan budget; where the full grid (every phase at every
    week, no pruning) is small, scoring all of it with ``evaluate`` gives the same plan count and
    optimum as the pruned enumeration."""
    data, opt = solved(name)
    assert 0 < opt.plans <= 100_000 and opt.optimal_plans >= 1
    inst = _Instance(data, 1000.0, (0.5, 0.75, 1.0, 1.5, 2.0))
    keys = list(inst.dur)
    if inst.H ** len(keys) > SMALL_ENOUGH:
        return
    scores = [s for s in (_evaluate(inst, dict(zip(keys, weeks)))
                          for weeks in itertools.product(range(inst.H), repeat=len(keys))) if s.feasible]
    assert len(scores) == opt.plans
    best = min((s.shortfall, s.money) for s in scores)
    assert best[0] == opt.shortfall and best[1] == pytest.approx(opt.money, abs=1e-6)
    ties = sum(1 for s in scores if s.shortfall == best[0] and abs(s.money - best[1]) <= 1e-6)
    assert ties == opt.optimal_plans


def test_tiny_slates_cover_what_they_promise():
    shortfalls = {name: solved(name)[1].shortfall for name, _ in TINY_SLATES}
    assert sum(1 for s in shortfalls.values() if s > 0) >= 2
    assert 6 <= len(TINY_SLATES) <= 10
