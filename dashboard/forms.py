"""The What-if form's widget values for a saved scenario, so it can be reopened, adjusted and saved
again. Pure: a Scenario and the slate in, widget keys and values out (no Streamlit)."""

from __future__ import annotations

import datetime

from planning.data.inputs import SlateData
from planning.scenarios.types import Scenario

DEPTHS = ("quick (about 3 s)", "thorough (up to 20 s)")   # the What-if search: state.WHATIF_OPTIONS, DEFAULT_OPTIONS

LATENESS_WEIGHTS = (0.25, 0.5, 1.0, 2.0, 4.0)
MOVE_COSTS = (0, 500, 1000, 5000, 20000)
SLIP_RANGE = (-8, 16)
OVERAGE_RANGE = (0, 30)
AVAILABILITY_SHIFT_RANGE = (-26, 26)
DATED_KINDS = ("talent", "location")     # people and places: changed by availability, not by a capacity slider


def pool_ids(data: SlateData) -> list[str]:
    """The resources the What-if pool sliders offer: crews, equipment and facilities without
    availability windows (a stage, a person or a place, or a resource with windows is changed otherwise)."""
    res = data.resources
    windows = set(data.availability["resource_id"])
    keep = ~res["kind"].isin(("stage",) + DATED_KINDS) & ~res["resource_id"].isin(windows)
    return list(res.loc[keep, "resource_id"])


def whatif_values(scenario: Scenario, data: SlateData, quick: bool) -> tuple[dict, list[str]]:
    """``(values, cannot)``: the What-if widgets' values (by key) that rebuild ``scenario``, and what
    in it the form cannot show (it is then not opened: saving from the form would drop it)."""
    res = data.resources
    stage_sizes = set(res.loc[res["kind"] == "stage", "size"].dropna())
    pools = set(pool_ids(data))
    values: dict = {f"wi_stage_{int(s)}": 0 for s in stage_sizes} | {f"wi_pool_{r}": 0 for r in pools}
    cannot = []
    for c in scenario.stages:
        if c.size in stage_sizes:
            values[f"wi_stage_{int(c.size)}"] = c.count
        else:
            cannot.append(f"stages of {c.size:,.0f} sq ft (the lot has none of that size)")
    for c in scenario.capacity:
        if c.pct or c.first_week is not None or c.last_week is not None or c.resource_id not in pools:
            cannot.append(f"the change to {c.resource_id} (a share, a range of weeks or a stage)")
        else:
            values[f"wi_pool_{c.resource_id}"] = c.delta
    slips = {p: w for p, w in scenario.slips.items() if w}
    if len(slips) > 1 or any(not SLIP_RANGE[0] <= w <= SLIP_RANGE[1] for w in slips.values()):
        cannot.append("more than one slip, or a slip beyond the slider")
    who, weeks = next(iter(slips.items()), ("(none)", 0))
    values |= {"wi_slip_who": who, "wi_slip": weeks}
    dated = set(res.loc[res["kind"].isin(DATED_KINDS), "resource_id"])
    values |= {"wi_avail_who": "(none)", "wi_avail_shift": 0, "wi_avail_off": ()}
    changes = scenario.availability
    if len(changes) > 1 or any(c.resource_id not in dated or not AVAILABILITY_SHIFT_RANGE[0] <= c.shift_weeks
                               <= AVAILABILITY_SHIFT_RANGE[1] for c in changes):
        cannot.append("more than one availability change, one beyond the form, or one of a resource that is "
                      "not a person or a place")
    elif changes:
        c = changes[0]
        values |= {"wi_avail_who": c.resource_id, "wi_avail_shift": c.shift_weeks,
                   "wi_avail_off": (datetime.date.fromisoformat(c.off_from), datetime.date.fromisoformat(c.off_to))
                   if c.off_from and c.off_to else ()}
    if scenario.locks or scenario.phase_locks:
        cannot.append("locks (set them on the Plan page)")
    if scenario.moves:
        cannot.append("phases moved by hand (move them on the Slate page)")
    if not OVERAGE_RANGE[0] <= scenario.overage_pct <= OVERAGE_RANGE[1] or scenario.overage_pct != int(scenario.overage_pct):
        cannot.append(f"a budget overage of {scenario.overage_pct:g}%")
    lateness = scenario.weights.get("lateness", 1.0)
    moves = scenario.weights.get("moves", 1000)
    if lateness not in LATENESS_WEIGHTS or moves not in MOVE_COSTS:
        cannot.append("weights the sliders do not offer")
    values |= {"wi_hire": scenario.hire_allowed, "wi_overage": int(scenario.overage_pct), "wi_late": lateness,
               "wi_moves": int(moves), "wi_depth": DEPTHS[0] if quick else DEPTHS[1],
               "wi_stage_rent": int(scenario.added_costs.get("stage", 0)),
               "wi_unit_cost": int(scenario.added_costs.get("unit", 0)), "wi_name": scenario.name, "wi_note": scenario.note, "wi_replace": True}
    return values, cannot
