"""What the pages offer to download, as pure functions returning bytes (and the file names that say
which plan, slate and day a file holds). Every file is written by ``planning.data.files``: the
header first, formula-like text neutralized, money to the cent. The Cash flow page's files are
``planning.finance.export``'s, the same bytes as ``slate cashflow``."""

from __future__ import annotations

import pandas as pd

from planning.analysis.compare import comparison_xlsx
from planning.data.files import csv_bytes, file_stem
from planning.plan import Origin, Plan
from planning.risk import results
from planning.risk.run import Merged


def schedule_csv(plan: Plan) -> bytes:
    """The Plan page's schedule: the same bytes as the ``schedule.csv`` of ``slate solve``."""
    return csv_bytes(plan.schedule)


def schedule_name(plan: Plan, slate_key: str, made: pd.Timestamp) -> str:
    return f"{file_stem('schedule', plan.origin.name, slate_key, made)}.csv"


def comparison_stem(plans: dict, kind: str, slate_key: str, made: pd.Timestamp) -> str:
    """The name of the What-if (``kind`` ``whatif``) or Scenarios (``scenarios``) page's comparison
    files, after what is compared with the first plan: ``slate-whatif-comparison-what-if-<slate>-<day>``
    (``...-3-scenarios-...`` for three)."""
    others = list(plans)[1:]
    name = others[0] if len(others) == 1 else f"{len(others)} scenarios"
    return file_stem(f"{kind}-comparison", name, slate_key, made)


def comparison_workbook(plans: dict, slate_key: str, made: pd.Timestamp) -> bytes:
    """The comparison of ``plans`` as a workbook: About (slate, day and what each plan is), KPIs (to
    the cent), phases moved, deliveries. Its CSV is ``comparison_csv`` (the KPIs)."""
    return comparison_xlsx(plans, f"Slate Planner comparison; slate {slate_key}; made {made:%Y-%m-%d}")


def risk_downloads(origin: Origin, slate_key: str, merged: Merged, tables: dict[str, pd.DataFrame],
                   made: pd.Timestamp) -> dict:
    """The Risk page's files of a run: ``xlsx`` (the workbook, its About sheet saying which plan,
    slate, samples and day), ``csv`` (the cash position P10/P50/P90) and ``stem`` for their names."""
    about = results.about_line(origin.label, slate_key, merged, made)
    return {"stem": file_stem("risk", origin.name, slate_key, made), "xlsx": results.workbook(tables, about),
            "csv": results.table_csv("cash_fan", tables["cash_fan"])}
