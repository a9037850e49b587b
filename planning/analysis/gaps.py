"""Idle weeks inside a production: weeks between its first start and its last end in which none
of its phases runs (a crew that preps, then waits for its stage).

``idle_runs(schedule)`` lists each run of such weeks with the phases either side of it.
``opened_gaps(plan_schedule, planned_schedule)`` keeps the productions whose plan has more idle
weeks than their planned dates: the gaps a plan opens, as opposed to the ones the studio planned
(a week for a set strike between two shoot blocks, say).

Both take schedules with ``production_id, phase_id, start_week, end_week`` (exclusive end), as
``planning.plan.schedule_of`` and ``planning.data.inputs.planned_schedule`` give them.
"""

from __future__ import annotations

import pandas as pd

RUN_COLUMNS = ["production_id", "after_phase", "before_phase", "from_week", "until_week", "weeks"]


def idle_runs(schedule: pd.DataFrame) -> pd.DataFrame:
    """Each run of weeks ``[from_week, until_week)`` inside a production's span (first start to
    last end) covered by none of its phases; ``after_phase`` is the phase that ended last before
    the run, ``before_phase`` the first to start after it."""
    rows = []
    for pid, ph in schedule.groupby("production_id", sort=True):
        ph = ph.sort_values(["start_week", "end_week"])
        covered_to, last = None, None
        for r in ph.itertuples(index=False):
            start, end = int(r.start_week), int(r.end_week)
            if covered_to is not None and start > covered_to:
                rows.append((pid, last, r.phase_id, covered_to, start, start - covered_to))
            if covered_to is None or end >= covered_to:
                covered_to, last = end, r.phase_id
    return pd.DataFrame(rows, columns=RUN_COLUMNS).astype(
        {"from_week": "int64", "until_week": "int64", "weeks": "int64"})


def opened_gaps(plan: pd.DataFrame, planned: pd.DataFrame) -> pd.DataFrame:
    """The idle runs of every production whose plan leaves more idle weeks than its planned dates,
    with ``idle_weeks`` (the plan's total) and ``planned_idle_weeks`` on each row."""
    ours, theirs = idle_runs(plan), idle_runs(planned)
    total = ours.groupby("production_id")["weeks"].sum()
    before = theirs.groupby("production_id")["weeks"].sum().reindex(total.index, fill_value=0)
    worse = total[total > before].index
    out = ours[ours["production_id"].isin(worse)].copy()
    out["idle_weeks"] = out["production_id"].map(total).astype("int64")
    out["planned_idle_weeks"] = out["production_id"].map(before).astype("int64")
    return out.reset_index(drop=True)
