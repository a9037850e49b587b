"""Periods of the cash flow: weeks grouped into months, and into quarters and years that may be
fiscal (``pd.Period`` with the fiscal year's last month as its anchor, named by the calendar year
the fiscal year ends in: ``FY2028-Q1``). Weeks outside the horizon go to two buckets,
``before horizon`` and ``after horizon``, so no money is ever dropped."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.data.inputs import Settings, week_start
from planning.finance.flows import FLOWS, position, to_amount, with_position

PERIODS = ("week", "month", "quarter", "year")
BEFORE_HORIZON, AFTER_HORIZON = "before horizon", "after horizon"

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def _period(monday: pd.Timestamp, period: str, fiscal_start_month: int) -> tuple[str, pd.Timestamp, pd.Timestamp]:
    """Label, first and last day of the period holding the week that starts on ``monday``: a
    ``pd.Period`` whose fiscal year ends in the month before ``fiscal_start_month``."""
    if period == "week":
        return str(monday.date()), monday, monday + pd.Timedelta(days=6)
    if period == "month":
        p = pd.Period(monday, "M")
    else:
        anchor = MONTHS[(fiscal_start_month - 2) % 12]
        prefix = "" if fiscal_start_month == 1 else "FY"
        if period == "year":
            p = pd.Period(monday, f"Y-{anchor}")
            return f"{prefix}{p.year}", p.start_time, p.end_time.normalize()
        p = pd.Period(monday, f"Q-{anchor}")
        return f"{prefix}{p.qyear}-Q{p.quarter}", p.start_time, p.end_time.normalize()
    return str(p), p.start_time, p.end_time.normalize()


def assign_periods(flows: pd.DataFrame, settings: Settings, period: str, fiscal_start_month: int = 1) -> pd.DataFrame:
    """``flows`` with ``period`` (label), ``period_start`` and ``period_end`` (its first and last
    day) columns added.

    A week belongs to the period holding its Monday. ``week``: label ``2027-01-04``; ``month``:
    ``2027-01``; ``quarter``: ``2027-Q1``; ``year``: ``2027``. With a fiscal year starting in
    month ``fiscal_start_month`` (2..12), quarters and years are fiscal, named by the calendar
    year the fiscal year ends in: ``FY2028-Q1``, ``FY2028``. Weeks before the horizon go to
    ``before horizon``, weeks past it to ``after horizon``; each bucket runs from the Monday of
    the earliest of its weeks in ``flows`` to the Sunday of the latest (its true dates, never the
    horizon's).
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if not 1 <= fiscal_start_month <= 12:
        raise ValueError(f"fiscal_start_month must be 1..12, not {fiscal_start_month}")
    h0, h = settings.horizon_start, settings.horizon_weeks
    labels, starts, ends = {}, {}, {}
    weeks = sorted(set(flows["week"].astype("int64")))
    buckets = {BEFORE_HORIZON: [w for w in weeks if w < 0], AFTER_HORIZON: [w for w in weeks if w >= h]}
    for label, inside in buckets.items():
        for w in inside:
            labels[w], starts[w] = label, week_start(inside[0], h0)
            ends[w] = week_start(inside[-1], h0) + pd.Timedelta(days=6)
    for w in weeks:
        if 0 <= w < h:
            labels[w], starts[w], ends[w] = _period(week_start(w, h0), period, fiscal_start_month)
    out = flows.copy()
    out["period"] = out["week"].map(labels).astype("string")
    out["period_start"] = out["week"].map(starts).astype("datetime64[us]")
    out["period_end"] = out["week"].map(ends).astype("datetime64[us]")
    return out


def period_rank(frame: pd.DataFrame) -> pd.Series:
    """Sort key putting ``before horizon`` first and ``after horizon`` last."""
    return frame["period"].map({BEFORE_HORIZON: 0, AFTER_HORIZON: 2}).fillna(1).astype("int64")


def period_order(frame: pd.DataFrame) -> list[str]:
    """The distinct period labels of ``frame``, in time order."""
    keys = frame[["period", "period_start"]].drop_duplicates().assign(rank=period_rank)
    return list(keys.sort_values(["rank", "period_start"])["period"])


def period_position(flows: pd.DataFrame, settings: Settings, period: str, fiscal_start_month: int = 1) -> pd.DataFrame:
    """Cash position by period: period, period_start, period_end, spend, incentive, financing, net,
    position (the cumulative position at the end of the period) and lowest_position (the lowest
    weekly cumulative position within it), signed amounts. The lowest ``lowest_position`` is
    minus the peak funding need (``flows.funding_need``), the same week by week figure the Cash
    flow page shows."""
    tagged = assign_periods(flows, settings, period, fiscal_start_month)
    order = period_order(tagged)
    cents = tagged.pivot_table(index="period", columns="flow", values="cents", aggfunc="sum")
    cents = cents.reindex(index=order, columns=list(FLOWS)).fillna(0).astype("int64")
    bounds = tagged.drop_duplicates("period").set_index("period")[["period_start", "period_end"]].reindex(order)
    out = pd.DataFrame({"period": order, "period_start": bounds["period_start"].to_numpy(),
                        "period_end": bounds["period_end"].to_numpy()})
    out = with_position(out, cents)
    weekly = position(flows, settings)          # every week, those without a flow too
    cents = pd.Series(np.rint(weekly["position"].to_numpy() * 100).astype(np.int64))
    lowest = cents.groupby(assign_periods(weekly[["week"]], settings, period, fiscal_start_month)["period"]).min()
    out["lowest_position"] = to_amount(lowest.reindex(order).to_numpy(np.int64))
    return out
