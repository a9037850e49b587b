"""Validation of a slate dataset against the data contract.

``check(raw)`` takes the raw tables as read from files and returns the typed tables together with
*every* problem found, each naming its table, row (by key, or by row number where a table has no
key) and column. Nothing is raised for bad data: callers decide what a problem list means.

Checks, in order: required tables present and non-empty; required columns present; each cell
of the right type, non-empty where required, inside its range or enum; unique keys; references
between tables; then the rules that span rows: one settings row starting on a Monday, calendar
weeks on Mondays, one target per demand, stages of capacity 1, lags in order, no precedence cycle,
windows that hold their phases, locked phases dated, and demands some resource can serve.
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter

import pandas as pd

from planning.data.inputs import PANDAS_TYPES, Settings, SlateData, coerce, empty_frame, monday_on_or_before, week_index
from planning.data.schema import TABLES, Table


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
            return "/".join(str(v) for v in values)
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
    stage_ids = set(stages["resource_id"].dropna())
    for i in cal.index[cal["resource_id"].isin(stage_ids).fillna(False) & (cal["capacity"] > 1).fillna(False)]:
        add(Problem("resource_calendar", row_label(T["resource_calendar"], cal, i), "capacity",
                    "a stage's capacity is 0 or 1"))

    prods = t["productions"]
    order_ok = prods["latest_start"].isna() | (prods["latest_start"] >= prods["earliest_start"])
    for i in prods.index[~order_ok.fillna(True)]:
        add(Problem("productions", row_label(T["productions"], prods, i), "latest_start",
                    f"is before earliest_start ({prods.at[i, 'earliest_start'].date()})"))

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
        else:
            edges = list(zip(nodes, nodes[1:]))
            lags = [0] * len(edges)
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


def _settings(t: dict[str, pd.DataFrame], problems: list[Problem]) -> Settings:
    s = t["settings"]
    prods = t["productions"]
    if len(s) > 1:
        problems.append(Problem("settings", "row 2", "", f"settings has one row, found {len(s)}"))
    if len(s) and s.iloc[0].notna().all():
        row = s.iloc[0]
        h0 = pd.Timestamp(row["horizon_start"])
        if h0.weekday() != 0:
            problems.append(Problem("settings", "row 1", "horizon_start", f"{h0.date()} is not a Monday"))
        return Settings(h0, int(row["horizon_weeks"]), str(row["currency"]), float(row["financing_rate_annual"]))
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
    return SlateData(settings=settings, **fields), []
