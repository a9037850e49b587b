"""The slate plan as a mixed-integer program (PuLP): building only, one function per constraint
family. Solving is ``planning.optimizer.solve``; reading a plan back is ``planning.optimizer.results``.

Sets and data (see ``planning.optimizer.candidates``): units ``u`` (one per phase) and their
combos ``c in C(u)`` (every start week its window, links and lock allow); cells ``(r, w)`` (a
capacity row and a week) with capacity ``cap[r,w]``; ``a[c,r,w]`` is the load combo ``c`` puts
on cell ``(r,w)``, ``move[c]`` its move cost (zero for an undated phase), ``tail[c]`` the weeks
late its production is at least (``late[c] / late_cost[p]``), ``hcost[r]``/``hmax[r]`` the
hire-in price and limit of pool ``r``.

Variables: ``y[c]`` binary (combo ``c`` is chosen), ``z[u,t]`` its running sum over a unit's weeks
(``Steps``: started by week ``t``), ``x[c,b,k]`` stages of tier ``k`` taken by
size booking ``b``, ``hire[r,w] in [0, hmax[r]]``, ``short[r,w] >= 0`` (capacity no one has),
``late[p] >= 0`` (weeks late).

Two objectives over the same rows: the *shortfall* ``sum short[r,w]`` (unit-weeks nobody can
cover) and the *money* ``sum hcost[r] hire[r,w] + sum late_cost[p] late[p] + sum move[c] y[c]``.
The solver minimizes the first, then the second with the first held at its least
(``planning.optimizer.solve``).

Cells whose largest possible load is within capacity get no row. ``active`` (optional) leaves
out combos that cannot be in a plan better than a known one (``prune``); the reported bound stays
the full problem's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pulp

from planning.optimizer.candidates import Candidates
from planning.optimizer.stages import tier_options


@dataclass
class PlanModel:
    """A built model: the PuLP problem, its variables by key and its two objectives."""

    cands: Candidates
    tiers: pd.DataFrame
    prob: pulp.LpProblem
    y: dict[int, pulp.LpVariable]               # combo -> choice
    x: dict[tuple, pulp.LpVariable]             # (combo, booking, tier) -> stages of the tier taken
    tier_short: dict[tuple, pulp.LpVariable]    # (tier, week) -> shortfall
    steps: Steps                                # z[u,t]: unit u started by week t
    chains: dict[tuple, dict]                   # (unit, booking, tier) -> {"x": {week: x}, "run": {week: X}}
    hire: dict[int, pulp.LpVariable]            # cell -> hired units
    short: dict[int, pulp.LpVariable]           # cell -> shortfall units
    late: dict[str, pulp.LpVariable]            # production -> weeks late
    parts: dict[str, pulp.LpAffineExpression]   # money: hire, lateness, moves
    shortfall: pulp.LpAffineExpression          # unit-weeks short


def _name(*keys) -> str:
    return "_".join(str(k) for k in keys)


def define_choice(prob: pulp.LpProblem, cands: Candidates, active: np.ndarray) -> dict[int, pulp.LpVariable]:
    """Windows and locks: ``sum_{c in C(u)} y[c] = 1`` for every unit ``u`` (``choice_<unit>``).

    ``C(u)`` holds only the starts inside the phase's window (its production's earliest and
    latest start, its links' earliest and latest starts, the grid); a locked phase has one.
    """
    combos = cands.combos.iloc[active]
    y = {int(c): pulp.LpVariable(f"y_{c}", lowBound=0, upBound=1, cat="Binary") for c in combos["combo"]}
    for u, group in combos.groupby("unit"):
        prob += pulp.lpSum(y[int(c)] for c in group["combo"]) == 1, _name("choice", u)
    return y


class Steps:
    """Step variables ``z[u,t] = sum_{s <= t} y[u,s]`` ("unit ``u`` has started by week ``t``"),
    one per unit and week strictly inside its active range: ``z[u,t] - z[u,t-1] - y[u,t] = 0``
    (``step_<unit>_<week>``); before the range ``z = 0``, from its last week on ``z = 1``.

    They are a change of variables, not a relaxation: the LP is as strong as the sums of ``y``
    they replace, with far fewer nonzeros (a link row has two terms instead of two sums of up to
    a window's length; a capacity row two terms per demand instead of one per start week that
    covers the week).
    """

    def __init__(self, prob: pulp.LpProblem, cands: Candidates, y: dict):
        start = cands.combos["start_week"].to_numpy()
        unit = cands.combos["unit"].to_numpy()
        self.y, self.z, self.lo, self.hi = y, {}, {}, {}
        active = np.fromiter(y, dtype=np.int64)
        for u, combos in pd.Series(active).groupby(unit[active]):
            by_week = {int(start[c]): int(c) for c in combos}     # pruned weeks inside the range add nothing
            self.lo[u], self.hi[u] = min(by_week), max(by_week)
            previous = None
            for t in range(self.lo[u], self.hi[u]):
                z = self.z[(u, t)] = pulp.LpVariable(_name("z", u, t), lowBound=0, upBound=1)
                terms = [(z, 1)] + ([(y[by_week[t]], -1)] if t in by_week else [])
                terms += [(previous, -1)] if previous is not None else []
                prob += pulp.LpConstraint(pulp.LpAffineExpression(terms), pulp.LpConstraintEQ, _name("step", u, t), 0)
                previous = z

    def upto(self, u: int, t: int) -> pulp.LpAffineExpression | int:
        """``sum_{s <= t} y[u,s]``: 0, 1 or a step variable."""
        if t < self.lo[u]:
            return 0
        if t >= self.hi[u]:
            return 1
        return self.z[(u, t)]

    def between(self, u: int, a: int, b: int) -> pulp.LpAffineExpression | int:
        """``sum_{a <= s <= b} y[u,s]``: started by ``b`` and not by ``a - 1``."""
        if b < a:
            return 0
        return self.upto(u, b) - self.upto(u, a - 1)


def define_precedence(prob: pulp.LpProblem, cands: Candidates, steps: Steps) -> None:
    """Links, disaggregated by week (the strong time-indexed form), on the step variables.

    For a link ``a -> b`` with min lag ``L`` (``start_b >= start_a + d_a + L``), every week ``t``:
    ``z[b,t] <= z[a, t - d_a - L]`` (``precedence_<prod>_<a>_<b>_<t>``). With a max lag ``M``
    (``start_b <= start_a + d_a + M``): ``z[a,t] <= z[b, t + d_a + M]`` (``maxlag_<prod>_<a>_<b>_<t>``),
    up to ``a``'s last start, where ``z[a,t]`` is the constant 1.
    Weeks where a side is the constant 0 or 1 and the row cannot bind are left out.
    """
    for r in cands.links.itertuples(index=False):
        a, b = int(r.before_unit), int(r.after_unit)
        shift = int(r.before_duration + r.min_lag)
        for t in range(steps.lo[b], steps.hi[b]):
            if t - shift >= steps.hi[a]:
                break
            prob += (steps.upto(b, t) <= steps.upto(a, t - shift),
                     _name("precedence", r.production_id, r.before_phase, r.after_phase, t))
        if r.max_lag is None or pd.isna(r.max_lag):
            continue
        reach = int(r.before_duration + r.max_lag)
        for t in range(steps.lo[a], steps.hi[a] + 1):      # at hi[a] a has surely started: b by hi[a] + reach
            if t + reach >= steps.hi[b]:
                break
            if t == steps.hi[a] and isinstance(steps.upto(b, t + reach), int):
                break                                      # 1 <= 0: no start of b keeps the lag (links dropped)
            prob += (steps.upto(a, t) <= steps.upto(b, t + reach),
                     _name("maxlag", r.production_id, r.before_phase, r.after_phase, t))


def held(cands: Candidates, steps: Steps, cells: np.ndarray) -> dict[int, pulp.LpAffineExpression]:
    """Named demands' load on each cell ``(r, w)``: ``sum units * sum_{w - after < s <= w + before}
    y[u,s]``, each inner sum two step terms (``Steps.between``)."""
    out = {}
    h = cands.holds
    by_row: dict[int, list[tuple[int, int, int, int]]] = {}
    for row, unit, units, after, before in zip(*(h[c].to_numpy(np.int64).tolist()
                                                   for c in ("row", "unit", "units", "after", "before"))):
        by_row.setdefault(row, []).append((unit, units, after, before))
    for cell in sorted(set(cells.tolist())):
        row, week = divmod(int(cell), cands.weeks)
        if row not in by_row:
            continue
        terms: dict = {}
        constant = 0
        for unit, units, after, before in by_row[row]:
            part = steps.between(unit, week - after + 1, week + before)
            if isinstance(part, pulp.LpVariable):
                part = pulp.LpAffineExpression(part)
            if isinstance(part, pulp.LpAffineExpression):
                for var, coef in part.items():
                    terms[var] = terms.get(var, 0) + units * coef
                part = part.constant
            constant += units * part
        out[int(cell)] = pulp.LpAffineExpression({v: c for v, c in terms.items() if c}, constant=constant)
    return out


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


def define_stage_capacity(prob: pulp.LpProblem, cands: Candidates, tiers: pd.DataFrame, y: dict, steps: Steps,
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
    (``stage_<tier>_<week>``), each booking's sum written with running sums over its start weeks
    (``X_<unit>_<booking>_<tier>_<week>``, as ``Steps``), two terms a week. Blocks on identical stages are intervals, and intervals with at
    most ``n_k`` overlapping in any week can be coloured with ``n_k`` stages, so the pooled rows
    are exact: ``planning.results.assign_stages`` then names the stages.
    Explicit stage ``s``, week ``w``: ``sum_c a[c,s,w] y[c] + sum_{(c,b) holds w} x[c,b,s]
    - short[s,w] <= cap[s,w]`` (``stage_<stage>_<week>``; ``a`` are named demands, every one of
    them in every week a size booking may take the stage).
    Returns the ``x`` and tier shortfall variables, and the running sums by booking and tier.
    """
    weeks = cands.weeks
    cap = cands.capacity.ravel()
    row_kind = cands.rows["kind"].to_numpy()
    book = cands.bookings[cands.bookings["combo"].isin(list(y))]
    combo_unit = cands.combos["unit"].to_numpy()
    start = cands.combos["start_week"].to_numpy()
    tier_rows = list(tiers.itertuples(index=False))
    x, chains = {}, {}      # chains: (unit, booking, tier) -> {start week: x}, with the block's shape
    for r in book.itertuples(index=False):
        lo, hi = max(0, r.first_week), min(weeks, r.end_week)
        if lo >= hi:
            continue
        row = []
        for tier, ub, base in tier_options(tier_rows, cap, weeks, r.min_size, int(r.units), lo, hi):
            v = x[(r.combo, r.booking, tier)] = pulp.LpVariable(_name("x", r.combo, r.booking, tier), 0, ub,
                                                                cat="Integer")
            row.append(v)
            s0 = int(start[r.combo])
            chain = chains.setdefault((int(combo_unit[r.combo]), int(r.booking), tier),
                                      {"x": {}, "ub": 0, "base": base, "before": s0 - int(r.first_week),
                                       "after": int(r.end_week) - s0})
            chain["x"][s0] = v
            chain["ub"] = max(chain["ub"], ub)
        prob += pulp.lpSum(row) == int(r.units) * y[r.combo], _name("booking", r.combo, r.booking)
    terms, potential = {}, {}
    for (u, b, tier), chain in chains.items():
        held_by = _tier_steps(prob, chain, _name("X", u, b, tier))
        first, last = min(chain["x"]), max(chain["x"])
        for w in range(max(0, first - chain["before"]), min(weeks, last + chain["after"])):
            key = (tier, w) if chain["base"] is None else chain["base"] + w
            terms.setdefault(key, []).append(held_by(w - chain["after"] + 1, w + chain["before"]))
            potential[key] = potential.get(key, 0) + chain["ub"]
    tier_cap = dict(zip(tiers["tier"], tiers["capacity"]))
    explicit_cells = {k for k in terms if not isinstance(k, tuple)}
    named = np.array(sorted({int(c) for c in cells if row_kind[c // weeks] == "stage"} | explicit_cells), dtype=np.int64)
    loads = held(cands, steps, named) if len(named) else {}
    most_named = _peak(cands, np.fromiter(y, dtype=np.int64), named).to_dict()
    tier_short = {}
    for key in sorted(set(terms) | set(loads), key=str):
        if isinstance(key, tuple):
            tier, week = key
            if potential[key] <= tier_cap[tier]:
                continue
            tier_short[key] = pulp.LpVariable(_name("short", tier, week), lowBound=0)
            expr = pulp.lpSum(terms[key]) - tier_short[key]
            prob += pulp.LpConstraint(expr, pulp.LpConstraintLE, _name("stage", tier, week), int(tier_cap[tier]))
            continue
        rid, week = cands.cell_label(key)
        expr = loads.get(key, pulp.LpAffineExpression()) + pulp.lpSum(terms.get(key, []))
        if key not in short and key in explicit_cells and most_named.get(key, 0) + potential[key] > cap[key]:
            short[key] = pulp.LpVariable(_name("short", rid, week), lowBound=0)   # a size booking may land here
        if key in short:
            expr -= short[key]
        prob += pulp.LpConstraint(expr, pulp.LpConstraintLE, _name("stage", rid, week), int(cap[key]))
    return x, tier_short, chains


def _tier_steps(prob: pulp.LpProblem, chain: dict, name: str):
    """Running sums ``X[t] = sum_{s <= t} x[s]`` of one booking's stages on one tier over its start
    weeks (``<name>_<t>``, kept in ``chain["run"]``), as for ``Steps``; returns ``between(a, b) =
    sum_{a <= s <= b} x[s]``."""
    xs = chain["x"]
    first, last = min(xs), max(xs)
    run, previous = chain.setdefault("run", {}), None
    for t in range(first, last + 1):
        v = run[t] = pulp.LpVariable(f"{name}_{t}", lowBound=0)
        expr = pulp.LpAffineExpression([(v, 1)] + ([(xs[t], -1)] if t in xs else [])
                                       + ([(previous, -1)] if previous is not None else []))
        prob += pulp.LpConstraint(expr, pulp.LpConstraintEQ, f"{name}_{t}", 0)
        previous = v

    def upto(t: int):
        return 0 if t < first else run[min(t, last)]

    def between(a: int, b: int):
        return upto(b) - upto(a - 1)
    return between


def _peak(cands: Candidates, active: np.ndarray, cells: np.ndarray | None = None) -> pd.Series:
    """The largest load each cell can carry from the ``active`` combos (each unit at its heaviest
    combo there, summed), for ``cells`` (default: every cell any of them touches)."""
    mask = np.isin(cands.cover_combo, active)
    if cells is not None:
        mask &= np.isin(cands.cover_cell, cells)
    unit = cands.combos["unit"].to_numpy()[cands.cover_combo[mask]]
    frame = pd.DataFrame({"unit": unit, "cell": cands.cover_cell[mask], "units": cands.cover_units[mask]})
    return frame.groupby(["cell", "unit"])["units"].max().groupby(level="cell").sum()


def define_pool_capacity(prob: pulp.LpProblem, cands: Candidates, steps: Steps, cells: np.ndarray,
                         short: dict) -> dict[int, pulp.LpVariable]:
    """Pool capacity with calendar overrides, plus hire-in up to its limit.

    Pool ``r``, week ``w``: ``load[r,w] - hire[r,w] - short[r,w] <= cap[r,w]`` with ``load`` the
    named demands holding it that week (``held``), ``0 <= hire[r,w] <= hmax[r]`` (0 where the pool
    cannot be hired or hiring is off) and ``cap[r,w]`` the calendar capacity that week.
    Constraints ``pool_<resource>_<week>``. Returns the hire variables by cell.
    """
    rows = cands.rows.set_index("row")
    mine = np.array([c for c in cells if rows.at[c // cands.weeks, "kind"] == "pool"], dtype=np.int64)
    hire = {}
    cap = cands.capacity.ravel()
    for cell, load in held(cands, steps, mine).items():
        rid, week = cands.cell_label(cell)
        expr = load - short[cell]
        hmax = int(rows.at[cell // cands.weeks, "hire_max"])
        if hmax > 0:
            hire[cell] = pulp.LpVariable(_name("hire", rid, week), lowBound=0, upBound=hmax)
            expr -= hire[cell]
        prob += pulp.LpConstraint(expr, pulp.LpConstraintLE, _name("pool", rid, week), int(cap[cell]))
    return hire


def define_lateness(prob: pulp.LpProblem, cands: Candidates, y: dict) -> dict[str, pulp.LpVariable]:
    """Weeks late: ``late[p] >= sum_c tail[c] y[c]`` over the combos of each phase ``j`` of ``p``
    with a positive ``tail[c] = max(0, start(c) + tail_j - target[p])`` (``lateness_<prod>_<phase>``).

    ``tail_j`` is the longest path from ``j``'s start to the end of its production, so every row
    is valid and the last phases' rows are exact; each is the convex lateness of one phase taken
    per start week, much stronger in the LP than ``late[p] >= finish - target``. Productions with no
    lateness cost get none.
    """
    late = {}
    combos = cands.combos[cands.combos["combo"].isin(list(y)) & (cands.combos["late_cost"] > 0)]
    cost = cands.productions.set_index("production_id")["late_cost"]
    for (pid, unit), group in combos.groupby(["production_id", "unit"]):
        if pid not in late:
            late[pid] = pulp.LpVariable(_name("late", pid), lowBound=0)
        weeks = group["late_cost"].to_numpy() / float(cost[pid])
        expr = pulp.LpAffineExpression([(y[int(c)], float(w)) for c, w in zip(group["combo"], weeks)])
        prob += late[pid] >= expr, _name("lateness", pid, cands.units["phase_id"].iat[unit])
    return late


def move_cost(cands: Candidates, y: dict) -> pulp.LpAffineExpression:
    """Moves away from the planned start: ``sum_c move[c] y[c]``, ``move[c] = weight * |start(c) -
    planned|`` for a phase with a planned start, 0 for an undated one."""
    move = cands.combos["move_cost"].to_numpy()
    return pulp.LpAffineExpression([(v, float(move[c])) for c, v in y.items() if move[c]])


def own_cost_bounds(cands: Candidates) -> tuple[np.ndarray, float]:
    """``(own, floor)``: for every combo, the least moves and lateness of its production in any
    plan that uses it, and the least moves and lateness of the whole slate.

    A production's moves are at least the sum of its phases' least moves, its lateness at least
    the largest of its phases' least lateness bounds; a plan using combo ``c`` of phase ``j``
    pays at least ``move[c]`` plus its siblings' least moves, and at least ``late[c]``.
    """
    co = cands.combos
    unit_min = co.groupby("unit").agg(move=("move_cost", "min"), late=("late_cost", "min"))
    units = cands.units.join(unit_min, on="unit")
    least_move = units.groupby("production_id")["move"].sum()
    least_late = units.groupby("production_id")["late"].max()
    pid = co["production_id"]
    sib_move = least_move.reindex(pid).to_numpy() - unit_min["move"].reindex(co["unit"]).to_numpy()
    own = co["move_cost"].to_numpy() + sib_move + np.maximum(co["late_cost"].to_numpy(),
                                                             least_late.reindex(pid).to_numpy())
    floor_p = least_move + least_late
    return own - floor_p.reindex(pid).to_numpy(), float(floor_p.sum())


def prune(cands: Candidates, upper: float, keep: np.ndarray) -> np.ndarray:
    """Combos that can still be in a plan whose money is at most ``upper`` (plus ``keep``).

    A plan using combo ``c`` costs at least ``floor + extra(c)`` (``own_cost_bounds``); a combo
    above ``upper`` is in no plan at least as good as the one that gave ``upper``, so the optimum
    and every valid bound are the same with or without it.
    """
    extra, floor = own_cost_bounds(cands)
    ok = floor + extra <= upper * (1 + 1e-9) + 1e-6
    ok[keep] = True
    return cands.combos["combo"].to_numpy()[ok]


def _open_cells(cands: Candidates, active: np.ndarray) -> np.ndarray:
    """Cells whose largest possible load (each unit at its heaviest active combo) exceeds capacity."""
    peak = _peak(cands, active)
    cap = cands.capacity.ravel()
    return peak.index.to_numpy()[peak.to_numpy() > cap[peak.index.to_numpy()]]


def build_model(cands: Candidates, tiers: pd.DataFrame, active: np.ndarray | None = None) -> PlanModel:
    """The MIP with every constraint family, on ``active`` combos (default: all). Its PuLP
    objective is the money; ``shortfall`` is kept beside it for the first stage of the solve."""
    active = cands.combos["combo"].to_numpy() if active is None else np.sort(active)
    cells = _open_cells(cands, active)
    cells = cells[cands.rows["kind"].to_numpy()[cells // cands.weeks] != "class"]  # the MIP uses tiers
    prob = pulp.LpProblem("slate_plan", pulp.LpMinimize)
    y = define_choice(prob, cands, active)
    steps = Steps(prob, cands, y)
    define_precedence(prob, cands, steps)
    short = define_shortfall(cands, cells)
    x, tier_short, chains = define_stage_capacity(prob, cands, tiers, y, steps, cells, short)
    hire = define_pool_capacity(prob, cands, steps, cells, short)
    late = define_lateness(prob, cands, y)
    hcost = np.repeat(cands.rows["hire_cost"].to_numpy(float), cands.weeks)
    late_cost = cands.productions.set_index("production_id")["late_cost"]
    parts = {
        "hire": pulp.LpAffineExpression([(v, float(hcost[c])) for c, v in hire.items()]),
        "lateness": pulp.LpAffineExpression([(v, float(late_cost[p])) for p, v in late.items()]),
        "moves": move_cost(cands, y),
    }
    prob += pulp.lpSum(parts.values())
    shortfall = pulp.LpAffineExpression([(v, 1.0) for v in list(short.values()) + list(tier_short.values())])
    return PlanModel(cands=cands, tiers=tiers, prob=prob, y=y, x=x, tier_short=tier_short, steps=steps, chains=chains, hire=hire,
                     short=short,
                     late=late, parts=parts, shortfall=shortfall)
