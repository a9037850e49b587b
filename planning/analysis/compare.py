"""Side-by-side comparison of plans (a baseline and what-ifs), as tidy frames.

Every function takes plans by name (``{"baseline": plan, "one more stage": plan}``, each a
``planning.plan.Plan``); the first name is the reference the others are compared with.
"""

from __future__ import annotations

import pandas as pd

from planning.data.files import csv_bytes, xlsx_bytes

KPI_LABELS = {
    "conflicts_as_planned": "Conflicts on the planned dates",
    "conflicts": "Conflicts in the plan",
    "unit_weeks_short": "Unit-weeks short (nobody can cover)",
    "hire_cost": "Hire-in cost",
    "late_deliveries": "Late deliveries",
    "weeks_late": "Weeks late (all productions)",
    "peak_funding_need": "Peak funding need",
    "financing_cost": "Financing cost",
    "objective": "Cost of the plan (hire-in, lateness, moves)",
    "added_capacity_cost": "Added capacity (stage rent, crew and kit)",
    "total_cost": "Total: the plan's cost and the added capacity",
}


def kpi_table(plans: dict) -> pd.DataFrame:
    """``metric, <name>...`` and ``change: <name>`` for each other plan, one row per KPI (empty
    where a plan does not have it, e.g. the cost of the plan as planned)."""
    names = list(plans)
    rows = []
    for key, label in KPI_LABELS.items():
        row = {"metric": label}
        for name in names:
            p = plans[name]
            row[name] = p.origin.solver.get(key) if key == "objective" else p.kpis.get(key)
        for name in names[1:]:
            known = row[name] is not None and row[names[0]] is not None
            row[f"change: {name}"] = row[name] - row[names[0]] if known else None
        rows.append(row)
    return pd.DataFrame(rows)


def schedule_changes(plans: dict) -> pd.DataFrame:
    """Phases whose start differs from the first plan's: production_id, phase_id, first plan's
    start week, each other plan's start week and its shift in weeks (only rows that moved)."""
    schedules = {name: p.schedule for name, p in plans.items()}
    names = list(schedules)
    key = ["production_id", "phase_id"]
    out = schedules[names[0]][key + ["start_week"]].rename(columns={"start_week": f"start_week: {names[0]}"})
    for name in names[1:]:
        other = schedules[name][key + ["start_week"]].rename(columns={"start_week": f"start_week: {name}"})
        out = out.merge(other, on=key, how="outer")
        out[f"shift: {name}"] = out[f"start_week: {name}"] - out[f"start_week: {names[0]}"]
    shifts = out[[f"shift: {name}" for name in names[1:]]]
    return out[shifts.fillna(1).ne(0).any(axis=1)].reset_index(drop=True)


def delivery_changes(plans: dict) -> pd.DataFrame:
    """Each production's finish week (largest end_week) in every plan, and the shift vs the first."""
    schedules = {name: p.schedule for name, p in plans.items()}
    names = list(schedules)
    out = None
    for name in names:
        finish = schedules[name].groupby("production_id")["end_week"].max().rename(f"finish_week: {name}")
        out = finish.to_frame() if out is None else out.join(finish, how="outer")
    for name in names[1:]:
        out[f"shift: {name}"] = out[f"finish_week: {name}"] - out[f"finish_week: {names[0]}"]
    return out.reset_index()


def utilization_difference(plans: dict) -> pd.DataFrame:
    """``resource_id, week, demand_diff, shortfall_diff`` of the second plan minus the first."""
    a, b = (p.utilization for p in list(plans.values())[:2])
    cols = ["resource_id", "week", "demand", "shortfall"]
    both = a[cols].merge(b[cols], on=["resource_id", "week"], how="outer", suffixes=("_a", "_b")).fillna(0)
    both["demand_diff"] = (both["demand_b"] - both["demand_a"]).astype("int64")
    both["shortfall_diff"] = (both["shortfall_b"] - both["shortfall_a"]).astype("int64")
    return both[["resource_id", "week", "demand_diff", "shortfall_diff"]]


def conflict_changes(plans: dict) -> pd.DataFrame:
    """Per resource: unit-weeks short in each plan, and whether the second resolves or adds conflicts."""
    names = list(plans)
    per = {n: p.conflicts.groupby("resource_id")["unit_weeks"].sum() if len(p.conflicts) else pd.Series(dtype="int64")
           for n, p in plans.items()}
    out = pd.DataFrame(per).fillna(0).astype("int64")
    out.columns = [f"unit_weeks_short: {n}" for n in names]
    if len(names) > 1 and len(out):
        a, b = out.iloc[:, 0], out.iloc[:, 1]
        out["outcome"] = ["resolved" if y == 0 < x else "added" if x == 0 < y else
                          "less short" if y < x else "more short" if y > x else "same" for x, y in zip(a, b)]
    return out.rename_axis("resource_id").reset_index()


def _cents(value):
    """A KPI to the cent (money KPIs are sums of floats: ``9673945.51999998``); counts stay whole."""
    if isinstance(value, float) and not pd.isna(value):
        return round(value, 2) + 0.0
    return value


def comparison_kpis(plans: dict) -> pd.DataFrame:
    """``kpi_table`` with every figure to the cent, as the comparison files hold it."""
    table = kpi_table(plans)
    for col in table.columns[1:]:
        table[col] = table[col].map(_cents).astype(object)
    return table


def comparison_csv(plans: dict) -> bytes:
    """The comparison for finance and production as one CSV: the KPI table (``comparison_kpis``:
    ``metric``, one column per plan, ``change: <name>`` per other plan), the header first. Phase
    moves and deliveries are in the workbook (``comparison_xlsx``)."""
    return csv_bytes(comparison_kpis(plans))


def comparison_xlsx(plans: dict, about: str = "") -> bytes:
    """The comparison as a workbook: About (``about``, one fact a line, then each plan's name and
    what it is), KPIs, Phases moved, Deliveries."""
    lines = [line for line in about.split("; ") if line] + [f"{name}: {p.origin.label}" for name, p in plans.items()]
    return xlsx_bytes({"About": pd.DataFrame({"about": lines}), "KPIs": comparison_kpis(plans),
                       "Phases moved": schedule_changes(plans), "Deliveries": delivery_changes(plans)})
