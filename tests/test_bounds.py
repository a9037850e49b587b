"""Reported bounds and statuses against optima found without the optimizer.

``bound <= objective`` holds for any solver by construction; what a user relies on is that the
bound is never above the TRUE optimum and that "optimal" is said only of a plan within the gap of
it. Checked wherever a true optimum is known independently:

- tiny slates: the brute-force oracle (``tests/bruteforce.py``), at the default gap and options and
  under short time limits (below ``QUICK_SECONDS`` the quick plan is all there is);
- PSPLIB j30 instances: their published optimal makespans (``tests/data/psplib/optimum.csv``), under
  time limits short enough to stop the solver before it proves anything, and at a loose gap;
- multi-project instances (two PSPLIB projects sharing R1..R4, ``benchmarks/multiproject.py``):
  the optimum proved by an independent CP-SAT model (``benchmarks/cpsat_worker.py``) in a worker
  process (OR-Tools and ``highspy`` clash in one process).

The invariants (``assert_honest``), for the money ``truth`` of the best plan of least shortfall:
shortfall_bound <= true least shortfall <= shortfall; bound <= truth <= objective when the plan has
the least shortfall (a money bound holds for every plan with no more shortfall than the plan's own,
so bound <= truth whenever a bound is given); the reported gap is never smaller than the true gap;
"optimal" only with the least shortfall and ``objective - truth <= gap * objective``; "heuristic"
has no bound. Each solve takes seconds; the heavy runs are in ``benchmarks/``.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import pytest

from benchmarks import multiproject
from benchmarks.psplib import optima, read_sm, to_slate
from bruteforce import TINY_SLATES, best_plans, evaluate
from planning.optimizer import PlanOptions, plan
from planning.optimizer.optimize import QUICK_SECONDS
from planning.plan import from_result

FOLDER = Path(__file__).resolve().parent / "data" / "psplib"   # PSPLIB j30 instances and their proven optima
EPS = 1e-6


def assert_honest(result, least_shortfall: int, truth: float, gap: float) -> None:
    """``result`` (a PlanResult) says nothing the true optimum (``least_shortfall``, then ``truth``
    money) contradicts, at relative ``gap``."""
    assert result.shortfall_bound <= least_shortfall <= result.shortfall
    if result.bound is not None:
        assert result.bound <= truth + EPS, f"bound {result.bound} above the true optimum {truth}"
    if result.shortfall == least_shortfall:
        assert result.objective >= truth - EPS, f"objective {result.objective} below the true optimum {truth}"
        if result.gap is not None and result.objective > EPS:
            assert result.gap >= (result.objective - truth) / result.objective - EPS, "the reported gap is too small"
    if result.status == "optimal":
        assert result.shortfall == least_shortfall, "optimal with more shortfall than the least possible"
        assert result.objective - truth <= gap * result.objective + EPS, \
            f"optimal at {result.objective}, more than {gap:.0%} above the true optimum {truth}"
    elif result.status == "heuristic":
        assert result.bound is None and result.gap is None
    else:
        assert result.status == "feasible"


# --- tiny slates against the brute-force oracle


@pytest.fixture(scope="module")
def truths():
    """name -> (data, the oracle's optimum), each solved once."""
    return {name: (data, best_plans(data)) for name, data in ((name, build()) for name, build in TINY_SLATES)}


@pytest.mark.parametrize("options", [PlanOptions(), PlanOptions(time_limit=1.0), PlanOptions(time_limit=0.5)],
                         ids=["default", "1s", "quick"])
@pytest.mark.parametrize("name", [name for name, _ in TINY_SLATES])
def test_tiny_slates_bounds_and_status_against_the_true_optimum(name, options, truths):
    data, truth = truths[name]
    result = plan(data, options)
    assert_honest(result, truth.shortfall, truth.money, options.gap)
    starts = result.starts
    ours = evaluate(data, {(p, q): s for p, q, s in zip(starts["production_id"], starts["phase_id"], starts["start_week"])})
    assert ours.feasible, ours.reason
    assert (ours.shortfall, ours.money) == (result.shortfall, pytest.approx(result.objective))   # the money is the plan's
    if options.time_limit < QUICK_SECONDS:
        assert result.status == "heuristic"
    if options == PlanOptions():          # these slates prove in well under a second of the default minute
        assert result.status == "optimal"


# --- PSPLIB: a single project, lateness 1 a week from week 0, so the money is the makespan


@pytest.mark.parametrize("instance, options", [
    ("j301_1", PlanOptions(time_limit=20)),              # as `slate solve` runs it (proves in about a second)
    ("j301_1", PlanOptions(time_limit=20, gap=0.1)),     # stops at a plan proven within 10%, its bound below 43
    ("j301_1", PlanOptions(time_limit=1.0)),             # stopped before any proof
    ("j3013_1", PlanOptions(time_limit=8.0)),            # hard: a plan above 58 and a bound far below it
    ("j3013_2", PlanOptions(time_limit=3.0)),            # hard: a plan above 62, usually no bound yet
], ids=["j301_1-default", "j301_1-gap10", "j301_1-1s", "j3013_1-8s", "j3013_2-3s"])
def test_psplib_bound_never_above_the_known_optimum(instance, options):
    known = optima(FOLDER)[instance]
    data = to_slate(read_sm(FOLDER / f"{instance}.sm"))
    result = plan(data, options)
    assert_honest(result, 0, float(known), options.gap)
    makespan = int(from_result(data, result).schedule["end_week"].max())
    assert result.objective == makespan >= known                 # the money is the makespan, never below optimum


# --- multi-project instances against an independent CP-SAT model in its own process


def arrivals(inst) -> int:
    return sum(p.arrival for p in inst.projects)


@functools.cache
def reference(name: str):
    """The instance and CP-SAT's proven optimum of it (its sum of completion weeks)."""
    inst = multiproject.build(name, dict(multiproject.SPECS)[name], FOLDER)
    ref = multiproject.cpsat_optimum(inst, time_limit=20, workers=1)      # proves these in about a second
    assert ref["problems"] == [] and ref["proven"], ref["status"]
    return inst, ref["objective"]


@pytest.mark.skipif(importlib.util.find_spec("ortools") is None, reason="OR-Tools is not installed")
@pytest.mark.parametrize("name, options", [
    ("mp1", PlanOptions(time_limit=6)),                  # the default gap, stopped before the proof
    ("mp1", PlanOptions(time_limit=20, gap=0.3)),        # with the constraint search, a loose gap
    ("mp3", PlanOptions(time_limit=6)),
    ("mp10", PlanOptions(time_limit=8)),                 # three projects: a plan a few % above, a gap of about 10%
], ids=["mp1-6s", "mp1-gap30", "mp3-6s", "mp10-8s"])
def test_multiproject_bound_never_above_the_cpsat_optimum(name, options):
    inst, optimum = reference(name)
    # each production is due in its arrival week at 1 a week: money = sum of completions - sum of arrivals
    truth = optimum - arrivals(inst)
    data = multiproject.to_slate(inst)
    result = plan(data, options)
    assert_honest(result, 0, float(truth), options.gap)
    schedule = from_result(data, result).schedule
    assert multiproject.check_schedule(inst, schedule) == []
    assert result.objective == sum(multiproject.completions(inst, schedule).values()) - arrivals(inst)
