"""The start weeks every phase may take, and what each one loads onto the lot.

The plan places *units*: one per phase. A *combo* is one start week for one unit; a unit's combos
are every week its production's window, its own window (``window_start``/``window_end``), its
links (min and max lags, propagated to the tightest bounds by ``planning.data.windows.bounds``),
the grid and its lock allow. Nothing else is
left out: these are exactly the plans of the data contract. For every combo we know its move cost
(``|start - planned| * move weight``, only for a phase with a ``planned_start``: an undated phase
has nothing to move from), a lateness lower bound (its production cannot finish before ``start +
tail``, ``tail`` the longest path from the phase's start to the end of its production; exact for a
last phase) and its load on every capacity *cell* (a row times a week): ``cover_*`` arrays, one
entry per combo and cell.

Rows: every pool (crew, equipment, facility), every stage, and one *class* row per stage size
threshold used by a size demand (``stages>=m``, capacity = stages of at least ``m`` sq ft). A
size demand with threshold ``m'`` loads every class row ``m <= m'``; a named stage demand on
stage ``s`` loads ``s`` and every class row ``m <= size(s)``: the week-by-week Hall conditions of
``planning.analysis.conflicts``. They are necessary, not sufficient, for one stage per booking over a
block of weeks, so only the greedy start uses the class rows; the MIP uses stage *tiers*
(``planning.optimizer.model.define_stage_capacity``) on the size ``bookings`` of each combo.

Weeks: 0-based from ``horizon_start``. The grid holds ``weeks`` weeks: the horizon, extended
only when the input forces a production past it. Occupancy outside the grid is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from graphlib import TopologicalSorter

import numpy as np
import pandas as pd

from planning.analysis.capacity import capacity_by_week, class_id
from planning.data.inputs import SlateData, effective_links, planned_schedule, week_index
from planning.data.windows import bounds, window_weeks
from planning.optimizer.options import PlanOptions

SHORT_WEIGHT = 1e9   # a unit-week short outranks any money a heuristic weighs against it


@dataclass(frozen=True)
class Candidates:
    weeks: int
    phases: pd.DataFrame        # production_id, phase_id, kind, seq, duration, planned_week, dated, locked, unit
    productions: pd.DataFrame   # production_id, earliest_week, latest_week, target_week, late_cost
    units: pd.DataFrame         # unit, production_id, phase_id, fixed
    combos: pd.DataFrame        # combo, unit, production_id, start_week, end_week, move_cost, late_cost
    links: pd.DataFrame         # production_id, before_phase, after_phase, min_lag, max_lag,
                                # before_unit, after_unit, before_duration
    rows: pd.DataFrame          # row, row_id, kind (pool|stage|class), hire_cost, hire_max
    capacity: np.ndarray        # rows x weeks
    cover_combo: np.ndarray     # one entry per (combo, cell); cell = row * weeks + week
    cover_cell: np.ndarray
    cover_units: np.ndarray
    bookings: pd.DataFrame      # size bookings per combo: combo, booking, min_size, units, first_week, end_week
    explicit: pd.DataFrame      # explicit stages: row, resource_id, size
    holds: pd.DataFrame         # named demands: unit, row (pool or stage), units, before, after: the phase
                                # holds the row in weeks start - before .. start + after - 1

    def cell_label(self, cell: int) -> tuple[str, int]:
        return str(self.rows["row_id"].iat[cell // self.weeks]), int(cell % self.weeks)

    @property
    def placements(self) -> pd.DataFrame:
        """combo, production_id, phase_id, start_week."""
        return _placements(self.combos, self.units)


def _placements(combos: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """combo, production_id, phase_id, start_week: the phase each combo starts, and when."""
    return pd.DataFrame({"combo": combos["combo"], "production_id": combos["production_id"],
                         "phase_id": units["phase_id"].to_numpy()[combos["unit"].to_numpy()],
                         "start_week": combos["start_week"]})


def topological(phases: list[str], links: list[tuple]) -> list[str]:
    """Phases in an order where every link's ``before`` comes first (listed order breaks ties)."""
    sorter = TopologicalSorter({p: [] for p in phases})
    for link in links:
        sorter.add(link[1], link[0])
    sorter.prepare()
    rank = {p: i for i, p in enumerate(phases)}
    order = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=rank.get)
        order += ready
        sorter.done(*ready)
    return order


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
    """Stages named by a demand, or with a calendar week or availability that changes their capacity."""
    res = data.resources
    stages = set(res.loc[res["kind"] == "stage", "resource_id"].astype(str))
    named = set(data.demands["resource_id"].dropna().astype(str)) & stages
    cal = data.resource_calendar.merge(res[["resource_id", "capacity"]], on="resource_id", suffixes=("", "_base"))
    changed = set(cal.loc[cal["capacity"] != cal["capacity_base"], "resource_id"].astype(str)) & stages
    return named | changed | (set(data.availability["resource_id"].astype(str)) & stages)


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


def _production_specs(data: SlateData) -> list[dict]:
    """Per production: its phases (topological order), durations, planned weeks, locks, links and
    the window of its first phases (``lo`` .. ``latest``)."""
    h0 = data.settings.horizon_start
    plan = planned_schedule(data)
    prods = data.productions
    earliest = dict(zip(prods["production_id"], week_index(prods["earliest_start"], h0, ceil=True)))
    latest = dict(zip(prods["production_id"], week_index(prods["latest_start"], h0)))
    links = effective_links(data)
    own = {(p, q): (ws, we) for p, q, ws, we in
           zip(data.phases["production_id"], data.phases["phase_id"], data.phases["window_start"], data.phases["window_end"])}
    link_list = {pid: [(r.before_phase, r.after_phase, int(r.min_lag_weeks),
                        None if pd.isna(r.max_lag_weeks) else int(r.max_lag_weeks))
                       for r in g.itertuples(index=False)]
                 for pid, g in links.groupby("production_id")}
    specs = []
    for pid, ph in plan.sort_values("seq").groupby("production_id", sort=False):
        ids = list(ph["phase_id"])
        planned = dict(zip(ids, ph["start_week"].astype(int)))
        lk = link_list.get(pid, [])
        window = {q: window_weeks(*own.get((pid, q), (pd.NaT, pd.NaT)), d, h0)
                  for q, d in zip(ids, ph["duration_weeks"])}
        specs.append(dict(
            pid=pid, ids=ids, order=topological(ids, lk), links=lk, planned=planned, window=window,
            dur=dict(zip(ids, ph["duration_weeks"].astype(int))), locked=dict(zip(ids, ph["locked"].astype(bool))),
            dated=dict(zip(ids, ph["planned"].astype(bool))),
            lo=max(int(earliest[pid]), min(0, min(planned.values()))),
            latest=None if pd.isna(latest[pid]) else int(latest[pid])))
    return specs


def _limits(spec: dict, weeks: int) -> tuple[dict, dict]:
    """Per phase, ``lo <= t <= hi`` before links: the production's ``lo``, its own window, the
    grid (``t + d <= weeks``), ``latest`` for a first phase; a locked phase its planned week."""
    heads = {q for q in spec["ids"] if not any(b == q for _, b, _, _ in spec["links"])}
    lo, hi = {}, {}
    for q in spec["ids"]:
        if spec["locked"][q]:
            lo[q] = hi[q] = spec["planned"][q]
            continue
        w_lo, w_hi = spec["window"][q]
        lo[q] = max(spec["lo"], w_lo if w_lo is not None else spec["lo"])
        hi[q] = min([weeks - spec["dur"][q]] + ([w_hi] if w_hi is not None else [])
                    + ([spec["latest"]] if spec["latest"] is not None and q in heads else []))
    return lo, hi


def _tails(spec: dict) -> dict:
    """Longest path from a phase's start to the end of its production: ``d_a + max(L + tail_b)``."""
    tail = {}
    for q in reversed(spec["order"]):
        succ = [lag + tail[b] for a, b, lag, _ in spec["links"] if a == q]
        tail[q] = spec["dur"][q] + max([0] + succ)
    return tail


def _windows(spec: dict, weeks: int) -> tuple[dict, dict]:
    """``(es, ls)`` of every phase: the tightest start weeks its limits (``_limits``) and links, min
    and max lags, allow together (``planning.data.windows.bounds``). Where they leave no start
    (validation refuses such data; a what-if's changes can still cause it) the production stays
    exactly as planned and its links are dropped."""
    es, ls = bounds(spec["ids"], spec["dur"], spec["links"], *_limits(spec, weeks))
    if any(ls[q] < es[q] for q in spec["ids"]):
        spec["links"] = []
        es = ls = dict(spec["planned"])
    return es, ls


def build_candidates(data: SlateData, options: PlanOptions) -> Candidates:
    """Every phase, its start weeks inside its window, and each start's costs and load."""
    w = options.weights
    h0 = data.settings.horizon_start
    prods = data.productions.copy()
    factor = prods["priority"].astype(int).map(lambda p: w.priority_factors[min(max(p, 1), 5) - 1])
    prods["late_cost"] = prods["lateness_cost_per_week"].astype(float) * factor
    prods["earliest_week"] = week_index(prods["earliest_start"], h0, ceil=True)
    prods["latest_week"] = week_index(prods["latest_start"], h0)
    prods["target_week"] = week_index(prods["target_delivery"], h0, ceil=True)
    prods = prods[["production_id", "earliest_week", "latest_week", "target_week", "late_cost"]]
    late_cost = dict(zip(prods["production_id"], prods["late_cost"]))
    target = dict(zip(prods["production_id"], prods["target_week"].astype(int)))

    specs = _production_specs(data)
    weeks = data.settings.horizon_weeks
    for spec in specs:              # the grid holds every production's earliest schedule
        lo, _ = _limits(spec, 10 ** 6)
        es, _ = bounds(spec["ids"], spec["dur"], spec["links"], lo, {q: 10 ** 6 for q in spec["ids"]})
        weeks = max(weeks, max(es[q] + spec["dur"][q] for q in spec["ids"]))
    unit_rows, combo_rows, free_links, phase_unit = [], [], [], {}
    for spec in specs:
        pid, dur, planned = spec["pid"], spec["dur"], spec["planned"]
        es, ls = _windows(spec, weeks)
        tail = _tails(spec)
        for q in spec["order"]:
            unit = phase_unit[(pid, q)] = len(unit_rows)
            unit_rows.append((unit, pid, q, es[q] == ls[q]))
            move = w.move_cost_per_week if spec["dated"][q] else 0.0
            for t in range(es[q], ls[q] + 1):
                combo_rows.append((len(combo_rows), unit, pid, t, t + dur[q], move * abs(t - planned[q]),
                                   late_cost[pid] * max(0, t + tail[q] - target[pid])))
        for a, b, lag, max_lag in spec["links"]:
            free_links.append((pid, a, b, lag, max_lag, phase_unit[(pid, a)], phase_unit[(pid, b)], dur[a]))

    units = pd.DataFrame(unit_rows, columns=["unit", "production_id", "phase_id", "fixed"])
    combos = pd.DataFrame(combo_rows, columns=["combo", "unit", "production_id", "start_week", "end_week",
                                               "move_cost", "late_cost"])
    links = pd.DataFrame(free_links, columns=["production_id", "before_phase", "after_phase", "min_lag", "max_lag",
                                              "before_unit", "after_unit", "before_duration"])
    plan = planned_schedule(data)
    phases = pd.DataFrame({
        "production_id": plan["production_id"], "phase_id": plan["phase_id"], "kind": plan["kind"],
        "seq": plan["seq"], "duration": plan["duration_weeks"].astype(int), "planned_week": plan["start_week"],
        "dated": plan["planned"].astype(bool), "locked": plan["locked"]})
    phases["unit"] = [phase_unit[(p, q)] for p, q in zip(phases["production_id"], phases["phase_id"])]
    rows, targets = _rows(data, options)
    dem = data.demands
    dem_target = dem["resource_id"].where(dem["resource_id"].notna(),
                                          dem["min_size"].fillna(0).map(class_id)).astype(str)
    cands_placements = _placements(combos, units)
    cover = _coverage(data, cands_placements, targets, dem_target, weeks)
    named = dem[dem["resource_id"].notna()].merge(phases[["production_id", "phase_id", "unit", "duration"]],
                                                  on=["production_id", "phase_id"])
    holds = pd.DataFrame({
        "unit": named["unit"].to_numpy(np.int64),
        "row": [targets[str(r)][0] for r in named["resource_id"]],
        "units": named["units"].to_numpy(np.int64),
        "before": named["lead_weeks"].to_numpy(np.int64),
        "after": (named["duration"] + named["tail_weeks"]).to_numpy(np.int64)})
    size = dict(zip(data.resources["resource_id"].astype(str), data.resources["size"].fillna(0).astype(float)))
    ex = rows[rows["row_id"].isin(_explicit_stages(data))][["row", "row_id"]].rename(columns={"row_id": "resource_id"})
    ex["size"] = ex["resource_id"].map(size)
    return Candidates(weeks=weeks, phases=phases, productions=prods, units=units, combos=combos, links=links,
                      rows=rows, capacity=_capacity(data, rows, weeks),
                      cover_combo=cover[0], cover_cell=cover[1], cover_units=cover[2],
                      bookings=_size_bookings(data, cands_placements), explicit=ex.reset_index(drop=True),
                      holds=holds)


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
    }).sort_values(["combo", "booking"], kind="stable").reset_index(drop=True)


def _coverage(data: SlateData, placements: pd.DataFrame, targets: dict, dem_target: pd.Series,
              weeks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Units each combo holds per cell (summed), inside the grid, sorted by combo."""
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
    base = int(cell.max()) + 1 if len(cell) else 1
    uniq, inv = np.unique(combo * base + cell, return_inverse=True)
    summed = np.bincount(inv, weights=units).astype(np.int64)
    return uniq // base, uniq % base, summed


def plan_cost(cands: Candidates, chosen: np.ndarray, kinds: tuple[str, ...] = ("pool", "stage", "class")) -> dict:
    """Money parts of a choice (one combo id per unit) and its shortfall in unit-weeks.

    Per cell of a row of one of ``kinds``: ``excess = max(0, load - cap)``, ``hired = min(excess,
    hire_max)``, ``short = excess - hired``. Lateness per production: ``late_cost * max(0, finish
    - target)``. With the class rows it is the greedy start's measure (weekly Hall conditions);
    ``planning.optimizer.stages.start_cost`` counts stages as the MIP does.
    Returns ``{"hire", "lateness", "moves": money, "shortfall": unit-weeks}``.
    """
    load = cell_load(cands, chosen)
    cap = cands.capacity.ravel()
    hmax = np.repeat(cands.rows["hire_max"].to_numpy(np.int64), cands.weeks)
    hcost = np.repeat(cands.rows["hire_cost"].to_numpy(float), cands.weeks)
    counted = np.repeat(cands.rows["kind"].isin(kinds).to_numpy(), cands.weeks)
    excess = np.where(counted, np.maximum(0, load - cap), 0)
    hired = np.minimum(excess, hmax)
    combos = cands.combos.iloc[chosen]
    finish = combos.groupby("production_id")["end_week"].max()
    prods = cands.productions.set_index("production_id")
    late = (prods["late_cost"] * (finish - prods["target_week"]).clip(lower=0)).sum()
    return {"hire": float((hired * hcost).sum()), "lateness": float(late), "moves": float(combos["move_cost"].sum()),
            "shortfall": int((excess - hired).sum())}


def money(parts: dict) -> float:
    """Hire + lateness + moves."""
    return parts["hire"] + parts["lateness"] + parts["moves"]


def rank(parts: dict) -> tuple[int, float]:
    """The order plans are compared in: least shortfall first, then least money."""
    return parts["shortfall"], round(money(parts), 6)


def cell_load(cands: Candidates, chosen: np.ndarray) -> np.ndarray:
    """Units held in every cell (row-major: row * weeks + week) by the chosen combos."""
    mask = np.isin(cands.cover_combo, chosen)
    return np.bincount(cands.cover_cell[mask], weights=cands.cover_units[mask],
                       minlength=cands.capacity.size).astype(np.int64)


def combo_ranges(cands: Candidates) -> tuple[np.ndarray, np.ndarray]:
    """``(first, last)`` per unit: its combos are ids ``first[u] .. last[u] - 1`` (contiguous)."""
    by_unit = cands.combos.groupby("unit")["combo"]
    return by_unit.min().to_numpy(), by_unit.max().to_numpy() + 1


def shifts(chosen: np.ndarray, units: np.ndarray, first: np.ndarray, last: np.ndarray, reach: int) -> list[int]:
    """Every shift ``d`` (``|d| <= reach``) that keeps each of ``units`` inside its own window when
    all of them move by ``d`` weeks from their ``chosen`` combos (combo ids ``first .. last - 1``)."""
    offset, span = chosen[units] - first[units], last[units] - first[units]
    return [d for d in range(-reach, reach + 1) if ((offset + d >= 0) & (offset + d < span)).all()]


class CellCosts:
    """Capacity, hire and shortfall terms of every cell, and where each combo's cover starts."""

    def __init__(self, cands: Candidates):
        self.cands = cands
        self.cap = cands.capacity.ravel()
        self.hmax = np.repeat(cands.rows["hire_max"].to_numpy(np.int64), cands.weeks)
        self.hcost = np.repeat(cands.rows["hire_cost"].to_numpy(float), cands.weeks)
        self.scost = SHORT_WEIGHT
        self.cover_start = np.searchsorted(cands.cover_combo, np.arange(len(cands.combos) + 1))

    def added(self, load: np.ndarray, combos: np.ndarray) -> np.ndarray:
        """Hire plus shortfall cost each of ``combos`` adds on top of ``load``."""
        lo, hi = self.cover_start[combos], self.cover_start[combos + 1]
        seg = np.repeat(np.arange(len(combos)), hi - lo)
        pos = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi)]) if len(seg) else np.zeros(0, np.int64)
        cells = self.cands.cover_cell[pos]
        before = load[cells]
        after = before + self.cands.cover_units[pos]
        ex0, ex1 = np.maximum(0, before - self.cap[cells]), np.maximum(0, after - self.cap[cells])
        h0, h1 = np.minimum(ex0, self.hmax[cells]), np.minimum(ex1, self.hmax[cells])
        added = (h1 - h0) * self.hcost[cells] + ((ex1 - h1) - (ex0 - h0)) * self.scost
        return np.bincount(seg, weights=added, minlength=len(combos))

    def added_set(self, load: np.ndarray, combos: np.ndarray) -> float:
        """Hire plus shortfall cost a set of ``combos`` adds, together, on top of ``load``."""
        extra = self.cover_of(combos)
        cells = np.flatnonzero(extra)
        before, after = load[cells], load[cells] + extra[cells]
        ex0, ex1 = np.maximum(0, before - self.cap[cells]), np.maximum(0, after - self.cap[cells])
        h0, h1 = np.minimum(ex0, self.hmax[cells]), np.minimum(ex1, self.hmax[cells])
        return float(((h1 - h0) * self.hcost[cells] + ((ex1 - h1) - (ex0 - h0)) * self.scost).sum())

    def cover_of(self, combos: np.ndarray) -> np.ndarray:
        """The load of several combos on every cell."""
        pos = np.concatenate([np.arange(self.cover_start[c], self.cover_start[c + 1]) for c in combos])
        return np.bincount(self.cands.cover_cell[pos], weights=self.cands.cover_units[pos],
                           minlength=self.cap.size).astype(np.int64)

    def cover(self, combo: int) -> np.ndarray:
        """The load of one combo on every cell."""
        a, b = self.cover_start[combo], self.cover_start[combo + 1]
        return np.bincount(self.cands.cover_cell[a:b], weights=self.cands.cover_units[a:b],
                           minlength=self.cap.size).astype(np.int64)
