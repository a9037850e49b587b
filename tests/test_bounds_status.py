"""The optimizer's bound, gap and status logic, below any solver: what a run proved becomes the
plan's bound, gap and status (``optimize.judge``), when a search may stop (``_proven``,
``solve.within_gap``), which bound counts (``solve.money_bound``, ``least_shortfall``,
``cbc_bound``), the better of two methods' plans (``_merge``) and what the result says in words
(``verdict``). Every figure is worked by hand; each rule is tested at its edge. A false "optimal"
or a bound above the true optimum is what these tests are here to catch."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from planning.optimizer.optimize import PlanResult, _merge, _proven, judge, verdict
from planning.optimizer.solve import Outcome, cbc_bound, least_shortfall, money_bound, within_gap


def outcome(money=100.0, bound=90.0, shortfall=0, least=0, solver="highs", chosen=(0,), steps=0) -> Outcome:
    return Outcome(chosen=np.array(chosen), solver=solver, shortfall=shortfall, shortfall_bound=least, money=money,
                   money_bound=bound, neighbourhoods=steps)


# --- judge: the plan's bound, gap and status ----------------------------------------------------------

def test_a_plan_within_the_gap_of_its_bound_is_optimal_and_one_just_outside_is_feasible():
    assert judge(outcome(), 100.0, 0, 0.1) == (90.0, pytest.approx(0.1), "optimal")     # exactly at the gap
    assert judge(outcome(), 100.0, 0, 0.1 - 2e-6) == (90.0, pytest.approx(0.1), "feasible")
    assert judge(outcome(), 100.0, 0, 0.1 - 0.5e-6)[2] == "optimal"                     # float noise allowed
    assert judge(outcome(bound=100.0), 100.0, 0, 0.0) == (100.0, 0.0, "optimal")
    assert judge(outcome(money=1e6, bound=1e6 - 1), 1e6, 0, 0.0) == (1e6 - 1, 1e-6, "optimal")   # 1e-6 exactly


def test_the_bound_is_never_above_the_plan_and_the_gap_never_negative():
    bound, gap, status = judge(outcome(bound=120.0), 100.0, 0, 0.0)
    assert (bound, gap, status) == (100.0, 0.0, "optimal")


def test_the_plan_is_costed_again_and_a_bound_counts_only_at_its_own_shortfall():
    """The solvers' money bound was proven for plans of their shortfall (2): the plan evaluated again
    at 3 unit-weeks short has no bound, no gap and is not optimal."""
    assert judge(outcome(shortfall=2, least=2), 100.0, 3, 0.5) == (None, None, "feasible")
    assert judge(outcome(shortfall=2, least=2), 100.0, 2, 0.5) == (90.0, pytest.approx(0.1), "optimal")
    assert judge(outcome(money=80.0, bound=85.0), 90.0, 0, 0.0) == (85.0, pytest.approx(5 / 90), "feasible")


def test_optimal_needs_the_least_shortfall_proven():
    assert judge(outcome(shortfall=2, least=1), 100.0, 2, 0.5)[2] == "feasible"
    assert judge(outcome(shortfall=2, least=2), 100.0, 2, 0.5)[2] == "optimal"
    assert judge(outcome(shortfall=2, least=3), 100.0, 2, 0.5)[2] == "optimal"


def test_a_plan_that_costs_nothing_has_no_gap_and_without_a_bound_there_is_none():
    assert judge(outcome(money=0.0, bound=0.0), 0.0, 0, 0.0) == (0.0, 0.0, "optimal")
    assert judge(outcome(money=0.0, bound=0.0), 1e-9, 0, 0.0) == (0.0, 0.0, "optimal")
    assert judge(outcome(money=0.0, bound=0.0), 2e-9, 0, 0.0) == (0.0, 1.0, "feasible")
    assert judge(outcome(bound=None), 100.0, 0, 1.0) == (None, None, "feasible")


def test_without_a_solver_the_plan_is_heuristic_whatever_it_carries():
    assert judge(outcome(bound=None, solver="heuristic"), 100.0, 0, 1.0) == (None, None, "heuristic")
    assert judge(outcome(bound=100.0, solver="heuristic"), 100.0, 0, 1.0) == (100.0, 0.0, "heuristic")
    assert judge(outcome(solver="cbc"), 100.0, 0, 0.1)[2] == "optimal"


# --- when a search stops -------------------------------------------------------------------------------

def test_proven_needs_the_least_shortfall_and_money_within_the_gap():
    assert _proven(outcome(), 0.1)
    assert not _proven(outcome(), 0.0999998)
    assert _proven(outcome(), 0.1 - 0.5e-9)                  # float noise
    assert not _proven(outcome(bound=None), 1.0)
    assert not _proven(outcome(shortfall=2, least=1), 1.0)
    assert _proven(outcome(shortfall=2, least=2), 0.1)
    assert _proven(outcome(money=0.0, bound=-5.0), 0.0)


def test_within_gap_at_its_edge():
    assert within_gap(100.0, 90.0, 0.1) and not within_gap(100.0, 90.0, 0.0999)
    assert within_gap(100.0, 100.0, 0.0) and within_gap(100.0, 101.0, 0.0)
    assert not within_gap(100.0, None, 1.0)
    assert within_gap(0.0, -1.0, 0.0) and within_gap(1e-9, -1.0, 0.0) and not within_gap(2e-9, 0.0, 0.0)


# --- which bound counts --------------------------------------------------------------------------------

def test_the_best_money_bound_is_the_highest_proven_and_the_constraint_models_only_without_shortfall():
    assert money_bound([], None, 0) is None
    assert money_bound([10.0, 30.0, 20.0], None, 0) == 30.0
    assert money_bound([10.0, 30.0], 35.0, 0) == 35.0
    assert money_bound([10.0, 30.0], 35.0, 1) == 30.0          # its model has no shortfall: not a bound here
    assert money_bound([], 35.0, 1) is None
    assert money_bound([], 0.0, 0) == 0.0                      # a bound of 0 is a bound
    assert money_bound([40.0], 35.0, 0) == 40.0


def test_the_least_shortfall_is_the_bound_rounded_up_to_whole_unit_weeks():
    assert least_shortfall(5, None) == 0                        # nothing proven: none is unavoidable
    assert least_shortfall(5, 2.0) == 2
    assert least_shortfall(5, 2.0000005) == 2                   # float noise
    assert least_shortfall(5, 2.01) == 3
    assert least_shortfall(5, 1.0 + 2e-6) == 2
    assert least_shortfall(5, -3.0) == 0
    assert least_shortfall(5, 7.5) == 5                         # never above the plan's own
    assert least_shortfall(0, 0.0) == 0


CBC_LOG = """Cbc0010I After 100 nodes, 3 on tree, 120 best solution, best possible 80 (0.50 seconds)
Cbc0010I After 200 nodes, 1 on tree, 110 best solution, best possible 95.5 (0.90 seconds)
"""


def test_cbc_bound_from_its_log():
    assert cbc_bound(CBC_LOG, 110.0, 0.0) == 95.5                               # the last best possible
    assert cbc_bound("Lower bound:  101.25\nbest possible 99\n", 110.0, 0.0) == 101.25    # Lower bound first
    assert cbc_bound("Lower bound: 90\nLower bound: 97.5\n", 110.0, 0.0) == 97.5
    assert cbc_bound("Lower bound: -1.5e+02\n", 0.0, 0.0) == -150.0
    assert cbc_bound("Cbc0010I best possible 1.5E+02 (0.2 seconds)", 0.0, 0.0) == 150.0
    assert cbc_bound("nothing useful", 110.0, 0.0) is None
    optimal = "Result - Optimal solution found\n"
    assert cbc_bound(optimal, 200.0, 0.01) == pytest.approx(198.0)               # proven within its gap
    assert cbc_bound(optimal, -100.0, 0.1) == pytest.approx(-110.0)
    assert cbc_bound(optimal + "Lower bound: 199.5\n", 200.0, 0.01) == 199.5      # the higher of the two
    assert cbc_bound(optimal + "Lower bound: 150\n", 200.0, 0.01) == pytest.approx(198.0)
    assert cbc_bound("Result - Stopped on time\nbest possible 150", 200.0, 0.01) == 150.0


# --- the better plan of two methods --------------------------------------------------------------------

def found(hire=0.0, lateness=0.0, moves=0.0, short=0, least=0, bound=None, steps=0, chosen=(1,)):
    return SimpleNamespace(chosen=np.array(chosen), parts={"hire": hire, "lateness": lateness, "moves": moves,
                                                            "shortfall": short},
                           shortfall_bound=least, money_bound=bound, neighbourhoods=steps)


def test_merge_takes_the_plan_with_least_shortfall_then_money_and_the_best_bound_of_either():
    mip = outcome(money=100.0, bound=80.0, shortfall=1, least=0, steps=2, chosen=(0,))
    cheaper = found(hire=50.0, lateness=20.0, moves=5.0, short=1, least=1, bound=70.0, steps=3)
    m = _merge(mip, cheaper)
    assert (m.money, m.shortfall, list(m.chosen), m.solver) == (75.0, 1, [1], "highs")
    assert (m.money_bound, m.shortfall_bound, m.neighbourhoods) == (80.0, 1, 5)
    less_short = found(hire=500.0, short=0, bound=None)
    m = _merge(mip, less_short)
    assert (m.money, m.shortfall, list(m.chosen), m.money_bound) == (500.0, 0, [1], 80.0)
    dearer = found(hire=120.0, short=1, bound=90.0)
    m = _merge(outcome(money=100.0, bound=None, shortfall=1, solver="cbc"), dearer)
    assert (m.money, list(m.chosen), m.solver, m.money_bound) == (100.0, [0], "cbc", 90.0)
    tie = _merge(outcome(money=75.0, bound=None, shortfall=1, solver="cbc"), found(hire=75.0, short=1))
    assert tie.solver == "cbc" and tie.money_bound is None                 # a tie keeps the full model's plan


def test_merge_without_a_full_model_is_column_generations_answer():
    m = _merge(None, found(hire=10.0, lateness=2.0, moves=1.0, short=3, least=2, bound=9.0, steps=4))
    assert (m.money, m.shortfall, m.shortfall_bound, m.money_bound, m.neighbourhoods, m.solver) == \
        (13.0, 3, 2, 9.0, 4, "highs")


# --- what the result says -------------------------------------------------------------------------------

@pytest.mark.parametrize("summary, says", [
    ({"status": "optimal", "gap": 0.0}, "best possible plan"),
    ({"status": "optimal", "gap": None}, "best possible plan"),
    ({"status": "optimal", "gap": 0.000499}, "best possible plan"),
    ({"status": "optimal", "gap": 0.012}, "best possible plan (within 1.2%)"),
    ({"status": "feasible", "gap": 0.034}, "good plan, within 3.4% of the best possible"),
    ({"status": "feasible", "gap": 0.0}, "good plan, within 0.0% of the best possible"),
    ({"status": "feasible", "gap": None}, "quick search: not checked against the best possible"),
    ({"status": "heuristic", "gap": 0.0}, "quick search: not checked against the best possible"),
    ({"status": "optimal", "gap": 0.0, "shortfall_unit_weeks": 5, "shortfall_least_possible": 5},
     "best possible plan; 5 unit-weeks short (proven least possible)"),
    ({"status": "optimal", "gap": 0.0, "shortfall_unit_weeks": 5, "shortfall_least_possible": 6},
     "best possible plan; 5 unit-weeks short (proven least possible)"),
    ({"status": "feasible", "gap": 0.1, "shortfall_unit_weeks": 5, "shortfall_least_possible": 4},
     "good plan, within 10.0% of the best possible; 5 unit-weeks short (at least 4 cannot be avoided)"),
    ({"status": "heuristic", "shortfall_unit_weeks": 2},
     "quick search: not checked against the best possible; 2 unit-weeks short (at least 0 cannot be avoided)"),
    ({"status": "optimal", "gap": 0.0, "shortfall_unit_weeks": 0, "shortfall_least_possible": 0},
     "best possible plan"),
])
def test_verdict_in_words(summary, says):
    assert verdict(summary) == says


def test_verdict_at_the_rounding_edge():
    assert verdict({"status": "optimal", "gap": 0.0005}) == "best possible plan (within 0.1%)"   # 0.05% shown as 0.1%


def test_summary_names_every_figure_as_saved():
    result = PlanResult(status="feasible", objective=120.0, parts={"hire": 100.0, "lateness": 20.0, "moves": 0.0},
                        bound=100.0, gap=1 / 6, shortfall=3, shortfall_bound=2, solve_seconds=4.5, variables=70,
                        constraints=40, solver="cbc", start_objective=150.0, start_shortfall=4, neighbourhoods=7,
                        method="full model", starts=pd.DataFrame())
    assert result.summary() == {
        "status": "feasible", "objective": 120.0, "parts": {"hire": 100.0, "lateness": 20.0, "moves": 0.0},
        "bound": 100.0, "gap": 1 / 6, "shortfall_unit_weeks": 3, "shortfall_least_possible": 2,
        "solve_seconds": 4.5, "variables": 70, "constraints": 40, "solver": "cbc", "start_objective": 150.0,
        "start_shortfall": 4, "neighbourhoods": 7, "method": "full model",
        "verdict": "good plan, within 16.7% of the best possible; 3 unit-weeks short (at least 2 cannot be avoided)"}
