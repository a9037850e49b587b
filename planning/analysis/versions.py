"""What changed between two versions of the slate (an earlier one the store keeps, and the one loaded
now), each read through its plan as planned (its planned dates). Pure: frames in, frames out.

Per production (``production_figures``), from a plan's schedule and the weeks each phase runs under
it (``planning.data.progress.phase_weeks``: a phase that has started at its actual weeks):

- ``start``: the Monday of the week its first phase starts (the earliest start of its phases);
- ``delivery``: the Monday after the last week of its last phase (the largest end week), as the
  deliveries everywhere else;
- ``efc``: its estimate at final cost on the report date under that plan (``production_efc``:
  ``planning.finance.costreport``, actual + committed + estimate to complete; the budget for a slate
  not under way), to the cent.

``production_changes(before, after)``: the productions whose dates or EFC differ, with both values and
``start_weeks`` / ``delivery_weeks`` = ``(after - before).days / 7`` (positive: later) and ``efc_change``
= after - before; ``change`` says ``moved`` (start or delivery moved), ``cost`` (only the EFC
changed), ``added`` (only in the later version) or ``removed`` (only in the earlier one).

``conflict_changes(before, after)``: the conflicts (``planning.analysis.conflicts``) of both versions,
each matched on its resource and dates (first and last week's Mondays): ``outcome`` ``resolved``
(only before), ``new`` (only after) or ``still`` (the same run in both). A run that grows or shrinks
is its earlier run resolved and its new one new.

``headline_changes(before, after)``: the slate's EFC (the sum of its productions'), peak funding need
and number of conflicts before and after, and the change.
"""

from __future__ import annotations

import pandas as pd

from planning.data.inputs import SlateData, week_start
from planning.data.progress import phase_weeks
from planning.finance.costreport import by_production, cost_report

PRODUCTION_COLUMNS = ["production_id", "title", "start", "delivery", "efc"]
CHANGE_COLUMNS = ["production_id", "title", "change", "start_before", "start_after", "start_weeks",
                  "delivery_before", "delivery_after", "delivery_weeks", "efc_before", "efc_after", "efc_change"]
CONFLICT_COLUMNS = ["resource_id", "name", "start", "end", "outcome", "unit_weeks_before", "unit_weeks_after",
                    "productions"]
HEADLINES = {"efc": "Estimate at final cost (EFC)", "peak_funding_need": "Peak funding need",
             "conflicts": "Conflicts"}


def production_efc(data: SlateData, schedule: pd.DataFrame) -> pd.Series:
    """Each production's estimate at final cost under ``schedule`` (by ``production_id``, every
    production): the cost report's roll-up (``costreport.by_production``)."""
    summary = by_production(cost_report(data, schedule), data)
    return pd.Series(summary["efc"].to_numpy("float64"), index=summary["production_id"].astype(str), name="efc")


def production_figures(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """``PRODUCTION_COLUMNS`` of every production under ``schedule`` (production_id, phase_id,
    start_week of every phase): module docstring."""
    weeks = phase_weeks(data, schedule).groupby("production_id").agg(start=("start_week", "min"),
                                                                      end=("end_week", "max"))
    out = data.productions[["production_id", "title"]].astype({"production_id": str, "title": str})
    h0 = data.settings.horizon_start
    out["start"] = week_start(out["production_id"].map(weeks["start"]), h0).to_numpy()
    out["delivery"] = week_start(out["production_id"].map(weeks["end"]), h0).to_numpy()
    out["efc"] = out["production_id"].map(production_efc(data, schedule)).astype("float64").to_numpy()
    return out[PRODUCTION_COLUMNS].reset_index(drop=True)


def _weeks(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return ((later - earlier).dt.days // 7).astype("Int64")


def production_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """``CHANGE_COLUMNS``: the productions of ``before`` and ``after`` (``production_figures``) whose
    start, delivery or EFC differ, or that only one has (module docstring), in production order."""
    both = before.merge(after, on="production_id", how="outer", suffixes=("_before", "_after"), indicator=True)
    out = pd.DataFrame({"production_id": both["production_id"],
                        "title": both["title_after"].fillna(both["title_before"])})
    for col in ("start", "delivery", "efc"):
        out[f"{col}_before"], out[f"{col}_after"] = both[f"{col}_before"], both[f"{col}_after"]
    out["start_weeks"] = _weeks(out["start_after"], out["start_before"])
    out["delivery_weeks"] = _weeks(out["delivery_after"], out["delivery_before"])
    out["efc_change"] = (out["efc_after"] - out["efc_before"]).round(2)
    moved = out["start_weeks"].fillna(0).ne(0) | out["delivery_weeks"].fillna(0).ne(0)
    out["change"] = "moved"
    out.loc[~moved, "change"] = "cost"
    out.loc[both["_merge"] == "right_only", "change"] = "added"
    out.loc[both["_merge"] == "left_only", "change"] = "removed"
    keep = moved | out["efc_change"].fillna(0).ne(0) | both["_merge"].ne("both")
    return out.loc[keep, CHANGE_COLUMNS].sort_values("production_id").reset_index(drop=True)


def conflict_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """``CONFLICT_COLUMNS``: every conflict run of ``before`` and ``after`` (``plan.conflicts``) with
    its ``outcome`` (module docstring), by resource and start."""
    key = ["resource_id", "start", "end"]
    cols = [*key, "name", "unit_weeks", "productions"]
    both = before[cols].merge(after[cols], on=key, how="outer", suffixes=("_before", "_after"), indicator=True)
    outcome = both["_merge"].map({"left_only": "resolved", "right_only": "new", "both": "still"})
    out = pd.DataFrame({"resource_id": both["resource_id"], "name": both["name_after"].fillna(both["name_before"]),
                        "start": both["start"], "end": both["end"], "outcome": outcome.astype(str),
                        "unit_weeks_before": both["unit_weeks_before"].fillna(0).astype("int64"),
                        "unit_weeks_after": both["unit_weeks_after"].fillna(0).astype("int64"),
                        "productions": both["productions_after"].fillna(both["productions_before"])})
    return out[CONFLICT_COLUMNS].sort_values(["resource_id", "start"]).reset_index(drop=True)


def headline_changes(before: dict, after: dict) -> pd.DataFrame:
    """``measure, before, after, change``: one row per ``HEADLINES`` key of the two versions' figures
    (``efc``: the slate's, ``peak_funding_need``, ``conflicts``: a count), in that order."""
    rows = [{"measure": label, "before": before[key], "after": after[key], "change": after[key] - before[key]}
            for key, label in HEADLINES.items()]
    out = pd.DataFrame(rows)
    out[["before", "after", "change"]] = out[["before", "after", "change"]].astype("float64").round(2)
    return out
