"""The placements the optimizer may choose from, and what each one loads onto the lot.

The plan places *units*. A unit is either a whole production that moves rigidly with a few
discrete *patterns* (its phases' offsets from its first start), or, in *free* mode, a single
phase with its own start and the production's links as constraints between units. Patterns keep
the model small for slates (a production shifts, or takes a hiatus of a few weeks before a phase
that holds a resource no one can hire); free mode serves projects whose phases truly float
(PSPLIB-style networks, productions with more than ``max_pattern_phases`` phases).

A *combo* is one choice for one unit: a pattern and a start week. For every combo we know the
start of each of its phases (``placements``), its move cost (``sum |start - planned|`` times the
move weight), its lateness cost (exact for a pattern, a lower bound for a free phase: its
production cannot finish before ``start + tail`` where ``tail`` is the longest path from the
phase's start to the end of its production), and its load on every capacity *cell* (a row
times a week): ``cover_*`` arrays, one entry per combo and cell.

Rows: every pool (crew, equipment, facility), every stage, and one *class* row per stage size
threshold used by a size demand (``stages>=m``, capacity = stages of at least ``m`` sq ft). A
size demand with threshold ``m'`` loads every class row ``m <= m'``; a named stage demand on
stage ``s`` loads ``s`` and every class row ``m <= size(s)``: the week-by-week Hall conditions of
``planning.conflicts``. They are necessary, not sufficient, for one stage per booking over a
block of weeks, so only the greedy plan uses the class rows; the MIP uses stage *tiers*
(``planning.model.define_stage_capacity``) on the size ``bookings`` of each combo, and stages
that are *explicit* (named by a demand, or with a calendar change) are tiers of their own.

Weeks: 0-based from ``horizon_start``. The grid holds ``weeks`` weeks: the horizon, extended
only when the input forces a production past it. Occupancy outside the grid is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from planning.conflicts import capacity_by_week, class_id
from planning.inputs import SlateData, effective_links, planned_schedule, week_index


@dataclass(frozen=True)
class Weights:
    """Cost weights of the objective (money).

    ``move_cost_per_week``: each phase, each week away from its planned start.
    ``shortfall_cost_per_unit_week``: each unit a week that no capacity or hire can cover.
    ``priority_factors``: lateness cost per week is multiplied by ``priority_factors[priority-1]``.
    """

    move_cost_per_week: float = 1_000.0
    shortfall_cost_per_unit_week: float = 10_000_000.0
    priority_factors: tuple[float, ...] = (0.5, 0.75, 1.0, 1.5, 2.0)


@dataclass(frozen=True)
class PlanOptions:
    """Every knob of the optimizer, in one frozen object (a dashboard cache key).

    ``solver``: 'highs' (default) or 'cbc'; ``time_limit`` seconds and relative ``gap`` for the
    MIP; ``hire_allowed``: False forbids every hire-in; ``hiatus_weeks``: lengths of the pauses a
    pattern may insert before a phase that holds a resource no one can hire; ``free_phases``:
    True gives every phase its own start variable, False never, None (default) only for
    productions with more than ``max_pattern_phases`` phases; ``heuristic_orders``: how many
    randomised orders the greedy tries beside its fixed ones; ``threads``: solver threads.
    """

    solver: str = "highs"
    time_limit: float = 60.0
    gap: float = 0.01
    weights: Weights = Weights()
    hire_allowed: bool = True
    hiatus_weeks: tuple[int, ...] = (2, 4)
    free_phases: bool | None = None
    max_pattern_phases: int = 12
    heuristic_orders: int = 8
    threads: int | None = None


@dataclass(frozen=True)
class Candidates:
    weeks: int
    phases: pd.DataFrame        # production_id, phase_id, kind, seq, duration, planned_week, locked, free, unit
    productions: pd.DataFrame   # production_id, earliest_week, latest_week, target_week, late_cost, free
    units: pd.DataFrame         # unit, production_id, phase_id (NA for a pattern unit), fixed
    combos: pd.DataFrame        # combo, unit, production_id, pattern, start_week, end_week, move_cost, late_cost
    placements: pd.DataFrame    # combo, production_id, phase_id, start_week
    links: pd.DataFrame         # free-mode links: production_id, before_phase, after_phase, min_lag, max_lag,
                                # before_unit, after_unit, before_duration
    rows: pd.DataFrame          # row, row_id, kind (pool|stage|class), hire_cost, hire_max
    capacity: np.ndarray        # rows x weeks
    cover_combo: np.ndarray     # one entry per (combo, cell); cell = row * weeks + week
    cover_cell: np.ndarray
    cover_units: np.ndarray
    bookings: pd.DataFrame      # size bookings per combo: combo, booking, min_size, units, first_week, end_week
    explicit: pd.DataFrame      # explicit stages: row, resource_id, size

    def cell_label(self, cell: int) -> tuple[str, int]:
        return str(self.rows["row_id"].iat[cell // self.weeks]), int(cell % self.weeks)


def _topological(phases: list[str], links: list[tuple]) -> list[str]:
    preds = {p: {l[0] for l in links if l[1] == p} for p in phases}
    order, done = [], set()
    while len(order) < len(phases):
        ready = [p for p in phases if p not in done and preds[p] <= done]
        if not ready:  # validation rejects cycles; keep listed order if one slips through
            return phases
        order += ready
        done |= set(ready)
    return order


def _push(offsets: dict, order: list[str], links: list[tuple], dur: dict) -> dict:
    """Delay phases (in topological order) until every min lag holds: ``o_b >= o_a + d_a + L``."""
    out = dict(offsets)
    for p in order:
        need = [out[a] + dur[a] + lag for a, b, lag, _ in links if b == p]
        if need:
            out[p] = max(out[p], max(need))
    return out


def _valid(offsets: dict, links: list[tuple], dur: dict) -> bool:
    for a, b, lag, max_lag in links:
        gap = offsets[b] - offsets[a] - dur[a]
        if gap < lag or (max_lag is not None and gap > max_lag):
            return False
    return True


def production_patterns(phase_ids: list[str], planned: dict, dur: dict, links: list[tuple],
                        hiatus_phases: set[str], hiatus_weeks: tuple[int, ...]) -> list[tuple[str, dict]]:
    """Offset patterns for one production: ``[(name, {phase_id: offset})]``, offsets >= 0.

    ``planned``: the as-planned starts, pushed until the min lags hold; ``tight``: every phase as
    early as its links allow; ``hiatus+g@p``: as planned with a pause of ``g`` weeks before phase
    ``p`` (its successors pushed to keep their lags). Patterns that break a max lag are dropped,
    duplicates are kept once (first name wins).
    """
    order = _topological(phase_ids, links)
    base = _push(planned, order, links, dur)
    candidates = [("planned", base), ("tight", _push({p: 0 for p in phase_ids}, order, links, dur))]
    for p in order:
        if p in hiatus_phases and any(l[1] == p for l in links):
            for g in hiatus_weeks:
                shifted = dict(base)
                shifted[p] += g
                candidates.append((f"hiatus+{g}@{p}", _push(shifted, order, links, dur)))
    out, seen = [], set()
    for name, offsets in candidates:
        low = min(offsets.values())
        offsets = {p: o - low for p, o in offsets.items()}
        key = tuple(offsets[p] for p in phase_ids)
        if key in seen or not _valid(offsets, links, dur):
            continue
        seen.add(key)
        out.append((name, offsets))
    return out


def _rows(data: SlateData, options: PlanOptions) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """Capacity rows and, per demand target (resource id or size threshold), the rows it loads."""
    res = data.resources
    dem = data.demands
    thresholds = sorted({0.0 if pd.isna(m) else float(m) for m in dem.loc[dem["resource_kind"] == "stage", "min_size"]})
    rows = []
    for r in res.itertuples(index=False):
        kind = "stage" if r.kind == "stage" else "pool"
        can_hire = options.hire_allowed and not pd.isna(r.hire_cost_per_week) and kind == "pool"
        hmax = 0 if (not can_hire or pd.isna(r.hire_max_units)) else int(r.hire_max_units)
        rows.append((str(r.resource_id), kind, float(r.hire_cost_per_week) if hmax else 0.0, hmax))
    rows += [(class_id(m), "class", 0.0, 0) for m in thresholds]
    frame = pd.DataFrame(rows, columns=["row_id", "kind", "hire_cost", "hire_max"])
    frame.insert(0, "row", np.arange(len(frame)))
    index = dict(zip(frame["row_id"], frame["row"]))
    size = dict(zip(res["resource_id"], res["size"].fillna(0).astype(float)))
    targets: dict[str, list[int]] = {}
    for r in res.itertuples(index=False):
        rid = str(r.resource_id)
        targets[rid] = [index[rid]]
        if r.kind == "stage":
            targets[rid] += [index[class_id(m)] for m in thresholds if size[rid] >= m]
    for m in thresholds:
        targets[class_id(m)] = [index[class_id(k)] for k in thresholds if k <= m]
    return frame, targets


def _explicit_stages(data: SlateData) -> set[str]:
    """Stages named by a demand, or with a calendar week that changes their capacity."""
    res = data.resources
    stages = set(res.loc[res["kind"] == "stage", "resource_id"].astype(str))
    named = set(data.demands["resource_id"].dropna().astype(str)) & stages
    cal = data.resource_calendar.merge(res[["resource_id", "capacity"]], on="resource_id", suffixes=("", "_base"))
    changed = set(cal.loc[cal["capacity"] != cal["capacity_base"], "resource_id"].astype(str)) & stages
    return named | changed


def _capacity(data: SlateData, rows: pd.DataFrame, weeks: int) -> np.ndarray:
    grid = capacity_by_week(replace(data, settings=replace(data.settings, horizon_weeks=weeks)))
    pivot = grid.pivot(index="resource_id", columns="week", values="capacity")
    cap = np.zeros((len(rows), weeks), dtype=np.int64)
    res = data.resources
    size = dict(zip(res["resource_id"], res["size"].fillna(0).astype(float)))
    stages = [rid for rid, k in zip(res["resource_id"], res["kind"]) if k == "stage"]
    for r in rows.itertuples(index=False):
        if r.kind == "class":
            m = float(r.row_id.split(">=")[1])
            members = [s for s in stages if size[s] >= m]
            cap[r.row] = pivot.loc[members].to_numpy().sum(axis=0) if members else 0
        else:
            cap[r.row] = pivot.loc[r.row_id].to_numpy()
    return cap


def build_candidates(data: SlateData, options: PlanOptions) -> Candidates:
    """Every unit, its combos inside its window, and each combo's costs and load."""
    w = options.weights
    h0 = data.settings.horizon_start
    plan = planned_schedule(data)
    prods = data.productions.copy()
    factor = prods["priority"].astype(int).map(lambda p: w.priority_factors[min(max(p, 1), 5) - 1])
    prods["late_cost"] = prods["lateness_cost_per_week"].astype(float) * factor
    prods["earliest_week"] = week_index(prods["earliest_start"], h0, ceil=True)
    prods["latest_week"] = week_index(prods["latest_start"], h0)
    prods["target_week"] = week_index(prods["target_delivery"], h0, ceil=True)
    n_phases = plan.groupby("production_id").size()
    if options.free_phases is None:
        prods["free"] = prods["production_id"].map(n_phases) > options.max_pattern_phases
    else:
        prods["free"] = bool(options.free_phases)
    prods = prods[["production_id", "earliest_week", "latest_week", "target_week", "late_cost", "free"]]

    explicit = _explicit_stages(data)
    rows, targets = _rows(data, options)
    links = effective_links(data)
    link_list = {pid: [(r.before_phase, r.after_phase, int(r.min_lag_weeks),
                        None if pd.isna(r.max_lag_weeks) else int(r.max_lag_weeks))
                       for r in g.itertuples(index=False)]
                 for pid, g in links.groupby("production_id")}
    dem = data.demands
    dem_target = dem["resource_id"].where(dem["resource_id"].notna(),
                                          dem["min_size"].fillna(0).map(class_id)).astype(str)
    no_hire_rows = set(rows.loc[rows["hire_max"] == 0, "row"])
    hiatus_phases = {(p, q) for p, q, t in zip(dem["production_id"], dem["phase_id"], dem_target)
                     if targets[t][0] in no_hire_rows}

    # Windows and patterns per production, then the grid length.
    horizon = data.settings.horizon_weeks
    specs = []  # per production: dict with phases, patterns, lo, latest, locked info
    weeks = horizon
    for p in prods.itertuples(index=False):
        ph = plan[plan["production_id"] == p.production_id].sort_values("seq")
        ids = list(ph["phase_id"])
        dur = dict(zip(ids, ph["duration_weeks"].astype(int)))
        planned = dict(zip(ids, ph["start_week"].astype(int)))
        locked = dict(zip(ids, ph["locked"].astype(bool)))
        lk = link_list.get(p.production_id, [])
        lo = max(int(p.earliest_week), min(0, min(planned.values())))
        latest = None if pd.isna(p.latest_week) else int(p.latest_week)
        spec = dict(pid=p.production_id, ids=ids, dur=dur, planned=planned, locked=locked, links=lk,
                    lo=lo, latest=latest, free=bool(p.free))
        if all(locked.values()):
            spec["fixed"] = True
            weeks = max(weeks, max(planned[q] + dur[q] for q in ids))
        elif p.free:
            spec["order"] = _topological(ids, lk)
            es = _forward(spec, lo)
            weeks = max(weeks, max(es[q] + dur[q] for q in ids))
        else:
            first = min(planned.values())
            pats = production_patterns(ids, {q: planned[q] - first for q in ids}, dur, lk,
                                       {q for q in ids if (p.production_id, q) in hiatus_phases},
                                       options.hiatus_weeks)
            spec["patterns"] = pats
            weeks = max(weeks, lo + min(max(o[q] + dur[q] for q in ids) for _, o in pats))
        specs.append(spec)

    unit_rows, combo_rows, place_rows, free_links = [], [], [], []
    phase_unit = {}
    for spec in specs:
        pid, ids, dur, planned = spec["pid"], spec["ids"], spec["dur"], spec["planned"]
        pcost = float(prods.loc[prods["production_id"] == pid, "late_cost"].iloc[0])
        target = int(prods.loc[prods["production_id"] == pid, "target_week"].iloc[0])
        if spec.get("fixed") or not spec["free"]:
            unit = len(unit_rows)
            for q in ids:
                phase_unit[(pid, q)] = unit
            if spec.get("fixed"):
                choices = [("planned", {q: planned[q] for q in ids})]
            else:
                choices = _pattern_choices(spec, weeks)
            unit_rows.append((unit, pid, pd.NA, len(choices) == 1))
            for name, starts in choices:
                combo = len(combo_rows)
                end = max(starts[q] + dur[q] for q in ids)
                move = w.move_cost_per_week * sum(abs(starts[q] - planned[q]) for q in ids)
                combo_rows.append((combo, unit, pid, name, min(starts.values()), end, move,
                                   pcost * max(0, end - target)))
                place_rows += [(combo, pid, q, starts[q]) for q in ids]
            continue
        es = _forward(spec, spec["lo"])
        ls = _backward(spec, weeks, es)
        tail = _tails(spec)
        for q in spec["order"]:
            unit = len(unit_rows)
            phase_unit[(pid, q)] = unit
            unit_rows.append((unit, pid, q, es[q] == ls[q]))
            for t in range(es[q], ls[q] + 1):
                combo = len(combo_rows)
                combo_rows.append((combo, unit, pid, "free", t, t + dur[q],
                                   w.move_cost_per_week * abs(t - planned[q]),
                                   pcost * max(0, t + tail[q] - target)))
                place_rows.append((combo, pid, q, t))
        for a, b, lag, max_lag in spec["links"]:
            free_links.append((pid, a, b, lag, max_lag, phase_unit[(pid, a)], phase_unit[(pid, b)], dur[a]))

    units = pd.DataFrame(unit_rows, columns=["unit", "production_id", "phase_id", "fixed"])
    combos = pd.DataFrame(combo_rows, columns=["combo", "unit", "production_id", "pattern", "start_week",
                                               "end_week", "move_cost", "late_cost"])
    placements = pd.DataFrame(place_rows, columns=["combo", "production_id", "phase_id", "start_week"])
    flinks = pd.DataFrame(free_links, columns=["production_id", "before_phase", "after_phase", "min_lag",
                                               "max_lag", "before_unit", "after_unit", "before_duration"])
    phases = plan.rename(columns={"duration_weeks": "duration", "start_week": "planned_week"})
    phases = phases[["production_id", "phase_id", "kind", "seq", "duration", "planned_week", "locked"]].copy()
    phases["duration"] = phases["duration"].astype(int)
    phases["unit"] = [phase_unit[(p, q)] for p, q in zip(phases["production_id"], phases["phase_id"])]
    phases["free"] = phases["unit"].map(units.set_index("unit")["phase_id"].notna())
    cap = _capacity(data, rows, weeks)
    cover = _coverage(data, placements, targets, dem_target, weeks)
    size = dict(zip(data.resources["resource_id"].astype(str), data.resources["size"].fillna(0).astype(float)))
    ex = rows[rows["row_id"].isin(explicit)][["row", "row_id"]].rename(columns={"row_id": "resource_id"})
    ex["size"] = ex["resource_id"].map(size)
    return Candidates(weeks=weeks, phases=phases, productions=prods, units=units, combos=combos,
                      placements=placements, links=flinks, rows=rows, capacity=cap,
                      cover_combo=cover[0], cover_cell=cover[1], cover_units=cover[2],
                      bookings=_size_bookings(data, placements), explicit=ex.reset_index(drop=True))


def _size_bookings(data: SlateData, placements: pd.DataFrame) -> pd.DataFrame:
    """Each size demand of each combo as a block: combo, booking (demand row), min_size, units,
    first_week, end_week (exclusive; lead and tail included)."""
    dem = data.demands[(data.demands["resource_kind"] == "stage").fillna(False)]
    dem = dem.merge(data.phases[["production_id", "phase_id", "duration_weeks"]], on=["production_id", "phase_id"])
    dem = dem.reset_index(drop=True).reset_index().rename(columns={"index": "booking"})
    b = placements.merge(dem, on=["production_id", "phase_id"])
    return pd.DataFrame({
        "combo": b["combo"].to_numpy(np.int64), "booking": b["booking"].to_numpy(np.int64),
        "min_size": b["min_size"].fillna(0).astype(float).to_numpy(), "units": b["units"].astype(int).to_numpy(),
        "first_week": (b["start_week"] - b["lead_weeks"]).astype(int).to_numpy(),
        "end_week": (b["start_week"] + b["duration_weeks"] + b["tail_weeks"]).astype(int).to_numpy(),
    })


def _pattern_choices(spec: dict, weeks: int) -> list[tuple[str, dict]]:
    """``(pattern name, {phase: start})`` for every pattern and start week inside the window.

    Window: the first start ``t`` in ``lo .. latest`` and the last end inside the grid; locked
    phases exactly at their planned start. When no choice survives (the locks contradict the
    links), the production stays exactly as planned.
    """
    ids, dur, planned, locked = spec["ids"], spec["dur"], spec["planned"], spec["locked"]
    out = []
    for name, off in spec["patterns"]:
        span = max(off[q] + dur[q] for q in ids)
        hi = weeks - span if spec["latest"] is None else min(spec["latest"], weeks - span)
        for t in range(spec["lo"], hi + 1):
            starts = {q: t + off[q] for q in ids}
            if all(starts[q] == planned[q] for q in ids if locked[q]):
                out.append((f"{name}", starts))
    return out or [("planned", dict(planned))]


def _forward(spec: dict, lo: int) -> dict:
    """Earliest start of each phase: ``es_b = max(lo, es_a + d_a + L)``; locked phases as planned."""
    es = {}
    for q in spec["order"]:
        if spec["locked"][q]:
            es[q] = spec["planned"][q]
            continue
        es[q] = max([lo] + [es[a] + spec["dur"][a] + lag for a, b, lag, _ in spec["links"] if b == q])
    return es


def _backward(spec: dict, weeks: int, es: dict) -> dict:
    """Latest start: ``ls_a = min(weeks - d_a, ls_b - d_a - L)``, the first phases by ``latest``."""
    ls = {}
    for q in reversed(spec["order"]):
        if spec["locked"][q]:
            ls[q] = spec["planned"][q]
            continue
        bound = [weeks - spec["dur"][q]] + [ls[b] - spec["dur"][q] - lag for a, b, lag, _ in spec["links"] if a == q]
        if spec["latest"] is not None and not any(b == q for _, b, _, _ in spec["links"]):
            bound.append(spec["latest"])
        ls[q] = max(es[q], min(bound))
    return ls


def _tails(spec: dict) -> dict:
    """Longest path from a phase's start to the end of its production: ``d_a + max(L + tail_b)``."""
    tail = {}
    for q in reversed(spec["order"]):
        succ = [lag + tail[b] for a, b, lag, _ in spec["links"] if a == q]
        tail[q] = spec["dur"][q] + max([0] + succ)
    return tail


def _coverage(data: SlateData, placements: pd.DataFrame, targets: dict, dem_target: pd.Series,
              weeks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Units each combo holds per cell (summed), inside the grid."""
    dem = data.demands.assign(target=dem_target.to_numpy())
    dem = dem.merge(data.phases[["production_id", "phase_id", "duration_weeks"]], on=["production_id", "phase_id"])
    pairs = [(i, row) for i, t in zip(dem.index, dem["target"]) for row in targets[t]]
    dt = pd.DataFrame(pairs, columns=["d", "row"])
    dem = dem.reset_index().rename(columns={"index": "d"}).merge(dt, on="d")
    m = placements.merge(dem[["production_id", "phase_id", "row", "units", "lead_weeks", "tail_weeks",
                              "duration_weeks"]], on=["production_id", "phase_id"])
    if m.empty:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    lead = m["lead_weeks"].to_numpy(np.int64)
    length = lead + m["duration_weeks"].to_numpy(np.int64) + m["tail_weeks"].to_numpy(np.int64)
    idx = np.repeat(np.arange(len(m)), length)
    offset = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    week = m["start_week"].to_numpy(np.int64)[idx] - lead[idx] + offset
    inside = (week >= 0) & (week < weeks)
    idx, week = idx[inside], week[inside]
    cell = m["row"].to_numpy(np.int64)[idx] * weeks + week
    combo = m["combo"].to_numpy(np.int64)[idx]
    units = m["units"].to_numpy(np.int64)[idx]
    key = combo * (int(cell.max()) + 1 if len(cell) else 1) + cell
    uniq, inv = np.unique(key, return_inverse=True)
    summed = np.bincount(inv, weights=units).astype(np.int64)
    base = int(cell.max()) + 1 if len(cell) else 1
    return uniq // base, uniq % base, summed


def plan_cost(cands: Candidates, chosen: np.ndarray, weights: Weights,
              kinds: tuple[str, ...] = ("pool", "stage", "class")) -> dict[str, float]:
    """Objective parts of a choice (one combo id per unit), hire and shortfall per cell.

    Per cell of a row of one of ``kinds``: ``excess = max(0, load - cap)``, ``hired = min(excess,
    hire_max)``, ``short = excess - hired``. Lateness per production: ``late_cost * max(0, finish
    - target)``. With the class rows it is the greedy plan's measure (weekly Hall conditions);
    ``planning.model.start_cost`` counts stages as the MIP does.
    """
    load = cell_load(cands, chosen)
    cap = cands.capacity.ravel()
    hmax = np.repeat(cands.rows["hire_max"].to_numpy(np.int64), cands.weeks)
    hcost = np.repeat(cands.rows["hire_cost"].to_numpy(float), cands.weeks)
    counted = np.repeat(cands.rows["kind"].isin(kinds).to_numpy(), cands.weeks)
    excess = np.where(counted, np.maximum(0, load - cap), 0)
    hired = np.minimum(excess, hmax)
    short = excess - hired
    combos = cands.combos.set_index("combo").loc[chosen]
    finish = combos.groupby("production_id")["end_week"].max()
    prods = cands.productions.set_index("production_id")
    late = (prods["late_cost"] * (finish - prods["target_week"]).clip(lower=0)).sum()
    return {"hire": float((hired * hcost).sum()), "lateness": float(late),
            "moves": float(combos["move_cost"].sum()),
            "shortfall": float(short.sum() * weights.shortfall_cost_per_unit_week)}


def cell_load(cands: Candidates, chosen: np.ndarray) -> np.ndarray:
    """Units held in every cell (row-major: row * weeks + week) by the chosen combos."""
    mask = np.isin(cands.cover_combo, chosen)
    return np.bincount(cands.cover_cell[mask], weights=cands.cover_units[mask],
                       minlength=cands.capacity.size).astype(np.int64)

