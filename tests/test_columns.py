"""Column generation against enumeration: pricing is exact (every schedule of a block enumerated at
random prices), and the decomposition's bounds never pass the true optimum of the contract
(``tests/bruteforce.py``, which shares no code with the optimizer) on hand-built and random tiny
slates with links, lags, windows, hire, calendars, named and size stages and shared stages."""

from __future__ import annotations

import itertools
import math
import random
import time

import numpy as np
import pandas as pd
import pytest

from bruteforce import TINY_SLATES, best_plans, evaluate
from factory import demand, monday, phase, production, resource, slate
from planning.optimizer import PlanOptions, optimize, plan
from planning.optimizer.candidates import build_candidates, money
from planning.optimizer.columns import decompose
from planning.optimizer.pricing import Pricing
from planning.optimizer.stages import stage_tiers, tier_options
from planning.optimizer.starts import heuristic_start


def random_slate(seed: int):
    """Two or three productions of one to three phases on a crew pool (hire-in maybe), an LED
    volume named by several of them, and two plain stages for size demands; chains, a parallel
    network with a max lag, windows and targets at random."""
    rng = random.Random(seed)
    horizon = 8
    prods, phases, links, demands = [], [], [], []
    hire = rng.random() < 0.5
    resources = [resource("CREW", capacity=rng.choice([1, 2]), hire_cost_per_week=20_000.0 if hire else None,
                          hire_max_units=1 if hire else None),
                 resource("LED", kind="stage", size=20_000.0),
                 resource("S1", kind="stage", size=rng.choice([10_000.0, 20_000.0])),
                 resource("S2", kind="stage", size=8_000.0)]
    for i in range(rng.choice([2, 3])):
        pid = f"P{i}"
        n = rng.choice([1, 2, 2, 3])
        prods.append(production(pid, priority=rng.randint(1, 5), target_delivery=monday(rng.randint(2, 6)),
                                lateness_cost_per_week=rng.choice([10_000.0, 30_000.0]),
                                earliest_start=monday(rng.choice([0, 0, 1])),
                                latest_start=monday(rng.choice([2, 3])) if rng.random() < 0.3 else None))
        for j in range(n):
            phases.append(phase(pid, f"q{j}", rng.randint(1, 2), rng.choice([None, rng.randint(0, 3)])))
            kind = rng.choice(["CREW", "LED", "size", "none"])
            if kind == "size":
                demands.append(demand(pid, f"q{j}", min_size=9_000.0, lead=rng.choice([0, 1])))
            elif kind != "none":
                demands.append(demand(pid, f"q{j}", kind, tail=rng.choice([0, 0, 1]) if kind == "LED" else 0))
        if n == 3 and rng.random() < 0.6:        # a parallel network: q0 -> q1, q0 -> q2 (max lag 1)
            links += [dict(production_id=pid, before_phase="q0", after_phase="q1", min_lag_weeks=0, max_lag_weeks=None),
                      dict(production_id=pid, before_phase="q0", after_phase="q2", min_lag_weeks=0, max_lag_weeks=1)]
        elif n >= 2:
            links += [dict(production_id=pid, before_phase=f"q{j}", after_phase=f"q{j + 1}",
                           min_lag_weeks=rng.choice([0, 1]), max_lag_weeks=rng.choice([None, 2]))
                      for j in range(n - 1)]
    demands = demands or [demand("P0", "q0", "CREW")]
    return slate(prods, phases, resources, demands, links=links, horizon_weeks=horizon)


SLATES = TINY_SLATES + [(f"random_{s}", (lambda s=s: random_slate(s))) for s in range(10)]


def _fill(options: list[tuple[int, int, float]], units: int) -> float:
    """The cheapest way to take ``units`` stages from tiers ``(tier, most, price)``, by enumeration."""
    best = math.inf
    for split in itertools.product(*(range(most + 1) for _, most, _ in options)):
        if sum(split) == units:
            best = min(best, sum(n * price for n, (_, _, price) in zip(split, options)))
    return best


def enumerate_block(pricing: Pricing, b: int, nu: np.ndarray, money_phase: bool, rho: float) -> float:
    """The least cost of block ``b`` at prices ``nu`` over every schedule its links allow."""
    c, weeks, rows = pricing.cands, pricing.cands.weeks, pricing.rows
    units = pricing.block_units[b]
    combos = c.combos
    options = [combos.loc[combos["unit"] == u, "combo"].tolist() for u in units]
    links = c.links[c.links["before_unit"].isin(units)]
    start, end = combos["start_week"].to_numpy(), combos["end_week"].to_numpy()
    kinds = c.rows["kind"].to_numpy()
    tier_list = list(pricing.tiers.itertuples(index=False))
    names = {t.tier: k for k, t in zip(pricing.tiers.index, tier_list)}
    shared = pricing.block_lp[b].shared if b < len(pricing.block_lp) else []
    best = math.inf
    for pick in itertools.product(*options):
        at = dict(zip(units.tolist(), pick))
        if any(start[at[r.after_unit]] - start[at[r.before_unit]] - r.before_duration < r.min_lag
               or (r.max_lag is not None and not pd.isna(r.max_lag) and
                   start[at[r.after_unit]] - start[at[r.before_unit]] - r.before_duration > r.max_lag)
               for r in links.itertuples()):
            continue
        cost = 0.0
        stage_load = {row: np.zeros(weeks) for row in shared}
        for combo in pick:
            m = c.cover_combo == combo
            for cell, n in zip(c.cover_cell[m], c.cover_units[m]):
                if kinds[cell // weeks] == "class":
                    continue
                cost += nu[rows.cell_row[cell]] * n
                if cell // weeks in stage_load:
                    stage_load[cell // weeks][cell % weeks] += n
            if money_phase:
                cost += combos["move_cost"].iat[combo]
            for bk in c.bookings[c.bookings["combo"] == combo].itertuples():
                lo, hi = max(0, bk.first_week), min(weeks, bk.end_week)
                tiers = []
                for tier, most, _ in tier_options(tier_list, c.capacity.ravel(), weeks, bk.min_size, bk.units, lo, hi):
                    r = rows.tier_row[names[tier], lo:hi]
                    tiers.append((tier, most, float(nu[r[r >= 0]].sum())))
                cost += _fill(tiers, int(bk.units))
        for row, load in stage_load.items():
            over = np.maximum(0, load - c.capacity[row])
            r = rows.cell_row[row * weeks:(row + 1) * weeks]
            cost += float((over * (rho - nu[r])).sum())
        if money_phase:
            for p in pricing.blocks[b]:
                mine = [at[u] for u in pricing.prod_units[p]]
                cost += pricing.late_cost[p] * max(0, int(end[mine].max()) - int(pricing.target[p]))
        best = min(best, cost)
    return best


@pytest.mark.parametrize("name, build", SLATES, ids=[name for name, _ in SLATES])
def test_pricing_is_exact_at_random_prices(name, build):
    data = build()
    cands = build_candidates(data, PlanOptions())
    pricing = Pricing(cands, stage_tiers(cands, data))
    rng = np.random.default_rng(7)
    for money_phase, rho in ((False, 1.0), (True, 40_000.0)):
        for _ in range(3):
            nu = np.where(rng.random(len(pricing.rows)) < 0.5, 0.0, rng.uniform(0, rho, len(pricing.rows)))
            choices, costs, lower = pricing.price(nu, money_phase, rho)
            w, _, _ = pricing.combo_weights(nu, money_phase)
            for b in range(len(pricing.blocks)):
                truth = enumerate_block(pricing, b, nu, money_phase, rho)
                assert lower[b] <= truth + 1e-6 * max(1.0, abs(truth))
                assert costs[b] == pytest.approx(truth, rel=1e-9, abs=1e-6), (name, b, pricing.blocks[b])
                assert pricing.schedule_cost(b, choices[b], w, money_phase, nu, rho) == pytest.approx(costs[b])


def test_the_random_slates_reach_every_kind_of_pricing():
    """Chains (DP), networks (the step LP) and shared-stage blocks (the MIP) are all exercised."""
    kinds = set()
    for _, build in SLATES:
        data = build()
        cands = build_candidates(data, PlanOptions())
        p = Pricing(cands, stage_tiers(cands, data))
        kinds |= {"chain"} if p.chain else set()
        kinds |= {"network"} if p.lp_blocks else set()
        kinds |= {"block"} if p.block_lp else set()
    assert kinds == {"chain", "network", "block"}


@pytest.mark.parametrize("name, build", SLATES, ids=[name for name, _ in SLATES])
def test_decomposition_bounds_never_pass_the_true_optimum(name, build):
    data = build()
    truth = best_plans(data)
    options = PlanOptions(time_limit=10, gap=0.0)
    cands = build_candidates(data, options)
    tiers = stage_tiers(cands, data)
    start, _ = heuristic_start(cands, tiers, 2)
    found = decompose(cands, tiers, start, options, time.perf_counter() + 10)
    assert found.shortfall_bound <= truth.shortfall
    assert found.money_bound is None or found.money_bound <= truth.money + 1e-6
    place = cands.placements.set_index("combo").loc[found.chosen]
    score = evaluate(data, {(p, q): int(s) for p, q, s in zip(place["production_id"], place["phase_id"],
                                                               place["start_week"])})
    assert score.feasible, score.reason
    assert (score.shortfall, score.money) == (found.parts["shortfall"], pytest.approx(money(found.parts)))
    assert (score.shortfall, score.money) >= (truth.shortfall, truth.money - 1e-6)


@pytest.mark.parametrize("name, build", SLATES, ids=[name for name, _ in SLATES])
def test_plans_by_columns_alone_are_right_and_honest(name, build, monkeypatch):
    """With the full MIP switched off (as on a large slate), ``plan`` still reports only what holds:
    a least shortfall no higher than the truth, a money bound no higher than the optimum, and
    "optimal" only within the gap of it."""
    monkeypatch.setattr(optimize, "SMALL_SLATE", 0)
    data = build()
    truth = best_plans(data)
    result = plan(data, PlanOptions(time_limit=10, gap=0.01))
    assert result.method == "column generation"
    assert result.shortfall_bound <= truth.shortfall <= result.shortfall
    assert result.bound is None or result.bound <= truth.money + 1e-6
    if result.status == "optimal":
        assert result.shortfall == truth.shortfall
        assert result.objective <= truth.money * 1.01 + 1e-6
