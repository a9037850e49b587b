"""Validation of a slate dataset against the data contract.

``check(raw)`` takes the raw tables as read from files and returns the typed tables together with
*every* problem found, each naming its table, row (by key, or by row number where a table has no
key) and column. Nothing is raised for bad data: callers decide what a problem list means.

Checks, in order: required tables present and non-empty; required columns present; each cell
of the right type, non-empty where required, inside its range or enum; unique keys; references
between tables; then the rules that span cells and rows (each table's ``rules`` in the schema,
listed in docs/data.md): one settings row starting on a Monday, calendar weeks on Mondays, one
target per demand and one row per named resource and phase, stages of capacity 1 that cannot be
hired, hire cost and hire units given together, sizes only on stages, due after the earliest
start, a phase for every production, lags in order, no precedence cycle, windows that hold their
phases, locked phases dated and inside their window and links, and demands some resource can serve.
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter

import pandas as pd

from planning.data.availability import holds_a_week
from planning.data.inputs import (PANDAS_TYPES, Settings, SlateData, coerce, effective_links, empty_frame,
                                  monday_on_or_before, week_index)
from planning.data.progress import from_as_of, tracks_progress
from planning.data.schema import TABLES, Table
from planning.data.windows import bounds, window_weeks


@dataclass(frozen=True)
class Problem:
    table: str
    row: str
    column: str
    message: str

    def __str__(self) -> str:
        where = self.table + (f"[{self.row}]" if self.row else "") + (f".{self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ValidationError(Exception):
    """A dataset that failed validation; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        head = f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the slate data"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in problems))


def row_label(table: Table, frame: pd.DataFrame, i: int) -> str:
    """``P01/shoot`` for keyed tables, ``row 7`` (1-based data row) otherwise."""
    if table.key:
        values = [frame.at[i, k] if k in frame.columns else None for k in table.key]
        if all(v is not None and not pd.isna(v) for v in values):
            return "/".join(str(v.date()) if isinstance(v, pd.Timestamp) else str(v) for v in values)
    if table.name == "demands" and {"production_id", "phase_id"} <= set(frame.columns):
        target = frame.at[i, "resource_id"] if "resource_id" in frame.columns else None
        parts = [frame.at[i, "production_id"], frame.at[i, "phase_id"], target]
        return f"row {i + 1}: " + "/".join(str(p) for p in parts if p is not None and not pd.isna(p))
    return f"row {i + 1}"


def _check_columns(table: Table, raw: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """Type every contract column of one table; report missing columns and bad cells."""
    raw = raw.reset_index(drop=True)
    missing = [c.name for c in table.columns if c.name not in raw.columns]
    for name in missing:
        if not table.column(name).optional:
            problems.append(Problem(table.name, "", name, "missing column"))
    typed = pd.DataFrame(index=raw.index)
    for col in table.columns:
        if col.name in missing:
            typed[col.name] = pd.Series(pd.NA, index=raw.index, dtype=PANDAS_TYPES[col.type])
            continue
        values, bad = coerce(raw[col.name], col.type)
        typed[col.name] = values
        for i in raw.index[bad]:
            problems.append(Problem(table.name, row_label(table, raw, i), col.name,
                                    f"expected {col.type}, got {raw.at[i, col.name]!r}"))
        empty = values.isna() & ~bad
        if not col.nullable:
            for i in raw.index[empty]:
                problems.append(Problem(table.name, row_label(table, raw, i), col.name, "is empty"))
        if col.choices:
            unknown = values.notna() & ~values.isin(col.choices).fillna(False)
            for i in raw.index[unknown]:
                problems.append(Problem(table.name, row_label(table, raw, i), col.name,
                                        f"unknown value {values[i]!r} (expected one of {', '.join(col.choices)})"))
        low = high = pd.Series(False, index=raw.index)
        if col.minimum is not None:
            low = (values < col.minimum).fillna(False)
            for i in raw.index[low]:
                problems.append(Problem(table.name, row_label(table, raw, i), col.name,
                                        f"must be at least {col.minimum:g} (got {values[i]})"))
        if col.maximum is not None:
            high = (values > col.maximum).fillna(False)
            for i in raw.index[high]:
                problems.append(Problem(table.name, row_label(table, raw, i), col.name,
                                        f"must be at most {col.maximum:g} (got {values[i]})"))
        typed[col.name] = values.mask(low | high)          # row rules skip a cell out of range
    if table.key and not any(k in missing for k in table.key):
        keyed = typed[list(table.key)]
        dup = keyed.duplicated(keep="first") & keyed.notna().all(axis=1)
        first_row = {tuple(r): i for i, r in zip(keyed.index[::-1], keyed.values[::-1])}
        for i in typed.index[dup]:
            problems.append(Problem(table.name, row_label(table, typed, i), ",".join(table.key),
                                    f"duplicate key (first seen in row {first_row[tuple(keyed.loc[i])] + 1})"))
    return typed


def _check_references(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    for table in TABLES.values():
        frame = tables[table.name]
        for ref in table.references:
            target = tables[ref.target]
            known = set(map(tuple, target[list(ref.target_columns)].dropna().astype(str).values))
            rows = frame[list(ref.columns)]
            for i in frame.index[rows.notna().all(axis=1)]:
                value = tuple(str(v) for v in rows.loc[i])
                if value not in known:
                    what = "/".join(value)
                    problems.append(Problem(table.name, row_label(table, frame, i), ref.columns[-1],
                                            f"unknown {ref.target} entry {what!r}"))


def _check_rules(t: dict[str, pd.DataFrame], settings: Settings, problems: list[Problem]) -> None:
    add = problems.append
    flagged = {(p.table, p.row, p.column) for p in problems}        # cells already reported (e.g. unreadable)
    horizon_known = not any(p.table == "settings" for p in problems)   # else no week can be told
    T = TABLES
    h0, horizon = settings.horizon_start, settings.horizon_weeks

    cal = t["resource_calendar"]
    for i in cal.index[cal["week_start"].notna() & (cal["week_start"].dt.day_of_week != 0)]:
        add(Problem("resource_calendar", row_label(T["resource_calendar"], cal, i), "week_start",
                    f"{cal.at[i, 'week_start'].date()} is not a Monday"))

    res = t["resources"]
    stages = res[res["kind"] == "stage"]
    for i in stages.index[(stages["capacity"] > 1).fillna(False)]:
        add(Problem("resources", row_label(T["resources"], res, i), "capacity",
                    "a stage is one row of capacity 1 (add one row per stage)"))
    for i in stages.index[(stages["hire_max_units"] > 0).fillna(False)]:
        add(Problem("resources", row_label(T["resources"], res, i), "hire_max_units",
                    "stages cannot be hired in; add an outside stage as its own resource"))
    for i in stages.index[stages["hire_cost_per_week"].notna()]:
        add(Problem("resources", row_label(T["resources"], res, i), "hire_cost_per_week",
                    "stages cannot be hired in; add an outside stage as its own resource"))
    never = res[res["kind"].isin(["talent", "location"]).fillna(False)]
    for i in never.index[(never["hire_max_units"] > 0).fillna(False)]:
        add(Problem("resources", row_label(T["resources"], res, i), "hire_max_units",
                    f"a {never.at[i, 'kind']} cannot be hired in: leave hire_max_units empty or 0"))
    for i in never.index[never["hire_cost_per_week"].notna()]:
        add(Problem("resources", row_label(T["resources"], res, i), "hire_cost_per_week",
                    f"a {never.at[i, 'kind']} cannot be hired in: leave hire_cost_per_week empty"))
    talent = res[(res["kind"] == "talent").fillna(False)]
    for i in talent.index[(talent["capacity"] > 1).fillna(False)]:
        add(Problem("resources", row_label(T["resources"], res, i), "capacity",
                    "a talent is one person (capacity 0 or 1): give each person their own row"))
    pools = res[res["kind"].notna() & (res["kind"] != "stage")]
    for i in pools.index:
        label = row_label(T["resources"], res, i)
        cost, most = pools.at[i, "hire_cost_per_week"], pools.at[i, "hire_max_units"]
        if pools.at[i, "kind"] in ("talent", "location"):
            cost = most = pd.NA                                         # told above
        if pd.isna(cost) and not pd.isna(most) and most > 0 and \
                ("resources", label, "hire_cost_per_week") not in flagged:
            add(Problem("resources", label, "hire_cost_per_week",
                        f"is empty (nothing can be hired) but hire_max_units is {most}: give the cost of a hired "
                        "unit, or leave hire_max_units empty"))
        if not pd.isna(cost) and pd.isna(most) and ("resources", label, "hire_max_units") not in flagged:
            add(Problem("resources", label, "hire_max_units",
                        f"is empty, so hire_cost_per_week ({cost:g}) is never used: give the most units that can "
                        "be hired in a week (0: none), or leave hire_cost_per_week empty"))
        if not pd.isna(pools.at[i, "size"]):
            add(Problem("resources", label, "size",
                        f"only a stage has a floor area (this is a {pools.at[i, 'kind']}): leave size empty"))
    stage_ids = set(stages["resource_id"].dropna())
    for i in cal.index[cal["resource_id"].isin(stage_ids).fillna(False) & (cal["capacity"] > 1).fillna(False)]:
        add(Problem("resource_calendar", row_label(T["resource_calendar"], cal, i), "capacity",
                    "a stage's capacity is 0 or 1"))
    _check_availability(t, problems)

    prods = t["productions"]
    order_ok = prods["latest_start"].isna() | (prods["latest_start"] >= prods["earliest_start"])
    for i in prods.index[~order_ok.fillna(True)]:
        add(Problem("productions", row_label(T["productions"], prods, i), "latest_start",
                    f"is before earliest_start ({prods.at[i, 'earliest_start'].date()})"))
    for i in prods.index[(prods["target_delivery"] < prods["earliest_start"]).fillna(False)]:
        add(Problem("productions", row_label(T["productions"], prods, i), "target_delivery",
                    f"{prods.at[i, 'target_delivery'].date()} is before earliest_start "
                    f"({prods.at[i, 'earliest_start'].date()}): it would be due before it may start"))
    with_phases = set(t["phases"]["production_id"].dropna())
    for i in prods.index[prods["production_id"].notna() & ~prods["production_id"].isin(with_phases)]:
        add(Problem("productions", row_label(T["productions"], prods, i), "production_id",
                    "has no phases: give it at least one row in phases"))

    links = t["phase_links"]
    for i in links.index[(links["max_lag_weeks"] < links["min_lag_weeks"]).fillna(False)]:
        add(Problem("phase_links", row_label(T["phase_links"], links, i), "max_lag_weeks",
                    f"is less than min_lag_weeks ({links.at[i, 'min_lag_weeks']})"))
    for i in links.index[(links["before_phase"] == links["after_phase"]).fillna(False)]:
        add(Problem("phase_links", row_label(T["phase_links"], links, i), "after_phase",
                    "a phase cannot follow itself"))

    dem = t["demands"]
    both = dem["resource_id"].notna() & dem["resource_kind"].notna()
    neither = dem["resource_id"].isna() & dem["resource_kind"].isna()
    for i in dem.index[both]:
        add(Problem("demands", row_label(T["demands"], dem, i), "resource_kind",
                    "give either resource_id or resource_kind, not both"))
    for i in dem.index[neither]:
        add(Problem("demands", row_label(T["demands"], dem, i), "resource_id",
                    "give a resource_id, or resource_kind = stage"))
    for i in dem.index[dem["min_size"].notna() & dem["resource_kind"].isna()]:
        add(Problem("demands", row_label(T["demands"], dem, i), "min_size",
                    "min_size applies only with resource_kind = stage"))
    seen: dict[tuple, int] = {}
    for i in dem.index[dem[["production_id", "phase_id", "resource_id"]].notna().all(axis=1)]:
        key = (dem.at[i, "production_id"], dem.at[i, "phase_id"], dem.at[i, "resource_id"])
        if key in seen:
            add(Problem("demands", row_label(T["demands"], dem, i), "resource_id",
                        f"row {seen[key] + 1} already asks for {key[2]} in this phase: give one row with the "
                        "total units"))
        else:
            seen[key] = i

    # Precedence cycles and windows, per production.
    phases = t["phases"]
    prod_locked = dict(zip(prods["production_id"], prods["locked"]))
    earliest = dict(zip(prods["production_id"], prods["earliest_start"]))
    for pid, group in phases.dropna(subset=["production_id", "phase_id"]).groupby("production_id", sort=False):
        nodes = list(group["phase_id"])
        own = links[(links["production_id"] == pid).fillna(False)].dropna(subset=["before_phase", "after_phase"])
        own = own[own["before_phase"].isin(nodes) & own["after_phase"].isin(nodes)]
        if len(own):
            edges = list(zip(own["before_phase"], own["after_phase"]))
            lags = [int(x) if not pd.isna(x) else 0 for x in own["min_lag_weeks"]]
            link_rows = [(i, None if pd.isna(x) else int(x)) for i, x in zip(own.index, own["max_lag_weeks"])]
        else:
            edges = list(zip(nodes, nodes[1:]))
            lags = [0] * len(edges)
            link_rows = [(None, None)] * len(edges)
        graph = TopologicalSorter({n: [] for n in nodes})
        for a, b in edges:
            graph.add(b, a)
        try:
            order = list(graph.static_order())
        except CycleError as exc:
            cycle = " -> ".join(str(p) for p in exc.args[1])
            add(Problem("phase_links", str(pid), "after_phase", f"the links form a cycle: {cycle}"))
            continue
        # Longest path (weeks) from the production's start to each phase's end.
        dur = {p: (int(d) if not pd.isna(d) else 1) for p, d in zip(group["phase_id"], group["duration_weeks"])}
        finish = {}
        preds: dict[str, list[tuple[str, int]]] = {}
        for (a, b), lag in zip(edges, lags):
            preds.setdefault(b, []).append((a, lag))
        for p in order:
            finish[p] = max([0] + [finish[a] + lag for a, lag in preds.get(p, [])]) + dur[p]
        span = max(finish.values()) if finish else 0
        told = len(problems)
        locked = bool(prod_locked.get(pid, False)) if not pd.isna(prod_locked.get(pid, False)) else False
        first = earliest.get(pid)
        if horizon_known and not locked and first is not None and not pd.isna(first):
            start_week = week_index(first, h0, ceil=True)
            room = horizon - max(start_week, 0)
            if span > room:
                add(Problem("productions", str(pid), "earliest_start",
                            f"window too short: its phases need {span} weeks from earliest_start "
                            f"but only {max(room, 0)} remain in the {horizon}-week horizon"))
        for i in group.index:
            is_locked = bool(group.at[i, "locked"]) if not pd.isna(group.at[i, "locked"]) else False
            label = row_label(T["phases"], phases, i)
            if (is_locked or locked) and pd.isna(group.at[i, "planned_start"]) and \
                    ("phases", label, "planned_start") not in flagged:        # an unreadable date is told once
                add(Problem("phases", label, "planned_start", "a locked phase needs a planned_start"))
        if horizon_known and group["duration_weeks"].notna().all():
            prod = prods[(prods["production_id"] == pid).fillna(False)]
            if len(prod):
                lock_told = _check_locks(group, phases, links, prod.iloc[0], locked, order, edges, lags, link_rows,
                                         settings, add)
                _check_phase_windows(group, phases, prod.iloc[0], locked, order, edges, lags, link_rows, settings,
                                     add, told=lock_told or len(problems) > told)

    # Uncertainty: three-point durations around the duration, ranges low <= high, probabilities.
    ph = t["phases"]
    for i in ph.index:
        d, low, high = ph.at[i, "duration_weeks"], ph.at[i, "duration_low_weeks"], ph.at[i, "duration_high_weeks"]
        label = row_label(T["phases"], ph, i)
        if not pd.isna(d) and not pd.isna(low) and low > d:
            add(Problem("phases", label, "duration_low_weeks", f"is more than duration_weeks ({low} > {d})"))
        if not pd.isna(d) and not pd.isna(high) and high < d:
            add(Problem("phases", label, "duration_high_weeks", f"is less than duration_weeks ({high} < {d})"))
    pr = t["productions"]
    for i in pr.index[(pr["status"].fillna("greenlit") == "greenlit") & pr["greenlight_probability"].notna()]:
        if pr.at[i, "greenlight_probability"] != 1:
            add(Problem("productions", row_label(T["productions"], pr, i), "greenlight_probability",
                        "a greenlit production goes ahead: leave it empty or 1 (or set status development)"))
    rk = t["risks"]
    for low, high in (("delay_low_weeks", "delay_high_weeks"), ("extra_cost_low", "extra_cost_high")):
        for i in rk.index[(rk[low] > rk[high]).fillna(False)]:
            add(Problem("risks", row_label(T["risks"], rk, i), low, f"is more than {high} ({rk.at[i, low]} > "
                        f"{rk.at[i, high]})"))

    _check_progress(t, settings, problems)

    # Demands that no resource can ever serve.
    stage_sizes = stages[(stages["capacity"] >= 1).fillna(False)]["size"]
    for i in dem.index[(dem["resource_kind"] == "stage").fillna(False) & dem["units"].notna()]:
        need = dem.at[i, "min_size"]
        fits = int((stage_sizes >= need).sum()) if not pd.isna(need) else len(stage_sizes)
        if fits < dem.at[i, "units"]:
            size = f" of at least {need:,.0f} sq ft" if not pd.isna(need) else ""
            add(Problem("demands", row_label(T["demands"], dem, i), "min_size" if not pd.isna(need) else "units",
                        f"no stage can serve it: needs {dem.at[i, 'units']} stage(s){size}, the lot has {fits}"))
    by_id = res.dropna(subset=["resource_id"]).drop_duplicates("resource_id").set_index("resource_id")
    peak = cal.dropna(subset=["resource_id", "capacity"]).groupby("resource_id")["capacity"].max()
    for i in dem.index[dem["resource_id"].notna() & dem["units"].notna()]:
        rid = dem.at[i, "resource_id"]
        if rid not in by_id.index or pd.isna(by_id.at[rid, "capacity"]):
            continue
        best = max(int(by_id.at[rid, "capacity"]), int(peak.get(rid, 0)))
        hire = by_id.at[rid, "hire_max_units"]
        if not pd.isna(by_id.at[rid, "hire_cost_per_week"]) and not pd.isna(hire):
            best += int(hire)
        if dem.at[i, "units"] > best:
            add(Problem("demands", row_label(T["demands"], dem, i), "units",
                        f"no resource can serve it: needs {dem.at[i, 'units']} units of {rid}, "
                        f"which never has more than {best} (capacity plus hire-in)"))


def _check_progress(t: dict[str, pd.DataFrame], settings: Settings, problems: list[Problem]) -> None:
    """Where the slate stands on ``settings.as_of`` (the report date; ``horizon_start`` when empty):
    actual dates not after it, an ``actual_end`` only after an ``actual_start`` and not before it, no
    phase started while a phase linked before it has not, an ``expected_end`` only on a running phase
    and not before the report date, no locked phase still to start planned
    before the report week (only when ``as_of`` is given); actuals not posted after it, commitments
    not negative. A settings row whose dates cannot be read (a problem of its own) has no report
    date to compare with: those comparisons wait until it is fixed."""
    add, T = problems.append, TABLES
    report = settings.report_date
    said = "as_of" if settings.as_of is not None else "as_of (empty: horizon_start)"
    s = t["settings"]
    known = not len(s) or bool(s.iloc[0][[c.name for c in T["settings"].columns if not c.nullable]].notna().all())
    ph = t["phases"]
    label = lambda i: row_label(T["phases"], ph, i)                    # noqa: E731
    for column in ("actual_start", "actual_end") if known else ():
        for i in ph.index[(ph[column] > report).fillna(False)]:
            add(Problem("phases", label(i), column, f"{ph.at[i, column].date()} is after {said} ({report.date()}): "
                        "an actual date is one that has passed"))
    for i in ph.index[ph["actual_end"].notna() & ph["actual_start"].isna()]:
        add(Problem("phases", label(i), "actual_end", "a phase that finished has an actual_start: give it"))
    for i in ph.index[(ph["actual_end"] < ph["actual_start"]).fillna(False)]:
        add(Problem("phases", label(i), "actual_end", f"{ph.at[i, 'actual_end'].date()} is before actual_start "
                    f"({ph.at[i, 'actual_start'].date()})"))
    expected = ph["expected_end"].notna()
    for i in ph.index[expected & (ph["actual_start"].isna() | ph["actual_end"].notna())]:
        add(Problem("phases", label(i), "expected_end", "only a running phase (an actual_start, no actual_end) has "
                    "an expected end: leave it empty" + (", the phase has finished" if not pd.isna(ph.at[i, "actual_end"])
                                                          else ", the phase has not started")))
    running = expected & ph["actual_start"].notna() & ph["actual_end"].isna()
    for i in ph.index[(running & (ph["expected_end"] < report)).fillna(False)] if known else ():
        add(Problem("phases", label(i), "expected_end", f"{ph.at[i, 'expected_end'].date()} is before {said} "
                    f"({report.date()}): a phase still running then ends on or after it (or give its actual_end)"))
    started = set(zip(ph.loc[ph["actual_start"].notna(), "production_id"], ph.loc[ph["actual_start"].notna(), "phase_id"]))
    links = t["phase_links"]
    with_links = set(links["production_id"].dropna())
    before: dict[tuple, list] = {}
    for r in links.dropna(subset=["production_id", "before_phase", "after_phase"]).itertuples(index=False):
        before.setdefault((r.production_id, r.after_phase), []).append(r.before_phase)
    for pid, group in ph.dropna(subset=["production_id", "phase_id"]).groupby("production_id", sort=False):
        if pid not in with_links:
            ids = list(group["phase_id"])
            for a, b in zip(ids, ids[1:]):
                before.setdefault((pid, b), []).append(a)
    for i in ph.index[ph["actual_start"].notna() & ph["production_id"].notna() & ph["phase_id"].notna()]:
        key = (ph.at[i, "production_id"], ph.at[i, "phase_id"])
        waiting = [a for a in before.get(key, []) if (key[0], a) not in started]
        if waiting:
            add(Problem("phases", label(i), "actual_start", f"started on {ph.at[i, 'actual_start'].date()} but "
                        f"{', '.join(waiting)}, linked before it, has no actual_start: give it"))
    if settings.as_of is not None:
        prods = t["productions"]
        prod_locked = dict(zip(prods["production_id"], prods["locked"].fillna(False)))
        now = settings.now_week
        locked = ph["locked"].fillna(False) | ph["production_id"].map(prod_locked).fillna(False).astype(bool)
        early = locked & ph["actual_start"].isna() & (week_index(ph["planned_start"], settings.horizon_start) < now)
        for i in ph.index[early.fillna(False)]:
            add(Problem("phases", label(i), "planned_start",
                        f"locked to start {ph.at[i, 'planned_start'].date()}, before the week of as_of "
                        f"({report.date()}), but it has not started: give its actual_start, or plan it from as_of"))
    act = t["actuals"]
    alabel = lambda i: row_label(T["actuals"], act, i)                 # noqa: E731
    for i in act.index[((act["posted"] > report) & known).fillna(False)]:
        add(Problem("actuals", alabel(i), "posted", f"{act.at[i, 'posted'].date()} is after {said} "
                    f"({report.date()}): actuals and commitments are to the report date"))
    for i in act.index[((act["kind"] == "committed") & (act["amount"] < 0)).fillna(False)]:
        add(Problem("actuals", alabel(i), "amount", f"a commitment of {act.at[i, 'amount']:,.2f} is negative: "
                    "give a credit as an actual, or lower the commitment it belongs to"))


def _check_availability(t: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    """``availability``: a window ends on or after it starts and holds a whole week (Monday to
    Sunday); one resource's windows do not overlap; no resource is dated both here and in
    ``resource_calendar``; a talent's or a stage's window has at most 1 unit."""
    add, T = problems.append, TABLES
    av, cal, res = t["availability"], t["resource_calendar"], t["resources"]
    label = lambda i: row_label(T["availability"], av, i)              # noqa: E731
    whole = av.dropna(subset=["available_from", "available_to"])
    for i in whole.index:
        start, end = whole.at[i, "available_from"], whole.at[i, "available_to"]
        monday = start + pd.Timedelta(days=(7 - start.day_of_week) % 7)
        if end < start:
            add(Problem("availability", label(i), "available_to", f"{end.date()} is before available_from "
                        f"({start.date()})"))
        elif not holds_a_week(start, end):
            add(Problem("availability", label(i), "available_to",
                        f"the window {start.date()} to {end.date()} holds no whole week (Monday {monday.date()} to "
                        f"Sunday {(monday + pd.Timedelta(days=6)).date()}): availability counts whole weeks"))
    for rid, group in whole.dropna(subset=["resource_id"]).sort_values("available_from").groupby("resource_id"):
        previous = None
        for i in group.index:
            if previous is not None and group.at[i, "available_from"] <= group.at[previous, "available_to"]:
                add(Problem("availability", label(i), "available_from",
                            f"{rid} is already available from {group.at[previous, 'available_from'].date()} to "
                            f"{group.at[previous, 'available_to'].date()}: windows of one resource do not overlap"))
            if previous is None or group.at[i, "available_to"] > group.at[previous, "available_to"]:
                previous = i
    dated = set(cal["resource_id"].dropna())
    for i in av.index[av["resource_id"].isin(dated).fillna(False)]:
        add(Problem("availability", label(i), "resource_id",
                    f"{av.at[i, 'resource_id']} also has resource_calendar rows: give its weeks in one table"))
    one = set(res.loc[res["kind"].isin(["talent", "stage"]).fillna(False), "resource_id"].dropna())
    for i in av.index[av["resource_id"].isin(one).fillna(False) & (av["units"] > 1).fillna(False)]:
        add(Problem("availability", label(i), "units", "a talent or a stage has at most 1 unit"))


def _check_locks(group: pd.DataFrame, phases: pd.DataFrame, links: pd.DataFrame, prod: pd.Series,
                 prod_locked: bool, order: list, edges: list, lags: list, link_rows: list, settings: Settings,
                 add) -> bool:
    """Locked phases against their production's window and links, in the optimizer's weeks: a
    locked phase starts in its planned week, no phase before the week of earliest_start (rounded
    up to a Monday), a first phase not after the week of latest_start, a locked phase not before
    a locked predecessor ends (plus min lag) nor later than max lag after. True when a problem
    was told."""
    h0 = settings.horizon_start
    ids = list(group["phase_id"])
    label = {p: row_label(TABLES["phases"], phases, i) for p, i in zip(ids, group.index)}
    dur = dict(zip(ids, group["duration_weeks"].astype(int)))
    week = {p: week_index(d, h0) for p, d in zip(ids, group["planned_start"]) if not pd.isna(d)}
    locked = {p for p, flag in zip(ids, group["locked"]) if (prod_locked or (not pd.isna(flag) and flag)) and p in week}
    if not locked:
        return False
    monday = lambda w: (h0 + pd.Timedelta(days=7 * w)).date()             # noqa: E731
    first = None if pd.isna(prod["earliest_start"]) else week_index(prod["earliest_start"], h0, ceil=True)
    last = None if pd.isna(prod["latest_start"]) else week_index(prod["latest_start"], h0)
    preds: dict[str, list] = {}
    told = False
    for (a, b), lag, (row, most) in zip(edges, lags, link_rows):
        preds.setdefault(b, []).append((a, lag))
        if a not in locked or b not in locked:
            continue
        gap = week[b] - week[a] - dur[a]
        where = f"locked {a} ends the week of {monday(week[a] + dur[a])}, locked {b} starts the week of {monday(week[b])}"
        if row is None and gap < 0:
            add(Problem("phases", label[b], "planned_start",
                        f"{where}: a phase cannot start before the phase listed before it ends"))
            told = True
        elif row is not None and gap < lag:
            add(Problem("phase_links", row_label(TABLES["phase_links"], links, row), "min_lag_weeks",
                        f"{where}: {gap} weeks apart, less than min_lag_weeks ({lag})"))
            told = True
        elif row is not None and most is not None and gap > most:
            add(Problem("phase_links", row_label(TABLES["phase_links"], links, row), "max_lag_weeks",
                        f"{where}: {gap} weeks apart, more than max_lag_weeks ({most})"))
            told = True
    for p in ids:
        if p not in locked:
            continue
        if first is not None and week[p] < first:
            add(Problem("phases", label[p], "planned_start",
                        f"locked in the week of {monday(week[p])}, before the first week earliest_start allows "
                        f"(the week of {monday(first)})"))
            told = True
        if last is not None and p not in preds and week[p] > last:
            add(Problem("phases", label[p], "planned_start",
                        f"locked in the week of {monday(week[p])}, after the last week latest_start allows for a "
                        f"first phase (the week of {monday(last)})"))
            told = True
    return told


def _check_phase_windows(group: pd.DataFrame, phases: pd.DataFrame, prod: pd.Series, prod_locked: bool,
                         order: list, edges: list, lags: list, link_rows: list, settings: Settings, add,
                         told: bool) -> None:
    """Each phase's own window (``window_start``, ``window_end``) against its length, its
    production's window, the horizon and its lock; then, unless something was told already, every
    phase must keep a start week that all windows, links (min and max lags) and locks allow
    together (``planning.data.windows.bounds``: exact for these difference constraints)."""
    h0, horizon = settings.horizon_start, settings.horizon_weeks
    ids = list(group["phase_id"])
    label = {p: row_label(TABLES["phases"], phases, i) for p, i in zip(ids, group.index)}
    dur = dict(zip(ids, group["duration_weeks"].astype(int)))
    monday = lambda w: (h0 + pd.Timedelta(days=7 * w)).date()             # noqa: E731
    first = None if pd.isna(prod["earliest_start"]) else week_index(prod["earliest_start"], h0, ceil=True)
    last = None if pd.isna(prod["latest_start"]) else week_index(prod["latest_start"], h0)
    week = {p: week_index(d, h0) for p, d in zip(ids, group["planned_start"]) if not pd.isna(d)}
    locked = {p for p, flag in zip(ids, group["locked"]) if (prod_locked or (not pd.isna(flag) and flag)) and p in week}
    heads = {p for p in ids if not any(b == p for _, b in edges)}
    lo = {p: max([first if first is not None else 0, min([0] + list(week.values()))]) for p in ids}
    hi = {p: horizon - dur[p] for p in ids}
    windowed = set()
    for p, i in zip(ids, group.index):
        w_lo, w_hi = window_weeks(group.at[i, "window_start"], group.at[i, "window_end"], dur[p], h0)
        if w_lo is None and w_hi is None:
            continue
        windowed.add(p)
        where = f"its window ({_day(group.at[i, 'window_start'])} to {_day(group.at[i, 'window_end'])})"
        if w_lo is not None and w_hi is not None and w_hi < w_lo:
            add(Problem("phases", label[p], "window_end", f"{where} is shorter than its {dur[p]} weeks (whole "
                        "weeks, Monday to Sunday)"))
            told = True
            continue
        if w_hi is not None and first is not None and p not in locked and w_hi < first:
            add(Problem("phases", label[p], "window_end", f"{where} ends before the production may start it "
                        f"(earliest_start: the week of {monday(first)})"))
            told = True
        if w_lo is not None and p not in locked and (w_lo > horizon - dur[p] or
                                                      (p in heads and last is not None and w_lo > last)):
            why = (f"after latest_start (the week of {monday(last)})" if p in heads and last is not None
                   and w_lo > last else f"too late to end inside the {horizon}-week horizon")
            add(Problem("phases", label[p], "window_start", f"{where} starts {why}"))
            told = True
        if p in locked and ((w_lo is not None and week[p] < w_lo) or (w_hi is not None and week[p] > w_hi)):
            add(Problem("phases", label[p], "planned_start",
                        f"locked in the week of {monday(week[p])}, outside {where}"))
            told = True
        lo[p] = max(lo[p], w_lo) if w_lo is not None else lo[p]
        hi[p] = min(hi[p], w_hi) if w_hi is not None else hi[p]
    if told or first is None:
        return
    for p in ids:
        if p in locked:
            lo[p] = hi[p] = week[p]
        elif p in heads and last is not None:
            hi[p] = min(hi[p], last)
    links = [(a, b, lag, most) for (a, b), lag, (_, most) in zip(edges, lags, link_rows)]
    es, ls = bounds(ids, dur, links, lo, hi)
    for p in order:
        if ls[p] < es[p]:
            add(Problem("phases", label[p], "window_start" if p in windowed else "duration_weeks",
                        f"no start week is left for its {dur[p]} weeks: the production's window, its phases' "
                        f"windows, links and locked phases need it to start in the week of {monday(es[p])} or "
                        f"later and in the week of {monday(ls[p])} or earlier"))
            return


def _day(value) -> str:
    return "any day" if pd.isna(value) else str(value.date())


def _settings(t: dict[str, pd.DataFrame], problems: list[Problem]) -> Settings:
    s = t["settings"]
    prods = t["productions"]
    if len(s) > 1:
        problems.append(Problem("settings", "row 2", "", f"settings has one row, found {len(s)}"))
    needed = [c.name for c in TABLES["settings"].columns if not c.nullable]
    if len(s) and s.iloc[0][needed].notna().all():
        row = s.iloc[0]
        h0 = pd.Timestamp(row["horizon_start"])
        if h0.weekday() != 0:
            problems.append(Problem("settings", "row 1", "horizon_start", f"{h0.date()} is not a Monday"))
        as_of = None if pd.isna(row["as_of"]) else pd.Timestamp(row["as_of"])
        if as_of is not None and as_of.weekday() != 0:
            problems.append(Problem("settings", "row 1", "as_of", f"{as_of.date()} is not a Monday: the report date "
                                    f"is the Monday of the report week ({monday_on_or_before(as_of).date()})"))
        elif as_of is not None and not 0 <= (as_of - h0).days // 7 < int(row["horizon_weeks"]):
            problems.append(Problem("settings", "row 1", "as_of", f"{as_of.date()} is outside the horizon "
                                    f"({h0.date()}, {int(row['horizon_weeks'])} weeks)"))
        return Settings(h0, int(row["horizon_weeks"]), str(row["currency"]), float(row["financing_rate_annual"]),
                        as_of)
    first = prods["earliest_start"].min()
    h0 = monday_on_or_before(first) if not pd.isna(first) else pd.Timestamp("2000-01-03")
    return Settings(h0, 104, "USD", 0.0)


def check(raw: dict[str, pd.DataFrame | None]) -> tuple[SlateData | None, list[Problem]]:
    """Validate raw tables (``None`` = the file is absent); return typed data and every problem.

    The data is ``None`` whenever a problem was found: a dataset is used whole or not at all.
    """
    problems: list[Problem] = []
    typed: dict[str, pd.DataFrame] = {}
    for name, table in TABLES.items():
        frame = raw.get(name)
        if frame is None:
            if table.required:
                problems.append(Problem(name, "", "", f"required table is missing (expected {name}.parquet or {name}.csv)"))
            typed[name] = empty_frame(table)
            continue
        if table.required and len(frame) == 0:
            problems.append(Problem(name, "", "", "table has no rows"))
        typed[name] = _check_columns(table, frame, problems)
    typed["phases"]["seq"] = typed["phases"].groupby("production_id", dropna=False).cumcount().astype("Int64")
    if not any(p.message.startswith("required table") for p in problems):
        _check_references(typed, problems)
    settings = _settings(typed, problems)
    structural = any(p.message.startswith(("required table", "missing column")) for p in problems)
    if not structural:  # row rules skip empty or mistyped cells, so they run beside cell problems
        _check_rules(typed, settings, problems)
    if problems:
        return None, problems
    fields = {name: typed[name] for name in TABLES if name != "settings"}
    data = SlateData(settings=settings, **fields)
    problems = _check_plan_from_as_of(data) if tracks_progress(data) else []
    return (None, problems) if problems else (data, [])


def _check_plan_from_as_of(data: SlateData) -> list[Problem]:
    """A slate under way still has a plan from its report week: the windows, links and locks of its
    plan from there (``planning.data.progress.from_as_of``: started phases fixed at their actual
    weeks, running ones to their expected end, nothing else before the report week) leave every
    phase a start week inside the horizon (``planning.data.windows.bounds``, exact for these
    difference constraints). Per production, the first refusal names: a phase that has not started
    whose ``window_end`` leaves no start week from the report week on (``window_end``); a first
    phase not started whose ``latest_start`` has passed (``productions.latest_start``); else a phase
    left without a start week, one not started before one started, a locked one or one with a
    ``window_end`` (the limit it was given: ``planned_start``, ``window_end``) before any other
    (``duration_weeks``), the first in link order."""
    slate = from_as_of(data)
    h0, horizon, now = data.settings.horizon_start, data.settings.horizon_weeks, data.settings.now_week
    monday = lambda w: (h0 + pd.Timedelta(days=7 * w)).date()             # noqa: E731
    report = f"the week of as_of ({monday(now)})"
    ph, pr = slate.phases, slate.productions
    started = dict(zip(zip(ph["production_id"], ph["phase_id"]), ph["actual_start"].notna()))
    links = effective_links(slate)
    problems = []
    for pid, group in ph.groupby("production_id", sort=False):
        prod = pr.loc[pr["production_id"] == pid].iloc[0]
        ids = list(group["phase_id"])
        label = {q: row_label(TABLES["phases"], data.phases, i) for q, i in zip(ids, group.index)}
        own = links[links["production_id"] == pid]
        lk = [(a, b, int(lo), None if pd.isna(hi) else int(hi))
              for a, b, lo, hi in zip(own["before_phase"], own["after_phase"], own["min_lag_weeks"], own["max_lag_weeks"])]
        heads = set(ids) - {b for _, b, _, _ in lk}
        dur = dict(zip(ids, group["duration_weeks"].astype(int)))
        latest = None if pd.isna(prod["latest_start"]) else week_index(prod["latest_start"], h0)
        lo, hi, told = {}, {}, None
        for q, i in zip(ids, group.index):
            if group.at[i, "locked"] or prod["locked"]:
                lo[q] = hi[q] = week_index(group.at[i, "planned_start"], h0)
                continue
            lo[q], w_hi = window_weeks(group.at[i, "window_start"], group.at[i, "window_end"], dur[q], h0)
            hi[q] = min([horizon - dur[q]] + ([w_hi] if w_hi is not None else []))
            if w_hi is not None and w_hi < lo[q]:
                told = told or Problem("phases", label[q], "window_end",
                                       f"its window ends {group.at[i, 'window_end'].date()}: it has not started and "
                                       f"no start week is left for its {dur[q]} weeks from {report}")
            if q in heads and latest is not None and latest < lo[q]:
                told = told or Problem("productions", str(pid), "latest_start",
                                       f"{prod['latest_start'].date()} has passed: its first phase {q} has not "
                                       f"started by {report}")
            hi[q] = min(hi[q], latest) if q in heads and latest is not None else hi[q]
        if told is None:
            es, ls = bounds(ids, dur, lk, lo, hi)
            order = list(TopologicalSorter({q: [a for a, b, _, _ in lk if b == q] for q in ids}).static_order())
            row = {q: i for q, i in zip(ids, group.index)}
            column = {q: "planned_start" if group.at[row[q], "locked"] or prod["locked"] else
                      "window_end" if not pd.isna(group.at[row[q], "window_end"]) else "duration_weeks" for q in ids}
            stuck = [q for q in order if es[q] > ls[q]]
            stuck = [q for q in stuck if not started[(pid, q)]] or stuck
            stuck = [q for q in stuck if column[q] != "duration_weeks"] or stuck
            if stuck:
                q = stuck[0]
                told = Problem("phases", label[q], column[q],
                               f"no start week is left for its {dur[q]} weeks in the plan from {report}: the phases "
                               f"that have started (at their actual weeks, a running one to its expected end), the "
                               f"links, windows, locks and the {horizon}-week horizon need it to start in the week "
                               f"of {monday(es[q])} or later and in the week of {monday(ls[q])} or earlier")
        if told is not None:
            problems.append(told)
    return problems
