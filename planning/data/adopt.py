"""Adopting a plan: its start weeks become the slate's planned dates (``Store.adopt`` stores them).

``adopted_phases(data, schedule)`` is the ``phases`` table with the plan written in:

- a phase that has **not started** gets ``planned_start`` = the Monday of the week the plan starts it
  (``week_start(start_week)``), dated or not before;
- a phase that **has started** (an ``actual_start``) keeps its actual dates, and its ``planned_start``
  becomes the Monday of its actual start week, whatever the plan says: no plan can move what has
  happened, and the plan of record then agrees with it, so nothing that has started counts as moved
  from the adopted plan (the planned date it had stays in the slate version the adoption replaces);
- every other column, and the phases' order, stay as they are.

So the adopted slate's as-planned start of every phase (``planning.data.inputs.planned_schedule``) is
the plan's, a started phase's being its actual start week.

Refused (``PlanNotAdopted``, naming the phases; nothing is changed): a schedule without exactly one
whole-number ``start_week`` for every phase of the slate, a phase the slate does not have, and, on a
slate with a report date (``settings.as_of``), a phase that has not started planned before the report
week (a plan made before the report date: plan again from it).

``adopted_note(note)``: the decision's note as stored: required (not empty or only spaces), at most
``MAX_NOTE`` characters, trimmed, without control or invisible formatting characters other than line
breaks and tabs (no right-to-left overrides hiding what it says in the log).
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from planning.data.inputs import SlateData, week_index, week_start

MAX_NOTE = 2000
KEY = ["production_id", "phase_id"]


class PlanNotAdopted(ValueError):
    """A plan that cannot be adopted (the message says why); nothing was changed."""


def _names(frame: pd.DataFrame, limit: int = 8) -> str:
    keys = [f"{p}/{q}" for p, q in frame[KEY].itertuples(index=False)]
    more = f" and {len(keys) - limit} more" if len(keys) > limit else ""
    return ", ".join(keys[:limit]) + more


def adopted_phases(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """The slate's ``phases`` (contract columns, without ``seq``) with ``schedule``'s starts as their
    planned dates (module docstring). ``schedule``: production_id, phase_id, start_week."""
    missing = [c for c in (*KEY, "start_week") if c not in schedule.columns]
    if missing:
        raise PlanNotAdopted(f"the plan has no {', '.join(missing)} column")
    given = schedule[[*KEY, "start_week"]].astype({"production_id": "string", "phase_id": "string"})
    week = pd.to_numeric(given["start_week"], errors="coerce")
    given = given.assign(start_week=week)
    problems = []
    if (bad := given[week.isna() | (week != week.round())]).size:
        problems.append(f"no whole start week for {_names(bad)}")
    if (twice := given[given.duplicated(KEY, keep="first")]).size:
        problems.append(f"more than one start for {_names(twice)}")
    phases = data.phases.drop(columns="seq")
    both = phases[KEY].merge(given.drop_duplicates(KEY), on=KEY, how="outer", indicator=True)
    if (lacking := both[both["_merge"] == "left_only"]).size:
        problems.append(f"it does not cover every phase: {_names(lacking)} {'has' if len(lacking) == 1 else 'have'} "
                        "no start")
    if (unknown := both[both["_merge"] == "right_only"]).size:
        problems.append(f"{_names(unknown)} {'is not a phase' if len(unknown) == 1 else 'are not phases'} of the slate")
    if problems:
        raise PlanNotAdopted("the plan cannot be adopted: " + "; ".join(problems) + "; nothing was changed")
    h0 = data.settings.horizon_start
    weeks = phases[KEY].merge(given, on=KEY, how="left")["start_week"].astype("int64").to_numpy()
    started = phases["actual_start"].notna().to_numpy()
    actual = week_index(phases["actual_start"], h0).to_numpy(dtype="float64", na_value=0)
    now = data.settings.now_week
    early = phases[(~started) & (weeks < now)] if data.settings.as_of is not None else phases.iloc[0:0]
    if len(early):
        raise PlanNotAdopted(f"the plan starts {_names(early)} before the report date "
                             f"({data.settings.report_date:%d %b %Y}), and {'it has' if len(early) == 1 else 'they have'} "
                             "not started: it was made before the report date; plan again and adopt the new plan; "
                             "nothing was changed")
    weeks = np.where(started, actual.astype("int64"), weeks)
    out = phases.copy()
    out["planned_start"] = week_start(pd.Series(weeks), h0).astype(phases["planned_start"].dtype).to_numpy()
    return out


def adopted_note(note: object) -> str:
    """The note as stored (module docstring); ``PlanNotAdopted`` saying what is wrong with it."""
    text = str(note or "").strip()
    if not text:
        raise PlanNotAdopted("adopting a plan needs a note saying why (it goes in the decision log); nothing was "
                             "changed")
    if len(text) > MAX_NOTE:
        raise PlanNotAdopted(f"the note has {len(text):,} characters; at most {MAX_NOTE:,}; nothing was changed")
    bad = sorted({f"U+{ord(c):04X}" for c in text if c not in "\n\t"
                  and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")})
    if bad:
        raise PlanNotAdopted(f"the note holds control or invisible characters ({', '.join(bad)}); nothing was changed")
    return text
