"""The slate's cash flow: budget lines spread over the scheduled weeks, tax-incentive receipts,
the financing cost of the running deficit and the cash position (periods and exports:
``planning.finance.periods``, ``planning.finance.export``).

Every function is pure (frames in, a frame out). ``docs/cashflow.md`` states the same rules for users.

**Money.** Each amount is converted once to integer cents, rounding half up from its decimal text
(``12.345`` -> 1235 cents), and all arithmetic after that is on integer cents. Frames carry signed
money: paid out is negative, received is positive. ``cents`` is the exact value; ``amount`` is
``cents / 100`` for display and export.

**Schedule.** Any frame with ``production_id``, ``phase_id``, ``start_week`` and one row for every
phase of the slate (``planning.data.inputs.planned_schedule`` or an optimized plan). A phase of ``d``
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

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from planning.data.inputs import Settings, SlateData, week_start
from planning.data.schema import CURVES, SECTIONS

SLATE_ID = "SLATE"
"""``production_id`` of slate-level rows (financing) and of the slate total in summaries."""
INCENTIVE_SECTION, FINANCING_SECTION = "INCENTIVE", "FINANCING"
SECTION_ORDER = SECTIONS + (INCENTIVE_SECTION, FINANCING_SECTION)
FINANCING_ACCOUNT = "FIN"
FLOWS = ("spend", "incentive", "financing")

FLOW_COLUMNS = ["production_id", "title", "section", "account", "description", "flow", "week", "week_start",
                "cents", "amount"]


class ScheduleError(ValueError):
    """A schedule that does not give exactly one integer start week to every phase of the slate."""


# --- money -------------------------------------------------------------------------------------

def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_cents(amounts) -> np.ndarray:
    """Integer cents of each amount, rounded half up from its shortest decimal text."""
    return np.array([_round(Decimal(repr(float(a))) * 100) for a in amounts], dtype=np.int64)


def to_amount(cents) -> np.ndarray:
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
    frame["week_start"] = week_start(frame["week"], settings.horizon_start).to_numpy()
    frame["cents"] = np.asarray(cents, dtype=np.int64)
    frame["amount"] = to_amount(frame["cents"])
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

def exact_rate(rate: float) -> tuple[int, int]:
    """``rate`` as the exact fraction ``(num, den)`` of its shortest decimal text (0.085 -> 17/200)."""
    return Decimal(repr(float(rate))).as_integer_ratio()


def financing_cents(balance: np.ndarray, rate: tuple[int, int]) -> np.ndarray:
    """Each week's financing cost in cents, ``round_half_up(max(0, -B) * num / (52 * den))``, for
    balances ``B`` of any shape, in exact integer arithmetic."""
    num, den = rate
    deficit = np.maximum(0, -np.asarray(balance, dtype=np.int64))
    q = 104 * den
    if deficit.size == 0 or int(deficit.max()) * 2 * num + q < 2 ** 62:
        return (deficit * (2 * num) + 52 * den) // q
    return ((deficit.astype(object) * (2 * num) + 52 * den) // q).astype(np.int64)


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
    cost = financing_cents(balance, exact_rate(settings.financing_rate_annual))
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
    out["week_start"] = week_start(out["week"], settings.horizon_start).to_numpy()
    return with_position(out, by_flow)


def with_position(out: pd.DataFrame, cents: pd.DataFrame) -> pd.DataFrame:
    """``out`` (one row per row of ``cents``, a frame of cents by flow) with a signed amount per
    flow, their ``net`` and the running ``position``."""
    for flow in FLOWS:
        out[flow] = to_amount(cents[flow].to_numpy())
    net = cents[list(FLOWS)].sum(axis=1).to_numpy()
    out["net"] = to_amount(net)
    out["position"] = to_amount(np.cumsum(net))
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
