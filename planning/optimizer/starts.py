"""Starting plans for the optimizer: a greedy serial schedule, forward-backward improvement and
a descent that shifts whole productions. They supply the incumbent and the bound that prunes
windows; they never restrict the model whose bound is reported.

Units (phases) are placed one at a time (a serial schedule-generation scheme). Fixed units
(locked phases) go first. Then, among the units whose predecessors are placed, the one first in
the priority order takes the start of least added cost given everything placed so far:

    added cost = hire added + SHORT_WEIGHT * shortfall added + move cost + lateness added

where, per cell, ``excess = max(0, load - cap)`` is hired up to ``hire_max`` and the rest is
shortfall (``SHORT_WEIGHT`` ranks any unit-week of shortfall above any money). A phase only
considers starts that keep its links to placed phases (min and max lags); its lateness counts its
lower bound ``start + tail``. Ties go to the earlier start.

Several priority orders are tried (as planned, least slack, latest start first, and a few seeded
random perturbations); each order's plan is tightened by forward-backward improvement
(``justify``) and the best (least shortfall, then money) is kept. ``improve`` then shifts whole
productions (all their phases by the same weeks) while that lowers the cost; it also repairs a
given start, such as the baseline plan under a what-if's changed capacity, in milliseconds.
"""

from __future__ import annotations

import random
import time

import numpy as np
import pandas as pd

from planning.optimizer.candidates import Candidates, CellCosts, cell_load, combo_ranges, plan_cost, rank, shifts
from planning.optimizer.stages import repair_stages, start_cost


def greedy(cands: Candidates, extra_orders: int = 8, seed: int = 0, seconds: float = float("inf")) -> tuple[np.ndarray, dict]:
    """The cheapest greedy plan over several orders: ``(combo per unit, objective parts)``; no new
    order is started after ``seconds``."""
    t0 = time.perf_counter()
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
    best, best_parts = None, None
    for order in orders:
        if best is not None and time.perf_counter() - t0 > seconds:
            break
        chosen = serial_schedule(cands, order, first, last)
        chosen = justify(cands, chosen)
        parts = plan_cost(cands, chosen)
        if best is None or rank(parts) < rank(best_parts):
            best, best_parts = chosen, parts
    return best, best_parts


def serial_schedule(cands: Candidates, order: np.ndarray, first: np.ndarray,
            last: np.ndarray) -> np.ndarray:
    """One pass of the serial scheme in ``order`` (respecting links); returns a combo per unit."""
    n = len(cands.units)
    lot = CellCosts(cands)
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
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    pending = sorted(range(n), key=lambda u: (not fixed[u], position[u]))
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


def improve(cands: Candidates, chosen: np.ndarray, passes: int = 4, reach: int = 26) -> np.ndarray:
    """Local descent from ``chosen``: each production in turn shifts all its phases that are not
    fixed (locked, or started on a slate under way) by the same number of weeks (up to ``reach``
    either way, every phase inside its window: the windows hold every link to a fixed phase, so
    the links keep), taking the shift of least cost with every other production where it is, until
    a pass changes nothing (or ``passes`` run).

    A shift's cost is the hire and shortfall it adds on top of the others' load (shortfall
    ranked first: ``SHORT_WEIGHT``), plus its moves and its exact lateness, the same terms as
    ``plan_cost``, so the plan never gets worse.
    """
    lot = CellCosts(cands)
    units = cands.units
    first, last = combo_ranges(cands)
    end = cands.combos["end_week"].to_numpy()
    move = cands.combos["move_cost"].to_numpy()
    prods = cands.productions.set_index("production_id")
    chosen = chosen.copy()
    load = cell_load(cands, chosen)
    groups = [(pid, g.loc[~g["fixed"], "unit"].to_numpy()) for pid, g in units.groupby("production_id", sort=False)
              if not g["fixed"].all()]
    for _ in range(passes):
        changed = False
        for pid, mine in groups:
            late_cost, target = float(prods.at[pid, "late_cost"]), int(prods.at[pid, "target_week"])
            own = lot.cover_of(chosen[mine])
            load -= own
            options = shifts(chosen, mine, first, last, reach)
            costs = []
            for d in options:
                combos = chosen[mine] + d
                finish = end[combos].max()
                costs.append(lot.added_set(load, combos) + move[combos].sum()
                             + late_cost * max(0, finish - target))
            best = options[int(np.lexsort((np.abs(options), np.round(costs, 3)))[0])]
            if best != 0 and costs[options.index(best)] < costs[options.index(0)] - 1e-6:
                chosen[mine] += best
                changed = True
            load += lot.cover_of(chosen[mine])
        if not changed:
            break
    return chosen


def _backward_starts(cands: Candidates, chosen: np.ndarray) -> np.ndarray:
    """Right-justify the free phases of ``chosen``: each, successors first and latest finish
    first, at the latest start that keeps its links to the phases already placed, ends by its
    production's current finish and adds the least hire and shortfall. Returns a start week per
    unit (pattern units keep theirs); the forward pass uses them as its priority order."""
    lot = CellCosts(cands)
    units = cands.units
    start = cands.combos["start_week"].to_numpy()
    end = cands.combos["end_week"].to_numpy()
    first, last = combo_ranges(cands)
    free = ~units["fixed"].astype(bool).to_numpy()
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


def justify(cands: Candidates, chosen: np.ndarray, rounds: int = 20) -> np.ndarray:
    """Forward-backward improvement for free phases: right-justify (``_backward_starts``), then
    run the serial scheme again with those starts as the priority order, which left-justifies;
    keep the result while ``plan_cost`` falls. The classic repair for makespan-like objectives."""
    first, last = combo_ranges(cands)
    cost = rank(plan_cost(cands, chosen))
    for _ in range(rounds):
        order = np.argsort(_backward_starts(cands, chosen), kind="stable")
        trial = serial_schedule(cands, order, first, last)
        trial_cost = rank(plan_cost(cands, trial))
        if trial_cost >= cost:
            break
        chosen, cost = trial, trial_cost
    return chosen


def from_schedule(cands: Candidates, schedule: pd.DataFrame, fallback: np.ndarray) -> np.ndarray:
    """A choice (combo per unit) that puts each production where ``schedule`` has it, where it can.

    ``schedule`` holds production_id, phase_id, start_week (e.g. the baseline plan, to start a
    what-if from). A production takes the given weeks only if every one of its phases has a combo
    there and its links hold, else it keeps ``fallback``'s.
    """
    place = cands.placements.merge(schedule[["production_id", "phase_id", "start_week"]],
                                   on=["production_id", "phase_id", "start_week"])
    matched = place.groupby(cands.combos["unit"].to_numpy()[place["combo"].to_numpy()])["combo"].min()
    start = cands.combos["start_week"].to_numpy()
    chosen = fallback.copy()
    for pid, units in cands.units.groupby("production_id")["unit"]:
        if not units.isin(matched.index).all():
            continue
        trial = chosen.copy()
        trial[units.to_numpy()] = matched.loc[units].to_numpy()
        links = cands.links[cands.links["production_id"] == pid]
        after, before = links["after_unit"].to_numpy(np.int64), links["before_unit"].to_numpy(np.int64)
        gap = start[trial[after]] - start[trial[before]] - links["before_duration"].to_numpy(np.int64)
        if (gap >= links["min_lag"].to_numpy(np.int64)).all() and \
                (links["max_lag"].isna().to_numpy() | (gap <= links["max_lag"].fillna(0).to_numpy())).all():
            chosen = trial
    return chosen


def heuristic_start(cands: Candidates, tiers: pd.DataFrame, extra_orders: int = 8,
                    given: pd.DataFrame | None = None, seconds: float = float("inf"),
                    repair_rounds: int | None = None) -> tuple[np.ndarray, dict]:
    """The best start: greedy (orders tried for up to ``seconds``), greedy after ``improve``, the
    planned dates after ``improve`` and, when ``given`` (a schedule, e.g. the baseline plan of a
    what-if), that schedule with and without ``improve``; each costed as the MIP counts it
    (``start_cost``); ``repair_stages`` where its stages are still overbooked (for at most
    ``repair_rounds`` shifts and no time cut when given: with ``seconds`` infinite, the same input
    then always gives the same start). Returns ``(combo per unit, cost parts)``."""
    first = greedy(cands, extra_orders=extra_orders, seconds=seconds)[0]
    planned = cands.phases.rename(columns={"planned_week": "start_week"})
    as_planned = from_schedule(cands, planned, first)
    starts = [first, improve(cands, first), improve(cands, as_planned)]
    if given is not None:
        mapped = from_schedule(cands, given, first)
        starts += [mapped, improve(cands, mapped)]
    parts, chosen = min(((start_cost(cands, tiers, c), c) for c in starts), key=lambda pc: rank(pc[0]))
    if parts["shortfall"] > 0:
        chosen = repair_stages(cands, tiers, chosen, rounds=repair_rounds)
        parts = start_cost(cands, tiers, chosen)
    return chosen, parts
