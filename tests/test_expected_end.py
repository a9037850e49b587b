"""A running phase's ``expected_end``, and a what-if slip of a production under way: the phase runs
longer (or shorter), and its weekly lines cost the weeks it runs (issue 23: "a what-if shows what a
slip costs in EFC"). Figures by hand; weeks count from the horizon start (week 0)."""

from __future__ import annotations

import pandas as pd

from planning.data.progress import phase_status
from planning.data.validate import check
from planning.scenarios.apply import apply
from planning.scenarios.types import Scenario
from tests import factory as f
from tests.test_costreport import act, friday, raw_slate, report_of, row, slate, sunday


def shoot(**kw):
    """A 4-week shoot that started in week 0 (and so has run weeks 0..4 by an as_of in week 5)."""
    return f.phase("P1", "shoot", 4, 0, actual_start=f.monday(0), **kw)


LINE = [f.budget("P1", "5000", 100.0, "shoot")]


def end_week(data, phase_id="shoot") -> int:
    status = phase_status(data)
    return int(status.loc[status["phase_id"] == phase_id, "actual_end_week"].iloc[0])


def test_an_expected_end_sets_a_running_phase_s_end_either_way_but_not_before_the_report_week():
    assert end_week(slate(LINE, [shoot()], as_of=2)) == 4                              # duration_weeks
    assert end_week(slate(LINE, [shoot(expected_end=sunday(6))], as_of=2)) == 7        # runs long
    assert end_week(slate(LINE, [shoot(expected_end=sunday(2))], as_of=2)) == 3        # wraps early
    assert end_week(slate(LINE, [shoot(expected_end=f.monday(2))], as_of=2)) == 3      # as_of itself: its week


def test_an_expected_end_is_refused_off_a_running_phase_or_before_as_of():
    def named(phase, as_of=2):
        _, problems = check(raw_slate(LINE, [phase], as_of=as_of))
        return [(p.table, p.row, p.column) for p in problems]

    assert named(shoot(expected_end=f.monday(2))) == []                        # the last day that passes
    day_before = str((pd.Timestamp(f.monday(2)) - pd.Timedelta(days=1)).date())
    assert named(shoot(expected_end=day_before)) == [("phases", "P1/shoot", "expected_end")]
    assert named(f.phase("P1", "shoot", 4, 3, expected_end=sunday(6))) == [("phases", "P1/shoot", "expected_end")]
    done = shoot(actual_end=sunday(1), expected_end=sunday(6))
    assert named(done) == [("phases", "P1/shoot", "expected_end")]


def test_a_weekly_line_costs_the_weeks_to_the_expected_end():
    # 4,000 over 4 weeks is 1,000 a week; expected to end in week 6 (7 exclusive): weeks 2..6 still to
    # run on as_of (week 2), 5,000 to complete, 7,000 at final cost, 3,000 over.
    data = slate([f.budget("P1", "2500", 4000.0, "shoot", basis="weekly")], [shoot(expected_end=sunday(6))],
                 as_of=2, actuals=[act("2500", 1000.0, friday(w)) for w in range(2)])
    r = row(report_of(data), "2500")
    assert (r["actual_to_date"], r["estimate_to_complete"], r["efc"], r["variance"]) == (2000.0, 5000.0, 7000.0, -3000.0)


def test_a_slip_of_a_production_under_way_runs_its_running_phase_longer_and_costs_its_weekly_lines():
    post = f.phase("P1", "post", 2, 4)
    lines = [f.budget("P1", "2500", 4000.0, "shoot", basis="weekly"), f.budget("P1", "5000", 900.0, "post")]
    data = slate(lines, [shoot(), post], as_of=2, actuals=[act("2500", 1000.0, friday(w)) for w in range(2)])
    base = row(report_of(data), "2500")
    assert (base["estimate_to_complete"], base["efc"]) == (2000.0, 4000.0)
    later = apply(data, Scenario(name="two weeks long", slips={"P1": 2}))
    assert end_week(later) == 6                                     # weeks 0..5: two more than planned
    slipped = row(report_of(later), "2500")
    assert (slipped["estimate_to_complete"], slipped["efc"], slipped["variance"]) == (4000.0, 6000.0, -2000.0)
    assert row(report_of(later), "5000")["efc"] == 900.0            # a fixed line costs the same
    sooner = apply(data, Scenario(name="wraps a week early", slips={"P1": -1}))
    assert end_week(sooner) == 3 and row(report_of(sooner), "2500")["efc"] == 3000.0
    never_before_now = apply(data, Scenario(name="far earlier", slips={"P1": -9}))
    assert end_week(never_before_now) == 3                           # still runs the report week
