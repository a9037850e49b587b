"""Moves by hand on the Slate timeline: a drop from the timeline component checked and added to the
scenario of the plan shown (``Scenario.moves``; ``planning.scenarios.apply`` says what a move does),
undone by dropping it from the list, and listed for the page. Pure: no Streamlit."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from planning.access import Actor
from planning.data.inputs import SlateData
from planning.data.validate import ValidationError
from planning.plan import Plan
from planning.scenarios.apply import MoveRejected, apply
from planning.scenarios.types import Scenario, describe_move

MOVED_BY_HAND = "moved by hand"       # the name of the re-planned scenario (until it is saved under another)


@dataclass(frozen=True)
class Drop:
    """A phase (``phase_id``) or a whole production (``phase_id`` None) dropped on the week of
    ``monday`` (ISO date)."""

    production_id: str
    phase_id: str | None
    monday: str

    @property
    def key(self) -> str:
        """The move's key in ``Scenario.moves``: ``P03/shoot``, or ``P03`` for the whole production."""
        return self.production_id if self.phase_id is None else f"{self.production_id}/{self.phase_id}"

    def words(self) -> str:
        return describe_move(self.key, self.monday)


class DropRefused(ValueError):
    """A value from the timeline that is not a drop of this slate."""


def read_drop(value: object, data: SlateData) -> Drop:
    """The timeline's value (it comes from the browser: nothing in it is trusted) as a ``Drop``: a
    production of ``data``, one of its phases or none (the whole production), and a Monday. Raises
    ``DropRefused`` saying what is wrong."""
    if not isinstance(value, dict):
        raise DropRefused("not a drop")
    pid, phase, day = value.get("production_id"), value.get("phase_id"), value.get("new_start")
    phases = data.phases
    if not isinstance(pid, str) or pid not in set(phases["production_id"]):
        raise DropRefused(f"no production {pid!r} in the slate")
    if phase is not None and (not isinstance(phase, str) or
                              not ((phases["production_id"] == pid) & (phases["phase_id"] == phase)).any()):
        raise DropRefused(f"{pid} has no phase {phase!r}")
    try:
        monday = pd.Timestamp(str(day)).normalize()
    except ValueError:
        raise DropRefused(f"{day!r} is not a date") from None
    if pd.isna(monday) or monday.weekday() != 0 or not isinstance(day, str):
        raise DropRefused(f"{day!r} is not a Monday")
    return Drop(pid, phase, monday.date().isoformat())


def moved_scenario(base: Scenario, drops: list[Drop]) -> Scenario:
    """``base`` with the drops added to its moves, in order, named ``MOVED_BY_HAND``: a later move of
    the same phase or production replaces the earlier one, and a whole production's move replaces
    the earlier moves of its phases."""
    moves = dict(base.moves)
    for drop in drops:
        if drop.phase_id is None:
            moves = {k: m for k, m in moves.items() if not k.startswith(drop.production_id + "/")}
        moves[drop.key] = drop.monday
    return replace(base, name=MOVED_BY_HAND, moves=moves)


def take_drop(value: object, drops: list[Drop], base: Scenario, data: SlateData, who: Actor) -> tuple[list[Drop], str | None]:
    """One more drop from the timeline: ``(drops + [drop], None)`` when ``who`` may re-plan (the
    ``optimize`` action) and the slate takes the move (``apply`` validates it with the moves before
    it, on ``base``); otherwise ``(drops, why)``, the drops as they were and what to tell the user."""
    if not who.may("optimize"):
        return drops, f"moving by hand re-plans the slate, which takes the planner role (you are a {who.role})"
    try:
        drop = read_drop(value, data)
    except DropRefused as why:
        return drops, f"the drop was not understood: {why}"
    try:
        apply(data, moved_scenario(base, drops + [drop]))
    except MoveRejected as why:          # the slate's rules, each naming its phase and week
        rules = "; ".join(f"{p.row}: {p.message}" for p in why.problems)
        return drops, f"{drop.words()}: the slate cannot take it: {rules}" if rules else str(why)
    except (ValueError, ValidationError) as why:
        return drops, str(why)
    return drops + [drop], None


def first_dated(phases: pd.DataFrame) -> int:
    """The index label of the phase a whole-production move places (``apply``): of ``phases`` (one
    production's rows with ``planned_start`` and ``seq``), the dated one that starts first, else the
    first listed."""
    dated = phases[phases["planned_start"].notna()]
    return dated["planned_start"].idxmin() if len(dated) else phases["seq"].idxmin()


def moves_table(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """One row per move by hand of ``scenario``: the production and its title, what moved (a phase,
    or the whole production and the phase it placed), the week it was dropped on, and where ``plan``
    (re-planned with the moves) starts that phase and whether it is locked there."""
    sched = plan.schedule.set_index(["production_id", "phase_id"])
    titles = plan.data.productions.set_index("production_id")["title"]
    rows = []
    for key, monday in sorted(scenario.moves.items()):
        pid, _, phase = key.partition("/")
        if not phase:
            mine = plan.schedule[plan.schedule["production_id"] == pid]
            phase = mine.at[first_dated(mine), "phase_id"]
            what = f"whole production (from its {phase})"
        else:
            what = phase
        row = sched.loc[(pid, phase)]
        rows.append({"production_id": pid, "title": titles.get(pid, ""), "moved": what,
                     "dropped on the week of": pd.Timestamp(monday).date(), "starts in the plan": row["start"].date(),
                     "locked": bool(row["locked"])})
    return pd.DataFrame(rows, columns=["production_id", "title", "moved", "dropped on the week of",
                                       "starts in the plan", "locked"])
