"""Capacity and load of any plan: what each phase holds, which stage each booking gets, and
demand, hire-in and shortfall per resource and week.

**Occupancy.** A demand of ``u`` units on a phase that starts in week ``s`` and lasts ``d`` weeks,
with ``lead`` and ``tail`` weeks, holds ``u`` units in every week ``s - lead .. s + d + tail - 1``
(``part``: ``lead``, ``run`` or ``tail``).

**Capacity.** ``cap[r, w]`` is the resource's base capacity, replaced by its calendar row for
week ``w``.

**Stages.** A stage booking keeps one stage for all its weeks, build and strike included.
``assign_stages`` places the size bookings exactly, with the starts fixed (a small MIP); a
booking no stage can take stays under its *class* ``stages>=m``.

**Utilization.** Per resource and week: ``demand`` (units allocated), ``over = max(0, demand -
cap)``, ``hired = min(over, hire_max)`` (pools with a hire cost only; ``hire_max_units``, empty
= 0) and ``shortfall = over - hired``. Per stage class ``S_m`` (stages of at least ``m`` sq ft,
for each ``m`` a size demand uses): ``capacity = sum_{s in S_m} cap[s, w]``, ``demand =
sum_{s in S_m} min(units held on s, cap[s, w])`` plus the unplaced bookings of threshold ``>= m``,
and ``shortfall`` = units of bookings of threshold exactly ``m`` that no stage could take. Every
shortfall is counted once: on the stage, pool or class that lacks it.

**History.** Weeks before the report week (``settings.now_week``; week 0 without an ``as_of``) are
history: their load is shown as it was, but no plan can change it, so nothing is hired or short
there, and stage assignment keeps history weeks free only where that costs no stage in the plan
(``planning.data.progress.from_as_of``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pulp

from planning.config import SOLVER_THREADS
from planning.data.availability import whole_weeks
from planning.data.inputs import SlateData, week_start

CLASS_PREFIX = "stages>="
COLUMNS = ["resource_id", "name", "kind", "week", "week_start", "capacity", "demand", "over", "hired", "shortfall"]


class StageAssignmentError(RuntimeError):
    """The solver could not place the stage bookings (a solver failure, never an infeasible plan)."""


def class_id(min_size: float) -> str:
    """The id of the class of stages of at least ``min_size`` sq ft: ``stages>=18000``."""
    return f"{CLASS_PREFIX}{0 if pd.isna(min_size) else int(min_size)}"


def is_class(resource_id: pd.Series) -> pd.Series:
    return resource_id.astype(str).str.startswith(CLASS_PREFIX)


def class_size(resource_id: str) -> float:
    return float(resource_id.removeprefix(CLASS_PREFIX))


def class_label(min_size: float) -> str:
    """What a person calls a size class: "Any stage ≥ 18,000 sq ft"."""
    return f"Any stage ≥ {min_size:,.0f} sq ft" if min_size and not pd.isna(min_size) else "Any stage"


def resource_label(resource_id: str, names: dict[str, str]) -> str:
    """What a person calls a resource: its name, its class's label, or (a stage a what-if adds,
    ``WHATIF-<size>-<i>``, on a slate without it) "Added stage 18,000 sq ft #1"."""
    rid = str(resource_id)
    if rid.startswith(CLASS_PREFIX):
        return class_label(class_size(rid))
    if rid not in names and rid.startswith("WHATIF-"):
        _, size, i = rid.split("-")
        return f"Added stage {int(size):,} sq ft #{i}"
    return names.get(rid, rid)


def available_weeks(data: SlateData) -> pd.DataFrame:
    """``resource_id, week, units`` for every week (of ``0 .. horizon_weeks - 1``) that an
    ``availability`` window covers whole: from the Monday on or after ``available_from`` to the
    week whose Sunday is on or before ``available_to``; ``units`` empty means the resource's capacity."""
    av = data.availability
    h0, weeks = data.settings.horizon_start, data.settings.horizon_weeks
    base = dict(zip(data.resources["resource_id"], data.resources["capacity"].astype("int64")))
    rows = []
    for r in av.itertuples(index=False):
        first, last = whole_weeks(r.available_from, r.available_to, h0)
        units = base[r.resource_id] if pd.isna(r.units) else int(r.units)
        rows += [(r.resource_id, w, units) for w in range(max(first, 0), min(last, weeks - 1) + 1)]
    return pd.DataFrame(rows, columns=["resource_id", "week", "units"]).astype({"week": "int64", "units": "int64"})


def capacity_by_week(data: SlateData) -> pd.DataFrame:
    """``resource_id, week, capacity`` for every resource and horizon week: a resource with
    ``availability`` rows has the units of its windows (``available_weeks``) and 0 elsewhere; any
    other its capacity, with its ``resource_calendar`` weeks replacing it."""
    weeks = np.arange(data.settings.horizon_weeks)
    res = data.resources
    grid = pd.DataFrame({
        "resource_id": np.repeat(res["resource_id"].to_numpy(dtype=object), len(weeks)),
        "week": np.tile(weeks, len(res)),
        "capacity": np.repeat(res["capacity"].to_numpy(dtype="int64"), len(weeks)),
    })
    if len(data.availability):
        windows = available_weeks(data).astype({"resource_id": object})
        grid = grid.merge(windows, on=["resource_id", "week"], how="left")
        dated = grid["resource_id"].isin(set(data.availability["resource_id"]))
        grid["capacity"] = grid["capacity"].where(~dated, grid["units"].fillna(0)).astype("int64")
        grid = grid.drop(columns="units")
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


def _expand(frame: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """One row per week ``first_week .. end_week - 1`` of each row (``offset`` from its first
    week), kept inside ``0 .. weeks - 1``."""
    length = (frame["end_week"] - frame["first_week"]).to_numpy(np.int64).clip(min=0)
    idx = np.repeat(np.arange(len(frame)), length)
    offset = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    out = frame.iloc[idx].reset_index(drop=True)
    out["week"] = out["first_week"].to_numpy() + offset
    out["offset"] = offset
    return out[(out["week"] >= 0) & (out["week"] < weeks)].reset_index(drop=True)


def _demand_blocks(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """Every demand of every scheduled phase as a block of weeks: the demand's columns plus
    start_week, duration_weeks, first_week (lead included) and end_week (exclusive, tail included)."""
    sched = schedule[["production_id", "phase_id", "start_week"]].merge(
        data.phases[["production_id", "phase_id", "duration_weeks"]], on=["production_id", "phase_id"])
    b = data.demands.merge(sched, on=["production_id", "phase_id"])
    b["first_week"] = (b["start_week"] - b["lead_weeks"]).astype("int64")
    b["end_week"] = (b["start_week"] + b["duration_weeks"] + b["tail_weeks"]).astype("int64")
    return b


def occupancy(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """Units held per demand and week, inside the horizon.

    ``schedule`` needs ``production_id, phase_id, start_week``. Columns: production_id, phase_id,
    resource_id (a named resource, or the class id of a size demand), week, units, part.
    """
    b = _demand_blocks(data, schedule)
    cols = ["production_id", "phase_id", "resource_id", "week", "units", "part"]
    if b.empty:
        return pd.DataFrame(columns=cols)
    b["resource_id"] = b["resource_id"].astype(object).where(b["resource_id"].notna(),
                                                             b["min_size"].map(class_id).astype(object))
    out = _expand(b, data.settings.horizon_weeks)
    lead, dur = out["lead_weeks"].to_numpy("int64"), out["duration_weeks"].to_numpy("int64")
    out["part"] = np.where(out["offset"] < lead, "lead", np.where(out["offset"] < lead + dur, "run", "tail"))
    out["units"] = out["units"].astype("int64")
    return out[cols].astype({"production_id": object, "phase_id": object})


def stage_bookings(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """One row per stage demand: booking, production_id, phase_id, stage (a named stage, or NA for
    a size demand), min_size, units, first_week, end_week (exclusive; build and strike included)."""
    stages = set(data.resources.loc[data.resources["kind"] == "stage", "resource_id"])
    b = _demand_blocks(data, schedule)
    b = b[(b["resource_kind"] == "stage").fillna(False) | b["resource_id"].isin(stages).fillna(False)]
    out = pd.DataFrame({
        "production_id": b["production_id"].astype(str), "phase_id": b["phase_id"].astype(str),
        "stage": b["resource_id"].astype(object), "min_size": b["min_size"].fillna(0).astype(float),
        "units": b["units"].astype(int), "first_week": b["first_week"], "end_week": b["end_week"],
    }).reset_index(drop=True)
    out.insert(0, "booking", np.arange(len(out)))
    return out


MISS_WEIGHT, PREFERENCE, MISS_GAP = 1000.0, 400.0, 500.0   # assign_stages: a miss outweighs every preference


def assign_stages(data: SlateData, bookings: pd.DataFrame) -> pd.DataFrame:
    """Concrete stages for the size bookings, exactly, with the starts fixed: ``booking, resource_id``.

    A named booking keeps its stage. For size bookings ``b`` and eligible stages ``s`` (size
    ``>= min_size``): ``a[b,s]`` binary, ``sum_s a[b,s] + miss[b] = units[b]``, and per stage and
    horizon week ``sum_{b holds w} a[b,s] <= max(0, cap[s,w] - named[s,w])``: one production per
    stage per week, one stage for the whole booking (build and strike included). Minimises
    ``miss`` first (exactly), then prefers the smallest stage that fits (within a small gap). Any
    miss is a row under the class id ``stages>=m``.

    Weeks before the report week are history: every week is kept free as above while that costs no
    more misses; where history itself over-books (as it happened, or as the data say) and does, the
    bookings are placed again counting only the weeks from the report week, so history never costs
    a stage in the plan.
    """
    first = _assign_stages(data, bookings, 0)
    now = data.settings.now_week
    if now <= 0 or not _missed(first):
        return first
    second = _assign_stages(data, bookings, now)
    return second if _missed(second) < _missed(first) else first


def _missed(assigned: pd.DataFrame) -> int:
    return int(is_class(assigned["resource_id"]).sum())


def _assign_stages(data: SlateData, bookings: pd.DataFrame, first_week: int) -> pd.DataFrame:
    """``assign_stages`` counting the weeks from ``first_week`` on."""
    weeks, now = data.settings.horizon_weeks, max(0, first_week)
    named = bookings[bookings["stage"].notna()]
    rows = [(int(b), str(s)) for b, s, u in zip(named["booking"], named["stage"], named["units"]) for _ in range(u)]
    sized = bookings[bookings["stage"].isna()]
    if sized.empty:
        return pd.DataFrame(rows, columns=["booking", "resource_id"])
    res = data.resources[data.resources["kind"] == "stage"]
    size = dict(zip(res["resource_id"].astype(str), res["size"].fillna(0).astype(float)))
    top = max(size.values(), default=0.0) or 1.0
    cap = capacity_by_week(data)
    cap = cap[cap["resource_id"].isin(list(size))].pivot(index="resource_id", columns="week", values="capacity")
    free = cap.reindex(index=list(size), columns=range(weeks)).fillna(0).to_numpy(np.int64, copy=True)
    pos = {s: i for i, s in enumerate(size)}
    for stage, first, end, units in zip(named["stage"], named["first_week"], named["end_week"], named["units"]):
        lo, hi = max(now, int(first)), min(weeks, int(end))
        if lo < hi and str(stage) in pos:
            free[pos[str(stage)], lo:hi] -= int(units)
    free = free.clip(min=0)
    prob = pulp.LpProblem("stage_assignment", pulp.LpMinimize)
    a, miss, holding = {}, {}, {}
    for b, units, min_size, first, end in zip(sized["booking"], sized["units"], sized["min_size"],
                                              sized["first_week"], sized["end_week"]):
        b, units = int(b), int(units)
        miss[b] = pulp.LpVariable(f"miss_{b}", 0, units, cat="Integer")
        mine = []
        for s, sz in size.items():
            if sz >= min_size:
                v = a[(b, s)] = pulp.LpVariable(f"a_{b}_{s}", cat="Binary")
                mine.append(v)
                for w in range(max(now, int(first)), min(weeks, int(end))):
                    holding.setdefault((s, w), []).append(v)
        prob += pulp.lpSum(mine) + miss[b] == units, f"book_{b}"
    for (s, w), held in sorted(holding.items(), key=lambda kv: (pos[kv[0][0]], kv[0][1])):
        if len(held) > int(free[pos[s], w]):
            prob += pulp.lpSum(held) <= int(free[pos[s], w]), f"stage_{s}_{w}"
    # Misses first: the size preference sums to at most PREFERENCE, and the search stops within
    # MISS_GAP (< MISS_WEIGHT - PREFERENCE) of the best, so the fewest misses are always found while
    # the smallest-stage preference is only nearly met (proving it took minutes on 100 productions).
    weight = PREFERENCE / max(1, int(sized["units"].sum()))
    prob += MISS_WEIGHT * pulp.lpSum(miss.values()) + pulp.lpSum(v * weight * size[s] / top for (_, s), v in a.items())
    prob.solve(pulp.HiGHS(msg=False, timeLimit=30, gapAbs=MISS_GAP, gapRel=0.0, threads=SOLVER_THREADS))
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        raise StageAssignmentError(f"HiGHS could not assign stages ({pulp.LpStatus[prob.status]})")
    for (b, s), v in a.items():
        if (v.varValue or 0) > 0.5:
            rows.append((b, s))
    thresholds = dict(zip(sized["booking"], sized["min_size"]))
    for b, v in miss.items():
        rows += [(b, class_id(thresholds[b]))] * int(round(v.varValue or 0))
    return pd.DataFrame(rows, columns=["booking", "resource_id"])


def allocation(data: SlateData, schedule: pd.DataFrame, assigned: pd.DataFrame | None = None) -> pd.DataFrame:
    """Units per production, phase, resource and week inside the horizon: pools by their demands,
    stages by ``assigned`` (``assign_stages`` of the schedule's bookings when not given).
    Columns: production_id, phase_id, resource_id, week, units."""
    stages = set(data.resources.loc[data.resources["kind"] == "stage", "resource_id"])
    b = _demand_blocks(data, schedule)
    b = b[b["resource_id"].notna() & ~b["resource_id"].isin(stages).fillna(False)]
    pools = pd.DataFrame({"production_id": b["production_id"].astype(str), "phase_id": b["phase_id"].astype(str),
                          "resource_id": b["resource_id"].astype(str), "units": b["units"].astype(int),
                          "first_week": b["first_week"], "end_week": b["end_week"]})
    bookings = stage_bookings(data, schedule)
    assigned = assign_stages(data, bookings) if assigned is None else assigned
    st = assigned.merge(bookings, on="booking")
    st = pd.DataFrame({"production_id": st["production_id"], "phase_id": st["phase_id"],
                       "resource_id": st["resource_id"].astype(str), "units": 1,
                       "first_week": st["first_week"], "end_week": st["end_week"]})
    alloc = _expand(pd.concat([pools, st], ignore_index=True), data.settings.horizon_weeks)
    alloc = alloc.groupby(["production_id", "phase_id", "resource_id", "week"], as_index=False)["units"].sum()
    alloc["week"] = alloc["week"].astype("int64")
    alloc["units"] = alloc["units"].astype("int64")
    return alloc.sort_values(["production_id", "phase_id", "resource_id", "week"]).reset_index(drop=True)


def hire_limits(resources: pd.DataFrame) -> pd.DataFrame:
    """Per resource: ``hire_max`` (units that can be hired in a week: ``hire_max_units``, empty = 0)
    and ``hire_cost`` (per unit-week); both 0 for a stage or a pool without a hire cost."""
    hireable = (resources["kind"] != "stage") & resources["hire_cost_per_week"].notna()
    return pd.DataFrame({"resource_id": resources["resource_id"].astype(object),
                         "hire_max": resources["hire_max_units"].fillna(0).where(hireable, 0).astype("int64"),
                         "hire_cost": resources["hire_cost_per_week"].fillna(0).where(hireable, 0).astype(float)})


def utilization(data: SlateData, alloc: pd.DataFrame) -> pd.DataFrame:
    """Demand, over-booking, hire-in and shortfall per resource (and stage class) and week of an
    ``allocation`` (see the module docstring; nothing hired or short before the report week).
    Columns ``COLUMNS``; one row per resource and horizon week."""
    cap = capacity_by_week(data)
    res = data.resources
    load = alloc.groupby(["resource_id", "week"])["units"].sum().rename("demand")
    named = cap.join(load, on=["resource_id", "week"])
    named["demand"] = named["demand"].fillna(0).astype("int64")
    info = res[["resource_id", "name", "kind"]].astype({"resource_id": object}).merge(
        hire_limits(res)[["resource_id", "hire_max"]], on="resource_id")
    named = named.merge(info, on="resource_id")
    named["over"] = (named["demand"] - named["capacity"]).clip(lower=0)
    named["hired"] = np.minimum(named["over"], named["hire_max"])
    named["shortfall"] = named["over"] - named["hired"]
    parts = [named]
    classes = stage_classes(data)
    missed = {cid: g.droplevel(0) for cid, g in
              alloc[is_class(alloc["resource_id"])].groupby(["resource_id", "week"])["units"].sum().groupby(level=0)}
    if len(classes) or missed:
        members = classes.merge(named[["resource_id", "week", "capacity", "demand"]], on="resource_id")
        members["held"] = np.minimum(members["demand"], members["capacity"])
        per_class = members.groupby(["class_id", "min_size", "week"], as_index=False)[["capacity", "held"]].sum()
        rows = []
        unplaced = alloc[is_class(alloc["resource_id"])]
        unplaced = unplaced.assign(min_size=unplaced["resource_id"].map(class_size).astype(float))
        for m, group in per_class.groupby("min_size"):
            g = group.set_index("week")
            wanted = unplaced[unplaced["min_size"] >= m].groupby("week")["units"].sum()
            g["demand"] = g["held"] + wanted.reindex(g.index, fill_value=0)
            g["shortfall"] = missed.get(class_id(m), pd.Series(dtype="int64")).reindex(g.index, fill_value=0)
            rows.append(g.reset_index())
        for cid in set(missed) - set(per_class["class_id"]):     # a size no stage on the lot has
            g = missed[cid].reindex(range(data.settings.horizon_weeks), fill_value=0).rename_axis("week")
            rows.append(pd.DataFrame({"class_id": cid, "min_size": class_size(cid), "week": g.index,
                                      "capacity": 0, "demand": g.to_numpy(), "shortfall": g.to_numpy()}))
        cls = pd.concat(rows, ignore_index=True).rename(columns={"class_id": "resource_id"})
        cls["name"] = cls["min_size"].map(class_label)
        cls["kind"] = "stage class"
        cls["over"] = (cls["demand"] - cls["capacity"]).clip(lower=0)
        cls["hired"] = 0
        parts.append(cls)
    util = pd.concat(parts, ignore_index=True)
    util.loc[util["week"] < data.settings.now_week, ["hired", "shortfall"]] = 0      # history
    for col in ("capacity", "demand", "over", "hired", "shortfall"):
        util[col] = util[col].astype("int64")
    util["week_start"] = week_start(util["week"], data.settings.horizon_start).to_numpy()
    return util[COLUMNS]


def is_short(util: pd.DataFrame) -> pd.Series:
    """The one rule for what is short, on every page, chart and export: a resource in a week (a row
    of a ``utilization`` frame) with units left that neither the lot nor hire-in can cover
    (``shortfall > 0``). The weeks of a conflict are exactly these. A size row (``stages>=m``) is
    short only for its own size's bookings: a bigger booking no stage could take is short on its
    own size's row, never twice."""
    return util["shortfall"] > 0


SHORT, HIRED, WITHIN = "short", "hired", "within"


def load_state(util: pd.DataFrame) -> pd.Series:
    """Each row of a ``utilization`` frame: ``short`` (``is_short``), else ``hired`` when hire-in
    covers all that is over the lot's capacity, else ``within``."""
    return pd.Series(np.select([is_short(util), util["hired"] > 0], [SHORT, HIRED], WITHIN), index=util.index,
                     name="state")


def stages_booked(data: SlateData, alloc: pd.DataFrame) -> pd.DataFrame:
    """``week, booked, available``: stage bookings held that week (placed or not) against stages open."""
    stage_ids = set(data.resources.loc[data.resources["kind"] == "stage", "resource_id"])
    held = alloc[alloc["resource_id"].isin(stage_ids) | is_class(alloc["resource_id"])]
    booked = held.groupby("week")["units"].sum()
    cap = capacity_by_week(data)
    available = cap[cap["resource_id"].isin(stage_ids)].groupby("week")["capacity"].sum()
    out = pd.DataFrame({"week": available.index, "available": available.to_numpy()})
    out["booked"] = out["week"].map(booked).fillna(0).astype("int64")
    return out[["week", "booked", "available"]]


def counted_productions(data: SlateData, threshold: float) -> pd.DataFrame:
    """Which productions a capacity picture counts at ``threshold`` (a chance, 0..1).

    A greenlit production always counts; a development production counts when its
    ``greenlight_probability >= threshold``. An empty status is greenlit, an empty probability 1.
    Columns: production_id, title, status (``greenlit`` or ``development``),
    greenlight_probability (filled), counted; one row per production.
    """
    pr = data.productions
    out = pd.DataFrame({"production_id": pr["production_id"].astype(str), "title": pr["title"].astype(str),
                        "status": pr["status"].fillna("greenlit").astype(str),
                        "greenlight_probability": pr["greenlight_probability"].fillna(1.0).astype(float)})
    out["counted"] = (out["status"] == "greenlit") | (out["greenlight_probability"] >= threshold)
    return out.reset_index(drop=True)


def counted_utilization(data: SlateData, alloc: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """``utilization`` of the allocation of the productions counted at ``threshold``
    (``counted_productions``), with the demand split in two more columns:

    - ``greenlit``: the demand of the greenlit productions alone (their own ``utilization``);
    - ``development``: ``demand - greenlit``, what the counted development productions add. On a
      named resource that is their units; on a stage-class row (``stages>=m``), the class demand
      they add (its stages in use and its unplaced bookings, as ``utilization`` derives them).

    ``greenlit + development == demand`` on every row; at threshold 0 the utilization columns
    equal ``utilization(data, alloc)``.
    """
    who = counted_productions(data, threshold)
    counted = set(who.loc[who["counted"], "production_id"])
    greenlit = set(who.loc[who["status"] == "greenlit", "production_id"])
    util = utilization(data, alloc[alloc["production_id"].isin(counted)])
    sure = utilization(data, alloc[alloc["production_id"].isin(greenlit)])
    sure = sure.set_index(["resource_id", "week"])["demand"].rename("greenlit")
    util = util.join(sure, on=["resource_id", "week"])
    util["greenlit"] = util["greenlit"].fillna(0).astype("int64")
    util["development"] = util["demand"] - util["greenlit"]
    return util
