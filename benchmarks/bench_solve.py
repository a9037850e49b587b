"""The optimizer on benchmark slates of 10 to 100 productions, beside its heuristic start.

    .venv/bin/python benchmarks/bench_solve.py [--sizes 10 20 40 100] [--solvers highs cbc]
                                               [--time-limit 60] [--gap 0.01]

Each size comes in two variants: ``over-committed`` (as generated: some capacity nobody can
cover) and ``hire-in`` (every crew, equipment and post pool can hire in up to its own capacity
again, so the slate can be planned without shortfall and the money gap means something).
Prints one row per size, variant and solver: model size, the start plan (shortfall, money), the
plan's shortfall and the least possible, its money, the money bound, gap, status, neighbourhoods
searched and seconds (everything included, as a user runs it).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.slates import SIZES, slate  # noqa: E402
from planning.optimizer import PlanOptions, plan  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--solvers", nargs="+", default=["highs"], choices=["highs", "cbc"])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--gap", type=float, default=0.01)
    parser.add_argument("--variants", nargs="+", default=["over-committed", "hire-in"],
                        choices=["over-committed", "hire-in"])
    args = parser.parse_args(argv)
    rows = []
    for n, variant in [(n, v) for n in args.sizes for v in args.variants]:
        data = slate(n, hire=variant == "hire-in")
        for solver in args.solvers:
            t0 = time.perf_counter()
            r = plan(data, PlanOptions(solver=solver, time_limit=args.time_limit, gap=args.gap))
            rows.append({"productions": n, "variant": variant, "phases": len(data.phases), "solver": r.solver,
                         "variables": r.variables, "constraints": r.constraints,
                         "start_short": r.start_shortfall, "start_money": r.start_objective,
                         "short": r.shortfall, "least_short": r.shortfall_bound, "money": r.objective,
                         "bound": r.bound, "gap": r.gap, "status": r.status, "hoods": r.neighbourhoods,
                         "seconds": time.perf_counter() - t0})
            print(f"{n:>4} productions ({variant}), {solver}: {r.summary()['verdict']}; money {r.objective:,.0f} "
                  f"(start {r.start_objective:,.0f}, {r.start_shortfall} short), {rows[-1]['seconds']:.1f} s",
                  flush=True)
    table = pd.DataFrame(rows)
    print()
    print(table.to_string(index=False, formatters={
        "start_money": "{:,.0f}".format, "money": "{:,.0f}".format,
        "bound": lambda b: "-" if b is None or pd.isna(b) else f"{b:,.0f}",
        "gap": lambda g: "-" if g is None or pd.isna(g) else f"{g:.2%}", "seconds": "{:.1f}".format}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
