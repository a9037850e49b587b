"""CP-SAT reference solve of a multi-project instance, run as a child process.

    echo '{"projects": [...], "capacities": [...], "time_limit": 30}' | .venv/bin/python benchmarks/cpsat_worker.py

Not meant to be run by hand: ``benchmarks/multiproject.py: cpsat_optimum`` starts it with
``subprocess`` so that OR-Tools is never imported in a process that also imports ``highspy``
(the two clash). Reads one JSON object on stdin::

    {"projects": [{"id": "A_j301_1", "arrival": 0,
                   "durations": {"2": 8, ...},        # real jobs only (duration > 0)
                   "successors": {"2": ["5", ...]},   # among those jobs
                   "requests": {"2": [4, 0, 0, 0]}}],
     "capacities": [12, 13, 4, 12], "time_limit": 30, "workers": 2}

and writes one JSON object on stdout: ``objective`` (sum over projects of the week its last job
ends, counted from week 0), ``bound``, ``proven`` (CP-SAT proved it optimal), ``status``,
``seconds`` (wall time of the solve), ``completions`` (project -> completion week) and
``starts`` (project -> job -> start week).

The model: an interval per job with an integer start at or after its project's arrival and a
fixed duration; ``end(a) <= start(b)`` for every successor; one cumulative per resource with the
shared capacity; minimize the sum over projects of the project's completion (the max end of its
jobs).
"""

from __future__ import annotations

import json
import sys
import time


def solve(spec: dict) -> dict:
    from ortools.sat.python import cp_model

    projects, capacities = spec["projects"], spec["capacities"]
    horizon = max(p["arrival"] for p in projects) + sum(sum(p["durations"].values()) for p in projects)
    model = cp_model.CpModel()
    starts, intervals, completion = {}, {}, {}
    demands = [[] for _ in capacities]
    for p in projects:
        pid, arrival = p["id"], int(p["arrival"])
        for job, dur in p["durations"].items():
            s = model.NewIntVar(arrival, horizon - int(dur), f"s_{pid}_{job}")
            iv = model.NewFixedSizeIntervalVar(s, int(dur), f"i_{pid}_{job}")
            starts[pid, job], intervals[pid, job] = s, iv
            for k, units in enumerate(p["requests"][job]):
                if units > 0:
                    demands[k].append((iv, int(units)))
        for job, succ in p["successors"].items():
            for b in succ:
                model.Add(starts[pid, job] + int(p["durations"][job]) <= starts[pid, b])
        c = model.NewIntVar(arrival, horizon, f"c_{pid}")
        for job, dur in p["durations"].items():
            model.Add(c >= starts[pid, job] + int(dur))
        completion[pid] = c
    for k, cap in enumerate(capacities):
        if demands[k]:
            model.AddCumulative([iv for iv, _ in demands[k]], [u for _, u in demands[k]], int(cap))
    model.Minimize(sum(completion.values()))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(spec.get("time_limit", 30.0))
    solver.parameters.num_workers = int(spec.get("workers", 2))
    t0 = time.perf_counter()
    status = solver.Solve(model)
    seconds = time.perf_counter() - t0
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return {
        "status": solver.StatusName(status),
        "proven": status == cp_model.OPTIMAL,
        "objective": int(round(solver.ObjectiveValue())) if found else None,
        "bound": float(solver.BestObjectiveBound()) if found else None,
        "seconds": seconds,
        "completions": {pid: int(solver.Value(c)) for pid, c in completion.items()} if found else {},
        "starts": ({p["id"]: {job: int(solver.Value(starts[p["id"], job])) for job in p["durations"]}
                    for p in projects} if found else {}),
    }


def main() -> int:
    spec = json.load(sys.stdin)
    json.dump(solve(spec), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
