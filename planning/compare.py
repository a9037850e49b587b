"""Side-by-side comparison of plans (a baseline and what-ifs), as tidy frames.

Every function takes results by name (``{"baseline": ..., "one more stage": ...}``); the first
name is the reference the others are compared with.
"""

from __future__ import annotations

import pandas as pd

KPI_LABELS = {
    "planned_conflicts": "Conflicts on the planned dates",
    "conflicts": "Conflicts left after optimizing",
    "hire_cost": "Hire-in cost",
    "late_deliveries": "Late deliveries",
    "weeks_late": "Weeks late (all productions)",
    "peak_funding_need": "Peak funding need",
    "financing_cost": "Financing cost",
    "shortfall_unit_weeks": "Unit-weeks short (nobody can cover)",
    "objective": "Cost of the plan (hire-in, lateness, moves)",
}
SUMMARY_KEYS = {"objective", "shortfall_unit_weeks"}   # read from the solver summary, not the KPIs


def kpi_table(summaries: dict[str, dict]) -> pd.DataFrame:
    """``metric, <name>...`` and ``change vs <first>`` for each other plan, one row per KPI."""
    names = list(summaries)
    rows = []
    for key, label in KPI_LABELS.items():
        row = {"metric": label}
        for name in names:
            s = summaries[name]
            row[name] = s.get(key) if key in SUMMARY_KEYS else s.get("kpis", {}).get(key)
        for name in names[1:]:
            known = row[name] is not None and row[names[0]] is not None
            row[f"change: {name}"] = row[name] - row[names[0]] if known else None
        rows.append(row)
    return pd.DataFrame(rows)


def schedule_changes(schedules: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Phases whose start differs from the first plan's: production_id, phase_id, first plan's
    start week, each other plan's start week and its shift in weeks (only rows that moved)."""
    names = list(schedules)
    key = ["production_id", "phase_id"]
    out = schedules[names[0]][key + ["start_week"]].rename(columns={"start_week": f"start_week: {names[0]}"})
    for name in names[1:]:
        other = schedules[name][key + ["start_week"]].rename(columns={"start_week": f"start_week: {name}"})
        out = out.merge(other, on=key, how="outer")
        out[f"shift: {name}"] = out[f"start_week: {name}"] - out[f"start_week: {names[0]}"]
    shifts = out[[f"shift: {name}" for name in names[1:]]]
    return out[shifts.fillna(1).ne(0).any(axis=1)].reset_index(drop=True)


def delivery_changes(schedules: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each production's finish week (largest end_week) in every plan, and the shift vs the first."""
    names = list(schedules)
    out = None
    for name in names:
        finish = schedules[name].groupby("production_id")["end_week"].max().rename(f"finish_week: {name}")
        out = finish.to_frame() if out is None else out.join(finish, how="outer")
    for name in names[1:]:
        out[f"shift: {name}"] = out[f"finish_week: {name}"] - out[f"finish_week: {names[0]}"]
    return out.reset_index()


def utilization_difference(utilizations: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """``resource_id, week, name, demand_diff, shortfall_diff`` of the second plan minus the first."""
    names = list(utilizations)
    a, b = utilizations[names[0]], utilizations[names[1]]
    cols = ["resource_id", "week", "demand", "shortfall"]
    both = a[cols].merge(b[cols], on=["resource_id", "week"], how="outer", suffixes=("_a", "_b")).fillna(0)
    both["demand_diff"] = (both["demand_b"] - both["demand_a"]).astype("int64")
    both["shortfall_diff"] = (both["shortfall_b"] - both["shortfall_a"]).astype("int64")
    return both[["resource_id", "week", "demand_diff", "shortfall_diff"]]


def conflict_changes(shortfalls: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per resource: unit-weeks short in each plan, and whether the second resolves or adds conflicts."""
    names = list(shortfalls)
    per = {n: f.groupby("resource_id")["unit_weeks"].sum() if len(f) else pd.Series(dtype="int64")
           for n, f in shortfalls.items()}
    out = pd.DataFrame(per).fillna(0).astype("int64")
    out.columns = [f"unit_weeks_short: {n}" for n in names]
    if len(names) > 1 and len(out):
        a, b = out.iloc[:, 0], out.iloc[:, 1]
        out["outcome"] = ["resolved" if y == 0 < x else "added" if x == 0 < y else
                          "less short" if y < x else "more short" if y > x else "same" for x, y in zip(a, b)]
    return out.rename_axis("resource_id").reset_index()


def comparison_csv(summaries: dict[str, dict], schedules: dict[str, pd.DataFrame]) -> bytes:
    """One CSV for finance and production: the KPI table, then phase moves, then deliveries."""
    parts = [("KPIs", kpi_table(summaries)), ("Phases moved", schedule_changes(schedules)),
             ("Deliveries", delivery_changes(schedules))]
    text = ""
    for title, frame in parts:
        text += f"# {title}\n" + frame.to_csv(index=False) + "\n"
    return text.encode()
