"""People and places: the talent and locations of a slate, when they are available and who books
them when in a plan.

**Availability.** A talent or location with ``availability`` rows is available in the windows of
those rows (``available_from`` .. ``available_to``, the units of the row; whole weeks only count,
``planning.analysis.capacity.available_weeks``); one without rows is available all the horizon
(``always``), with its capacity.

**Bookings.** A booking is a run of consecutive weeks in which one phase of one production holds
the resource (lead and tail weeks included), from an ``allocation``. It is ``inside`` its
availability when the resource's capacity (``capacity_by_week``) covers the booking's own units in
every one of its weeks. Its ``clash_weeks`` are its weeks in which the resource is short
(``is_short``: more booked than available, by two productions at once or outside the windows):
exactly the weeks of the plan's conflicts on it.
"""

from __future__ import annotations

import pandas as pd

from planning.analysis.capacity import capacity_by_week, is_short
from planning.data.inputs import SlateData, week_start

KINDS = ("talent", "location")
WINDOW_COLUMNS = ["resource_id", "name", "kind", "start", "end", "units", "always"]
BOOKING_COLUMNS = ["resource_id", "name", "kind", "production_id", "phase_id", "first_week", "last_week", "weeks",
                   "start", "end", "units", "inside", "outside_weeks", "clash_weeks", "clashes", "with", "with_weeks",
                   "state"]


def people_and_places(data: SlateData) -> pd.DataFrame:
    """The talent and location rows of ``data.resources``, talent first, then by id."""
    res = data.resources[data.resources["kind"].isin(KINDS)]
    order = res["kind"].map({k: i for i, k in enumerate(KINDS)})
    return res.assign(order=order).sort_values(["order", "resource_id"]).drop(columns="order").reset_index(drop=True)


def availability_windows(data: SlateData) -> pd.DataFrame:
    """One row per availability window of each talent and location (columns ``WINDOW_COLUMNS``):
    ``start`` and ``end`` the first and last day (inclusive), ``units`` (empty in the table: the
    capacity). A resource without rows has one window over the whole horizon, ``always`` true."""
    who = people_and_places(data)
    av = data.availability
    h0 = data.settings.horizon_start
    last_day = week_start(data.settings.horizon_weeks, h0) - pd.Timedelta(days=1)
    rows = []
    for r in who.itertuples(index=False):
        mine = av[av["resource_id"] == r.resource_id].sort_values("available_from")
        if mine.empty:
            rows.append((r.resource_id, r.name, r.kind, h0, last_day, int(r.capacity), True))
        for w in mine.itertuples(index=False):
            units = int(r.capacity) if pd.isna(w.units) else int(w.units)
            rows.append((r.resource_id, r.name, r.kind, pd.Timestamp(w.available_from), pd.Timestamp(w.available_to),
                         units, False))
    return pd.DataFrame(rows, columns=WINDOW_COLUMNS)


def phase_names(pairs) -> str:
    """``[("P03", "shoot"), ("P07", "shoot")]`` -> ``"P03 shoot and P07 shoot"`` (three or more:
    ``"A shoot, B shoot and C shoot"``)."""
    names = [f"{p} {ph}" for p, ph in pairs]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


def bookings(data: SlateData, alloc: pd.DataFrame, util: pd.DataFrame) -> pd.DataFrame:
    """Every booking of a talent or location in a plan (``alloc``: its ``allocation``; ``util``: its
    ``utilization``), one row per run of consecutive weeks one phase holds it (columns
    ``BOOKING_COLUMNS``; ``start`` the Monday of the first week, ``end`` the Sunday of the last).

    ``inside``: the resource's capacity covers the booking's units in each of its weeks (else
    ``outside_weeks`` say how many it does not);
    ``clash_weeks``: how many of its weeks the resource is short in; ``with``: the other phases
    holding the resource in those weeks (``"P07 shoot"``), in ``with_weeks`` of them; ``state`` in words: "inside
    availability", "clashes with P07 shoot (2 weeks)" (the short weeks they share), "outside
    availability (3 weeks)" (the weeks the capacity does not cover its units), or both."""
    who = people_and_places(data)
    held = alloc[alloc["resource_id"].isin(set(who["resource_id"]))].sort_values(
        ["resource_id", "production_id", "phase_id", "week"])
    if held.empty:
        return pd.DataFrame(columns=BOOKING_COLUMNS)
    cap = capacity_by_week(data).set_index(["resource_id", "week"])["capacity"]
    mine = util[util["resource_id"].isin(set(who["resource_id"]))]
    short = set(zip(mine.loc[is_short(mine), "resource_id"], mine.loc[is_short(mine), "week"]))
    info = who.set_index("resource_id")
    h0 = data.settings.horizon_start
    new = (held["week"].diff().ne(1) | held["resource_id"].ne(held["resource_id"].shift())
           | held["production_id"].ne(held["production_id"].shift()) | held["phase_id"].ne(held["phase_id"].shift()))
    rows = []
    for _, g in held.assign(run=new.cumsum().to_numpy()).groupby("run", sort=True):
        rid, pid, ph = str(g["resource_id"].iat[0]), str(g["production_id"].iat[0]), str(g["phase_id"].iat[0])
        weeks = g["week"].astype(int).tolist()
        units = int(g["units"].max())
        outside = sum(int(cap.get((rid, w), 0)) < u for w, u in zip(weeks, g["units"]))
        clash = [w for w in weeks if (rid, w) in short]
        others = held[(held["resource_id"] == rid) & held["week"].isin(clash)
                      & ~((held["production_id"] == pid) & (held["phase_id"] == ph))]
        together = others["week"].nunique()
        others = phase_names(sorted(set(zip(others["production_id"].astype(str), others["phase_id"].astype(str)))))
        parts = []
        if outside:
            parts.append(f"outside availability ({outside} week{'s' if outside != 1 else ''})")
        if others:
            parts.append(f"clashes with {others} ({together} week{'s' if together != 1 else ''})")
        rows.append({
            "resource_id": rid, "name": str(info.at[rid, "name"]), "kind": str(info.at[rid, "kind"]),
            "production_id": pid, "phase_id": ph, "first_week": weeks[0], "last_week": weeks[-1], "weeks": len(weeks),
            "start": week_start(weeks[0], h0), "end": week_start(weeks[-1] + 1, h0) - pd.Timedelta(days=1),
            "units": units, "inside": outside == 0, "outside_weeks": outside, "clash_weeks": len(clash),
            "clashes": bool(clash), "with": others, "with_weeks": together, "state": "; ".join(parts) or "inside availability",
        })
    out = pd.DataFrame(rows, columns=BOOKING_COLUMNS)
    order = out["resource_id"].map({r: i for i, r in enumerate(who["resource_id"])})
    return out.assign(order=order).sort_values(["order", "first_week", "production_id"]).drop(
        columns="order").reset_index(drop=True)
