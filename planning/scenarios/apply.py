"""What-if scenarios: a base dataset plus overrides, applied as a pure function.

A ``Scenario`` names its base dataset by content hash and holds only overrides; ``apply(data,
scenario)`` returns a new, validated ``SlateData`` and never changes the base. The rules:

- ``capacity``: each ``CapacityChange(resource_id, delta, pct, first_week, last_week)`` sets, in every
  week of its range (the whole horizon when open), ``cap' = max(0, round(cap * (1 + pct/100)) + delta)``,
  applied on top of the calendar (a calendar row's capacity is the ``cap`` of that week).
- ``stages``: each ``StageChange(size, count)`` adds ``count`` stages of ``size`` sq ft
  (``WHATIF-<size>-<i>``) or, with a negative count, closes that many stages of exactly that size for
  the whole horizon (the highest ids first; closed stages keep their rows at capacity 0).
- ``slips``: ``{production_id: weeks}`` moves the production later (earlier when negative): its
  window (earliest and latest start), target delivery and every planned start shift by ``7*weeks`` days.
  On a slate under way a phase that has started cannot move, so a slip of a production with a
  running phase makes that phase run ``weeks`` longer (shorter when negative): its ``expected_end``
  (its last expected day: given, or the Sunday of its expected last week) moves by ``7*weeks`` days,
  never before the Sunday of the report week. Its weekly lines then cost that many more weeks.
- ``locks``: ``{production_id: bool}`` locks or unlocks a whole production; ``phase_locks``:
  ``{"production_id/phase_id": bool}`` one phase.
- ``overage_pct``: every budget line grows by that share, rounded to the cent.
- ``hire_allowed = False``: nothing can be hired in (``hire_max_units = 0``).
- ``weights``: objective weights handed to the optimizer: ``lateness`` multiplies every
  production's lateness cost (default 1), ``moves`` is the cost of moving a phase one week.
- ``added_costs``: what added capacity costs a week: ``stage`` per added stage, ``unit`` per added
  crew, equipment or post unit. It does not change the plan (the capacity is the scenario's
  decision); ``added_capacity_cost`` prices it for the comparison:
  ``stage * weeks * stages added + unit * sum over capacity changes of max(0, delta) * weeks in range``.
- ``moves``: phases moved by hand (on the Slate timeline), each to a Monday (ISO date), applied after
  slips and locks. ``{"P03/shoot": "2027-03-08"}``: that phase's planned start becomes that Monday and
  it is locked there; the production's other phases keep their planned starts and lock flags, and the
  unlocked ones follow their links (the optimizer places them). ``{"P03": "2027-03-08"}``: the whole
  production, every planned start shifted by the same weeks so its first dated phase starts that Monday,
  that phase locked. Production moves are applied before phase moves (a phase of a moved production can
  be moved again). A move must keep its phases inside the horizon and cannot move a phase that is
  locked before the moves, nor one that has started (an ``actual_start``: history stays where it
  happened), nor a production with a phase that has started; one the slate's rules refuse (before the
  week of ``as_of``, before the production's earliest start, after its latest start, against a link,
  history) raises ``MoveRejected`` naming the move, the phase and the week.
- ``availability``: a person or a place (any resource, in fact) available later, earlier or not for a
  while. Each ``AvailabilityChange(resource_id, shift_weeks, off_from, off_to)`` first moves every
  ``availability`` window of the resource ``shift_weeks`` later (earlier when negative), then cuts the
  days ``off_from .. off_to`` (inclusive) out of its windows, splitting a window across the gap; a
  piece that no longer holds a whole week (Monday to Sunday) is dropped. A resource without
  ``availability`` rows is available all the time: it becomes one window over the horizon (or one
  per run of equal weeks of its ``resource_calendar``, whose rows it then loses), so "``N`` weeks
  later" means unavailable in the first ``N`` weeks of the horizon, "earlier" changes nothing, and a
  gap leaves a window on each side (``planning.data.availability``). A resource left with no window
  is unavailable everywhere. Applied after ``capacity`` (which refuses a resource with
  ``availability`` rows: its weeks are its windows).
"""

from __future__ import annotations

import pandas as pd

from planning.data.availability import cut, replace_windows, shifted, windows_of
from planning.data.inputs import SlateData
from planning.data.progress import phase_status
from planning.data.validate import ValidationError, check
from planning.scenarios.types import AvailabilityChange, CapacityChange, Scenario, describe_availability, describe_move


class MoveRejected(ValueError):
    """Moves by hand the slate cannot take; the message names each move, phase and week, and every
    rule broken (``problems``: ``planning.data.validate.Problem``s, empty for a move refused before
    validation)."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []


def _weekly_capacity_rows(data: SlateData, change: CapacityChange) -> pd.DataFrame:
    res = data.resources.set_index("resource_id")
    if change.resource_id not in res.index:
        raise ValueError(f"scenario changes capacity of unknown resource {change.resource_id!r}")
    if change.resource_id in set(data.availability["resource_id"]):
        raise ValueError(f"scenario changes the capacity of {change.resource_id}, which has availability windows: "
                         "change its availability instead")
    first = 0 if change.first_week is None else max(0, change.first_week)
    last = data.settings.horizon_weeks - 1 if change.last_week is None else min(change.last_week, data.settings.horizon_weeks - 1)
    weeks = pd.Series(range(first, last + 1), dtype="int64")
    base = int(res.at[change.resource_id, "capacity"])
    cal = data.resource_calendar
    mine = cal[cal["resource_id"] == change.resource_id]
    current = dict(zip(data.week_of(mine["week_start"]).astype(int), mine["capacity"].astype(int)))
    caps = [max(0, round(current.get(w, base) * (1 + change.pct / 100)) + change.delta) for w in weeks]
    return pd.DataFrame({"resource_id": change.resource_id, "week_start": data.week_start(weeks).to_numpy(),
                         "capacity": caps})


def added_capacity_cost(data: SlateData, scenario: Scenario) -> float:
    """What the capacity a scenario adds costs over the horizon (see the module docstring); closed
    stages and removed units save nothing here."""
    weeks = data.settings.horizon_weeks
    stages = sum(max(0, c.count) for c in scenario.stages) * weeks * scenario.added_costs.get("stage", 0.0)
    units = 0.0
    for c in scenario.capacity:
        first = 0 if c.first_week is None else max(0, c.first_week)
        last = weeks - 1 if c.last_week is None else min(c.last_week, weeks - 1)
        units += max(0, c.delta) * max(0, last - first + 1)
    return float(stages + units * scenario.added_costs.get("unit", 0.0))


def apply(data: SlateData, scenario: Scenario) -> SlateData:
    """The base data with the scenario's overrides applied (validated; the base is unchanged)."""
    t = {name: frame.copy() for name, frame in data.tables().items()}
    t["phases"] = t["phases"].drop(columns="seq")
    shift = pd.to_timedelta

    for pid, weeks in scenario.slips.items():
        if pid not in set(t["productions"]["production_id"]):
            raise ValueError(f"scenario slips unknown production {pid!r}")
        days = shift(7 * int(weeks), unit="D")
        rows = t["productions"]["production_id"] == pid
        for col in ("earliest_start", "latest_start", "target_delivery"):
            t["productions"].loc[rows, col] = t["productions"].loc[rows, col] + days
        t["phases"].loc[t["phases"]["production_id"] == pid, "planned_start"] += days
        _slip_running(t, data, pid, days)

    for pid, locked in scenario.locks.items():
        t["productions"].loc[t["productions"]["production_id"] == pid, "locked"] = bool(locked)
    for key, locked in scenario.phase_locks.items():
        pid, phase_id = key.split("/", 1)
        rows = (t["phases"]["production_id"] == pid) & (t["phases"]["phase_id"] == phase_id)
        t["phases"].loc[rows, "locked"] = bool(locked)

    _apply_moves(t, data, scenario.moves)

    cal = t["resource_calendar"]
    for change in scenario.capacity:
        rows = _weekly_capacity_rows(data, change)
        keep = ~(cal["resource_id"].eq(change.resource_id) & cal["week_start"].isin(rows["week_start"]))
        cal = pd.concat([cal[keep], rows.astype(cal.dtypes.to_dict())], ignore_index=True)

    res = t["resources"]
    stages = res[res["kind"] == "stage"]
    for change in scenario.stages:
        if change.count > 0:
            new = pd.DataFrame([{"resource_id": f"WHATIF-{int(change.size)}-{i + 1}", "kind": "stage",
                                 "name": f"Added stage {i + 1} ({change.size:,.0f} sq ft)", "capacity": 1,
                                 "size": float(change.size), "hire_cost_per_week": None, "hire_max_units": None}
                                for i in range(change.count)])
            res = pd.concat([res, new.astype(res.dtypes.to_dict())], ignore_index=True)
        elif change.count < 0:
            same = stages[stages["size"] == change.size].sort_values("resource_id", ascending=False)
            if len(same) < -change.count:
                raise ValueError(f"cannot close {-change.count} stages of {change.size:,.0f} sq ft: "
                                 f"the lot has {len(same)}")
            for rid in same["resource_id"].iloc[: -change.count]:
                weeks = pd.Series(range(data.settings.horizon_weeks))
                closed = pd.DataFrame({"resource_id": rid, "week_start": data.week_start(weeks).to_numpy(), "capacity": 0})
                cal = pd.concat([cal[cal["resource_id"] != rid], closed.astype(cal.dtypes.to_dict())], ignore_index=True)
    t["resources"] = res
    t["resource_calendar"] = cal
    for change in scenario.availability:
        _apply_availability(t, data, change)

    if not scenario.hire_allowed:
        t["resources"]["hire_max_units"] = t["resources"]["hire_max_units"].where(
            t["resources"]["kind"] == "stage", 0).astype("Int64")

    if scenario.overage_pct:
        cents = (t["budget_lines"]["amount"] * 100).round() * (1 + scenario.overage_pct / 100)
        t["budget_lines"]["amount"] = (cents.round() / 100).astype("Float64")

    out, problems = check(t)
    if problems and scenario.moves:
        moves = "; ".join(describe_move(k, m) for k, m in sorted(scenario.moves.items()))
        raise MoveRejected(f"the slate cannot take {moves}: " + "; ".join(f"{p.row}: {p.message}" for p in problems),
                           problems)
    if problems:
        raise ValidationError(problems)
    return out


def _slip_running(t: dict[str, pd.DataFrame], data: SlateData, pid: str, days: pd.Timedelta) -> None:
    """The running phases of ``pid`` end ``days`` later (see ``slips`` above), in ``t`` in place."""
    status = phase_status(data)
    running = status[(status["production_id"] == pid) & (status["status"] == "running")]
    if not len(running):
        return
    ph = t["phases"]
    sunday = pd.Timedelta(days=6)
    floor = data.settings.report_date - pd.Timedelta(days=data.settings.report_date.weekday()) + sunday
    for phase_id, end_week in zip(running["phase_id"], running["actual_end_week"]):
        row = (ph["production_id"] == pid) & (ph["phase_id"] == phase_id)
        given = ph.loc[row, "expected_end"].iloc[0]
        last = given if not pd.isna(given) else data.week_start(int(end_week) - 1) + sunday
        ph.loc[row, "expected_end"] = max(last + days, floor)


def _apply_availability(t: dict[str, pd.DataFrame], data: SlateData, change: AvailabilityChange) -> None:
    """One ``AvailabilityChange`` (module docstring) on the tables ``t``, in place."""
    said = describe_availability(change)
    if change.resource_id not in set(t["resources"]["resource_id"]):
        raise ValueError(f"scenario changes the availability of unknown resource {change.resource_id!r}")
    if (change.off_from is None) != (change.off_to is None):
        raise ValueError(f"{said}: give both the first and the last day it is not available")
    h0, weeks = data.settings.horizon_start, data.settings.horizon_weeks
    windows = windows_of(t, change.resource_id, h0, weeks)
    had_rows = bool((data.availability["resource_id"] == change.resource_id).any())
    if change.shift_weeks > 0 and not had_rows:
        windows = cut(windows, h0, h0 + pd.Timedelta(weeks=change.shift_weeks) - pd.Timedelta(days=1))
    elif had_rows:
        windows = shifted(windows, int(change.shift_weeks))
    if change.off_from is not None:
        off_from, off_to = pd.Timestamp(change.off_from), pd.Timestamp(change.off_to)
        if off_to < off_from:
            raise ValueError(f"{said}: the last day is before the first")
        windows = cut(windows, off_from, off_to)
    replace_windows(t, change.resource_id, windows, h0)


def _apply_moves(t: dict[str, pd.DataFrame], data: SlateData, moves: dict[str, str]) -> None:
    """Moves by hand (module docstring) on the tables ``t``, in place: production moves first, then
    phase moves. Refuses (``MoveRejected``) a day that is not a Monday, an unknown production or
    phase, a phase locked before the moves, and a phase moved out of the horizon."""
    ph = t["phases"]
    h0, horizon = data.settings.horizon_start, data.settings.horizon_weeks
    prod_locked = t["productions"].set_index("production_id")["locked"].fillna(False)
    was_locked = ph["locked"].fillna(False).astype(bool) | ph["production_id"].map(prod_locked).fillna(False).astype(bool)
    for key, monday in sorted(moves.items(), key=lambda move: ("/" in move[0], move[0])):
        pid, _, phase = key.partition("/")
        said = describe_move(key, monday)
        when = pd.Timestamp(monday)
        if when.weekday() != 0:
            raise MoveRejected(f"cannot make the move {said}: {when.date()} is not a Monday")
        mine = ph["production_id"] == pid
        rows = mine & (ph["phase_id"] == phase) if phase else mine
        if not rows.any():
            raise MoveRejected(f"cannot make the move {said}: the slate has no {'phase ' + key if phase else pid}")
        if (rows & was_locked).any():
            held = ", ".join(ph.loc[rows & was_locked, "phase_id"])
            raise MoveRejected(f"cannot make the move {said}: {pid} {held} is locked and stays where it is")
        if (rows & ph["actual_start"].notna()).any():
            begun = ph.loc[rows & ph["actual_start"].notna()].iloc[0]
            raise MoveRejected(f"cannot make the move {said}: {pid} {begun['phase_id']} started on "
                               f"{begun['actual_start'].date()} and stays where it happened")
        dated = rows & ph["planned_start"].notna()
        if phase or not dated.any():
            first = ph.index[rows][0]
            ph.loc[first, "planned_start"] = when
        else:
            first = ph.loc[dated, "planned_start"].idxmin()
            ph.loc[dated, "planned_start"] += when - ph.at[first, "planned_start"]
        ph.loc[first, "locked"] = True
        for i in ph.index[rows & ph["planned_start"].notna()]:
            start = ph.at[i, "planned_start"]
            end = start + pd.Timedelta(weeks=int(ph.at[i, "duration_weeks"]))
            if start < h0 or end > h0 + pd.Timedelta(weeks=horizon):
                raise MoveRejected(f"cannot make the move {said}: {pid} {ph.at[i, 'phase_id']} would run from the week "
                                   f"of {start.date()} to {end.date()}, outside the planning horizon "
                                   f"({h0.date()} to {(h0 + pd.Timedelta(weeks=horizon)).date()})")
