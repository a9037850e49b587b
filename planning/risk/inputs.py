"""A slate and one plan's schedule as plain arrays, read once, for sampling: small enough to send to
a worker process, and everything ``planning.risk.simulate`` and ``planning.risk.outcomes`` need.

A slate under way is sampled from its report week ``now`` (``planning.data.progress.from_as_of``):
a done phase has its actual length (nothing to draw) and its risks are gone; a running phase keeps
its actual start, and its length is drawn from the part of its range it has not outlived (at least
``now + 1 - start``), so what varies is how much longer it runs; a started phase is at its actual
start week whatever the schedule says. A risk that takes a resource away takes it from
``risk_from``: the planned start of the phase it hits, or the report week when that is later.

Phases are in (production, listed order) order; ``prod_of[j]`` is phase ``j``'s production.
Resource rows are the named resources, then one row per stage class ``stages>=m`` used by a size
demand (``planning.analysis.capacity``). Money is integer cents (``planning.finance.flows``).

**Spend by length.** A phase's budget lines are spread by ``planning.finance.flows.spread`` over
every length the phase can take in a sample (``low .. high + every risk delay on it``), each week's
cents shifted by the line's payment lag: ``spend[j, d, o]`` is what phase ``j`` pays ``o`` weeks
after its start when it lasts ``d`` weeks. On a slate under way that is what the line still costs
from the report week (committed + ETC, a weekly line's ETC for the weeks it runs at length ``d``),
and its actuals are paid where they were posted (``actual_*``), in every sample. Summed over lines
it is ``spend_flows`` on those dates and lengths, cent for cent. The incentive is the plan's (on the
qualifying EFC at the plan's lengths), received after the sample's delivery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from graphlib import TopologicalSorter

import numpy as np
import pandas as pd

from planning.analysis.capacity import (capacity_by_week, class_id, class_size, counted_productions, hire_limits,
                                        stage_classes)
from planning.data.inputs import SlateData, effective_links, week_index
from planning.data.progress import from_as_of, phase_weeks
from planning.data.schema import CURVES
from planning.finance.flows import exact_rate, in_progress, incentive_amounts, line_costs, spread, to_cents, weekly_cents


@dataclass(frozen=True)
class RiskInputs:
    horizon: int
    productions: list[str]
    phases: pd.DataFrame                  # production_id, phase_id
    prod_of: np.ndarray                   # (phases,) production index
    planned: np.ndarray                   # (phases,) the plan's start week
    duration: np.ndarray                  # (phases,) duration_weeks
    low: np.ndarray                       # (phases,) duration_low_weeks (else duration_weeks)
    high: np.ndarray                      # (phases,) duration_high_weeks (else duration_weeks)
    p_go: np.ndarray                      # (productions,) chance of going ahead (1 when greenlit)
    preds: list[tuple[int, list[tuple[int, int]]]]   # topological: (phase, [(before phase, min lag)])
    risks: pd.DataFrame                   # production_id, phase_id (the one hit), name, kind, resource_id ("" none)
    risk_phase: np.ndarray                # (risks,) phase index hit
    risk_resource: np.ndarray             # (risks,) row of the resource it takes away, -1: none (delays its phase)
    risk_needs: list[np.ndarray]          # (risks,) phases with a named demand on that resource
    risk_from: np.ndarray                 # (risks,) first week a risk takes its resource away
    risk_p: np.ndarray
    delay_low: np.ndarray
    delay_high: np.ndarray
    cost_low: np.ndarray                  # cents
    cost_high: np.ndarray                 # cents
    rows: list[str]                       # resource ids, then class ids
    kind: list[str]                       # resource kind, or "stage class"
    capacity: np.ndarray                  # (rows, horizon) after the calendar; a class: its stages' sum
    hire_max: np.ndarray                  # (rows,) units that can be hired in a week
    hire_cost: np.ndarray                 # (rows,) cost of a hired unit-week
    members: dict[int, np.ndarray]        # class row -> its stages' rows
    demand_phase: np.ndarray              # (demands,) phase index
    demand_units: np.ndarray
    demand_lead: np.ndarray
    demand_tail: np.ndarray
    demand_rows: list[list[int]]          # rows a demand weighs on (a named one; or every class it fits)
    target: np.ndarray                    # (productions,) target delivery week
    late_cost: np.ndarray                 # (productions,) lateness cost per week
    budget: np.ndarray                    # (productions,) budget cents
    incentive: np.ndarray                 # (productions,) incentive received, cents
    incentive_lag: np.ndarray             # (productions,) weeks from delivery to receipt
    rate: tuple[int, int]                 # financing_rate_annual as an exact fraction
    now: int                              # the report week: load before it is history, never short
    started: np.ndarray                   # (phases,) started by the report week: its start never moves
    actual_prod: np.ndarray               # (actuals,) production index of each actual paid
    actual_week: np.ndarray               # (actuals,) the week it was paid
    actual_cents: np.ndarray              # (actuals,) cents paid (a refund negative)
    spend: np.ndarray = field(repr=False)  # (phases, longest + 1, weeks paid): cents by length and week


@dataclass(frozen=True)
class DurationSkew:
    """How a slate's phases with a range of lengths (shortest < longest) lean. ``ranged``: how many;
    ``long``: those whose usual length (``duration_weeks``, the most likely) is below the middle of
    their range, so they are drawn longer than planned more often than shorter; ``short``: above the
    middle; ``extra_weeks``: how much longer than its usual length such a phase runs on average
    (the mean of ``triangular(low, usual, high)`` less the usual length, over the ranged phases)."""

    ranged: int
    long: int
    short: int
    extra_weeks: float


def duration_skew(data: SlateData) -> DurationSkew:
    """The ``DurationSkew`` of ``data``'s phases (an empty low or high is the usual length), from the
    report week on a slate under way (``from_as_of``: a done phase's length is known, a running
    one's range is what it has not outlived)."""
    ph = from_as_of(data).phases
    usual = ph["duration_weeks"].astype(float)
    low = ph["duration_low_weeks"].astype(float).fillna(usual)
    high = ph["duration_high_weeks"].astype(float).fillna(usual)
    ranged = low < high
    middle = (low + high) / 2
    extra = ((low + usual + high) / 3 - usual)[ranged]
    return DurationSkew(int(ranged.sum()), int((ranged & (usual < middle)).sum()),
                        int((ranged & (usual > middle)).sum()), float(extra.mean()) if len(extra) else 0.0)


def _phase_spend(lines: pd.DataFrame, weeks: range, behind: int) -> dict[int, np.ndarray]:
    """``{d: cents}``: what the lines of one phase (rows of ``line_costs``) still pay, by week after
    its start, when it lasts ``d`` weeks, for each ``d`` in ``weeks``: committed + ETC spread by the
    curve over the weeks it runs from the report week on, ``behind`` weeks of it being behind (all
    of it in the report week when it is over by then), paid with the line's lag; a weekly line's
    ETC is its rate for the weeks left, ``planning.finance.flows.line_costs`` at length ``d``."""
    committed, budget = lines["committed_cents"].to_numpy(np.int64), lines["budget_cents"].to_numpy(np.int64)
    fixed = committed + lines["etc_cents"].to_numpy(np.int64)
    weekly = ((lines["basis"] == "weekly") & ~lines["estimated"]).to_numpy(bool)
    duration = lines["duration_weeks"].to_numpy(np.int64)
    curve = lines["curve"].map(CURVES.index).to_numpy(np.int64)
    lag = lines["payment_lag_weeks"].to_numpy(np.int64)
    out = {}
    for d in weeks:
        over = behind >= d
        left = 0 if over else d - behind
        cents = np.where(weekly, committed + np.maximum(0, weekly_cents(budget, np.full(len(lines), left), duration)
                                                        - committed), fixed)
        line, offset, paid = spread(cents, curve, np.full(len(cents), 1 if over else d, dtype=np.int64),
                                    np.full(len(cents), 0 if over else behind, dtype=np.int64))
        out[d] = np.bincount(offset + (behind if over else 0) + lag[line], weights=paid).astype(np.int64)
    return out


def prepare(data: SlateData, schedule: pd.DataFrame, threshold: float = 0.0) -> RiskInputs:
    """The arrays of ``data`` with ``schedule`` (production_id, phase_id, start_week: a plan), from
    the report week (module docstring). A development production whose chance is below
    ``threshold`` never goes ahead (``p_go`` 0)."""
    given, data = data, from_as_of(data)
    weeks = phase_weeks(data, schedule)
    ph = data.phases.merge(weeks[["production_id", "phase_id", "status", "start_week"]], on=["production_id", "phase_id"])
    ph = ph.sort_values(["production_id", "seq"]).reset_index(drop=True)
    prods = data.productions.sort_values("production_id").reset_index(drop=True)
    ids = [str(p) for p in prods["production_id"]]
    index = {p: k for k, p in enumerate(ids)}
    pos = {(p, q): i for i, (p, q) in enumerate(zip(ph["production_id"], ph["phase_id"]))}
    d = ph["duration_weeks"].to_numpy(np.int64)
    low = ph["duration_low_weeks"].astype("Float64").fillna(pd.Series(d, dtype="Float64")).to_numpy(np.int64)
    high = ph["duration_high_weeks"].astype("Float64").fillna(pd.Series(d, dtype="Float64")).to_numpy(np.int64)
    who = counted_productions(data, threshold).set_index("production_id").reindex(ids)
    p_go = np.where(who["status"] == "development", who["greenlight_probability"] * who["counted"], 1.0)

    before: dict[int, list[tuple[int, int]]] = {}
    for lk in effective_links(data).itertuples(index=False):
        before.setdefault(pos[(lk.production_id, lk.after_phase)], []).append(
            (pos[(lk.production_id, lk.before_phase)], int(lk.min_lag_weeks)))
    order = TopologicalSorter({j: [i for i, _ in before.get(j, [])] for j in range(len(ph))}).static_order()
    preds = [(j, before[j]) for j in order if j in before]

    first = ph.groupby("production_id", sort=False)["phase_id"].first()
    risks = data.risks.copy()
    risks["phase_id"] = risks["phase_id"].fillna(risks["production_id"].map(first))
    risk_phase = np.array([pos[(p, q)] for p, q in zip(risks["production_id"], risks["phase_id"])], dtype=np.int64)
    delay_high = risks["delay_high_weeks"].to_numpy(np.int64)
    named_ids = [str(r) for r in data.resources["resource_id"]]
    takes = risks["resource_id"].astype(object).where(risks["resource_id"].notna(), None) \
        if "resource_id" in risks.columns else pd.Series([None] * len(risks), dtype=object)
    risk_resource = np.array([-1 if r is None else named_ids.index(r) for r in takes], dtype=np.int64)
    on = data.demands[data.demands["resource_id"].notna()]
    risk_needs = [np.array(sorted({pos[(p, q)] for p, q, r in zip(on["production_id"], on["phase_id"], on["resource_id"])
                                   if r == rid}), dtype=np.int64) if rid is not None else np.zeros(0, np.int64)
                  for rid in takes]

    h = data.settings.horizon_weeks
    classes = stage_classes(data)
    named = [str(r) for r in data.resources["resource_id"]]
    class_ids = sorted(set(classes["class_id"]) | {class_id(m) for m in data.demands.loc[
        data.demands["resource_id"].isna(), "min_size"].fillna(0.0)}, key=class_size)
    rows = named + class_ids
    row = {r: i for i, r in enumerate(rows)}
    cap = capacity_by_week(data).pivot(index="resource_id", columns="week", values="capacity").reindex(named)
    capacity = np.zeros((len(rows), h), dtype=np.int64)
    capacity[:len(named)] = cap.to_numpy(np.int64)
    members = {}
    for cid in class_ids:
        stages = classes.loc[classes["class_id"] == cid, "resource_id"]
        members[row[cid]] = np.array([row[s] for s in stages], dtype=np.int64)
        capacity[row[cid]] = capacity[members[row[cid]]].sum(axis=0)
    res = data.resources
    limits = hire_limits(res)
    hire_max = np.zeros(len(rows), dtype=np.int64)
    hire_max[:len(named)] = limits["hire_max"].to_numpy(np.int64)
    hire_cost = np.zeros(len(rows))
    hire_cost[:len(named)] = limits["hire_cost"].to_numpy(float)

    dem = data.demands
    sizes = [class_size(c) for c in class_ids]
    demand_rows = [[row[r]] if isinstance(r, str) else
                   [row[class_id(k)] for k in sizes if k <= (0.0 if pd.isna(m) else float(m))]
                   for r, m in zip(dem["resource_id"].astype(object).where(dem["resource_id"].notna(), None),
                                   dem["min_size"])]

    got = incentive_amounts(given, weeks).set_index("production_id").reindex(ids)
    lags = data.incentives.set_index("jurisdiction")["receipt_lag_weeks"]
    budget = pd.Series(to_cents(data.budget_lines["amount"]), index=data.budget_lines.index)
    lines = given.budget_lines.reset_index(drop=True)
    lines = pd.concat([lines[["production_id", "phase_id", "curve", "payment_lag_weeks"]],
                       line_costs(given, weeks)[["basis", "budget_cents", "committed_cents", "etc_cents", "estimated"]]],
                      axis=1).merge(given.phases[["production_id", "phase_id", "duration_weeks"]],
                                    on=["production_id", "phase_id"])
    now = data.settings.now_week if in_progress(given) else None
    longest = high.copy()                 # a delay lengthens its phase, or pauses the phases needing its resource
    for r, j in enumerate(risk_phase):
        longest[risk_needs[r] if risk_resource[r] >= 0 else j] += delay_high[r]
    paid = {}
    for (pid, phase), group in lines.groupby(["production_id", "phase_id"]):
        j = pos[(pid, phase)]
        behind = 0 if now is None else max(0, now - int(ph.at[j, "start_week"]))
        paid |= {(j, dur): cents for dur, cents in _phase_spend(group, range(low[j], longest[j] + 1), behind).items()}
    act = given.actuals[given.actuals["kind"] == "actual"]
    spend = np.zeros((len(ph), int(longest.max()) + 1,
                      max([len(c) for c in paid.values()] + [1])), dtype=np.int64)
    for (j, dur), cents in paid.items():
        spend[j, dur, :len(cents)] = cents
    return RiskInputs(
        horizon=h, productions=ids, phases=ph[["production_id", "phase_id"]].astype(str),
        prod_of=ph["production_id"].map(index).to_numpy(np.int64), planned=ph["start_week"].to_numpy(np.int64),
        duration=d, low=low, high=high, p_go=p_go, preds=preds,
        risks=risks.assign(resource_id=takes.fillna("").to_numpy())[["production_id", "phase_id", "name", "kind", "resource_id"]]
        .astype(str).reset_index(drop=True),
        risk_phase=risk_phase, risk_resource=risk_resource, risk_needs=risk_needs,
        risk_from=np.maximum(ph["start_week"].to_numpy(np.int64)[risk_phase], data.settings.now_week),
        risk_p=risks["probability"].to_numpy(float),
        delay_low=risks["delay_low_weeks"].to_numpy(np.int64), delay_high=delay_high,
        cost_low=to_cents(risks["extra_cost_low"]), cost_high=to_cents(risks["extra_cost_high"]),
        rows=rows, kind=[str(k) for k in res["kind"]] + ["stage class"] * len(class_ids),
        capacity=capacity, hire_max=hire_max, hire_cost=hire_cost, members=members,
        demand_phase=np.array([pos[(p, q)] for p, q in zip(dem["production_id"], dem["phase_id"])], dtype=np.int64),
        demand_units=dem["units"].to_numpy(np.int64), demand_lead=dem["lead_weeks"].to_numpy(np.int64),
        demand_tail=dem["tail_weeks"].to_numpy(np.int64), demand_rows=demand_rows,
        target=week_index(prods["target_delivery"], data.settings.horizon_start, ceil=True).to_numpy(np.int64),
        late_cost=prods["lateness_cost_per_week"].to_numpy(float),
        budget=budget.groupby(lines["production_id"]).sum().reindex(ids, fill_value=0).to_numpy(np.int64),
        incentive=got["received_cents"].to_numpy(np.int64),
        incentive_lag=got["jurisdiction"].map(lags).fillna(0).to_numpy(np.int64),
        rate=exact_rate(data.settings.financing_rate_annual), spend=spend, now=data.settings.now_week,
        started=(ph["status"] != "planned").to_numpy(bool),
        actual_prod=act["production_id"].map(index).to_numpy(np.int64),
        actual_week=week_index(act["posted"], data.settings.horizon_start).to_numpy(np.int64),
        actual_cents=to_cents(act["amount"]))
