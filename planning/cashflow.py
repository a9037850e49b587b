"""The slate's cash flow: budget lines spread over the scheduled weeks, tax-incentive receipts,
the financing cost of the running deficit, and the views finance reads.

Every function is pure (frames in, a frame out). ``docs/cashflow.md`` states the same rules for users.

**Money.** Each amount is converted once to integer cents, rounding half up from its decimal text
(``12.345`` -> 1235 cents), and all arithmetic after that is on integer cents. Frames carry signed
money: paid out is negative, received is positive. ``cents`` is the exact value; ``amount`` is
``cents / 100`` for display and export.

**Schedule.** Any frame with ``production_id``, ``phase_id``, ``start_week`` and one row for every
phase of the slate (``planning.inputs.planned_schedule`` or an optimized plan). A phase of ``d``
weeks runs weeks ``start_week .. start_week + d - 1``; its ``end_week`` is ``start_week + d``.

**Curves.** A line of ``C`` cents on a phase of ``d`` weeks gives week ``i`` (``0 .. d-1``) the
integer weight ``k_i`` below, so its share is ``k_i / K`` with ``K = sum(k)``:

- ``flat``: ``k_i = 1`` (``1/d`` each week);
- ``front``: ``k_i = d - i`` (``d, d-1, .., 1``: a falling linear ramp);
- ``back``: ``k_i = i + 1`` (``1, 2, .., d``: a rising linear ramp);
- ``bell``: ``k_i = min(i + 1, d - i)`` (``1, 2, .., 2, 1``: a symmetric triangle peaking mid-phase);
- ``start``: everything in the first week; ``end``: everything in the last week.

Cents are split by largest remainder: week ``i`` gets ``floor(C * k_i / K)`` and the cents left
over go one each to the weeks with the largest remainders ``C * k_i mod K`` (the earlier week
first on a tie). A line's weekly cents therefore sum exactly to ``C``.

**Payment lag.** Each week's spend is paid ``payment_lag_weeks`` later; the ``week`` of a spend
row is the week it is paid.

**Incentives.** For a production with a jurisdiction: ``qualifying`` = the sum of its qualifying
lines; ``credit = min(round(rate * qualifying), cap)`` (no cap when empty); ``discount =
round(credit * discount)``; ``received = credit - discount`` (rounding half up to the cent). It is
received ``receipt_lag_weeks`` after delivery, where delivery is the end of the production's last
phase (the largest ``end_week``). No jurisdiction: no incentive.

**Financing.** Simple weekly accrual on the slate's running deficit, over the horizon weeks only
(``0 .. horizon_weeks - 1``): with ``B_t`` the cumulative spend and incentive of the slate through
the end of week ``t`` (everything paid before the horizon included), week ``t`` costs
``round(max(0, -B_t) * financing_rate_annual / 52)``. Interest is not charged on interest. The
cost is a ``financing`` flow of the slate as a whole (production ``SLATE``).

**The horizon.** Weekly frames keep every flow's true week, which may be negative (productions
already under way when the horizon starts) or past the horizon (late payments, incentive
receipts). Period views put those in two buckets, ``before horizon`` and ``after horizon``, so
no money is ever dropped.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from planning.inputs import Settings, SlateData
from planning.schema import CURVES, SECTIONS

SLATE_ID = "SLATE"
"""``production_id`` of slate-level rows (financing) and of the slate total in summaries."""
INCENTIVE_SECTION, FINANCING_SECTION = "INCENTIVE", "FINANCING"
SECTION_ORDER = SECTIONS + (INCENTIVE_SECTION, FINANCING_SECTION)
FINANCING_ACCOUNT = "FIN"
FLOWS = ("spend", "incentive", "financing")
PERIODS = ("week", "month", "quarter", "year")
BEFORE_HORIZON, AFTER_HORIZON = "before horizon", "after horizon"

FLOW_COLUMNS = ["production_id", "title", "section", "account", "description", "flow", "week", "week_start",
                "cents", "amount"]
LONG_COLUMNS = ["production_id", "title", "section", "account", "description", "period", "period_start", "flow",
                "amount"]


class ScheduleError(ValueError):
    """A schedule that does not give exactly one integer start week to every phase of the slate."""


# --- money -------------------------------------------------------------------------------------

def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_cents(amounts) -> np.ndarray:
    """Integer cents of each amount, rounded half up from its shortest decimal text."""
    return np.array([_round(Decimal(repr(float(a))) * 100) for a in amounts], dtype=np.int64)


def _amount(cents) -> np.ndarray:
    return np.asarray(cents, dtype=np.int64) / 100


# --- schedule ----------------------------------------------------------------------------------

def checked_schedule(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """The schedule as production_id, phase_id, start_week, end_week (int64), one row per phase.

    ``end_week`` is derived from ``phases.duration_weeks`` (any end column given is ignored).
    Raises ``ScheduleError`` naming every phase that is missing, unknown, repeated or undated.
    """
    missing_cols = [c for c in ("production_id", "phase_id", "start_week") if c not in schedule.columns]
    if missing_cols:
        raise ScheduleError(f"the schedule lacks column(s) {', '.join(missing_cols)}")
    given = schedule[["production_id", "phase_id", "start_week"]].copy()
    given["production_id"] = given["production_id"].astype("string")
    given["phase_id"] = given["phase_id"].astype("string")
    start = pd.to_numeric(given["start_week"], errors="coerce")
    problems = []
    for pid, ph in given.loc[start.isna() | (start != start.round()), ["production_id", "phase_id"]].values:
        problems.append(f"{pid}/{ph}: start_week is not a whole number of weeks")
    for pid, ph in given.loc[given.duplicated(["production_id", "phase_id"]), ["production_id", "phase_id"]].values:
        problems.append(f"{pid}/{ph}: given more than once")
    phases = data.phases[["production_id", "phase_id", "duration_weeks"]]
    merged = phases.merge(given, on=["production_id", "phase_id"], how="outer", indicator=True)
    for pid, ph in merged.loc[merged["_merge"] == "left_only", ["production_id", "phase_id"]].values:
        problems.append(f"{pid}/{ph}: missing from the schedule")
    for pid, ph in merged.loc[merged["_merge"] == "right_only", ["production_id", "phase_id"]].values:
        problems.append(f"{pid}/{ph}: not a phase of the slate")
    if problems:
        raise ScheduleError("; ".join(problems))
    given["start_week"] = start.astype("int64")
    out = phases.merge(given, on=["production_id", "phase_id"])
    out["end_week"] = out["start_week"] + out["duration_weeks"].astype("int64")
    return out[["production_id", "phase_id", "start_week", "end_week"]]


def read_schedule(plan_dir: str | Path) -> pd.DataFrame:
    """The ``schedule.parquet`` (or ``schedule.csv``) that ``slate solve`` wrote to ``plan_dir``."""
    plan_dir = Path(plan_dir)
    for path in (plan_dir / "schedule.parquet", plan_dir / "schedule.csv"):
        if path.exists():
            return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str)
    raise ScheduleError(f"{plan_dir} holds no schedule.parquet or schedule.csv")


# --- spend -------------------------------------------------------------------------------------

def _weights(curve: np.ndarray, i: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Integer weight of week ``i`` of a ``d``-week phase for each curve code (index in CURVES)."""
    choices = {
        "flat": np.ones_like(i),
        "front": d - i,
        "back": i + 1,
        "bell": np.minimum(i + 1, d - i),
        "start": (i == 0).astype(np.int64),
        "end": (i == d - 1).astype(np.int64),
    }
    return np.select([curve == CURVES.index(name) for name in choices], list(choices.values()))


def curve_weights(curve: str, weeks: int) -> list[int]:
    """The integer weights of ``curve`` over a phase of ``weeks`` weeks, first week first."""
    i = np.arange(weeks, dtype=np.int64)
    return _weights(np.full(weeks, CURVES.index(curve)), i, np.full(weeks, weeks, dtype=np.int64)).tolist()


def spread(cents: np.ndarray, curve: np.ndarray, weeks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split each line's ``cents`` over its ``weeks`` by its curve code, by largest remainder.

    Returns ``(line, offset, cents)``: one entry per line and week of its phase (lines in order,
    weeks in order), whose cents sum exactly to the line's.
    """
    if not len(cents):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    line = np.repeat(np.arange(len(cents)), weeks)
    starts = np.concatenate([[0], np.cumsum(weeks)[:-1]]).astype(np.int64)
    offset = np.arange(len(line)) - starts[line]
    k = _weights(curve[line], offset, weeks[line])
    total_k = np.add.reduceat(k, starts)
    num = cents[line] * k
    base, rest = num // total_k[line], num % total_k[line]
    left = cents - np.add.reduceat(base, starts)
    order = np.lexsort((offset, -rest, line))
    rank = np.empty_like(offset)
    rank[order] = np.arange(len(line)) - starts[line[order]]
    return line, offset, base + (rank < left[line])


def spend_flows(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """Every budget line spread over its phase by its curve and paid ``payment_lag_weeks`` later.

    Columns ``FLOW_COLUMNS`` (flow ``spend``, negative cents), one row per line and paid week with
    money in it, in budget-line order.
    """
    sched = checked_schedule(data, schedule)
    lines = data.budget_lines.merge(sched, on=["production_id", "phase_id"], how="left")
    lines = lines.merge(data.productions[["production_id", "title"]], on="production_id", how="left")
    weeks = (lines["end_week"] - lines["start_week"]).to_numpy(np.int64)
    curve = lines["curve"].map(CURVES.index).to_numpy(np.int64)
    line, offset, cents = spread(to_cents(lines["amount"]), curve, weeks)
    keep = cents != 0
    line, offset, cents = line[keep], offset[keep], cents[keep]
    paid = lines["start_week"].to_numpy(np.int64)[line] + offset + lines["payment_lag_weeks"].to_numpy(np.int64)[line]
    out = lines[["production_id", "title", "section", "account", "description"]].take(line).reset_index(drop=True)
    out["flow"] = "spend"
    return _with_money(out, paid, -cents, data.settings)


def _with_money(frame: pd.DataFrame, weeks: np.ndarray, cents: np.ndarray, settings: Settings) -> pd.DataFrame:
    """Complete ``frame`` (its text columns) into ``FLOW_COLUMNS`` with the given weeks and cents."""
    frame = frame.astype({c: "string" for c in FLOW_COLUMNS[:6]})
    frame["week"] = np.asarray(weeks, dtype=np.int64)
    frame["week_start"] = settings.horizon_start + pd.to_timedelta(7 * frame["week"], unit="D")
    frame["cents"] = np.asarray(cents, dtype=np.int64)
    frame["amount"] = _amount(frame["cents"])
    return frame[FLOW_COLUMNS]


# --- incentives --------------------------------------------------------------------------------

def incentive_amounts(data: SlateData) -> pd.DataFrame:
    """Each production's incentive (no schedule needed: timing does not change the amount).

    Columns: production_id, jurisdiction, qualifying_cents, credit_cents (rate x qualifying,
    capped), discount_cents, received_cents (credit less discount). Zero without a jurisdiction.
    """
    lines = data.budget_lines
    qual = pd.Series(to_cents(lines["amount"]) * lines["qualifying"].to_numpy(bool), index=lines.index)
    qualifying = qual.groupby(lines["production_id"]).sum()
    rules = data.incentives.set_index("jurisdiction")
    rows = []
    for pid, jur in zip(data.productions["production_id"], data.productions["jurisdiction"]):
        q = int(qualifying.get(pid, 0))
        credit = discount = 0
        if not pd.isna(jur):
            rule = rules.loc[jur]
            credit = _round(Decimal(repr(float(rule["rate"]))) * q)
            if not pd.isna(rule["cap"]):
                credit = min(credit, int(to_cents([rule["cap"]])[0]))
            discount = _round(Decimal(repr(float(rule["discount"]))) * credit)
        rows.append((pid, jur, q, credit, discount, credit - discount))
    return pd.DataFrame(rows, columns=["production_id", "jurisdiction", "qualifying_cents", "credit_cents",
                                       "discount_cents", "received_cents"])


def incentive_flows(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """Incentive receipts: ``received_cents`` in week ``delivery + receipt_lag_weeks``.

    Delivery is the production's largest ``end_week``. Columns ``FLOW_COLUMNS`` (flow
    ``incentive``, section ``INCENTIVE``, account ``INC-<jurisdiction>``, positive cents); only
    productions that receive something.
    """
    delivery = checked_schedule(data, schedule).groupby("production_id")["end_week"].max()
    got = incentive_amounts(data)
    got = got[got["received_cents"] > 0].merge(data.productions[["production_id", "title"]], on="production_id")
    lag = got["jurisdiction"].map(data.incentives.set_index("jurisdiction")["receipt_lag_weeks"]).astype("int64")
    out = pd.DataFrame({
        "production_id": got["production_id"],
        "title": got["title"],
        "section": INCENTIVE_SECTION,
        "account": "INC-" + got["jurisdiction"],
        "description": got["jurisdiction"] + " tax incentive",
        "flow": "incentive",
    }).reset_index(drop=True)
    weeks = got["production_id"].map(delivery).to_numpy(np.int64) + lag.to_numpy(np.int64)
    return _with_money(out, weeks, got["received_cents"].to_numpy(np.int64), data.settings)


# --- financing ---------------------------------------------------------------------------------

def financing_flows(flows: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The weekly financing cost of the slate's running deficit (see the module rules).

    ``flows`` are the spend and incentive flows. Columns ``FLOW_COLUMNS`` (flow ``financing``,
    production ``SLATE``, section ``FINANCING``, account ``FIN``, negative cents); only weeks
    with a cost.
    """
    h = settings.horizon_weeks
    weekly = flows.groupby("week")["cents"].sum()
    opening = int(weekly[weekly.index < 0].sum())
    balance = opening + np.cumsum(weekly.reindex(range(h), fill_value=0).to_numpy(np.int64))
    weekly_rate = Decimal(repr(settings.financing_rate_annual)) / 52
    cost = np.array([_round(Decimal(int(max(0, -b))) * weekly_rate) for b in balance], dtype=np.int64)
    weeks = np.flatnonzero(cost)
    out = pd.DataFrame({
        "production_id": pd.Series([SLATE_ID] * len(weeks), dtype="string"),
        "title": "Slate financing",
        "section": FINANCING_SECTION,
        "account": FINANCING_ACCOUNT,
        "description": f"Financing of the running deficit at {settings.financing_rate_annual:.2%} a year",
        "flow": "financing",
    })
    return _with_money(out, weeks, -cost[weeks], settings)


def cashflow(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """The slate's weekly cash flow: spend, then incentive, then financing rows.

    Columns ``FLOW_COLUMNS``: production_id, title, section, account, description, flow (spend,
    incentive, financing), week (the true week index, negative before the horizon), week_start
    (its Monday), cents (int64, signed: out negative, in positive) and amount (cents / 100).
    """
    moved = pd.concat([spend_flows(data, schedule), incentive_flows(data, schedule)], ignore_index=True)
    return pd.concat([moved, financing_flows(moved, data.settings)], ignore_index=True)


# --- position ----------------------------------------------------------------------------------

def position(flows: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Week-by-week cash position of ``flows`` (the slate, or any subset of its rows).

    One row per week from the earlier of week 0 and the first flow to the later of the last
    horizon week and the last flow. Columns: week, week_start, spend, incentive, financing, net
    (their sum) and position (cumulative net), all signed amounts.
    """
    first = min(0, int(flows["week"].min())) if len(flows) else 0
    last = max(settings.horizon_weeks - 1, int(flows["week"].max())) if len(flows) else settings.horizon_weeks - 1
    weeks = pd.RangeIndex(first, last + 1, name="week")
    by_flow = flows.pivot_table(index="week", columns="flow", values="cents", aggfunc="sum")
    by_flow = by_flow.reindex(index=weeks, columns=list(FLOWS), fill_value=0).fillna(0).astype("int64")
    out = pd.DataFrame({"week": weeks.to_numpy()})
    out["week_start"] = settings.horizon_start + pd.to_timedelta(7 * out["week"], unit="D")
    for flow in FLOWS:
        out[flow] = _amount(by_flow[flow].to_numpy())
    net = by_flow.sum(axis=1).to_numpy()
    out["net"] = _amount(net)
    out["position"] = _amount(np.cumsum(net))
    return out


@dataclass(frozen=True)
class FundingNeed:
    """The lowest cumulative position, as a positive need, and the first week it is reached.

    ``week`` and ``week_start`` are ``None`` when the position never goes below zero.
    ``financing_cost`` is the total financing cost (positive).
    """

    peak_need: float
    week: int | None
    week_start: pd.Timestamp | None
    financing_cost: float


def funding_need(weekly: pd.DataFrame) -> FundingNeed:
    """Peak funding need and its week from a ``position`` frame."""
    low = weekly["position"].min() if len(weekly) else 0.0
    cost = -int(np.rint(weekly["financing"].to_numpy() * 100).sum()) / 100
    if not low < 0:
        return FundingNeed(0.0, None, None, cost)
    at = weekly.loc[weekly["position"].idxmin()]
    return FundingNeed(-float(low), int(at["week"]), at["week_start"], cost)


# --- periods -----------------------------------------------------------------------------------

def _period(monday: pd.Timestamp, period: str, fiscal_start_month: int) -> tuple[str, pd.Timestamp]:
    """Label and first day of the period holding the week that starts on ``monday``."""
    if period == "week":
        return str(monday.date()), monday
    if period == "month":
        return f"{monday.year}-{monday.month:02d}", pd.Timestamp(monday.year, monday.month, 1)
    fs = fiscal_start_month
    months_in = (monday.month - fs) % 12  # months since the fiscal year began
    year_start = pd.Timestamp(monday.year - (monday.month < fs), fs, 1)
    fiscal_year = year_start.year + (fs != 1)  # named by the calendar year it ends in
    name = str(fiscal_year) if fs == 1 else f"FY{fiscal_year}"
    if period == "year":
        return name, year_start
    q = months_in // 3
    return f"{name}-Q{q + 1}", year_start + pd.DateOffset(months=3 * q)


def assign_periods(flows: pd.DataFrame, settings: Settings, period: str, fiscal_start_month: int = 1) -> pd.DataFrame:
    """``flows`` with ``period`` (label) and ``period_start`` (first day) columns added.

    A week belongs to the period holding its Monday. ``week``: label ``2027-01-04``; ``month``:
    ``2027-01``; ``quarter``: ``2027-Q1``; ``year``: ``2027``. With a fiscal year starting in
    month ``fiscal_start_month`` (2..12), quarters and years are fiscal, named by the calendar
    year the fiscal year ends in: ``FY2028-Q1``, ``FY2028``. Weeks before the horizon go to
    ``before horizon`` (starting on the Monday of the earliest of them), weeks past it to
    ``after horizon`` (starting on the Monday after the horizon).
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if not 1 <= fiscal_start_month <= 12:
        raise ValueError(f"fiscal_start_month must be 1..12, not {fiscal_start_month}")
    h0, h = settings.horizon_start, settings.horizon_weeks
    labels, starts = {}, {}
    weeks = sorted(set(flows["week"].astype("int64")))
    for w in weeks:
        if w < 0:
            labels[w], starts[w] = BEFORE_HORIZON, h0 + pd.Timedelta(weeks=weeks[0])
        elif w >= h:
            labels[w], starts[w] = AFTER_HORIZON, h0 + pd.Timedelta(weeks=h)
        else:
            labels[w], starts[w] = _period(h0 + pd.Timedelta(weeks=w), period, fiscal_start_month)
    out = flows.copy()
    out["period"] = out["week"].map(labels).astype("string")
    out["period_start"] = out["week"].map(starts).astype("datetime64[us]")
    return out


def _period_rank(frame: pd.DataFrame) -> pd.Series:
    """Sort key putting ``before horizon`` first and ``after horizon`` last."""
    return frame["period"].map({BEFORE_HORIZON: 0, AFTER_HORIZON: 2}).fillna(1).astype("int64")


def period_order(frame: pd.DataFrame) -> list[str]:
    """The distinct period labels of ``frame``, in time order."""
    keys = frame[["period", "period_start"]].drop_duplicates().assign(rank=_period_rank)
    return list(keys.sort_values(["rank", "period_start"])["period"])


def period_position(flows: pd.DataFrame, settings: Settings, period: str, fiscal_start_month: int = 1) -> pd.DataFrame:
    """Cash position by period: period, period_start, spend, incentive, financing, net, position
    (the cumulative position at the end of the period), signed amounts."""
    tagged = assign_periods(flows, settings, period, fiscal_start_month)
    order = period_order(tagged)
    cents = tagged.pivot_table(index="period", columns="flow", values="cents", aggfunc="sum")
    cents = cents.reindex(index=order, columns=list(FLOWS)).fillna(0).astype("int64")
    starts = tagged.drop_duplicates("period").set_index("period")["period_start"]
    out = pd.DataFrame({"period": order, "period_start": starts.reindex(order).to_numpy()})
    for flow in FLOWS:
        out[flow] = _amount(cents[flow].to_numpy())
    net = cents.sum(axis=1).to_numpy()
    out["net"] = _amount(net)
    out["position"] = _amount(np.cumsum(net))
    return out


# --- summaries ---------------------------------------------------------------------------------

def budget_summary(data: SlateData) -> pd.DataFrame:
    """Budget by section, incentive and net cost per production, and a ``SLATE`` total row.

    Columns: production_id, title, jurisdiction, ATL, BTL_PRODUCTION, BTL_POST, OTHER, budget
    (their sum), qualifying, incentive_credit (rate x qualifying, capped), incentive_discount,
    incentive (received), net_cost (budget - incentive). Money as positive amounts.
    """
    lines = data.budget_lines.assign(cents=to_cents(data.budget_lines["amount"]))
    by_section = lines.pivot_table(index="production_id", columns="section", values="cents", aggfunc="sum")
    prods = data.productions[["production_id", "title", "jurisdiction"]]
    cents = by_section.reindex(index=prods["production_id"], columns=list(SECTIONS)).fillna(0).astype("int64")
    cents["budget"] = cents.sum(axis=1)
    inc = incentive_amounts(data).set_index("production_id").reindex(prods["production_id"])
    cents["qualifying"] = inc["qualifying_cents"]
    cents["incentive_credit"] = inc["credit_cents"]
    cents["incentive_discount"] = inc["discount_cents"]
    cents["incentive"] = inc["received_cents"]
    cents["net_cost"] = cents["budget"] - cents["incentive"]
    total = cents.sum().to_frame().T
    cents = pd.concat([cents.reset_index(drop=True), total], ignore_index=True)
    out = pd.concat([prods, pd.DataFrame([{"production_id": SLATE_ID, "title": "Slate total"}])],
                    ignore_index=True).astype({"production_id": "string", "title": "string", "jurisdiction": "string"})
    for col in cents.columns:
        out[col] = _amount(cents[col].to_numpy())
    return out


# --- finance export ----------------------------------------------------------------------------

def finance_long(flows: pd.DataFrame, settings: Settings, period: str, fiscal_start_month: int = 1) -> pd.DataFrame:
    """The long export: one row per production x section x account x period x flow.

    Columns ``LONG_COLUMNS``; amount signed (out negative, in positive); sorted by production
    (``SLATE`` last), section, account, period.
    """
    tagged = assign_periods(flows, settings, period, fiscal_start_month)
    keys = ["production_id", "title", "section", "account", "description", "period", "period_start", "flow"]
    out = tagged.groupby(keys, sort=False, observed=True)["cents"].sum().reset_index()
    out = out[out["cents"] != 0]
    out = out.assign(_slate=out["production_id"] == SLATE_ID,
                     _section=out["section"].map({s: i for i, s in enumerate(SECTION_ORDER)}),
                     _rank=_period_rank(out))
    out = out.sort_values(["_slate", "production_id", "_section", "account", "_rank", "period_start", "flow"])
    out["amount"] = _amount(out["cents"].to_numpy())
    return out[LONG_COLUMNS].reset_index(drop=True)


WIDE_KEYS = {"account": ["production_id", "title", "section", "account", "description"],
             "production": ["production_id", "title", "flow"]}


def finance_wide(long: pd.DataFrame, by: str = "account") -> pd.DataFrame:
    """The wide export: one row per account (``by="account"``: production, section, account) or
    per production and flow (``by="production"``), one column per period in time order, a
    ``total`` column, and a last row ``Total`` (in production_id) summing every column."""
    keys = WIDE_KEYS[by]
    order = period_order(long)
    cents = long.assign(cents=np.rint(long["amount"].to_numpy() * 100).astype(np.int64))
    table = cents.pivot_table(index=keys, columns="period", values="cents", aggfunc="sum", sort=False)
    table = table.reindex(columns=order).fillna(0).astype("int64")
    table["total"] = table.sum(axis=1)
    table = table.reset_index()
    total = table[order + ["total"]].sum().to_frame().T
    total["production_id"] = "Total"
    table = pd.concat([table, total], ignore_index=True)
    table[keys] = table[keys].astype("string")
    for col in order + ["total"]:
        table[col] = _amount(table[col].to_numpy(np.int64))
    table.columns.name = None
    return table


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
    ``@``, tab or carriage return) get a leading ``'``. Numbers and dates are left alone."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_string_dtype(out[col]) or out[col].dtype == object:
            text = out[col]
            risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS)).astype(bool)
            out[col] = text.where(~risky, "'" + text.astype("string"))
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with ``\\n`` line ends, money to two decimals, dates as ``YYYY-MM-DD``,
    formula-like text neutralized."""
    return neutralize(frame).to_csv(index=False, float_format="%.2f", date_format="%Y-%m-%d",
                                    lineterminator="\n").encode("utf-8")


def _cell(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if isinstance(value, np.generic) else value


_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame], frozen_columns: dict[str, int] | None = None) -> bytes:
    """An .xlsx workbook, one sheet per frame: bold frozen header (and the first
    ``frozen_columns[name]`` columns frozen), money as ``#,##0.00``, dates as ``yyyy-mm-dd``,
    formula-like text neutralized. The same frames always give the same bytes (fixed timestamps)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        ws = wb.create_sheet(name)
        frame = neutralize(frame)
        ws.append(list(frame.columns))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        columns = [frame[c].tolist() for c in frame.columns]
        for row in zip(*columns):
            ws.append([_cell(v) for v in row])
        for j, col in enumerate(frame.columns, start=1):
            letter = get_column_letter(j)
            if pd.api.types.is_float_dtype(frame[col]):
                fmt = "#,##0.00"
            elif pd.api.types.is_datetime64_any_dtype(frame[col]):
                fmt = "yyyy-mm-dd"
            else:
                fmt = None
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = fmt
            sample = [len(str(v)) for v in frame[col].head(200) if not pd.isna(v)]
            ws.column_dimensions[letter].width = min(60, max([len(str(col)), 10] + sample) + 2)
        ws.freeze_panes = ws.cell(row=2, column=1 + (frozen_columns or {}).get(name, 0))
    wb.properties.created = wb.properties.modified = pd.Timestamp(*_FIXED_TIME[:3]).to_pydatetime()
    raw = io.BytesIO()  # ExcelWriter, not wb.save, which would stamp the current time as modified
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    # openpyxl stamps some zip entries with the current time: repack with a fixed one.
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME), src.read(info),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


CSV_VIEWS = ("long", "accounts", "productions")


def finance_csv(data: SlateData, flows: pd.DataFrame, period: str, view: str = "long",
                fiscal_start_month: int = 1) -> bytes:
    """The finance CSV of ``flows`` (from ``cashflow(data, ...)``): ``long`` (``finance_long``),
    ``accounts`` or ``productions`` (``finance_wide`` by account or by production)."""
    if view not in CSV_VIEWS:
        raise ValueError(f"view must be one of {', '.join(CSV_VIEWS)}, not {view!r}")
    long = finance_long(flows, data.settings, period, fiscal_start_month)
    if view == "long":
        return to_csv_bytes(long)
    return to_csv_bytes(finance_wide(long, "account" if view == "accounts" else "production"))


def finance_sheets(data: SlateData, flows: pd.DataFrame, period: str,
                   fiscal_start_month: int = 1) -> dict[str, pd.DataFrame]:
    """The workbook's views: Cash flow (long), By account, By production, Position, Budget summary."""
    long = finance_long(flows, data.settings, period, fiscal_start_month)
    return {
        "Cash flow": long,
        "By account": finance_wide(long, "account"),
        "By production": finance_wide(long, "production"),
        "Position": period_position(flows, data.settings, period, fiscal_start_month),
        "Budget summary": budget_summary(data),
    }


def finance_xlsx(data: SlateData, flows: pd.DataFrame, period: str, fiscal_start_month: int = 1) -> bytes:
    """The finance workbook (``finance_sheets``) of ``flows`` (from ``cashflow(data, ...)``) as .xlsx bytes."""
    frozen = {"By account": len(WIDE_KEYS["account"]), "By production": len(WIDE_KEYS["production"]),
              "Budget summary": 2}
    return to_xlsx_bytes(finance_sheets(data, flows, period, fiscal_start_month), frozen)
