"""The stage board: which production holds each stage in each week, and whether for set build
(lead weeks), shooting (the phase itself) or strike (tail weeks), read from a plan's allocation.
A booking no stage could take is shown on the row ``unplaced``: those are the stage conflicts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.analysis.capacity import is_class
from planning.data.inputs import SlateData

UNPLACED = "unplaced"
COLUMNS = ["resource_id", "week", "production_id", "phase_id", "part"]


def stage_board(data: SlateData, schedule: pd.DataFrame, alloc: pd.DataFrame) -> pd.DataFrame:
    """``resource_id, week, production_id, phase_id, part`` (``build``, ``shoot`` or ``strike``)
    for every stage-week held in ``alloc``; ``schedule`` gives each phase's start and end week."""
    stage_ids = set(data.resources.loc[data.resources["kind"] == "stage", "resource_id"])
    held = alloc[alloc["resource_id"].isin(stage_ids) | is_class(alloc["resource_id"])]
    if held.empty:
        return pd.DataFrame(columns=COLUMNS)
    rows = held.merge(schedule[["production_id", "phase_id", "start_week", "end_week"]],
                      on=["production_id", "phase_id"])
    rows = rows.loc[rows.index.repeat(rows["units"].astype("int64"))]
    rows["resource_id"] = rows["resource_id"].where(rows["resource_id"].isin(stage_ids), UNPLACED)
    rows["part"] = np.where(rows["week"] < rows["start_week"], "build",
                            np.where(rows["week"] >= rows["end_week"], "strike", "shoot"))
    return rows[COLUMNS].sort_values(["resource_id", "week", "production_id"]).reset_index(drop=True)
