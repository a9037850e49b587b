"""Tidy frames from a chosen plan: schedule, allocation, utilization, changes, objective parts.

Everything here is recomputed from the chosen starts and the stage assignment, so the frames are
the plan (the solver's own hire and shortfall values are not read back):

- ``schedule``: production_id, phase_id, start_week, end_week (exclusive), start, end (Mondays),
  planned_start (Monday of the planned week; empty for an undated phase), moved_weeks, stages (``;``-joined stages held).
- ``allocation``: production_id, phase_id, resource_id, week, units; one row per demand-week
  inside the grid, lead and tail weeks included, stages by the stage assigned. A stage booking no
  stage can take is listed under its class id (``stages>=m``).
- ``utilization``: resource_id, week, capacity, demand, hired, shortfall, for every resource and
  week of the grid (and every class with an unplaced booking, at capacity 0):
  ``hired = min(max(0, demand - capacity), hire_max)``, ``shortfall = max(0, demand - capacity -
  hired)``.
- ``changes``: change (moved|stage|hire|shortfall), production_id, phase_id, resource_id,
  first_week, last_week, amount (weeks moved, or units), detail (why, where it can be told).
- ``objective``: part, value (hire, lateness, moves, total: money; shortfall is counted in unit-weeks).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pulp

from planning.conflicts import CLASS_PREFIX, class_id
from planning.inputs import week_start
from planning.optimizer.candidates import cell_load
from planning.optimizer.highs import THREADS, SolverError


def schedule_frame(cands, chosen: np.ndarray) -> pd.DataFrame:
    """Start and end week of every phase under the chosen combos, with its move from its planned
    start (0 for a phase without one: it has nothing to move from)."""
    place = cands.placements[cands.placements["combo"].isin(chosen)]
    s = cands.phases.merge(place[["production_id", "phase_id", "start_week"]], on=["production_id", "phase_id"])
    s = s.sort_values(["production_id", "seq"]).reset_index(drop=True)
    s["end_week"] = s["start_week"] + s["duration"]
    s["moved_weeks"] = (s["start_week"] - s["planned_week"]).where(s["dated"], 0)
    return s


def stage_bookings(data, sched: pd.DataFrame) -> pd.DataFrame:
    """One row per stage demand: booking, production_id, phase_id, stage (named id or NA), min_size,
    units, first_week, end_week (exclusive; lead and tail included)."""
    stages = set(data.resources.loc[data.resources["kind"] == "stage", "resource_id"])
    dem = data.demands
    dem = dem[(dem["resource_kind"] == "stage").fillna(False) | dem["resource_id"].isin(stages).fillna(False)]
    b = dem.merge(sched[["production_id", "phase_id", "start_week", "end_week"]], on=["production_id", "phase_id"])
    out = pd.DataFrame({
        "production_id": b["production_id"].astype(str), "phase_id": b["phase_id"].astype(str),
        "stage": b["resource_id"].astype(object), "min_size": b["min_size"].fillna(0).astype(float),
        "units": b["units"].astype(int),
        "first_week": (b["start_week"] - b["lead_weeks"]).astype(int),
        "end_week": (b["end_week"] + b["tail_weeks"]).astype(int),
    })
    out.insert(0, "booking", np.arange(len(out)))
    return out


def assign_stages(data, bookings: pd.DataFrame, stage_cap: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """Concrete stages for the size bookings, exactly, with the starts fixed: ``booking, resource_id``.

    A named booking keeps its stage. For size bookings ``b`` and eligible stages ``s`` (size
    ``>= min_size``): ``a[b,s]`` binary, ``sum_s a[b,s] + miss[b] = units[b]``, and per stage and
    grid week ``sum_{b holds w} a[b,s] <= max(0, cap[s,w] - named[s,w])``: one production per stage
    per week, one stage for the whole booking (lead and tail included). Minimises ``miss`` first,
    then prefers the smallest stage that fits. When the size classes of the plan hold (Hall's
    conditions) and no stage has a calendar gap inside a booking, ``miss = 0``; any miss is named
    as a row under the class id ``stages>=m``.
    """
    named = bookings[bookings["stage"].notna()]
    rows = [(int(b), str(s)) for b, s, u in zip(named["booking"], named["stage"], named["units"]) for _ in range(u)]
    sized = bookings[bookings["stage"].isna()]
    if sized.empty:
        return pd.DataFrame(rows, columns=["booking", "resource_id"])
    res = data.resources[data.resources["kind"] == "stage"]
    size = dict(zip(res["resource_id"].astype(str), res["size"].fillna(0).astype(float)))
    top = max(size.values()) or 1.0
    cap = stage_cap.pivot(index="resource_id", columns="week", values="capacity").reindex(columns=range(weeks))
    free = cap.reindex(list(size)).fillna(0).to_numpy(np.int64, copy=True)
    pos = {s: i for i, s in enumerate(size)}
    for stage, first, end, units in zip(named["stage"], named["first_week"], named["end_week"], named["units"]):
        lo, hi = max(0, int(first)), min(weeks, int(end))
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
                for w in range(max(0, int(first)), min(weeks, int(end))):
                    holding.setdefault((s, w), []).append(v)
        prob += pulp.lpSum(mine) + miss[b] == units, f"book_{b}"
    for (s, w), held in sorted(holding.items(), key=lambda kv: (pos[kv[0][0]], kv[0][1])):
        if len(held) > int(free[pos[s], w]):
            prob += pulp.lpSum(held) <= int(free[pos[s], w]), f"stage_{s}_{w}"
    prob += 1000 * pulp.lpSum(miss.values()) + pulp.lpSum(v * size[s] / top for (_, s), v in a.items())
    prob.solve(pulp.HiGHS(msg=False, timeLimit=30, threads=THREADS))
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        raise SolverError(f"HiGHS could not assign stages ({pulp.LpStatus[prob.status]})")
    for (b, s), v in a.items():
        if (v.varValue or 0) > 0.5:
            rows.append((b, s))
    thresholds = dict(zip(sized["booking"], sized["min_size"]))
    for b, v in miss.items():
        rows += [(b, class_id(thresholds[b]))] * int(round(v.varValue or 0))
    return pd.DataFrame(rows, columns=["booking", "resource_id"])


def _expand(frame: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """One row per week ``first_week .. end_week-1`` of each row, kept inside ``0 .. weeks-1``."""
    length = (frame["end_week"] - frame["first_week"]).to_numpy(np.int64).clip(min=0)
    idx = np.repeat(np.arange(len(frame)), length)
    offset = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    out = frame.iloc[idx].reset_index(drop=True)
    out["week"] = out["first_week"].to_numpy() + offset
    return out[(out["week"] >= 0) & (out["week"] < weeks)]


def allocation_frame(data, sched: pd.DataFrame, bookings: pd.DataFrame, assigned: pd.DataFrame,
                     weeks: int) -> pd.DataFrame:
    """Units per production, phase, resource and week (pools by demand, stages by assignment)."""
    stages = set(data.resources.loc[data.resources["kind"] == "stage", "resource_id"])
    dem = data.demands[data.demands["resource_id"].notna() & ~data.demands["resource_id"].isin(stages).fillna(False)]
    p = dem.merge(sched[["production_id", "phase_id", "start_week", "end_week"]], on=["production_id", "phase_id"])
    pools = pd.DataFrame({"production_id": p["production_id"].astype(str), "phase_id": p["phase_id"].astype(str),
                          "resource_id": p["resource_id"].astype(str), "units": p["units"].astype(int),
                          "first_week": (p["start_week"] - p["lead_weeks"]).astype(int),
                          "end_week": (p["end_week"] + p["tail_weeks"]).astype(int)})
    st = assigned.merge(bookings, on="booking")
    st = pd.DataFrame({"production_id": st["production_id"], "phase_id": st["phase_id"],
                       "resource_id": st["resource_id"], "units": 1,
                       "first_week": st["first_week"], "end_week": st["end_week"]})
    alloc = _expand(pd.concat([pools, st], ignore_index=True), weeks)
    alloc = alloc.groupby(["production_id", "phase_id", "resource_id", "week"], as_index=False)["units"].sum()
    return alloc.sort_values(["production_id", "phase_id", "resource_id", "week"]).reset_index(drop=True)


def utilization_frame(cands, alloc: pd.DataFrame) -> pd.DataFrame:
    """Capacity, demand, hired and shortfall per resource (and class with unplaced bookings) and week."""
    rows = cands.rows[cands.rows["kind"] != "class"]
    grid = pd.DataFrame({
        "resource_id": np.repeat(rows["row_id"].to_numpy(dtype=object), cands.weeks),
        "week": np.tile(np.arange(cands.weeks), len(rows)),
        "capacity": cands.capacity[rows["row"].to_numpy()].ravel(),
        "hire_max": np.repeat(rows["hire_max"].to_numpy(np.int64), cands.weeks),
    })
    unplaced = alloc[alloc["resource_id"].str.startswith("stages>=")]
    if len(unplaced):
        extra = unplaced.groupby(["resource_id", "week"], as_index=False).size()[["resource_id", "week"]]
        grid = pd.concat([grid, extra.assign(capacity=0, hire_max=0)], ignore_index=True)
    demand = alloc.groupby(["resource_id", "week"])["units"].sum().rename("demand")
    grid = grid.join(demand, on=["resource_id", "week"])
    grid["demand"] = grid["demand"].fillna(0).astype("int64")
    excess = (grid["demand"] - grid["capacity"]).clip(lower=0)
    grid["hired"] = np.minimum(excess, grid["hire_max"]).astype("int64")
    grid["shortfall"] = (excess - grid["hired"]).astype("int64")
    grid["capacity"] = grid["capacity"].astype("int64")
    return grid[["resource_id", "week", "capacity", "demand", "hired", "shortfall"]]


def objective_parts(cands, chosen: np.ndarray, util: pd.DataFrame) -> dict[str, float]:
    """Hire, lateness and moves (money) of the plan, recomputed from the frames and the choice."""
    rows = cands.rows.set_index("row_id")
    hire = float((util["hired"] * util["resource_id"].map(rows["hire_cost"]).fillna(0)).sum())
    prods = cands.productions.set_index("production_id")
    finish = cands.combos.iloc[chosen].groupby("production_id")["end_week"].max()
    late = float((prods["late_cost"] * (finish - prods["target_week"]).clip(lower=0)).sum())
    moves = float(cands.combos["move_cost"].to_numpy()[chosen].sum())
    return {"hire": hire, "lateness": late, "moves": moves}


def _runs(frame: pd.DataFrame, column: str) -> list[dict]:
    """Runs of consecutive weeks with ``column > 0`` per resource."""
    on = frame[frame[column] > 0].sort_values(["resource_id", "week"])
    out = []
    if on.empty:
        return out
    run = (on["week"].diff().ne(1) | on["resource_id"].ne(on["resource_id"].shift())).cumsum()
    for _, g in on.groupby(run.to_numpy()):
        out.append({"resource_id": g["resource_id"].iat[0], "first_week": int(g["week"].min()),
                    "last_week": int(g["week"].max()), "amount": int(g[column].sum()), "peak": int(g[column].max())})
    return out


def _move_reasons(data, cands, chosen: np.ndarray, sched: pd.DataFrame) -> dict[int, str]:
    """Why each moved phase is not at its planned week, by unit.

    Put the phase back at its planned week with everything else as chosen: if that week is outside
    its window the reason is the window; if it breaks a link with a phase of its production, the
    link; if it would overload a resource beyond capacity plus hire, that resource and those weeks;
    if it only needs more hire-in, the hire it avoids; a phase moved earlier cuts lateness; else the
    move makes room for others. Resources by name, weeks by their Monday.
    """
    names = dict(zip(data.resources["resource_id"].astype(str), data.resources["name"].astype(str)))
    names.update({rid: f"stages of {float(rid.removeprefix(CLASS_PREFIX)):,.0f} sq ft or more"
                  for rid in cands.rows["row_id"].astype(str) if rid.startswith(CLASS_PREFIX)})
    monday = lambda w: f"{data.settings.horizon_start + pd.Timedelta(weeks=int(w)):%d %b %Y}"  # noqa: E731
    co = cands.combos
    start = co["start_week"].to_numpy()
    phase_of = cands.units["phase_id"].to_numpy()
    load = cell_load(cands, chosen)
    cap = cands.capacity.ravel()
    hmax = np.repeat(cands.rows["hire_max"].to_numpy(np.int64), cands.weeks)
    out = {}
    for r in sched[sched["moved_weeks"] != 0].itertuples(index=False):
        u = r.unit
        back = co[(co["unit"] == u) & (co["start_week"] == r.planned_week)]
        if back.empty:
            out[u] = "window: the planned week is outside the production's window"
            continue
        broken = []
        for lk in cands.links[(cands.links["before_unit"] == u) | (cands.links["after_unit"] == u)].itertuples():
            sb = r.planned_week if lk.before_unit == u else start[chosen[lk.before_unit]]
            sa = r.planned_week if lk.after_unit == u else start[chosen[lk.after_unit]]
            gap = sa - sb - lk.before_duration
            if gap < lk.min_lag or (not pd.isna(lk.max_lag) and gap > lk.max_lag):
                broken.append(phase_of[lk.after_unit if lk.before_unit == u else lk.before_unit])
        if broken:
            out[u] = f"link: it keeps its order with {', '.join(sorted(set(broken)))}, which moved"
            continue
        c0 = int(back["combo"].iat[0])
        delta = np.zeros(cap.size)
        for c, sign in ((int(chosen[u]), -1), (c0, 1)):
            m = cands.cover_combo == c
            delta += sign * np.bincount(cands.cover_cell[m], weights=cands.cover_units[m], minlength=cap.size)
        new = load + delta
        over = (new > cap + hmax) & (delta > 0)
        more_hire = (np.minimum(np.maximum(0, new - cap), hmax) > np.minimum(np.maximum(0, load - cap), hmax))
        if over.any():
            cells = np.flatnonzero(over)
            rid = cands.cell_label(int(cells[0]))[0]
            weeks = sorted(cands.cell_label(int(c))[1] for c in cells if cands.cell_label(int(c))[0] == rid)
            out[u] = (f"capacity: {names.get(rid, rid)} would be over from the week of {monday(weeks[0])} to the "
                      f"week of {monday(weeks[-1])} at the planned week")
        elif more_hire.any():
            cells = np.flatnonzero(more_hire)
            rid = cands.cell_label(int(cells[0]))[0]
            out[u] = f"cost: the planned week needs more hire-in of {names.get(rid, rid)} ({len(cells)} week(s))"
        elif r.start_week < r.planned_week:
            out[u] = "lateness: earlier to finish sooner"
        else:
            out[u] = ("room: back at its planned week it alone overloads no pool; the move frees stages or room "
                      "for other productions")
    return out


def changes_frame(data, cands, chosen, sched, bookings, assigned, util) -> pd.DataFrame:
    """What the plan changes: moved phases (with why), stages chosen, hire-in runs, shortfall runs."""
    reasons = _move_reasons(data, cands, chosen, sched)
    rows = []
    for r in sched[sched["moved_weeks"] != 0].itertuples(index=False):
        rows.append({"change": "moved", "production_id": r.production_id, "phase_id": r.phase_id,
                     "resource_id": "", "first_week": int(r.start_week), "last_week": int(r.end_week - 1),
                     "amount": int(r.moved_weeks), "detail": reasons.get(r.unit, "")})
    st = assigned.merge(bookings, on="booking")
    for r in st[st["stage"].isna()].itertuples(index=False):
        placed = not r.resource_id.startswith("stages>=")
        rows.append({"change": "stage", "production_id": r.production_id, "phase_id": r.phase_id,
                     "resource_id": r.resource_id, "first_week": int(r.first_week), "last_week": int(r.end_week - 1),
                     "amount": 1, "detail": f"any stage of at least {r.min_size:,.0f} sq ft"
                     + ("" if placed else ": no stage free for the whole booking")})
    for kind in ("hired", "shortfall"):
        for run in _runs(util, kind):
            rows.append({"change": "hire" if kind == "hired" else "shortfall", "production_id": "", "phase_id": "",
                         "resource_id": run["resource_id"], "first_week": run["first_week"],
                         "last_week": run["last_week"], "amount": run["amount"],
                         "detail": f"{run['amount']} unit-weeks, at most {run['peak']} in a week"})
    return pd.DataFrame(rows, columns=["change", "production_id", "phase_id", "resource_id", "first_week",
                                       "last_week", "amount", "detail"])


def plan_frames(data, cands, chosen: np.ndarray) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    """Every result frame of the chosen combos, and the money they cost (hire, lateness, moves)."""
    sched = schedule_frame(cands, chosen)
    bookings = stage_bookings(data, sched)
    stage_ids = cands.rows.loc[cands.rows["kind"] == "stage"]
    stage_cap = pd.DataFrame({"resource_id": np.repeat(stage_ids["row_id"].to_numpy(dtype=object), cands.weeks),
                              "week": np.tile(np.arange(cands.weeks), len(stage_ids)),
                              "capacity": cands.capacity[stage_ids["row"].to_numpy()].ravel()})
    assigned = assign_stages(data, bookings, stage_cap, cands.weeks)
    alloc = allocation_frame(data, sched, bookings, assigned, cands.weeks)
    util = utilization_frame(cands, alloc)
    parts = objective_parts(cands, chosen, util)
    held = alloc[~alloc["resource_id"].str.startswith("stages>=")]
    held = held[held["resource_id"].isin(set(stage_ids["row_id"]))]
    stages = held.groupby(["production_id", "phase_id"])["resource_id"].agg(lambda s: ";".join(sorted(set(s))))
    h0 = data.settings.horizon_start
    schedule = pd.DataFrame({
        "production_id": sched["production_id"].astype(str), "phase_id": sched["phase_id"].astype(str),
        "start_week": sched["start_week"].astype("int64"), "end_week": sched["end_week"].astype("int64"),
        "start": week_start(sched["start_week"], h0).to_numpy(), "end": week_start(sched["end_week"], h0).to_numpy(),
        "planned_start": week_start(sched["planned_week"], h0).where(sched["dated"].to_numpy()).to_numpy(),
        "moved_weeks": sched["moved_weeks"].astype("int64"),
    })
    schedule["stages"] = [stages.get((p, q), "") for p, q in zip(schedule["production_id"], schedule["phase_id"])]
    frames = {
        "schedule": schedule,
        "allocation": alloc,
        "utilization": util,
        "changes": changes_frame(data, cands, chosen, sched, bookings, assigned, util),
        "objective": pd.DataFrame({"part": list(parts) + ["total"], "value": list(parts.values()) + [sum(parts.values())]}),
    }
    return frames, parts

