"""Column generation over whole-production schedules (Dantzig-Wolfe on the time-indexed model).

The *restricted master* (built with PuLP, solved by HiGHS) chooses one schedule per production
from a pool of columns (``planning.optimizer.pricing.Column``):

- ``schedule_<b>``:   ``sum_{j of b} lambda_j = 1`` for every block ``b`` (a production, or
  productions sharing a stage of capacity one: ``planning.optimizer.pricing``; dual ``pi_b``);
- ``capacity_<r>``:   ``sum_j a[r,j] lambda_j - hire_r - short_r <= cap_r`` for every pool cell,
  explicit stage cell and plain stage tier-week ``r`` (dual ``-nu_r <= 0``), ``0 <= hire_r <=
  hmax_r``;
- ``least_shortfall``: ``sum_r short_r + sum_j e_j lambda_j <= S`` (dual ``-sigma <= 0``), in the
  money phase only; ``e_j`` is what column ``j`` overbooks its block's shared stages.

Two objectives over the same rows, lexicographically: the *shortfall* ``sum short + sum e lambda``
first, then the *money* ``sum money_j lambda_j + sum hcost_r hire_r`` with ``S`` the shortfall of
the plan in hand.
Each phase alternates the master LP and pricing (``Pricing.price``, exact) until no column has a
negative reduced cost or the time is up. At every round the Lagrangian bound

    L(nu, sigma) = sum_b min_s (c_s + rho e_s + nu . a_s) - nu . cap
                   + sum_r hmax_r min(0, hcost_r - nu_r) - sigma S

(shortfall phase: ``c = 0``, ``hcost = 0``, ``rho = 1``, ``sigma = 0``; money phase: ``rho =
sigma``) with ``0 <= nu_r <= rho`` is a lower bound of the *full* problem (every schedule the data contract allows is a column of the
pricing problem), whatever the pool holds. So the least shortfall is proven when ``ceil(L)``
reaches a plan's shortfall, and the money bound is taken at that shortfall.

Plans come from the columns: the restricted master as an integer program (price-and-branch) from
the plan in hand; every plan is costed again outside (``planning.optimizer.stages.start_cost``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
import pulp

from planning.optimizer.candidates import Candidates, money
from planning.optimizer.highs import THREADS, SolverError, configure, run
from planning.optimizer.pricing import Column, Pricing
from planning.optimizer.stages import start_cost, tier_fit

SHORTFALL, MONEY, PENALTY = "shortfall", "money", "penalty"



def _name(*keys) -> str:
    return "_".join(str(k) for k in keys)


def define_capacity(prob: pulp.LpProblem, pricing: Pricing, lam: list, columns: list[Column], hire: dict,
                    short: dict) -> list:
    """``capacity_<resource|tier>_<week>``: ``sum_j a[r,j] lambda_j - hire_r - short_r <= cap_r``."""
    rows = pricing.rows
    terms: list[list] = [[] for _ in range(len(rows))]
    for var, col in zip(lam, columns):
        for r, a in zip(col.rows.tolist(), col.units.tolist()):
            terms[r].append((var, float(a)))
    out = []
    for r in range(len(rows)):
        expr = pulp.LpAffineExpression(terms[r] + [(short[r], -1.0)] + ([(hire[r], -1.0)] if r in hire else []))
        c = pulp.LpConstraint(expr, pulp.LpConstraintLE, _name("capacity", *rows.label[r]), float(rows.cap[r]))
        prob += c
        out.append(c)
    return out


def define_convexity(prob: pulp.LpProblem, pricing: Pricing, lam: list, columns: list[Column]) -> list:
    """``schedule_<productions>``: ``sum_{j of b} lambda_j = 1``: every block one schedule."""
    mine: list[list] = [[] for _ in pricing.blocks]
    for var, col in zip(lam, columns):
        mine[col.block].append((var, 1.0))
    out = []
    for b, members in enumerate(pricing.blocks):
        name = _name("schedule", *(pricing.pids[p] for p in members))
        c = pulp.LpConstraint(pulp.LpAffineExpression(mine[b]), pulp.LpConstraintEQ, name, 1.0)
        prob += c
        out.append(c)
    return out


class Master:
    """The restricted master in HiGHS, its column pool and its two objectives."""

    def __init__(self, pricing: Pricing, columns: list[Column]):
        self.pricing = pricing
        rows = pricing.rows
        prob = pulp.LpProblem("slate_master", pulp.LpMinimize)
        lam = [pulp.LpVariable(_name("lambda", j), lowBound=0) for j in range(len(columns))]
        hire = {r: pulp.LpVariable(_name("hire", r), 0, int(rows.hire_max[r]))
                for r in np.flatnonzero(rows.hire_max > 0).tolist()}
        short = {r: pulp.LpVariable(_name("short", r), lowBound=0) for r in range(len(rows))}
        cap_rows = define_capacity(prob, pricing, lam, columns, hire, short)
        conv_rows = define_convexity(prob, pricing, lam, columns)
        excess = [(v, float(c.excess)) for v, c in zip(lam, columns) if c.excess]
        budget = pulp.LpConstraint(pulp.lpSum(short.values()) + pulp.LpAffineExpression(excess), pulp.LpConstraintLE,
                                   "least_shortfall",
                                   float(rows.cap.sum() + rows.hire_max.sum() + 1e9))
        prob += budget
        prob += pulp.lpSum(short.values()) + pulp.LpAffineExpression(excess)   # the shortfall phase first
        solver = pulp.HiGHS(msg=False, threads=THREADS)
        solver.createAndConfigureSolver(prob)
        solver.buildSolverModel(prob)
        self.h = configure(prob.solverModel)
        self.h.setOptionValue("mip_lp_solver", "simplex")
        self.cap_row = np.array([c.index for c in cap_rows], np.int32)
        self.conv_row = np.array([c.index for c in conv_rows], np.int32)
        self.budget_row = budget.index
        self.short_col = np.array([short[r].index for r in range(len(rows))], np.int32)
        self.hire_col = np.full(len(rows), -1, np.int32)
        for r, v in hire.items():
            self.hire_col[r] = v.index
        self.columns: list[Column] = list(columns)
        self.lam_col = [v.index for v in lam]
        self.keys = {c.key: j for j, c in enumerate(columns)}
        self.phase = SHORTFALL
        self.budget = math.inf

    # --- the pool ---------------------------------------------------------------------------
    def add(self, columns: list[Column]) -> int:
        """Add the columns not in the pool yet; returns how many were new."""
        added = 0
        for col in columns:
            if col.key in self.keys:
                continue
            idx = np.concatenate([self.cap_row[col.rows], [self.conv_row[col.block]]]
                                 + ([[self.budget_row]] if col.excess else [])).astype(np.int32)
            val = np.concatenate([col.units.astype(float), [1.0]] + ([[float(col.excess)]] if col.excess else []))
            cost = {SHORTFALL: float(col.excess), MONEY: col.money,
                    PENALTY: col.money + self.penalty * col.excess}[self.phase]
            self.h.addCol(cost, 0.0, highspy.kHighsInf, len(idx), idx, val)
            self.keys[col.key] = len(self.columns)
            self.lam_col.append(self.h.getNumCol() - 1)
            self.columns.append(col)
            added += 1
        return added

    def set_phase(self, phase: str, budget: float = math.inf, penalty: float = 0.0) -> None:
        """The objective: ``sum short + sum e lambda`` (``SHORTFALL``); money with ``sum short +
        sum e lambda <= budget`` (``MONEY``); or money plus ``penalty`` a unit-week short, the
        budget open (``PENALTY``: plans, where less shortfall always wins)."""
        self.phase, self.budget, self.penalty = phase, budget, penalty
        n = self.h.getNumCol()
        cost = np.zeros(n)
        lam = np.array(self.lam_col)
        excess = np.array([c.excess for c in self.columns], float)
        if phase == SHORTFALL:
            cost[self.short_col] = 1.0
            cost[lam] = excess
        else:
            cost[lam] = [c.money for c in self.columns]
            has = self.hire_col >= 0
            cost[self.hire_col[has]] = self.pricing.rows.hire_cost[has]
        if phase == PENALTY:
            cost[self.short_col] = penalty
            cost[lam] += penalty * excess
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        upper = budget if phase == MONEY and math.isfinite(budget) else 1e12
        self.h.changeRowBounds(self.budget_row, -highspy.kHighsInf, float(upper))

    # --- solving ----------------------------------------------------------------------------
    def _integer(self, on: bool) -> None:
        cols = np.array(self.lam_col, np.int32)
        kind = highspy.HighsVarType.kInteger if on else highspy.HighsVarType.kContinuous
        self.h.changeColsIntegrality(len(cols), cols, np.full(len(cols), kind))

    def solve_lp(self, seconds: float) -> tuple[float, np.ndarray, float] | None:
        """The master LP: ``(objective, nu, rho)``, or None when it ran out of time."""
        self._integer(False)
        self.h.setOptionValue("time_limit", max(0.05, seconds))
        try:
            if not run(self.h, "master"):
                return None
        except SolverError:
            return None
        dual = np.asarray(self.h.getSolution().row_dual)
        rho = {SHORTFALL: 1.0, PENALTY: self.penalty}.get(self.phase, max(0.0, -float(dual[self.budget_row])))
        nu = np.clip(-dual[self.cap_row], 0.0, rho)
        return float(self.h.getInfo().objective_function_value), nu, rho

    def lagrangian(self, lower: np.ndarray, nu: np.ndarray, rho: float) -> float:
        """``L(nu, sigma)`` (module docstring) from a lower bound of each block's cheapest
        schedule cost (``Pricing.price``)."""
        rows = self.pricing.rows
        value = float(lower.sum() - nu @ rows.cap)
        if self.phase == MONEY:
            value += float((rows.hire_max * np.minimum(0.0, rows.hire_cost - nu)).sum())
            value -= rho * (self.budget if math.isfinite(self.budget) else 0.0)
        else:
            value -= float((rows.hire_max * nu).sum())
        return value

    def values_of(self, chosen: list[int]) -> np.ndarray:
        """Every master column's value when block ``b`` takes column ``chosen[b]``."""
        rows = self.pricing.rows
        x = np.zeros(self.h.getNumCol())
        load = np.zeros(len(rows))
        for j in chosen:
            x[self.lam_col[j]] = 1.0
            load[self.columns[j].rows] += self.columns[j].units
        excess = np.maximum(0.0, load - rows.cap)
        hired = np.minimum(excess, rows.hire_max)
        has = self.hire_col >= 0
        x[self.hire_col[has]] = hired[has]
        x[self.short_col] = excess - hired
        return x

    def solve_ip(self, seconds: float, gap: float, start: list[int], penalty: float | None = None) -> list[int] | None:
        """The master as an integer program over the pool, from the plan ``start`` (a column per
        block); the column each block takes, or None when no plan came back. With ``penalty``
        (money phase), the ``PENALTY`` objective, so the start is always a plan and less
        shortfall wins over any money; the money phase is restored after."""
        phase, budget = self.phase, self.budget
        if penalty is not None:
            self.set_phase(PENALTY, penalty=penalty)
        self._integer(True)
        self.h.setOptionValue("time_limit", max(0.1, seconds))
        self.h.setOptionValue("mip_rel_gap", 0.0 if penalty is not None else gap)
        x = self.values_of(start)
        if penalty is not None:      # the gap on money alone
            money_start = sum(self.columns[j].money for j in start) + float(
                self.pricing.rows.hire_cost[self.hire_col >= 0] @ x[self.hire_col[self.hire_col >= 0]])
            self.h.setOptionValue("mip_abs_gap", max(1e-6, gap * money_start))
        self.h.setSolution(len(x), np.arange(len(x), dtype=np.int32), x)
        try:
            run(self.h, "master plan")
            found = np.asarray(self.h.getSolution().col_value)
        except SolverError:
            found = None
        finally:
            self._integer(False)
            self.h.setOptionValue("mip_abs_gap", 1e-6)
            if penalty is not None:
                self.set_phase(phase, budget)
        return None if found is None else self.plan_of(found)

    def plan_of(self, x: np.ndarray) -> list[int] | None:
        """The column each block takes in an integral solution ``x`` (None if one has none)."""
        best: list = [None] * len(self.pricing.blocks)
        for j, col in enumerate(self.columns):
            if x[self.lam_col[j]] > 0.5:
                best[col.block] = j
        return None if any(b is None for b in best) else best

    def hold(self, fixed: dict[int, int] | None) -> None:
        """Hold block ``b`` at column ``fixed[b]`` (the others of the block at 0); None: free all."""
        cols = np.array(self.lam_col, np.int32)
        lower, upper = np.zeros(len(cols)), np.full(len(cols), highspy.kHighsInf)
        if fixed:
            block = np.array([c.block for c in self.columns])
            upper[np.isin(block, list(fixed))] = 0.0
            for j in fixed.values():
                lower[j] = upper[j] = 1.0
        self.h.changeColsBounds(len(cols), cols, lower, upper)


@dataclass
class Decomposition:
    """What column generation found: the best plan (a combo per unit) and its parts, the least
    shortfall proven (``shortfall_bound``) and the money bound at the plan's shortfall
    (``money_bound``, None when the money phase never ran), rounds and columns."""

    chosen: np.ndarray
    parts: dict
    shortfall_bound: int
    money_bound: float | None
    rounds: int
    columns: int
    rows: int
    neighbourhoods: int = 0


def plan_columns(pricing: Pricing, chosen: np.ndarray) -> list[Column]:
    """The columns of a plan (a combo per unit), its stages placed as ``tier_fit`` places them."""
    take, _ = tier_fit(pricing.cands, pricing.tiers, chosen)
    return [pricing.column(b, chosen[us], take) for b, us in enumerate(pricing.block_units)]


def generate(master: Master, pricing: Pricing, deadline: float, stop,
             blocks: np.ndarray | None = None) -> tuple[float, int]:
    """Rounds of master LP and pricing until no column prices out, ``stop(objective, bound)``
    says enough, or ``deadline``; returns the best Lagrangian bound and the rounds made. With
    ``blocks`` (a neighbourhood: the others are held), only their columns are added and the bound
    is the neighbourhood's, not the slate's."""
    best, rounds = -math.inf, 0
    money = master.phase == MONEY
    while time.perf_counter() < deadline:
        lp = master.solve_lp(deadline - time.perf_counter())
        if lp is None:
            break
        z, nu, rho = lp
        pi = np.asarray(master.h.getSolution().row_dual)[master.conv_row]
        choices, costs, lower = pricing.price(nu, money, rho, blocks, deadline)
        if blocks is None:
            best = max(best, master.lagrangian(lower, nu, rho))
        rounds += 1
        priced = np.flatnonzero(costs - pi < -1e-6 * max(1.0, abs(z)))
        if blocks is not None:
            priced = np.intersect1d(priced, blocks)
        if not master.add([pricing.column(b, choices[b]) for b in priced]) or stop(z, best):
            break
    return best, rounds


def _related(pricing: Pricing, master: Master, plan: list[int]) -> list[np.ndarray]:
    """For each block, the blocks whose columns in ``plan`` share a full row (load at or over
    capacity) with its own."""
    rows = pricing.rows
    load = np.zeros(len(rows))
    for j in plan:
        load[master.columns[j].rows] += master.columns[j].units
    full = load >= rows.cap
    on: dict[int, list[int]] = {}
    for b, j in enumerate(plan):
        for r in master.columns[j].rows[full[master.columns[j].rows]].tolist():
            on.setdefault(r, []).append(b)
    near: list[set] = [set() for _ in plan]
    for members in on.values():
        for b in members:
            near[b].update(members)
    return [np.array(sorted(n - {b}), np.int64) for b, n in enumerate(near)]


def search(master: Master, pricing: Pricing, current, take, deadline: float, done, seed: int = 0) -> int:
    """Large-neighbourhood search in the space of columns. Each step frees ``k`` blocks (the
    others held at the plan in hand), by turns a block picked with weight on its money and blocks
    that share full rows with it (load at capacity), or the blocks running in a window of weeks;
    generates columns for them and solves the master as an integer program; ``take`` keeps a better
    plan. ``k`` grows while steps find nothing. Stops at ``deadline`` or when ``done()``. Returns
    the steps made."""
    rng = np.random.default_rng(seed)
    n_blocks = len(pricing.blocks)
    start, end = pricing.start, pricing.end
    k, steps, quiet = max(3, n_blocks // 30), 0, 0
    while time.perf_counter() < deadline - 0.3 and quiet < 4 * n_blocks and not done():
        plan = current()
        if steps % 2 == 0:
            money_of = np.array([master.columns[j].money for j in plan])
            weight = 0.5 * money_of / money_of.sum() + 0.5 / n_blocks if money_of.sum() > 0 else None
            seed_block = int(rng.choice(n_blocks, p=weight))
            near = _related(pricing, master, plan)[seed_block]
            free = np.unique(np.concatenate([[seed_block], rng.permutation(near)[:k - 1]])).astype(np.int64)
        else:
            first = np.array([start[list(master.columns[j].combos)].min() for j in plan])
            last = np.array([end[list(master.columns[j].combos)].max() for j in plan])
            middle = rng.integers(int(first.min()), int(last.max()) + 1)
            overlap = np.minimum(last, middle + 4) - np.maximum(first, middle - 4)
            free = np.argsort(-overlap + rng.random(n_blocks) * 0.5, kind="stable")[:k].astype(np.int64)
        master.hold({b: plan[b] for b in range(n_blocks) if b not in set(free.tolist())})
        step_end = min(deadline, time.perf_counter() + 1.0 + 0.1 * k)
        try:
            generate(master, pricing, step_end, lambda z, lb: False, blocks=free)
            found = master.solve_ip(max(0.1, step_end - time.perf_counter()), 0.0, current())
        finally:
            master.hold(None)
        steps += 1
        if take(found):
            quiet = 0
        else:
            quiet += 1
            k = min(n_blocks, k + 1)
    return steps


def decompose(cands: Candidates, tiers: pd.DataFrame, start: np.ndarray, options, deadline: float,
              report=None, pricing: Pricing | None = None) -> Decomposition:
    """Least shortfall, then least money, by column generation from the plan ``start``; plans by
    price-and-branch, then neighbourhood search over the columns. Bounds are the full problem's
    (module docstring)."""
    pricing = pricing or Pricing(cands, tiers)
    tell = report or (lambda stage, gap: None)
    chosen, parts = start, start_cost(cands, tiers, start)
    master = Master(pricing, plan_columns(pricing, chosen))
    t0 = time.perf_counter()
    left = lambda: deadline - time.perf_counter()  # noqa: E731
    rounds, short_lb = 0, 0
    held: dict = {"plan": None}          # the plan in hand as columns, once placed

    def take(plan: list[int] | None) -> bool:
        """Keep the plan of these columns if it is better (costed outside: ``start_cost``)."""
        nonlocal chosen, parts
        if plan is None:
            return False
        trial = chosen.copy()
        for b, j in enumerate(plan):
            trial[pricing.block_units[b]] = master.columns[j].combos
        trial_parts = start_cost(cands, tiers, trial)
        if (trial_parts["shortfall"], money(trial_parts)) < (parts["shortfall"], money(parts) - 1e-6):
            chosen, parts, held["plan"] = trial, trial_parts, None
            return True
        return False

    def current() -> list[int]:
        """The plan in hand as columns (its stages placed by ``tier_fit`` once per plan)."""
        if held["plan"] is None:
            cols = plan_columns(pricing, chosen)
            master.add(cols)
            held["plan"] = [master.keys[c.key] for c in cols]
        return held["plan"]

    if parts["shortfall"] > 0:
        tell("shortfall", None)
        master.set_phase(SHORTFALL)
        bound, n = generate(master, pricing, t0 + 0.25 * (deadline - t0),
                            lambda z, lb: math.ceil(lb - 1e-6) >= min(parts["shortfall"], math.ceil(z - 1e-6)))
        rounds += n
        short_lb = max(0, math.ceil(bound - 1e-6)) if math.isfinite(bound) else 0   # no round: no bound
        if short_lb < parts["shortfall"]:
            take(master.solve_ip(0.1 * left(), 0.0, current()))
        short_lb = min(short_lb, parts["shortfall"])
    # The money phase at the least possible shortfall (where its bound is strong); plans then
    # minimize shortfall first (a penalty above any money), money second.
    master.set_phase(MONEY, short_lb)
    tell("solving", None)
    gap = options.gap

    def proven(lb: float) -> bool:
        return parts["shortfall"] <= short_lb and money(parts) - lb <= gap * max(1e-9, money(parts))

    money_lb, n = generate(master, pricing, time.perf_counter() + 0.35 * left(),
                           lambda z, lb: z - lb <= 0.1 * gap * max(1.0, z) or proven(lb))
    rounds += n
    steps = 0
    if not proven(money_lb):
        master.set_phase(PENALTY, penalty=1.0 + money(parts))   # plans: least shortfall, then money
        take(master.solve_ip(0.25 * left(), gap / 2, current()))
        if not proven(money_lb):
            tell("searching", None)
            steps = search(master, pricing, current, take, deadline, lambda: proven(money_lb))
    valid = math.isfinite(money_lb) and parts["shortfall"] <= short_lb
    return Decomposition(chosen=chosen, parts=parts, shortfall_bound=short_lb,
                         money_bound=max(0.0, money_lb) if valid else None, rounds=rounds,
                         columns=len(master.columns), rows=master.h.getNumRow(), neighbourhoods=steps)
