"""Capacity, occupancy and conflicts of a schedule (the planned dates, or any plan).

Occupancy: a demand of ``u`` units on a phase that starts in week ``s`` and lasts ``d`` weeks,
with ``lead`` and ``tail`` weeks, holds ``u`` units in every week ``s - lead .. s + d + tail - 1``
(``part`` is ``lead``, ``run`` or ``tail``).

Capacity: ``cap[r, w]`` is the resource's base capacity, replaced by its calendar row for week ``w``.

Stage demands by size (``resource_kind = stage``, ``min_size = m``) count against the *class*
``S_m`` of stages of at least ``m`` sq ft. For each threshold ``m`` used by a demand and week ``w``:

    sum(kind demands with min_size >= m) + sum_{s in S_m} min(named demand on s, cap[s, w])
        <= sum_{s in S_m} cap[s, w]

Together with ``named demand on s <= cap[s, w]`` for every stage, these are Hall's conditions for
the nested classes, so they hold exactly when *each week on its own* the stage bookings can be
matched to distinct stages. A booking must keep one stage for all its weeks, which these weekly
rows do not see: the stage board (``planning.stageboard``) places whole bookings and shows what no
stage could take, and the optimizer pools stages by exact size (``planning.optimizer.model``). Each class is
reported as a row of ``kind = "stage class"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.inputs import SlateData, week_start

CLASS_PREFIX = "stages>="


def class_id(min_size: float) -> str:
    return f"{CLASS_PREFIX}{0 if pd.isna(min_size) else int(min_size)}"


def class_name(min_size: float) -> str:
    """What a person calls a size class: "Any stage ≥ 18,000 sq ft"."""
    return f"Any stage ≥ {min_size:,.0f} sq ft" if min_size and not pd.isna(min_size) else "Any stage"


def capacity_by_week(data: SlateData) -> pd.DataFrame:
    """``resource_id, week, capacity`` for every resource and horizon week, calendar applied."""
    weeks = np.arange(data.settings.horizon_weeks)
    res = data.resources
    grid = pd.DataFrame({
        "resource_id": np.repeat(res["resource_id"].to_numpy(dtype=object), len(weeks)),
        "week": np.tile(weeks, len(res)),
        "capacity": np.repeat(res["capacity"].to_numpy(dtype="int64"), len(weeks)),
    })
    cal = data.resource_calendar
    if len(cal):
        over = pd.DataFrame({"resource_id": cal["resource_id"].astype(object),
                             "week": data.week_of(cal["week_start"]).astype("int64"),
                             "override": cal["capacity"].astype("int64")})
        grid = grid.merge(over, on=["resource_id", "week"], how="left")
        grid["capacity"] = grid["override"].fillna(grid["capacity"]).astype("int64")
        grid = grid.drop(columns="override")
    return grid


def stage_classes(data: SlateData) -> pd.DataFrame:
    """``class_id, min_size, resource_id``: the stages in each class used by a size demand."""
    dem = data.demands
    sizes = sorted({float(m) if not pd.isna(m) else 0.0
                    for m in dem.loc[dem["resource_kind"] == "stage", "min_size"]})
    stages = data.resources[data.resources["kind"] == "stage"]
    rows = [(class_id(m), m, sid) for m in sizes
            for sid, size in zip(stages["resource_id"], stages["size"].fillna(0)) if size >= m]
    return pd.DataFrame(rows, columns=["class_id", "min_size", "resource_id"])


def occupancy(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """Units held per demand and week, inside the horizon.

    ``schedule`` needs ``production_id, phase_id, start_week``. Columns: production_id, phase_id,
    resource_id (a named resource, or the class id of a size demand), week, units, part.
    """
    cols = ["production_id", "phase_id", "resource_id", "week", "units", "part"]
    sched = schedule[["production_id", "phase_id", "start_week"]].merge(
        data.phases[["production_id", "phase_id", "duration_weeks"]], on=["production_id", "phase_id"])
    dem = data.demands.merge(sched, on=["production_id", "phase_id"])
    if dem.empty:
        return pd.DataFrame(columns=cols)
    target = dem["resource_id"].astype(object).where(dem["resource_id"].notna(),
                                                     dem["min_size"].map(class_id).astype(object))
    lead = dem["lead_weeks"].to_numpy(dtype="int64")
    dur = dem["duration_weeks"].to_numpy(dtype="int64")
    tail = dem["tail_weeks"].to_numpy(dtype="int64")
    length = lead + dur + tail
    idx = np.repeat(np.arange(len(dem)), length)
    offset = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)  # 0..len-1 per row
    week = dem["start_week"].to_numpy(dtype="int64")[idx] - lead[idx] + offset
    part = np.where(offset < lead[idx], "lead", np.where(offset < lead[idx] + dur[idx], "run", "tail"))
    out = pd.DataFrame({
        "production_id": dem["production_id"].to_numpy(dtype=object)[idx],
        "phase_id": dem["phase_id"].to_numpy(dtype=object)[idx],
        "resource_id": target.to_numpy(dtype=object)[idx],
        "week": week,
        "units": dem["units"].to_numpy(dtype="int64")[idx],
        "part": part,
    })
    inside = (out["week"] >= 0) & (out["week"] < data.settings.horizon_weeks)
    return out[inside].reset_index(drop=True)


def utilization(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """Demand against capacity per resource (and stage class) and week.

    Columns: resource_id, name, kind, week, week_start, capacity, demand, over
    (``over = max(0, demand - capacity)``). One row per resource and horizon week.
    """
    occ = occupancy(data, schedule)
    cap = capacity_by_week(data)
    load = occ.groupby(["resource_id", "week"], as_index=False)["units"].sum().rename(columns={"units": "demand"})
    named = cap.merge(load, on=["resource_id", "week"], how="left")
    named["demand"] = named["demand"].fillna(0).astype("int64")
    info = data.resources[["resource_id", "name", "kind"]].astype(object)
    named = named.merge(info, on="resource_id")

    classes = stage_classes(data)
    parts = [named]
    if len(classes):
        members = classes.merge(named[["resource_id", "week", "capacity", "demand"]], on="resource_id")
        members["held"] = np.minimum(members["demand"], members["capacity"])
        per_class = members.groupby(["class_id", "min_size", "week"], as_index=False)[["capacity", "held"]].sum()
        kind_load = load[load["resource_id"].str.startswith(CLASS_PREFIX)].rename(
            columns={"resource_id": "class_id", "demand": "kind_demand"})
        kind_load["threshold"] = kind_load["class_id"].str.slice(len(CLASS_PREFIX)).astype(float)
        rows = []
        for m, group in per_class.groupby("min_size"):
            mine = kind_load[kind_load["threshold"] >= m].groupby("week")["kind_demand"].sum()
            g = group.set_index("week")
            g["demand"] = g["held"] + mine.reindex(g.index, fill_value=0)
            rows.append(g.reset_index())
        cls = pd.concat(rows, ignore_index=True)
        cls = cls.rename(columns={"class_id": "resource_id"})
        cls["name"] = cls["min_size"].map(class_name)
        cls["kind"] = "stage class"
        parts.append(cls[["resource_id", "week", "capacity", "demand", "name", "kind"]])
    util = pd.concat(parts, ignore_index=True)
    util["demand"] = util["demand"].astype("int64")
    util["capacity"] = util["capacity"].astype("int64")
    util["over"] = (util["demand"] - util["capacity"]).clip(lower=0)
    util["week_start"] = week_start(util["week"], data.settings.horizon_start).to_numpy()
    return util[["resource_id", "name", "kind", "week", "week_start", "capacity", "demand", "over"]]


def involved(data: SlateData, occ: pd.DataFrame) -> pd.DataFrame:
    """``resource_id, week, production_id`` for every production holding each resource or class.

    A class is held by its own size demands and by named demands on its member stages; a size
    demand of threshold ``m`` also weighs on every class of a smaller threshold.
    """
    held = occ[["resource_id", "week", "production_id"]]
    classes = stage_classes(data)
    if classes.empty:
        return held.drop_duplicates()
    via_named = held.merge(classes[["class_id", "resource_id"]], on="resource_id")[["class_id", "week", "production_id"]]
    kind = held[held["resource_id"].str.startswith(CLASS_PREFIX)].copy()
    kind["threshold"] = kind["resource_id"].str.slice(len(CLASS_PREFIX)).astype(float)
    thresholds = classes[["class_id", "min_size"]].drop_duplicates()
    via_kind = kind.merge(thresholds, how="cross")
    via_kind = via_kind[via_kind["threshold"] >= via_kind["min_size"]][["class_id", "week", "production_id"]]
    extra = pd.concat([via_named, via_kind]).rename(columns={"class_id": "resource_id"})
    named_only = held[~held["resource_id"].str.startswith(CLASS_PREFIX)]
    return pd.concat([named_only, extra], ignore_index=True).drop_duplicates()


def week_runs(rows: pd.DataFrame) -> pd.Series:
    """A run number for each row of ``rows`` (sorted by resource_id, week): rows share a number
    while the resource stays the same and the weeks are consecutive."""
    return (rows["week"].diff().ne(1) | rows["resource_id"].ne(rows["resource_id"].shift())).cumsum()


def conflicts(data: SlateData, schedule: pd.DataFrame, util: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per run of consecutive over-allocated weeks on a resource (or stage class).

    Columns: resource_id, name, kind, first_week, last_week, weeks, start, end (the Monday after
    the run), peak_demand, capacity (least in the run), short_by (most units over in a week),
    unit_weeks (units over, summed over the run), productions (``;``-joined ids holding it then).
    """
    util = utilization(data, schedule) if util is None else util
    over = util[util["over"] > 0].sort_values(["resource_id", "week"])
    cols = ["resource_id", "name", "kind", "first_week", "last_week", "weeks", "start", "end",
            "peak_demand", "capacity", "short_by", "unit_weeks", "productions"]
    if over.empty:
        return pd.DataFrame(columns=cols)
    over = over.assign(run=week_runs(over).to_numpy())
    who = involved(data, occupancy(data, schedule))
    rows = []
    for _, g in over.groupby("run", sort=True):
        rid = g["resource_id"].iloc[0]
        first, last = int(g["week"].min()), int(g["week"].max())
        names = who[(who["resource_id"] == rid) & who["week"].between(first, last)]["production_id"]
        rows.append({
            "resource_id": rid, "name": g["name"].iloc[0], "kind": g["kind"].iloc[0],
            "first_week": first, "last_week": last, "weeks": last - first + 1,
            "start": data.settings.horizon_start + pd.Timedelta(days=7 * first),
            "end": data.settings.horizon_start + pd.Timedelta(days=7 * (last + 1)),
            "peak_demand": int(g["demand"].max()), "capacity": int(g["capacity"].min()),
            "short_by": int(g["over"].max()), "unit_weeks": int(g["over"].sum()),
            "productions": ";".join(sorted(set(names))),
        })
    return pd.DataFrame(rows, columns=cols)


def stages_booked(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """``week, booked, available``: stages held that week (named or by size) against stages open."""
    occ = occupancy(data, schedule)
    stage_ids = set(data.resources.loc[data.resources["kind"] == "stage", "resource_id"])
    is_stage = occ["resource_id"].isin(stage_ids) | occ["resource_id"].str.startswith(CLASS_PREFIX)
    booked = occ[is_stage].groupby("week")["units"].sum()
    cap = capacity_by_week(data)
    available = cap[cap["resource_id"].isin(stage_ids)].groupby("week")["capacity"].sum()
    out = pd.DataFrame({"week": available.index, "available": available.to_numpy()})
    out["booked"] = out["week"].map(booked).fillna(0).astype("int64")
    return out[["week", "booked", "available"]]
