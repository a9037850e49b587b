"""A greedy serial schedule: a feasible plan in well under a second, the MIP's warm start and bound.

Units are placed one at a time (a serial schedule-generation scheme). Fixed units (locked
productions and phases) go first. Then, among the units whose predecessors are placed, the one
first in the priority order takes the combo (pattern and start week) of least added cost given
everything placed so far:

    added cost = hire added + shortfall added + move cost + lateness added

where, per cell, ``excess = max(0, load - cap)`` is hired up to ``hire_max`` and the rest is
shortfall. So it hires only where it must (or where hiring is cheaper than waiting), and it takes
a shortfall only when no combo in the unit's window avoids one. A free phase only considers
starts that keep its links to placed phases (min and max lags); lateness of a free phase counts
its lower bound ``start + tail``. Ties go to the earlier start.

Several priority orders are tried (as planned, least slack, latest start first, and a few
seeded random perturbations) and the cheapest plan is kept. Where phases float freely, each order's
plan is first tightened by forward-backward improvement (``justify``).

``improve`` then runs a local descent (each production in turn to its cheapest combo with the
rest fixed, until nothing changes); it also repairs a given start, such as the baseline plan
under a what-if's changed capacity, in milliseconds.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd

from planning.candidates import Candidates, Weights, cell_load, plan_cost


def combo_ranges(cands: Candidates) -> tuple[np.ndarray, np.ndarray]:
    """``(first, last)`` per unit: its combos are ids ``first[u] .. last[u] - 1`` (contiguous)."""
    by_unit = cands.combos.groupby("unit")["combo"]
    return by_unit.min().to_numpy(), by_unit.max().to_numpy() + 1


def greedy(cands: Candidates, weights: Weights, extra_orders: int = 8, seed: int = 0) -> tuple[np.ndarray, dict]:
    """The cheapest greedy plan over several orders: ``(combo per unit, objective parts)``."""
    units = cands.units
    combos = cands.combos
    first, last = combo_ranges(cands)
    start = combos["start_week"].to_numpy()
    planned = cands.phases.groupby("unit")["planned_week"].min().reindex(units["unit"]).to_numpy()
    es, ls = start[first], start[last - 1]
    orders = [np.lexsort((ls, planned)), np.lexsort((planned, ls - es)), np.lexsort((es, ls))]
    rng = random.Random(seed)
    for _ in range(extra_orders):
        noise = np.array([rng.uniform(0, max(1, b - a)) for a, b in zip(es, ls)])
        orders.append(np.argsort(es + noise, kind="stable"))
    has_free = bool(units["phase_id"].notna().any())
    best, best_parts = None, None
    for order in orders:
        chosen = _serial(cands, weights, order, first, last)
        if has_free:
            chosen = justify(cands, weights, chosen)
        parts = plan_cost(cands, chosen, weights)
        if best is None or sum(parts.values()) < sum(best_parts.values()) - 1e-6:
            best, best_parts = chosen, parts
    return best, best_parts


class CellCosts:
    """Capacity, hire and shortfall terms of every cell, and where each combo's cover starts."""

    def __init__(self, cands: Candidates, weights: Weights):
        self.cands = cands
        self.cap = cands.capacity.ravel()
        self.hmax = np.repeat(cands.rows["hire_max"].to_numpy(np.int64), cands.weeks)
        self.hcost = np.repeat(cands.rows["hire_cost"].to_numpy(float), cands.weeks)
        self.scost = weights.shortfall_cost_per_unit_week
        self.cover_start = np.searchsorted(cands.cover_combo, np.arange(len(cands.combos) + 1))

    def added(self, load: np.ndarray, combos: np.ndarray) -> np.ndarray:
        """Hire plus shortfall cost each of ``combos`` adds on top of ``load``."""
        lo, hi = self.cover_start[combos], self.cover_start[combos + 1]
        seg = np.repeat(np.arange(len(combos)), hi - lo)
        pos = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi)]) if len(seg) else np.zeros(0, np.int64)
        cells = self.cands.cover_cell[pos]
        before = load[cells]
        after = before + self.cands.cover_units[pos]
        ex0, ex1 = np.maximum(0, before - self.cap[cells]), np.maximum(0, after - self.cap[cells])
        h0, h1 = np.minimum(ex0, self.hmax[cells]), np.minimum(ex1, self.hmax[cells])
        added = (h1 - h0) * self.hcost[cells] + ((ex1 - h1) - (ex0 - h0)) * self.scost
        return np.bincount(seg, weights=added, minlength=len(combos))

    def cover(self, combo: int) -> np.ndarray:
        """The load of one combo on every cell."""
        a, b = self.cover_start[combo], self.cover_start[combo + 1]
        return np.bincount(self.cands.cover_cell[a:b], weights=self.cands.cover_units[a:b],
                           minlength=self.cap.size).astype(np.int64)


def _serial(cands: Candidates, weights: Weights, order: np.ndarray, first: np.ndarray,
            last: np.ndarray) -> np.ndarray:
    """One pass of the serial scheme in ``order`` (respecting links); returns a combo per unit."""
    n = len(cands.units)
    lot = CellCosts(cands, weights)
    start = cands.combos["start_week"].to_numpy()
    move = cands.combos["move_cost"].to_numpy()
    late = cands.combos["late_cost"].to_numpy()
    prod_of_unit = cands.units["production_id"].to_numpy()
    lk = cands.links
    preds = {u: [] for u in range(n)}
    succs = {u: [] for u in range(n)}
    for r in lk.itertuples(index=False):
        preds[r.after_unit].append(r)
        succs[r.before_unit].append(r)
    fixed = cands.units["fixed"].to_numpy()
    chosen = np.full(n, -1)
    load = np.zeros(lot.cap.size, dtype=np.int64)
    cur_late: dict[str, float] = {}
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    pending = sorted(range(n), key=lambda u: (not fixed[u], rank[u]))
    while pending:
        u = next((u for u in pending if fixed[u] or all(chosen[r.before_unit] >= 0 for r in preds[u])), pending[0])
        pending.remove(u)
        cands_u = np.arange(first[u], last[u])
        t = start[cands_u]
        ok = np.ones(len(cands_u), dtype=bool)
        for r in preds[u]:
            if chosen[r.before_unit] >= 0:
                earliest = start[chosen[r.before_unit]] + r.before_duration + r.min_lag
                ok &= t >= earliest
                if r.max_lag is not None and not np.isnan(r.max_lag):
                    ok &= t <= earliest - r.min_lag + r.max_lag
        for r in succs[u]:
            if chosen[r.after_unit] >= 0:
                ok &= t + r.before_duration + r.min_lag <= start[chosen[r.after_unit]]
        if ok.any():
            cands_u, t = cands_u[ok], t[ok]
        base_late = cur_late.get(prod_of_unit[u], 0.0)
        cost = lot.added(load, cands_u) + move[cands_u] + np.maximum(late[cands_u], base_late) - base_late
        pick = cands_u[np.lexsort((t, np.round(cost, 3)))[0]]
        chosen[u] = pick
        cur_late[prod_of_unit[u]] = max(base_late, late[pick])
        load += lot.cover(pick)
    return chosen


def improve(cands: Candidates, weights: Weights, chosen: np.ndarray, passes: int = 4) -> np.ndarray:
    """Local descent from ``chosen``: each movable production in turn takes its cheapest combo
    with every other production where it is, until a pass changes nothing (or ``passes`` run).

    A unit's cost is ``added hire + added shortfall + move cost + lateness`` on top of the load of
    all the others, the same terms as ``plan_cost``, so the total never rises. Only whole
    productions (pattern units) move; fixed units and free phases (bound by links) stay.
    """
    lot = CellCosts(cands, weights)
    units = cands.units
    movable = units.loc[~units["fixed"].astype(bool) & units["phase_id"].isna(), "unit"].to_numpy()
    first, last = combo_ranges(cands)
    start = cands.combos["start_week"].to_numpy()
    own = cands.combos["move_cost"].to_numpy() + cands.combos["late_cost"].to_numpy()
    chosen = chosen.copy()
    load = cell_load(cands, chosen)
    for _ in range(passes):
        changed = False
        for u in movable:
            load -= lot.cover(chosen[u])
            options = np.arange(first[u], last[u])
            cost = np.round(lot.added(load, options) + own[options], 3)
            pick = options[np.lexsort((start[options], cost))[0]]
            if cost[pick - first[u]] < cost[chosen[u] - first[u]]:
                chosen[u], changed = pick, True
            load += lot.cover(chosen[u])
        if not changed:
            break
    return chosen


def _backward_starts(cands: Candidates, weights: Weights, chosen: np.ndarray) -> np.ndarray:
    """Right-justify the free phases of ``chosen``: each, successors first and latest finish
    first, at the latest start that keeps its links to the phases already placed, ends by its
    production's current finish and adds the least hire and shortfall. Returns a start week per
    unit (pattern units keep theirs); the forward pass uses them as its priority order."""
    lot = CellCosts(cands, weights)
    units = cands.units
    start = cands.combos["start_week"].to_numpy()
    end = cands.combos["end_week"].to_numpy()
    first, last = combo_ranges(cands)
    free = (units["phase_id"].notna() & ~units["fixed"].astype(bool)).to_numpy()
    out = start[chosen].copy()
    if not free.any():
        return out
    finish = pd.Series(end[chosen]).groupby(units["production_id"].to_numpy()).max()
    load = cell_load(cands, chosen[~free])
    succs = {u: [] for u in range(len(units))}
    for r in cands.links.itertuples(index=False):
        succs[r.before_unit].append(r)
    placed = np.zeros(len(units), dtype=bool)
    placed[~free] = True
    pending = sorted(np.flatnonzero(free), key=lambda u: (-end[chosen[u]], -start[chosen[u]]))
    while pending:
        u = next((u for u in pending if all(placed[r.after_unit] for r in succs[u])), pending[0])
        pending.remove(u)
        options = np.arange(first[u], last[u])
        ok = end[options] <= finish[units["production_id"].iat[u]]
        for r in succs[u]:
            if free[r.after_unit]:
                ok &= start[options] + r.before_duration + r.min_lag <= out[r.after_unit]
                if r.max_lag is not None and not np.isnan(r.max_lag):
                    ok &= start[options] + r.before_duration + r.max_lag >= out[r.after_unit]
        if ok.any():
            options = options[ok]
        added = np.round(lot.added(load, options), 3)
        pick = options[np.lexsort((-start[options], added))[0]]
        out[u] = start[pick]
        placed[u] = True
        load += lot.cover(pick)
    return out


def justify(cands: Candidates, weights: Weights, chosen: np.ndarray, rounds: int = 20) -> np.ndarray:
    """Forward-backward improvement for free phases: right-justify (``_backward_starts``), then
    run the serial scheme again with those starts as the priority order, which left-justifies;
    keep the result while ``plan_cost`` falls. The classic repair for makespan-like objectives."""
    first, last = combo_ranges(cands)
    cost = sum(plan_cost(cands, chosen, weights).values())
    for _ in range(rounds):
        order = np.argsort(_backward_starts(cands, weights, chosen), kind="stable")
        trial = _serial(cands, weights, order, first, last)
        trial_cost = sum(plan_cost(cands, trial, weights).values())
        if trial_cost >= cost - 1e-6:
            break
        chosen, cost = trial, trial_cost
    return chosen


def from_schedule(cands: Candidates, schedule: pd.DataFrame, fallback: np.ndarray) -> np.ndarray:
    """A choice (combo per unit) that puts each production where ``schedule`` has it, where it can.

    ``schedule`` holds production_id, phase_id, start_week (e.g. the baseline plan, to start a
    what-if from). A combo matches when every phase it places starts in ``schedule``'s week; a
    production takes the matching combos only if every one of its units has one (links between its
    phases then hold), else it keeps ``fallback``'s.
    """
    place = cands.placements.merge(schedule[["production_id", "phase_id", "start_week"]],
                                   on=["production_id", "phase_id"], how="left", suffixes=("", "_given"))
    ok = (place["start_week"] == place["start_week_given"]).groupby(place["combo"]).all()
    combos = cands.combos.set_index("combo").assign(match=ok).reset_index()
    matched = combos[combos["match"].fillna(False).astype(bool)].groupby("unit")["combo"].min()
    chosen = fallback.copy()
    for pid, units in cands.units.groupby("production_id")["unit"]:
        if units.isin(matched.index).all():
            chosen[units.to_numpy()] = matched.loc[units].to_numpy()
    return chosen
