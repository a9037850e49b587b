"""Re-planning one sample: the plan after the studio reacts.

The studio reacts in the *reaction week* ``r``: the first week a sample departs from the plan,
which is the planned end of the first phase whose length differs, the planned first week of a
development production that does not go ahead, or the first week a risk takes a resource away,
whichever comes first, and never before the report week (a slate under way is re-planned from it,
as ``planning.optimizer.plan`` does: what has started stays, history counts no capacity). From then on it knows the
sample's lengths and which productions go (the best any reaction can do, so "after reacting" is
an optimistic bound). The slate it re-plans:

- drops the productions that do not go ahead;
- gives every phase its sample length;
- locks every phase that began before ``r`` where it is (it cannot move any more);
- keeps every other phase's planned start as the date it moves from (move cost as usual);
- takes the weeks each drawn risk takes a resource away out of that resource's availability
  (``planning.data.availability.cut``), so what has not begun is planned around them.

The optimizer's quick search (``planning.optimizer.starts.heuristic_start``: greedy orders, local
improvement, the sample as it stands as one start, a few stage repairs) places the rest; it counts
its steps instead of watching the clock, so the same sample always gives the same plan. A sample
with no surprise keeps its dates.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from planning.data.availability import cut, replace_windows, windows_of
from planning.data.inputs import SlateData
from planning.data.progress import from_as_of, from_report_week
from planning.optimizer.candidates import build_candidates
from planning.optimizer.options import PlanOptions
from planning.optimizer.results import schedule_frame
from planning.optimizer.stages import stage_tiers
from planning.optimizer.starts import heuristic_start
from planning.risk.inputs import RiskInputs

REPLAN_ORDERS = 2   # randomised greedy orders beside the fixed ones in each re-plan
REPAIR_ROUNDS = 6   # stage repairs in each re-plan (a count, not a time: the same sample, the same plan)


def reaction_week(inputs: RiskInputs, start: np.ndarray, duration: np.ndarray, goes: np.ndarray,
                  lost: np.ndarray | None = None) -> int | None:
    """The first week sample (``start``, ``duration``, ``goes``, ``lost``: one sample's rows) departs
    from the plan; None when it never does."""
    ends = inputs.planned + inputs.duration
    changed = ends[(duration != inputs.duration) & goes[inputs.prod_of]]
    off = inputs.planned[~goes[inputs.prod_of]]
    taken = inputs.risk_from[lost > 0] if lost is not None else np.zeros(0, np.int64)
    weeks = np.r_[changed, off, taken]
    return max(int(weeks.min()), inputs.now) if len(weeks) else None


def _without_lost_weeks(data: SlateData, inputs: RiskInputs, lost: np.ndarray | None) -> dict[str, pd.DataFrame]:
    """``availability`` and ``resource_calendar`` with the weeks the drawn risks take resources away
    cut out of those resources' windows."""
    t = {"availability": data.availability, "resources": data.resources, "resource_calendar": data.resource_calendar}
    h0, weeks = data.settings.horizon_start, data.settings.horizon_weeks
    for r in np.flatnonzero(lost > 0) if lost is not None else []:
        rid = inputs.rows[inputs.risk_resource[r]]
        first = int(inputs.risk_from[r])
        off_from = h0 + pd.Timedelta(weeks=first)
        off_to = off_from + pd.Timedelta(weeks=int(lost[r])) - pd.Timedelta(days=1)
        replace_windows(t, rid, cut(windows_of(t, rid, h0, weeks), off_from, off_to), h0)
    return {"availability": t["availability"], "resource_calendar": t["resource_calendar"]}


def replanned_slate(data: SlateData, inputs: RiskInputs, start: np.ndarray, duration: np.ndarray,
                    goes: np.ndarray, week: int, lost: np.ndarray | None = None) -> SlateData:
    """The slate the studio re-plans in ``week`` (see the module rules), from the report week
    (``planning.data.progress.from_as_of``)."""
    data = from_as_of(data)
    going = {p for p, g in zip(inputs.productions, goes) if g}

    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["production_id"].isin(going)].reset_index(drop=True)

    rows = inputs.phases.assign(length=duration, sample_start=start, planned_week=inputs.planned,
                                begun=start < week)
    phases = data.phases.merge(rows, on=["production_id", "phase_id"])
    phases["duration_weeks"] = phases["length"].astype("Int64")
    phases["duration_low_weeks"] = phases["duration_high_weeks"] = pd.NA
    when = phases["sample_start"].where(phases["begun"], phases["planned_week"])
    phases["planned_start"] = data.week_start(when.astype("int64")).to_numpy()
    phases["locked"] = (phases["locked"].fillna(False) | phases["begun"]).astype("boolean")
    phases = keep(phases[list(data.phases.columns)])
    return replace(data, productions=keep(data.productions), phases=phases, phase_links=keep(data.phase_links),
                   demands=keep(data.demands), budget_lines=keep(data.budget_lines), risks=keep(data.risks),
                   **_without_lost_weeks(data, inputs, lost))


def replan(data: SlateData, inputs: RiskInputs, start: np.ndarray, duration: np.ndarray, goes: np.ndarray,
           options: PlanOptions, lost: np.ndarray | None = None) -> np.ndarray:
    """New start weeks (one sample's row, phases in ``inputs`` order) after reacting; phases of a
    production that does not go ahead keep theirs (they hold nothing)."""
    week = reaction_week(inputs, start, duration, goes, lost)
    if week is None:
        return start
    slate = from_report_week(replanned_slate(data, inputs, start, duration, goes, week, lost))
    cands = build_candidates(slate, options)
    tiers = stage_tiers(cands, slate)
    as_is = inputs.phases.assign(start_week=start - inputs.now)
    chosen, _ = heuristic_start(cands, tiers, REPLAN_ORDERS, given=as_is, repair_rounds=REPAIR_ROUNDS)
    placed = schedule_frame(cands, chosen).set_index(["production_id", "phase_id"])["start_week"] + inputs.now
    keys = pd.MultiIndex.from_frame(inputs.phases)
    return placed.reindex(keys).fillna(pd.Series(start, index=keys)).to_numpy(np.int64)
