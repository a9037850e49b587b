"""Conflicts: runs of consecutive weeks in which a resource (or a class of stages) is short in a
plan, after whatever hire-in its limits allow. One builder for every plan, as planned or
optimized, so every page, export and command names and counts them the same way.

A run on resource ``r`` is a maximal set of consecutive weeks that ``is_short`` calls short
(``shortfall[r, w] > 0``, ``planning.analysis.capacity``; the capacity heatmap colours the same
weeks). Its ``short_by`` is the largest weekly shortfall, ``unit_weeks`` the sum; the productions
involved hold ``r`` in those weeks (for a class: hold one of its stages, or a booking no stage could
take); ``fix`` says in words what would clear it: for a pool that can hire, ``short_by`` more hired
in (its ``hire_max_units`` raised by that much) or added to the lot; otherwise that much capacity
(for a class, that many stages of at least its size).
"""

from __future__ import annotations

import pandas as pd

from planning.analysis.capacity import CLASS_PREFIX, class_size, is_class, is_short, stage_classes
from planning.data.inputs import SlateData, week_start

COLUMNS = ["resource_id", "name", "kind", "first_week", "last_week", "weeks", "start", "end", "peak_demand",
           "capacity", "short_by", "unit_weeks", "productions", "fix"]


def week_runs(rows: pd.DataFrame) -> pd.Series:
    """A run number for each row of ``rows`` (sorted by resource_id, week): rows share a number
    while the resource stays the same and the weeks are consecutive."""
    return (rows["week"].diff().ne(1) | rows["resource_id"].ne(rows["resource_id"].shift())).cumsum()


def counted(name: str, n: int) -> str:
    """A resource's name for ``n`` of its units: "Grip & electric crews" for 2, "Grip & electric crew" for 1
    (a plural name loses its final "s")."""
    return name[:-1] if n == 1 and name.endswith("s") and not name.endswith("ss") else name


def fix(data: SlateData, resource_id: str, short_by: int) -> str:
    """What would clear a run ``short_by`` units short on ``resource_id``, in words: "add 1 stage of
    at least 30,000 sq ft", "hire in 2 more Grip & electric crews (raise the hire-in limit from 1 to
    3), or add them to the lot", "add 1 more Mix stage to the lot"."""
    if resource_id.startswith(CLASS_PREFIX):
        size = class_size(resource_id)
        stages = f"{short_by} stage{'s' if short_by != 1 else ''}"
        return f"add {stages} of at least {size:,.0f} sq ft" if size else f"add {stages}"
    res = data.resources.set_index("resource_id").loc[resource_id]
    if res["kind"] == "stage":
        return "free the stage or book another"
    units = f"{short_by} more {counted(str(res['name']), short_by)}"
    if not pd.isna(res["hire_cost_per_week"]):
        most = 0 if pd.isna(res["hire_max_units"]) else int(res["hire_max_units"])
        return (f"hire in {units} (raise the hire-in limit from {most} to {most + short_by}), "
                f"or add {'it' if short_by == 1 else 'them'} to the lot")
    return f"add {units} to the lot"


def holders(data: SlateData, alloc: pd.DataFrame) -> pd.DataFrame:
    """``resource_id, week, production_id``: who holds each resource, and each class (one of its
    stages, or a booking of its size or larger that no stage could take)."""
    held = alloc[["resource_id", "week", "production_id"]]
    classes = stage_classes(data)
    missed = held[is_class(held["resource_id"])]
    ids = sorted(set(classes["class_id"]) | set(missed["resource_id"]))
    if not ids:
        return held.drop_duplicates()
    via_stage = held.merge(classes[["class_id", "resource_id"]], on="resource_id")[["class_id", "week", "production_id"]]
    sizes = pd.DataFrame({"class_id": ids, "min_size": [class_size(c) for c in ids]})
    via_missed = missed.assign(size=missed["resource_id"].map(class_size).astype(float)).drop(columns="resource_id")
    via_missed = via_missed.merge(sizes, how="cross")
    via_missed = via_missed[via_missed["size"] >= via_missed["min_size"]][["class_id", "week", "production_id"]]
    by_class = pd.concat([via_stage, via_missed]).rename(columns={"class_id": "resource_id"})
    return pd.concat([held[~is_class(held["resource_id"])], by_class], ignore_index=True).drop_duplicates()


def conflict_runs(data: SlateData, util: pd.DataFrame, alloc: pd.DataFrame) -> pd.DataFrame:
    """One row per run of weeks a resource is short (columns ``COLUMNS``; ``end`` is the Monday
    after the run, ``productions`` ``;``-joined ids)."""
    short = util[is_short(util)].sort_values(["resource_id", "week"])
    if short.empty:
        return pd.DataFrame(columns=COLUMNS)
    who = holders(data, alloc)
    h0 = data.settings.horizon_start
    rows = []
    for _, g in short.assign(run=week_runs(short).to_numpy()).groupby("run", sort=True):
        rid = str(g["resource_id"].iloc[0])
        first, last = int(g["week"].min()), int(g["week"].max())
        names = who[(who["resource_id"] == rid) & who["week"].between(first, last)]["production_id"]
        peak = int(g["shortfall"].max())
        rows.append({
            "resource_id": rid, "name": g["name"].iloc[0], "kind": g["kind"].iloc[0],
            "first_week": first, "last_week": last, "weeks": last - first + 1,
            "start": week_start(first, h0), "end": week_start(last + 1, h0),
            "peak_demand": int(g["demand"].max()), "capacity": int(g["capacity"].min()),
            "short_by": peak, "unit_weeks": int(g["shortfall"].sum()),
            "productions": ";".join(sorted(set(names.astype(str)))), "fix": fix(data, rid, peak),
        })
    return pd.DataFrame(rows, columns=COLUMNS)
