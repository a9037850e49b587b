"""PSPLIB j30 through the slate optimizer: the makespan found against the proven optimum.

    .venv/bin/python benchmarks/bench_psplib.py [--time-limit 60] [--instances 'j301_*']

Each instance becomes one production whose 30 jobs are undated phases (``benchmarks/psplib.py``);
the objective is then the makespan. The optimizer runs with `slate solve`'s defaults (gap 1%,
which on a makespan of 40-100 weeks means it stops at the optimum or one week above it at most). Prints, per instance: jobs, the optimum, the makespan found,
how far above the optimum, the solver's own gap, seconds; then how many were proven optimal
within the limit, how many reached the known optimum, and the median time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.psplib import optima, read_sm, to_slate  # noqa: E402
from planning.optimizer import PlanOptions, plan  # noqa: E402
from planning.plan import from_result  # noqa: E402

FOLDER = ROOT.parent / "shared" / "benchmarks" / "psplib-j30"


def run(path: Path, time_limit: float) -> dict:
    inst = read_sm(path)
    data = to_slate(inst)
    result = plan(data, PlanOptions(time_limit=time_limit))   # `slate solve`'s defaults; only the limit is given
    makespan = int(from_result(data, result).schedule["end_week"].max())
    return {"instance": inst.name, "jobs": len(data.phases), "makespan": makespan, "status": result.status,
            "solver_gap": result.gap, "seconds": result.solve_seconds}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default=str(FOLDER))
    parser.add_argument("--instances", default="*.sm", help="glob inside the folder")
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args(argv)
    best = optima(args.folder)
    rows = []
    for path in sorted(Path(args.folder).glob(args.instances)):
        row = run(path, args.time_limit)
        row["optimum"] = best.get(row["instance"])
        row["above_optimum"] = None if row["optimum"] is None else row["makespan"] - row["optimum"]
        rows.append(row)
        print(f"{row['instance']:>9}: makespan {row['makespan']:>3} (optimum {row['optimum']}), "
              f"{row['status']}, gap {row['solver_gap']:.1%}, {row['seconds']:.1f} s", flush=True)
    table = pd.DataFrame(rows)[["instance", "jobs", "optimum", "makespan", "above_optimum", "status", "solver_gap",
                                "seconds"]]
    print()
    print(table.to_string(index=False, formatters={"solver_gap": "{:.1%}".format, "seconds": "{:.1f}".format}))
    proven = int((table["status"] == "optimal").sum())
    reached = int((table["above_optimum"] == 0).sum())
    print(f"\n{len(table)} instances, {args.time_limit:.0f} s each: proven optimal {proven}, reached the known "
          f"optimum {reached}, median {statistics.median(table['seconds']):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
