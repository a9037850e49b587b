"""Every knob of the optimizer, in two frozen objects (a dashboard cache key)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Weights:
    """Cost weights of the money objective.

    ``move_cost_per_week``: each phase *with a planned start*, each week away from it (a phase
    without one has nothing to move from). ``priority_factors``: lateness cost per week is
    multiplied by ``priority_factors[priority-1]``. Shortfall has no price: the plan minimizes the
    unit-weeks nobody can cover first, then money (``planning.optimizer.solve``).
    """

    move_cost_per_week: float = 1_000.0
    priority_factors: tuple[float, ...] = (0.5, 0.75, 1.0, 1.5, 2.0)


@dataclass(frozen=True)
class PlanOptions:
    """``solver``: 'highs' (default) or 'cbc'; ``time_limit``: seconds for the whole search
    (heuristic start and model building included); ``gap``: the relative money gap to the full
    problem's bound at which a plan is called optimal; ``hire_allowed``: False forbids every
    hire-in; ``heuristic_orders``: randomised greedy orders beside the fixed ones;
    ``neighbourhoods``: True (default) runs large-neighbourhood search before the proof;
    ``constraint_search``: True (default) searches start plans with CP-SAT in a worker process
    beside the MIP (when OR-Tools is installed and the time limit is 10 s or more)."""

    solver: str = "highs"
    time_limit: float = 60.0
    gap: float = 0.01
    weights: Weights = Weights()
    hire_allowed: bool = True
    heuristic_orders: int = 8
    neighbourhoods: bool = True
    constraint_search: bool = True
