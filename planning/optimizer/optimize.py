"""``plan``: the optimizer as a user runs it. Candidates, heuristic start, then the two exact
methods inside one time limit: the full time-indexed MIP (``model``, ``solve``) on slates of up to
``SMALL_SLATE`` productions, where it proves plans fastest, and column generation over whole-
production schedules (``columns``) on larger slates, and on small ones when the MIP has not proven
its plan in its share of the time. The best plan and the best bound of either are reported.
``verdict`` says what the result means in plain words."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import pandas as pd

from planning.data.inputs import SlateData
from planning.data.progress import from_as_of, from_report_week
import planning.optimizer.stopping as stopping
from planning.optimizer.constraint import launch as constraint_search
from planning.optimizer.candidates import build_candidates, money
from planning.optimizer.columns import decompose
from planning.optimizer.model import build_model, prune
from planning.optimizer.options import PlanOptions
from planning.optimizer.results import plan_frames
from planning.optimizer.solve import Outcome, solve, within_gap
from planning.optimizer.stages import stage_tiers, start_cost
from planning.optimizer.starts import heuristic_start

MIN_SOLVE_SECONDS = 0.5   # the solver always gets at least this, whatever the heuristic took
HEURISTIC_SHARE = 0.05    # greedy orders are tried for at most this share of the time limit
RESULTS_SHARE = 0.08      # kept back for reading the plan into frames (measured: 2-5 s at 100 productions)
QUICK_SECONDS = 1.0       # below this there is no time for either method: the start is the answer
SMALL_SLATE = 20          # productions: up to this many the full MIP runs first (measured: it proves the sample in 5 s,
                          # where column generation's bound is 3% short; above it the full model is too big to help)
MIP_SHARE = 0.8           # of a small slate's time, for the full MIP; column generation gets the rest if it has not proven
COLUMNS_MIN_SECONDS = 2.0  # column generation after the MIP only with at least this much left


@dataclass
class PlanResult:
    """A solved plan: status, money and its parts, shortfall, bounds, gap, timing, size, and what
    ``planning.plan.build_plan`` makes the ``Plan`` from (``starts``, ``assigned`` stages, ``changes``).

    ``status``: ``optimal`` (least shortfall proven and the money within ``gap`` of the full
    problem's bound), ``feasible`` (a plan with its true gap), ``heuristic`` (the start plan, not
    checked against the best possible: a time limit under ``QUICK_SECONDS``, or the solvers failed). ``objective`` is the money (hire +
    lateness + moves); ``bound`` the least money any plan with that shortfall can cost (None when
    unknown); ``shortfall`` the unit-weeks nobody can cover, ``shortfall_bound`` the fewest any
    plan can have.
    """

    status: str
    objective: float
    parts: dict[str, float]
    bound: float | None
    gap: float | None
    shortfall: int
    shortfall_bound: int
    solve_seconds: float
    variables: int
    constraints: int
    solver: str
    start_objective: float
    start_shortfall: int
    neighbourhoods: int = 0
    method: str = "heuristic"
    starts: pd.DataFrame = field(default_factory=pd.DataFrame)
    assigned: pd.DataFrame = field(default_factory=pd.DataFrame)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)

    def summary(self) -> dict:
        """The ``summary.json`` keys (and a saved scenario's), ``verdict`` in plain words."""
        out = {"status": self.status, "objective": self.objective, "parts": self.parts, "bound": self.bound,
               "gap": self.gap, "shortfall_unit_weeks": self.shortfall,
               "shortfall_least_possible": self.shortfall_bound, "solve_seconds": self.solve_seconds,
               "variables": self.variables, "constraints": self.constraints, "solver": self.solver,
               "start_objective": self.start_objective, "start_shortfall": self.start_shortfall,
               "neighbourhoods": self.neighbourhoods, "method": self.method}
        out["verdict"] = verdict(out)
        return out


def verdict(summary: dict) -> str:
    """What a result means, in the user's words: how good the plan is, and what it cannot cover."""
    status, gap = summary.get("status"), summary.get("gap")
    if status == "optimal":
        text = "best possible plan" if not gap or gap < 5e-4 else f"best possible plan (within {gap:.1%})"
    elif status == "feasible" and gap is not None:
        text = f"good plan, within {gap:.1%} of the best possible"
    else:
        text = "quick search: not checked against the best possible"
    short, least = summary.get("shortfall_unit_weeks", 0), summary.get("shortfall_least_possible", 0)
    if short:
        proof = "proven least possible" if least >= short else f"at least {least} cannot be avoided"
        text += f"; {short} unit-weeks short ({proof})"
    return text


def plan(data: SlateData, options: PlanOptions | None = None, progress=None,
         start: pd.DataFrame | None = None) -> PlanResult:
    """The best plan within ``options.time_limit`` seconds (everything included).

    ``start`` (optional, a schedule: production_id, phase_id, start_week) is a plan to start from,
    e.g. the baseline of a what-if. ``progress`` (optional) is called with ``{"stage":
    "heuristic"|"building"|"shortfall"|"solving"|"searching"|"done", "elapsed": s, "gap": g}``.
    Raises ``stopping.Stopped`` when the process shuts down meanwhile (``stopping.stop_all``).

    A slate under way is planned from its report week (``planning.data.progress.from_as_of``:
    started phases fixed at their actual weeks, nothing else before the report week, moves counted
    from the plan from there), on its weeks from the report week on (``from_report_week``: what
    ran before counts against no capacity); the result's weeks are the slate's (``starts`` name
    every phase, a started one at its actual start week).
    """
    with stopping.active():
        stopping.check()
        slate = from_as_of(data)
        now = slate.settings.now_week
        given = None if start is None else start.assign(start_week=start["start_week"] - now)
        return _later(_plan(from_report_week(slate), options, progress, given, slate), now)


def _later(result: PlanResult, weeks: int) -> PlanResult:
    """``result`` with its weeks (starts, changes) ``weeks`` later."""
    if weeks == 0:
        return result
    changes = result.changes.assign(first_week=result.changes["first_week"] + weeks,
                                    last_week=result.changes["last_week"] + weeks)
    return replace(result, starts=result.starts.assign(start_week=result.starts["start_week"] + weeks), changes=changes)


def _plan(data: SlateData, options: PlanOptions | None, progress, start: pd.DataFrame | None,
          whole: SlateData) -> PlanResult:
    options = options or PlanOptions()
    t0 = time.perf_counter()
    deadline = t0 + options.time_limit
    report = progress or (lambda info: None)
    tell = lambda stage, gap=None: report({"stage": stage, "elapsed": time.perf_counter() - t0, "gap": gap})  # noqa: E731
    tell("heuristic")
    cands = build_candidates(data, options)
    tiers = stage_tiers(cands, data)
    chosen, parts = heuristic_start(cands, tiers, options.heuristic_orders, given=start,
                                       seconds=HEURISTIC_SHARE * options.time_limit)
    stopping.check()
    methods = []
    if options.time_limit < QUICK_SECONDS:     # no time for the model to say anything: the start, labelled so
        outcome, size = Outcome(chosen=chosen, solver="heuristic", shortfall=int(parts["shortfall"]),
                                shortfall_bound=0, money=money(parts), money_bound=None), (0, 0)
    else:
        solve_by = max(deadline - RESULTS_SHARE * options.time_limit, time.perf_counter() + MIN_SOLVE_SECONDS)
        outcome, size = None, (0, 0)
        if len(cands.productions) <= SMALL_SLATE:
            tell("building")
            active = prune(cands, money(parts), chosen) if parts["shortfall"] == 0 else None
            model = build_model(cands, tiers, active)
            stopping.check()
            mip_by = t0 + MIP_SHARE * (solve_by - t0)
            outcome = solve(model, chosen, parts, options, mip_by, tell,
                            lambda seconds: constraint_search(cands, data, options.weights.move_cost_per_week, seconds))
            size = (model.prob.numVariables(), model.prob.numConstraints())
            methods.append("full model")
        if outcome is None or (not _proven(outcome, options.gap) and solve_by - time.perf_counter() >= COLUMNS_MIN_SECONDS):
            found = decompose(cands, tiers, chosen if outcome is None else outcome.chosen, options, solve_by, tell)
            outcome = _merge(outcome, found)
            size = size if size[0] else (found.columns, found.rows)
            methods.append("column generation")
    built = plan_frames(data, cands, outcome.chosen, whole)
    cost = start_cost(cands, tiers, outcome.chosen)
    shortfall, money_parts = cost["shortfall"], {k: cost[k] for k in ("hire", "lateness", "moves")}
    objective = money(money_parts)
    bound, gap, status = judge(outcome, objective, shortfall, options.gap)
    seconds = time.perf_counter() - t0
    tell("done", gap)
    return PlanResult(status=status, objective=objective, parts=money_parts, bound=bound, gap=gap,
                      shortfall=int(shortfall), shortfall_bound=int(min(outcome.shortfall_bound, shortfall)),
                      solve_seconds=seconds, variables=size[0], constraints=size[1], solver=outcome.solver,
                      start_objective=money(parts), start_shortfall=int(parts["shortfall"]),
                      neighbourhoods=outcome.neighbourhoods, method=" + ".join(methods) or "heuristic", **built)


def judge(outcome: Outcome, objective: float, shortfall: int, gap: float) -> tuple[float | None, float | None, str]:
    """``(bound, gap, status)`` of the plan the solvers chose (``outcome``), whose money ``objective``
    and ``shortfall`` are evaluated again from its starts. The money bound holds only at the shortfall
    it was proven for (else None) and is never above the plan's money; the gap is ``(objective -
    bound) / objective`` (0 for a plan that costs nothing; None without a bound). ``heuristic`` when no
    solver ran; ``optimal`` when the least shortfall is proven and the gap is within ``gap`` (1e-6 of
    float noise allowed); else ``feasible``."""
    bound = None if outcome.money_bound is None or shortfall != outcome.shortfall else min(objective, outcome.money_bound)
    found = None if bound is None else (0.0 if objective <= 1e-9 else max(0.0, (objective - bound) / objective))
    if outcome.solver == "heuristic":
        return bound, found, "heuristic"
    proven_least = outcome.shortfall_bound >= shortfall
    return bound, found, "optimal" if proven_least and found is not None and found <= gap + 1e-6 else "feasible"


def _proven(outcome: Outcome, gap: float) -> bool:
    """Least shortfall proven and the money within ``gap`` of its bound."""
    return outcome.shortfall_bound >= outcome.shortfall and within_gap(outcome.money, outcome.money_bound, gap + 1e-9)


def _merge(outcome: Outcome | None, found) -> Outcome:
    """The better plan (least shortfall, then money) of the full MIP's ``outcome`` and column
    generation's ``found``, with the best bound of either. A money bound holds for plans with at
    most its own plan's shortfall, and the better plan has no more than either, so both hold."""
    mine = Outcome(chosen=found.chosen, solver="highs", shortfall=int(found.parts["shortfall"]),
                   shortfall_bound=found.shortfall_bound, money=money(found.parts), money_bound=found.money_bound,
                   neighbourhoods=found.neighbourhoods)
    if outcome is None:
        return mine
    best = min((outcome, mine), key=lambda o: (o.shortfall, o.money))
    bounds = [b for b in (outcome.money_bound, mine.money_bound) if b is not None]
    return Outcome(chosen=best.chosen, solver=best.solver, shortfall=best.shortfall,
                   shortfall_bound=max(outcome.shortfall_bound, mine.shortfall_bound), money=best.money,
                   money_bound=max(bounds) if bounds else None,
                   neighbourhoods=outcome.neighbourhoods + mine.neighbourhoods)
