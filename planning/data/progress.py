"""Where each phase stands on the report date (``settings.as_of``), in weeks.

The report week is ``now = settings.now_week`` (the week of ``as_of``; week 0 without one). A phase is

- **done** when it has an ``actual_end``: it ran weeks ``week(actual_start) .. week(actual_end)``, so
  ``start = week(actual_start)`` and ``end = week(actual_end) + 1`` (end exclusive, as everywhere);
- **running** when it has an ``actual_start`` only: ``start = week(actual_start)`` and it is expected
  to end ``duration_weeks`` after it (or in the week of its ``expected_end``, when given), or after the
  report week if that is later (it is still running on ``as_of``): ``end = max(start + duration_weeks,
  now + 1)``, or ``max(week(expected_end) + 1, now + 1)``;
- **planned** otherwise: it starts where a plan puts it and runs ``duration_weeks``.

A slate *tracks progress* when it gives an ``as_of`` or any ``actual_start``; one that does not is
planned as a snapshot, as before (phases may be planned before the horizon starts).
"""

from __future__ import annotations

from dataclasses import replace
from graphlib import TopologicalSorter

import numpy as np
import pandas as pd

from planning.data.inputs import SlateData, effective_links, week_index, week_start

STATUSES = ("done", "running", "planned")


def tracks_progress(data: SlateData) -> bool:
    """True when the slate gives a report date or any phase's actual start."""
    return data.settings.as_of is not None or bool(data.phases["actual_start"].notna().any())


def phase_status(data: SlateData) -> pd.DataFrame:
    """One row per phase: production_id, phase_id, status (``done``/``running``/``planned``) and, for a
    phase that has started, its ``actual_start_week`` and ``actual_end_week`` (exclusive; ``<NA>``
    for a planned phase)."""
    ph = data.phases
    h0, now = data.settings.horizon_start, data.settings.now_week
    start = week_index(ph["actual_start"], h0)
    done_end = week_index(ph["actual_end"], h0) + 1
    planned_end = start + ph["duration_weeks"].astype("Int64")
    expected = (week_index(ph["expected_end"], h0) + 1).where(ph["expected_end"].notna(), planned_end)
    running_end = np.maximum(expected, now + 1)
    status = np.where(ph["actual_end"].notna(), "done", np.where(ph["actual_start"].notna(), "running", "planned"))
    end = done_end.where(ph["actual_end"].notna(), running_end.where(ph["actual_start"].notna()))
    return pd.DataFrame({"production_id": ph["production_id"], "phase_id": ph["phase_id"],
                         "status": pd.Series(status, index=ph.index, dtype="string"),
                         "actual_start_week": start.astype("Int64"),
                         "actual_end_week": end.astype("Int64")}).reset_index(drop=True)


def phase_weeks(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """The weeks each phase runs under ``schedule`` (production_id, phase_id, start_week): a phase that
    has started runs its actual weeks whatever the schedule says; a planned one runs
    ``start_week .. start_week + duration_weeks - 1``. Columns production_id, phase_id, status,
    start_week, end_week (int64, end exclusive), one row per phase of the slate in ``phases`` order."""
    status = phase_status(data)
    given = schedule[["production_id", "phase_id", "start_week"]].astype(
        {"production_id": "string", "phase_id": "string"})
    out = status.merge(given, on=["production_id", "phase_id"], how="left")
    out = out.merge(data.phases[["production_id", "phase_id", "duration_weeks"]], on=["production_id", "phase_id"])
    started = out["status"] != "planned"
    if out.loc[~started, "start_week"].isna().any():
        missing = out.loc[~started & out["start_week"].isna(), ["production_id", "phase_id"]]
        raise ValueError("the schedule lacks " + ", ".join(f"{p}/{q}" for p, q in missing.values))
    start = out["actual_start_week"].where(started, pd.to_numeric(out["start_week"]).astype("Int64"))
    end = out["actual_end_week"].where(started, start + out["duration_weeks"].astype("Int64"))
    return pd.DataFrame({"production_id": out["production_id"], "phase_id": out["phase_id"],
                         "status": out["status"], "start_week": start.astype("int64"),
                         "end_week": end.astype("int64")})


def from_as_of(data: SlateData) -> SlateData:
    """The slate as it must be planned from the report week ``now`` (pure; ``data`` itself when it
    does not ``tracks_progress``; applying it twice changes nothing more). Every plan of a slate
    under way (the optimizer, a what-if, a risk sample, the as-planned plan) is a plan of this slate:

    - **A phase that has started** (done or running, ``phase_status``) is locked at its actual
      start: ``planned_start`` is the Monday of its ``actual_start_week``, ``duration_weeks`` is
      ``actual_end_week - actual_start_week`` (done: the weeks it ran; running: its expected
      length ``e``, ``phase_status``), its window is cleared. A done phase's length is known:
      ``duration_low_weeks = duration_high_weeks = duration_weeks``. A running phase has outlived
      ``m = now + 1 - start`` weeks of its range: ``duration_low_weeks = min(max(low, m), e)``,
      ``duration_high_weeks = max(high, e)`` (an empty bound is ``duration_weeks``; an
      ``expected_end`` may take ``e`` outside the planned range), so what risk draws is how much
      longer it runs, around its expected end.
    - **A phase that has not started** starts in the report week or later, and not before its
      production's ``earliest_start``: its ``window_start`` is raised to the latest of the two and
      its own. An unlocked one is planned no earlier than history lets it start: its
      ``planned_start`` (where given) becomes the latest of itself, its ``window_start`` (so the
      report week) and, over its links, the planned end of the phase before it plus
      ``min_lag_weeks`` (in link order, a running phase's expected end included), so a phase
      planned before the report week, or behind a phase that overran, is planned from where it can
      start and its move cost counts from there. (Validation refuses a locked one planned before
      the report week or against the links; ``planned_schedule`` of this slate is the as-planned
      plan from the report week.)
    - **Links.** A link between two started phases is history and binds nothing
      (``planning.data.inputs.effective_links`` leaves it out). A link from a started phase to one
      that has not started keeps its ``min_lag_weeks``; its ``max_lag_weeks`` is raised to
      ``now - actual_end_week`` where history already broke it, just enough to let the phase start
      in the report week. (Validation refuses a phase started before one linked before it.)
    - **Productions.** ``earliest_start`` is lowered to the Monday of its first actual start and
      ``latest_start`` raised to the Monday of its last, where history went outside them; the
      phases still to start keep ``earliest_start`` through their ``window_start``.
    - **Risks** on a done phase (a risk without ``phase_id`` hits its production's first phase)
      are dropped: they can no longer happen.
    - **Demands** stay: a started phase holds its resources in its actual weeks. Weeks before the
      report week are history: no plan can change what was used then, so nothing counts against
      capacity there: no hire-in, shortfall or conflict (``planning.analysis.capacity``), the
      optimizer plans on ``from_report_week`` (history is outside its grid) and risk counts load
      from the report week. A done phase's strike weeks after the report week still hold.

    Only the started phases' ``duration_weeks`` change; the original lengths stay in ``data``: cash
    flow takes weekly rates from them and a phase's weeks from ``phase_weeks(data, schedule)``,
    which are this slate's own weeks under any schedule of it.
    """
    if not tracks_progress(data):
        return data
    h0, now = data.settings.horizon_start, data.settings.now_week
    monday = week_start(now, h0)
    ph = data.phases.reset_index(drop=True).copy()
    status = phase_status(data)
    started = (status["status"] != "planned").to_numpy()
    done = (status["status"] == "done").to_numpy()
    running = started & ~done
    first = status["actual_start_week"]
    length = status["actual_end_week"] - first
    ran = now + 1 - first
    d = ph["duration_weeks"].copy()
    ph.loc[started, "duration_weeks"] = length[started]
    ph.loc[done, "duration_low_weeks"] = ph.loc[done, "duration_high_weeks"] = length[done]
    ph.loc[running, "duration_low_weeks"] = np.minimum(np.maximum(ph["duration_low_weeks"].fillna(d), ran),
                                                       length)[running]
    ph.loc[running, "duration_high_weeks"] = np.maximum(ph["duration_high_weeks"].fillna(d), length)[running]
    ph.loc[started, "planned_start"] = week_start(first[started], h0).to_numpy()
    ph.loc[started, "locked"] = True
    ph.loc[started, ["window_start", "window_end"]] = pd.NaT
    earliest = ph["production_id"].map(data.productions.set_index("production_id")["earliest_start"])
    floor = pd.concat([ph["window_start"], earliest, pd.Series(monday, index=ph.index)], axis=1).max(axis=1)
    ph.loc[~started, "window_start"] = floor[~started]
    ph = ph.astype(data.phases.dtypes.to_dict())

    key = list(zip(status["production_id"], status["phase_id"]))
    end = dict(zip(key, status["actual_end_week"]))
    state = dict(zip(key, status["status"]))
    links = data.phase_links.copy()
    before_end = pd.Series([end[k] for k in zip(links["production_id"], links["before_phase"])],
                           index=links.index, dtype="Int64")
    to_come = pd.Series([state[k] == "planned" for k in zip(links["production_id"], links["after_phase"])],
                        index=links.index, dtype=bool)
    needed = now - before_end
    broken = (to_come & (links["max_lag_weeks"] < needed)).fillna(False)
    links["max_lag_weeks"] = links["max_lag_weeks"].mask(broken, needed).astype("Int64")

    prods = data.productions.copy()
    went = ph.loc[started].groupby("production_id")["planned_start"]
    first_went, last_went = (prods["production_id"].map(went.agg(f).to_dict()).astype(prods["earliest_start"].dtype)
                             for f in ("min", "max"))       # by dict: pandas 3 cannot map by an empty date Series
    prods["earliest_start"] = prods["earliest_start"].mask((first_went < prods["earliest_start"]).fillna(False),
                                                           first_went)
    prods["latest_start"] = prods["latest_start"].mask((last_went > prods["latest_start"]).fillna(False), last_went)
    prods = prods.astype(data.productions.dtypes.to_dict())

    ph = _planned_from_history(replace(data, phases=ph, phase_links=links, productions=prods), started)
    risks = data.risks
    if len(risks):
        first_phase = ph.sort_values("seq").groupby("production_id")["phase_id"].first()
        hit = risks["phase_id"].fillna(risks["production_id"].map(first_phase))
        gone = [state.get(k) == "done" for k in zip(risks["production_id"], hit)]
        risks = risks[~np.array(gone, dtype=bool)].reset_index(drop=True)
    return replace(data, phases=ph, phase_links=links, productions=prods, risks=risks)


def _planned_from_history(data: SlateData, started: np.ndarray) -> pd.DataFrame:
    """``data.phases`` with each dated phase that has not started and is not locked (nor its
    production) planned from where its ``window_start`` and the (planned) ends of the phases linked
    before it let it start, in link order (``from_as_of``); an undated phase counts from where
    ``planned_schedule`` puts it."""
    ph = data.phases
    h0 = data.settings.horizon_start
    keys = list(zip(ph["production_id"], ph["phase_id"]))
    week = dict(zip(keys, week_index(ph["planned_start"], h0)))
    floor = dict(zip(keys, week_index(ph["window_start"], h0, ceil=True)))
    dur = dict(zip(keys, ph["duration_weeks"].astype(int)))
    held = ph["locked"].fillna(False) | ph["production_id"].map(data.productions.set_index("production_id")["locked"])
    free = dict(zip(keys, ~started & ~held.fillna(False).to_numpy(bool)))
    preds: dict[tuple, list] = {}
    for r in effective_links(data).itertuples(index=False):
        preds.setdefault((r.production_id, r.after_phase), []).append(((r.production_id, r.before_phase),
                                                                       int(r.min_lag_weeks)))
    start = {}
    for key in TopologicalSorter({k: [b for b, _ in preds.get(k, [])] for k in keys}).static_order():
        planned = None if pd.isna(week[key]) else int(week[key])
        if planned is not None and not free[key]:          # started or locked: where it is
            start[key] = planned
            continue
        low = max(([] if pd.isna(floor[key]) else [int(floor[key])])
                  + [start[b] + dur[b] + lag for b, lag in preds.get(key, [])], default=0)
        start[key] = low if planned is None else max(planned, low)
    raised = [free[k] and not pd.isna(week[k]) and start[k] > week[k] for k in keys]
    out = ph.copy()
    out.loc[raised, "planned_start"] = week_start(pd.Series([start[k] for k in keys])[raised], h0).to_numpy()
    return out


def from_report_week(data: SlateData) -> SlateData:
    """The slate seen from its report week: ``horizon_start`` moved to the report week's Monday
    (``horizon_weeks`` shortened by as much), so week 0 is ``now`` and everything before has
    negative weeks, outside the grid every capacity count keeps to. The optimizer plans on it so
    that history counts nothing (``from_as_of``); its weeks plus ``now`` are the slate's weeks.
    ``data`` itself when the report week is week 0."""
    s = data.settings
    if s.now_week == 0:
        return data
    return replace(data, settings=replace(s, horizon_start=week_start(s.now_week, s.horizon_start),
                                          horizon_weeks=s.horizon_weeks - s.now_week))
