"""The headline numbers of a plan, and what remains short after optimization.

- ``late_deliveries``: a production is late by ``max(0, finish_week - target_week)`` weeks, where
  ``finish_week`` is the largest ``end_week`` of its phases and ``target_week`` the week of its
  ``target_delivery`` (floor, as every date).
- ``shortfall_runs``: runs of consecutive weeks in which a resource stays short after capacity and
  hire-in (``shortfall > 0`` in an optimized plan's utilization), with the productions holding it
  then and what would fix it: for a pool that can hire, ``hire_max_units`` raised by the peak
  shortfall; otherwise that much capacity added (for a stage class, that many stages of at least
  its size).
- ``plan_kpis``: conflicts (as-planned over-booked runs, or remaining shortfall runs), hire-in
  cost, late deliveries and weeks late, peak funding need and its week, financing cost.
"""

from __future__ import annotations

import pandas as pd

from planning.cashflow import funding_need, position
from planning.conflicts import CLASS_PREFIX, week_runs
from planning.inputs import SlateData, week_index


def late_deliveries(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """``production_id, title, finish_week, target_week, weeks_late`` for every production."""
    finish = schedule.groupby("production_id")["end_week"].max().rename("finish_week")
    prods = data.productions[["production_id", "title", "target_delivery"]].copy()
    prods["target_week"] = week_index(prods["target_delivery"], data.settings.horizon_start).astype("int64")
    out = prods.join(finish, on="production_id")
    out["weeks_late"] = (out["finish_week"] - out["target_week"]).clip(lower=0).astype("int64")
    return out[["production_id", "title", "finish_week", "target_week", "weeks_late"]]


def _fix(data: SlateData, resource_id: str, short_by: int) -> str:
    if resource_id.startswith(CLASS_PREFIX):
        size = int(resource_id[len(CLASS_PREFIX):])
        return f"add {short_by} stage(s) of at least {size:,} sq ft" if size else f"add {short_by} stage(s)"
    res = data.resources.set_index("resource_id").loc[resource_id]
    if res["kind"] != "stage" and not pd.isna(res["hire_cost_per_week"]):
        most = 0 if pd.isna(res["hire_max_units"]) else int(res["hire_max_units"])
        return f"allow {short_by} more hired unit(s) (hire_max_units {most} -> {most + short_by}) or add capacity"
    return f"add {short_by} unit(s) of capacity" if res["kind"] != "stage" else "free the stage or book another"


def shortfall_runs(data: SlateData, utilization: pd.DataFrame, allocation: pd.DataFrame) -> pd.DataFrame:
    """One row per run of weeks a resource stays short in a plan.

    Columns: resource_id, name, first_week, last_week, weeks, start, end (Monday after), short_by
    (largest weekly shortfall), unit_weeks, productions (``;``-joined), fix.
    """
    cols = ["resource_id", "name", "first_week", "last_week", "weeks", "start", "end", "short_by", "unit_weeks",
            "productions", "fix"]
    short = utilization[utilization["shortfall"] > 0].sort_values(["resource_id", "week"])
    if short.empty:
        return pd.DataFrame(columns=cols)
    names = dict(zip(data.resources["resource_id"], data.resources["name"]))
    h0 = data.settings.horizon_start
    rows = []
    for _, g in short.assign(run=week_runs(short).to_numpy()).groupby("run"):
        rid = str(g["resource_id"].iloc[0])
        first, last = int(g["week"].min()), int(g["week"].max())
        held = allocation[(allocation["resource_id"] == rid) & allocation["week"].between(first, last)]
        peak = int(g["shortfall"].max())
        rows.append({
            "resource_id": rid, "name": names.get(rid, rid.replace(CLASS_PREFIX, "Any stage ≥ ") + " sq ft"),
            "first_week": first, "last_week": last, "weeks": last - first + 1,
            "start": h0 + pd.Timedelta(days=7 * first), "end": h0 + pd.Timedelta(days=7 * (last + 1)),
            "short_by": peak, "unit_weeks": int(g["shortfall"].sum()),
            "productions": ";".join(sorted(set(held["production_id"].astype(str)))), "fix": _fix(data, rid, peak),
        })
    return pd.DataFrame(rows, columns=cols)


def plan_kpis(data: SlateData, schedule: pd.DataFrame, flows: pd.DataFrame, conflicts: int,
              hire_cost: float) -> dict:
    """The numbers a head of production compares between plans (money as floats)."""
    late = late_deliveries(data, schedule)
    need = funding_need(position(flows, data.settings))
    return {
        "conflicts": int(conflicts),
        "hire_cost": float(hire_cost),
        "late_deliveries": int((late["weeks_late"] > 0).sum()),
        "weeks_late": int(late["weeks_late"].sum()),
        "peak_funding_need": float(need.peak_need),
        "peak_funding_week": need.week,
        "financing_cost": float(need.financing_cost),
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
