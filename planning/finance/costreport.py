"""The cost report: for every production and budget account, the budget, what has been spent
(actual to date), what is ordered (committed), what is still to come (estimate to complete, ETC),
the estimate at final cost (EFC) and the variance; rolled up per production and for the slate;
and its files (CSV, workbook). ``docs/cashflow.md`` (*Cost report*) states the same rules for
finance.

Each line's figures come from ``planning.finance.flows.line_costs`` on the report date
(``settings.as_of``; the horizon start without one), in integer cents (each amount rounded half up
to the cent once):

- **actual to date**: the sum of the line's ``actual`` rows (refunds are negative and lower it);
- **committed**: the sum of its ``committed`` rows (open purchase orders);
- **ETC**: the ``estimates`` figure when one is given (it wins); else for a ``fixed`` line
  ``max(0, budget - actual - committed)``; for a ``weekly`` line
  ``max(0, budget x weeks left / duration_weeks - committed)`` (the rate ``budget / duration_weeks``
  times the weeks its phase still runs on or after the report week, under the plan shown, rounded
  half up to the cent once), so a shoot running two weeks long adds two weeks of rate;
- **EFC** = actual to date + committed + ETC; **variance** = budget - EFC (negative: over budget).

A line's ETC is what the cash flow spends from the report week on, with what is committed, so a
production's whole cash-flow spend is its EFC to the cent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.data.files import csv_bytes, file_stem, xlsx_bytes
from planning.data.inputs import Settings, SlateData
from planning.data.schema import SECTIONS
from planning.finance.flows import SLATE_ID, line_costs, to_amount

REPORT_COLUMNS = ["production_id", "account", "description", "section", "budget", "actual_to_date", "committed",
                  "estimate_to_complete", "efc", "variance"]
MONEY = ["budget", "actual_to_date", "committed", "estimate_to_complete", "efc", "variance"]
SUMMARY_COLUMNS = ["production_id", "title", *MONEY, "pct_spent", "contingency_left", "note"]
CONTINGENCY = "contingency"
NO_CONTINGENCY, CONTINGENCY_USED_UP = "no contingency line", "contingency used up"


def cents_of(amounts) -> np.ndarray:
    """Integer cents of amounts that are already whole cents (a report's money columns)."""
    return np.rint(np.asarray(amounts, dtype="float64") * 100).astype(np.int64)


def cost_report(data: SlateData, schedule: pd.DataFrame) -> pd.DataFrame:
    """One row per production and budget account (columns ``REPORT_COLUMNS``; money as amounts to
    the cent) on the report date, with the weekly lines' weeks taken from ``schedule`` (a plan:
    ``production_id, phase_id, start_week`` of every phase; a started phase keeps its actual weeks).
    Sorted by production, section (``ATL``, ``BTL_PRODUCTION``, ``BTL_POST``, ``OTHER``) and account.
    The rules are the module's."""
    costs = line_costs(data, schedule)
    lines = data.budget_lines.reset_index(drop=True)
    out = lines[["production_id", "account", "description", "section"]].astype("string")
    efc = costs["efc_cents"].to_numpy(np.int64)
    budget = costs["budget_cents"].to_numpy(np.int64)
    for name, cents in (("budget", budget), ("actual_to_date", costs["actual_cents"]),
                        ("committed", costs["committed_cents"]), ("estimate_to_complete", costs["etc_cents"]),
                        ("efc", efc), ("variance", budget - efc)):
        out[name] = to_amount(np.asarray(cents, np.int64))
    rank = out["section"].map({s: i for i, s in enumerate(SECTIONS)})
    order = np.lexsort((out["account"].to_numpy(str), rank.to_numpy(np.int64), out["production_id"].to_numpy(str)))
    return out.take(order).reset_index(drop=True)[REPORT_COLUMNS]


def is_contingency(description: pd.Series) -> pd.Series:
    """True for a contingency line: its description is ``Contingency`` (any case, spaces trimmed)."""
    return description.astype("string").str.strip().str.casefold().eq(CONTINGENCY).fillna(False).astype(bool)


def by_production(report: pd.DataFrame, data: SlateData) -> pd.DataFrame:
    """Each production's roll-up of ``report`` (``cost_report``), in production_id order, columns
    ``SUMMARY_COLUMNS``:

    - budget, actual_to_date, committed, estimate_to_complete, efc, variance: sums of its lines;
    - ``pct_spent``: actual to date as a percentage of the budget, ``100 x actual / budget`` rounded
      to one decimal (empty when the budget is 0);
    - ``contingency_left``: the budget of its contingency lines (``is_contingency``) less the net
      overrun of every other line, ``sum(EFC - budget)`` over them (savings on one line offset
      overruns on another); below 0 the contingency is used up (``note`` says so). A production
      without a contingency line has 0 and the note ``no contingency line``.
    """
    cents = pd.DataFrame({c: cents_of(report[c]) for c in MONEY})
    cents["production_id"] = report["production_id"].to_numpy()
    cont = is_contingency(report["description"]).to_numpy()
    cents["contingency"] = np.where(cont, cents["budget"], 0)
    cents["overrun"] = np.where(cont, 0, cents["efc"] - cents["budget"])
    cents["has_contingency"] = cont
    sums = cents.groupby("production_id").agg({**{c: "sum" for c in MONEY}, "contingency": "sum",
                                                "overrun": "sum", "has_contingency": "any"})
    prods = data.productions[["production_id", "title"]].astype("string").sort_values("production_id")
    sums = sums.reindex(prods["production_id"].to_numpy()).fillna(0)
    out = prods.reset_index(drop=True)
    for c in MONEY:
        out[c] = to_amount(sums[c].to_numpy(np.int64))
    out["pct_spent"] = pct(sums["actual_to_date"].to_numpy(np.int64), sums["budget"].to_numpy(np.int64))
    left = (sums["contingency"] - sums["overrun"]).to_numpy(np.int64)
    has = sums["has_contingency"].to_numpy(bool)
    out["contingency_left"] = to_amount(np.where(has, left, 0))
    out["note"] = pd.Series(np.where(~has, NO_CONTINGENCY, np.where(left < 0, CONTINGENCY_USED_UP, "")),
                            dtype="string")
    return out[SUMMARY_COLUMNS]


def pct(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """``100 x part / whole`` rounded to one decimal; NaN where ``whole`` is 0."""
    whole = np.asarray(whole, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole != 0, np.round(100 * np.asarray(part, dtype="float64") / whole, 1), np.nan)


def with_slate_total(summary: pd.DataFrame) -> pd.DataFrame:
    """``summary`` (``by_production``) and a last row ``SLATE`` / ``Slate total``: every money column
    summed (contingency left too), pct_spent recomputed from the totals."""
    cents = {c: int(cents_of(summary[c]).sum()) for c in MONEY + ["contingency_left"]}
    total = {"production_id": SLATE_ID, "title": "Slate total", **{c: v / 100 for c, v in cents.items()},
             "pct_spent": float(pct(np.array([cents["actual_to_date"]]), np.array([cents["budget"]]))[0]),
             "note": ""}
    out = pd.concat([summary, pd.DataFrame([total])], ignore_index=True)
    return out.astype({"production_id": "string", "title": "string", "note": "string"})[SUMMARY_COLUMNS]


def totals(report: pd.DataFrame) -> dict[str, float]:
    """The slate's total of every money column of ``report``, summed in cents."""
    return {c: int(cents_of(report[c]).sum()) / 100 for c in MONEY}


# --- files -------------------------------------------------------------------------------------

def costreport_filename(plan_name: str, slate_key: str, made: pd.Timestamp, report_date: pd.Timestamp,
                        suffix: str = "csv") -> str:
    """A name that says which plan, slate, day made and report date a cost report holds:
    ``slate-costreport-as-planned-3f2a1b0c-2027-05-03-as-of-2027-04-26.csv``."""
    return f"{file_stem('costreport', plan_name, slate_key, made)}-as-of-{report_date:%Y-%m-%d}.{suffix}"


def costreport_csv(report: pd.DataFrame) -> bytes:
    """``report`` (``cost_report``) as CSV bytes: the header first, exactly ``REPORT_COLUMNS``,
    formula-like text neutralized, money with two decimals, CRLF (``planning.data.files``)."""
    return csv_bytes(report[REPORT_COLUMNS], money=MONEY)


def about_lines(plan_label: str, slate_key: str, made: pd.Timestamp, settings: Settings) -> list[str]:
    """The About sheet, one fact a line: what it is, the plan, the slate's hash, the day it was made
    and the report date (saying when it is the horizon start because no ``as_of`` is given)."""
    when = f"{settings.report_date:%Y-%m-%d}" + ("" if settings.as_of is not None else
                                                 " (the horizon start: the slate gives no as_of)")
    return ["Slate Planner cost report", f"plan: {plan_label}", f"slate {slate_key}", f"made {made:%Y-%m-%d}",
            f"as of {when}"]


def with_subtotals(report: pd.DataFrame) -> pd.DataFrame:
    """``report`` with a first column ``level`` (``account``) and subtotal rows: after each
    production's section a ``section`` row (description ``Total <section>``), after each production
    a ``production`` row (``Total <production>``), last a ``slate`` row (``Slate total``); a
    subtotal's account is empty and its money the sum of the rows it closes, in cents."""
    rows = []

    def subtotal(level: str, part: pd.DataFrame, pid: str, section: str, description: str) -> dict:
        return {"level": level, "production_id": pid, "account": "", "description": description,
                "section": section, **{c: int(cents_of(part[c]).sum()) / 100 for c in MONEY}}

    for pid, prod in report.groupby("production_id", sort=False):
        for section, part in prod.groupby("section", sort=False):
            rows += [{"level": "account", **r} for r in part.to_dict("records")]
            rows.append(subtotal("section", part, pid, section, f"Total {section}"))
        rows.append(subtotal("production", prod, pid, "", f"Total {pid}"))
    rows.append(subtotal("slate", report, SLATE_ID, "", "Slate total"))
    out = pd.DataFrame(rows, columns=["level"] + REPORT_COLUMNS)
    return out.astype({c: "string" for c in ["level", "production_id", "account", "description", "section"]}
                      | {c: "float64" for c in MONEY})


def costreport_sheets(data: SlateData, report: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The workbook's sheets after About: ``Cost report`` (``with_subtotals``) and ``Slate summary``
    (``by_production`` with the slate total)."""
    return {"Cost report": with_subtotals(report), "Slate summary": with_slate_total(by_production(report, data))}


def costreport_xlsx(data: SlateData, report: pd.DataFrame, about: list[str]) -> bytes:
    """The cost report workbook: ``About`` (``about``, one fact a line, then the slate's budget,
    EFC and variance), then ``costreport_sheets``. Money as ``#,##0.00``, headers frozen."""
    t, cur = totals(report), data.settings.currency
    lines = about + [f"budget {t['budget']:,.2f} {cur}", f"EFC {t['efc']:,.2f} {cur}",
                     f"variance {t['variance']:,.2f} {cur}"]
    sheets = {"About": pd.DataFrame({"about": lines}), **costreport_sheets(data, report)}
    money = {"Cost report": MONEY, "Slate summary": MONEY + ["contingency_left"]}
    return xlsx_bytes(sheets, {"Cost report": 3, "Slate summary": 2}, money=money)
