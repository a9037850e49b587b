"""A what-if scenario as a value: a base dataset (by content hash) plus overrides. Nothing here
imports the solver, so the saved-scenario store can read and write scenarios without it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

BASELINE = "baseline"   # the scenario with no overrides: the optimized plan of the data as it is


@dataclass(frozen=True)
class CapacityChange:
    resource_id: str
    delta: int = 0
    pct: float = 0.0
    first_week: int | None = None
    last_week: int | None = None


@dataclass(frozen=True)
class StageChange:
    size: float
    count: int


@dataclass(frozen=True)
class AvailabilityChange:
    """A person or a place available ``shift_weeks`` later (earlier when negative), and/or not
    available from ``off_from`` to ``off_to`` (ISO dates, inclusive). See ``planning.scenarios.apply``."""

    resource_id: str
    shift_weeks: int = 0
    off_from: str | None = None
    off_to: str | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    base_hash: str = ""
    capacity: tuple[CapacityChange, ...] = ()
    stages: tuple[StageChange, ...] = ()
    slips: dict[str, int] = field(default_factory=dict)
    locks: dict[str, bool] = field(default_factory=dict)
    phase_locks: dict[str, bool] = field(default_factory=dict)
    overage_pct: float = 0.0
    hire_allowed: bool = True
    weights: dict[str, float] = field(default_factory=dict)
    added_costs: dict[str, float] = field(default_factory=dict)
    moves: dict[str, str] = field(default_factory=dict)
    note: str = ""
    availability: tuple[AvailabilityChange, ...] = ()

    def overrides_json(self) -> str:
        """The overrides as canonical JSON (sorted keys): equal overrides give equal text."""
        body = asdict(self)
        body.pop("name")
        if not body["availability"]:          # scenarios saved before people and places read the same
            body.pop("availability")
        return json.dumps(body, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, name: str, text: str) -> "Scenario":
        body = json.loads(text)
        body["capacity"] = tuple(CapacityChange(**c) for c in body.get("capacity", ()))
        body["stages"] = tuple(StageChange(**s) for s in body.get("stages", ()))
        body["availability"] = tuple(AvailabilityChange(**a) for a in body.get("availability", ()))
        return cls(name=name, **body)


def describe_move(key: str, monday: str) -> str:
    """One move by hand in words: "P03 shoot moved to the week of 2027-03-08, locked" (``P03/shoot``)
    or "P03 moved to start the week of 2027-03-08, first phase locked" (``P03``: the whole production)."""
    pid, _, phase = key.partition("/")
    if phase:
        return f"{pid} {phase} moved to the week of {monday}, locked"
    return f"{pid} moved to start the week of {monday}, first phase locked"


def describe_availability(change: AvailabilityChange, names: dict[str, str] | None = None) -> str:
    """One availability change in words: "Leo Marsh (lead actor) available 3 weeks later, not
    available 2027-06-07 to 2027-07-04"."""
    parts = []
    if change.shift_weeks:
        weeks = abs(change.shift_weeks)
        parts.append(f"available {weeks} week{'s' if weeks != 1 else ''} "
                     f"{'later' if change.shift_weeks > 0 else 'earlier'}")
    if change.off_from and change.off_to:
        parts.append(f"not available {change.off_from} to {change.off_to}")
    return f"{(names or {}).get(change.resource_id, change.resource_id)} {', '.join(parts) or 'as it is'}"


def describe(scenario: Scenario, names: dict[str, str] | None = None) -> str:
    """What a scenario changes, in a line: "stages of 30,000 sq ft +1; Grip & electric crews -2 in
    weeks 20-40; Leo Marsh (lead actor) available 3 weeks later; P06 slips 6 weeks; hire-in off; P03 shoot moved to the week of 2027-03-08, locked".
    ``names`` (resource id -> name) reads ids as names."""
    names = names or {}
    parts = [f"stages of {c.size:,.0f} sq ft {c.count:+d}" for c in scenario.stages]
    for c in scenario.capacity:
        amount = f"{c.pct:+g}%" if c.pct else ""
        amount += (" " if amount and c.delta else "") + (f"{c.delta:+d}" if c.delta else "")
        when = "" if c.first_week is None and c.last_week is None else \
            f" in weeks {'' if c.first_week is None else c.first_week}-{'' if c.last_week is None else c.last_week}"
        parts.append(f"{names.get(c.resource_id, c.resource_id)} {amount or '+0'}{when}")
    parts += [describe_availability(c, names) for c in scenario.availability]
    parts += [f"{p} slips {w} weeks" if w > 0 else f"{p} {-w} weeks earlier" for p, w in scenario.slips.items() if w]
    parts += [f"{p} {'locked' if on else 'unlocked'}" for p, on in scenario.locks.items()]
    parts += [f"{k} {'locked' if on else 'unlocked'}" for k, on in scenario.phase_locks.items()]
    if scenario.overage_pct:
        parts.append(f"budgets {scenario.overage_pct:+g}%")
    if not scenario.hire_allowed:
        parts.append("hire-in off")
    if "lateness" in scenario.weights:
        parts.append(f"lateness weighed × {scenario.weights['lateness']:g}")
    if "moves" in scenario.weights:
        parts.append(f"a week's move costs {scenario.weights['moves']:,g}")
    if scenario.added_costs.get("stage"):
        parts.append(f"an added stage costs {scenario.added_costs['stage']:,g} a week")
    if scenario.added_costs.get("unit"):
        parts.append(f"an added crew or kit unit costs {scenario.added_costs['unit']:,g} a week")
    parts += [describe_move(key, monday) for key, monday in sorted(scenario.moves.items())]
    return "; ".join(parts) or "no change"
