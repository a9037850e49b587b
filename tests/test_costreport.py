"""The cost report and the cash flow of a slate under way (issue 23).

Expected figures are worked out by hand from the rules in ``planning/finance/costreport.py`` and
``planning/finance/flows.py`` (and ``docs/cashflow.md``) on slates small enough to check on paper.
Weeks count from the horizon start ``H0`` (Monday 2027-01-04, week 0).
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from planning.cli import main
from planning.data.inputs import planned_schedule
from planning.data.store import content_hash, load_folder
from planning.data.validate import check
from planning.finance import costreport as cr
from planning.finance import flows as fl
from planning.sample import make_slate
from tests import factory as f

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def friday(week: int) -> str:
    return str((pd.Timestamp(f.monday(week)) + pd.Timedelta(days=4)).date())


def sunday(week: int) -> str:
    return str((pd.Timestamp(f.monday(week)) + pd.Timedelta(days=6)).date())


def raw_slate(lines, phases, as_of=None, actuals=(), estimates=(), productions=None, incentives=None):
    """Raw tables: one crew pool every phase uses, the given lines, actuals and estimates, and
    ``as_of`` (a week) in settings."""
    raw = f.frames(productions or [f.production("P1")], phases, [f.resource("CREW", capacity=9)],
                   [f.demand(p["production_id"], p["phase_id"], "CREW") for p in phases], budget_lines=lines,
                   incentives=incentives)
    if as_of is not None:
        raw["settings"]["as_of"] = f.monday(as_of)
    if actuals:
        raw["actuals"] = pd.DataFrame(actuals)
    if estimates:
        raw["estimates"] = pd.DataFrame(estimates)
    return raw


def slate(*args, **kw):
    data, problems = check(raw_slate(*args, **kw))
    assert not problems, "\n".join(map(str, problems))
    return data


def act(account, amount, posted, kind="actual", pid="P1"):
    return dict(production_id=pid, account=account, posted=posted, amount=amount, kind=kind)


def row(report, account, pid="P1") -> dict:
    got = report[(report["production_id"] == pid) & (report["account"] == account)]
    assert len(got) == 1
    return got.iloc[0].to_dict()


def spend(data, account=None, schedule=None) -> dict[int, int]:
    """Spend cents (positive: paid out) by week, of one account or all."""
    flows = fl.cashflow(data, planned_schedule(data) if schedule is None else schedule)
    rows = flows[flows["flow"] == "spend"]
    if account is not None:
        rows = rows[rows["account"] == account]
    return {int(w): -int(c) for w, c in rows.groupby("week")["cents"].sum().items() if c}


def report_of(data):
    return cr.cost_report(data, planned_schedule(data))


# --- weekly lines ------------------------------------------------------------------------------

def test_a_weekly_line_of_a_shoot_running_two_weeks_long_costs_two_more_weeks_of_its_rate():
    # A 4-week shoot started in week 0 is still running on as_of (week 5): it is expected to end after
    # the report week (week 6, exclusive), two weeks after its planned end (week 4). Its weekly line
    # (4,000 over 4 weeks: 1,000 a week) has paid 1,000 in each of weeks 0..4.
    shoot = f.phase("P1", "shoot", 4, 0, actual_start=f.monday(0))
    data = slate([f.budget("P1", "2500", 4000.0, "shoot", basis="weekly")], [shoot], as_of=5,
                 actuals=[act("2500", 1000.0, friday(w)) for w in range(5)])
    r = row(report_of(data), "2500")
    assert r["actual_to_date"] == 5000.0
    assert r["estimate_to_complete"] == 1000.0          # the week of as_of, the one week still to run
    assert r["efc"] == 6000.0 == r["budget"] + 2 * 1000.0
    assert r["variance"] == -2000.0
    assert spend(data) == {0: 100000, 1: 100000, 2: 100000, 3: 100000, 4: 100000, 5: 100000}


def test_on_plan_the_same_weekly_line_forecasts_its_budget():
    shoot = f.phase("P1", "shoot", 4, 0, actual_start=f.monday(0))
    data = slate([f.budget("P1", "2500", 4000.0, "shoot", basis="weekly")], [shoot], as_of=2,
                 actuals=[act("2500", 1000.0, friday(w)) for w in range(2)])
    r = row(report_of(data), "2500")
    assert (r["estimate_to_complete"], r["efc"], r["variance"]) == (2000.0, 4000.0, 0.0)


def test_weeks_of_a_weekly_line_are_rounded_half_up_to_the_cent_once():
    # 1,000.00 over 3 weeks, 2 weeks left (weeks 1 and 2): 100000 x 2 / 3 = 66666.67 cents -> 666.67.
    shoot = f.phase("P1", "shoot", 3, 0, actual_start=f.monday(0))
    data = slate([f.budget("P1", "2500", 1000.0, "shoot", basis="weekly")], [shoot], as_of=1)
    assert row(report_of(data), "2500")["estimate_to_complete"] == 666.67
    assert list(fl.weekly_cents(np.array([100000, 100000, 5]), np.array([2, 1, 1]), np.array([3, 3, 2]))) == \
        [66667, 33333, 3]                                  # 2.5 cents round half up to 3


def test_a_weekly_line_of_a_slate_not_under_way_is_spent_like_a_fixed_one():
    phases = [f.phase("P1", "shoot", 3, 2)]
    weekly = slate([f.budget("P1", "2500", 1000.0, "shoot", basis="weekly", curve="front")], phases)
    fixed = slate([f.budget("P1", "2500", 1000.0, "shoot", curve="front")], phases)
    assert not fl.in_progress(weekly)
    # 100000 cents by (3, 2, 1) / 6: 50000, 33333.33, 16666.67 -> the spare cent to week 4 (largest remainder)
    assert spend(weekly) == spend(fixed) == {2: 50000, 3: 33333, 4: 16667}
    assert row(report_of(weekly), "2500")["efc"] == 1000.0


# --- estimates, refunds, commitments ------------------------------------------------------------

def test_an_estimate_wins_over_the_computed_etc():
    shoot = f.phase("P1", "shoot", 4, 0, actual_start=f.monday(0))
    lines = [f.budget("P1", "2000", 3000.0, "shoot"), f.budget("P1", "2500", 4000.0, "shoot", basis="weekly"),
             f.budget("P1", "2600", 3000.0, "shoot")]
    actuals = [act("2000", 500.0, friday(0)), act("2000", 200.0, f.monday(1), "committed"),
               act("2600", 500.0, friday(0))]
    estimates = [dict(production_id="P1", account="2000", estimate_to_complete=1800.0),
                 dict(production_id="P1", account="2500", estimate_to_complete=0.0)]
    data = slate(lines, [shoot], as_of=2, actuals=actuals, estimates=estimates)
    report = report_of(data)
    r = row(report, "2000")                                 # computed would be 3000 - 500 - 200 = 2300
    assert (r["actual_to_date"], r["committed"], r["estimate_to_complete"]) == (500.0, 200.0, 1800.0)
    assert (r["efc"], r["variance"]) == (2500.0, 500.0)
    assert row(report, "2500")["estimate_to_complete"] == 0.0    # computed would be 2 weeks: 2000
    assert row(report, "2600")["estimate_to_complete"] == 2500.0  # no estimate: 3000 - 500
    # What is left (committed 200 + ETC 1800) is paid over weeks 2 and 3, flat.
    assert spend(data, "2000") == {0: 50000, 2: 100000, 3: 100000}
    assert spend(data, "2500") == {}


def test_a_refund_lowers_actual_and_efc():
    shoot = f.phase("P1", "shoot", 4, 0, actual_start=f.monday(0))
    lines = [f.budget("P1", "2500", 4000.0, "shoot", basis="weekly"), f.budget("P1", "3600", 1000.0, "shoot"),
             f.budget("P1", "3700", 1000.0, "shoot")]
    actuals = [act("2500", 1000.0, friday(0)), act("2500", 1000.0, friday(1)), act("2500", -300.0, friday(1)),
               act("3600", 1300.0, friday(0)), act("3600", -100.0, friday(1)),       # over budget, then a refund
               act("3700", 400.0, friday(0)), act("3700", -100.0, friday(1))]        # under budget
    data = slate(lines, [shoot], as_of=2, actuals=actuals)
    report = report_of(data)
    weekly = row(report, "2500")
    assert (weekly["actual_to_date"], weekly["estimate_to_complete"], weekly["efc"]) == (1700.0, 2000.0, 3700.0)
    over = row(report, "3600")
    assert (over["actual_to_date"], over["estimate_to_complete"], over["efc"], over["variance"]) == \
        (1200.0, 0.0, 1200.0, -200.0)
    # Under budget, the refund goes back into what is left to spend: ETC 1000 - 300 = 700, EFC the budget.
    under = row(report, "3700")
    assert (under["actual_to_date"], under["estimate_to_complete"], under["efc"]) == (300.0, 700.0, 1000.0)
    # The refund is money back in the week it was posted.
    assert spend(data, "3600") == {0: 130000, 1: -10000}
    assert spend(data, "2500") == {0: 100000, 1: 70000, 2: 100000, 3: 100000}


def test_committed_costs_are_paid_after_as_of_over_the_rest_of_the_phase_with_the_curve_and_lag():
    # A fixed line of 5,000 on a 4-week shoot (weeks 0..3), back-loaded (weights 1, 2, 3, 4), paid a
    # week late; as_of week 2: 1,000 paid in week 0, 1,500 committed. ETC = 5000 - 1000 - 1500 = 2500.
    # Committed + ETC = 4000 over weeks 2 and 3 with their weights 3 and 4 (of 7): 400000 x 3/7 =
    # 171428.57, x 4/7 = 228571.43; floors 171428 + 228571 leave 1 cent, to week 2 (remainder 4 > 3).
    shoot = f.phase("P1", "shoot", 4, 0, actual_start=f.monday(0))
    data = slate([f.budget("P1", "2000", 5000.0, "shoot", curve="back", payment_lag_weeks=1)], [shoot], as_of=2,
                 actuals=[act("2000", 1000.0, friday(0)), act("2000", 1500.0, f.monday(1), "committed")])
    r = row(report_of(data), "2000")
    assert (r["actual_to_date"], r["committed"], r["estimate_to_complete"], r["efc"]) == \
        (1000.0, 1500.0, 2500.0, 5000.0)
    assert spend(data) == {0: 100000, 3: 171429, 4: 228571}      # the actual not lagged; the rest a week late


def test_a_start_curve_past_its_first_week_spends_what_is_left_in_the_report_week():
    shoot = f.phase("P1", "shoot", 4, 0, actual_start=f.monday(0))
    data = slate([f.budget("P1", "2000", 1000.0, "shoot", curve="start")], [shoot], as_of=2,
                 actuals=[act("2000", 600.0, friday(0))])
    assert spend(data) == {0: 60000, 2: 40000}


def test_a_phase_planned_after_as_of_spends_committed_and_etc_over_its_planned_weeks():
    phases = [f.phase("P1", "prep", 2, 0, kind="prep", actual_start=f.monday(0)), f.phase("P1", "shoot", 2, 4)]
    data = slate([f.budget("P1", "3000", 1000.0, "shoot")], phases, as_of=1,
                 actuals=[act("3000", 200.0, f.monday(0), "committed")])
    assert row(report_of(data), "3000")["estimate_to_complete"] == 800.0
    assert spend(data) == {4: 50000, 5: 50000}
    moved = planned_schedule(data).assign(start_week=lambda s: s["start_week"].where(s["phase_id"] != "shoot", 7))
    assert spend(data, schedule=moved) == {7: 50000, 8: 50000}


def test_a_fixed_line_over_budget_has_no_etc_and_a_negative_variance():
    shoot = f.phase("P1", "shoot", 4, 0, actual_start=f.monday(0))
    data = slate([f.budget("P1", "2000", 1000.0, "shoot")], [shoot], as_of=2,
                 actuals=[act("2000", 1300.0, friday(0)), act("2000", 200.0, f.monday(1), "committed")])
    r = row(report_of(data), "2000")
    assert (r["estimate_to_complete"], r["efc"], r["variance"]) == (0.0, 1500.0, -500.0)
    assert spend(data) == {0: 130000, 2: 10000, 3: 10000}           # the commitment, over weeks 2 and 3


def test_a_line_whose_phase_is_over_spends_what_is_left_in_the_report_week():
    # The shoot ran weeks 0..2 (done: actual_end on the Sunday of week 2); as_of week 5. A fixed line
    # of 3,000 has 2,000 paid and 400 committed: ETC 600; the 1,000 left is spent in week 5 and paid
    # two weeks later. A weekly line on it has nothing left to run: ETC 0, its commitment paid then too.
    phases = [f.phase("P1", "shoot", 3, 0, actual_start=f.monday(0), actual_end=sunday(2)),
              f.phase("P1", "post", 4, 8, kind="post")]
    lines = [f.budget("P1", "2000", 3000.0, "shoot", payment_lag_weeks=2),
             f.budget("P1", "2500", 3000.0, "shoot", basis="weekly"), f.budget("P1", "5000", 800.0, "post")]
    actuals = [act("2000", 2000.0, friday(1)), act("2000", 400.0, f.monday(2), "committed"),
               act("2500", 2900.0, friday(2)), act("2500", 50.0, f.monday(2), "committed")]
    data = slate(lines, phases, as_of=5, actuals=actuals)
    report = report_of(data)
    assert row(report, "2000")["estimate_to_complete"] == 600.0
    weekly = row(report, "2500")
    assert (weekly["estimate_to_complete"], weekly["efc"], weekly["variance"]) == (0.0, 2950.0, 50.0)
    assert spend(data, "2000") == {1: 200000, 7: 100000}
    assert spend(data, "2500") == {2: 290000, 5: 5000}
    assert spend(data, "5000") == {8: 20000, 9: 20000, 10: 20000, 11: 20000}


def test_a_phase_that_ended_the_week_before_as_of_is_over():
    # Done on the Sunday of week 2, as_of week 3: no week of it is left; the 300 left is spent in week 3.
    shoot = f.phase("P1", "shoot", 3, 0, actual_start=f.monday(0), actual_end=sunday(2))
    data = slate([f.budget("P1", "2000", 1000.0, "shoot", curve="end")], [shoot], as_of=3,
                 actuals=[act("2000", 700.0, friday(2))])
    assert spend(data) == {2: 70000, 3: 30000}


# --- the whole cash flow is the EFC -------------------------------------------------------------

def efc_by_production(data, schedule) -> dict[str, int]:
    report = cr.cost_report(data, schedule)
    return {p: int(cr.cents_of(g["efc"]).sum()) for p, g in report.groupby("production_id")}


def spend_by_production(data, schedule) -> dict[str, int]:
    flows = fl.cashflow(data, schedule)
    rows = flows[flows["flow"] == "spend"]
    return {p: -int(c) for p, c in rows.groupby("production_id")["cents"].sum().items()}


def test_spend_equals_efc_per_production_on_a_small_slate():
    phases = [f.phase("P1", "shoot", 4, 0, actual_start=f.monday(0)),
              f.phase("P1", "post", 3, 6, kind="post"),
              f.phase("P2", "prep", 3, 0, kind="prep", actual_start=f.monday(0), actual_end=sunday(1)),
              f.phase("P2", "shoot", 5, 2, actual_start=f.monday(2))]
    lines = [f.budget("P1", "2000", 1234.56, "shoot", curve="bell", payment_lag_weeks=3),
             f.budget("P1", "2500", 999.99, "shoot", basis="weekly", curve="front"),
             f.budget("P1", "5000", 777.77, "post", curve="end"),
             f.budget("P2", "1400", 5000.0, "prep", curve="back"),
             f.budget("P2", "2500", 3333.33, "shoot", basis="weekly", payment_lag_weeks=1)]
    actuals = [act("2000", 100.01, friday(0)), act("2000", 55.55, f.monday(2), "committed"),
               act("2500", 333.33, friday(3)), act("2500", -12.34, friday(4)),
               act("1400", 5100.0, friday(1), pid="P2"), act("2500", 700.0, friday(3), pid="P2"),
               act("2500", 10.0, f.monday(4), "committed", pid="P2")]
    estimates = [dict(production_id="P1", account="5000", estimate_to_complete=900.0)]
    data = slate(lines, phases, as_of=5, actuals=actuals, estimates=estimates,
                 productions=[f.production("P1"), f.production("P2")])
    schedule = planned_schedule(data)
    got = spend_by_production(data, schedule)
    assert got == efc_by_production(data, schedule)
    # P2 by hand: prep's 1400 is 100 over budget (EFC 5100); the shoot (5 weeks from week 2) runs
    # weeks 2..6, so its weekly line has weeks 5 and 6 left: 333333 x 2 / 5 = 133333.2 -> 133333 cents,
    # less the 1000 committed: ETC 132333; EFC 70000 + 1000 + 132333 = 203333 cents.
    assert got["P2"] == 510000 + 203333


def with_progress(frames: dict[str, pd.DataFrame], now: int, seed: int) -> dict[str, pd.DataFrame]:
    """A generated slate under way on week ``now``: every phase planned to start before ``now`` has
    started on its planned Monday; one planned to end by then is done, some a week late (never past
    as_of); about a third of the lines weekly; random actuals (with refunds) on the lines of started
    phases, commitments and a few estimates."""
    rng = random.Random(seed)
    raw = {name: frame.copy() for name, frame in frames.items() if name not in ("actuals", "estimates")}
    data, problems = check(raw)
    assert not problems, problems
    plan = planned_schedule(data).set_index(["production_id", "phase_id"])
    ph = raw["phases"]
    starts, ends = [], []
    for pid, phase_id in zip(ph["production_id"], ph["phase_id"]):
        s, e = (int(plan.at[(pid, phase_id), c]) for c in ("start_week", "end_week"))
        started = s < now
        starts.append(f.monday(s) if started else None)
        done = started and e <= now
        ends.append(sunday(min(e - 1 + rng.choice([0, 0, 1]), now - 1)) if done else None)
    ph["actual_start"], ph["actual_end"] = starts, ends
    raw["settings"]["as_of"] = f.monday(now)
    lines = raw["budget_lines"]
    lines["basis"] = [rng.choice(["weekly", "fixed", "fixed", None]) for _ in range(len(lines))]
    started = dict(zip(zip(ph["production_id"], ph["phase_id"]), starts))
    actuals, estimates = [], []
    for pid, account, phase_id, amount in zip(lines["production_id"], lines["account"], lines["phase_id"],
                                              lines["amount"]):
        first = started[(pid, phase_id)]
        if first is None:
            if rng.random() < 0.1:
                actuals.append(act(account, round(rng.uniform(0, 0.2) * amount, 2), f.monday(now), "committed",
                                   pid))
            continue
        s = max(int((pd.Timestamp(first) - pd.Timestamp(f.H0)).days // 7), -30)
        for _ in range(rng.randint(1, 4)):
            actuals.append(act(account, round(rng.uniform(-0.05, 0.5) * amount, 2),
                               friday(rng.randint(s, now - 1)), "actual", pid))
        if rng.random() < 0.5:
            actuals.append(act(account, round(rng.uniform(0, 0.3) * amount, 2), f.monday(now), "committed", pid))
        if rng.random() < 0.15:
            estimates.append(dict(production_id=pid, account=account,
                                  estimate_to_complete=round(rng.uniform(0, 0.5) * amount, 2)))
    raw["actuals"], raw["estimates"] = pd.DataFrame(actuals), pd.DataFrame(estimates)
    return raw


@pytest.mark.parametrize("seed", [11, 23])
def test_spend_equals_efc_per_production_on_a_generated_slate_under_way(seed):
    data, problems = check(with_progress(make_slate(8, seed=seed), now=12, seed=seed))
    assert not problems, "\n".join(map(str, problems[:5]))
    assert len(data.actuals) > 50 and (data.actuals["amount"] < 0).any() and len(data.estimates)
    assert (data.phases["actual_end"].notna().any() and
            (data.phases["actual_start"].notna() & data.phases["actual_end"].isna()).any())
    schedule = planned_schedule(data)
    efc = efc_by_production(data, schedule)
    assert spend_by_production(data, schedule) == efc
    # A plan that moves every phase not yet started two weeks later: the same, on its dates.
    started = data.phases["actual_start"].notna().to_numpy()
    moved = schedule.assign(start_week=schedule["start_week"] + np.where(started, 0, 2))
    assert spend_by_production(data, moved) == efc_by_production(data, moved)
    flows = fl.cashflow(data, moved)
    before = flows[(flows["flow"] == "spend") & (flows["week"] < data.settings.now_week)]
    paid = data.actuals[(data.actuals["kind"] == "actual")]
    assert int(before["cents"].sum()) == -int(fl.to_cents(paid["amount"]).sum())   # before as_of: the actuals


def test_spend_equals_efc_per_production_on_the_sample():
    data = load_folder(SAMPLE)
    schedule = planned_schedule(data)
    assert spend_by_production(data, schedule) == efc_by_production(data, schedule)


# --- incentive ----------------------------------------------------------------------------------

def test_the_incentive_is_on_the_qualifying_efc():
    # Qualifying: the weekly line of the long shoot (EFC 6,000, budget 4,000); not qualifying: 1,000.
    # 25% of 6,000 = 1,500, less a 10% discount = 1,350, received 2 weeks after delivery (post ends week 9).
    phases = [f.phase("P1", "shoot", 4, 0, actual_start=f.monday(0)), f.phase("P1", "post", 3, 6, kind="post")]
    lines = [f.budget("P1", "2500", 4000.0, "shoot", basis="weekly"),
             f.budget("P1", "6000", 1000.0, "post", qualifying=False)]
    data = slate(lines, phases, as_of=5, actuals=[act("2500", 1000.0, friday(w)) for w in range(5)],
                 productions=[f.production("P1", jurisdiction="XX")],
                 incentives=[dict(jurisdiction="XX", rate=0.25, cap=None, receipt_lag_weeks=2, discount=0.1)])
    got = fl.incentive_amounts(data, planned_schedule(data)).iloc[0]
    assert (got["qualifying_cents"], got["credit_cents"], got["received_cents"]) == (600000, 150000, 135000)
    assert fl.incentive_amounts(data).iloc[0]["qualifying_cents"] == 400000     # without a plan: the budget
    flows = fl.cashflow(data, planned_schedule(data))
    assert flows.loc[flows["flow"] == "incentive", ["week", "cents"]].values.tolist() == [[11, 135000]]


def test_the_incentive_arrives_after_a_late_running_last_phase_ends():
    # The only phase runs two weeks long (to week 6, exclusive): delivery is week 6, not its planned 4.
    data = slate([f.budget("P1", "2000", 1000.0, "shoot")], [f.phase("P1", "shoot", 4, 0, actual_start=f.monday(0))],
                 as_of=5, productions=[f.production("P1", jurisdiction="XX")],
                 incentives=[dict(jurisdiction="XX", rate=0.1, cap=None, receipt_lag_weeks=2, discount=0.0)])
    flows = fl.cashflow(data, planned_schedule(data))
    assert flows.loc[flows["flow"] == "incentive", ["week", "cents"]].values.tolist() == [[8, 10000]]


def test_actuals_without_as_of_run_the_money_from_the_horizon_start():
    # No as_of: the report date is the horizon start (week 0). A shoot planned in weeks -2..1 with 300
    # paid in week -1: the 700 left is spent over weeks 0 and 1. Without the actual, the 1,000 is
    # spread over all four weeks, as before.
    prods = [f.production("P1", earliest_start=f.monday(-4))]
    phases = [f.phase("P1", "shoot", 4, -2)]
    lines = [f.budget("P1", "2000", 1000.0, "shoot")]
    data = slate(lines, phases, actuals=[act("2000", 300.0, friday(-1))], productions=prods)
    assert fl.in_progress(data) and data.settings.as_of is None
    assert spend(data) == {-1: 30000, 0: 35000, 1: 35000}
    assert spend(slate(lines, phases, productions=prods)) == {-2: 25000, -1: 25000, 0: 25000, 1: 25000}


# --- roll-up ------------------------------------------------------------------------------------

def test_cost_report_is_sorted_by_production_section_and_account():
    phases = [f.phase("P2", "shoot", 2, 0), f.phase("P1", "shoot", 2, 0)]
    lines = [f.budget("P2", "2000", 1.0, "shoot"), f.budget("P1", "1000", 1.0, "shoot", section="OTHER"),
             f.budget("P1", "2100", 1.0, "shoot"), f.budget("P1", "9100", 1.0, "shoot", section="ATL"),
             f.budget("P1", "2000", 1.0, "shoot"), f.budget("P1", "5000", 1.0, "shoot", section="BTL_POST")]
    data = slate(lines, phases, productions=[f.production("P2"), f.production("P1")])
    report = report_of(data)
    assert list(report.columns) == cr.REPORT_COLUMNS
    assert list(zip(report["production_id"], report["account"])) == [     # sections first, then accounts
        ("P1", "9100"), ("P1", "2000"), ("P1", "2100"), ("P1", "5000"), ("P1", "1000"), ("P2", "2000")]


def test_by_production_rolls_up_with_pct_spent_and_contingency_left():
    phases = [f.phase(p, "shoot", 4, 0, actual_start=f.monday(0)) for p in ("P1", "P2", "P3", "P4")]
    lines = [f.budget("P1", "2000", 1000.0, "shoot"), f.budget("P1", "2100", 500.0, "shoot"),
             f.budget("P1", "7500", 300.0, "shoot", description=" CONTINGENCY ", section="OTHER"),
             f.budget("P2", "2000", 1000.0, "shoot"),
             f.budget("P2", "7500", 100.0, "shoot", description="Contingency", section="OTHER"),
             f.budget("P3", "2000", 800.0, "shoot"),
             f.budget("P4", "2000", 500.0, "shoot"),
             f.budget("P4", "7500", 50.0, "shoot", description="contingency", section="OTHER")]
    actuals = [act("2000", 1250.0, friday(0)),               # P1: 250 over
               act("2100", 100.0, friday(0)), dict(production_id="P1", account="2100", posted=friday(1),
                                                   amount=0.0, kind="actual"),
               act("2000", 1300.0, friday(0), pid="P2"),     # P2: 300 over a contingency of 100
               act("2000", 900.0, friday(1), pid="P3"),      # P3: 100 over, no contingency
               act("2000", 550.0, friday(1), pid="P4")]      # P4: its contingency of 50 just used up
    estimates = [dict(production_id="P1", account="2100", estimate_to_complete=350.0)]    # P1: 50 saved
    data = slate(lines, phases, as_of=2, actuals=actuals, estimates=estimates,
                 productions=[f.production(p) for p in ("P1", "P2", "P3", "P4")])
    summary = cr.by_production(report_of(data), data).set_index("production_id")
    assert list(summary.reset_index().columns) == cr.SUMMARY_COLUMNS
    p1 = summary.loc["P1"]
    # Budget 1800; actual 1350 (75.0%); ETC 0 + 350 + 300 (contingency forecast in full); EFC 2000.
    assert (p1["budget"], p1["actual_to_date"], p1["efc"], p1["variance"]) == (1800.0, 1350.0, 2000.0, -200.0)
    assert p1["pct_spent"] == 75.0
    assert (p1["contingency_left"], p1["note"]) == (100.0, "")        # 300 - (250 - 50)
    p2 = summary.loc["P2"]
    assert (p2["contingency_left"], p2["note"]) == (-200.0, cr.CONTINGENCY_USED_UP)
    assert round(p2["pct_spent"], 1) == 118.2                          # 1300 / 1100
    p3 = summary.loc["P3"]
    assert (p3["contingency_left"], p3["note"], p3["pct_spent"]) == (0.0, cr.NO_CONTINGENCY, 112.5)
    p4 = summary.loc["P4"]
    assert (p4["contingency_left"], p4["note"]) == (0.0, "")
    total = cr.with_slate_total(cr.by_production(report_of(data), data)).iloc[-1]
    # Budget 1800 + 1100 + 800 + 550; actual 1350 + 1300 + 900 + 550 = 4100 (96.5%); EFC 2000 + 1400 + 900 + 600.
    assert (total["production_id"], total["budget"], total["actual_to_date"]) == ("SLATE", 4250.0, 4100.0)
    assert (total["efc"], total["contingency_left"], total["pct_spent"]) == (4900.0, -100.0, 96.5)


def test_a_contingency_line_is_named_contingency_in_any_case_and_spacing():
    got = cr.is_contingency(pd.Series([" Contingency ", "CONTINGENCY", "contingency", "Contingency fee", None],
                                      dtype="string"))
    assert got.tolist() == [True, True, True, False, False]


# --- files and the command ----------------------------------------------------------------------

def write_folder(raw: dict[str, pd.DataFrame], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in raw.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


@pytest.fixture
def under_way(tmp_path):
    """A folder: P1's shoot running two weeks long on as_of (week 5), an account ``-100`` and a
    description that looks like a formula; P2 not started."""
    phases = [f.phase("P1", "shoot", 4, 0, actual_start=f.monday(0)), f.phase("P1", "post", 3, 7, kind="post"),
              f.phase("P2", "shoot", 2, 9)]
    lines = [f.budget("P1", "2500", 4000.0, "shoot", basis="weekly"),
             f.budget("P1", "-100", 500.0, "shoot", description="=SUM(1+1)", section="ATL"),
             f.budget("P1", "5000", 800.0, "post", section="BTL_POST"),
             f.budget("P2", "2000", 1000.0, "shoot")]
    actuals = [act("2500", 1000.0, friday(w)) for w in range(5)] + [act("-100", 600.0, friday(1))]
    raw = raw_slate(lines, phases, as_of=5, actuals=actuals, productions=[f.production("P1"), f.production("P2")])
    return write_folder(raw, tmp_path / "slate")


def test_cli_writes_the_cost_report_csv(under_way, tmp_path, capsys):
    out = tmp_path / "cr.csv"
    assert main(["costreport", str(under_way), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    raw = out.read_bytes()
    assert raw.startswith(b"production_id,account,description,section,budget,actual_to_date,committed,"
                          b"estimate_to_complete,efc,variance\r\n")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    got = pd.read_csv(out)
    assert list(got.columns) == cr.REPORT_COLUMNS
    assert got["account"].astype(str).tolist() == ["'-100", "2500", "5000", "2000"]
    assert got["description"].tolist()[0] == "'=SUM(1+1)"
    p1 = got.set_index(got["account"].astype(str))
    assert p1.loc["2500", ["budget", "actual_to_date", "estimate_to_complete", "efc", "variance"]].tolist() == \
        [4000.0, 5000.0, 1000.0, 6000.0, -2000.0]
    assert p1.loc["'-100", ["efc", "variance"]].tolist() == [600.0, -100.0]
    assert b",4000.00,5000.00,0.00,1000.00,6000.00,-2000.00\r\n" in raw       # money to the cent
    data = load_folder(under_way)
    assert f"slate {content_hash(data)}" in said and "as of 2027-02-08" in said and "plan: as planned" in said
    assert "budget 6,300.00 USD" in said and "EFC 8,400.00" in said and "variance -2,100.00" in said


def test_cli_writes_the_cost_report_workbook_with_subtotals(under_way, tmp_path, capsys):
    out = tmp_path / "cr.xlsx"
    assert main(["costreport", str(under_way), "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))
    assert wb.sheetnames == ["About", "Cost report", "Slate summary"]
    about = [r[0] for r in wb["About"].iter_rows(min_row=2, values_only=True)]
    key = content_hash(load_folder(under_way))
    assert about[:3] == ["Slate Planner cost report", "plan: as planned", f"slate {key}"]
    assert about[3].startswith("made ") and about[4] == "as of 2027-02-08"
    assert "EFC 8,400.00 USD" in about
    sheet = pd.DataFrame(list(wb["Cost report"].iter_rows(min_row=2, values_only=True)),
                         columns=[c.value for c in wb["Cost report"][1]])
    assert sheet.columns.tolist() == ["level"] + cr.REPORT_COLUMNS
    assert sheet[["level", "production_id", "account", "description"]].fillna("").values.tolist() == [
        ["account", "P1", "'-100", "'=SUM(1+1)"], ["section", "P1", "", "Total ATL"],
        ["account", "P1", "2500", "Account 2500"], ["section", "P1", "", "Total BTL_PRODUCTION"],
        ["account", "P1", "5000", "Account 5000"], ["section", "P1", "", "Total BTL_POST"],
        ["production", "P1", "", "Total P1"],
        ["account", "P2", "2000", "Account 2000"], ["section", "P2", "", "Total BTL_PRODUCTION"],
        ["production", "P2", "", "Total P2"], ["slate", "SLATE", "", "Slate total"]]
    efc = dict(zip(sheet["description"], sheet["efc"]))
    assert (efc["Total P1"], efc["Total P2"], efc["Slate total"]) == (7400.0, 1000.0, 8400.0)
    assert wb["Cost report"]["F2"].number_format == "#,##0.00"
    summary = list(wb["Slate summary"].iter_rows(values_only=True))
    assert summary[0] == tuple(cr.SUMMARY_COLUMNS)
    assert [r[0] for r in summary[1:]] == ["P1", "P2", "SLATE"]
    assert summary[-1][cr.SUMMARY_COLUMNS.index("variance")] == -2100.0


def test_cli_as_of_overrides_the_slate_and_plan_reads_a_schedule(under_way, tmp_path, capsys):
    out = tmp_path / "cr.csv"
    # On week 6 the shoot still runs (to week 7): 1 week of ETC, EFC 7 weeks of rate.
    assert main(["costreport", str(under_way), "--as-of", f.monday(6), "--out", str(out)]) == 0
    assert "as of 2027-02-15" in capsys.readouterr().out
    got = pd.read_csv(out).set_index("account")
    assert got.loc["2500", ["estimate_to_complete", "efc"]].tolist() == [1000.0, 6000.0]
    plan = tmp_path / "plan"
    plan.mkdir()
    schedule = planned_schedule(load_folder(under_way))[["production_id", "phase_id", "start_week"]]
    schedule.assign(start_week=schedule["start_week"] + 1).to_csv(plan / "schedule.csv", index=False)
    assert main(["costreport", str(under_way), "--plan", str(plan), "--out", str(out)]) == 0
    assert f"plan: the schedule in {plan}" in capsys.readouterr().out


@pytest.mark.parametrize("as_of, code, said", [
    ("2027-02-10", 1, "settings[row 1].as_of: 2027-02-10 is not a Monday"),
    ("2029-02-05", 1, "is outside the horizon"),
    ("2027-01-25", 1, "actuals[row 4].posted: 2027-01-29 is after as_of (2027-01-25)"),
    ("someday", 2, "argument --as-of: expected a date such as 2027-04-26, got 'someday'"),
])
def test_cli_refuses_a_bad_as_of_clearly(under_way, tmp_path, capsys, as_of, code, said):
    out = tmp_path / "cr.csv"
    argv = ["costreport", str(under_way), "--as-of", as_of, "--out", str(out)]
    if code == 2:                                    # a bad argument: argparse exits
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
    else:
        assert main(argv) == code
    err = capsys.readouterr().err
    assert said in err
    if code == 1:
        assert err.startswith(f"slate: --as-of {as_of} cannot be the report date of {under_way}")
    assert not out.exists()


def test_costreport_filename_says_plan_slate_day_and_report_date():
    name = cr.costreport_filename("Scenario “More / crew”", "3f2a1b0c99", pd.Timestamp("2027-05-03"),
                                  pd.Timestamp("2027-04-26"), "xlsx")
    assert name == "slate-costreport-scenario-more-crew-3f2a1b0c-2027-05-03-as-of-2027-04-26.xlsx"
