"""An independent brute-force oracle: the true optimum of a tiny slate, by enumerating every plan.

``best_plans(data)`` tries EVERY start-week combination the data contract allows and returns the
lexicographic optimum: least shortfall (unit-weeks) first, then least money. It reads the tables
of a validated ``SlateData`` (built by ``tests/factory.py``) and nothing else: the week arithmetic,
the links (explicit or in listed order) and the planned weeks are worked out here, in a few lines of
its own (``_week``, ``_links``), not taken from ``planning.data.inputs`` or the optimizer, so that a
bug in the code it judges cannot hit both sides at once.

The rules (week ``w`` starts ``horizon_start + 7*w`` days; the grid is weeks ``0 .. H-1``; a date's
week is ``floor(days since horizon_start / 7)``, or ``ceil`` where said):

- Windows: no phase starts before its production's ``earliest_start`` week (rounded up to a
  Monday) nor before week 0; a production's first phases (no predecessor link) start no later
  than its ``latest_start`` week (floor); every phase ends inside the grid (start + duration <= H).
- Phase windows: a phase with ``window_start`` starts on a Monday on or after that day; with
  ``window_end`` its last day (the Sunday of its last week) is on or before that day. Checked on
  calendar days here, not in weeks.
- Links: a production with rows in ``phase_links`` has exactly those; one without has a link from
  each phase to the next in the order its phases are listed (min lag 0, no max lag). A link holds
  when ``after >= before + duration + min_lag`` and, with a max lag, ``after <= before + duration +
  max_lag``.
- Locks: a locked phase (or a phase of a locked production) starts at the week of its
  ``planned_start`` (validation refuses a locked phase without one), and only
  there. The lock wins over the windows and the grid end (such data is inconsistent; validation
  does not look). Links still hold: a plan that breaks one is not a plan.
- Pools (crew, equipment, facility): a demand occupies ``[start - lead, start + duration + tail)``
  clipped to the grid. Per week ``excess = max(0, load - capacity)`` (capacity: the calendar
  override of that week, else the base; for a resource with ``availability`` rows, the units of
  the window whose days hold the week's Monday to Sunday, else 0), ``hired = min(excess, hire_max_units)`` when
  ``hire_cost_per_week`` is given (an empty ``hire_max_units`` hires nothing), costing
  ``hire_cost_per_week`` a unit; ``shortfall = excess - hired``.
- Stages (capacity 1, calendar overrides 0 or 1): a named stage demand holds that stage for its
  block with its ``units``; a size demand (``resource_kind = stage``) holds ``units`` distinct
  stages, each of size >= ``min_size`` (any stage when ``min_size`` is empty), the same stages for
  its whole block. A plan's stage shortfall is the minimum, over every assignment of the size
  demands to eligible stages, of the sum over stage-weeks of ``max(0, held - capacity)``.
  Stages cannot be hired.
- Money = hire + lateness + moves. Lateness of a production: ``lateness_cost_per_week *
  priority_factors[priority-1] * max(0, finish - target)``, ``finish = max(start + duration)``
  over its phases, ``target`` = the week of ``target_delivery``, ceil. Moves:
  ``move_cost_per_week * sum |start - planned week|`` over the phases that have a
  ``planned_start`` (an undated phase never costs a move).

Enumeration: each production's feasible start tuples are listed first (recursion over its phases
in topological order, links checked as each phase is placed: exact pruning only), then the cross
product over productions is scored plan by plan. Every plan in the product is feasible, so
``Optimum.plans`` is the number of plans the contract allows. ``evaluate`` scores one given
schedule from scratch (a second, simpler code path) and is what the tests cross-check against.

``TINY_SLATES`` lists named builders of small validated slates for comparing the optimizer with
the oracle.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, NamedTuple

import pandas as pd

if TYPE_CHECKING:  # the type only: the oracle calls nothing of the code it checks
    from planning.data.inputs import SlateData

try:  # tests/ is on sys.path under pytest (conftest); ``tests.factory`` from the repository root
    from factory import demand, monday, phase, production, resource, slate
except ImportError:  # pragma: no cover
    from tests.factory import demand, monday, phase, production, resource, slate

EPS = 1e-6  # money within EPS ties
PRIORITY_FACTORS = (0.5, 0.75, 1.0, 1.5, 2.0)

Key = tuple[str, str]


class Parts(NamedTuple):
    hire: float
    lateness: float
    moves: float


@dataclass(frozen=True)
class Score:
    """One plan, scored: ``feasible`` False (with ``reason``) when it breaks a hard rule."""

    feasible: bool
    shortfall: int = 0
    pool_shortfall: int = 0
    stage_shortfall: int = 0
    money: float = 0.0
    parts: Parts = Parts(0.0, 0.0, 0.0)
    reason: str = ""


@dataclass(frozen=True)
class Optimum:
    shortfall: int                 # unit-weeks, pools + stages
    money: float                   # hire + lateness + moves
    parts: Parts
    schedule: dict[Key, int]       # one optimal plan: (production_id, phase_id) -> start week
    plans: int                     # feasible plans enumerated (all the contract allows)
    optimal_plans: int             # how many of them tie the optimum
    pool_shortfall: int
    stage_shortfall: int


# --------------------------------------------------------------------------------------------
# The oracle's own calendar and links (nothing shared with planning.data.inputs).


def _week(date, h0: pd.Timestamp, ceil: bool = False) -> int:
    """The week of ``date``: whole weeks from ``h0``, rounded down (or up with ``ceil``)."""
    days = (pd.Timestamp(date) - pd.Timestamp(h0)).days
    return -(-days // 7) if ceil else days // 7


def _links(phase_links: pd.DataFrame, phases: dict[str, list[str]]) -> list[tuple[str, str, str, int, int | None]]:
    """``(production, before, after, min_lag, max_lag or None)``: a production's rows of
    ``phase_links`` when it has any, else each phase to the next in listed order (lag 0, no max)."""
    explicit = [(str(r.production_id), str(r.before_phase), str(r.after_phase), int(r.min_lag_weeks),
                 None if pd.isna(r.max_lag_weeks) else int(r.max_lag_weeks))
                for r in phase_links.itertuples(index=False)]
    linked = {pid for pid, *_ in explicit}
    listed = [(pid, a, b, 0, None) for pid, ids in phases.items() if pid not in linked
              for a, b in zip(ids, ids[1:])]
    return explicit + listed


# --------------------------------------------------------------------------------------------
# The instance: plain Python structures read once from the validated data.


@dataclass
class _Demand:
    units: int
    lead: int
    tail: int


class _Instance:
    def __init__(self, data: SlateData, move_cost_per_week: float, priority_factors):
        self.H = H = int(data.settings.horizon_weeks)
        h0 = data.settings.horizon_start
        self.move_cost = float(move_cost_per_week)
        prods = data.productions
        phases = data.phases       # in the order the rows are listed

        # Productions, in listed order; phases in listed order within each.
        self.prod_ids: list[str] = [str(p) for p in prods["production_id"]]
        self.earliest = {str(r.production_id): _week(r.earliest_start, h0, ceil=True)
                         for r in prods.itertuples(index=False)}
        self.latest = {str(r.production_id): (None if pd.isna(r.latest_start) else _week(r.latest_start, h0))
                       for r in prods.itertuples(index=False)}
        self.target = {str(r.production_id): _week(r.target_delivery, h0, ceil=True)
                       for r in prods.itertuples(index=False)}
        self.late_rate = {str(r.production_id): float(r.lateness_cost_per_week) * float(priority_factors[int(r.priority) - 1])
                          for r in prods.itertuples(index=False)}
        prod_locked = {str(r.production_id): bool(r.locked) if not pd.isna(r.locked) else False
                       for r in prods.itertuples(index=False)}

        self.phases: dict[str, list[str]] = {p: [] for p in self.prod_ids}
        self.dur: dict[Key, int] = {}
        self.planned: dict[Key, int | None] = {}  # planned week of a dated phase, None if undated
        self.locked: dict[Key, bool] = {}
        self.window: dict[Key, tuple] = {}   # (window_start, window_end) dates, NaT for none
        self.h0 = h0
        for r in phases.itertuples(index=False):
            k = (str(r.production_id), str(r.phase_id))
            self.phases[k[0]].append(k[1])
            self.dur[k] = int(r.duration_weeks)
            self.planned[k] = None if pd.isna(r.planned_start) else _week(r.planned_start, h0)
            self.locked[k] = bool(prod_locked[k[0]]) or (False if pd.isna(r.locked) else bool(r.locked))
            self.window[k] = (getattr(r, "window_start", pd.NaT), getattr(r, "window_end", pd.NaT))
        # The week a locked phase sits at: its planned week (validation refuses a locked phase without one).
        self.lock_week = {k: self.planned[k] for k in self.dur if self.locked[k]}

        # Links: for each phase, its predecessors (before, min_lag, max_lag or None).
        self.preds: dict[Key, list[tuple[str, int, int | None]]] = {k: [] for k in self.dur}
        for pid, before, after, lo, hi in _links(data.phase_links, self.phases):
            self.preds[(pid, after)].append((before, lo, hi))
        self.order: dict[str, list[str]] = {p: self._topological(p) for p in self.prod_ids}

        # Resources and capacities per week.
        res = data.resources
        cal = data.resource_calendar
        override: dict[str, dict[int, int]] = {}
        for r in cal.itertuples(index=False):
            w = _week(r.week_start, h0)
            if 0 <= w < H:
                override.setdefault(str(r.resource_id), {})[w] = int(r.capacity)

        windows: dict[str, list[tuple[pd.Timestamp, pd.Timestamp, int | None]]] = {}
        for r in data.availability.itertuples(index=False):
            windows.setdefault(str(r.resource_id), []).append(
                (r.available_from, r.available_to, None if pd.isna(r.units) else int(r.units)))

        def caps(rid: str, base: int) -> list[int]:
            if rid in windows:                      # whole weeks inside a window, counted in days
                out = []
                for w in range(H):
                    monday = h0 + pd.Timedelta(days=7 * w)
                    units = [base if u is None else u for a, b, u in windows[rid]
                             if a <= monday and monday + pd.Timedelta(days=6) <= b]
                    out.append(units[0] if units else 0)
                return out
            o = override.get(rid, {})
            return [o.get(w, base) for w in range(H)]

        self.pool_ids: list[str] = []
        self.pool_cap: list[list[int]] = []
        self.pool_hire_cost: list[float] = []
        self.pool_hire_max: list[int] = []
        self.stage_ids: list[str] = []
        self.stage_cap: list[list[int]] = []
        self.stage_size: list[float | None] = []
        for r in res.itertuples(index=False):
            rid = str(r.resource_id)
            if r.kind == "stage":
                self.stage_ids.append(rid)
                self.stage_cap.append(caps(rid, int(r.capacity)))
                self.stage_size.append(None if pd.isna(r.size) else float(r.size))
            else:
                self.pool_ids.append(rid)
                self.pool_cap.append(caps(rid, int(r.capacity)))
                can_hire = not pd.isna(r.hire_cost_per_week)
                self.pool_hire_cost.append(float(r.hire_cost_per_week) if can_hire else 0.0)
                self.pool_hire_max.append(int(r.hire_max_units) if can_hire and not pd.isna(r.hire_max_units) else 0)
        pool_index = {rid: i for i, rid in enumerate(self.pool_ids)}
        stage_index = {rid: i for i, rid in enumerate(self.stage_ids)}

        # Demands per phase: pools, named stages, size-based stages (with eligible stage indices).
        self.pool_dem: dict[Key, list[tuple[int, _Demand]]] = {k: [] for k in self.dur}
        self.named_dem: dict[Key, list[tuple[int, _Demand]]] = {k: [] for k in self.dur}
        self.size_dem: dict[Key, list[tuple[tuple[int, ...], _Demand]]] = {k: [] for k in self.dur}
        for r in data.demands.itertuples(index=False):
            k = (str(r.production_id), str(r.phase_id))
            d = _Demand(int(r.units), int(r.lead_weeks), int(r.tail_weeks))
            if not pd.isna(r.resource_id):
                rid = str(r.resource_id)
                if rid in stage_index:
                    self.named_dem[k].append((stage_index[rid], d))
                else:
                    self.pool_dem[k].append((pool_index[rid], d))
            else:  # resource_kind == "stage"
                need = None if pd.isna(r.min_size) else float(r.min_size)
                elig = tuple(i for i, size in enumerate(self.stage_size)
                             if need is None or (size is not None and size >= need))
                if len(elig) < d.units:
                    raise ValueError(f"{k}: a size demand of {d.units} stage(s) >= {need} has only {len(elig)} eligible")
                self.size_dem[k].append((elig, d))

    def _topological(self, pid: str) -> list[str]:
        nodes = list(self.phases[pid])
        indeg = {n: len(self.preds[(pid, n)]) for n in nodes}
        order: list[str] = []
        ready = [n for n in nodes if indeg[n] == 0]
        while ready:
            n = ready.pop(0)
            order.append(n)
            for m in nodes:
                for b, _, _ in self.preds[(pid, m)]:
                    if b == n:
                        indeg[m] -= 1
                        if indeg[m] == 0:
                            ready.append(m)
        if len(order) != len(nodes):
            raise ValueError(f"precedence cycle in production {pid}")
        return order

    # ---- hard rules

    def domain(self, k: Key) -> list[int]:
        """The start weeks a phase may take before its links are checked."""
        if self.locked[k]:
            return range(self.lock_week[k], self.lock_week[k] + 1)
        pid = k[0]
        lo = max(0, self.earliest[pid])
        hi = self.H - self.dur[k]
        if not self.preds[k] and self.latest[pid] is not None:
            hi = min(hi, self.latest[pid])
        first_day, last_day = self.window[k]
        return [s for s in range(lo, hi + 1)
                if (pd.isna(first_day) or self.h0 + pd.Timedelta(days=7 * s) >= first_day)
                and (pd.isna(last_day) or self.h0 + pd.Timedelta(days=7 * (s + self.dur[k]) - 1) <= last_day)]

    def link_ok(self, k: Key, s: int, starts: dict[Key, int]) -> bool:
        pid = k[0]
        for b, lo_lag, hi_lag in self.preds[k]:
            end = starts[(pid, b)] + self.dur[(pid, b)]
            if s < end + lo_lag or (hi_lag is not None and s > end + hi_lag):
                return False
        return True

    def block(self, s: int, k: Key, d: _Demand) -> range:
        return range(max(0, s - d.lead), min(self.H, s + self.dur[k] + d.tail))

    # ---- per-production feasible tuples

    def production_plans(self, pid: str) -> list[dict[Key, int]]:
        order = self.order[pid]
        out: list[dict[Key, int]] = []
        starts: dict[Key, int] = {}

        def rec(i: int) -> None:
            if i == len(order):
                out.append(dict(starts))
                return
            k = (pid, order[i])
            for s in self.domain(k):
                if self.link_ok(k, s, starts):
                    starts[k] = s
                    rec(i + 1)
                    del starts[k]

        rec(0)
        return out

    # ---- money that depends on one production alone

    def lateness(self, pid: str, starts: dict[Key, int]) -> float:
        finish = max(starts[(pid, p)] + self.dur[(pid, p)] for p in self.phases[pid])
        return self.late_rate[pid] * max(0, finish - self.target[pid])

    def moves(self, pid: str, starts: dict[Key, int]) -> float:
        weeks = sum(abs(starts[(pid, p)] - self.planned[(pid, p)]) for p in self.phases[pid]
                    if self.planned[(pid, p)] is not None)
        return self.move_cost * weeks

    # ---- stages: the best assignment of the size demands

    def stage_shortfall(self, starts: dict[Key, int], keys) -> int:
        held = [[0] * self.H for _ in self.stage_ids]
        bookings: list[tuple[range, int, tuple[int, ...]]] = []
        for k in keys:
            s = starts[k]
            for st, d in self.named_dem[k]:
                for w in self.block(s, k, d):
                    held[st][w] += d.units
            for elig, d in self.size_dem[k]:
                bookings.append((self.block(s, k, d), d.units, elig))
        best = [math.inf]

        def total() -> int:
            return sum(max(0, h - c) for row, cap in zip(held, self.stage_cap) for h, c in zip(row, cap))

        def rec(i: int) -> None:
            if best[0] == 0:
                return
            if i == len(bookings):
                best[0] = min(best[0], total())
                return
            weeks, units, elig = bookings[i]
            for combo in itertools.combinations(elig, units):
                for st in combo:
                    for w in weeks:
                        held[st][w] += 1
                rec(i + 1)
                for st in combo:
                    for w in weeks:
                        held[st][w] -= 1

        rec(0)
        return int(best[0])


# --------------------------------------------------------------------------------------------
# Scoring one given schedule from scratch.


def evaluate(data: SlateData, schedule: dict[Key, int], move_cost_per_week: float = 1000.0,
             priority_factors=PRIORITY_FACTORS) -> Score:
    """Score one plan (every phase must have a start week) by the rules in the module docstring."""
    inst = _Instance(data, move_cost_per_week, priority_factors)
    return _evaluate(inst, {(str(p), str(q)): int(s) for (p, q), s in schedule.items()})


def _evaluate(inst: _Instance, starts: dict[Key, int]) -> Score:
    missing = set(inst.dur) - set(starts)
    if missing:
        return Score(False, reason=f"no start for {sorted(missing)}")
    for k, s in starts.items():
        if s not in inst.domain(k):
            return Score(False, reason=f"{k} starts at {s}, outside {inst.domain(k)}")
        if not inst.link_ok(k, s, starts):
            return Score(False, reason=f"{k} at {s} breaks a link")
    H = inst.H
    load = [[0] * H for _ in inst.pool_ids]
    for k, s in starts.items():
        for p, d in inst.pool_dem[k]:
            for w in inst.block(s, k, d):
                load[p][w] += d.units
    hire = 0.0
    pool_short = 0
    for p in range(len(inst.pool_ids)):
        for w in range(H):
            excess = max(0, load[p][w] - inst.pool_cap[p][w])
            hired = min(excess, inst.pool_hire_max[p])
            hire += hired * inst.pool_hire_cost[p]
            pool_short += excess - hired
    stage_short = inst.stage_shortfall(starts, list(inst.dur))
    late = sum(inst.lateness(pid, starts) for pid in inst.prod_ids)
    moves = sum(inst.moves(pid, starts) for pid in inst.prod_ids)
    return Score(True, pool_short + stage_short, pool_short, stage_short, hire + late + moves,
                 Parts(hire, late, moves))


# --------------------------------------------------------------------------------------------
# The enumeration.


def best_plans(data: SlateData, move_cost_per_week: float = 1000.0, priority_factors=PRIORITY_FACTORS,
               max_plans: int = 300_000) -> Optimum:
    """The lexicographic optimum (least shortfall, then least money) over every allowed plan.

    Ties keep the first plan found (productions in listed order, each production's starts in
    increasing order of its phases in topological order). Raises ``ValueError`` when no plan is
    feasible or when there are more than ``max_plans`` plans (the oracle is for tiny slates).
    """
    inst = _Instance(data, move_cost_per_week, priority_factors)
    H = inst.H
    npools = len(inst.pool_ids)

    # Per production: each feasible start tuple with its own money and its pool load increments.
    per_prod = []
    for pid in inst.prod_ids:
        options = []
        for starts in inst.production_plans(pid):
            adds: dict[tuple[int, int], int] = {}
            for k, s in starts.items():
                for p, d in inst.pool_dem[k]:
                    for w in inst.block(s, k, d):
                        adds[(p, w)] = adds.get((p, w), 0) + d.units
            own = inst.lateness(pid, starts) + inst.moves(pid, starts)
            options.append((starts, own, list(adds.items())))
        if not options:
            raise ValueError(f"production {pid} has no feasible start weeks")
        per_prod.append(options)
    total_plans = math.prod(len(o) for o in per_prod)
    if total_plans > max_plans:
        raise ValueError(f"{total_plans} plans: too many for the brute-force oracle (max_plans={max_plans})")

    # Stage shortfall depends only on the starts of phases with stage demands: memoize on them.
    stage_keys = [k for k in inst.dur if inst.named_dem[k] or inst.size_dem[k]]
    stage_memo: dict[tuple, int] = {}

    load = [[0] * H for _ in range(npools)]
    caps = inst.pool_cap
    hmax = inst.pool_hire_max
    hcost = inst.pool_hire_cost
    chosen: list[int] = [0] * len(per_prod)
    best = {"key": None, "idx": None, "count": 0}

    def leaf(own_money: float) -> None:
        hire = 0.0
        pool_short = 0
        for p in range(npools):
            row, cap, hm, hc = load[p], caps[p], hmax[p], hcost[p]
            for w in range(H):
                excess = row[w] - cap[w]
                if excess > 0:
                    hired = excess if excess < hm else hm
                    hire += hired * hc
                    pool_short += excess - hired
        if stage_keys:
            starts = {}
            for i, j in enumerate(chosen):
                starts.update(per_prod[i][j][0])
            sk = tuple(starts[k] for k in stage_keys)
            stage_short = stage_memo.get(sk)
            if stage_short is None:
                stage_short = stage_memo[sk] = inst.stage_shortfall(starts, stage_keys)
        else:
            stage_short = 0
        short = pool_short + stage_short
        money = own_money + hire
        cur = best["key"]
        if cur is None or short < cur[0] or (short == cur[0] and money < cur[1] - EPS):
            best["key"] = (short, money)
            best["idx"] = tuple(chosen)
            best["count"] = 1
        elif short == cur[0] and abs(money - cur[1]) <= EPS:
            best["count"] += 1

    def rec(i: int, own_money: float) -> None:
        if i == len(per_prod):
            leaf(own_money)
            return
        for j, (_, own, adds) in enumerate(per_prod[i]):
            for (p, w), u in adds:
                load[p][w] += u
            chosen[i] = j
            rec(i + 1, own_money + own)
            for (p, w), u in adds:
                load[p][w] -= u

    rec(0, 0.0)
    if best["key"] is None:  # pragma: no cover - every production has options, so some plan exists
        raise ValueError("no feasible plan")
    schedule: dict[Key, int] = {}
    for i, j in enumerate(best["idx"]):
        schedule.update(per_prod[i][j][0])
    score = _evaluate(inst, schedule)  # the second code path: must agree with the enumeration
    assert score.feasible, score.reason
    assert score.shortfall == best["key"][0] and abs(score.money - best["key"][1]) <= EPS, (score, best["key"])
    schedule = {k: schedule[k] for k in inst.dur}  # listed order
    return Optimum(score.shortfall, score.money, score.parts, schedule, total_plans, best["count"],
                   score.pool_shortfall, score.stage_shortfall)


# --------------------------------------------------------------------------------------------
# Tiny slates for comparing the optimizer with the oracle. Week w is monday(w); H0 is week 0.


def _crew_priorities() -> SlateData:
    """Two productions with dated prep + shoot; one crew of 1 (no hire-in) for both shoots.

    One shoot must wait; the lateness is cheaper on the low-priority production. Preps share a
    gear pool that is big enough. Undated third production (one phase) fills the gap for free.
    """
    return slate(
        [production("P1", priority=4, target_delivery=monday(3), lateness_cost_per_week=50_000.0),
         production("P2", priority=2, target_delivery=monday(3), lateness_cost_per_week=50_000.0),
         production("P3", priority=3, target_delivery=monday(9), lateness_cost_per_week=10_000.0)],
        [phase("P1", "prep", 1, 0, kind="prep"), phase("P1", "shoot", 2, 1),
         phase("P2", "prep", 1, 0, kind="prep"), phase("P2", "shoot", 2, 1),
         phase("P3", "shoot", 2, None)],
        [resource("CREW", capacity=1), resource("GEAR", kind="equipment", capacity=2)],
        [demand("P1", "prep", "GEAR"), demand("P2", "prep", "GEAR"),
         demand("P1", "shoot", "CREW"), demand("P2", "shoot", "CREW"), demand("P3", "shoot", "CREW")],
        horizon_weeks=9)


def _hire_and_calendar() -> SlateData:
    """Three 2-week shoots on a crew pool of 2 that can hire 1 unit at 20k; week 2 has capacity 1.

    Hiring a unit for a week (20k) is cheaper than a week late (30k) but not than a move (1k/week).
    """
    return slate(
        [production(p, target_delivery=monday(4), lateness_cost_per_week=30_000.0,
                    earliest_start=monday(1)) for p in ("P1", "P2", "P3")],
        [phase("P1", "shoot", 2, 1), phase("P2", "shoot", 2, 1), phase("P3", "shoot", 2, 2)],
        [resource("CREW", capacity=2, hire_cost_per_week=20_000.0, hire_max_units=1)],
        [demand(p, "shoot", "CREW") for p in ("P1", "P2", "P3")],
        calendar=[dict(resource_id="CREW", week_start=monday(2), capacity=1)],
        horizon_weeks=8)


def _links_lags_lock() -> SlateData:
    """Explicit links with a min lag and a max lag, a latest_start, an undated prep, a locked shoot.

    P1: prep (undated) -> shoot (min lag 1, max lag 2) -> post (min lag 0), latest_start week 2.
    P2's shoot is locked at week 3 and takes the only crew; P1's shoot needs the crew too, so it can
    only clear P2 at week 5, which the max lag allows only from a prep at week 2.
    """
    return slate(
        [production("P1", priority=3, earliest_start=monday(1), latest_start=monday(2),
                    target_delivery=monday(8), lateness_cost_per_week=20_000.0),
         production("P2", priority=5, target_delivery=monday(9), lateness_cost_per_week=20_000.0)],
        [phase("P1", "prep", 1, None, kind="prep"), phase("P1", "shoot", 2, 3), phase("P1", "post", 2, 5, kind="post"),
         phase("P2", "prep", 1, 2, kind="prep"), phase("P2", "shoot", 2, 3, locked=True)],
        [resource("CREW", capacity=1), resource("EDIT", kind="facility", capacity=1)],
        [demand("P1", "shoot", "CREW"), demand("P2", "shoot", "CREW"),
         demand("P1", "post", "EDIT"), demand("P2", "prep", "EDIT")],
        links=[dict(production_id="P1", before_phase="prep", after_phase="shoot", min_lag_weeks=1, max_lag_weeks=2),
               dict(production_id="P1", before_phase="shoot", after_phase="post", min_lag_weeks=0, max_lag_weeks=None)],
        horizon_weeks=11)


def _stages_named_and_size() -> SlateData:
    """Three stages (20k, 12k, 6k sq ft). P1 holds the big stage by name with a build week and a
    strike week; P2 needs any stage >= 10k (lead 1); P3 needs two stages >= 5k. All want week 2.
    """
    return slate(
        [production(p, target_delivery=monday(6), lateness_cost_per_week=5_000.0) for p in ("P1", "P2", "P3")],
        [phase("P1", "shoot", 2, 2), phase("P2", "shoot", 2, 2), phase("P3", "shoot", 1, 2)],
        [resource("S-BIG", kind="stage", size=20_000.0), resource("S-MID", kind="stage", size=12_000.0),
         resource("S-SMALL", kind="stage", size=6_000.0)],
        [demand("P1", "shoot", "S-BIG", lead=1, tail=1),
         demand("P2", "shoot", min_size=10_000.0, lead=1),
         demand("P3", "shoot", min_size=5_000.0, units=2)],
        horizon_weeks=8)


def _stage_calendar_and_pool() -> SlateData:
    """A stage let out in weeks 3-4 (calendar 0), a crew pool with hire-in, undated and dated phases.

    P1: build (undated, on the big stage by size, tail 1) -> shoot (dated week 3) on the big stage by
    name; P2: shoot on any stage >= 8k, dated week 3. Crew of 1 hires up to 1 at 8k a week.
    """
    return slate(
        [production("P1", priority=5, target_delivery=monday(7), lateness_cost_per_week=12_000.0),
         production("P2", priority=1, target_delivery=monday(6), lateness_cost_per_week=12_000.0)],
        [phase("P1", "build", 1, None, kind="prep"), phase("P1", "shoot", 2, 3),
         phase("P2", "shoot", 2, 3)],
        [resource("S-BIG", kind="stage", size=18_000.0), resource("S-MID", kind="stage", size=9_000.0),
         resource("CREW", capacity=1, hire_cost_per_week=8_000.0, hire_max_units=1)],
        [demand("P1", "build", min_size=15_000.0, tail=1), demand("P1", "shoot", "S-BIG"),
         demand("P2", "shoot", min_size=8_000.0),
         demand("P1", "shoot", "CREW"), demand("P2", "shoot", "CREW"), demand("P1", "build", "CREW")],
        calendar=[dict(resource_id="S-MID", week_start=monday(3), capacity=0),
                  dict(resource_id="S-MID", week_start=monday(4), capacity=0)],
        horizon_weeks=9)


def _overcommitted_pool() -> SlateData:
    """Forced pool shortfall: three shoots of 3 weeks need 2 units each of a crew of 2 (hire-in at
    most 1), all inside a 7-week horizon with latest_start week 1 or 2. Not all can be serialized.
    """
    return slate(
        [production("P1", latest_start=monday(1), target_delivery=monday(4), lateness_cost_per_week=10_000.0),
         production("P2", latest_start=monday(2), target_delivery=monday(5), lateness_cost_per_week=10_000.0,
                    priority=1),
         production("P3", latest_start=monday(2), target_delivery=monday(5), lateness_cost_per_week=10_000.0,
                    priority=5)],
        [phase("P1", "shoot", 3, 0), phase("P2", "shoot", 3, 1), phase("P3", "shoot", 3, None)],
        [resource("CREW", capacity=2, hire_cost_per_week=15_000.0, hire_max_units=1),
         resource("GRIP", kind="equipment", capacity=1)],
        [demand(p, "shoot", "CREW", units=2) for p in ("P1", "P2", "P3")]
        + [demand("P1", "shoot", "GRIP", tail=1), demand("P3", "shoot", "GRIP", lead=1)],
        horizon_weeks=7)


def _overcommitted_stages() -> SlateData:
    """Forced stage shortfall: two stages, three productions each needing a stage (two of them only
    the big one, for 4 + 1 lead + 1 tail and 4 weeks) in a 7-week horizon; the third is locked.
    """
    return slate(
        [production("P1", target_delivery=monday(5), lateness_cost_per_week=8_000.0),
         production("P2", target_delivery=monday(6), lateness_cost_per_week=8_000.0, priority=2),
         production("P3", target_delivery=monday(7), lateness_cost_per_week=8_000.0, locked=True)],
        [phase("P1", "shoot", 3, 1), phase("P2", "shoot", 4, 2), phase("P3", "shoot", 4, 3)],
        [resource("S-A", kind="stage", size=16_000.0), resource("S-B", kind="stage", size=7_000.0)],
        [demand("P1", "shoot", min_size=15_000.0, lead=1, tail=1), demand("P2", "shoot", min_size=15_000.0),
         demand("P3", "shoot", min_size=5_000.0, tail=1)],
        horizon_weeks=7)


def _day(week: int, weekday: int) -> str:
    """The date of ``weekday`` (0 Monday .. 6 Sunday) in ``week``."""
    return str((pd.Timestamp(monday(week)) + pd.Timedelta(days=weekday)).date())


def _people_places_windows() -> SlateData:
    """A director shared by two features, a location on a permit, an exterior in a season window.

    DIR (talent) is available from the Wednesday of week 1 to the Sunday of week 7, so weeks 2-7
    only; P1 and P2 both shoot 2 weeks with DIR. P2's shoot also needs the harbour (location, permit
    weeks 3-5 only, from a Monday to a Friday: week 5 is not whole). P3's exterior shoot has a
    window: not before Wednesday of week 2, ending by Sunday of week 6; it shares the crew with P1.
    """
    return slate(
        [production("P1", target_delivery=monday(5), lateness_cost_per_week=20_000.0),
         production("P2", target_delivery=monday(6), lateness_cost_per_week=30_000.0, priority=4),
         production("P3", target_delivery=monday(7), lateness_cost_per_week=10_000.0)],
        [phase("P1", "prep", 1, 1, kind="prep"), phase("P1", "shoot", 2, 2),
         phase("P2", "shoot", 2, 2), phase("P3", "shoot", 2, 3, window_start=_day(2, 2), window_end=_day(6, 6))],
        [resource("DIR", kind="talent"), resource("HARBOUR", kind="location"),
         resource("CREW", capacity=1, hire_cost_per_week=25_000.0, hire_max_units=1)],
        [demand("P1", "shoot", "DIR"), demand("P2", "shoot", "DIR"), demand("P2", "shoot", "HARBOUR"),
         demand("P1", "shoot", "CREW"), demand("P3", "shoot", "CREW")],
        links=[dict(production_id="P1", before_phase="prep", after_phase="shoot", min_lag_weeks=0, max_lag_weeks=1)],
        availability=[dict(resource_id="DIR", available_from=_day(1, 2), available_to=_day(7, 6), units=None),
                      dict(resource_id="HARBOUR", available_from=_day(3, 0), available_to=_day(5, 4), units=1)],
        horizon_weeks=10)


def _person_overbooked() -> SlateData:
    """Forced talent shortfall: a star available weeks 2-4 only (a window of whole weeks) is needed
    by two 2-week shoots whose windows both lie in weeks 1-5, and a third production's prep. No
    plan avoids booking her twice or outside her weeks: she has 3 weeks for 5 weeks of work, so the
    least shortfall is 2 unit-weeks."""
    return slate(
        [production("P1", target_delivery=monday(5), lateness_cost_per_week=10_000.0),
         production("P2", target_delivery=monday(6), lateness_cost_per_week=10_000.0),
         production("P3", target_delivery=monday(8), lateness_cost_per_week=1_000.0)],
        [phase("P1", "shoot", 2, 2, window_end=_day(4, 6)), phase("P2", "shoot", 2, 3, window_start=_day(2, 0)),
         phase("P3", "prep", 1, 3, kind="prep", window_start=_day(1, 0), window_end=_day(5, 6))],
        [resource("STAR", kind="talent")],
        [demand("P1", "shoot", "STAR"), demand("P2", "shoot", "STAR"), demand("P3", "prep", "STAR")],
        availability=[dict(resource_id="STAR", available_from=_day(2, 0), available_to=_day(4, 6), units=None)],
        horizon_weeks=7)


def _mixed_three_phase() -> SlateData:
    """Two three-phase productions (listed-order links) and two single phases: a crew pool with
    hire-in and a calendar rise, an edit facility without hire-in shared by three posts, a
    size-based stage demand with lead and tail, a named stage, a latest_start and a locked phase.
    """
    return slate(
        [production("P1", priority=4, latest_start=monday(1), target_delivery=monday(10),
                    lateness_cost_per_week=25_000.0),
         production("P2", priority=2, earliest_start=monday(1), target_delivery=monday(10),
                    lateness_cost_per_week=25_000.0),
         production("P3", priority=3, target_delivery=monday(6), lateness_cost_per_week=9_000.0),
         production("P4", priority=1, earliest_start=monday(4), target_delivery=monday(11),
                    lateness_cost_per_week=6_000.0)],
        [phase("P1", "prep", 2, 0, kind="prep"), phase("P1", "shoot", 3, 2), phase("P1", "post", 3, 5, kind="post"),
         phase("P2", "prep", 1, 1, kind="prep"), phase("P2", "shoot", 3, 2, locked=True),
         phase("P2", "post", 2, None, kind="post"),
         phase("P3", "shoot", 2, 3), phase("P4", "post", 2, None, kind="post")],
        [resource("CREW", capacity=1, hire_cost_per_week=30_000.0, hire_max_units=1),
         resource("EDIT", kind="facility", capacity=1),
         resource("S-1", kind="stage", size=14_000.0), resource("S-2", kind="stage", size=8_000.0)],
        [demand("P1", "shoot", "CREW"), demand("P2", "shoot", "CREW"), demand("P3", "shoot", "CREW"),
         demand("P1", "post", "EDIT"), demand("P2", "post", "EDIT"), demand("P4", "post", "EDIT"),
         demand("P1", "shoot", min_size=12_000.0, lead=1, tail=1), demand("P2", "shoot", "S-2"),
         demand("P3", "shoot", min_size=6_000.0)],
        calendar=[dict(resource_id="CREW", week_start=monday(6), capacity=2)],
        horizon_weeks=14)


TINY_SLATES: list[tuple[str, Callable[[], SlateData]]] = [
    ("crew_priorities", _crew_priorities),
    ("hire_and_calendar", _hire_and_calendar),
    ("links_lags_lock", _links_lags_lock),
    ("stages_named_and_size", _stages_named_and_size),
    ("stage_calendar_and_pool", _stage_calendar_and_pool),
    ("overcommitted_pool", _overcommitted_pool),
    ("overcommitted_stages", _overcommitted_stages),
    ("mixed_three_phase", _mixed_three_phase),
    ("people_places_windows", _people_places_windows),
    ("person_overbooked", _person_overbooked),
]
