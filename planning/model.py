"""The slate plan as a mixed-integer program (PuLP), one function per constraint family.

Sets and data (see ``planning.candidates``): units ``u`` (a production moving by patterns, or a
free phase), their combos ``c in C(u)`` (a pattern and a start week inside the window), cells
``(r, w)`` (a capacity row and a week) with capacity ``cap[r,w]``; ``a[c,r,w]`` is the load combo
``c`` puts on cell ``(r,w)``, ``move[c]`` its move cost, ``late[c]`` its lateness cost (exact for a
pattern unit), ``hcost[r]``/``hmax[r]`` the hire-in price and limit of pool ``r``.

Variables: ``y[c]`` binary (combo ``c`` is chosen), ``hire[r,w] in [0, hmax[r]]``, ``short[r,w]
>= 0`` (capacity no one has), ``late[p] >= 0`` (weeks late, free-mode productions only).

Objective: ``sum hcost[r] hire[r,w] + sum late_cost[p] late[p] + sum (late[c] + move[c]) y[c]
+ shortfall_cost * sum short[r,w]``.

Before the MIP is built, a heuristic plan gives an upper bound ``UB``: the cheapest (by
``start_cost``, stages placed exactly by ``tier_fit``) of the greedy plan, the greedy plan after
local descent (``planning.heuristic``) and, for a what-if, the given start with and without descent,
then ``repair_stages`` where stages are still overbooked;
any combo whose own cost alone (plus the least own cost of every other production) exceeds
``UB`` cannot be in an optimal plan and is left out, which tightens every window. Cells whose
largest possible load is within capacity get no row.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pulp

from planning.candidates import Candidates, PlanOptions, Weights, build_candidates, cell_load, plan_cost
from planning.heuristic import CellCosts, combo_ranges, from_schedule, greedy, improve
from planning.inputs import SlateData


@dataclass
class PlanModel:
    """A built model: the PuLP problem, its variables by key, and the greedy plan it starts from."""

    data: SlateData
    options: PlanOptions
    cands: Candidates
    prob: pulp.LpProblem
    y: dict[int, pulp.LpVariable]               # combo -> choice
    x: dict[tuple, pulp.LpVariable]             # (combo, booking, tier) -> stages of the tier taken
    tier_short: dict[tuple, pulp.LpVariable]    # (tier, week) -> shortfall
    tiers: pd.DataFrame
    hire: dict[int, pulp.LpVariable]            # cell -> hired units
    short: dict[int, pulp.LpVariable]           # cell -> shortfall units
    late: dict[str, pulp.LpVariable]            # production -> weeks late (free mode)
    parts: dict[str, pulp.LpAffineExpression]   # hire, lateness, moves, shortfall
    greedy: np.ndarray                          # combo per unit
    greedy_parts: dict[str, float]
    heuristic_seconds: float
    build_seconds: float


def _name(*keys) -> str:
    return "_".join(str(k) for k in keys)


def define_choice(prob: pulp.LpProblem, cands: Candidates, active: np.ndarray) -> dict[int, pulp.LpVariable]:
    """Windows and locks: ``sum_{c in C(u)} y[c] = 1`` for every unit ``u``.

    ``C(u)`` holds only combos inside the unit's window (first start in ``earliest .. latest``,
    every phase inside the grid) with every locked phase exactly at its planned start; a fixed
    unit has one combo, so ``y = 1``. Constraint ``choice_<unit>``.
    """
    combos = cands.combos.iloc[active]
    fixed = set(cands.units.loc[cands.units["fixed"], "unit"])
    y = {int(c): pulp.LpVariable(f"y_{c}", lowBound=1 if u in fixed else 0, upBound=1, cat="Binary")
         for c, u in zip(combos["combo"], combos["unit"])}
    for u, group in combos.groupby("unit"):
        prob += pulp.lpSum(y[int(c)] for c in group["combo"]) == 1, _name("choice", u)
    return y


def define_precedence(prob: pulp.LpProblem, cands: Candidates, y: dict) -> None:
    """Links between free phases, disaggregated by week (the strong time-indexed form).

    For a link ``a -> b`` with min lag ``L`` (``start_b >= start_a + d_a + L``), every week ``t``:
    ``sum_{s <= t} y[b,s] <= sum_{s <= t - d_a - L} y[a,s]`` (``precedence_<prod>_<a>_<b>_<t>``).
    With a max lag ``M`` (``start_b <= start_a + d_a + M``):
    ``sum_{s <= t} y[a,s] <= sum_{s <= t + d_a + M} y[b,s]`` (``maxlag_<prod>_<a>_<b>_<t>``).
    Pattern units need none: their patterns keep every link.
    """
    if cands.links.empty:
        return
    start = cands.combos["start_week"].to_numpy()
    by_unit = {u: sorted((int(start[c]), c) for c in g["combo"] if c in y)
               for u, g in cands.combos.groupby("unit")}

    def upto(unit, week):
        return [y[c] for s, c in by_unit[unit] if s <= week]

    for r in cands.links.itertuples(index=False):
        a, b = by_unit[r.before_unit], by_unit[r.after_unit]
        if not a or not b:
            continue
        shift = r.before_duration + r.min_lag
        for t in sorted({s for s, _ in b}):
            if t - shift >= a[-1][0]:
                break
            prob += (pulp.lpSum(upto(r.after_unit, t)) <= pulp.lpSum(upto(r.before_unit, t - shift)),
                     _name("precedence", r.production_id, r.before_phase, r.after_phase, t))
        if r.max_lag is None or pd.isna(r.max_lag):
            continue
        reach = r.before_duration + int(r.max_lag)
        for t in sorted({s for s, _ in a}):
            if t + reach >= b[-1][0]:
                break
            prob += (pulp.lpSum(upto(r.before_unit, t)) <= pulp.lpSum(upto(r.after_unit, t + reach)),
                     _name("maxlag", r.production_id, r.before_phase, r.after_phase, t))


def define_shortfall(cands: Candidates, cells: np.ndarray) -> dict[int, pulp.LpVariable]:
    """Shortfall slack: ``short[r,w] >= 0`` on every cell that can be over capacity.

    It enters each capacity row with coefficient -1 and the objective at the (prohibitive)
    shortfall cost, so an over-committed slate still has a plan and names what it lacks.
    """
    out = {}
    for cell in cells:
        rid, week = cands.cell_label(int(cell))
        out[int(cell)] = pulp.LpVariable(_name("short", rid, week), lowBound=0)
    return out


def _loads(cands: Candidates, active: np.ndarray, cells: np.ndarray) -> dict[int, list[tuple[int, int]]]:
    """``cell -> [(combo, units)]`` for the given cells, active combos only."""
    mask = np.isin(cands.cover_combo, active) & np.isin(cands.cover_cell, cells)
    cell, combo, units = cands.cover_cell[mask], cands.cover_combo[mask], cands.cover_units[mask]
    order = np.argsort(cell, kind="stable")
    cell, combo, units = cell[order], combo[order], units[order]
    bounds = np.flatnonzero(np.diff(cell)) + 1
    out = {}
    for cs, cb, un in zip(np.split(cell, bounds), np.split(combo, bounds), np.split(units, bounds)):
        if len(cs):
            out[int(cs[0])] = list(zip(cb.tolist(), un.tolist()))
    return out


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


def _tier_options(tiers: list, cap: np.ndarray, weeks: int, min_size: float, units: int,
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
    import highspy

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
            for tier, ub, _ in _tier_options(tier_rows, cap, weeks, r.min_size, int(r.units), lo, hi):
                cols.append((r.combo, r.booking, tier, ub, lo, hi))
            rows_of.append(((r.combo, r.booking), int(r.units)))
    if not cols:
        return {}, free
    cells = sorted({(c[2], w) for c in cols for w in range(c[4], c[5])}, key=str)
    cell_ix = {cw: i for i, cw in enumerate(cells)}
    n_x = len(cols)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
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
    h.run()
    values = np.round(np.asarray(h.getSolution().col_value[:n_x])).astype(np.int64)
    take = {}
    for c, n in zip(cols, values):
        if n > 0:
            take[(c[0], c[1], c[2])] = int(n)
            free[c[2]][c[4]:c[5]] -= n
    return take, free


def start_cost(cands: Candidates, tiers: pd.DataFrame, chosen: np.ndarray, weights: Weights) -> dict[str, float]:
    """Objective parts of a choice as the MIP counts them: ``plan_cost`` for hire, lateness and
    moves and for pool shortfall; stage shortfall from ``tier_fit`` (overbooked stage-weeks)
    instead of the weekly class rows, which can pass a plan no stage assignment carries."""
    parts = plan_cost(cands, chosen, weights, kinds=("pool",))
    _, free = tier_fit(cands, tiers, chosen)
    over = sum(int(np.maximum(0, -f).sum()) for f in free.values())
    parts["shortfall"] += over * weights.shortfall_cost_per_unit_week
    return parts


def repair_stages(cands: Candidates, tiers: pd.DataFrame, chosen: np.ndarray, weights: Weights,
                  tries: int = 8, seconds: float = 0.5) -> np.ndarray:
    """Move productions off overbooked stages, measured as the MIP measures them (``start_cost``).

    While ``tier_fit`` leaves a tier overbooked in some week: each movable production with a
    stage booking in such a week tries its ``tries`` combos cheapest by ``plan_cost`` (the others
    fixed); the single move that lowers ``start_cost`` most is made. Stops when no move helps or
    after ``seconds``. The weekly class rows that guide ``improve`` cannot see a stage that must
    be held for a whole block; this step can.
    """
    t0 = time.perf_counter()
    lot = CellCosts(cands, weights)
    units = cands.units
    movable = set(units.loc[~units["fixed"].astype(bool) & units["phase_id"].isna(), "unit"])
    combo_unit = cands.combos["unit"].to_numpy()
    first, last = combo_ranges(cands)
    own = cands.combos["move_cost"].to_numpy() + cands.combos["late_cost"].to_numpy()
    total = lambda c: sum(start_cost(cands, tiers, c, weights).values())
    chosen, cost = chosen.copy(), total(chosen)
    while time.perf_counter() - t0 < seconds:
        _, free = tier_fit(cands, tiers, chosen)
        over = {(k, int(w)) for k, f in free.items() for w in np.flatnonzero(f < 0)}
        if not over:
            break
        book = cands.bookings[cands.bookings["combo"].isin(chosen)]
        involved = {int(combo_unit[r.combo]) for r in book.itertuples(index=False)
                    if any((k, w) in over for k in free for w in range(max(0, r.first_week), r.end_week))}
        best = (cost, None)
        for u in sorted(involved & movable):
            load = cell_load(cands, chosen) - lot.cover(chosen[u])
            options = np.arange(first[u], last[u])
            ranked = options[np.argsort(lot.added(load, options) + own[options], kind="stable")]
            for c in ranked[:tries]:
                if c == chosen[u]:
                    continue
                trial = chosen.copy()
                trial[u] = c
                trial_cost = total(trial)
                if trial_cost < best[0] - 1e-6:
                    best = (trial_cost, trial)
            if time.perf_counter() - t0 >= seconds:
                break
        if best[1] is None:
            break
        cost, chosen = best
    return chosen


def define_stage_capacity(prob: pulp.LpProblem, cands: Candidates, tiers: pd.DataFrame, y: dict,
                          cells: np.ndarray, short: dict) -> tuple[dict, dict]:
    """One production per stage per week, one stage for a whole booking, stages pooled by size.

    Tiers: the plain stages of one size (open every week, never named) pooled, with ``n_k``
    stages; each explicit stage (named by a demand, or with a calendar change) alone, with its
    calendar capacity ``cap[s,w]``. Size booking ``b`` of combo ``c`` (``units[b]`` stages of at
    least ``min_size[b]`` for its block of weeks, lead and tail included) is split over the tiers
    it may use: ``x[c,b,k]`` integer in ``0 .. min(units[b], n_k)`` for a plain tier at least
    ``min_size[b]``; binary for an explicit stage that size and open for the whole block.
    Booking: ``sum_k x[c,b,k] = units[b] y[c]`` (``booking_<combo>_<b>``).
    Plain tier ``k``, week ``w``: ``sum_{(c,b) holds w} x[c,b,k] - short[k,w] <= n_k``
    (``stage_<tier>_<week>``). Blocks on identical stages are intervals, and intervals with at
    most ``n_k`` overlapping in any week can be coloured with ``n_k`` stages, so the pooled rows
    are exact: ``planning.results.assign_stages`` then names the stages.
    Explicit stage ``s``, week ``w``: ``sum_c a[c,s,w] y[c] + sum_{(c,b) holds w} x[c,b,s]
    - short[s,w] <= cap[s,w]`` (``stage_<stage>_<week>``; ``a`` are named demands).
    Returns ``(x, tier shortfall)`` variables.
    """
    weeks = cands.weeks
    cap = cands.capacity.ravel()
    row_kind = cands.rows["kind"].to_numpy()
    book = cands.bookings[cands.bookings["combo"].isin(list(y))]
    combo_unit = cands.combos["unit"].to_numpy()
    tier_rows = list(tiers.itertuples(index=False))
    x, terms, potential = {}, {}, {}
    for r in book.itertuples(index=False):
        lo, hi = max(0, r.first_week), min(weeks, r.end_week)
        if lo >= hi:
            continue
        row = []
        for tier, ub, base in _tier_options(tier_rows, cap, weeks, r.min_size, int(r.units), lo, hi):
            v = x[(r.combo, r.booking, tier)] = pulp.LpVariable(_name("x", r.combo, r.booking, tier), 0, ub,
                                                                cat="Integer")
            row.append(v)
            for w in range(lo, hi):
                key = (tier, w) if base is None else base + w
                terms.setdefault(key, []).append((v, 1))
                per_combo = potential.setdefault(key, {}).setdefault(combo_unit[r.combo], {})
                per_combo[r.combo] = per_combo.get(r.combo, 0) + ub
        prob += pulp.lpSum(row) == int(r.units) * y[r.combo], _name("booking", r.combo, r.booking)
    tier_cap = dict(zip(tiers["tier"], tiers["capacity"]))
    named = np.array([c for c in cells if row_kind[c // weeks] == "stage"], dtype=np.int64)
    loads = _loads(cands, np.fromiter(y, dtype=np.int64), named) if len(named) else {}
    tier_short = {}
    for key in sorted(set(terms) | set(loads), key=str):
        if isinstance(key, tuple):
            tier, week = key
            if sum(max(c.values()) for c in potential[key].values()) <= tier_cap[tier]:
                continue
            tier_short[key] = pulp.LpVariable(_name("short", tier, week), lowBound=0)
            expr = pulp.LpAffineExpression(terms[key] + [(tier_short[key], -1)])
            prob += pulp.LpConstraint(expr, pulp.LpConstraintLE, _name("stage", tier, week), int(tier_cap[tier]))
            continue
        rid, week = cands.cell_label(key)
        parts = [(y[c], u) for c, u in loads.get(key, [])] + terms.get(key, [])
        if key in short:
            parts.append((short[key], -1))
        prob += pulp.LpConstraint(pulp.LpAffineExpression(parts), pulp.LpConstraintLE, _name("stage", rid, week),
                                  int(cap[key]))
    return x, tier_short


def define_pool_capacity(prob: pulp.LpProblem, cands: Candidates, y: dict, cells: np.ndarray,
                         short: dict) -> dict[int, pulp.LpVariable]:
    """Pool capacity with calendar overrides, plus hire-in up to its limit.

    Pool ``r``, week ``w``: ``sum_c a[c,r,w] y[c] - hire[r,w] - short[r,w] <= cap[r,w]`` with
    ``0 <= hire[r,w] <= hmax[r]`` (0 where the pool cannot be hired or hiring is off) and
    ``cap[r,w]`` the calendar capacity that week. Constraints ``pool_<resource>_<week>``.
    Returns the hire variables by cell.
    """
    rows = cands.rows.set_index("row")
    mine = np.array([c for c in cells if rows.at[c // cands.weeks, "kind"] == "pool"], dtype=np.int64)
    hire = {}
    if not len(mine):
        return hire
    cap = cands.capacity.ravel()
    for cell, terms in _loads(cands, np.fromiter(y, dtype=np.int64), mine).items():
        rid, week = cands.cell_label(cell)
        extra = [(short[cell], -1)]
        hmax = int(rows.at[cell // cands.weeks, "hire_max"])
        if hmax > 0:
            hire[cell] = pulp.LpVariable(_name("hire", rid, week), lowBound=0, upBound=hmax)
            extra.append((hire[cell], -1))
        expr = pulp.LpAffineExpression([(y[c], u) for c, u in terms] + extra)
        prob += pulp.LpConstraint(expr, pulp.LpConstraintLE, _name("pool", rid, week), int(cap[cell]))
    return hire


def define_lateness(prob: pulp.LpProblem, cands: Candidates, y: dict) -> dict[str, pulp.LpVariable]:
    """Lateness of free-mode productions: ``late[p] >= sum_t (t + d_j) y[j,t] - target[p]``.

    One row per phase ``j`` of ``p`` with no successor (``lateness_<prod>_<phase>``), ``late[p]
    >= 0``. A pattern production's lateness is fixed by its combo and sits in the objective as
    ``late[c] = late_cost[p] * max(0, t + span_k - target[p])``: no variable, no row.
    """
    free = cands.phases[cands.phases["free"]]
    if free.empty:
        return {}
    late = {}
    has_succ = set(zip(cands.links["production_id"], cands.links["before_phase"]))
    combos = cands.combos
    targets = cands.productions.set_index("production_id")["target_week"]
    for r in free.itertuples(index=False):
        if (r.production_id, r.phase_id) in has_succ:
            continue
        if r.production_id not in late:
            late[r.production_id] = pulp.LpVariable(_name("late", r.production_id), lowBound=0)
        mine = combos[combos["unit"] == r.unit]
        ends = pulp.LpAffineExpression([(y[c], int(e)) for c, e in zip(mine["combo"], mine["end_week"]) if c in y])
        prob += (late[r.production_id] >= ends - int(targets[r.production_id]),
                 _name("lateness", r.production_id, r.phase_id))
    return late


def move_cost(cands: Candidates, y: dict) -> pulp.LpAffineExpression:
    """Moves away from the planned start: ``sum_c move[c] y[c]``, ``move[c] = weight * sum_j |start_j(c) - planned_j|``."""
    move = cands.combos["move_cost"].to_numpy()
    return pulp.LpAffineExpression([(v, float(move[c])) for c, v in y.items() if move[c]])


def _prune(cands: Candidates, upper: float, keep: np.ndarray) -> np.ndarray:
    """Combos that can still be in a plan costing at most ``upper`` (plus every combo in ``keep``).

    A production's own cost (moves and lateness) is at least ``own(c)`` for each of its combos
    ``c`` and at least ``LB_p`` (its least own cost); the plan costs at least ``own(c) + sum_{q != p}
    LB_q``. For a free phase ``own(c) = move(c) + sum of its siblings' least moves + max(late(c),
    siblings' least lateness bound)``.
    """
    co = cands.combos
    unit_min = co.groupby("unit").agg(move=("move_cost", "min"), late=("late_cost", "min"))
    units = cands.units.join(unit_min, on="unit")
    free = units["phase_id"].notna()
    own_min_move = units.groupby("production_id")["move"].sum()
    max_min_late = units.groupby("production_id")["late"].max()
    pattern_min = (co["move_cost"] + co["late_cost"]).groupby(co["production_id"]).min()
    lb = pd.Series(np.where(units.groupby("production_id")["phase_id"].apply(lambda s: s.notna().any()),
                            own_min_move + max_min_late, pattern_min.reindex(own_min_move.index)),
                   index=own_min_move.index)
    unit_free = free.to_numpy()[co["unit"].to_numpy()]
    sib_move = own_min_move.reindex(co["production_id"]).to_numpy() - unit_min["move"].reindex(co["unit"]).to_numpy()
    own_free = co["move_cost"].to_numpy() + sib_move + np.maximum(
        co["late_cost"].to_numpy(), max_min_late.reindex(co["production_id"]).to_numpy())
    own = np.where(unit_free, own_free, co["move_cost"].to_numpy() + co["late_cost"].to_numpy())
    others = lb.sum() - lb.reindex(co["production_id"]).to_numpy()
    ok = own + others <= upper * (1 + 1e-9) + 1e-6
    ok[keep] = True
    return co["combo"].to_numpy()[ok]


def _open_cells(cands: Candidates, active: np.ndarray) -> np.ndarray:
    """Cells whose largest possible load (each unit at its heaviest active combo) exceeds capacity."""
    mask = np.isin(cands.cover_combo, active)
    unit = cands.combos["unit"].to_numpy()[cands.cover_combo[mask]]
    frame = pd.DataFrame({"unit": unit, "cell": cands.cover_cell[mask], "units": cands.cover_units[mask]})
    peak = frame.groupby(["cell", "unit"])["units"].max().groupby(level="cell").sum()
    cap = cands.capacity.ravel()
    return peak.index.to_numpy()[peak.to_numpy() > cap[peak.index.to_numpy()]]


def build_model(data: SlateData, options: PlanOptions | None = None, progress=None,
                start: pd.DataFrame | None = None) -> PlanModel:
    """Candidates, heuristic plan (greedy, local descent, stage repair), pruned windows, then the
    MIP with every constraint family.

    ``start`` (optional, a schedule: production_id, phase_id, start_week) is a plan to start from,
    e.g. the baseline for a what-if: improved by the same descent, where it is cheaper than the
    heuristic plan (by ``start_cost``) it replaces it as the incumbent and the bound used to prune.
    ``progress`` (optional) is called with ``{"stage": "heuristic"|"building", "elapsed": s}``.
    """
    options = options or PlanOptions()
    t0 = time.perf_counter()
    report = progress or (lambda info: None)
    report({"stage": "heuristic", "elapsed": 0.0})
    cands = build_candidates(data, options)
    tiers = stage_tiers(cands, data)
    first = greedy(cands, options.weights, extra_orders=options.heuristic_orders)[0]
    starts = [first, improve(cands, options.weights, first)]
    if start is not None:
        given = from_schedule(cands, start, first)
        starts += [given, improve(cands, options.weights, given)]
    costed = [(start_cost(cands, tiers, c, options.weights), c) for c in starts]
    parts, chosen = min(costed, key=lambda pc: sum(pc[0].values()))
    if parts["shortfall"] > 0:
        chosen = repair_stages(cands, tiers, chosen, options.weights)
        parts = start_cost(cands, tiers, chosen, options.weights)
    heuristic_seconds = time.perf_counter() - t0
    report({"stage": "building", "elapsed": heuristic_seconds})
    active = _prune(cands, sum(parts.values()), chosen)
    cells = _open_cells(cands, active)
    cells = cells[cands.rows["kind"].to_numpy()[cells // cands.weeks] != "class"]  # the MIP uses tiers
    prob = pulp.LpProblem("slate_plan", pulp.LpMinimize)
    y = define_choice(prob, cands, active)
    define_precedence(prob, cands, y)
    short = define_shortfall(cands, cells)
    x, tier_short = define_stage_capacity(prob, cands, tiers, y, cells, short)
    hire = define_pool_capacity(prob, cands, y, cells, short)
    late = define_lateness(prob, cands, y)
    hcost = np.repeat(cands.rows["hire_cost"].to_numpy(float), cands.weeks)
    late_cost = cands.productions.set_index("production_id")["late_cost"]
    free_units = set(cands.units.loc[cands.units["phase_id"].notna(), "unit"])
    combo_late = cands.combos["late_cost"].to_numpy()
    combo_unit = cands.combos["unit"].to_numpy()
    expr = {
        "hire": pulp.LpAffineExpression([(v, float(hcost[c])) for c, v in hire.items()]),
        "lateness": pulp.LpAffineExpression(
            [(v, float(combo_late[c])) for c, v in y.items() if combo_late[c] and combo_unit[c] not in free_units]
            + [(v, float(late_cost[p])) for p, v in late.items()]),
        "moves": move_cost(cands, y),
        "shortfall": pulp.LpAffineExpression(
            [(v, options.weights.shortfall_cost_per_unit_week) for v in list(short.values()) + list(tier_short.values())]),
    }
    prob += pulp.lpSum(expr.values())
    return PlanModel(data=data, options=options, cands=cands, prob=prob, y=y, x=x, tier_short=tier_short, tiers=tiers, hire=hire, short=short, late=late,
                     parts=expr, greedy=chosen, greedy_parts=parts, heuristic_seconds=heuristic_seconds,
                     build_seconds=time.perf_counter() - t0 - heuristic_seconds)
