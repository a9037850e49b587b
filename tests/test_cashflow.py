"""Cash flow: curves, lags, incentives, financing, periods and the finance export.

Expected figures are worked out by hand from the rules in ``planning/finance/flows.py``'s docstring
(and ``docs/cashflow.md``), on budgets small enough to check on paper.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from planning.finance import export as ex
from planning.finance import flows as fl
from planning.finance import periods as pe
from planning.data.schema import CURVES
from planning.cli import main
from planning.data.store import content_hash
from planning.data.inputs import planned_schedule
from planning.data.store import load_folder
from planning.data.validate import check
from planning.plan import as_planned
from planning.sample import make_slate

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
H0 = pd.Timestamp("2027-01-04")  # a Monday: week 0


def monday(week: int) -> str:
    return str((H0 + pd.Timedelta(weeks=week)).date())


def production(pid: str = "P1", **kw) -> dict:
    row = dict(production_id=pid, title=f"Title {pid}", format="feature", priority=3, earliest_start=monday(0),
               latest_start=None, target_delivery=monday(40), lateness_cost_per_week=0.0, jurisdiction=None,
               locked=False)
    return row | kw


def phase(pid: str, phase_id: str, weeks: int, start: int, **kw) -> dict:
    row = dict(production_id=pid, phase_id=phase_id, kind="shoot", duration_weeks=weeks, planned_start=monday(start),
               locked=False)
    return row | kw


def line(account: str, amount: float, phase_id: str = "shoot", pid: str = "P1", **kw) -> dict:
    row = dict(production_id=pid, account=account, description=f"Account {account}", section="BTL_PRODUCTION",
               amount=amount, phase_id=phase_id, curve="flat", payment_lag_weeks=0, qualifying=True)
    return row | kw


def slate(lines, phases=None, productions=None, incentives=None, rate=0.0, horizon=52):
    """A validated slate: one crew pool, the given productions (default P1), phases (default a
    5-week shoot from week 0) and budget lines."""
    productions = productions or [production()]
    phases = phases or [phase("P1", "shoot", 5, 0)]
    raw = {
        "productions": pd.DataFrame(productions),
        "phases": pd.DataFrame(phases),
        "resources": pd.DataFrame([dict(resource_id="CREW", kind="crew", name="Crew", capacity=9, size=None,
                                        hire_cost_per_week=None, hire_max_units=None)]),
        "demands": pd.DataFrame([dict(production_id=p["production_id"], phase_id=p["phase_id"], resource_id="CREW",
                                      resource_kind=None, min_size=None, units=1, lead_weeks=0, tail_weeks=0)
                                 for p in phases]),
        "budget_lines": pd.DataFrame(lines),
        "settings": pd.DataFrame([dict(horizon_start=str(H0.date()), horizon_weeks=horizon, currency="USD",
                                       financing_rate_annual=rate)]),
    }
    if incentives is not None:
        raw["incentives"] = pd.DataFrame(incentives)
    data, problems = check(raw)
    assert not problems, problems
    return data


def flows_of(data):
    return fl.cashflow(data, planned_schedule(data))


def by_week(flows, flow="spend", account=None) -> dict[int, int]:
    """Cents by week of one flow (and account), as positive magnitudes."""
    rows = flows[flows["flow"] == flow]
    if account is not None:
        rows = rows[rows["account"] == account]
    return {int(w): abs(int(c)) for w, c in rows.groupby("week")["cents"].sum().items()}


@pytest.fixture(scope="module")
def sample():
    """The bundled sample (a slate under way) and the cash flow of its as-planned plan, the one
    ``slate cashflow`` writes without ``--plan``."""
    data = load_folder(SAMPLE)
    return data, as_planned(data).cashflow


@pytest.fixture(scope="module")
def snapshot():
    """The sample's productions as a snapshot (``make_slate()`` without ``as_of``): nothing spent
    yet, so every line is spent in full over its phase."""
    data, problems = check(make_slate())
    assert not problems
    return data, flows_of(data)


# --- curves -----------------------------------------------------------------------------------

def test_curve_weights_match_the_documented_shapes():
    assert fl.curve_weights("flat", 4) == [1, 1, 1, 1]
    assert fl.curve_weights("front", 4) == [4, 3, 2, 1]
    assert fl.curve_weights("back", 4) == [1, 2, 3, 4]
    assert fl.curve_weights("bell", 4) == [1, 2, 2, 1]
    assert fl.curve_weights("bell", 5) == [1, 2, 3, 2, 1]
    assert fl.curve_weights("start", 4) == [1, 0, 0, 0]
    assert fl.curve_weights("end", 4) == [0, 0, 0, 1]
    for curve in CURVES:
        assert fl.curve_weights(curve, 1) == [1]


@pytest.mark.parametrize("curve, expected", [
    ("flat", [3000, 3000, 3000, 3000, 3000]),
    ("front", [5000, 4000, 3000, 2000, 1000]),    # 15000 * (5,4,3,2,1) / 15
    ("back", [1000, 2000, 3000, 4000, 5000]),
    ("bell", [1667, 3333, 5000, 3333, 1667]),     # 15000 * (1,2,3,2,1) / 9: 1666.67, 3333.33, 5000
    ("start", [15000, 0, 0, 0, 0]),
    ("end", [0, 0, 0, 0, 15000]),
])
def test_each_curve_spreads_a_line_over_its_scheduled_weeks(curve, expected):
    data = slate([line("2000", 150.00, curve=curve)], phases=[phase("P1", "shoot", 5, 3)])
    got = by_week(flows_of(data))
    assert got == {3 + i: c for i, c in enumerate(expected) if c}


def test_left_over_cents_go_to_the_largest_remainders_earliest_first():
    data = slate([line("2000", 1.00), line("2100", 0.02, curve="bell"), line("2200", 0.05, curve="front")],
                 phases=[phase("P1", "shoot", 3, 0)])
    flows = flows_of(data)
    assert by_week(flows, account="2000") == {0: 34, 1: 33, 2: 33}
    # 2 cents by (1,2,1)/4: floors 0,1,0 with remainders 2,0,2 -> the spare cent to week 0.
    assert by_week(flows, account="2100") == {0: 1, 1: 1}
    # 5 cents by (3,2,1)/6: floors 2,1,0 with remainders 3,4,5 -> spare cents to weeks 2 and 1.
    assert by_week(flows, account="2200") == {0: 2, 1: 2, 2: 1}


def test_spread_is_exact_and_within_a_cent_of_the_true_share():
    rng = random.Random(3)
    cents = np.array([rng.randint(0, 10**11) for _ in range(400)], dtype=np.int64)
    curves = np.array([rng.randrange(len(CURVES)) for _ in range(400)], dtype=np.int64)
    weeks = np.array([rng.randint(1, 60) for _ in range(400)], dtype=np.int64)
    line_no, offset, got = fl.spread(cents, curves, weeks)
    assert (np.bincount(line_no, weights=got, minlength=400).astype(np.int64) == cents).all()
    for j in rng.sample(range(400), 40):
        k = fl.curve_weights(CURVES[curves[j]], int(weeks[j]))
        share = [int(cents[j]) * w / sum(k) for w in k]
        assert all(abs(g - s) < 1 for g, s in zip(got[line_no == j], share))


def test_amounts_round_half_up_to_the_cent():
    assert fl.to_cents([0.285, 1.005, 12.345, 2.675, 100]).tolist() == [29, 101, 1235, 268, 10000]


# --- lags and the horizon ---------------------------------------------------------------------

def test_payment_lag_pays_each_week_later():
    data = slate([line("2000", 40.00, payment_lag_weeks=3)], phases=[phase("P1", "shoot", 4, 2)])
    assert by_week(flows_of(data)) == {5: 1000, 6: 1000, 7: 1000, 8: 1000}


def test_spend_outside_the_horizon_is_kept_in_buckets():
    # Shoot weeks -3..1, paid 2 weeks later (-1..3); post ends in week 9, paid in week 13.
    data = slate([line("2000", 50.00, payment_lag_weeks=2), line("5000", 30.00, "post", curve="end",
                                                                   payment_lag_weeks=4)],
                 horizon=10, productions=[production(earliest_start=monday(-3), locked=True)],
                 phases=[phase("P1", "shoot", 5, -3, locked=True), phase("P1", "post", 4, 6, kind="post",
                                                                            locked=True)])
    flows = flows_of(data)
    assert by_week(flows) == {-1: 1000, 0: 1000, 1: 1000, 2: 1000, 3: 1000, 13: 3000}
    long = ex.finance_long(flows, data.settings, "month")
    totals = long.groupby("period")["amount"].sum()
    assert totals[pe.BEFORE_HORIZON] == -10.00
    assert totals[pe.AFTER_HORIZON] == -30.00
    assert round(long["amount"].sum(), 2) == -80.00
    bounds = long.drop_duplicates("period").set_index("period")[["period_start", "period_end"]]
    # each bucket's own dates: paid weeks -1 and 13, not the horizon's bounds (week 0, week 10)
    assert bounds.loc[pe.BEFORE_HORIZON].tolist() == [pd.Timestamp(monday(-1)), pd.Timestamp(monday(0)) - pd.Timedelta(days=1)]
    assert bounds.loc[pe.AFTER_HORIZON].tolist() == [pd.Timestamp(monday(13)), pd.Timestamp(monday(14)) - pd.Timedelta(days=1)]
    assert bounds.loc["2027-01"].tolist() == [pd.Timestamp("2027-01-01"), pd.Timestamp("2027-01-31")]
    assert list(long["period"].unique()) == [pe.BEFORE_HORIZON, "2027-01", pe.AFTER_HORIZON]


# --- incentives -------------------------------------------------------------------------------

INCENTIVES = [dict(jurisdiction="UK", rate=0.25, cap=None, receipt_lag_weeks=10, discount=0.0),
              dict(jurisdiction="CAP", rate=0.25, cap=200.0, receipt_lag_weeks=0, discount=0.0),
              dict(jurisdiction="SOLD", rate=0.25, cap=200.0, receipt_lag_weeks=3, discount=0.1)]


def incentive_slate(jurisdiction):
    phases = [phase("P1", "prep", 4, 0, kind="prep"), phase("P1", "shoot", 2, 6)]  # delivery: end of week 7 -> 8
    lines = [line("2000", 1000.00, "prep"), line("1400", 500.00, "shoot", section="ATL", qualifying=False)]
    return slate(lines, phases=phases, productions=[production(jurisdiction=jurisdiction)], incentives=INCENTIVES)


@pytest.mark.parametrize("jurisdiction, received, week", [
    ("UK", 25000, 18),    # 25% of 1,000.00 qualifying, 10 weeks after delivery in week 8
    ("CAP", 20000, 8),    # 250.00 capped at 200.00, on delivery
    ("SOLD", 18000, 11),  # 200.00 capped, less 10% discount, 3 weeks after delivery
])
def test_incentive_amount_and_timing(jurisdiction, received, week):
    flows = flows_of(incentive_slate(jurisdiction))
    assert by_week(flows, "incentive") == {week: received}
    row = flows[flows["flow"] == "incentive"].iloc[0]
    assert (row["section"], row["account"], row["cents"]) == ("INCENTIVE", f"INC-{jurisdiction}", received)


def test_no_jurisdiction_no_incentive():
    data = slate([line("2000", 1000.00)], incentives=INCENTIVES)
    assert not (flows_of(data)["flow"] == "incentive").any()
    assert ex.budget_summary(data).iloc[0]["incentive"] == 0


def test_incentive_follows_the_schedule_it_is_given():
    data = incentive_slate("UK")
    moved = planned_schedule(data).assign(start_week=lambda s: s["start_week"] + 5)
    assert by_week(fl.cashflow(data, moved), "incentive") == {23: 25000}


# --- position, peak need, financing -----------------------------------------------------------

def test_peak_funding_need_is_the_first_week_of_the_lowest_position():
    lines = [line("2000", 100.00, "prep", curve="start"), line("2100", 100.00, "shoot", curve="start")]
    phases = [phase("P1", "prep", 3, 2, kind="prep"), phase("P1", "shoot", 2, 5)]  # delivery in week 7
    rules = [dict(jurisdiction="UK", rate=0.5, cap=None, receipt_lag_weeks=3, discount=0.0)]
    data = slate(lines, phases=phases, productions=[production(jurisdiction="UK")], incentives=rules, horizon=20)
    weekly = fl.position(flows_of(data), data.settings)
    assert weekly.set_index("week").loc[[1, 2, 5, 9, 10], "position"].tolist() == [0, -100, -200, -200, -100]
    need = fl.funding_need(weekly)
    assert (need.peak_need, need.week, need.week_start) == (200.00, 5, pd.Timestamp(monday(5)))
    assert need.financing_cost == 0


def test_financing_cost_on_a_tiny_case_by_hand():
    # 52% a year is 1% a week. 1,000.00 paid in week -2 (before the horizon) and 1,000.00 in week 2;
    # a 4-week horizon. End-of-week deficits: 1000, 1000, 2000, 2000 -> 10 + 10 + 20 + 20 = 60.00.
    lines = [line("2000", 1000.00, curve="start"), line("5000", 1000.00, "post", curve="start")]
    phases = [phase("P1", "shoot", 2, -2, locked=True), phase("P1", "post", 3, 2, kind="post", locked=True)]
    data = slate(lines, phases=phases, productions=[production(earliest_start=monday(-2), locked=True)],
                 rate=0.52, horizon=4)
    flows = flows_of(data)
    assert by_week(flows, "financing") == {0: 1000, 1: 1000, 2: 2000, 3: 2000}
    fin = flows[flows["flow"] == "financing"]
    assert set(fin["production_id"]) == {"SLATE"} and set(fin["account"]) == {"FIN"}
    need = fl.funding_need(fl.position(flows, data.settings))
    assert need.financing_cost == 60.00
    assert (need.peak_need, need.week) == (2060.00, 3)


def test_financing_rounds_each_week_half_up():
    # 7% a year on 1,000.00 for one week: 100000 * 0.07 / 52 = 134.6 cents -> 1.35 a week.
    data = slate([line("2000", 1000.00, curve="start")], phases=[phase("P1", "shoot", 2, 0)], rate=0.07, horizon=3)
    assert by_week(flows_of(data), "financing") == {0: 135, 1: 135, 2: 135}


# --- the whole sample slate -------------------------------------------------------------------

def test_sample_slate_conserves_money_to_the_cent(snapshot):
    data, flows = snapshot
    spend = flows[flows["flow"] == "spend"]
    budget = data.budget_lines.assign(cents=[round(float(a) * 100) for a in data.budget_lines["amount"]])
    paid = -spend.groupby(["production_id", "account"])["cents"].sum()
    assert paid.to_dict() == budget.set_index(["production_id", "account"])["cents"].to_dict()
    per_production = -spend.groupby("production_id")["cents"].sum()
    assert per_production.to_dict() == budget.groupby("production_id")["cents"].sum().to_dict()
    assert (spend["week"] < 0).any() and (spend["week"] >= data.settings.horizon_weeks).any()
    long = ex.finance_long(flows, data.settings, "month")
    assert round(long["amount"].sum() * 100) == flows["cents"].sum()


def test_sample_summary_agrees_with_the_flows(snapshot):
    data, flows = snapshot
    summary = ex.budget_summary(data).set_index("production_id")
    spent = -flows[flows["flow"] == "spend"].groupby("production_id")["amount"].sum()
    received = flows[flows["flow"] == "incentive"].groupby("production_id")["amount"].sum()
    for pid in data.productions["production_id"]:
        row = summary.loc[pid]
        assert row["budget"] == pytest.approx(spent[pid], abs=0.001)
        assert row["ATL"] + row["BTL_PRODUCTION"] + row["BTL_POST"] + row["OTHER"] == pytest.approx(row["budget"])
        assert row["incentive"] == pytest.approx(received.get(pid, 0.0), abs=0.001)
        assert row["net_cost"] == pytest.approx(row["budget"] - row["incentive"])
    no_incentive = data.productions.loc[data.productions["jurisdiction"].isna(), "production_id"]
    assert (summary.loc[list(no_incentive), "incentive"] == 0).all()
    slate_row = summary.loc["SLATE"]
    assert slate_row["budget"] == pytest.approx(summary.drop("SLATE")["budget"].sum())


def test_budget_summary_of_a_hand_built_budget():
    lines = [line("1400", 300.00, section="ATL", qualifying=False), line("2000", 1000.00),
             line("5000", 200.00, section="BTL_POST"), line("6700", 50.00, section="OTHER", qualifying=False)]
    rules = [dict(jurisdiction="GA", rate=0.3, cap=None, receipt_lag_weeks=0, discount=0.1)]
    data = slate(lines, productions=[production(jurisdiction="GA")], incentives=rules)
    row = ex.budget_summary(data).iloc[0]
    assert (row["ATL"], row["BTL_PRODUCTION"], row["BTL_POST"], row["OTHER"]) == (300, 1000, 200, 50)
    assert (row["budget"], row["qualifying"]) == (1550, 1200)
    assert (row["incentive_credit"], row["incentive_discount"], row["incentive"]) == (360, 36, 324)
    assert row["net_cost"] == 1226


# --- periods ----------------------------------------------------------------------------------

def labels(weeks, period, fiscal_start_month=1, horizon=60):
    data = slate([line("2000", 1.00)], horizon=horizon)
    frame = pd.DataFrame({"week": weeks, "cents": 1})
    tagged = pe.assign_periods(frame, data.settings, period, fiscal_start_month)
    return [(p, str(s.date())) for p, s in zip(tagged["period"], tagged["period_start"])]


def test_weeks_months_and_quarters():
    # Week 12 starts on Monday 2027-03-29 and belongs to March; week 13 starts on 2027-04-05.
    assert labels([0, 12], "week") == [("2027-01-04", "2027-01-04"), ("2027-03-29", "2027-03-29")]
    assert labels([0, 4, 12, 13], "month") == [("2027-01", "2027-01-01"), ("2027-02", "2027-02-01"),
                                               ("2027-03", "2027-03-01"), ("2027-04", "2027-04-01")]
    assert labels([0, 12, 13, 52], "quarter") == [("2027-Q1", "2027-01-01"), ("2027-Q1", "2027-01-01"),
                                                  ("2027-Q2", "2027-04-01"), ("2028-Q1", "2028-01-01")]
    assert labels([0, 52], "year") == [("2027", "2027-01-01"), ("2028", "2028-01-01")]


def test_fiscal_years_and_quarters():
    # July fiscal year: Jan 2027 is in FY2027 (Jul 2026 - Jun 2027), its third quarter.
    assert labels([0, 26], "quarter", 7) == [("FY2027-Q3", "2027-01-01"), ("FY2028-Q1", "2027-07-01")]
    assert labels([0, 26], "year", 7) == [("FY2027", "2026-07-01"), ("FY2028", "2027-07-01")]
    # April fiscal year: week 12 (29 March) is the last week of FY2027, week 13 (5 April) opens FY2028.
    assert labels([12, 13], "year", 4) == [("FY2027", "2026-04-01"), ("FY2028", "2027-04-01")]
    assert labels([12, 13, 39], "quarter", 4) == [("FY2027-Q4", "2027-01-01"), ("FY2028-Q1", "2027-04-01"),
                                                  ("FY2028-Q3", "2027-10-01")]


def test_weeks_outside_the_horizon_are_buckets_in_every_period():
    for period in pe.PERIODS:
        got = labels([-5, -1, 59, 60, 90], period, 7)
        assert [p for p, _ in got] == [pe.BEFORE_HORIZON] * 2 + [got[2][0]] + [pe.AFTER_HORIZON] * 2
        assert got[0][1] == got[1][1] == monday(-5) and got[3][1] == got[4][1] == monday(60)
    # the after-horizon bucket starts at its first week (62), not at the horizon's end (60)
    data = slate([line("2000", 1.00)], horizon=60)
    tagged = pe.assign_periods(pd.DataFrame({"week": [-3, 62, 70], "cents": 1}), data.settings, "month")
    assert [str(d.date()) for d in tagged["period_start"]] == [monday(-3), monday(62), monday(62)]
    assert [str(d.date()) for d in tagged["period_end"]] == [str((H0 + pd.Timedelta(weeks=-3, days=6)).date()),
                                                             str((H0 + pd.Timedelta(weeks=70, days=6)).date())] + \
        [str((H0 + pd.Timedelta(weeks=70, days=6)).date())]


def test_position_by_period_closes_on_the_weekly_position(sample):
    data, flows = sample
    weekly = fl.position(flows, data.settings)
    by_quarter = pe.period_position(flows, data.settings, "quarter", 7)
    assert by_quarter["period"].iloc[0] == pe.BEFORE_HORIZON and by_quarter["period"].iloc[-1] == pe.AFTER_HORIZON
    assert by_quarter["position"].iloc[-1] == pytest.approx(weekly["position"].iloc[-1], abs=0.001)
    assert by_quarter["net"].sum() == pytest.approx(flows["amount"].sum(), abs=0.01)


# --- schedules --------------------------------------------------------------------------------

def test_a_plan_that_misses_or_invents_phases_is_refused():
    data = incentive_slate("UK")
    plan = planned_schedule(data)
    with pytest.raises(fl.ScheduleError, match="P1/shoot: missing"):
        fl.cashflow(data, plan[plan["phase_id"] != "shoot"])
    extra = pd.concat([plan, pd.DataFrame([dict(production_id="P1", phase_id="wrap", start_week=9)])])
    with pytest.raises(fl.ScheduleError, match="P1/wrap: not a phase"):
        fl.cashflow(data, extra)


# --- the finance export -----------------------------------------------------------------------

def read_csv(content: bytes) -> pd.DataFrame:
    """A finance CSV's table, every cell as text (its first line is the header)."""
    return pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)


def long_totals(long: pd.DataFrame, keys) -> dict:
    cents = long.assign(cents=(long["amount"].astype(float) * 100).round().astype("int64"))
    return cents.groupby(keys)["cents"].sum().to_dict()


def wide_cells(wide: pd.DataFrame, keys) -> tuple[dict, pd.DataFrame]:
    """(row key, period) -> cents for the body rows, and the Total row (empty in a CSV: data rows only)."""
    body, total = wide[wide["production_id"] != "Total"], wide[wide["production_id"] == "Total"]
    periods = [c for c in wide.columns if c not in keys and c != "total"]
    cells = {}
    for _, row in body.iterrows():
        for p in periods:
            cents = round(float(row[p]) * 100)
            if cents:
                cells[tuple(row[k] for k in keys) + (p,)] = cents
        assert round(float(row["total"]) * 100) == sum(round(float(row[p]) * 100) for p in periods)
    for p in (periods + ["total"]) if len(total) else []:
        assert round(float(total.iloc[0][p]) * 100) == sum(round(float(v) * 100) for v in body[p])
    return cells, total


def test_cli_writes_the_long_csv(sample, tmp_path):
    data, flows = sample
    out = tmp_path / "x.csv"
    assert main(["cashflow", str(SAMPLE), "--period", "month", "--out", str(out)]) == 0
    first = out.read_bytes().split(b"\r\n", 1)[0]
    assert first.decode() == ",".join(ex.LONG_COLUMNS)                          # the header, no comment line
    assert out.read_bytes() == ex.finance_csv(data, flows, "month")              # what the dashboard offers
    long = read_csv(out.read_bytes())
    assert list(long.columns) == ex.LONG_COLUMNS
    assert list(pd.read_csv(out).columns) == ex.LONG_COLUMNS                     # pandas' defaults read it
    assert set(long["flow"]) == {"spend", "incentive", "financing"}
    assert not long.duplicated(["production_id", "section", "account", "period", "flow"]).any()
    amount = long["amount"].astype(float)
    assert (amount[long["flow"] == "incentive"] > 0).all()
    back = long[(long["flow"] == "spend") & (amount >= 0)]                 # money back: only refunded accounts
    refunds = data.actuals[data.actuals["amount"] < 0]
    assert set(zip(back["production_id"], back["account"])) <= set(zip(refunds["production_id"], refunds["account"]))
    assert (amount[long["flow"] == "spend"] < 0).sum() > 0.99 * (long["flow"] == "spend").sum()
    efc_cents = int(fl.line_costs(data, as_planned(data).schedule)["efc_cents"].sum())   # a slate under way
    assert -sum(long_totals(long[long["flow"] == "spend"], "production_id").values()) == efc_cents
    assert set(long["period"]) >= {pe.BEFORE_HORIZON, "2027-01", "2028-12", pe.AFTER_HORIZON}
    assert (long["period_start"].str.match(r"^\d{4}-\d{2}-\d{2}$")).all()
    assert (long["period_end"].str.match(r"^\d{4}-\d{2}-\d{2}$")).all() and (long["period_end"] >= long["period_start"]).all()


@pytest.mark.parametrize("view, keys", [("accounts", ["production_id", "title", "section", "account",
                                                      "description"]),
                                        ("productions", ["production_id", "title", "flow"])])
def test_wide_csv_agrees_with_the_long_one(sample, tmp_path, view, keys):
    data, flows = sample
    long = read_csv(ex.finance_csv(data, flows, "quarter"))
    out = tmp_path / "wide.csv"
    assert main(["cashflow", str(SAMPLE), "--period", "quarter", "--view", view, "--out", str(out)]) == 0
    wide = read_csv(out.read_bytes())
    periods = [c for c in wide.columns if c not in keys and c != "total"]
    assert periods[0] == pe.BEFORE_HORIZON and periods[-1] == pe.AFTER_HORIZON
    assert periods[1:-1] == [f"{y}-Q{q}" for y in (2027, 2028) for q in (1, 2, 3, 4)]
    cells, total = wide_cells(wide, keys)
    assert total.empty and "Total" not in set(wide["production_id"])        # data rows only: totals are in the workbook
    assert cells == long_totals(long, keys + ["period"])
    body_total = sum(round(float(v) * 100) for v in wide["total"])
    assert body_total == sum(long_totals(long, "flow").values())


def test_xlsx_agrees_with_the_long_csv(sample, tmp_path):
    data, flows = sample
    out = tmp_path / "cash.xlsx"
    assert main(["cashflow", str(SAMPLE), "--period", "month", "--out", str(out)]) == 0
    content = out.read_bytes()
    about = ex.about_line("as planned", content_hash(data), pd.Timestamp.now(tz="UTC"))
    assert content == ex.finance_xlsx(data, flows, "month", about=about)  # the same bytes every time
    long = read_csv(ex.finance_csv(data, flows, "month"))
    sheets = pd.read_excel(io.BytesIO(content), sheet_name=None, dtype={"account": str})
    assert list(sheets) == ["About", "Cash flow", "By account", "By production", "Position", "Budget summary"]
    about_lines = sheets["About"]["about"].tolist()
    assert about_lines[:4] == about.split("; ")                              # which plan, slate and day
    figures = ex.headline(flows, data.settings)                              # what the Cash flow page shows
    assert about_lines[4] == (f"peak funding need {figures['peak_need']:,.2f} USD, first reached the week of "
                              f"{figures['peak_week_start']:%Y-%m-%d} (week {figures['peak_week']})")
    assert about_lines[5:] == [f"spend {figures['spend']:,.2f} USD", f"incentive receipts {figures['incentive']:,.2f} USD",
                               f"financing cost {figures['financing_cost']:,.2f} USD"]
    sheet = sheets["Cash flow"]
    assert list(sheet.columns) == ex.LONG_COLUMNS and len(sheet) == len(long)
    assert (sheet["amount"].round(2) == long["amount"].astype(float)).all()
    assert (sheet["account"] == long["account"]).all() and (sheet["period"] == long["period"]).all()
    keys = ["production_id", "title", "section", "account", "description"]
    cells, _ = wide_cells(sheets["By account"].fillna("").astype({k: str for k in keys}), keys)
    assert cells == long_totals(long, keys + ["period"])
    cells, total = wide_cells(sheets["By production"].fillna("").astype({k: str for k in ["production_id", "title",
                                                                                         "flow"]}),
                              ["production_id", "title", "flow"])
    assert len(total) == 1                                                   # the Total row: in the workbook
    position = sheets["Position"]
    assert position["position"].iloc[-1] == pytest.approx(long["amount"].astype(float).sum(), abs=0.01)
    need = fl.funding_need(fl.position(flows, data.settings))
    assert -position["lowest_position"].min() == pytest.approx(need.peak_need, abs=0.001)   # the page's peak need
    assert position["spend"].sum() == pytest.approx(-figures["spend"], abs=0.01)
    assert position["incentive"].sum() == pytest.approx(figures["incentive"], abs=0.01)
    assert -position["financing"].sum() == pytest.approx(figures["financing_cost"], abs=0.01)
    assert (position["lowest_position"] <= position["position"]).all()

    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb["Cash flow"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert ws.cell(row=2, column=10).number_format == "#,##0.00" and ws.cell(row=2, column=10).data_type == "n"
    assert ws.cell(row=2, column=7).is_date and ws.cell(row=2, column=8).is_date
    assert wb["By account"].freeze_panes == "F2"


def test_formula_like_text_is_neutralized_in_csv_and_xlsx():
    lines = [line("-100", 10.00, description="=HYPERLINK(\"http://x\")"),
             line("200", 5.00, description="@SUM(A1)", section="ATL")]
    data = slate(lines, productions=[production(title="+Plus show")])
    flows = flows_of(data)
    long = read_csv(ex.finance_csv(data, flows, "month"))
    assert set(long["account"]) == {"'-100", "200"}
    assert set(long["description"]) == {"'=HYPERLINK(\"http://x\")", "'@SUM(A1)"}
    assert set(long["title"]) == {"'+Plus show"}
    assert (long["amount"].astype(float) < 0).all()  # negative numbers stay numbers

    ws = openpyxl.load_workbook(io.BytesIO(ex.finance_xlsx(data, flows, "month")))["Cash flow"]
    cells = {c.value: c.data_type for row in ws.iter_rows(min_row=2) for c in row}
    assert cells["'=HYPERLINK(\"http://x\")"] == "s" and cells["'-100"] == "s" and cells["'+Plus show"] == "s"
    assert not any(t == "f" for t in cells.values())
    assert all(c.data_type == "n" and c.value < 0 for c in ws["J"][1:])


def test_cli_reads_a_solved_plan(sample, tmp_path):
    data, flows = sample
    plan = as_planned(data).schedule[["production_id", "phase_id", "start_week"]]
    started = set(data.phases.loc[data.phases["actual_start"].notna(), "production_id"])
    pid = sorted(set(data.productions["production_id"]) - started)[0]        # a production not started yet
    moved = plan.assign(start_week=plan["start_week"] + np.where(plan["production_id"] == pid, 4, 0))
    (tmp_path / "plan").mkdir()
    moved.to_csv(tmp_path / "plan" / "schedule.csv", index=False)
    out = tmp_path / "moved.csv"
    assert main(["cashflow", str(SAMPLE), "--plan", str(tmp_path / "plan"), "--period", "week",
                 "--out", str(out)]) == 0
    long = read_csv(out.read_bytes())
    spend = long[(long["production_id"] == pid) & (long["flow"] == "spend")]
    planned = flows[(flows["production_id"] == pid) & (flows["flow"] == "spend")]
    assert pd.Timestamp(spend["period_start"].min()) == planned["week_start"].min() + pd.Timedelta(weeks=4)
    assert round(spend["amount"].astype(float).sum(), 2) == round(planned["amount"].sum(), 2)
    (tmp_path / "plan" / "schedule.csv").write_text("production_id,phase_id,start_week\nP05,prep,1\n")
    assert main(["cashflow", str(SAMPLE), "--plan", str(tmp_path / "plan"), "--out", str(out)]) == 1
