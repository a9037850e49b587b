"""Large-neighbourhood search on the built model, in HiGHS: free a few productions (or a window of
weeks), fix every other phase where the incumbent has it, re-solve briefly, keep improvements.

The model is built once; a neighbourhood only changes the bounds of the choice columns ``y``
(``changeColsBounds``) and hands HiGHS the incumbent as its start, so each step costs a presolve
and a small search, not a rebuild. The search only ever supplies plans: the bound reported is the
full model's (``planning.optimizer.solve``).

Neighbourhoods, in turn:

- *shared resource* (slates of three productions or more): one production, picked at random with
  weight on what it costs (lateness, moves), and up to ``k - 1`` others that hold a capacity row
  in the same weeks;
- *window*: every phase whose block touches a random window of weeks (about ``4 + 2k`` phases);
- *handful*: ``4 + 2k`` phases at random.

``k`` grows while sub-problems are solved to optimality without improving, and shrinks when they
run out of time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

from planning.optimizer.highs import SolverError, run


@dataclass
class Columns:
    """Where the choice columns sit in the HiGHS model, and their bounds outside any neighbourhood."""

    y_col: np.ndarray       # column of each active combo
    y_combo: np.ndarray     # the combo of each of those columns
    y_unit: np.ndarray      # its unit
    upper: np.ndarray       # 1, or 0 where pruned


def _related(cands, chosen: np.ndarray) -> dict[str, set[str]]:
    """Productions that hold a capacity row in the same weeks as each production, in ``chosen``."""
    mask = np.isin(cands.cover_combo, chosen)
    prod = cands.combos["production_id"].to_numpy()[cands.cover_combo[mask]]
    by_cell: dict[int, set] = {}
    for cell, p in zip(cands.cover_cell[mask].tolist(), prod.tolist()):
        by_cell.setdefault(cell, set()).add(p)
    out: dict[str, set[str]] = {p: set() for p in cands.productions["production_id"]}
    for group in by_cell.values():
        if len(group) > 1:
            for p in group:
                out[p] |= group
    for p in out:
        out[p].discard(p)
    return out


def neighbourhood(cands, chosen: np.ndarray, related: dict[str, set[str]], k: int, step: int,
                  rng: np.random.Generator) -> np.ndarray:
    """The units to free in one step, by turns: a shared-resource group of productions (when the
    slate has several), a window of weeks, a random handful of phases. ``related``:
    ``_related(cands, chosen)``. The window and the handful hold about ``4 + 2k`` phases."""
    units = cands.units
    prods = cands.productions["production_id"].to_numpy()
    kinds = ("group", "window", "handful") if len(prods) > 2 else ("window", "handful")
    kind = kinds[step % len(kinds)]
    size = min(len(units), 4 + 2 * k)
    if kind == "group":
        co = cands.combos.iloc[chosen]
        weight = (co.groupby("production_id")[["move_cost", "late_cost"]].sum().sum(axis=1)
                  .reindex(prods).fillna(0).to_numpy())
        weight = None if weight.sum() <= 0 else 0.5 * weight / weight.sum() + 0.5 / len(prods)
        seed = rng.choice(prods, p=weight)
        near = sorted(related[seed])
        picked = {seed} | set(rng.permutation(near)[: max(0, k - 1)].tolist()) if near else {seed}
        return units.index[units["production_id"].isin(picked)].to_numpy()
    if kind == "handful":
        return rng.permutation(len(units))[:size]
    start = cands.combos["start_week"].to_numpy()[chosen]
    end = cands.combos["end_week"].to_numpy()[chosen]
    lo_all, hi_all = int(start.min()), int(end.max())
    width = max(2, int(np.ceil((hi_all - lo_all) * size / len(units))))
    lo = int(rng.integers(lo_all, max(lo_all + 1, hi_all - width + 1)))
    return np.flatnonzero((start < lo + width) & (end > lo))


def fix_outside(h: highspy.Highs, cols: Columns, chosen: np.ndarray, free_units: np.ndarray) -> None:
    """Bounds of the choice columns: free units take their usual bounds, every other unit is held
    at its incumbent combo (``y = 1`` there, 0 elsewhere)."""
    free = np.isin(cols.y_unit, free_units)
    held = chosen[cols.y_unit] == cols.y_combo
    lower = np.where(free, 0.0, held.astype(float))
    upper = np.where(free, cols.upper, held.astype(float))
    h.changeColsBounds(len(cols.y_col), cols.y_col.astype(np.int32), lower, upper)


def release(h: highspy.Highs, cols: Columns) -> None:
    """Every choice column back to its usual bounds."""
    h.changeColsBounds(len(cols.y_col), cols.y_col.astype(np.int32), np.zeros(len(cols.y_col)), cols.upper)


def search(h: highspy.Highs, cols: Columns, cands, incumbent: np.ndarray, objective: float, deadline: float,
           on_improve, money_of, seed: int = 0, stall: int = 12) -> tuple[np.ndarray, float, int, int]:
    """Neighbourhood steps until ``deadline`` or ``stall`` steps in a row without improvement.

    ``incumbent`` is a full column vector, ``objective`` its money (``money_of(values)``, computed
    from the solution, never taken from the solver). ``on_improve(values, objective)``
    is called with every better plan (it may tighten ``cols.upper``). Returns ``(values, objective,
    steps, improvements)``.
    """
    rng = np.random.default_rng(seed)
    k, steps, better, quiet = 3, 0, 0, 0
    n_prod = len(cands.productions)
    chosen = choice_of(cols, incumbent, len(cands.units))
    related = _related(cands, chosen)
    while time.perf_counter() < deadline - 0.2 and quiet < stall:
        free_units = neighbourhood(cands, chosen, related, k, steps, rng)
        steps += 1
        if len(free_units) == 0:
            continue
        fix_outside(h, cols, chosen, free_units)
        h.setOptionValue("time_limit", max(0.05, min(deadline - time.perf_counter(), 0.5 + 0.1 * k)))
        h.setOptionValue("mip_rel_gap", 1e-6)
        h.setSolution(len(incumbent), np.arange(len(incumbent), dtype=np.int32), incumbent)
        try:
            proven = run(h, "neighbourhood")
        except SolverError:
            quiet += 1
            continue
        found = np.asarray(h.getSolution().col_value, dtype=float)
        value = money_of(found)
        if value < objective - 1e-6 * max(1.0, abs(objective)):
            incumbent, objective = found, value
            chosen = choice_of(cols, incumbent, len(cands.units))
            related = _related(cands, chosen)
            better, quiet = better + 1, 0
            on_improve(incumbent, objective)
        else:
            quiet += 1
            k = min(n_prod, k + 1) if proven else max(2, k - 1)
    release(h, cols)
    return incumbent, objective, steps, better


def choice_of(cols: Columns, values: np.ndarray, n_units: int) -> np.ndarray:
    """The combo each unit takes in a column vector (its largest ``y``)."""
    v = values[cols.y_col]
    order = np.lexsort((-v, cols.y_unit))
    first = np.searchsorted(cols.y_unit[order], np.arange(n_units))
    return cols.y_combo[order][first]
