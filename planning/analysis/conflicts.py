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

A run on a person or place (kind ``talent`` or ``location``) also says ``what`` happens, in words,
with the resource's name and kind, the productions and phases holding it in those weeks, the run's
dates (the Mondays of its first and last weeks) and the nearest availability: "available until X"
when every week of the run is inside a window (X its last day), else, from the first week of the
run that is not, "not available from X to Y" (X the day after the window before it ends, Y the day
before the next one starts), "not available from X on" (no later window), "not available before Z"
(no earlier window) or, in a window of 0 units, "not available from X to Y" (its days). A person or
place cannot be hired in: its ``fix`` moves one of the productions (or changes the availability).
Other runs leave ``what`` empty.
"""

from __future__ import annotations

import pandas as pd

from planning.analysis.capacity import (CLASS_PREFIX, available_weeks, capacity_by_week, class_size, is_class,
                                       is_short, stage_classes)
from planning.analysis.people import KINDS as PEOPLE_KINDS, phase_names
from planning.data.inputs import SlateData, week_start

COLUMNS = ["resource_id", "name", "kind", "first_week", "last_week", "weeks", "start", "end", "peak_demand",
           "capacity", "short_by", "unit_weeks", "productions", "fix", "what"]
DAY = pd.Timedelta(days=1)


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


def day(date) -> str:
    """A date as the data has it: ``2027-03-08``."""
    return f"{pd.Timestamp(date):%Y-%m-%d}"


def nearest_availability(data: SlateData, resource_id: str, first: int, last: int) -> str:
    """The availability of a person or place around the weeks ``first .. last`` of a run, in words
    (see the module docstring); empty for a resource without ``availability`` rows."""
    av = data.availability
    mine = av[av["resource_id"] == resource_id].sort_values("available_from")
    if mine.empty:
        return ""
    cap = capacity_by_week(data)
    cap = cap[cap["resource_id"] == resource_id].set_index("week")["capacity"]
    h0 = data.settings.horizon_start
    short_week = next((w for w in range(first, last + 1) if int(cap.get(w, 0)) == 0), None)
    covered = available_weeks(data)
    covered = covered[covered["resource_id"] == resource_id]
    if short_week is None:       # every week inside a window: the one holding the run's first week
        monday = week_start(first, h0)
        window = mine[(mine["available_from"] <= monday) & (mine["available_to"] >= monday)].iloc[0]
        return f"available until {day(window['available_to'])}"
    monday = week_start(short_week, h0)
    inside = mine[(mine["available_from"] <= monday + 6 * DAY) & (mine["available_to"] >= monday)]
    if len(inside) and short_week in set(covered["week"]):        # a window of 0 units
        w = inside.iloc[0]
        return f"not available from {day(w['available_from'])} to {day(w['available_to'])}"
    before = mine[mine["available_to"] < monday + 6 * DAY]
    after = mine[mine["available_from"] > monday]
    if len(before) and len(after):
        return (f"not available from {day(before['available_to'].iloc[-1] + DAY)} "
                f"to {day(after['available_from'].iloc[0] - DAY)}")
    if len(before):
        return f"not available from {day(before['available_to'].iloc[-1] + DAY)} on"
    return f"not available before {day(after['available_from'].iloc[0])}"


def booked_by(alloc: pd.DataFrame, resource_id: str, first: int, last: int) -> list[tuple[str, str]]:
    """``(production_id, phase_id)`` of every phase holding ``resource_id`` in weeks ``first .. last``, sorted."""
    held = alloc[(alloc["resource_id"] == resource_id) & alloc["week"].between(first, last)]
    return sorted(set(zip(held["production_id"].astype(str), held["phase_id"].astype(str))))


def with_kind(name: str, kind: str) -> str:
    """``"Ana Ruiz (talent)"``; a name that ends in brackets takes the kind inside them:
    ``"Maya Okafor (director, talent)"``."""
    return f"{name[:-1]}, {kind})" if name.endswith(")") and "(" in name else f"{name} ({kind})"


def people_what(data: SlateData, alloc: pd.DataFrame, resource_id: str, first: int, last: int) -> str:
    """What happens in a run ``first .. last`` on a person or place, in words: "Ana Ruiz (talent)
    is booked by P03 shoot and P07 shoot in the weeks of 2027-03-08 to 2027-03-29; available until
    2027-04-30"."""
    res = data.resources.set_index("resource_id").loc[resource_id]
    h0 = data.settings.horizon_start
    weeks = (f"in the week of {day(week_start(first, h0))}" if first == last else
             f"in the weeks of {day(week_start(first, h0))} to {day(week_start(last, h0))}")
    text = f"{with_kind(str(res['name']), str(res['kind']))} is booked by {phase_names(booked_by(alloc, resource_id, first, last))} {weeks}"
    around = nearest_availability(data, resource_id, first, last)
    return f"{text}; {around}" if around else text


def people_fix(data: SlateData, alloc: pd.DataFrame, resource_id: str, first: int, last: int) -> str:
    """What would clear a run on a person or place (never hiring in: they cannot be hired): move one
    of the phases holding it, or change its availability."""
    res = data.resources.set_index("resource_id").loc[resource_id]
    held = booked_by(alloc, resource_id, first, last)
    phases = " or ".join(f"{p} {ph}" for p, ph in held)
    cap = capacity_by_week(data)
    cap = cap[(cap["resource_id"] == resource_id) & cap["week"].between(first, last)]
    dated = (data.availability["resource_id"] == resource_id).any()
    name = res["name"]
    if (cap["capacity"] == 0).any():
        if dated:
            return f"move {phases} into weeks {name} is available, or change the availability"
        return f"move {phases} to weeks {name} is available, or change its capacity in the calendar"
    if len(held) == 1:
        return f"move {phases} to other weeks, or change the availability"
    more = "" if res["kind"] != "location" else (", or change the availability (more units)" if dated
                                                 else ", or raise its capacity")
    return f"move {phases} so that they do not overlap{more}"


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
        person = g["kind"].iloc[0] in PEOPLE_KINDS
        rows.append({
            "resource_id": rid, "name": g["name"].iloc[0], "kind": g["kind"].iloc[0],
            "first_week": first, "last_week": last, "weeks": last - first + 1,
            "start": week_start(first, h0), "end": week_start(last + 1, h0),
            "peak_demand": int(g["demand"].max()), "capacity": int(g["capacity"].min()),
            "short_by": peak, "unit_weeks": int(g["shortfall"].sum()),
            "productions": ";".join(sorted(set(names.astype(str)))), "fix": people_fix(data, alloc, rid, first, last) if person else fix(data, rid, peak),
            "what": people_what(data, alloc, rid, first, last) if person else "",
        })
    return pd.DataFrame(rows, columns=COLUMNS)
