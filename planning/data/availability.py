"""Availability windows as dated spans, moved and cut: the arithmetic behind a what-if that makes a
person or a place available later, earlier or not at all for a while (``planning.scenarios``), and
behind a risk that takes a resource away (``planning.risk.replan``).

A window is ``(available_from, available_to, units)``: days inclusive, ``units`` None for the
resource's capacity. It gives the resource its units only in the whole weeks (Monday to Sunday) it
covers (``planning.analysis.capacity.available_weeks``), so a window that holds no whole week gives
nothing and is dropped.

A resource without ``availability`` rows is available all the time: as windows it is one window
over the whole horizon (its capacity), or, when it has ``resource_calendar`` rows, one window per
run of horizon weeks of equal capacity (the calendar rows are then dropped: a resource has rows in
one table only). A resource left with no window at all gets one window of 0 units (the first week
of the horizon), so that it is unavailable everywhere rather than back to its capacity.
"""

from __future__ import annotations

import pandas as pd

WEEK = pd.Timedelta(days=7)
DAY = pd.Timedelta(days=1)

Window = tuple[pd.Timestamp, pd.Timestamp, "int | None"]


def whole_weeks(start: pd.Timestamp, end: pd.Timestamp, horizon_start: pd.Timestamp) -> tuple[int, int]:
    """``(first, last)``: the weeks (counted from the Monday ``horizon_start``) that the days ``start ..
    end`` (inclusive) cover whole, Monday to Sunday: ``first = ceil(days(start) / 7)`` (the Monday on or
    after ``start``), ``last = floor((days(end) + 1) / 7) - 1`` (the last week whose Sunday is on or
    before ``end``); it holds none when ``first > last``. The one rounding of a window to weeks."""
    return -((horizon_start - start).days // 7), ((end - horizon_start).days + 1) // 7 - 1


def holds_a_week(start: pd.Timestamp, end: pd.Timestamp) -> bool:
    """Whether the days ``start .. end`` (inclusive) hold a whole week, Monday to Sunday."""
    first, last = whole_weeks(start, end, start - pd.Timedelta(days=start.weekday()))
    return first <= last


def windows_of(tables: dict[str, pd.DataFrame], resource_id: str, horizon_start: pd.Timestamp,
               horizon_weeks: int) -> list[Window]:
    """The windows of ``resource_id`` in ``tables`` (see the module docstring for a resource without
    ``availability`` rows), sorted by ``available_from``."""
    av = tables["availability"]
    mine = av[av["resource_id"] == resource_id].sort_values("available_from")
    if len(mine):
        return [(pd.Timestamp(a), pd.Timestamp(b), None if pd.isna(u) else int(u))
                for a, b, u in zip(mine["available_from"], mine["available_to"], mine["units"])]
    res = tables["resources"].set_index("resource_id")
    base = int(res.at[resource_id, "capacity"])
    cal = tables["resource_calendar"]
    cal = cal[cal["resource_id"] == resource_id]
    by_week = {int((pd.Timestamp(d) - horizon_start).days // 7): int(c) for d, c in zip(cal["week_start"], cal["capacity"])}
    out: list[Window] = []
    for w in range(horizon_weeks):
        units = by_week.get(w, base)
        start = horizon_start + w * WEEK
        if out and out[-1][2] == units and out[-1][1] == start - DAY:
            out[-1] = (out[-1][0], start + WEEK - DAY, units)
        else:
            out.append((start, start + WEEK - DAY, units))
    return [(a, b, None if u == base and not len(cal) else u) for a, b, u in out]


def shifted(windows: list[Window], weeks: int) -> list[Window]:
    """Every window moved ``weeks`` later (earlier when negative)."""
    return [(a + weeks * WEEK, b + weeks * WEEK, u) for a, b, u in windows]


def cut(windows: list[Window], off_from: pd.Timestamp, off_to: pd.Timestamp) -> list[Window]:
    """The windows with the days ``off_from .. off_to`` (inclusive) taken out: a window across the gap
    splits in two; the pieces that hold no whole week are dropped."""
    out: list[Window] = []
    for a, b, u in windows:
        if b < off_from or a > off_to:
            out.append((a, b, u))
            continue
        if a < off_from:
            out.append((a, off_from - DAY, u))
        if b > off_to:
            out.append((off_to + DAY, b, u))
    return [(a, b, u) for a, b, u in out if holds_a_week(a, b)]


def replace_windows(tables: dict[str, pd.DataFrame], resource_id: str, windows: list[Window],
                    horizon_start: pd.Timestamp) -> None:
    """Make ``windows`` the ``availability`` rows of ``resource_id`` in ``tables``, in place, and drop
    its ``resource_calendar`` rows. Windows that hold no whole week are dropped; with none left the
    resource gets one window of 0 units (the first horizon week)."""
    windows = [w for w in windows if holds_a_week(w[0], w[1])] or \
        [(horizon_start, horizon_start + WEEK - DAY, 0)]
    av = tables["availability"]
    rows = pd.DataFrame({"resource_id": resource_id, "available_from": [a for a, _, _ in windows],
                         "available_to": [b for _, b, _ in windows],
                         "units": pd.array([u for _, _, u in windows], dtype="Int64")})
    kept = av[av["resource_id"] != resource_id]
    tables["availability"] = pd.concat([kept, rows.astype(av.dtypes.to_dict())], ignore_index=True) \
        if len(kept) else rows.astype(av.dtypes.to_dict())
    cal = tables["resource_calendar"]
    tables["resource_calendar"] = cal[cal["resource_id"] != resource_id].reset_index(drop=True)
