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
    note: str = ""

    def overrides_json(self) -> str:
        """The overrides as canonical JSON (sorted keys): equal overrides give equal text."""
        body = asdict(self)
        body.pop("name")
        return json.dumps(body, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, name: str, text: str) -> "Scenario":
        body = json.loads(text)
        body["capacity"] = tuple(CapacityChange(**c) for c in body.get("capacity", ()))
        body["stages"] = tuple(StageChange(**s) for s in body.get("stages", ()))
        return cls(name=name, **body)
