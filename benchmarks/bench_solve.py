"""The optimizer on benchmark slates of 10 to 100 productions, beside its heuristic start.

    .venv/bin/python benchmarks/bench_solve.py [--sizes 10 20 40 100] [--solvers highs cbc]
                                               [--time-limit 60] [--gap 0.01]

Prints one row per size and solver: productions, phases, model size, the heuristic plan's objective
(greedy placement, then local descent: the optimizer's start),
the optimizer's objective, best bound, gap, status and seconds (model building included).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.slates import SIZES, slate  # noqa: E402
from planning.candidates import PlanOptions  # noqa: E402
from planning.solve import plan  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--solvers", nargs="+", default=["highs"], choices=["highs", "cbc"])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--gap", type=float, default=0.01)
    args = parser.parse_args(argv)
    rows = []
    for n in args.sizes:
        data = slate(n)
        for solver in args.solvers:
            t0 = time.perf_counter()
            r = plan(data, PlanOptions(solver=solver, time_limit=args.time_limit, gap=args.gap))
            rows.append({"productions": n, "phases": len(data.phases), "solver": r.solver, "variables": r.variables,
                         "constraints": r.constraints, "heuristic": r.greedy_objective, "objective": r.objective,
                         "bound": r.bound, "gap": r.gap, "status": r.status, "seconds": time.perf_counter() - t0})
            print(f"{n:>4} productions, {solver}: {r.status}, objective {r.objective:,.0f} (heuristic "
                  f"{r.greedy_objective:,.0f}), gap {r.gap:.2%}, {rows[-1]['seconds']:.1f} s", flush=True)
    table = pd.DataFrame(rows)
    print()
    print(table.to_string(index=False, formatters={
        "heuristic": "{:,.0f}".format, "objective": "{:,.0f}".format, "bound": "{:,.0f}".format,
        "gap": "{:.2%}".format, "seconds": "{:.1f}".format}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
