"""Benchmark (not a test): risk samples of the sample slate, as a user runs them.

1. ``slate risk data/sample --samples 1000`` with the defaults (the plan as planned, this process,
   no re-planning): the time of the samples themselves (``summary.json`` ``seconds``) and of the
   whole command (Python start and data load included). Target: 1,000 samples under 2 s.
2. ``--replan`` (a quick search per sample): samples per second on 1 process, 2 local processes and
   a 2-worker ``distributed.LocalCluster`` (one thread each) on 127.0.0.1, started before the clock
   as a studio's cluster would be. Target: the cluster within 20% of 2 local processes. Each also
   checks that the three give the same numbers.

    PYTHONPATH=. python benchmarks/bench_risk.py [--replan-samples 24] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def command_run(repeat: int) -> tuple[list[float], list[float]]:
    inner, wall = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "planning.cli", "risk", str(ROOT / "data" / "sample"),
                            "--samples", "1000", "--out", out], check=True, cwd=ROOT, capture_output=True)
            wall.append(time.perf_counter() - t0)
            inner.append(json.loads((Path(out) / "summary.json").read_text())["seconds"])
    return inner, wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replan-samples", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    inner, wall = command_run(args.repeat)
    print(f"slate risk, 1000 samples (defaults): samples {statistics.median(inner):.2f} s median "
          f"({', '.join(f'{t:.2f}' for t in inner)}); whole command {statistics.median(wall):.2f} s median "
          f"({', '.join(f'{t:.2f}' for t in wall)})")

    from distributed import LocalCluster

    from planning.data.inputs import planned_schedule
    from planning.data.store import load_folder
    from planning.risk.run import RiskOptions, run

    data = load_folder(ROOT / "data" / "sample")
    plan = planned_schedule(data)
    n = args.replan_samples
    rates, outs = {}, {}
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        for label, options in [("1 process", RiskOptions(samples=n, seed=0, replan=True, workers=1)),
                               ("2 local processes", RiskOptions(samples=n, seed=0, replan=True, workers=2)),
                               ("2-worker LocalCluster", RiskOptions(samples=n, seed=0, replan=True,
                                                                     dask=cluster.scheduler_address))]:
            t0 = time.perf_counter()
            outs[label] = run(data, plan, options)
            seconds = time.perf_counter() - t0
            rates[label] = n / seconds
            print(f"re-planned, {n} samples on {label}: {seconds:.1f} s, {rates[label]:.2f} samples/s")
    same = all(np.array_equal(outs["1 process"].reacted.finish, o.reacted.finish) for o in outs.values())
    ratio = rates["2-worker LocalCluster"] / rates["2 local processes"]
    print(f"cluster / local processes: {ratio:.0%} (target at least 80%); same numbers on all three: {same}")


if __name__ == "__main__":
    main()
