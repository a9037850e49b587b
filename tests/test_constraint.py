"""The constraint search (CP-SAT in its own process): the plans it hands the optimizer keep every
rule of the contract, as the independent brute-force oracle scores them, and on slates where
nothing needs hiring or is short they cost what the true optimum costs."""

from __future__ import annotations

import pytest

from bruteforce import TINY_SLATES, best_plans, evaluate
from planning.optimizer import PlanOptions
from planning.optimizer import constraint
from planning.optimizer.candidates import build_candidates

pytestmark = pytest.mark.skipif(not constraint.available(), reason="OR-Tools is not installed")


@pytest.mark.parametrize("name, build", TINY_SLATES, ids=[name for name, _ in TINY_SLATES])
def test_constraint_plans_keep_every_rule(name, build):
    data = build()
    cands = build_candidates(data, PlanOptions())
    # CP-SAT stops once it proves its optimum (milliseconds here); the long limit only covers a busy machine.
    starts = constraint.launch(cands, data, PlanOptions().weights.move_cost_per_week, 30.0).poll(block=True, timeout=90)
    truth = best_plans(data)
    if starts is None:                     # no plan without shortfall: only over-committed slates
        assert truth.shortfall > 0
        return
    chosen = constraint.to_choice(cands, starts)
    phase = cands.units["phase_id"].to_numpy()
    prod = cands.units["production_id"].to_numpy()
    ours = evaluate(data, {(prod[u], phase[u]): int(cands.combos["start_week"].iat[c]) for u, c in enumerate(chosen)})
    assert ours.feasible, ours.reason
    assert ours.pool_shortfall == 0 and ours.stage_shortfall == 0
    if truth.shortfall == 0 and truth.parts.hire == 0:
        assert ours.money == pytest.approx(truth.money)     # CP-SAT prices everything but hire-in


def test_without_ortools_there_is_no_constraint_search(monkeypatch):
    monkeypatch.setattr(constraint, "available", lambda: False)
    data = TINY_SLATES[0][1]()
    cands = build_candidates(data, PlanOptions())
    assert constraint.launch(cands, data, 1000.0, 1.0).poll(block=True) is None
