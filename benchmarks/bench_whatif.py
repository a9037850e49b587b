"""What-ifs as the What-if page runs them: from the baseline plan, the quick and the thorough search.

    .venv/bin/python benchmarks/bench_whatif.py [--quick 3] [--thorough 20] [--large 100] [--large-limit 15]

On the sample: the baseline with the page's options (``dashboard.state.DEFAULT_OPTIONS``), then
five what-ifs (a 30,000 sq ft stage added, an 18,000 sq ft stage closed, two grip & electric crews
cut, a production slipped four weeks, no hire-in) and both together (stage added, crews cut), each
from the baseline's dates with the quick limit and with the thorough one. On the ``--large``
benchmark slate (hire-in variant): its baseline, then two camera crews cut with ``--large-limit``.
Prints money / unit-weeks short, status, gap and seconds (everything included) per case, and how
far the quick answer is above the thorough one.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.slates import slate  # noqa: E402
from dashboard.state import DEFAULT_OPTIONS, WHATIF_OPTIONS  # noqa: E402
from planning.data.store import load_folder  # noqa: E402
from planning.optimizer import PlanOptions, plan  # noqa: E402
from planning.plan import from_result  # noqa: E402
from planning.scenarios.apply import apply  # noqa: E402
from planning.scenarios.run import plan_options  # noqa: E402
from planning.scenarios.types import CapacityChange, Scenario, StageChange  # noqa: E402


def timed(data, scenario: Scenario, options: PlanOptions, start=None):
    t0 = time.perf_counter()
    result = plan(apply(data, scenario), plan_options(scenario, options), None, start)
    return result, time.perf_counter() - t0


def line(result, seconds: float) -> str:
    gap = "  -  " if result.gap is None else f"{result.gap:5.1%}"
    return f"{result.objective:>12,.0f} / {result.shortfall:<3d} {result.status:9s} gap {gap} {seconds:5.1f} s"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", type=float, default=WHATIF_OPTIONS.time_limit)
    parser.add_argument("--thorough", type=float, default=DEFAULT_OPTIONS.time_limit)
    parser.add_argument("--large", type=int, default=100)
    parser.add_argument("--large-limit", type=float, default=15.0)
    args = parser.parse_args(argv)

    data = load_folder(ROOT / "data" / "sample")
    base, seconds = timed(data, Scenario("baseline"), DEFAULT_OPTIONS)
    print(f"sample baseline: {line(base, seconds)}", flush=True)
    starts = from_result(data, base, None).schedule[["production_id", "phase_id", "start_week"]]
    slipped = sorted(starts["production_id"].unique())[2]
    cases = [Scenario("stage added", stages=(StageChange(30_000, 1),)),
             Scenario("stage closed", stages=(StageChange(18_000, -1),)),
             Scenario("crews cut", capacity=(CapacityChange("CREW-GE", delta=-2),)),
             Scenario(f"{slipped} slips 4 wk", slips={slipped: 4}),
             Scenario("no hire-in", hire_allowed=False),
             Scenario("stage added, crews cut", stages=(StageChange(30_000, 1),),
                      capacity=(CapacityChange("CREW-GE", delta=-2),))]
    print(f"{'what-if':24s} {'quick (' + str(args.quick) + ' s)':>45s} {'thorough (' + str(args.thorough) + ' s)':>45s}  quick above")
    within = 0
    for scenario in cases:
        quick, qs = timed(data, scenario, replace(WHATIF_OPTIONS, time_limit=args.quick), starts)
        deep, ds = timed(data, scenario, replace(DEFAULT_OPTIONS, time_limit=args.thorough), starts)
        above = (quick.objective - deep.objective) / max(deep.objective, 1e-9) if quick.shortfall == deep.shortfall else float("inf")
        within += above <= 0.01
        print(f"{scenario.name:24s} {line(quick, qs):>45s} {line(deep, ds):>45s}  {above:+.1%}", flush=True)
    print(f"quick within 1% of thorough: {within}/{len(cases)}")

    if args.large:
        big = slate(args.large, hire=True)
        base, seconds = timed(big, Scenario("baseline"), PlanOptions(time_limit=60.0))
        print(f"{args.large} productions (hire-in) baseline, 60 s: {line(base, seconds)}", flush=True)
        starts = from_result(big, base, None).schedule[["production_id", "phase_id", "start_week"]]
        cut = Scenario("camera crews cut", capacity=(CapacityChange("CREW-CAM", delta=-2),))
        result, seconds = timed(big, cut, PlanOptions(time_limit=args.large_limit), starts)
        print(f"{args.large} productions, two camera crews cut, {args.large_limit} s: {line(result, seconds)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
