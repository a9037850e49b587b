"""Samples of a plan, vectorised over samples (numpy arrays of shape ``(samples, ...)``).

Each sample draws:

- for a development production, whether it goes ahead: ``U < greenlight_probability`` (greenlit:
  always); one that does not go ahead holds nothing and delivers nothing;
- every phase's duration: ``round(triangular(low, duration, high))`` where low < high, else the
  duration;
- every named risk: it happens when ``U < probability``; then its phase (or the production's first
  phase) lasts ``delay`` weeks longer, ``delay`` uniform on ``low..high`` whole weeks.

Delays push successors, keeping the plan's order and lags: in topological order, ``start[j] =
max(planned start[j], max over links i->j of start[i] + duration[i] + min_lag)``; nothing starts
before the plan has it (the plan keeps its stages and its order). With every probability 0 and every
range collapsed, each sample is the plan exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter

import numpy as np
import pandas as pd

from planning.data.inputs import SlateData, effective_links


@dataclass(frozen=True)
class Samples:
    """``start``, ``duration`` ``(samples, phases)`` in weeks, ``goes`` ``(samples, productions)``
    bool, ``finish`` ``(samples, productions)`` (the last phase's end; -1 where it does not go ahead),
    and the row order: ``phases`` (production_id, phase_id) and ``productions`` (production_id)."""

    start: np.ndarray
    duration: np.ndarray
    goes: np.ndarray
    finish: np.ndarray
    phases: pd.DataFrame
    productions: pd.Series


def draw(data: SlateData, schedule: pd.DataFrame, samples: int, seed: int) -> Samples:
    """``samples`` draws of ``schedule`` (production_id, phase_id, start_week; a plan's schedule)."""
    rng = np.random.default_rng(seed)
    ph = data.phases.merge(schedule[["production_id", "phase_id", "start_week"]], on=["production_id", "phase_id"])
    ph = ph.sort_values(["production_id", "seq"]).reset_index(drop=True)
    prods = data.productions.set_index("production_id")
    order = pd.Series(prods.index)
    pos = {(p, q): i for i, (p, q) in enumerate(zip(ph["production_id"], ph["phase_id"]))}

    p_go = prods["greenlight_probability"].astype("Float64").fillna(1.0).where(
        prods["status"].fillna("greenlit") == "development", 1.0).to_numpy(float)
    goes = rng.random((samples, len(order))) < p_go

    d = ph["duration_weeks"].to_numpy(np.int64)
    low = ph["duration_low_weeks"].astype("Int64").fillna(pd.Series(d)).to_numpy(np.int64)
    high = ph["duration_high_weeks"].astype("Int64").fillna(pd.Series(d)).to_numpy(np.int64)
    duration = np.tile(d, (samples, 1)).astype(float)
    spread = low < high
    if spread.any():
        duration[:, spread] = rng.triangular(low[spread], d[spread], high[spread], (samples, int(spread.sum())))
    duration = np.clip(np.rint(duration), low, high).astype(np.int64)

    first = ph.groupby("production_id", sort=False).head(1).set_index("production_id")["phase_id"]
    for r in data.risks.itertuples(index=False):
        phase = r.phase_id if isinstance(r.phase_id, str) else first[r.production_id]
        j = pos[(r.production_id, phase)]
        happens = rng.random(samples) < float(r.probability)
        delay = rng.integers(int(r.delay_low_weeks), int(r.delay_high_weeks) + 1, samples)
        duration[:, j] += np.where(happens, delay, 0)

    planned = ph["start_week"].to_numpy(np.int64)
    start = np.tile(planned, (samples, 1))
    preds: dict[int, list[tuple[int, int]]] = {}
    for lk in effective_links(data).itertuples(index=False):
        preds.setdefault(pos[(lk.production_id, lk.after_phase)], []).append(
            (pos[(lk.production_id, lk.before_phase)], int(lk.min_lag_weeks)))
    for j in TopologicalSorter({j: [i for i, _ in preds.get(j, [])] for j in range(len(ph))}).static_order():
        for i, lag in preds.get(j, []):
            start[:, j] = np.maximum(start[:, j], start[:, i] + duration[:, i] + lag)

    end = start + duration
    prod_of = ph["production_id"].map({p: k for k, p in enumerate(order)}).to_numpy()
    finish = np.full((samples, len(order)), -1, dtype=np.int64)
    for k in range(len(order)):
        finish[:, k] = end[:, prod_of == k].max(axis=1)
    finish = np.where(goes, finish, -1)
    return Samples(start, duration, goes, finish, ph[["production_id", "phase_id"]], order)


def deliveries(data: SlateData, s: Samples) -> pd.DataFrame:
    """Per production: P50, P80 and P90 delivery week (over the samples in which it goes ahead),
    the chance it goes ahead, and the chance it misses its target (among those samples)."""
    target = (data.productions.set_index("production_id")["target_delivery"]
              .reindex(s.productions).pipe(lambda t: data.week_of(t)).to_numpy(np.int64))
    rows = []
    for k, pid in enumerate(s.productions):
        went = s.goes[:, k]
        weeks = s.finish[went, k]
        p50, p80, p90 = (np.percentile(weeks, q, method="higher") if len(weeks) else np.nan for q in (50, 80, 90))
        rows.append({"production_id": pid, "goes_ahead": float(went.mean()), "p50_week": p50, "p80_week": p80,
                     "p90_week": p90, "target_week": int(target[k]),
                     "miss_target": float((weeks > target[k]).mean()) if len(weeks) else 0.0})
    return pd.DataFrame(rows)


def overbooking(data: SlateData, s: Samples) -> pd.DataFrame:
    """Per resource (and stage class) and horizon week: the chance the week is short after hire-in,
    and the expected units short. A demand holds its units from ``start - lead`` to ``start +
    duration + tail`` of its phase in each sample (nothing where its production does not go ahead);
    a size booking weighs on every class of a size it fits (weekly, as ``capacity`` counts classes)."""
    from planning.analysis.capacity import capacity_by_week, class_id, stage_classes

    weeks = data.settings.horizon_weeks
    n = s.start.shape[0]
    pos = {(p, q): i for i, (p, q) in enumerate(zip(s.phases["production_id"], s.phases["phase_id"]))}
    prod_index = {p: k for k, p in enumerate(s.productions)}
    classes = stage_classes(data)
    sizes = sorted(set(classes["min_size"]))
    dem = data.demands
    targets = []
    for r in dem.itertuples(index=False):
        if isinstance(r.resource_id, str):
            targets.append([r.resource_id])
        else:
            m = 0.0 if pd.isna(r.min_size) else float(r.min_size)
            targets.append([class_id(k) for k in sizes if k <= m])
    rows = sorted({t for ts in targets for t in ts} | set(data.resources["resource_id"]))
    row = {rid: i for i, rid in enumerate(rows)}
    load = np.zeros((n, len(rows), weeks + 1), dtype=np.int64)
    samples = np.arange(n)
    for r, ts in zip(dem.itertuples(index=False), targets):
        j, k = pos[(r.production_id, r.phase_id)], prod_index[r.production_id]
        units = np.where(s.goes[:, k], int(r.units), 0)
        first = np.clip(s.start[:, j] - int(r.lead_weeks), 0, weeks)
        last = np.clip(s.start[:, j] + s.duration[:, j] + int(r.tail_weeks), 0, weeks)
        for t in ts:
            np.add.at(load, (samples, row[t], first), units)
            np.add.at(load, (samples, row[t], last), -units)
    demand = load.cumsum(axis=2)[:, :, :weeks]
    cap = capacity_by_week(data).pivot(index="resource_id", columns="week", values="capacity")
    res = data.resources.set_index("resource_id")
    hire = res["hire_max_units"].astype("Int64").fillna(0).where(
        (res["kind"] != "stage") & res["hire_cost_per_week"].notna(), 0)
    capacity = np.zeros((len(rows), weeks), dtype=np.int64)
    for rid, i in row.items():
        if rid in cap.index:
            capacity[i] = cap.loc[rid].to_numpy() + int(hire.get(rid, 0))
        else:                                  # a class: every stage big enough
            members = classes.loc[classes["class_id"] == rid, "resource_id"]
            capacity[i] = cap.reindex(members).fillna(0).to_numpy().sum(axis=0)
    short = np.maximum(0, demand - capacity[None])
    out = pd.DataFrame({"resource_id": np.repeat(rows, weeks), "week": np.tile(np.arange(weeks), len(rows)),
                        "p_short": (short > 0).mean(axis=0).ravel(), "expected_short": short.mean(axis=0).ravel()})
    return out
