"""What the Slate timeline component (``dashboard.components.timeline``) shows of a plan: one bar per
phase (or per stage or resource booking), in rows grouped by production, format, status, stage or
resource; the planned dates of a production that moved (dashed), each production's target delivery
(a diamond, red when it delivers later) and the weeks outside the horizon (shaded). Pure: a plan in,
lists of plain dicts out (no Streamlit).

A phase can be dragged unless it is locked, a lock a move by hand made aside; a whole production
unless one of its phases is so locked (``planning.scenarios.apply``: moves by hand)."""

from __future__ import annotations

import pandas as pd

from dashboard.moves import first_dated
from planning.analysis.stageboard import UNPLACED
from planning.data.inputs import week_start
from planning.plan import Plan

GROUPINGS = {"production": "Production", "format": "Format", "status": "Status", "stage": "Stage",
             "resource": "Resource (people, places, crew, kit, post)"}
POOL_ORDER = ["talent", "location", "crew", "equipment", "facility"]


def phase_rows(plan: Plan, moves: dict[str, str]) -> pd.DataFrame:
    """One row per phase of ``plan``: its schedule columns, title, format, status (greenlit or
    development), ``moved`` (by hand: a key of ``moves``, the scenario's moves), ``phase_draggable``,
    ``production_draggable`` and ``production_start``: the start of the phase a whole-production move
    places (``moves.first_dated``)."""
    prods = plan.data.productions[["production_id", "title", "format", "status"]]
    rows = plan.schedule.merge(prods, on="production_id")
    by_hand = rows["production_id"].isin(moves) | (rows["production_id"] + "/" + rows["phase_id"]).isin(moves)
    rows["moved"] = (rows["production_id"] + "/" + rows["phase_id"]).isin(moves)
    rows["phase_draggable"] = ~rows["locked"] | by_hand
    rows["production_draggable"] = rows.groupby("production_id")["phase_draggable"].transform("all")
    anchor = {pid: g.at[first_dated(g), "start"] for pid, g in rows.groupby("production_id")}
    rows["production_start"] = rows["production_id"].map(anchor)
    return rows


def _day(ts) -> str:
    return pd.Timestamp(ts).date().isoformat()


def _tip(r, start=None, end=None, part: str = "") -> str:
    """``P05 · Glass Harbor: shoot, 08 Mar 2027 to 10 May 2027 (locked)``: the phase (or booking) in words."""
    state = " (moved by hand, locked)" if r.moved else " (locked)" if r.locked else ""
    start, end = pd.Timestamp(r.start if start is None else start), pd.Timestamp(r.end if end is None else end)
    return f"{r.production_id} · {r.title}: {r.phase_id}{part}, {start:%d %b %Y} to {end:%d %b %Y}{state}"


def _item(r, group: str, item_id: str, label: str, start=None, end=None, part: str = "") -> dict:
    return {"id": item_id, "group": group, "start": _day(r.start if start is None else start),
            "end": _day(r.end if end is None else end), "kind": r.kind, "label": label,
            "tip": _tip(r, start, end, part), "locked": bool(r.locked), "moved": bool(r.moved),
            "production_id": r.production_id, "phase_id": r.phase_id, "phase_start": _day(r.start),
            "production_start": _day(r.production_start), "phase_draggable": bool(r.phase_draggable),
            "production_draggable": bool(r.production_draggable)}


def _weeks(span: pd.Timedelta) -> str:
    n = span.days // 7
    return f"{n} week{'' if n == 1 else 's'}"


def _bookings(plan: Plan, rows: pd.DataFrame, group_by: str) -> list[dict]:
    """One bar per stage (or non-stage resource) a phase holds, over the weeks it holds it: a stage's
    set build and strike included, so the rows read as the stage board."""
    if group_by == "stage":
        held = plan.stage_board
    else:
        kind = plan.data.resources.set_index("resource_id")["kind"]
        held = plan.allocation[plan.allocation["resource_id"].map(kind).isin(POOL_ORDER)]
    spans = held.groupby(["resource_id", "production_id", "phase_id"])["week"].agg(["min", "max"]).reset_index()
    h0 = plan.data.settings.horizon_start
    by_phase = {(r.production_id, r.phase_id): r for r in rows.itertuples(index=False)}
    out = []
    for s in spans.itertuples(index=False):
        r = by_phase.get((s.production_id, s.phase_id))
        if r is None:                  # a production the filters leave out
            continue
        start, end = week_start(int(s.min), h0), week_start(int(s.max) + 1, h0)
        extra = [f"from {_weeks(r.start - start)} before"] if start < r.start else []
        extra += [f"until {_weeks(end - r.end)} after"] if end > r.end else []
        part = f" (booked {', '.join(extra)})" if extra else ""
        out.append(_item(r, s.resource_id, f"{s.production_id}/{s.phase_id}@{s.resource_id}",
                         f"{s.production_id} {s.phase_id}", start, end, part))
    return out


def _groups(plan: Plan, rows: pd.DataFrame, group_by: str, used: set[str]) -> list[dict]:
    """The rows of the timeline in order: productions by first start; formats and statuses by name;
    stages largest first (then unplaced bookings); pools by kind (talent, location, crew, equipment,
    facility) and id."""
    if group_by == "production":
        first = rows.groupby("production_id").agg(start=("start", "min"), title=("title", "first")).sort_values("start")
        return [{"id": pid, "label": f"{pid} · {r.title}", "tip": f"{pid} · {r.title}", "order": i}
                for i, (pid, r) in enumerate(first.iterrows())]
    if group_by in ("format", "status"):
        return [{"id": v, "label": v, "tip": f"{GROUPINGS[group_by]}: {v}", "order": i}
                for i, v in enumerate(sorted(set(rows[group_by].astype(str))))]
    res = plan.data.resources
    if group_by == "stage":
        stages = res[res["kind"] == "stage"].sort_values(["size", "resource_id"], ascending=[False, True])
        out = [{"id": r.resource_id, "label": f"{r.name} ({r.size:,.0f} sq ft)", "tip": f"{r.name} ({r.resource_id})"}
               for r in stages.itertuples()]
        out.append({"id": UNPLACED, "label": "Unplaced bookings", "tip": "Stage bookings no stage of their size was free for"})
    else:
        pools = res[res["kind"].isin(POOL_ORDER)].assign(rank=lambda f: f["kind"].map(POOL_ORDER.index))
        out = [{"id": r.resource_id, "label": str(r.name), "tip": f"{r.name} ({r.resource_id}, {r.kind})"}
               for r in pools.sort_values(["rank", "resource_id"]).itertuples()]
    return [dict(g, order=i) for i, g in enumerate(g for g in out if g["id"] in used)]


def productions_shown(plan: Plan, formats: list[str], statuses: list[str], uses: list[str]) -> set[str]:
    """The productions the filters keep: of these formats and statuses (all when a list is empty) and,
    when ``uses`` names stages or resources, holding one of them in some week."""
    prods = plan.data.productions
    keep = pd.Series(True, index=prods.index)
    if formats:
        keep &= prods["format"].isin(formats)
    if statuses:
        keep &= prods["status"].isin(statuses)
    shown = set(prods.loc[keep, "production_id"])
    if uses:
        users = set(plan.allocation.loc[plan.allocation["resource_id"].isin(uses), "production_id"])
        users |= set(plan.stage_board.loc[plan.stage_board["resource_id"].isin(uses), "production_id"])
        shown &= users
    return shown


def timeline_data(plan: Plan, group_by: str, shown: set[str], moves: dict[str, str],
                  planned: pd.DataFrame | None = None) -> dict:
    """The component's ``items``, ``groups``, ``backgrounds``, ``markers`` and ``window`` for the
    productions ``shown`` of ``plan``, rows grouped ``group_by`` (a key of ``GROUPINGS``). With
    ``planned`` (the planned dates' schedule) and rows by production, a production whose phases
    moved from their planned dates has its planned span drawn dashed behind its bars."""
    rows = phase_rows(plan, moves)
    rows = rows[rows["production_id"].isin(shown)]
    if group_by in ("stage", "resource"):
        items = _bookings(plan, rows, group_by)
    else:
        items = [_item(r, r.production_id if group_by == "production" else str(getattr(r, group_by)),
                       f"{r.production_id}/{r.phase_id}", r.phase_id if group_by == "production" else
                       f"{r.production_id} {r.phase_id}") for r in rows.itertuples(index=False)]
    s = plan.data.settings
    h0, h1 = s.horizon_start, week_start(s.horizon_weeks, s.horizon_start)
    earliest = min([h0] + [pd.Timestamp(i["start"]) for i in items]) - pd.Timedelta(weeks=26)
    latest = max([h1] + [pd.Timestamp(i["end"]) for i in items]) + pd.Timedelta(weeks=26)
    backgrounds = [{"id": "before horizon", "group": None, "start": _day(earliest), "end": _day(h0),
                    "label": "before the planning horizon", "cls": "outside"},
                   {"id": "after horizon", "group": None, "start": _day(h1), "end": _day(latest),
                    "label": "after the planning horizon", "cls": "outside"}]
    markers = []
    if group_by == "production":
        if planned is not None:
            was = planned.merge(rows[["production_id", "phase_id", "start"]], on=["production_id", "phase_id"],
                                suffixes=("", "_now"))
            moved = set(was.loc[was["start"] != was["start_now"], "production_id"])
            for pid, g in was[was["production_id"].isin(moved)].groupby("production_id"):
                backgrounds.append({"id": f"planned:{pid}", "group": pid, "start": _day(g["start"].min()),
                                    "end": _day(g["end"].max()), "label": "planned dates", "cls": "planned"})
        target = plan.data.productions.set_index("production_id")["target_delivery"]
        for pid, finish in rows.groupby("production_id")["end"].max().items():
            due = pd.Timestamp(target[pid])
            markers.append({"id": f"target:{pid}", "group": pid, "date": _day(due), "late": bool(finish > due),
                            "tip": f"{pid}: target delivery {due:%d %b %Y}, delivers {pd.Timestamp(finish):%d %b %Y}"})
    used = {i["group"] for i in items}
    return {"items": items, "groups": _groups(plan, rows, group_by, used), "backgrounds": backgrounds,
            "markers": markers, "window": {"start": _day(h0 - pd.Timedelta(weeks=4)), "end": _day(h1)}}
