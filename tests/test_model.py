"""The optimizer: invariants of every solved plan, checked from the output frames alone, and known
optima on tiny hand-built slates; every plan test runs with HiGHS and with CBC."""

from __future__ import annotations

import pandas as pd
import pytest

from planning.analysis.capacity import capacity_by_week
from planning.data.inputs import effective_links, planned_schedule
from planning.data.progress import from_as_of
from planning.optimizer import PlanOptions, Weights, plan
from planning.optimizer.optimize import QUICK_SECONDS
from planning.plan import from_result
from planning.data.store import load_folder
from planning.data.validate import check

H0 = pd.Timestamp("2027-01-04")
FAST = PlanOptions(time_limit=20, gap=0.0)


@pytest.fixture(params=["highs", "cbc"])
def options(request) -> PlanOptions:
    """Exact options (gap 0) on each solver."""
    return PlanOptions(solver=request.param, time_limit=20, gap=0.0)


def monday(week: int) -> str:
    return str((H0 + pd.Timedelta(days=7 * week)).date())


def slate(productions, phases, resources, demands, links=(), calendar=(), weeks=20):
    """Contract tables from short tuples (weeks as integers from the horizon start)."""
    raw = {
        "productions": pd.DataFrame([
            {"production_id": p, "title": p, "format": "feature", "priority": prio, "earliest_start": monday(es),
             "latest_start": None if ls is None else monday(ls), "target_delivery": monday(target),
             "lateness_cost_per_week": cost, "jurisdiction": None, "locked": locked}
            for p, prio, es, ls, target, cost, locked in productions]),
        "phases": pd.DataFrame([
            {"production_id": p, "phase_id": q, "kind": kind, "duration_weeks": d,
             "planned_start": None if start is None else monday(start), "locked": locked}
            for p, q, kind, d, start, locked in phases]),
        "resources": pd.DataFrame([
            {"resource_id": r, "kind": kind, "name": r, "capacity": cap, "size": size, "hire_cost_per_week": hc,
             "hire_max_units": hm} for r, kind, cap, size, hc, hm in resources]),
        "demands": pd.DataFrame([
            {"production_id": p, "phase_id": q, "resource_id": rid, "resource_kind": kind, "min_size": size,
             "units": u, "lead_weeks": lead, "tail_weeks": tail} for p, q, rid, kind, size, u, lead, tail in demands]),
        "budget_lines": pd.DataFrame([
            {"production_id": p, "account": "1100", "description": "x", "section": "ATL", "amount": 1.0,
             "phase_id": next(q for pp, q, *_ in phases if pp == p), "curve": "flat", "payment_lag_weeks": 0,
             "qualifying": False} for p, *_ in productions]),
        "settings": pd.DataFrame([{"horizon_start": str(H0.date()), "horizon_weeks": weeks, "currency": "USD",
                                   "financing_rate_annual": 0.0}]),
    }
    if links:
        raw["phase_links"] = pd.DataFrame([
            {"production_id": p, "before_phase": a, "after_phase": b, "min_lag_weeks": lo, "max_lag_weeks": hi}
            for p, a, b, lo, hi in links])
    if calendar:
        raw["resource_calendar"] = pd.DataFrame([
            {"resource_id": r, "week_start": monday(w), "capacity": c} for r, w, c in calendar])
    data, problems = check(raw)
    assert not problems, problems
    return data


def check_invariants(data, result) -> None:
    """Every hard rule of the plan, recomputed from the output frames and the input tables. A slate
    under way is checked as it is planned, from its report week (``from_as_of``): weeks before it
    are history, where nothing is counted short."""
    built = from_result(data, result)
    now, data = data.settings.now_week, from_as_of(data)
    sched, alloc, util = built.schedule, built.allocation, built.utilization
    counted, util = alloc[alloc["week"] >= now], util[util["week"] >= now]
    res = data.resources.set_index("resource_id")
    stages = set(res.index[res["kind"] == "stage"])

    # Capacity plus hire never exceeded, except as a named shortfall; hire within its limit.
    demand = counted.groupby(["resource_id", "week"])["units"].sum()
    u = util.set_index(["resource_id", "week"])
    named = u[u.index.get_level_values(0).isin(res.index)]
    assert (named["demand"] == demand.reindex(named.index, fill_value=0)).all()
    assert (named["demand"] <= named["capacity"] + named["hired"] + named["shortfall"]).all()
    # A stage booking no stage can take is short on its class, once.
    unplaced = counted[counted["resource_id"].str.startswith("stages>=")]["units"].sum()
    assert u.loc[~u.index.get_level_values(0).isin(res.index), "shortfall"].sum() == unplaced
    hire_max = named.index.get_level_values(0).map(res["hire_max_units"].fillna(0)).to_numpy()
    assert (named["hired"].to_numpy() <= hire_max).all()
    cap = capacity_by_week(data).set_index(["resource_id", "week"])["capacity"]
    inside = named.index[named.index.isin(cap.index)]
    assert (named.loc[inside, "capacity"] == cap.loc[inside]).all()
    if result.shortfall == 0:
        assert (util["shortfall"] == 0).all()

    # Never two productions on one stage in one week (unless that stage-week is a named shortfall).
    on_stage = alloc[alloc["resource_id"].isin(stages)]
    per_week = on_stage[on_stage["week"] >= now].groupby(["resource_id", "week"])["production_id"].nunique()
    short = u["shortfall"].reindex(per_week.index, fill_value=0)
    assert ((per_week <= 1) | (short > 0)).all()

    # One stage for a whole phase: each stage a phase holds, it holds in one block covering the run.
    s = sched.set_index(["production_id", "phase_id"])
    for (p, q, r), g in on_stage.groupby(["production_id", "phase_id", "resource_id"]):
        weeks = sorted(g["week"])
        assert weeks == list(range(weeks[0], weeks[-1] + 1)), (p, q, r)
        start, end = s.loc[(p, q), ["start_week", "end_week"]]
        assert weeks[0] <= max(start, 0) and weeks[-1] >= min(end, data.settings.horizon_weeks) - 1
        assert r in s.loc[(p, q), "stages"].split(";")

    # Precedence and lags.
    for link in effective_links(data).itertuples(index=False):
        a, b = s.loc[(link.production_id, link.before_phase)], s.loc[(link.production_id, link.after_phase)]
        gap = b["start_week"] - a["end_week"]
        assert gap >= link.min_lag_weeks
        if not pd.isna(link.max_lag_weeks):
            assert gap <= link.max_lag_weeks

    # Windows and locks.
    planned = planned_schedule(data).set_index(["production_id", "phase_id"])
    prods = data.productions.set_index("production_id")
    for (p, q), row in s.iterrows():
        assert row["end_week"] - row["start_week"] == planned.at[(p, q), "duration_weeks"]
        if planned.at[(p, q), "locked"]:
            assert row["start_week"] == planned.at[(p, q), "start_week"] and row["moved_weeks"] == 0
            continue
        assert row["start"] >= prods.at[p, "earliest_start"]
    for p, g in s.reset_index().groupby("production_id"):
        latest = prods.at[p, "latest_start"]
        if not pd.isna(latest) and not prods.at[p, "locked"]:
            assert g["start"].min() <= latest
        assert g["end_week"].max() <= data.settings.horizon_weeks or prods.at[p, "locked"]


def two_on_one_stage(cost_a: float, cost_b: float):
    """Two 4-week shoots, one stage, both planned at week 0 and due at week 4."""
    return slate(
        productions=[("A", 3, 0, None, 4, cost_a, False), ("B", 3, 0, None, 4, cost_b, False)],
        phases=[("A", "shoot", "shoot", 4, 0, False), ("B", "shoot", "shoot", 4, 0, False)],
        resources=[("STG-1", "stage", 1, 10_000, None, None)],
        demands=[("A", "shoot", None, "stage", 5_000, 1, 0, 0), ("B", "shoot", None, "stage", 5_000, 1, 0, 0)],
    )


@pytest.mark.parametrize("cost_a, cost_b, waits", [(100_000, 10_000, "B"), (10_000, 100_000, "A")])
def test_the_cheaper_production_to_delay_moves(cost_a, cost_b, waits, options):
    data = two_on_one_stage(cost_a, cost_b)
    result = plan(data, options)
    check_invariants(data, result)
    sched = from_result(data, result).schedule.set_index("production_id")
    assert sched.at[waits, "start_week"] == 4
    assert sched.drop(index=waits)["start_week"].iat[0] == 0
    move = Weights().move_cost_per_week
    assert result.objective == pytest.approx(4 * min(cost_a, cost_b) + 4 * move)
    assert result.status == "optimal" and result.gap == pytest.approx(0, abs=1e-9)
    assert result.solver == options.solver


def crew_clash(hire_cost: float):
    """Two 3-week shoots planned together, a crew pool of 1, one unit of hire-in available."""
    return slate(
        productions=[("A", 3, 0, None, 3, 50_000, False), ("B", 3, 0, None, 3, 50_000, False)],
        phases=[("A", "shoot", "shoot", 3, 0, False), ("B", "shoot", "shoot", 3, 0, False)],
        resources=[("CREW", "crew", 1, None, hire_cost, 1)],
        demands=[("A", "shoot", "CREW", None, None, 1, 0, 0), ("B", "shoot", "CREW", None, None, 1, 0, 0)],
    )


def test_hire_in_when_it_pays_and_delay_when_it_does_not(options):
    cheap = crew_clash(hire_cost=10_000)
    result = plan(cheap, options)
    check_invariants(cheap, result)
    assert (from_result(cheap, result).schedule["moved_weeks"] == 0).all()
    assert result.parts["hire"] == 3 * 10_000 and result.parts["lateness"] == 0

    dear = crew_clash(hire_cost=500_000)
    result = plan(dear, options)
    check_invariants(dear, result)
    assert result.parts["hire"] == 0
    assert sorted(from_result(dear, result).schedule["start_week"]) == [0, 3]
    assert result.parts["lateness"] == 3 * 50_000


def test_hire_forbidden_by_option_delays_instead():
    data = crew_clash(hire_cost=10_000)
    result = plan(data, PlanOptions(time_limit=20, gap=0.0, hire_allowed=False))
    check_invariants(data, result)
    assert result.parts["hire"] == 0 and sorted(from_result(data, result).schedule["start_week"]) == [0, 3]


def test_over_committed_slate_returns_a_plan_with_named_shortfalls(options):
    """Both productions are locked onto the one stage in the same weeks: no plan avoids it."""
    data = slate(
        productions=[("A", 3, 0, None, 4, 1_000, True), ("B", 3, 0, None, 4, 1_000, True)],
        phases=[("A", "shoot", "shoot", 4, 0, True), ("B", "shoot", "shoot", 4, 0, True)],
        resources=[("STG-1", "stage", 1, 10_000, None, None)],
        demands=[("A", "shoot", "STG-1", None, None, 1, 0, 0), ("B", "shoot", "STG-1", None, None, 1, 0, 0)],
    )
    result = plan(data, options)
    check_invariants(data, result)
    util = from_result(data, result).utilization.set_index(["resource_id", "week"])
    assert [util.at[("STG-1", w), "shortfall"] for w in range(6)] == [1, 1, 1, 1, 0, 0]
    assert result.shortfall == 4 and result.shortfall_bound == 4 and result.status == "optimal"
    assert "4 unit-weeks short (proven least possible)" in result.summary()["verdict"]
    shortfalls = from_result(data, result).changes.query("change == 'shortfall'")
    assert list(shortfalls[["resource_id", "first_week", "last_week"]].itertuples(index=False, name=None)) == [
        ("STG-1", 0, 3)]


def test_one_stage_for_the_whole_booking_across_a_closed_week(options):
    """Stage S1 is closed in week 3, so a 6-week booking must take S2 even though both exist."""
    data = slate(
        productions=[("A", 3, 0, 0, 6, 100_000, False)],
        phases=[("A", "shoot", "shoot", 4, 0, False)],
        resources=[("S1", "stage", 1, 20_000, None, None), ("S2", "stage", 1, 10_000, None, None)],
        demands=[("A", "shoot", None, "stage", 5_000, 1, 1, 1)],
        calendar=[("S1", 3, 0)],
    )
    result = plan(data, options)
    check_invariants(data, result)
    assert from_result(data, result).schedule["stages"].tolist() == ["S2"]


def test_named_stage_is_honoured_and_links_with_lags_hold(options):
    """A needs the LED volume named; B's two shoot blocks must sit 1..2 weeks apart."""
    data = slate(
        productions=[("A", 5, 0, None, 6, 200_000, False), ("B", 1, 0, None, 12, 10_000, False)],
        phases=[("A", "shoot", "shoot", 4, 0, False), ("B", "b1", "shoot", 3, 0, False),
                ("B", "b2", "shoot", 3, 4, False)],
        resources=[("LED", "stage", 1, 20_000, None, None), ("S1", "stage", 1, 30_000, None, None)],
        demands=[("A", "shoot", "LED", None, None, 1, 0, 0), ("B", "b1", "LED", None, None, 1, 0, 0),
                 ("B", "b2", None, "stage", 25_000, 1, 0, 0)],
        links=[("B", "b1", "b2", 1, 2)],
    )
    result = plan(data, options)
    check_invariants(data, result)
    sched = from_result(data, result).schedule.set_index(["production_id", "phase_id"])
    assert sched.at[("A", "shoot"), "stages"] == "LED" and sched.at[("B", "b1"), "stages"] == "LED"
    assert sched.at[("B", "b2"), "stages"] == "S1"
    assert sched.at[("A", "shoot"), "start_week"] == 0  # the dear production keeps its date


def test_undated_phases_schedule_a_small_project_to_its_shortest_makespan(options):
    """Three jobs, one crew of 2: j1 and j2 (1 unit each) run together, j3 (2 units) after j1."""
    data = slate(
        productions=[("P", 3, 0, None, 0, 1.0, False)],
        phases=[("P", "j1", "other", 2, None, False), ("P", "j2", "other", 3, None, False),
                ("P", "j3", "other", 2, None, False)],
        resources=[("R", "crew", 2, None, None, None)],
        demands=[("P", "j1", "R", None, None, 1, 0, 0), ("P", "j2", "R", None, None, 1, 0, 0),
                 ("P", "j3", "R", None, None, 2, 0, 0)],
        links=[("P", "j1", "j3", 0, None)],
    )
    result = plan(data, options)   # default weights: the undated phases carry no move cost
    check_invariants(data, result)
    assert from_result(data, result).schedule["end_week"].max() == 5
    assert result.parts["lateness"] == 5 * 1.0 * Weights().priority_factors[2]
    assert result.parts["moves"] == 0 and (from_result(data, result).schedule["moved_weeks"] == 0).all()
    assert from_result(data, result).schedule["planned_start"].isna().all()


def test_a_phase_without_planned_start_never_adds_move_cost(options):
    """A's shoot is dated at week 0, B's is not. Both want the one crew at week 0; B's phase can go
    anywhere for free, so B waits (B's target is far) and nothing is charged for it."""
    data = slate(
        productions=[("A", 3, 0, None, 3, 50_000, False), ("B", 3, 0, None, 12, 50_000, False)],
        phases=[("A", "shoot", "shoot", 3, 0, False), ("B", "shoot", "shoot", 3, None, False)],
        resources=[("CREW", "crew", 1, None, None, None)],
        demands=[("A", "shoot", "CREW", None, None, 1, 0, 0), ("B", "shoot", "CREW", None, None, 1, 0, 0)],
    )
    result = plan(data, options)
    check_invariants(data, result)
    sched = from_result(data, result).schedule.set_index("production_id")
    assert sched.at["A", "start_week"] == 0 and sched.at["B", "start_week"] >= 3
    assert result.objective == 0 and result.parts["moves"] == 0 and sched.at["B", "moved_weeks"] == 0


def test_sample_slate_plan_keeps_every_rule_and_beats_the_start_plan():
    data = load_folder("data/sample")
    result = plan(data, PlanOptions(time_limit=20, gap=0.02))
    check_invariants(data, result)
    assert (result.shortfall, result.objective) <= (result.start_shortfall, result.start_objective)
    assert result.bound <= result.objective and result.gap == pytest.approx((result.objective - result.bound)
                                                                            / result.objective)
    assert result.status in ("optimal", "feasible") and (result.status == "optimal") == (result.gap <= 0.02)
    assert set(result.summary()) == {"status", "objective", "parts", "bound", "gap", "shortfall_unit_weeks",
                                     "shortfall_least_possible", "solve_seconds", "variables", "constraints",
                                     "solver", "start_objective", "start_shortfall", "neighbourhoods", "method", "verdict"}
    sched = from_result(data, result).schedule
    assert list(sched.columns) == ["production_id", "phase_id", "kind", "seq", "locked", "start_week", "end_week",
                                   "start", "end", "planned_start", "moved_weeks", "stages"]
    moved = result.changes.query("change == 'moved'")
    assert len(moved) == (sched["moved_weeks"] != 0).sum()


def test_a_given_plan_is_the_start_when_it_beats_the_greedy_one():
    """``given``: the start is the given schedule when cheaper, mapped phase by phase; a schedule
    the candidates cannot express leaves the greedy plan in place."""
    from planning.optimizer.candidates import build_candidates, money
    from planning.optimizer.stages import stage_tiers
    from planning.optimizer.starts import from_schedule, greedy, heuristic_start

    data = two_on_one_stage(100_000, 10_000)          # the optimum: B waits 4 weeks, cost 4 * 10,000 + moves
    best = from_result(data, plan(data, FAST)).schedule
    worse = best.assign(start_week=lambda f: f["production_id"].map({"A": 4, "B": 0}))  # A waits: dearer
    cands = build_candidates(data, FAST)
    tiers = stage_tiers(cands, data)
    chosen, parts = heuristic_start(cands, tiers, given=best)
    assert money(parts) == pytest.approx(4 * 10_000 + 4 * Weights().move_cost_per_week)
    assert dict(zip(cands.combos["production_id"].to_numpy()[chosen], cands.combos["start_week"].to_numpy()[chosen])) \
        == {"A": 0, "B": 4}
    first = greedy(cands)[0]
    mapped = from_schedule(cands, worse, first)
    assert dict(zip(cands.combos["production_id"].to_numpy()[mapped], cands.combos["start_week"].to_numpy()[mapped])) \
        == {"A": 4, "B": 0}
    assert list(from_schedule(cands, best.assign(start_week=99), first)) == list(first)   # outside every window
    result = plan(data, PlanOptions(time_limit=5, gap=0.0), start=worse)
    check_invariants(data, result)
    assert result.objective == pytest.approx(4 * 10_000 + 4 * Weights().move_cost_per_week)


def test_stage_fit_finds_the_placement_that_earliest_first_misses():
    """One 18,000 and one 30,000 sq ft stage; A (18k+) weeks 0-3, B (18k+) 2-7, C (30k+) 5-8, all
    locked. Earliest-first on the smallest stage puts A on the 18k stage, B on the 30k one and C has
    nowhere to go; the only placement without overbooking is A on 30k, B on 18k, C on 30k."""
    from planning.optimizer.candidates import build_candidates
    from planning.optimizer.stages import stage_tiers, start_cost, tier_fit

    data = slate(
        productions=[(p, 3, 0, None, 12, 100_000, True) for p in "ABC"],      # (no latest_start: B and C start later)
        phases=[("A", "shoot", "shoot", 4, 0, False), ("B", "shoot", "shoot", 6, 2, False),
                ("C", "shoot", "shoot", 4, 5, False)],
        resources=[("S18", "stage", 1, 18_000, None, None), ("S30", "stage", 1, 30_000, None, None)],
        demands=[("A", "shoot", None, "stage", 18_000, 1, 0, 0), ("B", "shoot", None, "stage", 18_000, 1, 0, 0),
                 ("C", "shoot", None, "stage", 30_000, 1, 0, 0)],
    )
    cands = build_candidates(data, FAST)
    tiers = stage_tiers(cands, data)
    locked = cands.combos.groupby("unit")["combo"].first().to_numpy()   # one combo each: all locked
    take, free = tier_fit(cands, tiers, locked)
    assert all((f >= 0).all() for f in free.values())
    prod = cands.combos.set_index("combo")["production_id"]
    assert {prod[c]: tier for (c, _, tier) in take} == {"A": "tier30000", "B": "tier18000", "C": "tier30000"}
    assert start_cost(cands, tiers, locked)["shortfall"] == 0
    result = plan(data, FAST)
    check_invariants(data, result)
    assert result.shortfall == 0
    built = from_result(data, result).schedule
    assert dict(zip(built["production_id"], built["stages"])) == {
        "A": "S30", "B": "S18", "C": "S30"}


def test_descent_never_costs_more_and_stops_where_no_single_shift_helps():
    """From the latest start of every phase, ``improve`` ends no dearer (by ``plan_cost``) and at
    a local optimum: no production alone can shift to a cheaper place."""
    from planning.optimizer.candidates import build_candidates, plan_cost, rank
    from planning.optimizer.starts import improve

    data = two_on_one_stage(100_000, 10_000)
    cands = build_candidates(data, FAST)
    worst = cands.combos.groupby("unit")["combo"].max().to_numpy()
    better = improve(cands, worst)
    cost = lambda chosen: rank(plan_cost(cands, chosen))  # noqa: E731
    assert cost(better) < cost(worst)
    for unit, combos in cands.combos.groupby("unit")["combo"]:
        for c in combos:
            trial = better.copy()
            trial[unit] = c
            assert cost(trial) >= cost(better)
    assert cost(better)[1] == pytest.approx(plan(data, FAST).objective)   # here the local optimum is the optimum


def test_start_is_repaired_where_week_by_week_counts_pass_but_no_stage_can_be_held(options):
    """Stages S18 and S30. As planned, X (18k+) weeks 0-3, Y (18k+) 2-5, Z (30k+) 0-1, W (30k+) 4-5:
    every week has enough stages of each size, yet X and Y both need S18 for their whole blocks
    and overlap in weeks 2-3. The weekly counts see no problem; the stage repair (true stage
    placement) moves Y, and the MIP plan holds every stage booking."""
    from planning.optimizer.candidates import build_candidates, plan_cost
    from planning.optimizer.stages import repair_stages, stage_tiers, start_cost

    data = slate(
        productions=[("X", 3, 0, 4, 16, 1_000, False), ("Y", 3, 0, 6, 16, 1_000, False),
                     ("Z", 3, 0, 0, 16, 1_000, True), ("W", 3, 0, 4, 16, 1_000, True)],
        phases=[("X", "shoot", "shoot", 4, 0, False), ("Y", "shoot", "shoot", 4, 2, False),
                ("Z", "shoot", "shoot", 2, 0, False), ("W", "shoot", "shoot", 2, 4, False)],
        resources=[("S18", "stage", 1, 18_000, None, None), ("S30", "stage", 1, 30_000, None, None)],
        demands=[("X", "shoot", None, "stage", 18_000, 1, 0, 0), ("Y", "shoot", None, "stage", 18_000, 1, 0, 0),
                 ("Z", "shoot", None, "stage", 30_000, 1, 0, 0), ("W", "shoot", None, "stage", 30_000, 1, 0, 0)],
    )
    cands = build_candidates(data, FAST)
    tiers = stage_tiers(cands, data)
    planned = cands.combos[cands.combos["move_cost"] == 0]
    as_planned = planned.groupby("unit")["combo"].first().reindex(cands.units["unit"]).to_numpy()
    assert plan_cost(cands, as_planned)["shortfall"] == 0                # the weekly counts pass
    assert start_cost(cands, tiers, as_planned)["shortfall"] > 0         # no stage can be held
    repaired = repair_stages(cands, tiers, as_planned, seconds=5)
    assert start_cost(cands, tiers, repaired)["shortfall"] == 0
    result = plan(data, options)
    check_invariants(data, result)
    assert result.shortfall == 0 and result.parts["moves"] > 0


def test_a_solver_error_surfaces_as_an_error_not_an_empty_answer():
    """HiGHS asked for another thread count than the process's pool has fails its run; ``run``
    raises instead of handing back an all-zero solution."""
    import highspy

    from planning.optimizer.highs import SolverError, new_highs, run

    h = new_highs()
    h.addVar(0, 1)
    h.changeColCost(0, -1.0)
    h.addRow(-highspy.kHighsInf, 2.0, 1, [0], [1.0])
    h.changeColsIntegrality(1, [0], [highspy.HighsVarType.kInteger])
    assert run(h, "toy") is True and h.getSolution().col_value[0] == 1
    broken = new_highs()
    broken.addVar(0, 1)
    broken.addRow(2.0, 3.0, 1, [0], [1.0])                                  # x >= 2 with x <= 1: infeasible
    with pytest.raises(SolverError, match="toy"):
        run(broken, "toy")


def test_every_highs_model_in_a_process_gets_the_same_thread_count():
    """One thread setting everywhere: a solve after another keeps working (the pool is shared)."""
    from planning.optimizer.highs import THREADS, new_highs

    value = new_highs().getOptionValue("threads")
    assert (value[1] if isinstance(value, tuple) else value) == THREADS
    data = two_on_one_stage(100_000, 10_000)
    first, second = plan(data, FAST), plan(data, FAST)
    assert first.solver == second.solver == "highs" and first.objective == second.objective


def test_a_quick_search_is_the_start_plan_and_says_so():
    """Under ``QUICK_SECONDS`` no model is built: the start plan is the answer, and its verdict says
    it was not checked against the best possible."""
    data = two_on_one_stage(100_000, 10_000)
    result = plan(data, PlanOptions(time_limit=0.9 * QUICK_SECONDS))
    check_invariants(data, result)
    assert result.status == "heuristic" and result.bound is None and result.gap is None
    assert result.summary()["verdict"] == "quick search: not checked against the best possible"
    assert (result.objective, result.shortfall) == (result.start_objective, result.start_shortfall)


def test_a_plan_is_evaluated_once(monkeypatch):
    """The optimizer hands starts, stages and its status; ``build_plan`` alone computes allocation
    and utilization, and the stages are assigned once (counted)."""
    import planning.analysis.capacity as capacity
    import planning.optimizer.results as results
    import planning.plan as plan_module

    calls = {"utilization": 0, "allocation": 0, "assign_stages": 0}

    def counted(module, name):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        monkeypatch.setattr(module, name, wrapper)

    for module, name in ((plan_module, "utilization"), (plan_module, "allocation"),
                         (results, "assign_stages"), (capacity, "assign_stages")):
        counted(module, name)
    data = two_on_one_stage(100_000, 10_000)
    built = from_result(data, plan(data, PlanOptions(time_limit=5)))
    assert calls == {"utilization": 1, "allocation": 1, "assign_stages": 1}
    assert not {"utilization", "allocation"} & set(vars(results))      # the optimizer never evaluates a plan
    assert set(built.changes["change"]) <= {"moved", "stage", "hire", "shortfall"}
