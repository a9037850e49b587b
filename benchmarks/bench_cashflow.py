"""Benchmark (not a test): the cash flow of a large slate.

``make_slate(100)`` gives 100 productions with 25 budget lines each over a 104-week horizon; each
line is split into equal sub-accounts (``2300-01``, ``2300-02``, ...) until every production has
``--lines`` lines, keeping every production's budget. Prints the median time of each step.

    PYTHONPATH=. python benchmarks/bench_cashflow.py [--productions 100] [--lines 100] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd

from planning.finance import export
from planning.finance.flows import cashflow, funding_need, position
from planning.data.inputs import planned_schedule
from planning.sample import make_slate
from planning.data.validate import check


def widen_budget(lines: pd.DataFrame, per_production: int) -> pd.DataFrame:
    """Split each production's lines into sub-accounts so it has ``per_production`` lines with
    the same total (a line's cents split evenly, the first part taking the remainder)."""
    rows = []
    for _, group in lines.groupby("production_id", sort=False):
        n = len(group)
        for j, (_, line) in enumerate(group.iterrows()):
            parts = per_production // n + (j < per_production % n)
            cents = round(float(line["amount"]) * 100)
            for k in range(parts):
                share = cents // parts + (cents % parts if k == 0 else 0)
                rows.append(line.to_dict() | {"account": f"{line['account']}-{k + 1:02d}", "amount": share / 100})
    return pd.DataFrame(rows).astype(lines.dtypes.to_dict())


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--productions", type=int, default=100)
    p.add_argument("--lines", type=int, default=100)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()

    frames = make_slate(args.productions)
    frames["budget_lines"] = widen_budget(frames["budget_lines"], args.lines)
    data, problems = check(frames)
    if problems:
        raise SystemExit("invalid benchmark slate: " + "; ".join(map(str, problems[:5])))
    schedule = planned_schedule(data)
    print(f"slate: {len(data.productions)} productions, {len(data.budget_lines)} budget lines, "
          f"{data.settings.horizon_weeks}-week horizon, {len(schedule)} phases")

    t_flow, flows = timed(lambda: cashflow(data, schedule), args.repeat)
    steps = [
        ("cashflow (spend, incentives, financing)", t_flow),
        ("position + funding need", timed(lambda: funding_need(position(flows, data.settings)), args.repeat)[0]),
        ("finance_long by month", timed(lambda: export.finance_long(flows, data.settings, "month"), args.repeat)[0]),
        ("finance_csv long by month (bytes)", timed(lambda: export.finance_csv(data, flows, "month"),
                                                    args.repeat)[0]),
        ("finance_csv by account by week", timed(lambda: export.finance_csv(data, flows, "week", "accounts"),
                                                 args.repeat)[0]),
        ("budget_summary", timed(lambda: export.budget_summary(data), args.repeat)[0]),
    ]
    spent = -flows.loc[flows["flow"] == "spend", "cents"].sum()
    budget = sum(round(float(a) * 100) for a in data.budget_lines["amount"])
    print(f"weekly flow rows: {len(flows):,}; spend conserved to the cent: {spent == budget}")
    for name, seconds in steps:
        print(f"  {name:<42} {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
