"""One ``Plan`` for every page, export and command: the slate's dates and everything that follows
from them, built the same way whether the dates are the planned ones, the optimizer's or a
saved scenario's.

From the start week of every phase (``starts``):

- ``schedule``: production_id, phase_id, kind, seq, locked, start_week, end_week (exclusive), start,
  end (Mondays), planned_start (empty for an undated phase), moved_weeks (0 for an undated phase:
  it has nothing to move from), stages (``;``-joined stages held);
- ``allocation``: units per production, phase, resource and week (stages as assigned;
  ``planning.analysis.capacity``);
- ``utilization``: demand, over-booking, hire-in and shortfall per resource and week;
- ``conflicts``: the runs of weeks a resource is short (``planning.analysis.conflicts``);
- ``stage_board``: who holds each stage each week, for build, shoot or strike;
- ``cashflow``: the weekly flows on these dates (``planning.finance.flows``);
- ``changes``: what the optimizer changed and why (empty for the planned dates);
- ``kpis``: the headline numbers (``planning.analysis.kpis``);
- ``origin``: where the dates came from (as planned, optimized, a scenario), the solver's
  summary (status, gap, verdict) when optimized, and when the plan was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planning.analysis.capacity import allocation, is_class, utilization
from planning.analysis.changes import CHANGE_COLUMNS, capacity_changes
from planning.analysis.conflicts import conflict_runs
from planning.analysis.kpis import plan_kpis
from planning.analysis.stageboard import stage_board
from planning.data.inputs import SlateData, planned_schedule, week_start
from planning.data.progress import from_as_of, phase_weeks
from planning.finance.flows import cashflow

AS_PLANNED, OPTIMIZED, SCENARIO = "as planned", "optimized", "scenario"
FRAMES = ("schedule", "allocation", "utilization", "conflicts", "stage_board", "cashflow", "changes")


@dataclass(frozen=True)
class Origin:
    """Where a plan's dates came from: ``kind`` (as planned, optimized or scenario), ``name`` (what
    the plan is called on screen), the optimizer's ``solver`` summary (empty as planned) and
    ``made_at`` (UTC)."""

    kind: str
    name: str
    solver: dict = field(default_factory=dict)
    made_at: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.now(tz="UTC").tz_localize(None))

    @property
    def label(self) -> str:
        """``as planned`` / ``optimized: best possible plan`` / ``scenario “X”: good plan, ...``."""
        head = self.name if self.kind != SCENARIO else f"scenario “{self.name}”"
        verdict = self.solver.get("verdict")
        return f"{head}: {verdict}" if verdict else head

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "made_at": self.made_at.isoformat()}


@dataclass(frozen=True, eq=False)
class Plan:
    data: SlateData
    origin: Origin
    schedule: pd.DataFrame
    allocation: pd.DataFrame
    utilization: pd.DataFrame
    conflicts: pd.DataFrame
    stage_board: pd.DataFrame
    cashflow: pd.DataFrame
    changes: pd.DataFrame
    kpis: dict

    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in FRAMES}

    def summary(self) -> dict:
        """The solver's summary (``summary.json``), the KPIs and the origin, as one JSON-able dict."""
        return {**self.origin.solver, "kpis": self.kpis, "origin": self.origin.to_dict()}


def schedule_of(data: SlateData, starts: pd.DataFrame) -> pd.DataFrame:
    """The schedule columns (module docstring, all but ``stages``) from ``production_id, phase_id,
    start_week`` of every phase. On a slate under way (``planning.data.progress.from_as_of``) a
    phase that has started is at its actual weeks whatever ``starts`` says, and ``planned_start``
    and ``moved_weeks`` count from the plan from the report week."""
    data = from_as_of(data)
    planned = planned_schedule(data)
    s = planned.drop(columns=["start_week", "end_week"]).merge(
        starts[["production_id", "phase_id", "start_week"]], on=["production_id", "phase_id"], validate="1:1")
    if len(s) != len(planned):
        raise ValueError(f"a plan needs a start for every phase: {len(planned) - len(s)} of {len(planned)} missing")
    weeks = phase_weeks(data, s).set_index(["production_id", "phase_id"])["start_week"]
    s["start_week"] = weeks.reindex(pd.MultiIndex.from_frame(s[["production_id", "phase_id"]])).to_numpy("int64")
    s["end_week"] = s["start_week"] + s["duration_weeks"].astype("int64")
    planned_week = planned.set_index(["production_id", "phase_id"])["start_week"]
    dated = planned.set_index(["production_id", "phase_id"])["planned"]
    key = pd.MultiIndex.from_frame(s[["production_id", "phase_id"]])
    pw, dated = planned_week.reindex(key).to_numpy(), dated.reindex(key).to_numpy(bool)
    h0 = data.settings.horizon_start
    s["start"], s["end"] = week_start(s["start_week"], h0).to_numpy(), week_start(s["end_week"], h0).to_numpy()
    s["planned_start"] = week_start(pd.Series(pw), h0).where(dated).to_numpy()
    s["moved_weeks"] = np.where(dated, s["start_week"].to_numpy() - pw, 0).astype("int64")
    s = s.astype({"production_id": str, "phase_id": str})
    return s[["production_id", "phase_id", "kind", "seq", "locked", "start_week", "end_week", "start", "end",
              "planned_start", "moved_weeks"]].sort_values(["production_id", "seq"]).reset_index(drop=True)


def build_plan(data: SlateData, starts: pd.DataFrame, origin: Origin, assigned: pd.DataFrame | None = None,
               changes: pd.DataFrame | None = None) -> Plan:
    """The ``Plan`` of ``starts`` (``production_id, phase_id, start_week`` for every phase).

    ``assigned`` (``booking, resource_id`` of ``planning.analysis.capacity.assign_stages``) is the
    optimizer's stage choice; without it stages are assigned here, the same exact way. ``changes``
    (the optimizer's moves and stage choices) gain the plan's hire-in and shortfall runs. This is
    the one evaluation of a plan: every figure of it is computed here, once.

    A slate under way is evaluated as planned from its report week (``planning.data.progress.
    from_as_of``: started phases at their actual weeks and lengths; weeks before the report week
    are history and count no shortfall or hire-in); its cash flow from the slate as given (weekly
    rates from the planned lengths, ``planning.finance.flows``). ``Plan.data`` is ``data``.
    """
    slate = from_as_of(data)
    schedule = schedule_of(slate, starts)
    alloc = allocation(slate, schedule, assigned)
    util = utilization(slate, alloc)
    runs = conflict_runs(slate, util, alloc)
    flows = cashflow(data, schedule)
    stages = alloc[~is_class(alloc["resource_id"])]
    stages = stages[stages["resource_id"].isin(set(data.resources.loc[data.resources["kind"] == "stage",
                                                                       "resource_id"]))]
    held = stages.groupby(["production_id", "phase_id"])["resource_id"].agg(lambda r: ";".join(sorted(set(r))))
    schedule["stages"] = [held.get((p, q), "") for p, q in zip(schedule["production_id"], schedule["phase_id"])]
    return Plan(data=data, origin=origin, schedule=schedule, allocation=alloc, utilization=util, conflicts=runs,
                stage_board=stage_board(slate, schedule, alloc), cashflow=flows,
                changes=_changes(changes, util),
                kpis=plan_kpis(slate, schedule, util, runs, alloc, flows))


def _changes(chosen: pd.DataFrame | None, util: pd.DataFrame) -> pd.DataFrame:
    """The optimizer's moves and stage choices (none as planned) and the plan's hire-in and
    shortfall runs."""
    if chosen is None:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    frames = [f for f in (chosen, capacity_changes(util)) if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CHANGE_COLUMNS)


def as_planned(data: SlateData) -> Plan:
    """The plan of the planned dates (an undated phase as early as its links allow); of a slate
    under way, the plan from its report week (``planning.data.progress.from_as_of``)."""
    return build_plan(data, planned_schedule(from_as_of(data)), Origin(AS_PLANNED, AS_PLANNED))


def from_frames(data: SlateData, frames: dict[str, pd.DataFrame], summary: dict, origin: Origin) -> Plan:
    """A saved plan back from its frames and summary (``Plan.frames()``, ``Plan.summary()``).
    ``data`` is the slate it was planned on (a scenario: the scenario's data). A plan saved before
    a frame existed is rebuilt from its schedule."""
    solver = {k: v for k, v in summary.items() if k not in ("kpis", "origin")}
    origin = Origin(origin.kind, origin.name, solver, origin.made_at)
    if any(name not in frames for name in FRAMES) or "kpis" not in summary:
        changes = frames.get("changes")                # its own moves and stages; runs come anew
        changes = None if changes is None else changes[changes["change"].isin(["moved", "stage"])]
        return build_plan(data, frames["schedule"], origin, changes=changes)
    return Plan(data=data, origin=origin, kpis=summary["kpis"], **{name: frames[name] for name in FRAMES})


def from_result(data: SlateData, result, origin: Origin | None = None) -> Plan:
    """The ``Plan`` of an optimizer result (``planning.optimizer.PlanResult``: its starts, stage
    assignment, changes and summary); ``origin`` defaults to the optimized plan."""
    origin = origin or Origin(OPTIMIZED, OPTIMIZED)
    origin = Origin(origin.kind, origin.name, result.summary(), origin.made_at)
    return build_plan(data, result.starts, origin, assigned=result.assigned, changes=result.changes)
