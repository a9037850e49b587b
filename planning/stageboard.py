"""The stage board: which production holds each stage in each week, and whether for set build
(lead weeks), shooting (the phase itself) or strike (tail weeks).

An optimized plan names its stages (its ``allocation`` frame). For the planned dates, bookings are
placed here: named bookings on their stage; then size bookings, in order of first week (the larger
size first on a tie), each on the smallest stage of at least its size that is open and free for
the whole booking, build and strike included (best fit, one stage per booking). A booking no stage
can take is put on the row ``unplaced``: on the planned dates that is where the stage conflicts are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.conflicts import capacity_by_week
from planning.inputs import SlateData

UNPLACED = "unplaced"
COLUMNS = ["resource_id", "week", "production_id", "phase_id", "part"]


def stage_bookings(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """One row per stage demand unit: production_id, phase_id, stage (a named stage or ``None``),
    min_size, first_week, start_week, end_week (phase), last_week (exclusive, strike included)."""
    sched = schedule[["production_id", "phase_id", "start_week"]].merge(
        data.phases[["production_id", "phase_id", "duration_weeks"]], on=["production_id", "phase_id"])
    stage_ids = set(data.resources.loc[data.resources["kind"] == "stage", "resource_id"])
    dem = data.demands
    dem = dem[(dem["resource_kind"] == "stage").fillna(False) | dem["resource_id"].isin(stage_ids).fillna(False)]
    b = dem.merge(sched, on=["production_id", "phase_id"])
    b = b.loc[b.index.repeat(b["units"].astype("int64"))].reset_index(drop=True)
    end = b["start_week"] + b["duration_weeks"].astype("int64")
    return pd.DataFrame({
        "production_id": b["production_id"].astype(str), "phase_id": b["phase_id"].astype(str),
        "stage": b["resource_id"].astype(object).where(b["resource_id"].notna(), None),
        "min_size": b["min_size"].fillna(0).astype(float),
        "first_week": (b["start_week"] - b["lead_weeks"]).astype("int64"),
        "start_week": b["start_week"].astype("int64"), "end_week": end.astype("int64"),
        "last_week": (end + b["tail_weeks"]).astype("int64"),
    })


def place_bookings(data: SlateData, bookings: pd.DataFrame) -> list[str]:
    """The stage each booking gets (best fit, see the module docstring), or ``UNPLACED``."""
    weeks = data.settings.horizon_weeks
    stages = data.resources[data.resources["kind"] == "stage"].sort_values(["size", "resource_id"])
    cap = capacity_by_week(data)
    free = {rid: cap[cap["resource_id"] == rid]["capacity"].to_numpy().astype("int64").copy()
            for rid in stages["resource_id"]}
    size = dict(zip(stages["resource_id"], stages["size"].fillna(0)))

    def window(b):
        return slice(max(0, int(b.first_week)), min(weeks, int(b.last_week)))

    placed: dict[int, str] = {}
    for i, b in bookings[bookings["stage"].notna()].iterrows():
        placed[i] = b["stage"]
        free[b["stage"]][window(b)] -= 1
    sized = bookings[bookings["stage"].isna()].sort_values(["first_week", "min_size"], ascending=[True, False])
    for i, b in sized.iterrows():
        span = window(b)
        fits = [rid for rid in free if size[rid] >= b["min_size"] and (free[rid][span] > 0).all()]
        if fits:
            free[fits[0]][span] -= 1
            placed[i] = fits[0]
        else:
            placed[i] = UNPLACED
    return [placed[i] for i in bookings.index]


def stage_board(data: SlateData, schedule: pd.DataFrame, allocation: pd.DataFrame | None = None) -> pd.DataFrame:
    """``resource_id, week, production_id, phase_id, part`` (``build``, ``shoot`` or ``strike``).

    With an optimized plan's ``allocation``, its stages are used as they are; otherwise bookings
    are placed by ``place_bookings``.
    """
    bookings = stage_bookings(data, schedule)
    if bookings.empty:
        return pd.DataFrame(columns=COLUMNS)
    if allocation is None:
        bookings["resource_id"] = place_bookings(data, bookings)
        length = (bookings["last_week"] - bookings["first_week"]).to_numpy(np.int64)
        idx = np.repeat(np.arange(len(bookings)), length)
        offset = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
        rows = bookings.iloc[idx].reset_index(drop=True)
        rows["week"] = rows["first_week"].to_numpy() + offset
    else:
        stage_ids = set(data.resources.loc[data.resources["kind"] == "stage", "resource_id"])
        held = allocation[allocation["resource_id"].isin(stage_ids) | allocation["resource_id"].str.startswith("stages>=")]
        phases = bookings.drop_duplicates(["production_id", "phase_id"])[["production_id", "phase_id", "start_week",
                                                                         "end_week"]]
        rows = held.merge(phases, on=["production_id", "phase_id"])
        rows["resource_id"] = rows["resource_id"].where(rows["resource_id"].isin(stage_ids), UNPLACED)
    rows["part"] = np.where(rows["week"] < rows["start_week"], "build",
                            np.where(rows["week"] >= rows["end_week"], "strike", "shoot"))
    inside = (rows["week"] >= 0) & (rows["week"] < data.settings.horizon_weeks)
    return rows.loc[inside, COLUMNS].sort_values(["resource_id", "week"]).reset_index(drop=True)
