"""What finance reads: the budget summary, the long and wide exports, CSV and Excel bytes (the
same bytes from the dashboard and the CLI, written by ``planning.data.files``: formula-like text
neutralized, the header first, money to the cent)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.data.files import csv_bytes, file_stem, xlsx_bytes
from planning.data.inputs import Settings, SlateData
from planning.data.schema import SECTIONS
from planning.finance.flows import (FLOWS, SECTION_ORDER, SLATE_ID, funding_need, incentive_amounts, position,
                                    to_amount, to_cents)
from planning.finance.periods import assign_periods, period_order, period_position, period_rank

LONG_COLUMNS = ["production_id", "title", "section", "account", "description", "period", "period_start",
                "period_end", "flow", "amount"]

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
        out[col] = to_amount(cents[col].to_numpy())
    return out


# --- finance export ----------------------------------------------------------------------------

def finance_long(flows: pd.DataFrame, settings: Settings, period: str, fiscal_start_month: int = 1) -> pd.DataFrame:
    """The long export: one row per production x section x account x period x flow.

    Columns ``LONG_COLUMNS``; amount signed (out negative, in positive); sorted by production
    (``SLATE`` last), section, account, period.
    """
    tagged = assign_periods(flows, settings, period, fiscal_start_month)
    keys = ["production_id", "title", "section", "account", "description", "period", "period_start", "period_end",
            "flow"]
    out = tagged.groupby(keys, sort=False, observed=True)["cents"].sum().reset_index()
    out = out[out["cents"] != 0]
    out = out.assign(_slate=out["production_id"] == SLATE_ID,
                     _section=out["section"].map({s: i for i, s in enumerate(SECTION_ORDER)}),
                     _rank=period_rank(out))
    out = out.sort_values(["_slate", "production_id", "_section", "account", "_rank", "period_start", "flow"])
    out["amount"] = to_amount(out["cents"].to_numpy())
    return out[LONG_COLUMNS].reset_index(drop=True)


WIDE_KEYS = {"account": ["production_id", "title", "section", "account", "description"],
             "production": ["production_id", "title", "flow"]}


def finance_wide(long: pd.DataFrame, by: str = "account", total_row: bool = True) -> pd.DataFrame:
    """The wide export: one row per account (``by="account"``: production, section, account) or
    per production and flow (``by="production"``), one column per period in time order, a
    ``total`` column and, with ``total_row`` (the workbook; never a CSV, whose rows are data only),
    a last row ``Total`` (in production_id) summing every column."""
    keys = WIDE_KEYS[by]
    order = period_order(long)
    cents = long.assign(cents=np.rint(long["amount"].to_numpy() * 100).astype(np.int64))
    table = cents.pivot_table(index=keys, columns="period", values="cents", aggfunc="sum", sort=False)
    table = table.reindex(columns=order).fillna(0).astype("int64")
    table["total"] = table.sum(axis=1)
    table = table.reset_index()
    if total_row:
        total = table[order + ["total"]].sum().to_frame().T
        total["production_id"] = "Total"
        table = pd.concat([table, total], ignore_index=True)
    table[keys] = table[keys].astype("string")
    for col in order + ["total"]:
        table[col] = to_amount(table[col].to_numpy(np.int64))
    table.columns.name = None
    return table


def money_columns(frame: pd.DataFrame) -> list[str]:
    """The money columns of a finance table: every decimal column (amounts are the only ones)."""
    return [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]


CSV_VIEWS = ("long", "accounts", "productions")


def about_line(plan_label: str, slate_key: str, made: pd.Timestamp) -> str:
    """Which cash flow a file holds: "Slate Planner cash flow; plan: optimized: best possible plan;
    slate 3f2a...; made 2026-12-01" (a workbook's About sheet, one fact a line; a CSV says it in
    its name, ``export_name``)."""
    return f"Slate Planner cash flow; plan: {plan_label}; slate {slate_key}; made {made:%Y-%m-%d}"


def export_name(plan_name: str, slate_key: str, made: pd.Timestamp, period: str, view: str | None = None,
                suffix: str = "csv") -> str:
    """A file name that says which plan, slate and day: ``slate-cashflow-optimized-3f2a1b0c-2026-12-01-month-long.csv``."""
    return f"{file_stem('cashflow', plan_name, slate_key, made)}-{period}{f'-{view}' if view else ''}.{suffix}"


def headline(flows: pd.DataFrame, settings: Settings) -> dict:
    """The Cash flow page's figures, the same in the workbook: ``spend`` and ``incentive`` (positive
    totals), ``financing_cost``, ``peak_need`` (the lowest weekly cumulative position, as a positive
    need) and the week it is first reached (``peak_week``, ``peak_week_start``; None when the
    position never goes below zero)."""
    cents = flows.groupby("flow")["cents"].sum().reindex(list(FLOWS), fill_value=0)
    need = funding_need(position(flows, settings))
    return {"spend": -int(cents["spend"]) / 100, "incentive": int(cents["incentive"]) / 100,
            "financing_cost": need.financing_cost, "peak_need": need.peak_need, "peak_week": need.week,
            "peak_week_start": need.week_start}


def headline_lines(flows: pd.DataFrame, settings: Settings) -> list[str]:
    """``headline`` as the About sheet's lines."""
    h, cur = headline(flows, settings), settings.currency
    when = (f", first reached the week of {h['peak_week_start']:%Y-%m-%d} (week {h['peak_week']})"
            if h["peak_week"] is not None else " (the position never goes below zero)")
    return [f"peak funding need {h['peak_need']:,.2f} {cur}{when}", f"spend {h['spend']:,.2f} {cur}",
            f"incentive receipts {h['incentive']:,.2f} {cur}", f"financing cost {h['financing_cost']:,.2f} {cur}"]


def finance_csv(data: SlateData, flows: pd.DataFrame, period: str, view: str = "long",
                fiscal_start_month: int = 1) -> bytes:
    """The finance CSV of ``flows`` (from ``cashflow(data, ...)``): ``long`` (``finance_long``),
    ``accounts`` or ``productions`` (``finance_wide`` by account or by production, without the
    ``Total`` row). The first line is the header; which plan, slate and day goes in the file's
    name (``export_name``)."""
    if view not in CSV_VIEWS:
        raise ValueError(f"view must be one of {', '.join(CSV_VIEWS)}, not {view!r}")
    long = finance_long(flows, data.settings, period, fiscal_start_month)
    table = long if view == "long" else finance_wide(long, "account" if view == "accounts" else "production",
                                                     total_row=False)
    return csv_bytes(table, money=money_columns(table))


def finance_sheets(data: SlateData, flows: pd.DataFrame, period: str,
                   fiscal_start_month: int = 1) -> dict[str, pd.DataFrame]:
    """The workbook's views: Cash flow (long), By account, By production (each with its ``Total``
    row), Position, Budget summary."""
    long = finance_long(flows, data.settings, period, fiscal_start_month)
    return {
        "Cash flow": long,
        "By account": finance_wide(long, "account"),
        "By production": finance_wide(long, "production"),
        "Position": period_position(flows, data.settings, period, fiscal_start_month),
        "Budget summary": budget_summary(data),
    }


def finance_xlsx(data: SlateData, flows: pd.DataFrame, period: str, fiscal_start_month: int = 1,
                 about: str | None = None) -> bytes:
    """The finance workbook (``finance_sheets``) of ``flows`` (from ``cashflow(data, ...)``) as .xlsx
    bytes, after an About sheet: ``about`` (``about_line``) one fact a line, then the Cash flow
    page's figures (``headline_lines``: the peak funding need and its week, spend, incentive
    receipts, financing cost)."""
    frozen = {"By account": len(WIDE_KEYS["account"]), "By production": len(WIDE_KEYS["production"]),
              "Budget summary": 2}
    sheets = finance_sheets(data, flows, period, fiscal_start_month)
    lines = (about.split("; ") if about else []) + headline_lines(flows, data.settings)
    sheets = {"About": pd.DataFrame({"about": lines}), **sheets}
    return xlsx_bytes(sheets, frozen, money={name: money_columns(frame) for name, frame in sheets.items()})
