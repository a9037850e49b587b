"""The optimizer on benchmark slates of 10 to 300 productions, as a user runs it.

    .venv/bin/python benchmarks/bench_solve.py [--sizes 10 20 40 100 300] [--seeds 0 1 2]
                                               [--variants over-committed hire-in] [--time-limit S]

Each size comes in two variants: ``over-committed`` (as generated: some capacity nobody can
cover) and ``hire-in`` (every crew, equipment and post pool can hire in up to its own capacity
again, so the slate can be planned without shortfall and the money gap means something). Seed 0
is the size's standard slate (``benchmarks.slates.SEEDS``), seeds 1 and 2 two more of the same
shape. The time limit is ``slate solve``'s default (60 s), 300 s at 300 productions, unless given.

Each case runs in its own process (``--case``), so its peak memory (resident set) is its own.
Prints one row per case: the start plan (shortfall, money), the plan's shortfall and the least
possible, its money, the money bound, gap, status, the methods that ran, neighbourhoods searched,
seconds (everything included) and peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.slates import SEEDS, SIZES, slate  # noqa: E402
from planning.optimizer import PlanOptions, plan  # noqa: E402

LIMITS = {300: 300.0}   # seconds; others 60 (slate solve's default)


def seed_of(n: int, k: int) -> int:
    """Seed ``k`` of size ``n``: 0 is the standard slate, others ``1000 * k + n``."""
    return SEEDS.get(n, n) if k == 0 else 1000 * k + n


def case(n: int, variant: str, k: int, time_limit: float) -> dict:
    data = slate(n, seed=seed_of(n, k), hire=variant == "hire-in")
    t0 = time.perf_counter()
    r = plan(data, PlanOptions(time_limit=time_limit))
    return {"productions": n, "variant": variant, "seed": k, "phases": len(data.phases),
            "start_short": r.start_shortfall, "start_money": r.start_objective, "short": r.shortfall,
            "least_short": r.shortfall_bound, "money": r.objective, "bound": r.bound, "gap": r.gap,
            "status": r.status, "method": r.method, "hoods": r.neighbourhoods,
            "seconds": time.perf_counter() - t0, "limit": time_limit,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--variants", nargs="+", default=["over-committed", "hire-in"],
                        choices=["over-committed", "hire-in"])
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--case", nargs=4, metavar=("N", "VARIANT", "SEED", "LIMIT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        n, variant, k, limit = args.case
        print(json.dumps(case(int(n), variant, int(k), float(limit))))
        return 0
    rows = []
    for n in args.sizes:
        for variant in args.variants:
            for k in args.seeds:
                limit = args.time_limit or LIMITS.get(n, 60.0)
                out = subprocess.run([sys.executable, __file__, "--case", str(n), variant, str(k), str(limit)],
                                     capture_output=True, text=True, check=True).stdout
                row = json.loads(out.strip().splitlines()[-1])
                rows.append(row)
                gap = "-" if row["gap"] is None else f"{row['gap']:.2%}"
                print(f"{n:>4} {variant:<14} seed {k}: {row['short']} short (least {row['least_short']}), money "
                      f"{row['money']:,.0f} gap {gap} {row['status']} [{row['method']}] {row['seconds']:.1f} s "
                      f"{row['peak_mb']:,.0f} MB", flush=True)
    table = pd.DataFrame(rows)
    print()
    print(table.to_string(index=False, formatters={
        "start_money": "{:,.0f}".format, "money": "{:,.0f}".format,
        "bound": lambda b: "-" if b is None or pd.isna(b) else f"{b:,.0f}",
        "gap": lambda g: "-" if g is None or pd.isna(g) else f"{g:.2%}", "seconds": "{:.1f}".format,
        "peak_mb": "{:,.0f}".format}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
