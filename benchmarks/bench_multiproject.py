"""Multi-project PSPLIB instances through the slate optimizer, against CP-SAT's proven optimum.

    (OR-Tools, for the reference optimum, is one of the product's dependencies)
    .venv/bin/python benchmarks/bench_multiproject.py [--time-limit 60] [--cpsat-time-limit 60] [--instances 2|mp1,mp4]

Each instance (``benchmarks/multiproject.py``) is two or three PSPLIB j30 projects sharing R1..R4,
each arriving in its own week; each project is a production due in its arrival week at 1 a week,
so the plan's lateness is the sum of the projects' completion weeks less the sum of their arrival
weeks (a constant). Per instance: CP-SAT's optimum
of that sum (solved in a child process: OR-Tools is never imported next to ``highspy``), then the
optimizer as a user runs it (``plan(data, PlanOptions(time_limit=...))``), its sum of completions
(each production's last ``end_week``), how far above the optimum, the solver's status and gap, and
the wall seconds. Both schedules are checked against the instance (every phase once at its length,
no start before arrival, precedence, resource loads recomputed week by week against the shared
capacity); a violation prints a loud FAIL and the exit code is 1. Prints a line per instance, then a
table and a summary: how many came within 1% of the CP-SAT optimum within the limit, median seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.multiproject import (FOLDER, check_schedule, completions, cpsat_optimum, instances,  # noqa: E402
                                     to_slate)
from planning.optimizer import PlanOptions, plan  # noqa: E402
from planning.plan import from_result  # noqa: E402


def pct(value) -> str:
    """``12.5%``, or ``n/a`` for a gap the optimizer could not give (no bound)."""
    return "n/a" if value is None or pd.isna(value) else f"{value:.1%}"


def select(all_instances: list, which: str | None) -> list:
    """``None``: all; ``"3"``: the first three; ``"mp1,mp4"``: those by name."""
    if not which:
        return all_instances
    if which.isdigit():
        return all_instances[:int(which)]
    names = [w.strip() for w in which.split(",") if w.strip()]
    by_name = {inst.name: inst for inst in all_instances}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise SystemExit(f"unknown instance(s): {', '.join(unknown)} (have {', '.join(by_name)})")
    return [by_name[n] for n in names]


def run(inst, time_limit: float, cpsat_time_limit: float) -> dict:
    ref = cpsat_optimum(inst, cpsat_time_limit)
    data = to_slate(inst)
    t0 = time.perf_counter()
    result = plan(data, PlanOptions(time_limit=time_limit))
    seconds = time.perf_counter() - t0
    schedule = from_result(data, result).schedule
    problems = check_schedule(inst, schedule)
    ours = sum(completions(inst, schedule).values()) if not any("not scheduled" in p for p in problems) else None
    best = ref["objective"]
    above = None if ours is None or not best else (ours - best) / best
    within = not problems and above is not None and above <= 0.01 + 1e-9
    return {"instance": inst.name, "projects": inst.describe(), "jobs": inst.jobs, "cpsat": best,
            "proven": "yes" if ref["proven"] else "no", "cpsat_seconds": ref["seconds"], "ours": ours,
            "above": above, "within_1pct": "yes" if within else "no", "status": result.status,
            "gap": float("nan") if result.gap is None else float(result.gap), "seconds": seconds,
            "check": "ok" if not problems else "FAIL", "problems": problems, "cpsat_problems": ref["problems"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default=str(FOLDER))
    parser.add_argument("--instances", default=None, help="the first N instances, or names: mp1,mp4 (default: all)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="our optimizer's seconds per instance")
    parser.add_argument("--cpsat-time-limit", type=float, default=60.0,
                        help="CP-SAT's seconds per instance (each is proven in well under 30 s; it stops then)")
    args = parser.parse_args(argv)
    rows, failed = [], False
    for inst in select(instances(args.folder), args.instances):
        row = run(inst, args.time_limit, args.cpsat_time_limit)
        rows.append(row)
        above = "n/a" if row["above"] is None else f"{row['above']:+.1%}"
        print(f"{row['instance']:>5} ({row['projects']}, {row['jobs']} jobs): CP-SAT {row['cpsat']} "
              f"({'proven' if row['proven'] == 'yes' else 'NOT proven'}, {row['cpsat_seconds']:.1f} s), "
              f"ours {row['ours']} ({above}), {row['status']}, gap {pct(row['gap'])}, {row['seconds']:.1f} s",
              flush=True)
        for who, problems in (("our schedule", row["problems"]), ("CP-SAT's schedule", row["cpsat_problems"])):
            if problems:
                failed = True
                print(f"  FAIL: {row['instance']}: {who} breaks {len(problems)} rule(s):", flush=True)
                for p in problems[:20]:
                    print(f"    FAIL: {p}", flush=True)
    table = pd.DataFrame(rows)[["instance", "projects", "jobs", "cpsat", "proven", "cpsat_seconds", "ours", "above",
                                "within_1pct", "status", "gap", "seconds", "check"]]
    print()
    print(table.to_string(index=False, na_rep="n/a", formatters={
        "above": lambda v: "n/a" if pd.isna(v) else f"{v:+.1%}", "gap": pct,
        "seconds": "{:.1f}".format, "cpsat_seconds": "{:.1f}".format}))
    within = int((table["within_1pct"] == "yes").sum())
    proven = int((table["proven"] == "yes").sum())
    print(f"\n{len(table)} instances, {args.time_limit:.0f} s each: within 1% of the CP-SAT optimum "
          f"{within}/{len(table)} (CP-SAT proved {proven}/{len(table)} optimal within {args.cpsat_time_limit:.0f} s), "
          f"median {statistics.median(table['seconds']):.1f} s"
          + ("; schedule check FAILED, see above" if failed else "; every schedule keeps precedence and capacity"))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
