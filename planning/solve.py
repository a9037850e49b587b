"""Solve a ``PlanModel``: HiGHS (through ``highspy``) by default, CBC as the fallback.

The greedy plan is handed to the solver as its starting incumbent, so a time limit always ends
with a plan at least as good as the greedy one, and its gap. If the solver returns nothing better
(or fails), the greedy plan is the answer (``status = "heuristic"``). Statuses: ``optimal`` (gap
within the requested one), ``feasible`` (stopped on the time limit with a plan and its gap),
``heuristic``.

Read the gap, not PuLP's status: PuLP reports CBC's "stopped on time limit with a solution" as
Optimal.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pulp

from planning.candidates import PlanOptions, cell_load
from planning.model import PlanModel, build_model, tier_fit
from planning.inputs import SlateData


@dataclass
class PlanResult:
    """A solved plan: status, objective and its parts, bound, gap, timing, size, and the frames."""

    status: str
    objective: float
    parts: dict[str, float]
    bound: float
    gap: float
    solve_seconds: float
    variables: int
    constraints: int
    solver: str
    greedy_objective: float
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)

    def summary(self) -> dict:
        """The ``summary.json`` keys."""
        return {"status": self.status, "objective": self.objective, "parts": self.parts, "bound": self.bound,
                "gap": self.gap, "solve_seconds": self.solve_seconds, "variables": self.variables,
                "constraints": self.constraints, "solver": self.solver}


class _WarmHiGHS(pulp.HiGHS):
    """PuLP's HiGHS API with the variables' initial values passed as a start (``setSolution``)
    and an improving-solution callback reporting the gap."""

    def __init__(self, on_improve=None, **kwargs):
        super().__init__(**kwargs)
        self.on_improve = on_improve

    def callSolver(self, lp):
        h = lp.solverModel
        values = [v.varValue if v.varValue is not None else 0.0 for v in lp.variables()]
        h.setSolution(len(values), np.arange(len(values), dtype=np.int32), np.array(values, dtype=float))
        if self.on_improve:
            h.cbMipImprovingSolution.subscribe(
                lambda e: self.on_improve(e.data_out.objective_function_value, e.data_out.mip_gap))
        h.run()


def _set_start(model: PlanModel) -> None:
    """Give every variable the greedy plan's value."""
    cands = model.cands
    chosen = set(model.greedy.tolist())
    for c, v in model.y.items():
        v.setInitialValue(1 if c in chosen else 0)
    load = cell_load(cands, model.greedy)
    cap = cands.capacity.ravel()
    hmax = np.repeat(cands.rows["hire_max"].to_numpy(np.int64), cands.weeks)
    for cell, v in model.short.items():
        excess = max(0, int(load[cell] - cap[cell]))
        hired = min(excess, int(hmax[cell])) if cell in model.hire else 0
        v.setInitialValue(excess - hired)
        if cell in model.hire:
            model.hire[cell].setInitialValue(hired)
    _tier_start(model)
    if model.late:
        combos = cands.combos.iloc[model.greedy]
        finish = combos.groupby("production_id")["end_week"].max()
        target = cands.productions.set_index("production_id")["target_week"]
        for p, v in model.late.items():
            v.setInitialValue(max(0, int(finish[p] - target[p])))


def _tier_start(model: PlanModel) -> None:
    """Give the tier variables the start plan's placement (``tier_fit``) and its shortfall."""
    take, free = tier_fit(model.cands, model.tiers, model.greedy)
    for key, n in take.items():
        model.x[key].setInitialValue(n)
    weeks = model.cands.weeks
    for t in model.tiers.itertuples(index=False):
        for week in np.flatnonzero(free[t.tier] < 0):
            v = model.tier_short.get((t.tier, int(week))) if t.row < 0 else model.short.get(t.row * weeks + int(week))
            if v is not None:
                v.setInitialValue(int(-free[t.tier][week]))


def _run_highs(model: PlanModel, options: PlanOptions, on_improve) -> tuple[float, float]:
    solver = _WarmHiGHS(on_improve=on_improve, msg=False, timeLimit=options.time_limit, gapRel=options.gap,
                        threads=options.threads)
    model.prob.solve(solver)
    info = model.prob.solverModel.getInfo()
    status = model.prob.solverModel.getModelStatus()
    if info.primal_solution_status != 2 or status == model.prob.solverModel.getModelStatus().kInfeasible:
        raise RuntimeError(f"HiGHS returned no plan ({model.prob.solverModel.modelStatusToString(status)})")
    return float(info.objective_function_value), float(info.mip_dual_bound)


def _run_cbc(model: PlanModel, options: PlanOptions) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "cbc.log"
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=options.time_limit, gapRel=options.gap, warmStart=True,
                                   logPath=str(log), threads=options.threads)
        model.prob.solve(solver)
        text = log.read_text() if log.exists() else ""
    if model.prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        raise RuntimeError(f"CBC returned no plan ({pulp.LpStatus[model.prob.status]})")
    objective = pulp.value(model.prob.objective)
    found = re.findall(r"Lower bound:\s*([-\d.eE+]+)", text) or re.findall(r"best possible\s*([-\d.eE+]+)", text)
    bound = float(found[-1]) if found else objective
    return float(objective), bound


def _chosen(model: PlanModel) -> np.ndarray:
    """The combo picked for each unit by the solver's values."""
    combos = model.cands.combos
    picked = {}
    for c, v in model.y.items():
        val = v.varValue or 0.0
        u = int(combos["unit"].iat[c])
        if u not in picked or val > picked[u][1]:
            picked[u] = (c, val)
    return np.array([picked[u][0] for u in range(len(model.cands.units))])


def solve(model: PlanModel, options: PlanOptions | None = None, progress=None) -> PlanResult:
    """Solve, fall back from HiGHS to CBC, never return without a plan; build the result frames.

    The heuristic plan (``model.greedy``) is the start and the floor: the answer is never worse.
    ``progress`` (optional) is called with ``{"stage": "solving"|"done", "elapsed": s, "gap": g}``
    (``gap`` once known: each improving plan HiGHS finds, and at the end).
    """
    from planning.results import plan_frames

    options = options or model.options
    report = progress or (lambda info: None)
    t0 = time.perf_counter()
    report({"stage": "solving", "elapsed": 0.0, "gap": None})
    _set_start(model)
    greedy_objective = sum(model.greedy_parts.values())
    best = (greedy_objective, None, model.greedy_parts, "greedy")   # its frames only if it is the answer
    solvers = ["highs", "cbc"] if options.solver == "highs" else ["cbc", "highs"]
    bound = None
    for name in solvers:
        try:
            if name == "highs":
                _, bound = _run_highs(model, options, lambda obj, gap: report(
                    {"stage": "solving", "elapsed": time.perf_counter() - t0, "gap": gap}))
            else:
                _, bound = _run_cbc(model, options)
        except (RuntimeError, pulp.PulpSolverError):
            continue
        frames, parts = plan_frames(model, _chosen(model))
        if sum(parts.values()) <= best[0] + 1e-6:
            best = (sum(parts.values()), frames, parts, name)
        break
    if best[1] is None:
        frames, parts = plan_frames(model, model.greedy)
        best = (sum(parts.values()), frames, parts, "greedy")
    seconds = time.perf_counter() - t0
    objective, frames, parts, used = best
    bound = objective if bound is None else min(bound, objective)
    gap = 0.0 if objective <= 0 else max(0.0, (objective - bound) / abs(objective))
    if used == "greedy":
        status = "heuristic"
    else:
        status = "optimal" if gap <= options.gap + 1e-9 else "feasible"
    result = PlanResult(status=status, objective=objective, parts=parts, bound=bound, gap=gap,
                        solve_seconds=seconds, variables=model.prob.numVariables(),
                        constraints=model.prob.numConstraints(), solver=used, greedy_objective=greedy_objective,
                        frames=frames)
    report({"stage": "done", "elapsed": seconds, "gap": gap})
    return result


def plan(data: SlateData, options: PlanOptions | None = None, progress=None,
         start: pd.DataFrame | None = None) -> PlanResult:
    """``build_model`` (from ``start``, a schedule, when given) then ``solve``, reporting every
    stage to ``progress``."""
    options = options or PlanOptions()
    t0 = time.perf_counter()
    model = build_model(data, options, progress, start)
    offset = time.perf_counter() - t0
    shifted = None if progress is None else (lambda info: progress({**info, "elapsed": info["elapsed"] + offset}))
    return solve(model, options, shifted)

