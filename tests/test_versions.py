"""What changed between two versions of the slate (``planning.analysis.versions``), on frames built
by hand: productions that moved, cost more or less, came or went; conflicts resolved, new or still
there; the slate's EFC, peak funding need and conflicts before and after."""

from __future__ import annotations

import pandas as pd

from planning.analysis.versions import (CHANGE_COLUMNS, CONFLICT_COLUMNS, conflict_changes, headline_changes,
                                        production_changes, production_figures)
from planning.data.inputs import planned_schedule
from planning.data.validate import check

from factory import budget, demand, frames, monday, phase, production, resource, slate

D = pd.Timestamp


def figures(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["production_id", "title", "start", "delivery", "efc"]).astype(
        {"start": "datetime64[us]", "delivery": "datetime64[us]"})


def test_production_changes_moved_cost_added_removed_and_unchanged_left_out():
    before = figures([("A", "Alpha", D("2027-01-04"), D("2027-03-01"), 100.10),
                      ("B", "Beta", D("2027-02-01"), D("2027-05-03"), 200.00),
                      ("C", "Gamma", D("2027-01-11"), D("2027-02-08"), 50.00),
                      ("D", "Delta", D("2027-03-01"), D("2027-04-05"), 75.00)])
    after = figures([("A", "Alpha", D("2027-01-18"), D("2027-03-22"), 100.10),       # 2 weeks later, 3 weeks later
                     ("B", "Beta", D("2027-02-01"), D("2027-05-03"), 260.25),        # only the EFC: +60.25
                     ("C", "Gamma", D("2027-01-11"), D("2027-02-08"), 50.00),        # nothing: left out
                     ("E", "Epsilon", D("2027-06-07"), D("2027-09-06"), 10.00)])     # new; D is gone
    out = production_changes(before, after)
    assert list(out.columns) == CHANGE_COLUMNS
    assert out["production_id"].tolist() == ["A", "B", "D", "E"]
    assert out["change"].tolist() == ["moved", "cost", "removed", "added"]
    a, b, d, e = (out.iloc[i] for i in range(4))
    assert (a["start_weeks"], a["delivery_weeks"], a["efc_change"]) == (2, 3, 0.0)
    assert (a["start_before"], a["start_after"]) == (D("2027-01-04"), D("2027-01-18"))
    assert (b["start_weeks"], b["delivery_weeks"], b["efc_change"]) == (0, 0, 60.25)
    assert pd.isna(d["start_after"]) and pd.isna(d["delivery_weeks"]) and d["title"] == "Delta"
    assert pd.isna(e["start_before"]) and e["efc_after"] == 10.0 and e["title"] == "Epsilon"


def test_an_earlier_delivery_is_negative_weeks():
    before = figures([("A", "Alpha", D("2027-01-04"), D("2027-03-01"), 1.0)])
    after = figures([("A", "Alpha", D("2026-12-28"), D("2027-02-15"), 1.0)])
    out = production_changes(before, after)
    assert out[["start_weeks", "delivery_weeks"]].iloc[0].tolist() == [-1, -2]


def runs(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["resource_id", "name", "start", "end", "unit_weeks", "productions"])


def test_conflicts_resolved_new_and_still_matched_on_resource_and_dates():
    before = runs([("GE", "G&E crew", D("2027-02-01"), D("2027-02-15"), 2, "A;B"),
                   ("ST1", "Stage 1", D("2027-03-01"), D("2027-03-08"), 1, "A;C"),
                   ("GE", "G&E crew", D("2027-05-03"), D("2027-05-17"), 4, "B;C")])
    after = runs([("GE", "G&E crew", D("2027-02-01"), D("2027-02-15"), 2, "A;B"),        # the same run: still
                  ("GE", "G&E crew", D("2027-05-03"), D("2027-05-24"), 5, "B;C"),        # it grew: old resolved, new
                  ("LGT", "Lighting", D("2027-04-05"), D("2027-04-12"), 1, "D;E")])      # a new one
    out = conflict_changes(before, after)
    assert list(out.columns) == CONFLICT_COLUMNS
    got = [(r.resource_id, str(r.start.date()), str(r.end.date()), r.outcome, r.unit_weeks_before, r.unit_weeks_after)
           for r in out.itertuples()]
    assert got == [("GE", "2027-02-01", "2027-02-15", "still", 2, 2),
                   ("GE", "2027-05-03", "2027-05-17", "resolved", 4, 0),
                   ("GE", "2027-05-03", "2027-05-24", "new", 0, 5),
                   ("LGT", "2027-04-05", "2027-04-12", "new", 0, 1),
                   ("ST1", "2027-03-01", "2027-03-08", "resolved", 1, 0)]
    assert out.set_index("resource_id").loc["ST1", "productions"] == "A;C"


def test_no_conflicts_on_either_side_is_an_empty_table():
    empty = runs([])
    assert conflict_changes(empty, empty).empty


def test_headline_changes_before_after_and_change():
    out = headline_changes({"efc": 1_000_000.10, "peak_funding_need": 400_000.0, "conflicts": 3},
                           {"efc": 1_250_000.35, "peak_funding_need": 380_000.5, "conflicts": 1})
    assert out["measure"].tolist() == ["Estimate at final cost (EFC)", "Peak funding need", "Conflicts"]
    assert out["before"].tolist() == [1_000_000.10, 400_000.0, 3]
    assert out["after"].tolist() == [1_250_000.35, 380_000.5, 1]
    assert out["change"].tolist() == [250_000.25, -19_999.5, -2]


def test_production_figures_first_start_delivery_and_efc_to_the_cent():
    """A: prep 2 weeks from week 1, shoot 3 weeks after it (weeks 3-5): starts Monday of week 1, delivers
    the Monday after week 5 (week 6); its lines 0.10 + 0.20 = 0.30 exactly. B: one shoot, week 4, 2 weeks."""
    data = slate([production("A"), production("B")],
                 [phase("A", "prep", 2, 1, kind="prep"), phase("A", "shoot", 3, None), phase("B", "shoot", 2, 4)],
                 [resource("GE")], [demand("A", "shoot", "GE")],
                 budget_lines=[budget("A", "1000", 0.10, "prep"), budget("A", "2000", 0.20, "shoot"),
                               budget("B", "2000", 1234.56, "shoot")])
    out = production_figures(data, planned_schedule(data)).set_index("production_id")
    assert out.loc["A", ["start", "delivery"]].tolist() == [D(monday(1)), D(monday(6))]
    assert out.loc["B", ["start", "delivery"]].tolist() == [D(monday(4)), D(monday(6))]
    assert out.loc["A", "efc"] == 0.30 and out.loc["B", "efc"] == 1234.56
    assert out.loc["A", "title"] == "Title A"


def test_a_running_phase_delivers_when_it_is_now_expected_to_end_and_costs_its_weeks():
    """A's shoot (3 weeks) started in week 1 and is still running on the report date (week 6): it is
    expected to end after week 6, so A delivers the Monday of week 7, whatever the schedule says. Its
    weekly line (300: 100 a week) has 500 paid and one week still to run (week 6): EFC 500 + 100 = 600."""
    raw = frames([production("A")], [phase("A", "shoot", 3, 1, actual_start=monday(1))], [resource("GE")],
                 [demand("A", "shoot", "GE")], budget_lines=[budget("A", "2000", 300.0, "shoot", basis="weekly")])
    raw["settings"]["as_of"] = monday(6)
    raw["actuals"] = pd.DataFrame([dict(production_id="A", account="2000", posted=monday(2), amount=500.0,
                                        kind="actual")])
    data, problems = check(raw)
    assert not problems, problems
    out = production_figures(data, planned_schedule(data)).set_index("production_id")
    assert out.loc["A", ["start", "delivery"]].tolist() == [D(monday(1)), D(monday(7))]
    assert out.loc["A", "efc"] == 600.0
