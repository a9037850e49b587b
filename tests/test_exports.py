"""Every CSV and workbook the product writes (the CLI's files and the dashboard's downloads), on a
slate whose titles, ids, resource names, risk names and scenario names look like spreadsheet
formulas: read back with ``csv.reader``, ``pandas.read_csv`` (defaults) and ``openpyxl``, no cell
(headers included) starts with a formula character, the first line is the header, money has at
most two decimals and no ``Total`` row is mixed into a CSV's data rows."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from planning.cli import main

from factory import budget, demand, frames, phase, production, resource

EVIL = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1"]
FORMULA = ("=", "+", "-", "@", "\t", "\r")
MONEY = re.compile(r"^-?\d+(\.\d{1,2})?$")


# --- reading back -------------------------------------------------------------------------------

def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def risky(value) -> bool:
    """Text a spreadsheet would run as a formula (a number such as ``-12.5`` is a number, not text)."""
    return isinstance(value, str) and (value.startswith(FORMULA) or value.lstrip().startswith(FORMULA)) \
        and not _number(value)


def check_csv(source, header: list[str] | None = None, money=()) -> tuple[pd.DataFrame, set[str]]:
    """Every cell of a CSV (path or bytes) safe, its first line the header that ``pandas.read_csv``
    (defaults) takes, money columns with at most two decimals, no ``Total`` row. Returns the frame
    and every cell's text."""
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows, "an empty file"
    cells = {c for row in rows for c in row}
    bad = sorted(c for c in cells if risky(c))
    assert not bad, f"formula-like cells: {bad}"
    assert not rows[0][0].startswith("#"), f"first line is not the header: {rows[0]}"
    frame = pd.read_csv(io.BytesIO(raw))
    assert list(frame.columns) == rows[0] and len(frame) == len(rows) - 1
    if header is not None:
        assert list(frame.columns) == header
    assert not any(c.strip().lower() == "total" for row in rows[1:] for c in row), "a Total row in a CSV"
    for col in money:
        j = rows[0].index(col)
        loose = [r[j] for r in rows[1:] if r[j] != "" and not MONEY.match(r[j])]
        assert not loose, f"{col}: more than two decimals: {loose[:5]}"
    return frame, cells


def check_xlsx(source) -> tuple[openpyxl.Workbook, set]:
    """No formula and no formula-like text in any cell of any sheet (headers too)."""
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    values = set()
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula: {c.value!r}"
                assert not risky(c.value), f"{ws.title}!{c.coordinate}: {c.value!r}"
                values.add(c.value)
    return wb, values


def neutral(text: str) -> str:
    """What a stored text (stripped by the validator) becomes in a file."""
    return "'" + text.strip()


# --- the slate ----------------------------------------------------------------------------------

def evil_tables() -> dict[str, pd.DataFrame]:
    """Three productions on two crews of one, every name formula-like: titles, one production id,
    one resource id, resource names, a budget account and descriptions, a named risk."""
    prods = [production("A", title=EVIL[0], jurisdiction="UK"), production("-2+3", title=EVIL[1]),
             production("C", title=EVIL[4])]
    phases = [phase("A", "shoot", 3, 1), phase("-2+3", "shoot", 3, 2), phase("C", "shoot", 2, 0)]
    res = [resource("GE", capacity=1, name=EVIL[2]), resource("@R", capacity=1, name=EVIL[0])]
    dem = [demand("A", "shoot", "GE"), demand("-2+3", "shoot", "GE"), demand("C", "shoot", "@R"),
           demand("A", "shoot", "@R")]
    lines = [budget("A", "-100", 1000.0, "shoot", description=EVIL[2], curve="front"),
             budget("-2+3", "2000", 1234.57, "shoot", description=EVIL[0], curve="bell", payment_lag_weeks=60),
             budget("C", "3000", 777.77, "shoot", description=EVIL[3])]
    incentives = [dict(jurisdiction="UK", rate=0.25, cap=None, receipt_lag_weeks=2, discount=0.0)]
    raw = frames(prods, phases, res, dem, lines, incentives=incentives, horizon_weeks=20)
    raw["settings"]["financing_rate_annual"] = 0.085
    raw["risks"] = pd.DataFrame([dict(production_id="A", phase_id="shoot", name=EVIL[1], kind="weather",
                                      probability=0.5, delay_low_weeks=0, delay_high_weeks=2,
                                      extra_cost_low=10.333, extra_cost_high=99.999)])
    return raw


@pytest.fixture(scope="module")
def evil(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("evil") / "slate"
    folder.mkdir()
    for name, frame in evil_tables().items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


@pytest.fixture(scope="module")
def evil_data(evil):
    from planning.data.store import load_folder

    return load_folder(evil)


# --- the CLI ------------------------------------------------------------------------------------

LONG = ["production_id", "title", "section", "account", "description", "period", "period_start", "period_end",
        "flow", "amount"]


def test_cashflow_csv_views_and_workbook(evil, tmp_path):
    out = tmp_path / "long.csv"
    assert main(["cashflow", str(evil), "--period", "month", "--out", str(out)]) == 0
    long, cells = check_csv(out, LONG, money=["amount"])
    assert {neutral(EVIL[0]), neutral(EVIL[1]), neutral(EVIL[4]), "'-100", "'-2+3", neutral(EVIL[2])} <= cells
    assert (long["amount"] < 0).any() and pd.api.types.is_float_dtype(long["amount"])   # numbers, not text
    assert {"before horizon", "after horizon"} & set(long["period"]) == {"after horizon"}
    for view, keys in (("accounts", ["production_id", "title", "section", "account", "description"]),
                       ("productions", ["production_id", "title", "flow"])):
        wide_out = tmp_path / f"{view}.csv"
        assert main(["cashflow", str(evil), "--period", "quarter", "--view", view, "--out", str(wide_out)]) == 0
        wide, cells = check_csv(wide_out)
        assert list(wide.columns[:len(keys)]) == keys and wide.columns[-1] == "total"
        check_csv(wide_out, money=list(wide.columns[len(keys):]))
        assert neutral(EVIL[0]) in cells and "'-2+3" in cells
        assert set(wide["production_id"]) == {"A", "'-2+3", "C", "SLATE"}                  # data rows only
    book = tmp_path / "cash.xlsx"
    assert main(["cashflow", str(evil), "--period", "month", "--out", str(book)]) == 0
    wb, values = check_xlsx(book)
    assert {neutral(EVIL[0]), "'-100", "'-2+3"} <= values
    about = [c.value for c in wb["About"]["A"]]
    assert any(isinstance(v, str) and v.startswith("peak funding need") for v in about), about


def test_conflicts_csvs(evil, tmp_path):
    assert main(["conflicts", str(evil), "--out", str(tmp_path)]) == 0
    util, cells = check_csv(tmp_path / "utilization.csv", ["resource_id", "name", "kind", "week", "week_start",
                                                          "capacity", "demand", "over", "hired", "shortfall"])
    assert {"'@R", neutral(EVIL[0]), neutral(EVIL[2])} <= cells
    conflicts, cells = check_csv(tmp_path / "conflicts.csv")
    assert list(conflicts.columns[:3]) == ["resource_id", "name", "kind"] and len(conflicts) >= 2
    assert {"'@R", neutral(EVIL[2])} <= cells
    assert any("-2+3" in c for c in cells)                                  # the productions involved


def test_solve_csvs_and_summary(evil, evil_data, tmp_path):
    from planning.data.store import content_hash

    assert main(["solve", str(evil), "--out", str(tmp_path), "--time-limit", "10"]) == 0
    schedule, cells = check_csv(tmp_path / "schedule.csv")
    assert list(schedule.columns[:2]) == ["production_id", "phase_id"] and "'-2+3" in cells
    for name in ("allocation", "utilization", "conflicts"):
        check_csv(tmp_path / f"{name}.csv")
    assert pd.read_parquet(tmp_path / "schedule.parquet")["production_id"].isin(["-2+3"]).any()   # raw values
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["slate"] == content_hash(evil_data) and summary["origin"]["made_at"]


def test_risk_csvs_workbook_and_summary(evil, evil_data, tmp_path):
    from planning.data.store import content_hash

    assert main(["risk", str(evil), "--samples", "50", "--out", str(tmp_path)]) == 0
    money = {"money": ["mean", "p50", "p90"], "cash_fan": ["p10", "p50", "p90"],
             "risks": ["p90_funding_need", "p90_net_cost"],
             "samples": ["peak_need", "cost", "financing", "extra", "hire_cost", "late_cost"]}
    seen = set()
    for table in ("money", "deliveries", "cash_fan", "risks", "overbooking", "samples"):
        _, cells = check_csv(tmp_path / f"{table}.csv", money=money.get(table, ()))
        seen |= cells
    assert {neutral(EVIL[0]), neutral(EVIL[1]), neutral(EVIL[2]), "'-2+3"} <= seen
    _, values = check_xlsx(tmp_path / "risk.xlsx")
    assert {neutral(EVIL[1]), "'-2+3"} <= values
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["slate"] == content_hash(evil_data) and re.match(r"^\d{4}-\d{2}-\d{2}$", summary["made"])


def test_scenario_export_csvs(evil, tmp_path, capsys):
    store = str(tmp_path / "s.duckdb")
    assert main(["scenario", "run", str(evil), "--name", EVIL[0], "--slip=-2+3:1", "--time-limit", "10",
                 "--store", store]) == 0
    assert main(["scenario", "export", EVIL[0], "--out", str(tmp_path / "out"), "--store", store]) == 0
    written = sorted((tmp_path / "out").glob("*.csv"))
    assert {p.stem for p in written} >= {"schedule", "allocation", "utilization", "conflicts", "cashflow"}
    seen = set()
    for path in written:
        _, cells = check_csv(path, money=["amount"] if path.stem == "cashflow" else ())
        seen |= cells
    assert {"'-2+3", neutral(EVIL[0]), neutral(EVIL[1])} <= seen
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["origin"]["name"] == EVIL[0] and summary["slate"]


# --- comparison ---------------------------------------------------------------------------------

def compared(evil_data):
    from planning.data.inputs import planned_schedule
    from planning.plan import SCENARIO, Origin, as_planned, build_plan

    base = as_planned(evil_data)
    starts = planned_schedule(evil_data)
    starts.loc[starts["production_id"] == "C", "start_week"] += 2
    other = build_plan(evil_data, starts, Origin(SCENARIO, EVIL[3], {"objective": 1234.5678901, "verdict": "ok"}))
    other.kpis["peak_funding_need"] = 9673945.51999998          # as a float sum leaves it
    other.kpis["financing_cost"] = 1.005
    return {EVIL[0]: base, EVIL[3]: other}


def test_comparison_csv_headers_are_safe_and_money_in_cents(evil_data):
    from planning.analysis.compare import comparison_csv

    content = comparison_csv(compared(evil_data))
    kpis, cells = check_csv(content)
    assert list(kpis.columns) == ["metric", neutral(EVIL[0]), "'-2+3", "change: -2+3"]
    row = kpis.set_index("metric")
    assert row.loc["Peak funding need", "'-2+3"] == 9673945.52
    for col in kpis.columns[1:]:
        text = [c for c in pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)[col] if c]
        assert all(MONEY.match(t) for t in text), text


def test_comparison_workbook_has_every_part(evil_data):
    from dashboard.downloads import comparison_stem, comparison_workbook

    plans, made = compared(evil_data), pd.Timestamp("2027-02-03", tz="UTC")
    wb, values = check_xlsx(comparison_workbook(plans, "abcdef0123456789", made))
    assert wb.sheetnames == ["About", "KPIs", "Phases moved", "Deliveries"]
    assert {neutral(EVIL[0]), "'-2+3", "slate abcdef0123456789", "made 2027-02-03"} <= values
    assert 9673945.52 in values
    # the file name says which comparison, slate and day; a scenario's name cannot make a path of it
    assert comparison_stem(plans, "whatif", "abcdef0123456789", made) == \
        "slate-whatif-comparison-2-3-abcdef01-2027-02-03"


# --- the dashboard's downloads ------------------------------------------------------------------

def test_plan_page_schedule_download(evil_data):
    from dashboard.downloads import schedule_csv
    from planning.plan import as_planned

    plan = as_planned(evil_data)
    schedule, cells = check_csv(schedule_csv(plan))
    assert list(schedule.columns) == list(plan.schedule.columns) and "'-2+3" in cells


def test_risk_page_downloads(evil_data):
    from dashboard.downloads import risk_downloads
    from planning.data.inputs import planned_schedule
    from planning.plan import as_planned
    from planning.risk import results
    from planning.risk.run import RiskOptions, run

    merged = run(evil_data, planned_schedule(evil_data), RiskOptions(samples=30, seed=1))
    tables = results.tables(evil_data, merged)
    made = pd.Timestamp("2027-02-03", tz="UTC")
    got = risk_downloads(as_planned(evil_data).origin, "abcdef0123456789", merged, tables, made)
    assert got["stem"] == "slate-risk-as-planned-abcdef01-2027-02-03"
    fan, _ = check_csv(got["csv"], ["week", "week_start", "p10", "p50", "p90"], money=["p10", "p50", "p90"])
    assert len(fan) == len(tables["cash_fan"])
    wb, values = check_xlsx(got["xlsx"])
    assert wb.sheetnames[0] == "About" and neutral(EVIL[1]) in values


def test_cash_flow_page_downloads_have_the_header_first(evil_data):
    from planning.finance.export import export_name, finance_csv, finance_xlsx
    from planning.plan import as_planned

    plan = as_planned(evil_data)
    made = pd.Timestamp("2027-02-03", tz="UTC")
    for view in ("long", "accounts", "productions"):
        check_csv(finance_csv(evil_data, plan.cashflow, "month", view=view))
    check_xlsx(finance_xlsx(evil_data, plan.cashflow, "month", about="Slate Planner cash flow; plan: x"))
    assert export_name("as planned", "abcdef0123", made, "month", "long") == \
        "slate-cashflow-as-planned-abcdef01-2027-02-03-month-long.csv"


# --- the writer ---------------------------------------------------------------------------------

def test_the_writer_neutralizes_text_and_headers_and_keeps_numbers():
    from planning.data.files import csv_bytes, safe_text, xlsx_bytes

    texts = EVIL + [" =1+4", "\r=1", "  @x", "plain", "a=b", "-", ""]
    frame = pd.DataFrame({"text": pd.Series(texts, dtype="string"),
                          "obj": pd.Series(texts, dtype=object),
                          "cat": pd.Series(texts).astype("category"),
                          "n": range(-6, len(texts) - 6),
                          "x": [-2.5] + [1.005] * (len(texts) - 1),
                          "when": pd.Timestamp("2027-01-04"),
                          EVIL[0]: "h"})
    for value in texts:
        safe = safe_text(value)
        assert not risky(safe)
        assert safe == value or safe == "'" + value
    assert safe_text(-5) == -5 and safe_text(None) is None
    got, cells = check_csv(csv_bytes(frame, money=["x"]))
    assert list(got.columns) == ["text", "obj", "cat", "n", "x", "when", "'" + EVIL[0]]
    assert got["n"].tolist() == list(range(-6, len(texts) - 6)) and got["x"].iloc[0] == -2.5
    assert got["when"].iloc[0] == "2027-01-04" and got["x"].iloc[1] in (1.0, 1.01)
    assert "'\t=1" in cells and "' =1+4" in cells and "'-2+3" in cells and "a=b" in cells
    wb, values = check_xlsx(xlsx_bytes({"Sheet": frame}))
    ws = wb["Sheet"]
    assert ws["D2"].value == -6 and ws["D2"].data_type == "n" and ws["E2"].value == -2.5
    assert ws["G1"].value == "'" + EVIL[0]
