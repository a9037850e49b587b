"""The optimizer against brute force: on tiny slates, every start combination the data contract
allows is enumerated (``tests/bruteforce.py``, which shares no code with the optimizer) and the
optimizer must find the same least shortfall and, at that shortfall, the same least money; the
oracle re-scores the optimizer's own schedule to the same numbers. Both solvers."""

from __future__ import annotations

import pytest

from bruteforce import TINY_SLATES, best_plans, evaluate
from planning.optimizer import PlanOptions, plan


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("name, build", TINY_SLATES, ids=[name for name, _ in TINY_SLATES])
def test_the_plan_is_the_true_optimum_of_the_contract(name, build, solver):
    data = build()
    truth = best_plans(data)
    result = plan(data, PlanOptions(solver=solver, time_limit=20, gap=0.0))
    sched = result.starts
    ours = evaluate(data, {(p, q): s for p, q, s in zip(sched["production_id"], sched["phase_id"], sched["start_week"])})
    assert ours.feasible, ours.reason
    assert (ours.shortfall, ours.money) == (truth.shortfall, pytest.approx(truth.money))
    assert result.shortfall == truth.shortfall and result.objective == pytest.approx(truth.money)
    assert tuple(ours.parts) == pytest.approx((result.parts["hire"], result.parts["lateness"], result.parts["moves"]))
    assert result.status == "optimal" and result.shortfall_bound == truth.shortfall
    assert result.bound <= truth.money + 1e-6
