"""What finance reads: the budget summary, the long and wide exports, CSV and Excel bytes (the
same bytes from the dashboard and the CLI)."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from planning.data.inputs import Settings, SlateData
from planning.data.schema import SECTIONS
from planning.finance.flows import SECTION_ORDER, SLATE_ID, incentive_amounts, to_amount, to_cents
from planning.finance.periods import assign_periods, period_order, period_position, period_rank

LONG_COLUMNS = ["production_id", "title", "section", "account", "description", "period", "period_start", "flow",
                "amount"]

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
    keys = ["production_id", "title", "section", "account", "description", "period", "period_start", "flow"]
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
        table[col] = to_amount(table[col].to_numpy(np.int64))
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


def about_line(plan_label: str, slate_key: str, made: pd.Timestamp) -> str:
    """Which cash flow a file holds: "Slate Planner cash flow; plan: optimized: best possible plan;
    slate 3f2a...; made 2026-12-01" (the first line of a CSV, the About sheet of a workbook)."""
    return f"Slate Planner cash flow; plan: {plan_label}; slate {slate_key}; made {made:%Y-%m-%d}"


def export_name(plan_name: str, slate_key: str, made: pd.Timestamp, period: str, view: str | None = None,
                suffix: str = "csv") -> str:
    """A file name that says which plan, slate and day: ``slate-cashflow-optimized-3f2a1b0c-2026-12-01-month-long.csv``."""
    plan = "-".join(plan_name.lower().split())
    return f"slate-cashflow-{plan}-{slate_key[:8]}-{made:%Y-%m-%d}-{period}{f'-{view}' if view else ''}.{suffix}"


def finance_csv(data: SlateData, flows: pd.DataFrame, period: str, view: str = "long",
                fiscal_start_month: int = 1, about: str | None = None) -> bytes:
    """The finance CSV of ``flows`` (from ``cashflow(data, ...)``): ``long`` (``finance_long``),
    ``accounts`` or ``productions`` (``finance_wide`` by account or by production); with ``about``
    (``about_line``) as a first line ``# ...``."""
    if view not in CSV_VIEWS:
        raise ValueError(f"view must be one of {', '.join(CSV_VIEWS)}, not {view!r}")
    long = finance_long(flows, data.settings, period, fiscal_start_month)
    table = long if view == "long" else finance_wide(long, "account" if view == "accounts" else "production")
    return (f"# {about}\n".encode() if about else b"") + to_csv_bytes(table)


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


def finance_xlsx(data: SlateData, flows: pd.DataFrame, period: str, fiscal_start_month: int = 1,
                 about: str | None = None) -> bytes:
    """The finance workbook (``finance_sheets``) of ``flows`` (from ``cashflow(data, ...)``) as .xlsx
    bytes; with ``about`` (``about_line``), an About sheet first."""
    frozen = {"By account": len(WIDE_KEYS["account"]), "By production": len(WIDE_KEYS["production"]),
              "Budget summary": 2}
    sheets = finance_sheets(data, flows, period, fiscal_start_month)
    if about:
        sheets = {"About": pd.DataFrame({"about": about.split("; ")}), **sheets}
    return to_xlsx_bytes(sheets, frozen)
