"""Stage placement: the stage *tiers* of the model, the exact placement of a plan's size bookings
on them (``tier_fit``), a plan's cost as the MIP counts it (``start_cost``) and the repair of a
start whose stages are overbooked (``repair_stages``)."""

from __future__ import annotations

import time

import highspy
import numpy as np
import pandas as pd

from planning.data.inputs import SlateData
from planning.optimizer.candidates import Candidates, CellCosts, cell_load, combo_ranges, plan_cost, rank, shifts
from planning.optimizer.highs import new_highs, run


def stage_tiers(cands: Candidates, data: SlateData) -> pd.DataFrame:
    """``tier, size, capacity, resource_id``: plain stages pooled by size, explicit stages alone.

    A plain tier's capacity is its number of stages (the same every week); an explicit stage
    (``resource_id`` set) keeps its calendar capacity, row ``row`` of the candidates.
    """
    res = data.resources[data.resources["kind"] == "stage"]
    explicit = set(cands.explicit["resource_id"])
    plain = res[~res["resource_id"].isin(explicit)]
    pooled = plain.groupby(plain["size"].fillna(0).astype(float))["capacity"].sum()
    rows = [(f"tier{int(size)}", float(size), int(n), pd.NA, -1) for size, n in pooled.items() if n > 0]
    rows += [(str(e.resource_id), float(e.size), 1, str(e.resource_id), int(e.row))
             for e in cands.explicit.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["tier", "size", "capacity", "resource_id", "row"])


def tier_options(tiers: list, cap: np.ndarray, weeks: int, min_size: float, units: int,
                  lo: int, hi: int) -> list[tuple[str, int, int | None]]:
    """The tiers one size booking (``units`` stages of at least ``min_size``, weeks ``lo .. hi-1``)
    may use: ``(tier, most stages it can take, first cell of its row or None for a plain tier)``.
    ``tiers``: the rows of ``stage_tiers`` as tuples. A plain tier at least that size; an explicit
    stage that size and open for the whole block; when none is, the largest tier (its overbooking
    is then a shortfall)."""
    options = []
    for t in tiers:
        if t.size < min_size:
            continue
        if t.row >= 0:
            if cap[t.row * weeks + lo: t.row * weeks + hi].min() >= 1:
                options.append((t.tier, 1, t.row * weeks))
        else:
            options.append((t.tier, min(units, int(t.capacity)), None))
    if not options:
        big = max(tiers, key=lambda t: t.size)
        options = [(big.tier, units, None if big.row < 0 else int(big.row) * weeks)]
    return options


def tier_fit(cands: Candidates, tiers: pd.DataFrame, chosen: np.ndarray) -> tuple[dict, dict]:
    """The chosen combos' size bookings placed on tiers with the least overbooking.

    The stage part of the MIP with ``y`` fixed to ``chosen``, solved alone (HiGHS, a few dozen
    integer variables): ``x[b,k]`` stages of tier ``k`` for booking ``b`` (the options of
    ``define_stage_capacity``), ``sum_k x[b,k] = units[b]``, and per tier and week ``sum_{b holds
    w} x[b,k] - over[k,w] <= free[k,w]``, minimizing ``sum over``. ``free`` is a plain tier's
    stage count, or an explicit stage's calendar capacity less its named demands.

    Returns ``(take, free)``: ``take[(combo, booking, tier)]`` stages taken, and ``free[tier]``
    stages left per week after them (negative where overbooked).
    """
    weeks = cands.weeks
    cap = cands.capacity.ravel()
    load = cell_load(cands, chosen)
    free = {t.tier: (np.full(weeks, t.capacity) if t.row < 0 else
                     cands.capacity[t.row] - load[t.row * weeks:(t.row + 1) * weeks]).astype(np.int64)
            for t in tiers.itertuples(index=False)}
    book = cands.bookings[cands.bookings["combo"].isin(chosen)]
    tier_rows = list(tiers.itertuples(index=False))
    cols, rows_of = [], []                  # cols: (combo, booking, tier, ub, lo, hi)
    for r in book.itertuples(index=False):
        lo, hi = max(0, r.first_week), min(weeks, r.end_week)
        if lo < hi:
            for tier, ub, _ in tier_options(tier_rows, cap, weeks, r.min_size, int(r.units), lo, hi):
                cols.append((r.combo, r.booking, tier, ub, lo, hi))
            rows_of.append(((r.combo, r.booking), int(r.units)))
    if not cols:
        return {}, free
    cells = sorted({(c[2], w) for c in cols for w in range(c[4], c[5])}, key=str)
    cell_ix = {cw: i for i, cw in enumerate(cells)}
    n_x = len(cols)
    h = new_highs(time_limit=30)
    h.addCols(n_x, np.zeros(n_x), np.zeros(n_x), np.array([c[3] for c in cols], float), 0,
              np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
    h.changeColsIntegrality(n_x, np.arange(n_x, dtype=np.int32),
                            np.full(n_x, highspy.HighsVarType.kInteger))
    h.addCols(len(cells), np.ones(len(cells)), np.zeros(len(cells)), np.full(len(cells), highspy.kHighsInf), 0,
              np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
    by_booking = {}
    for i, c in enumerate(cols):
        by_booking.setdefault((c[0], c[1]), []).append(i)
    for key, units in rows_of:
        idx = np.array(by_booking[key], np.int32)
        h.addRow(units, units, len(idx), idx, np.ones(len(idx)))
    members = {}
    for i, c in enumerate(cols):
        for w in range(c[4], c[5]):
            members.setdefault(cell_ix[(c[2], w)], []).append(i)
    for j, (tier, week) in enumerate(cells):
        idx = np.array(members[j] + [n_x + j], np.int32)
        vals = np.array([1.0] * len(members[j]) + [-1.0])
        h.addRow(-highspy.kHighsInf, float(free[tier][week]), len(idx), idx, vals)
    run(h, "stage placement")
    values = np.round(np.asarray(h.getSolution().col_value[:n_x])).astype(np.int64)
    take = {}
    for c, n in zip(cols, values):
        if n > 0:
            take[(c[0], c[1], c[2])] = int(n)
            free[c[2]][c[4]:c[5]] -= n
    return take, free


def start_cost(cands: Candidates, tiers: pd.DataFrame, chosen: np.ndarray) -> dict:
    """Cost of a choice as the MIP counts it: ``plan_cost`` for hire, lateness, moves and pool
    shortfall; stage shortfall from ``tier_fit`` (overbooked stage-weeks) instead of the weekly
    class rows, which can pass a plan no stage assignment carries."""
    parts = plan_cost(cands, chosen, kinds=("pool",))
    _, free = tier_fit(cands, tiers, chosen)
    parts["shortfall"] += sum(int(np.maximum(0, -f).sum()) for f in free.values())
    return parts


def repair_stages(cands: Candidates, tiers: pd.DataFrame, chosen: np.ndarray, tries: int = 8,
                  seconds: float = 0.5, reach: int = 26, rounds: int | None = None) -> np.ndarray:
    """Shift productions off overbooked stages, measured as the MIP measures them (``start_cost``).

    While ``tier_fit`` leaves a tier overbooked in some week: each production with a stage
    booking in such a week tries its ``tries`` shifts (all its phases by the same weeks, up to
    ``reach``) cheapest by the weekly rows; the single shift that lowers ``start_cost`` most (least
    shortfall, then money) is made. Stops when no shift helps, after ``seconds`` or, when
    ``rounds`` is given, after that many shifts with no time cut (the same input then always gives
    the same plan). The weekly
    class rows that guide ``improve`` cannot see a stage that must be held for a whole block; this
    step can.
    """
    t0 = time.perf_counter()
    lot = CellCosts(cands)
    first, last = combo_ranges(cands)
    combo_unit = cands.combos["unit"].to_numpy()
    move = cands.combos["move_cost"].to_numpy()
    late = cands.combos["late_cost"].to_numpy()
    groups = {pid: g["unit"].to_numpy() for pid, g in cands.units.groupby("production_id", sort=False)
              if not g["fixed"].any()}
    unit_prod = cands.units["production_id"].to_numpy()
    chosen = chosen.copy()
    cost = rank(start_cost(cands, tiers, chosen))
    seconds = float("inf") if rounds is not None else seconds
    made = 0
    while time.perf_counter() - t0 < seconds and (rounds is None or made < rounds):
        _, free = tier_fit(cands, tiers, chosen)
        over = {(k, int(w)) for k, f in free.items() for w in np.flatnonzero(f < 0)}
        if not over:
            break
        book = cands.bookings[cands.bookings["combo"].isin(chosen)]
        involved = {unit_prod[combo_unit[r.combo]] for r in book.itertuples(index=False)
                    if any((k, w) in over for k in free for w in range(max(0, r.first_week), r.end_week))}
        best = (cost, None)
        for pid in sorted(p for p in involved if p in groups):
            mine = groups[pid]
            load = cell_load(cands, chosen) - lot.cover_of(chosen[mine])
            moves = [d for d in shifts(chosen, mine, first, last, reach) if d]
            guess = [lot.added_set(load, chosen[mine] + d) + move[chosen[mine] + d].sum() + late[chosen[mine] + d].max()
                     for d in moves]
            for k in np.argsort(guess, kind="stable")[:tries]:
                trial = chosen.copy()
                trial[mine] += moves[k]
                trial_cost = rank(start_cost(cands, tiers, trial))
                if trial_cost < best[0]:
                    best = (trial_cost, trial)
            if time.perf_counter() - t0 >= seconds:
                break
        if best[1] is None:
            break
        cost, chosen = best
        made += 1
    return chosen
