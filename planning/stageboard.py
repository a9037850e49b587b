"""The stage board: which production holds each stage in each week, and whether for set build
(lead weeks), shooting (the phase itself) or strike (tail weeks).

For any schedule (the planned dates or an optimized plan), size-based bookings are placed on
concrete stages by ``planning.results.assign_stages`` (exact; a booking no stage can take for its
whole length is reported on the row ``unplaced``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.conflicts import CLASS_PREFIX, capacity_by_week
from planning.inputs import SlateData
from planning.results import assign_stages, stage_bookings

UNPLACED = "unplaced"


def stage_board(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """``resource_id, week, production_id, phase_id, part`` (``build``, ``shoot`` or ``strike``)."""
    sched = schedule[["production_id", "phase_id", "start_week"]].merge(
        data.phases[["production_id", "phase_id", "duration_weeks"]], on=["production_id", "phase_id"])
    sched["end_week"] = sched["start_week"] + sched["duration_weeks"].astype("int64")
    bookings = stage_bookings(data, sched)
    cols = ["resource_id", "week", "production_id", "phase_id", "part"]
    if bookings.empty:
        return pd.DataFrame(columns=cols)
    cap = capacity_by_week(data)
    stages = set(data.resources.loc[data.resources["kind"] == "stage", "resource_id"])
    assigned = assign_stages(data, bookings, cap[cap["resource_id"].isin(stages)], data.settings.horizon_weeks)
    held = assigned.merge(bookings, on="booking").merge(sched[["production_id", "phase_id", "start_week", "end_week"]]
                                                         .rename(columns={"end_week": "phase_end"}),
                                                         on=["production_id", "phase_id"])
    length = (held["end_week"] - held["first_week"]).to_numpy(np.int64)
    idx = np.repeat(np.arange(len(held)), length)
    offset = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    rows = held.iloc[idx].reset_index(drop=True)
    rows["week"] = rows["first_week"].to_numpy() + offset
    rows["part"] = np.where(rows["week"] < rows["start_week"], "build",
                            np.where(rows["week"] >= rows["phase_end"], "strike", "shoot"))
    rows["resource_id"] = rows["resource_id"].where(~rows["resource_id"].str.startswith(CLASS_PREFIX), UNPLACED)
    inside = (rows["week"] >= 0) & (rows["week"] < data.settings.horizon_weeks)
    return rows.loc[inside, cols].sort_values(["resource_id", "week"]).reset_index(drop=True)
