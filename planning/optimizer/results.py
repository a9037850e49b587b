"""What the optimizer hands to ``planning.plan.build_plan``: the chosen starts, the exact stage
assignment (``planning.analysis.capacity.assign_stages``) and what it changed and why. The plan
is evaluated once, by ``build_plan``: allocation, utilization and the hire-in and shortfall runs
(``planning.analysis.changes.capacity_changes``) come from there.

``changes``: change (moved|stage|hire|shortfall), production_id, phase_id, resource_id,
first_week, last_week, amount (weeks moved, or units), detail (why, where it can be told).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.analysis.capacity import CLASS_PREFIX, assign_stages, resource_label, stage_bookings
from planning.analysis.changes import CHANGE_COLUMNS
from planning.data.inputs import week_start
from planning.optimizer.candidates import cell_load


def schedule_frame(cands, chosen: np.ndarray) -> pd.DataFrame:
    """Start and end week of every phase under the chosen combos, with its move from its planned
    start (0 for a phase without one: it has nothing to move from)."""
    place = cands.placements[cands.placements["combo"].isin(chosen)]
    s = cands.phases.merge(place[["production_id", "phase_id", "start_week"]], on=["production_id", "phase_id"])
    s = s.sort_values(["production_id", "seq"]).reset_index(drop=True)
    s["end_week"] = s["start_week"] + s["duration"]
    s["moved_weeks"] = (s["start_week"] - s["planned_week"]).where(s["dated"], 0)
    return s


def _move_reasons(data, cands, chosen: np.ndarray, sched: pd.DataFrame) -> dict[int, str]:
    """Why each moved phase is not at its planned week, by unit.

    Put the phase back at its planned week with everything else as chosen: if that week is outside
    its window the reason is the window; if it breaks a link with a phase of its production, the
    link; if it would overload a resource beyond capacity plus hire, that resource and those weeks;
    if it only needs more hire-in, the hire it avoids; a phase moved earlier cuts lateness; else the
    move makes room for others. Resources by name, weeks by their Monday.
    """
    names = dict(zip(data.resources["resource_id"].astype(str), data.resources["name"].astype(str)))
    names.update({rid: resource_label(rid, names) for rid in cands.rows["row_id"].astype(str)})
    monday = lambda w: f"{week_start(int(w), data.settings.horizon_start):%d %b %Y}"  # noqa: E731
    co = cands.combos
    start = co["start_week"].to_numpy()
    phase_of = cands.units["phase_id"].to_numpy()
    load = cell_load(cands, chosen)
    cap = cands.capacity.ravel()
    hmax = np.repeat(cands.rows["hire_max"].to_numpy(np.int64), cands.weeks)
    out = {}
    for r in sched[sched["moved_weeks"] != 0].itertuples(index=False):
        u = r.unit
        back = co[(co["unit"] == u) & (co["start_week"] == r.planned_week)]
        if back.empty:
            out[u] = "window: the planned week is outside the production's window"
            continue
        broken = []
        for lk in cands.links[(cands.links["before_unit"] == u) | (cands.links["after_unit"] == u)].itertuples():
            sb = r.planned_week if lk.before_unit == u else start[chosen[lk.before_unit]]
            sa = r.planned_week if lk.after_unit == u else start[chosen[lk.after_unit]]
            gap = sa - sb - lk.before_duration
            if gap < lk.min_lag or (not pd.isna(lk.max_lag) and gap > lk.max_lag):
                broken.append(phase_of[lk.after_unit if lk.before_unit == u else lk.before_unit])
        if broken:
            out[u] = f"link: it keeps its order with {', '.join(sorted(set(broken)))}, which moved"
            continue
        c0 = int(back["combo"].iat[0])
        delta = np.zeros(cap.size)
        for c, sign in ((int(chosen[u]), -1), (c0, 1)):
            m = cands.cover_combo == c
            delta += sign * np.bincount(cands.cover_cell[m], weights=cands.cover_units[m], minlength=cap.size)
        new = load + delta
        over = (new > cap + hmax) & (delta > 0)
        more_hire = (np.minimum(np.maximum(0, new - cap), hmax) > np.minimum(np.maximum(0, load - cap), hmax))
        if over.any():
            cells = np.flatnonzero(over)
            rid = cands.cell_label(int(cells[0]))[0]
            weeks = sorted(cands.cell_label(int(c))[1] for c in cells if cands.cell_label(int(c))[0] == rid)
            out[u] = (f"capacity: {names.get(rid, rid)} would be over from the week of {monday(weeks[0])} to the "
                      f"week of {monday(weeks[-1])} at the planned week")
        elif more_hire.any():
            cells = np.flatnonzero(more_hire)
            rid = cands.cell_label(int(cells[0]))[0]
            out[u] = f"cost: the planned week needs more hire-in of {names.get(rid, rid)} ({len(cells)} week(s))"
        elif r.start_week < r.planned_week:
            out[u] = "lateness: earlier to finish sooner"
        else:
            out[u] = ("room: back at its planned week it alone overloads no pool; the move frees stages or room "
                      "for other productions")
    return out


def changes_frame(data, cands, chosen, sched, bookings, assigned) -> pd.DataFrame:
    """What the optimizer chose: moved phases (with why) and stages chosen for size bookings."""
    reasons = _move_reasons(data, cands, chosen, sched)
    rows = []
    for r in sched[sched["moved_weeks"] != 0].itertuples(index=False):
        rows.append({"change": "moved", "production_id": r.production_id, "phase_id": r.phase_id,
                     "resource_id": "", "first_week": int(r.start_week), "last_week": int(r.end_week - 1),
                     "amount": int(r.moved_weeks), "detail": reasons.get(r.unit, "")})
    st = assigned.merge(bookings, on="booking")
    for r in st[st["stage"].isna()].itertuples(index=False):
        placed = not r.resource_id.startswith(CLASS_PREFIX)
        rows.append({"change": "stage", "production_id": r.production_id, "phase_id": r.phase_id,
                     "resource_id": r.resource_id, "first_week": int(r.first_week), "last_week": int(r.end_week - 1),
                     "amount": 1, "detail": f"any stage of at least {r.min_size:,.0f} sq ft"
                     + ("" if placed else ": no stage free for the whole booking")})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def plan_frames(data, cands, chosen: np.ndarray, whole=None) -> dict[str, pd.DataFrame]:
    """The chosen combos as what ``planning.plan.build_plan`` needs: ``starts``, ``assigned``
    stages and the optimizer's ``changes`` (moves and stage choices), in the weeks of ``data``.
    ``whole`` (optional) is the slate ``data`` sees from its report week
    (``planning.data.progress.from_report_week``): stages are assigned on it, history included."""
    sched = schedule_frame(cands, chosen)
    starts = sched[["production_id", "phase_id", "start_week"]].astype({"production_id": str, "phase_id": str})
    bookings = stage_bookings(data, starts)
    if whole is None:
        assigned = assign_stages(data, bookings)
    else:
        later = whole.settings.now_week - data.settings.now_week
        assigned = assign_stages(whole, bookings.assign(first_week=bookings["first_week"] + later,
                                                        end_week=bookings["end_week"] + later))
    return {"starts": starts, "assigned": assigned,
            "changes": changes_frame(data, cands, chosen, sched, bookings, assigned)}
