"""The one writer of every CSV and workbook the product makes (the CLI's files, the dashboard's
downloads): a table in, bytes out.

- **Formula-like text stays text.** A text cell, or a header, that starts with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return (also after leading whitespace: ``" =1+4"``) gets a
  leading ``'`` (OWASP's CSV-injection advice), so a spreadsheet shows it instead of running it.
  Numbers, dates and empty cells are left alone: a negative amount is a number, not text. The
  stored data keeps its own text; only what is written out is changed.
- **The first line of a CSV is its header**, never a comment: which plan, slate and day a file
  holds goes in its name, a workbook's About sheet or ``summary.json``.
- **Money columns** (``money=``) are rounded to the cent and written with two decimals.
- UTF-8, ``\\r\\n`` line ends (RFC 4180), dates as ``YYYY-MM-DD``; a workbook has a bold frozen
  header, money as ``#,##0.00``, dates as dates, and the same frames always give the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula; any other
    value (numbers, dates, None) as it is."""
    if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS)):
        return "'" + value
    return value


def _is_text(column: pd.Series) -> bool:
    dtype = column.dtype
    return (pd.api.types.is_object_dtype(dtype) or isinstance(dtype, (pd.StringDtype, pd.CategoricalDtype))
            or pd.api.types.is_string_dtype(dtype))


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and every header passed through ``safe_text``."""
    out = frame.copy()
    for j, col in enumerate(frame.columns):
        column = frame.iloc[:, j]
        if not _is_text(column):
            continue
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        safe = column.map(safe_text, na_action="ignore")
        out.isetitem(j, safe.astype(column.dtype) if isinstance(column.dtype, pd.StringDtype) else safe)
    out.columns = [safe_text(c) for c in frame.columns]
    return out


def to_cents(column: pd.Series) -> pd.Series:
    """Money rounded to the cent (half away from zero on the decimal value, as finance rounds)."""
    values = pd.to_numeric(column, errors="coerce").astype("float64")
    return np.sign(values) * np.floor(np.abs(values) * 100 + 0.5 + 1e-9) / 100 + 0.0   # no -0.00


def _money(frame: pd.DataFrame, money: Iterable[str]) -> list[str]:
    money = list(money)
    unknown = [c for c in money if c not in frame.columns]
    if unknown:
        raise KeyError(f"money column(s) not in the table: {', '.join(map(str, unknown))}")
    return money


def csv_bytes(frame: pd.DataFrame, money: Iterable[str] = ()) -> bytes:
    """``frame`` as CSV bytes: the header first, formula-like text and headers neutralized
    (``safe_frame``), the ``money`` columns to the cent with two decimals, dates ``YYYY-MM-DD``."""
    out = safe_frame(frame)
    for col in _money(frame, money):
        j = frame.columns.get_loc(col)
        cents = to_cents(frame[col])
        out.isetitem(j, cents.map(lambda v: "" if pd.isna(v) else f"{v:.2f}").astype(object))
    # CRLF (RFC 4180): the csv module then quotes a cell holding a carriage return, which with
    # "\n" line ends it would not, and a reader would split the row there.
    return out.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\r\n").encode("utf-8")


def write_csv(frame: pd.DataFrame, path: str | Path, money: Iterable[str] = ()) -> Path:
    """Write ``csv_bytes(frame, money)`` to ``path``."""
    path = Path(path)
    path.write_bytes(csv_bytes(frame, money))
    return path


_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _cell(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if isinstance(value, np.generic) else value


def xlsx_bytes(sheets: dict[str, pd.DataFrame], frozen_columns: dict[str, int] | None = None,
               money: dict[str, Iterable[str]] | None = None) -> bytes:
    """An .xlsx workbook, one sheet per frame: bold frozen header (and the first
    ``frozen_columns[name]`` columns frozen), text and headers neutralized (``safe_frame``), the
    ``money[name]`` columns rounded to the cent, decimals as ``#,##0.00``, dates as ``yyyy-mm-dd``.
    The same frames always give the same bytes (fixed timestamps)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        ws = wb.create_sheet(name)
        frame = frame.copy()
        for col in _money(frame, (money or {}).get(name, ())):
            frame[col] = to_cents(frame[col])
        frame = safe_frame(frame)
        ws.append([_cell(c) for c in frame.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        columns = [frame.iloc[:, j].tolist() for j in range(frame.shape[1])]
        for row in zip(*columns):
            ws.append([_cell(v) for v in row])
        for j in range(frame.shape[1]):
            column, letter = frame.iloc[:, j], get_column_letter(j + 1)
            if pd.api.types.is_float_dtype(column):
                fmt = "#,##0.00"
            elif pd.api.types.is_datetime64_any_dtype(column):
                fmt = "yyyy-mm-dd"
            else:
                fmt = None
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j + 1, max_col=j + 1):
                    cell.number_format = fmt
            sample = [len(str(v)) for v in column.head(200) if not pd.isna(v)]
            ws.column_dimensions[letter].width = min(60, max([len(str(frame.columns[j])), 10] + sample) + 2)
        ws.freeze_panes = ws.cell(row=2, column=1 + (frozen_columns or {}).get(name, 0))
    _no_formulas(wb)
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


def _no_formulas(wb: openpyxl.Workbook) -> None:
    """openpyxl makes any text starting with ``=`` a formula: after ``safe_frame`` none should."""
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    raise ValueError(f"{ws.title}!{cell.coordinate} would be a formula: {cell.value!r}")


def file_stem(kind: str, plan_name: str, slate_key: str, made: pd.Timestamp) -> str:
    """A file name's stem that says what it holds, for which plan, slate and day:
    ``slate-risk-as-planned-3f2a1b0c-2026-12-01``. Only letters, digits, ``-`` and ``_`` stay in the
    plan's name (a scenario may be called anything)."""
    plan = re.sub(r"[^\w-]+", "-", plan_name.lower(), flags=re.ASCII).strip("-_") or "plan"
    return f"slate-{kind}-{plan}-{slate_key[:8]}-{made:%Y-%m-%d}"
