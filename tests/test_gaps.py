"""Idle weeks inside a production, on schedules built by hand."""

import pandas as pd

from planning.analysis.gaps import idle_runs, opened_gaps


def schedule(rows):
    return pd.DataFrame(rows, columns=["production_id", "phase_id", "start_week", "end_week"])


def test_idle_runs_are_the_uncovered_weeks_between_first_start_and_last_end():
    s = schedule([("A", "prep", 0, 4), ("A", "shoot", 6, 9), ("A", "post", 9, 20), ("A", "delivery", 22, 24),
                  ("B", "prep", 0, 3), ("B", "shoot_b1", 3, 6), ("B", "post_b1", 7, 12), ("B", "shoot_b2", 6, 8)])
    runs = idle_runs(s)
    assert runs.to_dict("records") == [
        {"production_id": "A", "after_phase": "prep", "before_phase": "shoot", "from_week": 4, "until_week": 6,
         "weeks": 2},
        {"production_id": "A", "after_phase": "post", "before_phase": "delivery", "from_week": 20,
         "until_week": 22, "weeks": 2}]          # B: the second block's shoot covers the week before its post


def test_a_long_phase_covers_the_shorter_ones_inside_it():
    s = schedule([("A", "post_b1", 0, 20), ("A", "post_b2", 2, 5), ("A", "delivery", 21, 22)])
    assert idle_runs(s)[["after_phase", "from_week", "weeks"]].to_dict("records") == [
        {"after_phase": "post_b1", "from_week": 20, "weeks": 1}]


def test_only_gaps_the_plan_opens_beyond_the_planned_ones_are_reported():
    planned = schedule([("A", "shoot_b1", 0, 4), ("A", "shoot_b2", 5, 9),        # a planned hiatus of 1 week
                        ("B", "prep", 0, 4), ("B", "shoot", 4, 8)])
    plan = schedule([("A", "shoot_b1", 2, 6), ("A", "shoot_b2", 7, 11),          # moved, same hiatus
                     ("B", "prep", 0, 4), ("B", "shoot", 14, 18)])                # waits ten weeks
    gaps = opened_gaps(plan, planned)
    assert gaps[["production_id", "from_week", "until_week", "idle_weeks", "planned_idle_weeks"]].to_dict(
        "records") == [{"production_id": "B", "from_week": 4, "until_week": 14, "idle_weeks": 10,
                        "planned_idle_weeks": 0}]
    assert opened_gaps(planned, planned).empty
