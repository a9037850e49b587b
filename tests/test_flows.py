"""The cash-flow arithmetic of ``planning.finance.flows`` below the slate, each rule at its edge, every
figure worked by hand from the rules in the module's docstring (and ``docs/cashflow.md``): cents
rounded half up from the decimal text, curve weights, the largest-remainder split (earlier week first
on a tie), the tail of a curve from the report week, weekly lines, financing on the running deficit,
the position and the funding need, and reading a schedule. Fast on purpose: ``bash .ci/mutation flows``
runs them against every mutant of flows.py."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from planning.data.inputs import Settings
from planning.data.schema import CURVES
from planning.finance import flows as fl

H0 = pd.Timestamp("2027-01-04")


def test_amounts_become_cents_half_up_from_their_decimal_text():
    assert fl.to_cents([12.345, 0.005, -0.005, 1.005, 2.675, 0.0, 7, -3.14]).tolist() == \
        [1235, 1, -1, 101, 268, 0, 700, -314]
    assert fl.to_cents([]).tolist() == [] and fl.to_cents(pd.Series([1.5])).dtype == np.int64
    assert fl.to_amount([1235, -1, 0]).tolist() == [12.35, -0.01, 0.0]


@pytest.mark.parametrize("curve, weeks, weights", [
    ("flat", 4, [1, 1, 1, 1]), ("front", 4, [4, 3, 2, 1]), ("back", 4, [1, 2, 3, 4]), ("bell", 4, [1, 2, 2, 1]),
    ("bell", 5, [1, 2, 3, 2, 1]), ("start", 3, [1, 0, 0]), ("end", 3, [0, 0, 1]),
    ("flat", 1, [1]), ("front", 1, [1]), ("back", 1, [1]), ("bell", 1, [1]), ("start", 1, [1]), ("end", 1, [1]),
])
def test_curve_weights(curve, weeks, weights):
    assert fl.curve_weights(curve, weeks) == weights


def spread(cents, curves, weeks, skip=None):
    line, offset, got = fl.spread(np.array(cents, np.int64), np.array([CURVES.index(c) for c in curves]),
                                  np.array(weeks, np.int64), None if skip is None else np.array(skip, np.int64))
    return line.tolist(), offset.tolist(), got.tolist()


@pytest.mark.parametrize("cents, curve, weeks, expected", [
    (100, "flat", 3, [34, 33, 33]),          # 33 each, the cent left to the earliest of equal remainders
    (10, "front", 3, [5, 3, 2]),             # 30/6, 20/6, 10/6: 5, 3 r2, 1 r4; the cent to the largest (r4)
    (10, "back", 3, [2, 3, 5]),              # 10/6, 20/6, 30/6: 1 r4, 3 r2, 5
    (7, "bell", 4, [1, 3, 2, 1]),            # 7/6, 14/6, 14/6, 7/6: a tie of r2 goes to the earlier week
    (5, "start", 3, [5, 0, 0]),
    (5, "end", 3, [0, 0, 5]),
    (-100, "flat", 3, [-33, -33, -34]),      # a refund: -34 each r2, the two cents back to the earliest
    (0, "front", 2, [0, 0]),
])
def test_a_line_is_split_exactly_by_largest_remainder(cents, curve, weeks, expected):
    assert spread([cents], [curve], [weeks]) == ([0] * weeks, list(range(weeks)), expected)


def test_only_the_weeks_left_get_money_in_their_own_weights():
    assert spread([100], ["flat"], [4], [2]) == ([0, 0], [2, 3], [50, 50])
    assert spread([10], ["back"], [4], [2]) == ([0, 0], [2, 3], [4, 6])         # weights 3, 4: 30/7 r2, 40/7 r5
    assert spread([10], ["front"], [4], [1]) == ([0, 0, 0], [1, 2, 3], [5, 3, 2])    # weights 3, 2, 1
    assert spread([100], ["start"], [3], [1]) == ([0, 0], [1, 2], [100, 0])       # a tail that weighs nothing
    assert spread([100], ["end"], [3], [2]) == ([0], [2], [100])
    assert spread([9], ["flat"], [3], [0]) == spread([9], ["flat"], [3])


def test_several_lines_in_order_and_none():
    assert spread([10, 5], ["flat", "end"], [2, 3]) == ([0, 0, 1, 1, 1], [0, 1, 0, 1, 2], [5, 5, 0, 0, 5])
    assert spread([3, 4], ["flat", "flat"], [2, 2], [1, 0]) == ([0, 1, 1], [1, 0, 1], [3, 2, 2])
    assert spread([], [], []) == ([], [], [])


def test_weekly_lines_cost_their_rate_per_week_rounded_half_up_once():
    got = fl.weekly_cents([1000, 1000, 1000, 1000, 1, 3, 5], [1, 2, 0, 3, 1, 1, 7], [3, 3, 3, 3, 2, 2, 2])
    assert got.tolist() == [333, 667, 0, 1000, 1, 2, 18]       # 333.3, 666.7, 0, 1000, 0.5, 1.5, 17.5


def test_financing_accrues_on_the_deficit_only_rounded_half_up():
    assert fl.exact_rate(0.085) == (17, 200) and fl.exact_rate(0.0) == (0, 1) and fl.exact_rate(1) == (1, 1)
    assert fl.financing_cents(np.array([-100_000, 100_000, 0]), (52, 1000)).tolist() == [100, 0, 0]
    assert fl.financing_cents(np.array([-1]), (26, 1)).tolist() == [1]       # 0.5 of a cent: up
    assert fl.financing_cents(np.array([-1]), (25, 1)).tolist() == [0]       # 0.48: down
    assert fl.financing_cents(np.array([-3]), (1, 1)).tolist() == [0]        # 3/52
    assert fl.financing_cents(np.array([-26]), (1, 1)).tolist() == [1]       # 26/52 = 0.5: up
    assert fl.financing_cents(np.array([], np.int64), (1, 1)).tolist() == []
    huge = 4 * 10 ** 18                                                       # past int64 in the product
    expected = int(Fraction(huge, 520) + Fraction(1, 2))                      # rate 1/10 a year, a week of it
    assert fl.financing_cents(np.array([-huge]), (1, 10)).tolist() == [expected]


def settings(weeks=3, rate=0.52):
    return Settings(H0, weeks, "USD", rate)


def flows_of(rows):
    return pd.DataFrame(rows, columns=["week", "cents"])


def test_financing_rows_from_the_running_deficit_inside_the_horizon():
    """Paid 52.00 before the horizon (week -1), 52.00 back in week 1, -10.00 after it: at 0.52 a year
    (0.01 a week) the deficit of 5,200 cents costs 52 cents in week 0 and nothing after."""
    out = fl.financing_flows(flows_of([(-1, -5200), (1, 5200), (5, -1000)]), settings())
    assert out[["production_id", "section", "account", "flow", "week", "cents", "amount"]].values.tolist() == [
        ["SLATE", "FINANCING", "FIN", "financing", 0, -52, -0.52]]
    assert out["description"].tolist() == ["Financing of the running deficit at 52.00% a year"]
    assert out["title"].tolist() == ["Slate financing"] and out["week_start"].tolist() == [H0]
    assert list(out.columns) == fl.FLOW_COLUMNS
    assert fl.financing_flows(flows_of([(0, -5200)]), settings(rate=0.0)).empty
    last = fl.financing_flows(flows_of([(2, -5200)]), settings())           # the last horizon week counts
    assert last[["week", "cents"]].values.tolist() == [[2, -52]]
    half = fl.financing_flows(flows_of([(-1, -5150)]), settings(weeks=2))  # 51.5 cents a week: up, every week
    assert half[["week", "cents"]].values.tolist() == [[0, -52], [1, -52]]


def test_the_position_runs_from_the_first_flow_to_the_last_week_or_flow():
    empty = fl.position(pd.DataFrame(columns=["week", "flow", "cents"]), settings(weeks=2))
    assert empty[["week", "spend", "incentive", "financing", "net", "position"]].values.tolist() == [
        [0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]]
    flows = pd.DataFrame({"week": [-2, 0, 0, 4], "flow": ["spend", "spend", "incentive", "financing"],
                          "cents": [-500, -100, 300, -7]})
    out = fl.position(flows, settings(weeks=2))
    assert out["week"].tolist() == [-2, -1, 0, 1, 2, 3, 4]
    assert out["week_start"].tolist()[:3] == [H0 - pd.Timedelta(days=14), H0 - pd.Timedelta(days=7), H0]
    assert out["spend"].tolist() == [-5.0, 0, -1.0, 0, 0, 0, 0]
    assert out["incentive"].tolist() == [0, 0, 3.0, 0, 0, 0, 0]
    assert out["net"].tolist() == [-5.0, 0, 2.0, 0, 0, 0, -0.07]
    assert out["position"].tolist() == [-5.0, -5.0, -3.0, -3.0, -3.0, -3.0, -3.07]
    late = fl.position(pd.DataFrame({"week": [1], "flow": ["spend"], "cents": [-1]}), settings(weeks=3))
    assert late["week"].tolist() == [0, 1, 2]


def test_the_funding_need_is_the_lowest_position_first_reached():
    weekly = pd.DataFrame({"week": [0, 1, 2, 3], "week_start": [H0 + pd.Timedelta(days=7 * w) for w in range(4)],
                           "financing": [0.0, -0.01, -0.02, 0.0], "position": [-5.0, -10.0, -10.0, 3.0]})
    need = fl.funding_need(weekly)
    assert need == fl.FundingNeed(10.0, 1, H0 + pd.Timedelta(days=7), 0.03)
    never = fl.funding_need(weekly.assign(position=[0.0, 1.0, 2.0, 3.0]))
    assert never == fl.FundingNeed(0.0, None, None, 0.03)
    assert fl.funding_need(weekly.iloc[:0]) == fl.FundingNeed(0.0, None, None, 0.0)


def test_a_schedule_is_read_from_the_plan_folder_parquet_first(tmp_path):
    with pytest.raises(fl.ScheduleError) as missing:
        fl.read_schedule(tmp_path)
    assert str(missing.value) == f"{tmp_path} holds no schedule.parquet or schedule.csv"
    pd.DataFrame({"production_id": ["A"], "phase_id": ["shoot"], "start_week": [3]}).to_csv(
        tmp_path / "schedule.csv", index=False)
    from_csv = fl.read_schedule(str(tmp_path))
    assert from_csv.values.tolist() == [["A", "shoot", "3"]]                 # read as text, checked later
    pd.DataFrame({"production_id": ["A"], "phase_id": ["shoot"], "start_week": [5]}).to_parquet(
        tmp_path / "schedule.parquet", index=False)
    assert fl.read_schedule(tmp_path)["start_week"].tolist() == [5]


def small_slate(as_of=None, **tables):
    """Production A: prep (2 weeks, week 0), shoot (3 weeks, week 2); a crew pool; tables added as given."""
    from factory import budget, demand, frames, phase, production, resource
    from planning.data.validate import check

    raw = frames([production("A")], [phase("A", "prep", 2, 0, kind="prep"), phase("A", "shoot", 3, 2)],
                 [resource("CREW", "crew", 2)], [demand("A", "prep", "CREW")],
                 budget_lines=tables.pop("budget_lines", [budget("A", "2000", 1000.0, "prep")]))
    for name, value in tables.items():
        raw[name] = value if isinstance(value, pd.DataFrame) else pd.DataFrame(value)
    raw["settings"] = raw["settings"].assign(as_of=as_of)
    data, problems = check(raw)
    assert not problems, problems
    return data


def schedule(*rows):
    return pd.DataFrame(list(rows), columns=["production_id", "phase_id", "start_week"])


def test_a_schedule_gives_each_phase_one_whole_start_week_or_is_refused_naming_each_phase():
    data = small_slate()
    got = fl.checked_schedule(data, schedule(("A", "shoot", "4"), ("A", "prep", 1.0)).assign(end_week=99))
    assert got.values.tolist() == [["A", "prep", 1, 3], ["A", "shoot", 4, 7]]       # ends from the durations
    assert list(got.columns) == ["production_id", "phase_id", "start_week", "end_week"]
    assert got["start_week"].dtype == np.int64 and got["end_week"].dtype == np.int64
    refusals = {
        "the schedule lacks column(s) start_week": schedule(("A", "prep", 0))[["production_id", "phase_id"]],
        "the schedule lacks column(s) phase_id, start_week": schedule(("A", "prep", 0))[["production_id"]],
        "A/prep: start_week is not a whole number of weeks": schedule(("A", "prep", 1.5), ("A", "shoot", 3)),
        "A/shoot: start_week is not a whole number of weeks": schedule(("A", "prep", 0), ("A", "shoot", "soon")),
        "A/prep: given more than once": schedule(("A", "prep", 0), ("A", "prep", 1), ("A", "shoot", 3)),
        "A/shoot: missing from the schedule": schedule(("A", "prep", 0)),
        "A/post: not a phase of the slate": schedule(("A", "prep", 0), ("A", "shoot", 2), ("A", "post", 5)),
        "A/prep: given more than once; A/post: not a phase of the slate":
            schedule(("A", "prep", 0), ("A", "prep", 0), ("A", "shoot", 2), ("A", "post", 5)),
    }
    for message, given in refusals.items():
        with pytest.raises(fl.ScheduleError) as refused:
            fl.checked_schedule(data, given)
        assert str(refused.value) == message


def test_line_costs_of_a_slate_under_way_by_hand():
    """As of week 4 (1 February 2027): the prep (weeks 0-1) is over, the shoot (weeks 2-4) runs in its last
    week. Lines: 2000 fixed on the prep, 1,000.00, overspent (actual 1,200.00): nothing left to spend;
    3000 weekly on the shoot, 900.00 (300.00 a week), 100.00 committed: one week left (week 4) costs
    300.00, less the commitment: 200.00; 4000 fixed on the shoot, 500.00 with an estimate of 50.00."""
    from factory import budget

    lines = [budget("A", "2000", 1000.0, "prep"), budget("A", "3000", 900.0, "shoot", basis="weekly"),
             budget("A", "4000", 500.0, "shoot")]
    actuals = [dict(production_id="A", account="2000", posted="2027-01-11", amount=1200.0, kind="actual"),
               dict(production_id="A", account="3000", posted="2027-01-25", amount=100.0, kind="committed")]
    data = small_slate("2027-02-01", budget_lines=lines, actuals=actuals,
                       estimates=[dict(production_id="A", account="4000", estimate_to_complete=50.0)])
    costs = fl.line_costs(data, schedule(("A", "prep", 0), ("A", "shoot", 2)))
    assert costs[["account", "basis", "start_week", "end_week", "from_week", "budget_cents", "actual_cents",
                  "committed_cents", "estimated", "etc_cents", "efc_cents"]].values.tolist() == [
        ["2000", "fixed", 0, 2, 4, 100_000, 120_000, 0, False, 0, 120_000],
        ["3000", "weekly", 2, 5, 4, 90_000, 0, 10_000, False, 20_000, 30_000],
        ["4000", "fixed", 2, 5, 4, 50_000, 0, 0, True, 5_000, 5_000]]
    not_yet = small_slate(budget_lines=lines)                       # no report date: all of it to come
    costs = fl.line_costs(not_yet, schedule(("A", "prep", 3), ("A", "shoot", 6)))
    assert costs[["from_week", "etc_cents", "efc_cents"]].values.tolist() == [[3, 100_000, 100_000],
                                                                              [6, 90_000, 90_000],
                                                                              [6, 50_000, 50_000]]
    assert not fl.in_progress(not_yet) and fl.in_progress(data)


def test_spend_and_incentive_flows_of_a_small_slate():
    """1,000.00 flat on the prep (weeks 0-1), paid 1 week later; a 25% incentive, 10% discount, received
    20 weeks after the shoot ends (week 5): 250.00 credit, 25.00 discount, 225.00 in week 25."""
    from factory import budget, production

    data = small_slate(budget_lines=[budget("A", "2000", 1000.0, "prep", payment_lag_weeks=1)])
    plan = schedule(("A", "prep", 0), ("A", "shoot", 2))
    spend = fl.spend_flows(data, plan)
    assert spend[["production_id", "account", "flow", "week", "cents"]].values.tolist() == [
        ["A", "2000", "spend", 1, -50_000], ["A", "2000", "spend", 2, -50_000]]
    assert fl.incentive_flows(data, plan).empty                                    # no jurisdiction
    uk = small_slate(productions=[production("A", jurisdiction="UK")],
                     incentives=[dict(jurisdiction="UK", rate=0.25, cap=None, receipt_lag_weeks=20, discount=0.1)])
    got = fl.incentive_flows(uk, plan)
    assert got[["production_id", "section", "account", "description", "flow", "week", "cents"]].values.tolist() == [
        ["A", "INCENTIVE", "INC-UK", "UK tax incentive", "incentive", 25, 22_500]]
