"""Small hand-built slates for tests: raw tables (lists of dicts) in, frames out."""

from __future__ import annotations

import pandas as pd

from planning.data.validate import check

H0 = "2027-01-04"  # a Monday: week 0


def monday(week: int) -> str:
    return str((pd.Timestamp(H0) + pd.Timedelta(days=7 * week)).date())


def production(pid: str, **kw) -> dict:
    row = dict(production_id=pid, title=f"Title {pid}", format="feature", priority=3, earliest_start=H0,
               latest_start=None, target_delivery=monday(40), lateness_cost_per_week=100_000.0,
               jurisdiction=None, locked=False)
    row.update(kw)
    return row


def phase(pid: str, phase_id: str, duration: int, start_week: int | None, kind: str = "shoot", **kw) -> dict:
    row = dict(production_id=pid, phase_id=phase_id, kind=kind, duration_weeks=duration,
               planned_start=None if start_week is None else monday(start_week), locked=False)
    row.update(kw)
    return row


def resource(rid: str, kind: str = "crew", capacity: int = 1, size: float | None = None, **kw) -> dict:
    row = dict(resource_id=rid, kind=kind, name=rid, capacity=capacity, size=size,
               hire_cost_per_week=None, hire_max_units=None)
    row.update(kw)
    return row


def demand(pid: str, phase_id: str, resource_id: str | None = None, units: int = 1, lead: int = 0,
           tail: int = 0, min_size: float | None = None) -> dict:
    return dict(production_id=pid, phase_id=phase_id, resource_id=resource_id,
                resource_kind=None if resource_id else "stage", min_size=min_size, units=units,
                lead_weeks=lead, tail_weeks=tail)


def budget(pid: str, account: str, amount: float, phase_id: str, **kw) -> dict:
    row = dict(production_id=pid, account=account, description=f"Account {account}", section="BTL_PRODUCTION",
               amount=amount, phase_id=phase_id, curve="flat", payment_lag_weeks=0, qualifying=True)
    row.update(kw)
    return row


def frames(productions, phases, resources, demands, budget_lines=None, links=None, calendar=None,
           incentives=None, horizon_weeks: int = 52, availability=None) -> dict[str, pd.DataFrame]:
    """Raw tables as the store would read them (absent optional tables stay absent)."""
    budget_lines = budget_lines if budget_lines is not None else [
        budget(p["production_id"], "2000", 1000.0, next(ph["phase_id"] for ph in phases
                                                       if ph["production_id"] == p["production_id"]))
        for p in productions]
    raw = {
        "productions": pd.DataFrame(productions),
        "phases": pd.DataFrame(phases),
        "resources": pd.DataFrame(resources),
        "demands": pd.DataFrame(demands, columns=list(demand("x", "y", "z"))),
        "budget_lines": pd.DataFrame(budget_lines),
        "settings": pd.DataFrame([dict(horizon_start=H0, horizon_weeks=horizon_weeks, currency="USD",
                                       financing_rate_annual=0.0)]),
    }
    if links is not None:
        raw["phase_links"] = pd.DataFrame(links, columns=["production_id", "before_phase", "after_phase",
                                                          "min_lag_weeks", "max_lag_weeks"])
    if calendar is not None:
        raw["resource_calendar"] = pd.DataFrame(calendar, columns=["resource_id", "week_start", "capacity"])
    if incentives is not None:
        raw["incentives"] = pd.DataFrame(incentives)
    if availability is not None:
        raw["availability"] = pd.DataFrame(availability, columns=["resource_id", "available_from", "available_to",
                                                                  "units"])
    return raw


def slate(*args, **kw):
    """A validated ``SlateData`` from the same arguments as ``frames`` (fails the test if invalid)."""
    data, problems = check(frames(*args, **kw))
    assert not problems, "\n".join(map(str, problems))
    return data


def edit(raw: dict, table: str, match: dict, column: str, value) -> dict:
    """A copy of the raw tables with one cell changed: ``column`` of the one row of ``table`` whose
    columns equal ``match``."""
    frame = raw[table].copy()
    rows = pd.Series(True, index=frame.index)
    for k, v in match.items():
        rows &= frame[k] == v
    assert rows.sum() == 1, (table, match)
    frame[column] = frame[column].astype(object)
    frame.loc[rows, column] = value
    return {**raw, table: frame}


def two_shoots_on_one_crew(folder):
    """``folder`` holding, as CSV files, two shoots planned the same two weeks on one crew of one that
    cannot be hired: one of them has to move."""
    folder.mkdir()
    tables = frames([production("A"), production("B")], [phase("A", "shoot", 2, 0), phase("B", "shoot", 2, 0)],
                    [resource("GE", capacity=1)], [demand("A", "shoot", "GE"), demand("B", "shoot", "GE")])
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder
