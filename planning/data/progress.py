"""Where each phase stands on the report date (``settings.as_of``), in weeks.

The report week is ``now = settings.now_week`` (the week of ``as_of``; week 0 without one). A phase is

- **done** when it has an ``actual_end``: it ran weeks ``week(actual_start) .. week(actual_end)``, so
  ``start = week(actual_start)`` and ``end = week(actual_end) + 1`` (end exclusive, as everywhere);
- **running** when it has an ``actual_start`` only: ``start = week(actual_start)`` and it is expected
  to end ``duration_weeks`` after it, or after the report week if that is later (it is still running
  on ``as_of``): ``end = max(start + duration_weeks, now + 1)``;
- **planned** otherwise: it starts where a plan puts it and runs ``duration_weeks``.

A slate *tracks progress* when it gives an ``as_of`` or any ``actual_start``; one that does not is
planned as a snapshot, as before (phases may be planned before the horizon starts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.data.inputs import SlateData, week_index

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
    running_end = np.maximum(start + ph["duration_weeks"].astype("Int64"), now + 1)
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
