"""People and places with dated availability, and phase windows: each rule at its edge (the last
value that passes, the first that fails, naming table, row and column), and plans that keep them."""

import pandas as pd
import pytest

from planning.analysis.capacity import capacity_by_week
from planning.data.validate import check
from planning.optimizer import PlanOptions, plan
from planning.plan import from_result

from bruteforce import _day, _people_places_windows, _person_overbooked, best_plans
from factory import demand, edit, frames, monday, phase, production, resource

FAST = PlanOptions(time_limit=20, gap=0.0)


def base(**changes) -> dict:
    """The raw tables of a small slate: a director (talent) on two shoots, a harbour (location) on
    a permit, an exterior with a season window; ``changes`` replace whole tables."""
    raw = frames(
        [production("P1", target_delivery=monday(8)), production("P2", target_delivery=monday(9))],
        [phase("P1", "prep", 1, 1, kind="prep"), phase("P1", "shoot", 2, 2),
         phase("P2", "shoot", 2, 4, window_start=_day(3, 0), window_end=_day(7, 6))],
        [resource("DIR", kind="talent"), resource("HARBOUR", kind="location"), resource("CREW", capacity=2)],
        [demand("P1", "shoot", "DIR"), demand("P2", "shoot", "DIR"), demand("P2", "shoot", "HARBOUR")],
        availability=[dict(resource_id="DIR", available_from=_day(1, 0), available_to=_day(9, 6), units=None),
                      dict(resource_id="HARBOUR", available_from=_day(2, 0), available_to=_day(6, 6), units=1)],
        horizon_weeks=12)
    raw.update(changes)
    return raw


def named(raw: dict) -> set[tuple[str, str, str]]:
    _, problems = check(raw)
    return {(p.table, p.row, p.column) for p in problems}


def test_the_base_slate_is_valid():
    assert named(base()) == set()


def p2_shoot(raw, **cells) -> dict:
    for column, value in cells.items():
        raw = edit(raw, "phases", {"production_id": "P2", "phase_id": "shoot"}, column, value)
    return raw


def window_only_to_week_3(raw):
    return p2_shoot(raw, window_start=None, window_end=_day(3, 6), planned_start=None)


def open_window(raw):
    return p2_shoot(raw, window_end=None, planned_start=None)


def latest_start_week_5(raw):
    return edit(open_window(raw), "productions", {"production_id": "P2"}, "latest_start", monday(5))


EDGES = [  # (setup, table, match, column, last value that passes, first that fails, (table, row, column) named)
    (None, "resources", {"resource_id": "DIR"}, "hire_max_units", 0, 1, ("resources", "DIR", "hire_max_units")),
    (None, "resources", {"resource_id": "HARBOUR"}, "hire_max_units", 0, 1,
     ("resources", "HARBOUR", "hire_max_units")),
    (None, "resources", {"resource_id": "DIR"}, "hire_cost_per_week", None, 0.0,
     ("resources", "DIR", "hire_cost_per_week")),
    (None, "resources", {"resource_id": "HARBOUR"}, "hire_cost_per_week", None, 10.0,
     ("resources", "HARBOUR", "hire_cost_per_week")),
    (None, "resources", {"resource_id": "DIR"}, "capacity", 1, 2, ("resources", "DIR", "capacity")),
    # A window must hold a whole week, Monday to Sunday: from Monday week 1, to Sunday (passes) or Saturday.
    (None, "availability", {"resource_id": "DIR"}, "available_to", _day(1, 6), _day(1, 5),
     ("availability", "DIR/2027-01-11", "available_to")),
    # Ending before it starts.
    (None, "availability", {"resource_id": "HARBOUR"}, "available_to", _day(2, 6), _day(1, 6),
     ("availability", "HARBOUR/2027-01-18", "available_to")),
    (None, "availability", {"resource_id": "DIR"}, "units", 1, 2, ("availability", "DIR/2027-01-11", "units")),
    (None, "availability", {"resource_id": "DIR"}, "resource_id", "DIR", "NOBODY",
     ("availability", "NOBODY/2027-01-11", "resource_id")),
    # A phase window holds the phase: P2's shoot is 2 weeks; from Monday week 3 to Sunday week 4 holds it.
    (None, "phases", {"phase_id": "shoot", "production_id": "P2"}, "window_end", _day(4, 6), _day(4, 5),
     ("phases", "P2/shoot", "window_end")),
    # Its window ends before the production may start: a window ending Sunday of week 3 holds the
    # 2-week shoot from week 2, and an earliest_start after Monday of week 2 rounds up to week 3.
    (window_only_to_week_3, "productions", {"production_id": "P2"}, "earliest_start", _day(2, 0), _day(2, 1),
     ("phases", "P2/shoot", "window_end")),
    # A window too late for the horizon (12 weeks: the 2-week shoot starts by week 10).
    (open_window, "phases", {"phase_id": "shoot", "production_id": "P2"}, "window_start", _day(10, 0), _day(10, 1),
     ("phases", "P2/shoot", "window_start")),
    # A first phase's window starting after latest_start (week 5).
    (latest_start_week_5, "phases", {"phase_id": "shoot", "production_id": "P2"}, "window_start", _day(5, 0),
     _day(5, 1), ("phases", "P2/shoot", "window_start")),
]


@pytest.mark.parametrize("setup, table, match, column, good, bad, where", EDGES,
                         ids=[f"{e[1]}.{e[3]}-{i}" for i, e in enumerate(EDGES)])
def test_each_rule_at_its_edge(setup, table, match, column, good, bad, where):
    raw = setup(base()) if setup else base()
    assert named(edit(raw, table, match, column, good)) == set()
    assert where in named(edit(raw, table, match, column, bad))


def test_overlapping_windows_of_one_resource_are_refused_naming_the_later_one():
    second = dict(resource_id="DIR", available_from=_day(9, 6), available_to=_day(11, 6), units=None)
    raw = base()
    overlapping = {**raw, "availability": pd.concat([raw["availability"], pd.DataFrame([second])], ignore_index=True)}
    assert named(overlapping) == {("availability", "DIR/2027-03-14", "available_from")}
    after = {**second, "available_from": _day(10, 0)}             # the day after the first one ends
    assert named({**raw, "availability": pd.concat([raw["availability"], pd.DataFrame([after])],
                                                   ignore_index=True)}) == set()


def test_a_resource_is_dated_in_availability_or_the_calendar_not_both():
    raw = base()
    raw["resource_calendar"] = pd.DataFrame([dict(resource_id="CREW", week_start=monday(3), capacity=1)])
    assert named(raw) == set()
    raw["resource_calendar"] = pd.DataFrame([dict(resource_id="DIR", week_start=monday(3), capacity=0)])
    assert named(raw) == {("availability", "DIR/2027-01-11", "resource_id")}


def test_a_locked_phase_outside_its_window_is_refused():
    raw = edit(base(), "phases", {"production_id": "P2", "phase_id": "shoot"}, "locked", True)
    assert named(edit(raw, "phases", {"production_id": "P2", "phase_id": "shoot"}, "planned_start", monday(6))) == set()
    assert named(edit(raw, "phases", {"production_id": "P2", "phase_id": "shoot"}, "planned_start", monday(7))) == {
        ("phases", "P2/shoot", "planned_start")}


def test_windows_and_lags_that_leave_no_start_together_are_refused():
    """P1's prep must run into its shoot (max lag 0); the shoot may not start before week 6; the
    production may not start after week 3: each alone is fine, together no schedule exists."""
    raw = base(phase_links=pd.DataFrame([dict(production_id="P1", before_phase="prep", after_phase="shoot",
                                              min_lag_weeks=0, max_lag_weeks=4)]))
    raw = edit(raw, "productions", {"production_id": "P1"}, "latest_start", monday(1))
    raw = edit(raw, "phases", {"production_id": "P1", "phase_id": "shoot"}, "window_start", _day(6, 0))
    assert named(raw) == set()                                     # prep week 1, 4 weeks' lag: shoot week 6
    raw = edit(raw, "phase_links", {"production_id": "P1"}, "max_lag_weeks", 3)
    assert named(raw) == {("phases", "P1/prep", "duration_weeks")}


def test_availability_counts_whole_weeks_only():
    data, _ = check(base())
    cap = capacity_by_week(data).set_index(["resource_id", "week"])["capacity"]
    assert [int(cap[("DIR", w)]) for w in range(12)] == [0] + [1] * 9 + [0, 0]
    assert [int(cap[("HARBOUR", w)]) for w in range(12)] == [0, 0] + [1] * 5 + [0] * 5
    assert [int(cap[("CREW", w)]) for w in range(12)] == [2] * 12


def booked_weeks(data, schedule, rid) -> list[int]:
    """Weeks in which ``rid`` is booked, once per booking (counted here from the raw tables)."""
    dur = {(p, q): int(d) for p, q, d in zip(data.phases["production_id"], data.phases["phase_id"],
                                               data.phases["duration_weeks"])}
    out = []
    for r in data.demands[data.demands["resource_id"] == rid].itertuples(index=False):
        start = int(schedule[(r.production_id, r.phase_id)])
        out += list(range(start - int(r.lead_weeks), start + dur[(r.production_id, r.phase_id)] + int(r.tail_weeks)))
    return out


def starts_of(result) -> dict:
    s = result.starts
    return {(p, q): int(w) for p, q, w in zip(s["production_id"], s["phase_id"], s["start_week"])}


def test_a_shared_person_is_never_booked_twice_nor_outside_her_weeks_and_windows_hold():
    data = _people_places_windows()
    result = plan(data, FAST)
    starts = starts_of(result)
    for rid, weeks in (("DIR", range(2, 8)), ("HARBOUR", range(3, 5))):
        booked = booked_weeks(data, starts, rid)
        assert len(booked) == len(set(booked)), (rid, booked)     # never twice in a week
        assert set(booked) <= set(weeks), (rid, booked)           # only in whole weeks of her windows
    assert 3 <= starts[("P3", "shoot")] <= 5                        # after Wed week 2, ending by Sun week 6
    assert result.shortfall == 0 and result.objective == pytest.approx(best_plans(data).money)


def test_an_impossible_slate_reports_the_least_shortfall_and_names_the_person():
    data = _person_overbooked()
    result = plan(data, FAST)
    assert result.shortfall == result.shortfall_bound == best_plans(data).shortfall == 2
    conflicts = from_result(data, result).conflicts
    assert set(conflicts["resource_id"]) == {"STAR"}


def test_a_locked_later_phase_pulls_its_predecessor_within_the_max_lag():
    """prep (3 weeks) -> shoot with lags 0..1, the shoot locked at week 10: every start the optimizer
    may give the prep is week 6 or 7 (ends 0 or 1 week before the shoot), not anything earlier."""
    from planning.optimizer.candidates import build_candidates

    raw = frames([production("P1", target_delivery=monday(20))],
                 [phase("P1", "prep", 3, 2, kind="prep"), phase("P1", "shoot", 2, 10, locked=True)],
                 [resource("CREW")], [demand("P1", "shoot", "CREW")],
                 links=[dict(production_id="P1", before_phase="prep", after_phase="shoot", min_lag_weeks=0,
                             max_lag_weeks=1)], horizon_weeks=20)
    data, problems = check(raw)
    assert not problems
    cands = build_candidates(data, PlanOptions())
    prep = cands.units.loc[cands.units["phase_id"] == "prep", "unit"].iloc[0]
    assert sorted(cands.combos.loc[cands.combos["unit"] == prep, "start_week"]) == [6, 7]
