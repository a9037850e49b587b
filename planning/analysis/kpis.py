"""The headline numbers of a plan.

- ``late_deliveries``: a production is late by ``max(0, finish_week - target_week)`` weeks, where
  ``finish_week`` is the largest ``end_week`` of its phases and ``target_week`` the week of its
  ``target_delivery`` (floor, as every date).
- ``plan_kpis``: conflicts (runs of weeks short, ``planning.analysis.conflicts``) and the
  unit-weeks short, hire-in cost (``sum hired * hire_cost_per_week``), late deliveries and weeks
  late, peak funding need and its week, financing cost, the most stages held in a week.
"""

from __future__ import annotations

import pandas as pd

from planning.analysis.capacity import stages_booked
from planning.data.inputs import SlateData, week_index
from planning.finance.flows import funding_need, position


def late_deliveries(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """``production_id, title, finish_week, target_week, weeks_late`` for every production."""
    finish = schedule.groupby("production_id")["end_week"].max().rename("finish_week")
    prods = data.productions[["production_id", "title", "target_delivery"]].copy()
    prods["target_week"] = week_index(prods["target_delivery"], data.settings.horizon_start).astype("int64")
    out = prods.join(finish, on="production_id")
    out["weeks_late"] = (out["finish_week"] - out["target_week"]).clip(lower=0).astype("int64")
    return out[["production_id", "title", "finish_week", "target_week", "weeks_late"]]


def plan_kpis(data: SlateData, schedule: pd.DataFrame, util: pd.DataFrame, conflicts: pd.DataFrame,
              alloc: pd.DataFrame, flows: pd.DataFrame) -> dict:
    """The numbers a head of production compares between plans (money as floats)."""
    late = late_deliveries(data, schedule)
    need = funding_need(position(flows, data.settings))
    rates = data.resources.set_index("resource_id")["hire_cost_per_week"].astype(float).fillna(0.0)
    hire = float((util["hired"] * util["resource_id"].map(rates).fillna(0.0)).sum())
    stages = stages_booked(data, alloc)
    peak = stages.loc[stages["booked"].idxmax()] if len(stages) else None
    return {
        "conflicts": len(conflicts),
        "unit_weeks_short": int(util["shortfall"].sum()),
        "hire_cost": hire,
        "late_deliveries": int((late["weeks_late"] > 0).sum()),
        "weeks_late": int(late["weeks_late"].sum()),
        "peak_funding_need": float(need.peak_need),
        "peak_funding_week": need.week,
        "financing_cost": float(need.financing_cost),
        "peak_stages": 0 if peak is None else int(peak["booked"]),
        "stages_then": 0 if peak is None else int(peak["available"]),
        "peak_stages_week": None if peak is None else int(peak["week"]),
    }


def production_status(data: SlateData, schedule: pd.DataFrame, week: int = 0) -> pd.DataFrame:
    """``production_id, status``: the kind of the phase running in ``week`` (``not started`` before
    the first phase, ``delivered`` after the last; where phases overlap, the later-listed one)."""
    sched = schedule[["production_id", "phase_id", "start_week", "end_week"]].merge(
        data.phases[["production_id", "phase_id", "kind", "seq"]], on=["production_id", "phase_id"])
    rows = []
    for pid, g in sched.groupby("production_id", sort=False):
        running = g[(g["start_week"] <= week) & (g["end_week"] > week)].sort_values("seq")
        if len(running):
            status = str(running["kind"].iloc[-1])
        elif g["start_week"].min() > week:
            status = "not started"
        else:
            status = "delivered"
        rows.append((pid, status))
    return pd.DataFrame(rows, columns=["production_id", "status"])
