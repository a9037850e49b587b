"""A constraint-programming search for start plans (OR-Tools CP-SAT), run as its own process.

    python -m planning.optimizer.cpsat_worker < problem.json > answer.json

CP-SAT cannot share a process with ``highspy`` (they clash), so the optimizer writes the problem
as JSON (``planning.optimizer.constraint.problem``) and reads back ``{"status", "starts",
"objective", "bound"}``. The plan is a start for the MIP, which costs it exactly. ``bound`` is
CP-SAT's proven lower bound of its objective; the weights are rounded *down* to whole money, so
where the problem is the contract's (``exact``: no interval can leave the grid) it is also a lower
bound of the money of every plan without shortfall (``INFEASIBLE`` proves there is none).

The model: an integer start per phase over its allowed weeks; links as ``s_b - s_a >= d_a + L``
(and ``<= d_a + M``); each pool a cumulative of its demands' blocks (lead and tail included)
against capacity plus hire-in, calendar weeks below the top as fixed blocker intervals; each stage
a cumulative of capacity 1 (closed weeks blocked) over its named blocks and the optional blocks of
size bookings, each booking on exactly ``units`` eligible stages. Objective: lateness past target
(weighted) plus moves of dated phases; hire-in is treated as free capacity here (the MIP prices
it).
"""

from __future__ import annotations

import json
import math
import sys


def solve(problem: dict) -> dict:
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    units = problem["units"]
    s = [m.NewIntVarFromDomain(cp_model.Domain.FromValues(u["starts"]), f"s{i}") for i, u in enumerate(units)]
    for a, b, low, high in problem["links"]:
        m.Add(s[b] - s[a] >= low)
        if high is not None:
            m.Add(s[b] - s[a] <= high)
    lo = min(min(u["starts"]) for u in units) - problem["reach"]
    hi = max(max(u["starts"]) for u in units) + problem["reach"]

    def block(i: int, before: int, after: int, name: str, present=None):
        size = before + after
        if present is None:
            return m.NewFixedSizeIntervalVar(s[i] - before, size, name)
        return m.NewOptionalFixedSizeIntervalVar(s[i] - before, size, present, name)

    def blockers(cap: list[int], top: int, name: str):
        return [(m.NewFixedSizeIntervalVar(w, 1, f"{name}_{w}"), top - c) for w, c in enumerate(cap) if c < top]

    for k, pool in enumerate(problem["pools"]):
        top = max(pool["cap"]) + pool["hire"]
        fixed = blockers([c + pool["hire"] for c in pool["cap"]], top, f"p{k}")
        demands = [(block(i, before, after, f"p{k}d{j}"), n) for j, (i, n, before, after) in enumerate(pool["demands"])]
        if demands and top >= 0:
            items = fixed + demands
            m.AddCumulative([iv for iv, _ in items], [d for _, d in items], top)
    on_stage: list[list] = [[(iv, 1) for iv, _ in blockers(st["cap"], 1, f"s{k}")] for k, st in enumerate(problem["stages"])]
    for k, st in enumerate(problem["stages"]):
        on_stage[k] += [(block(i, before, after, f"n{k}_{j}"), n) for j, (i, n, before, after) in enumerate(st["named"])]
    for j, (i, n, before, after, eligible) in enumerate(problem["bookings"]):
        present = [m.NewBoolVar(f"b{j}_{k}") for k in eligible]
        m.Add(sum(present) == n)
        for k, p in zip(eligible, present):
            on_stage[k].append((block(i, before, after, f"b{j}_{k}", p), 1))
    for items in on_stage:
        if items:
            m.AddCumulative([iv for iv, _ in items], [d for _, d in items], 1)
    cost = []
    for p in problem["productions"]:
        if p["cost"] <= 0:
            continue
        late = m.NewIntVar(0, max(0, hi - p["target"] + 1000), f"late_{p['id']}")
        for i in p["units"]:
            m.Add(late >= s[i] + units[i]["duration"] - p["target"])
        cost.append(math.floor(p["cost"]) * late)
    for i, planned, weight in problem["moves"]:
        away = m.NewIntVar(0, hi - lo + abs(planned) + 1000, f"move{i}")
        m.AddAbsEquality(away, s[i] - planned)
        cost.append(math.floor(weight) * away)
    if cost:
        m.Minimize(sum(cost))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(problem["time_limit"])
    solver.parameters.num_workers = int(problem.get("workers", 1))
    solver.parameters.random_seed = 0
    status = solver.Solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {"status": solver.StatusName(status), "starts": None, "objective": None, "bound": None}
    return {"status": solver.StatusName(status), "starts": [int(solver.Value(v)) for v in s],
            "objective": solver.ObjectiveValue() if cost else 0.0,
            "bound": solver.BestObjectiveBound() if cost else 0.0}


if __name__ == "__main__":
    json.dump(solve(json.load(sys.stdin)), sys.stdout)
