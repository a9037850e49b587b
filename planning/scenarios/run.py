"""Run a scenario: apply its overrides, optimize the plan (``planning.optimizer``) and build its
``Plan`` (schedule, stages, capacity, conflicts, cash flow, KPIs); the same overrides and options
always give the same results."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from planning.analysis.capacity import allocation, utilization
from planning.analysis.conflicts import conflict_runs
from planning.data.inputs import SlateData, planned_schedule
from planning.data.progress import from_as_of
from planning.optimizer import PlanOptions, plan
from planning.plan import SCENARIO, Origin, Plan, from_result
from planning.scenarios.apply import added_capacity_cost, apply
from planning.scenarios.types import BASELINE, Scenario


def plan_options(scenario: Scenario, base: PlanOptions | None = None) -> PlanOptions:
    """The optimizer options of a scenario: its weights and hire-in rule on top of ``base``."""
    base = base or PlanOptions()
    w = base.weights
    factor = float(scenario.weights.get("lateness", 1.0))
    weights = replace(w, move_cost_per_week=float(scenario.weights.get("moves", w.move_cost_per_week)),
                      priority_factors=tuple(f * factor for f in w.priority_factors))
    return replace(base, weights=weights, hire_allowed=scenario.hire_allowed)


def planned_conflicts(data: SlateData) -> int:
    """How many conflicts the data has on its planned dates, before any optimization (a slate under
    way: on its plan from the report week, ``planning.data.progress.from_as_of``)."""
    slate = from_as_of(data)
    schedule = planned_schedule(slate)
    alloc = allocation(slate, schedule)
    return len(conflict_runs(slate, utilization(slate, alloc), alloc))


def run_scenario(base: SlateData, scenario: Scenario, options: PlanOptions | None = None,
                 progress=None, start: pd.DataFrame | None = None) -> Plan:
    """Apply ``scenario`` to ``base``, optimize (from ``start``, e.g. the baseline plan's schedule,
    when given) and build the ``Plan``: the scenario named ``baseline`` is the optimized plan,
    any other is a scenario of that name. Its KPIs also count ``conflicts_as_planned``: the
    scenario's conflicts on its planned dates, ``added_capacity_cost`` (``apply.added_capacity_cost``)
    and ``total_cost``: the plan's cost (hire-in, lateness, moves) plus the added capacity."""
    data = apply(base, scenario)
    result = plan(data, plan_options(scenario, options), progress, start)
    built = from_result(data, result, None if scenario.name == BASELINE else Origin(SCENARIO, scenario.name))
    built.kpis["conflicts_as_planned"] = planned_conflicts(data)
    built.kpis["added_capacity_cost"] = added_capacity_cost(base, scenario)
    built.kpis["total_cost"] = result.objective + built.kpis["added_capacity_cost"]
    return built
