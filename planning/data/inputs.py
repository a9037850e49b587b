"""Validated, typed slate data and the calendar arithmetic every other module shares.

``SlateData`` holds one typed pandas frame per table of the data contract (``planning.data.schema``).
Types after coercion: ``str`` -> pandas string, ``int`` -> ``Int64``, ``float`` -> ``Float64``,
``bool`` -> ``boolean``, ``date`` -> ``datetime64`` at midnight. Phases keep their listed order in
a ``seq`` column (0, 1, ... within a production).

Weeks: week ``w`` is the week starting ``horizon_start + 7*w`` days (a Monday). A date falls in
week ``floor((date - horizon_start).days / 7)``; an ``earliest_start`` that is not a Monday rounds
*up* to the next Monday, so no phase starts before it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from graphlib import TopologicalSorter

import numpy as np
import pandas as pd

from planning.data.schema import TABLES, Table


@dataclass(frozen=True)
class Settings:
    horizon_start: pd.Timestamp
    horizon_weeks: int
    currency: str
    financing_rate_annual: float
    as_of: pd.Timestamp | None = None      # the report date (a Monday); None: no report date given

    @property
    def report_date(self) -> pd.Timestamp:
        """``as_of``, or ``horizon_start`` when none is given."""
        return self.horizon_start if self.as_of is None else self.as_of

    @property
    def now_week(self) -> int:
        """The week of the report date: weeks before it are history, the plan runs from it."""
        return (self.report_date - self.horizon_start).days // 7


@dataclass(frozen=True)
class SlateData:
    productions: pd.DataFrame
    phases: pd.DataFrame
    phase_links: pd.DataFrame
    resources: pd.DataFrame
    resource_calendar: pd.DataFrame
    availability: pd.DataFrame
    demands: pd.DataFrame
    budget_lines: pd.DataFrame
    incentives: pd.DataFrame
    actuals: pd.DataFrame
    estimates: pd.DataFrame
    risks: pd.DataFrame
    settings: Settings

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table as a frame in contract columns (``settings`` as one row)."""
        out = {name: getattr(self, name) for name in TABLES if name != "settings"}
        settings = pd.DataFrame([vars(self.settings)])
        settings["as_of"] = pd.Series([self.settings.as_of], dtype="datetime64[us]")
        out["settings"] = settings
        return out

    def week_of(self, dates: pd.Series | pd.Timestamp) -> pd.Series | int:
        """Week index of each date (floor): the week that contains it."""
        return week_index(dates, self.settings.horizon_start)

    def week_start(self, weeks):
        """The Monday of each week index."""
        return week_start(weeks, self.settings.horizon_start)


def week_index(dates, horizon_start: pd.Timestamp, ceil: bool = False):
    """``floor`` (or ``ceil``) of ``(date - horizon_start).days / 7``; keeps nulls as ``<NA>``."""
    if isinstance(dates, pd.Timestamp):
        days = (dates - horizon_start).days
        return math.ceil(days / 7) if ceil else days // 7
    days = (pd.to_datetime(dates) - horizon_start).dt.days
    weeks = -((-days) // 7) if ceil else days // 7
    return weeks.astype("Int64")


def week_start(weeks, horizon_start: pd.Timestamp):
    """The Monday of each week index: ``horizon_start + 7 * week`` days (a Timestamp for one week,
    a Series for several). Every week -> date conversion of the product goes through here."""
    if isinstance(weeks, (int, float, np.integer, np.floating)):   # one week (or a point inside one)
        return horizon_start + pd.Timedelta(days=7 * float(weeks))
    return horizon_start + pd.to_timedelta(7 * pd.Series(weeks).astype("float64"), unit="D")   # NA -> NaT


def monday_on_or_before(date: pd.Timestamp) -> pd.Timestamp:
    date = pd.Timestamp(date).normalize()
    return date - pd.Timedelta(days=date.weekday())


def empty_frame(table: Table) -> pd.DataFrame:
    """A zero-row frame of the table's contract columns and types."""
    return pd.DataFrame({c.name: pd.Series([], dtype=PANDAS_TYPES[c.type]) for c in table.columns})


PANDAS_TYPES = {"str": "string", "int": "Int64", "float": "Float64", "bool": "boolean",
                "date": "datetime64[us]"}

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def coerce(values: pd.Series, type_: str) -> tuple[pd.Series, pd.Series]:
    """Convert a raw column to its contract type.

    Returns ``(typed, bad)``: ``bad`` is True where a non-empty cell could not be read as
    ``type_`` (those cells are ``<NA>`` in ``typed``). Empty strings count as empty.
    """
    raw = values.copy()
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        raw = raw.astype("string").str.strip().replace("", pd.NA)
    present = raw.notna()
    if type_ == "str":
        typed = raw.astype("string")
        if pd.api.types.is_float_dtype(values):  # 1.0 read from a numeric column -> "1"
            typed = values.map(lambda v: None if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v)))
            typed = typed.astype("string")
    elif type_ in ("int", "float"):
        if pd.api.types.is_bool_dtype(raw):
            raw = raw.astype("Int64")
        num = pd.to_numeric(raw.astype("string") if not pd.api.types.is_numeric_dtype(raw) else raw,
                            errors="coerce").astype("Float64")
        if type_ == "int":
            whole = num.isna() | (num == num.round())
            num = num.where(whole)
            typed = num.round().astype("Int64")
        else:
            typed = num
    elif type_ == "bool":
        if pd.api.types.is_bool_dtype(raw):
            typed = raw.astype("boolean")
        else:
            text = raw.astype("string").str.lower()
            typed = pd.Series(pd.NA, index=raw.index, dtype="boolean")
            typed[text.isin(_TRUE).fillna(False)] = True
            typed[text.isin(_FALSE).fillna(False)] = False
    elif type_ == "date":
        if pd.api.types.is_datetime64_any_dtype(raw):
            parsed = raw
        else:
            parsed = pd.to_datetime(raw.astype("string"), format="ISO8601", errors="coerce")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
        typed = parsed.dt.normalize().astype("datetime64[us]")
    else:  # pragma: no cover - the schema only uses the types above
        raise ValueError(f"unknown column type {type_}")
    bad = present & typed.isna()
    return typed, bad


def effective_links(data: SlateData) -> pd.DataFrame:
    """The finish-to-start links every production runs by.

    A production with rows in ``phase_links`` has exactly those; one without runs its phases
    in listed order: ``phase[i+1].start >= phase[i].end`` (min lag 0, no max lag). A link between
    two phases that have both started (an ``actual_start``) is history and binds nothing: it is
    left out (``planning.data.progress.from_as_of``).
    Columns: production_id, before_phase, after_phase, min_lag_weeks, max_lag_weeks.
    """
    explicit = data.phase_links
    with_links = set(explicit["production_id"])
    rows = []
    for pid, group in data.phases.sort_values(["production_id", "seq"]).groupby("production_id", sort=False):
        if pid in with_links:
            continue
        ids = list(group["phase_id"])
        rows += [(pid, a, b, 0, pd.NA) for a, b in zip(ids, ids[1:])]
    implied = pd.DataFrame(rows, columns=["production_id", "before_phase", "after_phase",
                                          "min_lag_weeks", "max_lag_weeks"])
    implied = implied.astype({"production_id": "string", "before_phase": "string", "after_phase": "string",
                              "min_lag_weeks": "Int64", "max_lag_weeks": "Int64"})
    cols = list(implied.columns)
    links = pd.concat([explicit[cols], implied], ignore_index=True) if len(explicit) else implied
    ph = data.phases
    started = set(zip(ph.loc[ph["actual_start"].notna(), "production_id"], ph.loc[ph["actual_start"].notna(), "phase_id"]))
    if not started:
        return links
    history = [(p, a) in started and (p, b) in started
               for p, a, b in zip(links["production_id"], links["before_phase"], links["after_phase"])]
    return links[~np.array(history, dtype=bool)].reset_index(drop=True)


def planned_schedule(data: SlateData) -> pd.DataFrame:
    """The as-planned start week of every phase.

    A phase with a ``planned_start`` starts in that week. A phase without one starts as early as
    its links allow: ``max(earliest_start week, its window_start week, max over links
    (before.start + before.duration + min_lag))``, taken in topological order (validation
    guarantees there is one). It reads ``data`` as given: the as-planned plan of a slate under way
    is ``planned_schedule(planning.data.progress.from_as_of(data))`` (``planning.plan.as_planned``).
    Columns: production_id, phase_id, kind, seq, duration_weeks, start_week, end_week (exclusive),
    planned (True where the start came from planned_start), locked.
    """
    ph = data.phases.copy()
    prods = data.productions.set_index("production_id")
    h0 = data.settings.horizon_start
    ph["start_week"] = week_index(ph["planned_start"], h0)
    ph["planned"] = ph["start_week"].notna()
    earliest = week_index(prods["earliest_start"], h0, ceil=True)
    links = effective_links(data)
    preds: dict[tuple, list] = {}
    for r in links.itertuples(index=False):
        preds.setdefault((r.production_id, r.after_phase), []).append((r.before_phase, int(r.min_lag_weeks)))
    start = {(r.production_id, r.phase_id): (None if pd.isna(r.start_week) else int(r.start_week))
             for r in ph.itertuples(index=False)}
    dur = {(r.production_id, r.phase_id): int(r.duration_weeks) for r in ph.itertuples(index=False)}
    graph = TopologicalSorter({key: [(key[0], b) for b, _ in preds.get(key, [])] for key in start})
    window = {(r.production_id, r.phase_id): math.ceil((r.window_start - h0).days / 7)
              for r in ph.itertuples(index=False) if not pd.isna(r.window_start)}
    for key in graph.static_order():       # validation rejects cycles; a cycle here raises CycleError
        if start[key] is None:
            start[key] = max([int(earliest[key[0]])] + [start[(key[0], b)] + dur[(key[0], b)] + lag
                                                        for b, lag in preds.get(key, [])]
                             + ([window[key]] if key in window else []))
    ph["start_week"] = [start[(p, q)] for p, q in zip(ph["production_id"], ph["phase_id"])]
    ph["start_week"] = ph["start_week"].astype("int64")
    ph["end_week"] = ph["start_week"] + ph["duration_weeks"].astype("int64")
    locked = ph["locked"].fillna(False) | ph["production_id"].map(prods["locked"]).fillna(False)
    ph["locked"] = locked.astype(bool)
    return ph[["production_id", "phase_id", "kind", "seq", "duration_weeks", "start_week", "end_week",
               "planned", "locked"]].reset_index(drop=True)
