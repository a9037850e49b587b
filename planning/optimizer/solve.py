"""Solve a ``PlanModel``: least shortfall first, then least money; HiGHS by default, CBC as the
fallback; every solver run checked.

With HiGHS the PuLP model is loaded into HiGHS once and every step changes costs or bounds on
that one model:

1. *Shortfall* (only when the start plan has any): minimize ``sum short``; its best plan ``S`` and
   bound ``S_lb`` (the least possible is proven when ``ceil(S_lb) >= S``). Then the row
   ``sum short <= S`` is added and the objective goes back to money.
2. *Probe*: the full model for a share of the time (most slates are proven here).
3. *Large-neighbourhood search* (``planning.optimizer.search``) from the best plan so far. From
   the start, a constraint search (``planning.optimizer.constraint``, CP-SAT in a worker process)
   looks for plans on the second core; its plan is taken where it is better, and its proven bound
   counts for a plan without shortfall (it is the contract's problem with hire-in free). A HiGHS
   run is interrupted the moment the constraint search answers (a HiGHS callback), its answer
   is taken, and the run goes on from the best plan unless the gap is closed. Each
   better plan tightens the windows (``prune``: combos whose own moves and lateness already cost more than the plan are
   bounded to 0; the optimum and every bound stay the full problem's).
4. *Proof*: the full model again, from the best plan, for the rest of the time.

Money and shortfall are always computed from the solution with our own costs; a run whose
reported objective disagrees (HiGHS 1.16 can misread a start in its presolved space) is repeated
without the start. The money bound is the best of the probe's and the proof's; the gap is on money
at the plan's shortfall. CBC (through PuLP) runs steps 1 and 4. The answer is never worse than the
start: if every solver fails, the start is returned with status ``heuristic``.
"""

from __future__ import annotations

import math
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np
import pulp

from planning.optimizer.candidates import cell_load
import planning.optimizer.stopping as stopping
from planning.optimizer.constraint import Pending, to_choice
from planning.optimizer.highs import THREADS, SolverError, configure, run
from planning.optimizer.model import PlanModel, prune
from planning.optimizer.options import PlanOptions
from planning.optimizer.search import Columns, choice_of, release, search
from planning.optimizer.stages import tier_fit

LARGE_MODEL = 40_000       # columns; above it, HiGHS presolves with its initial sweep only
SEARCH_MIN_SECONDS = 15.0  # below this, one run of the full model: splitting it would leave no bound
CP_MIN_SECONDS = 5.0      # a constraint search only where at least this much time is left for it
CP_SHARE = 0.45           # of the time left, on the second core
CP_POLL_SECONDS = 0.05    # how often a HiGHS run looks whether the constraint search has answered


@dataclass
class Outcome:
    """What a solve found: the plan (a combo per unit), its shortfall and money, their bounds."""

    chosen: np.ndarray
    solver: str                  # highs | cbc | heuristic
    shortfall: int
    shortfall_bound: int         # no plan has less
    money: float
    money_bound: float | None    # no plan with that shortfall costs less; None when unknown
    neighbourhoods: int = 0


def least_shortfall(shortfall: int, lower: float | None) -> int:
    """The fewest unit-weeks short that any plan can have, from a solver's bound ``lower`` on the
    shortfall (None: the run proved nothing, so 0): ``ceil(lower)`` (shortfall counts whole unit-weeks;
    1e-6 of float noise ignored), never below 0 nor above the plan's own ``shortfall``."""
    if lower is None:
        return 0
    return min(shortfall, max(0, math.ceil(lower - 1e-6)))


def money_bound(bounds: list[float], cp_bound: float | None, shortfall: int) -> float | None:
    """The best money bound at the plan's shortfall: the highest of the MIP runs' ``bounds`` (each
    holds for every plan with at most that shortfall), and the constraint model's ``cp_bound`` only
    where the plan has no shortfall (its model lets every overload be hired, with nothing short);
    None when nothing was proven."""
    valid = bounds + ([cp_bound] if cp_bound is not None and shortfall == 0 else [])
    return max(valid) if valid else None


def within_gap(objective: float, bound: float | None, gap: float) -> bool:
    """Whether a plan costing ``objective`` is proven within ``gap`` (a share of its cost) of the least
    possible: ``(objective - bound) / objective <= gap``; a plan that costs nothing is; no bound, no proof."""
    return bound is not None and (objective <= 1e-9 or (objective - bound) / objective <= gap)


def cbc_bound(log: str, objective: float, gap: float) -> float | None:
    """CBC's lower bound from its log: the last ``Lower bound:`` (or ``best possible``) it printed, and,
    where it says it found the optimum (within its relative ``gap``), ``objective - gap * |objective|``;
    the higher of these (None when the log tells neither)."""
    found = re.findall(r"Lower bound:\s*([-\d.eE+]+)", log) or re.findall(r"best possible\s*([-\d.eE+]+)", log)
    bounds = [float(found[-1])] if found else []
    if "Result - Optimal solution found" in log:   # proven within CBC's ratio gap
        bounds.append(objective - gap * abs(objective))
    return max(bounds) if bounds else None


def start_values(model: PlanModel, chosen: np.ndarray) -> dict:
    """Every variable's value in the plan ``chosen``: the choices and their steps, the stage placement
    (``tier_fit``), hire-in and shortfall per cell, weeks late per production."""
    cands = model.cands
    values = {v: 0.0 for v in model.prob.variables()}
    picked = set(chosen.tolist())
    for c, v in model.y.items():
        values[v] = 1.0 if c in picked else 0.0
    load = cell_load(cands, chosen)
    cap = cands.capacity.ravel()
    hmax = np.repeat(cands.rows["hire_max"].to_numpy(np.int64), cands.weeks)
    for cell, v in model.short.items():
        excess = max(0, int(load[cell] - cap[cell]))
        hired = min(excess, int(hmax[cell])) if cell in model.hire else 0
        values[v] = float(excess - hired)
        if cell in model.hire:
            values[model.hire[cell]] = float(hired)
    take, free = tier_fit(cands, model.tiers, chosen)
    for key, n in take.items():
        if key in model.x:
            values[model.x[key]] = float(n)
    weeks = cands.weeks
    for t in model.tiers.itertuples(index=False):
        for week in np.flatnonzero(free[t.tier] < 0):
            v = model.tier_short.get((t.tier, int(week))) if t.row < 0 else model.short.get(t.row * weeks + int(week))
            if v is not None:
                values[v] = float(-free[t.tier][week])
    start = cands.combos["start_week"].to_numpy()
    for (u, t), v in model.steps.z.items():
        values[v] = 1.0 if start[chosen[u]] <= t else 0.0
    for chain in model.chains.values():
        total = 0.0
        for t, v in sorted(chain["run"].items()):
            total += values[chain["x"][t]] if t in chain["x"] else 0.0
            values[v] = total
    combos = cands.combos.iloc[chosen]
    finish = combos.groupby("production_id")["end_week"].max()
    target = cands.productions.set_index("production_id")["target_week"]
    for p, v in model.late.items():
        values[v] = float(max(0, int(finish[p] - target[p])))
    return values


def _columns(model: PlanModel, upper: float | None, keep: np.ndarray) -> Columns:
    combos = np.fromiter(model.y, dtype=np.int64)
    cols = np.array([model.y[c].index for c in combos], dtype=np.int64)
    unit = model.cands.combos["unit"].to_numpy()[combos]
    return Columns(y_col=cols, y_combo=combos, y_unit=unit, upper=_upper(model, combos, upper, keep))


def _upper(model: PlanModel, combos: np.ndarray, upper: float | None, keep: np.ndarray) -> np.ndarray:
    """1 for every combo that can be in a plan with money at most ``upper`` (``prune``), else 0."""
    if upper is None:
        return np.ones(len(combos))
    return np.isin(combos, prune(model.cands, upper, keep)).astype(float)


def _money_costs(model: PlanModel, n: int) -> np.ndarray:
    cost = np.zeros(n)
    for expr in model.parts.values():
        for v, a in expr.items():
            cost[v.index] += a
    return cost


def _solve_highs(model: PlanModel, start: np.ndarray, start_parts: dict, options: PlanOptions, deadline: float,
                 report, constraint_search) -> Outcome:
    prob = model.prob
    solver = pulp.HiGHS(msg=False, threads=THREADS)
    solver.createAndConfigureSolver(prob)
    solver.buildSolverModel(prob)
    h = configure(prob.solverModel)
    variables = prob.variables()
    n = len(variables)
    if n > LARGE_MODEL:         # measured at 100 productions: full presolve (probing) alone took 60 s
        h.setOptionValue("presolve_mode", 1)
    values = start_values(model, start)
    incumbent = np.array([values[v] for v in variables], dtype=float)
    short_idx = np.array([v.index for v, _ in model.shortfall.items()], dtype=np.int32)
    money_cost = _money_costs(model, n)
    cols = _columns(model, None, start)
    n_units = len(model.cands.units)

    def money_of(x: np.ndarray) -> float:
        return float(money_cost @ x)

    def put_start(x: np.ndarray) -> None:
        h.setSolution(n, np.arange(n, dtype=np.int32), x)

    def left() -> float:
        return deadline - time.perf_counter()

    def checked(what: str, start_from: np.ndarray, value_of) -> tuple[bool, np.ndarray, float, float | None]:
        """Run from ``start_from``; ``(proven, solution, its value by our costs, bound or None)``.
        HiGHS 1.16 can misread a start in its presolved space (the reported objective and bound
        then differ from the solution's own cost): such a run is repeated without the start. A run
        that ends with no solution at all leaves ``start_from`` as the answer, with no bound."""
        answer = (False, start_from, value_of(start_from), None)
        for attempt in range(2):
            h.clearSolver()
            if attempt == 0:
                put_start(start_from)
            else:                                  # the retry fits in what is left
                h.setOptionValue("time_limit", max(0.1, left()))
            try:
                proven = run(h, what)
            except SolverError:
                return answer
            info = h.getInfo()
            found = np.asarray(h.getSolution().col_value, dtype=float)
            value = value_of(found)
            if abs(value - info.objective_function_value) <= 1e-6 * max(1.0, abs(value)):
                return proven, found, value, info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
            if value <= answer[2]:
                answer = (False, found, value, None)
        return answer

    shortfall, shortfall_bound = int(start_parts["shortfall"]), 0
    if shortfall > 0 and len(short_idx):
        # 1. Shortfall first.
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.isin(np.arange(n), short_idx).astype(float))
        h.setOptionValue("time_limit", max(0.1, 0.4 * left()))
        h.setOptionValue("mip_rel_gap", 0.0)
        report("shortfall", None)
        _, found, value, lower = checked("least shortfall", incumbent, lambda x: float(x[short_idx].sum()))
        if value < shortfall - 0.5:
            incumbent = found
        shortfall = int(round(incumbent[short_idx].sum()))
        shortfall_bound = least_shortfall(shortfall, lower)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), money_cost)
    least_row = h.getNumRow()
    if len(short_idx):   # the shortfall held at its least (found) while money is minimized
        h.addRow(-highspy.kHighsInf, float(shortfall), len(short_idx), short_idx, np.ones(len(short_idx)))
    objective = money_of(incumbent)
    proven_least = shortfall_bound >= shortfall

    pending = Pending(None)
    if constraint_search is not None and left() >= CP_MIN_SECONDS:
        pending = constraint_search(CP_SHARE * left())    # a second opinion on the second core, and a bound
    cp_bound = None

    def adopt() -> bool:
        """Take the constraint search's plan where it beats ours (less shortfall, or less money),
        and its bound (money without shortfall) or its proof that every plan has shortfall.
        True when its answer was read just now."""
        nonlocal incumbent, objective, shortfall, proven_least, cp_bound, shortfall_bound
        if pending.proc is None:
            return False
        starts = pending.poll()
        if starts is None and pending.answer is None:
            return False                         # still searching
        pending.proc = None                      # read once
        if pending.infeasible:
            shortfall_bound = max(shortfall_bound, 1)
            proven_least = shortfall_bound >= shortfall
        if pending.bound is not None:
            cp_bound = max(0.0, pending.bound)
        if starts is None:
            return True
        chosen = to_choice(model.cands, starts)
        if not all(int(c) in model.y for c in chosen):
            return True                          # outside the windows still open: not better
        vals = start_values(model, chosen)
        x = np.array([vals[v] for v in variables], dtype=float)
        short = int(round(x[short_idx].sum())) if len(short_idx) else 0
        if short < shortfall:
            shortfall = short
            h.changeRowBounds(least_row, -highspy.kHighsInf, float(shortfall))
            proven_least = shortfall_bound >= shortfall
        elif short > shortfall or money_of(x) >= objective - 1e-6 * max(1.0, abs(objective)):
            return True
        incumbent, objective = x, money_of(x)
        tighten(incumbent, objective)
        release(h, cols)
        return True

    polled, watching = [0.0], [False]

    def interrupt(kind, message, out, into, user) -> None:
        """Stop a run of the full model once the constraint search has answered (looked at every
        ``CP_POLL_SECONDS``), and any run once the process is stopping."""
        if stopping.stopping():
            into.user_interrupt = True
            return
        now = time.perf_counter()
        if watching[0] and now - polled[0] >= CP_POLL_SECONDS:
            polled[0] = now
            if pending.proc is not None and pending.proc.poll() is not None:
                into.user_interrupt = True

    h.setCallback(interrupt, None)

    def tighten(x: np.ndarray, value: float) -> None:
        if proven_least:
            cols.upper = _upper(model, cols.y_combo, value, choice_of(cols, x, n_units))
        report("searching", None)

    if proven_least:
        tighten(incumbent, objective)
        release(h, cols)
    bounds, steps, better = [], 0, 0
    # 2. Probe, 3. neighbourhoods, 4. proof.
    probe = options.neighbourhoods and left() > SEARCH_MIN_SECONDS   # else one run of the full model

    def best_bound() -> float | None:
        """The best money bound at the plan's shortfall: the MIP's, or the constraint model's
        where the plan has no shortfall."""
        return money_bound(bounds, cp_bound, shortfall)

    def closed() -> bool:
        return within_gap(objective, best_bound(), options.gap)

    try:
        for step in ("probe", "search", "proof") if probe else ("proof",):
            adopt()
            if closed():
                break
            if step == "search":
                incumbent, objective, steps, better = search(h, cols, model.cands, incumbent, objective,
                                                             time.perf_counter() + 0.5 * left(), tighten, money_of)
                continue
            share = 0.3 if step == "probe" else 1.0
            while True:              # again from the best plan after the constraint search's answer
                h.setOptionValue("time_limit", max(0.2, share * left()))
                h.setOptionValue("mip_rel_gap", options.gap)
                bound = best_bound()
                report("solving", None if bound is None else max(0.0, objective - bound) / max(objective, 1e-9))
                watching[0] = True
                try:
                    proven, found, value, bound = checked("plan", incumbent, money_of)
                finally:
                    watching[0] = False
                if bound is not None:
                    bounds.append(max(0.0, float(bound)))     # every cost is >= 0: nothing costs less than 0
                if value < objective - 1e-6 * max(1.0, abs(objective)):
                    incumbent, objective = found, value
                    tighten(incumbent, objective)
                    release(h, cols)
                answered = adopt()
                if proven or closed() or not answered or left() < 0.2:
                    break
            if proven or closed():
                break
    finally:
        pending.stop()
    bound = best_bound()
    return Outcome(chosen=choice_of(cols, incumbent, n_units), solver="highs", shortfall=shortfall,
                   shortfall_bound=shortfall_bound, money=objective,
                   money_bound=None if bound is None else min(objective, bound), neighbourhoods=steps)


def _cbc(model: PlanModel, time_limit: float, gap: float) -> float | None:
    """One CBC run from the variables' current values; returns CBC's bound (None if not logged)."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "cbc.log"
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=max(1.0, time_limit), gapRel=gap, warmStart=True,
                                   logPath=str(log))
        model.prob.solve(solver)
        text = log.read_text() if log.exists() else ""
    if model.prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        raise SolverError(f"CBC could not solve the plan ({pulp.LpStatus[model.prob.status]})")
    return cbc_bound(text, float(pulp.value(model.prob.objective) or 0.0), gap)


def _solve_cbc(model: PlanModel, start: np.ndarray, start_parts: dict, options: PlanOptions,
               deadline: float) -> Outcome:
    for v, value in start_values(model, start).items():
        v.setInitialValue(value)
    money_expr = model.prob.objective
    shortfall, shortfall_bound = int(start_parts["shortfall"]), 0
    if shortfall > 0 and len(model.shortfall):
        model.prob.setObjective(model.shortfall)
        bound = _cbc(model, 0.4 * (deadline - time.perf_counter()), 0.0)
        shortfall = min(shortfall, int(round(pulp.value(model.shortfall))))
        shortfall_bound = least_shortfall(shortfall, bound)
        model.prob.setObjective(money_expr)
    if len(model.shortfall):
        model.prob += model.shortfall <= shortfall, "least_shortfall"
    bound = _cbc(model, deadline - time.perf_counter(), options.gap)
    money = float(pulp.value(model.prob.objective) or 0.0)
    chosen = np.zeros(len(model.cands.units), dtype=np.int64)
    best = np.full(len(model.cands.units), -1.0)
    unit = model.cands.combos["unit"].to_numpy()
    for c, v in model.y.items():
        if (v.varValue or 0.0) > best[unit[c]]:
            best[unit[c]], chosen[unit[c]] = v.varValue or 0.0, c
    return Outcome(chosen=chosen, solver="cbc", shortfall=shortfall, shortfall_bound=shortfall_bound, money=money,
                   money_bound=None if bound is None else min(money, bound))


def solve(model: PlanModel, start: np.ndarray, start_parts: dict, options: PlanOptions, deadline: float,
          progress=None, constraint_search=None) -> Outcome:
    """The best plan the solvers find by ``deadline`` (a ``time.perf_counter()`` value), from
    ``start`` (a combo per unit costing ``start_parts``). Falls back from HiGHS to CBC (or back);
    if both fail, the start with status ``heuristic``. ``progress(stage, gap)`` is told of each
    step. ``constraint_search(seconds)`` (optional) starts a CP search (``constraint.launch``),
    used when the first run of the full model has not proven its plan."""
    report = progress or (lambda stage, gap: None)
    order = ["highs", "cbc"] if options.solver == "highs" else ["cbc", "highs"]
    for name in order:
        stopping.check()                 # no fallback run once the process is shutting down
        try:
            if name == "highs":
                return _solve_highs(model, start, start_parts, options, deadline, report,
                                    constraint_search if options.constraint_search else None)
            return _solve_cbc(model, start, start_parts, options, deadline)
        except (SolverError, pulp.PulpSolverError):
            continue
    money = start_parts["hire"] + start_parts["lateness"] + start_parts["moves"]
    return Outcome(chosen=start, solver="heuristic", shortfall=int(start_parts["shortfall"]), shortfall_bound=0,
                   money=money, money_bound=None)
