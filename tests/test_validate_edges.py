"""Every rule of the data contract (docs/data.md) at its edge, on a small hand-built slate: the last
value that passes (the whole slate is then clean) and the first that fails (the problem names its
table, row and column, and says what is wrong in words). Dates are worked out by hand from week 0 =
Monday 4 January 2027: week w starts 7w days later (week 1: 11 January, week 4: 1 February, ...).

The base slate: production A, prep (2 weeks, planned week 0) then shoot (3 weeks, planned week 2)
in listed order; a stage STG-1 of 10,000 sq ft that the shoot asks for by size (at least 8,000);
a crew pool CREW of 2 units (1 more can be hired at 500 a week) that the prep needs 2 of; a 52-week
horizon. Small on purpose: these tests run under mutation testing (``bash .ci/mutation``)."""

from __future__ import annotations

import pandas as pd
import pytest

from planning.data.validate import Problem, check

from factory import H0, budget, demand, frames, phase, production, resource


def day(week: int, plus: int = 0) -> str:
    """The date ``plus`` days after the Monday of ``week`` (0: Monday .. 6: Sunday)."""
    return str((pd.Timestamp(H0) + pd.Timedelta(days=7 * week + plus)).date())


def base(horizon_weeks: int = 52) -> dict[str, pd.DataFrame]:
    return frames([production("A")],
                  [phase("A", "prep", 2, 0, kind="prep"), phase("A", "shoot", 3, 2)],
                  [resource("STG-1", "stage", 1, size=10_000.0),
                   resource("CREW", "crew", 2, hire_cost_per_week=500.0, hire_max_units=1)],
                  [demand("A", "prep", "CREW", units=2), demand("A", "shoot", min_size=8_000.0)],
                  horizon_weeks=horizon_weeks)


def put(raw: dict, table: str, row: int, **cells) -> dict:
    """``raw`` with cells of one row (by position) of ``table`` replaced."""
    frame = raw[table].copy()
    for column, value in cells.items():
        frame[column] = frame[column].astype(object) if column in frame.columns else None
        frame.loc[frame.index[row], column] = value
    return {**raw, table: frame}


def add(raw: dict, table: str, *rows: dict) -> dict:
    """``raw`` with rows appended to ``table`` (made when absent)."""
    frame = raw.get(table)
    new = pd.DataFrame(list(rows))
    return {**raw, table: new if frame is None else pd.concat([frame, new], ignore_index=True)}


def problems_of(raw: dict) -> list[Problem]:
    data, problems = check(raw)
    assert (data is None) == bool(problems)          # a dataset is used whole or not at all
    return problems


def test_the_base_slate_is_valid():
    assert problems_of(base()) == []


# --- One case per rule: make(value) -> raw tables; the value that passes, the one that fails; where
# the problem is told; what it says (exactly, or its start where it ends in "...").

def as_of(raw: dict, date) -> dict:
    return put(raw, "settings", 0, as_of=date)


def one_week_phase(raw: dict) -> dict:
    """Production A with a single phase of 1 week (so a plan fits from the last week on)."""
    raw = {**raw, "phases": raw["phases"].iloc[:1].assign(duration_weeks=1)}
    return {**raw, "demands": raw["demands"].iloc[:1]}


def settings_rows(n):
    raw = base()
    return {**raw, "settings": pd.concat([raw["settings"]] * n, ignore_index=True)}


def horizon_start(date):
    return put(base(), "settings", 0, horizon_start=date)


def as_of_monday(date):
    return as_of(base(), date)


def as_of_in_horizon(date):
    return as_of(one_week_phase(base()), date)


def default_horizon(shoot_weeks):
    """No settings table: the horizon is 104 weeks from the Monday on or before the earliest start
    (a Wednesday here, 6 January: the production's first whole week is week 1, 103 weeks left)."""
    raw = put(base(), "productions", 0, earliest_start="2027-01-06")
    raw = put(raw, "phases", 0, planned_start=None)
    raw = put(raw, "phases", 1, planned_start=None, duration_weeks=shoot_weeks)
    del raw["settings"]
    return raw


def calendar_week(date):
    return add(base(), "resource_calendar", dict(resource_id="CREW", week_start=date, capacity=1))


def resource_cell(row: int, vary: str, **fixed):
    """Resource ``row`` (0: STG-1, 1: CREW) with ``vary`` set to the value (and ``fixed`` cells)."""
    return lambda value: put(base(), "resources", row, **fixed, **{vary: value})


def person(kind: str, column: str):
    """A talent or location TAL the shoot needs, with ``column`` set to the value."""
    def make(value):
        raw = add(base(), "resources", resource("TAL", kind, 1))
        raw = add(raw, "demands", demand("A", "shoot", "TAL"))
        return put(raw, "resources", 2, **{column: value})
    return make


def stage_calendar(capacity):
    return add(base(), "resource_calendar", dict(resource_id="STG-1", week_start=day(1), capacity=capacity))


def crew_calendar(capacity):
    return add(base(), "resource_calendar", dict(resource_id="CREW", week_start=day(1), capacity=capacity))


def window(available_to, units=1, kind="talent"):
    """TAL (a talent, or another kind) available from Monday of week 2 to ``available_to``."""
    raw = add(base(), "resources", resource("TAL", kind, 1))
    return add(raw, "availability", dict(resource_id="TAL", available_from=day(2), available_to=available_to,
                                         units=units))


def second_window(available_from):
    return add(window(day(3, 6)), "availability", dict(resource_id="TAL", available_from=available_from,
                                                       available_to=day(8, 6), units=1))


def latest_start(date):
    return put(base(), "productions", 0, latest_start=date)


def target_delivery(date):
    return put(base(), "productions", 0, target_delivery=date)


def phases_of_b(n):
    raw = add(base(), "productions", production("B"))
    return add(raw, "phases", *[phase("B", f"p{k}", 1, None) for k in range(n)])


def links(*rows):
    return add(base(), "phase_links", *[dict(production_id="A", before_phase=a, after_phase=b, min_lag_weeks=lo,
                                             max_lag_weeks=hi) for a, b, lo, hi in rows])


def max_lag(value):
    return links(("prep", "shoot", 1, value))


def after_phase(value):
    return links(("prep", value, 0, None))


def demand_target(resource_id, resource_kind):
    return lambda value: put(base(), "demands", 1 if resource_id is None else 0,
                             resource_id=resource_id if resource_id != "?" else value,
                             resource_kind=resource_kind if resource_kind != "?" else value)


def crew_min_size(value):
    return put(base(), "demands", 0, min_size=value)


def second_crew_demand(resource_id):
    raw = add(base(), "resources", resource("CAM", "equipment", 2))
    return add(raw, "demands", demand("A", "prep", resource_id))


def shoot_weeks(weeks, lag=None, earliest=H0, horizon=52):
    """Prep 2 weeks then a shoot of ``weeks`` (with a link of min lag ``lag`` when given), from
    ``earliest``: the production-window rule (the phases, one after another, fit in the horizon)."""
    raw = put(base(horizon), "phases", 1, duration_weeks=weeks, planned_start=None)
    raw = put(raw, "productions", 0, earliest_start=earliest)
    return links_on(raw, lag)


def links_on(raw, lag):
    if lag is None:
        return raw
    return add(raw, "phase_links", dict(production_id="A", before_phase="prep", after_phase="shoot",
                                        min_lag_weeks=lag, max_lag_weeks=None))


def locked_without_date(planned):
    return put(base(), "phases", 1, locked=True, planned_start=planned)


def locked_production(planned):
    raw = put(base(), "productions", 0, locked=True)
    return put(raw, "phases", 1, planned_start=planned)


def locked_prep(week, earliest=H0, latest=None):
    raw = put(base(), "phases", 0, locked=True, planned_start=day(week))
    return put(raw, "productions", 0, earliest_start=earliest, latest_start=latest)


def locked_pair(shoot_week, lag=None, most=None):
    """Prep locked at week 0 (it ends at week 2), shoot locked at ``shoot_week``; linked with these
    lags when ``lag`` is given, else in listed order."""
    raw = put(base(), "phases", 0, locked=True)
    raw = put(raw, "phases", 1, locked=True, planned_start=day(shoot_week))
    if lag is None:
        return raw
    return add(raw, "phase_links", dict(production_id="A", before_phase="prep", after_phase="shoot",
                                        min_lag_weeks=lag, max_lag_weeks=most))


def shoot_window(start, end):
    return put(base(), "phases", 1, window_start=start, window_end=end, planned_start=None)


def prep_window_end(end):
    """Earliest start Monday of week 10: the prep's window must leave it a start week from there."""
    raw = put(base(), "productions", 0, earliest_start=day(10))
    return put(raw, "phases", 0, window_end=end, planned_start=None)


def prep_window_start_head(start):
    raw = put(base(), "productions", 0, latest_start=day(5))
    return put(raw, "phases", 0, window_start=start, planned_start=None)


def locked_in_window(start):
    return put(base(), "phases", 0, locked=True, planned_start=day(2), window_start=start)


def prep_before_locked_shoot(start):
    """Shoot locked at week 10; the prep (2 weeks, before it in listed order) opens at ``start``."""
    raw = put(base(), "phases", 1, locked=True, planned_start=day(10))
    return put(raw, "phases", 0, window_start=start, planned_start=None)


def earliest_under_max_lag(earliest):
    """Shoot locked at week 10, prep at most 1 week before it (so it starts in week 7 or 8)."""
    raw = put(base(), "phases", 1, locked=True, planned_start=day(10))
    raw = put(raw, "phases", 0, planned_start=None)
    raw = put(raw, "productions", 0, earliest_start=earliest)
    return add(raw, "phase_links", dict(production_id="A", before_phase="prep", after_phase="shoot",
                                        min_lag_weeks=0, max_lag_weeks=1))


def shoot_three_point(column):
    return lambda value: put(base(), "phases", 1, **{column: value})


def greenlight(status):
    return lambda value: put(base(), "productions", 0, status=status, greenlight_probability=value)


def risk(vary: str):
    row = dict(production_id="A", phase_id="shoot", name="Rain", kind="weather", probability=0.5,
               delay_low_weeks=1, delay_high_weeks=2, extra_cost_low=100.0, extra_cost_high=200.0)
    return lambda value: add(base(), "risks", {**row, vary: value})


def under_way(as_of_date=day(4)):
    """As of Monday of week 4 (1 February 2027), the prep started on its planned Monday."""
    return put(as_of(base(), as_of_date), "phases", 0, actual_start=day(0))


def actual_start(date, report=day(4)):
    return put(as_of(base(), report), "phases", 0, actual_start=date)


def actual_start_without_as_of(date):
    return put(base(), "phases", 0, actual_start=date)


def actual_end(date):
    return put(under_way(), "phases", 0, actual_end=date)


def end_without_start(start):
    return put(as_of(base(), day(4)), "phases", 0, actual_start=start, actual_end=day(1, 6))


def shoot_started(prep_started):
    raw = put(as_of(base(), day(4)), "phases", 1, actual_start=day(2))
    return put(raw, "phases", 0, actual_start=prep_started)


def post_started(prep_started):
    """Phases prep, shoot, post; the only link is prep -> post (min lag 0): a production with links
    has exactly those, so the shoot may start without the prep."""
    raw = add(as_of(base(), day(4)), "phases", phase("A", "post", 1, 5, kind="post"))
    raw = add(raw, "phase_links", dict(production_id="A", before_phase="prep", after_phase="post",
                                       min_lag_weeks=0, max_lag_weeks=None))
    raw = put(raw, "phases", 1, actual_start=day(2))
    raw = put(raw, "phases", 2, actual_start=day(3))
    return put(raw, "phases", 0, actual_start=prep_started)


def expected_end(date):
    """As of week 4 the prep (started week 0) still runs; it is expected to end on ``date``."""
    return put(under_way(), "phases", 0, expected_end=date)


def expected_end_of_done(end):
    return put(put(under_way(), "phases", 0, expected_end=day(4, 6)), "phases", 0, actual_end=end)


def expected_end_not_started(start):
    return put(put(as_of(base(), day(4)), "phases", 0, expected_end=day(4, 6)), "phases", 0, actual_start=start)


def locked_not_started(week):
    return put(as_of(base(), day(4)), "phases", 0, locked=True, planned_start=day(week))


def locked_production_not_started(week):
    raw = put(as_of(base(), day(4)), "productions", 0, locked=True)
    raw = put(raw, "phases", 0, planned_start=day(week))
    return put(raw, "phases", 1, planned_start=day(week + 2))


def from_report_week(as_of_week):
    """Prep (2 weeks) then shoot (3), neither started: from the report week they need 5 weeks."""
    return as_of(base(), day(as_of_week))


def after_running_prep(shoot_weeks):
    """As of week 4 the prep (2 weeks from week 0) still runs: it is expected to end with the report
    week (week 5), so the shoot can start in week 5 at the earliest."""
    return put(under_way(), "phases", 1, duration_weeks=shoot_weeks)


def after_done_prep(shoot_weeks):
    """As of week 4 the prep finished on Sunday of week 1: the shoot can start in the report week."""
    raw = put(under_way(), "phases", 0, actual_end=day(1, 6))
    return put(raw, "phases", 1, duration_weeks=shoot_weeks)


def lagged_from_report_week(shoot_weeks):
    """As of week 4, nothing started; the prep runs into the shoot 2 weeks after it ends at least."""
    raw = add(as_of(base(), day(4)), "phase_links", dict(production_id="A", before_phase="prep",
                                                         after_phase="shoot", min_lag_weeks=2, max_lag_weeks=None))
    return put(raw, "phases", 1, duration_weeks=shoot_weeks)


def prep_window_from_report_week(end):
    return put(as_of(base(), day(4)), "phases", 0, window_end=end)


def latest_start_passed(date):
    return put(as_of(base(), day(4)), "productions", 0, latest_start=date)


def locked_shoot_after_report_week(week):
    """As of week 4 (nothing started), the shoot is locked in ``week``: the prep must fit before it."""
    return put(as_of(base(), day(4)), "phases", 1, locked=True, planned_start=day(week))


def actual(vary: str, **fixed):
    row = {**dict(production_id="A", account="2000", posted=day(1), amount=100.0, kind="actual"), **fixed}
    return lambda value: add(as_of(base(), day(4)), "actuals", {**row, vary: value})


def estimate(value):
    return add(base(), "estimates", dict(production_id="A", account="2000", estimate_to_complete=value))


def basis(value):
    return put(base(), "budget_lines", 0, basis=value)


def stage_size(min_size, units=1):
    return put(base(), "demands", 1, min_size=min_size, units=units)


def stage_units(units):
    raw = add(base(), "resources", resource("STG-2", "stage", 0, size=20_000.0))   # capacity 0: never there
    return put(raw, "demands", 1, units=units, min_size=None)


def crew_units(units, peak=None, hire=True):
    raw = put(base(), "demands", 0, units=units)
    if not hire:
        raw = put(raw, "resources", 1, hire_cost_per_week=None, hire_max_units=0)
    if peak is not None:
        raw = add(raw, "resource_calendar", dict(resource_id="CREW", week_start=day(1), capacity=peak))
    return raw


def column_value(table, row, column):
    return lambda value: put(base(), table, row, **{column: value})


def incentive(column):
    row = dict(jurisdiction="UK", rate=0.25, cap=None, receipt_lag_weeks=20, discount=0.1)
    def make(value):
        raw = put(base(), "productions", 0, jurisdiction="UK")
        return add(raw, "incentives", {**row, column: value})
    return make


NOT_STARTED = ("locked to start 2027-01-25, before the week of as_of (2027-02-01), but it has not started: give its "
               "actual_start, or plan it from as_of")
STAGE_HIRE = "stages cannot be hired in; add an outside stage as its own resource"

EDGES = [
    # settings: one row; horizon_start a Monday; as_of a Monday inside the horizon; the default horizon.
    ("one settings row", settings_rows, 1, 2, ("settings", "row 2", ""), "settings has one row, found 2"),
    ("horizon starts on a Monday", horizon_start, H0, "2027-01-05", ("settings", "row 1", "horizon_start"),
     "2027-01-05 is not a Monday"),
    ("horizon not on a Sunday", horizon_start, H0, "2027-01-03", ("settings", "row 1", "horizon_start"),
     "2027-01-03 is not a Monday"),
    ("as_of a Monday", as_of_monday, day(1), day(1, 1), ("settings", "row 1", "as_of"),
     "2027-01-12 is not a Monday: the report date is the Monday of the report week (2027-01-11)"),
    ("as_of before Sunday", as_of_monday, day(1), day(1, 6), ("settings", "row 1", "as_of"),
     "2027-01-17 is not a Monday: the report date is the Monday of the report week (2027-01-11)"),
    ("as_of in the last week", as_of_in_horizon, day(51), day(52), ("settings", "row 1", "as_of"),
     "2028-01-03 is outside the horizon (2027-01-04, 52 weeks)"),
    ("as_of in the first week", as_of_in_horizon, day(0), day(-1), ("settings", "row 1", "as_of"),
     "2026-12-28 is outside the horizon (2027-01-04, 52 weeks)"),
    ("default horizon of 104 weeks", default_horizon, 101, 102, ("productions", "A", "earliest_start"),
     "window too short: its phases need 104 weeks from earliest_start but only 103 remain in the 104-week horizon"),
    # resource_calendar: week_start a Monday; a stage's capacity 0 or 1.
    ("calendar week on a Monday", calendar_week, day(1), day(1, 1), ("resource_calendar", "CREW/2027-01-12",
                                                                     "week_start"), "2027-01-12 is not a Monday"),
    ("calendar week not a Sunday", calendar_week, day(1), day(1, -1), ("resource_calendar", "CREW/2027-01-10",
                                                                       "week_start"), "2027-01-10 is not a Monday"),
    ("stage calendar 0 or 1", stage_calendar, 1, 2, ("resource_calendar", "STG-1/2027-01-11", "capacity"),
     "a stage's capacity is 0 or 1"),
    # resources: a stage is one row of capacity 1 that cannot be hired; hire cost and units together;
    # size only on a stage; talent and locations never hired, a talent one person.
    ("stage capacity 1", resource_cell(0, "capacity"), 1, 2, ("resources", "STG-1", "capacity"),
     "a stage is one row of capacity 1 (add one row per stage)"),
    ("stage hire units 0", resource_cell(0, "hire_max_units"), 0, 1, ("resources", "STG-1", "hire_max_units"),
     STAGE_HIRE),
    ("stage hire cost empty", resource_cell(0, "hire_cost_per_week"), None, 0.0, ("resources", "STG-1",
                                                                                "hire_cost_per_week"), STAGE_HIRE),
    ("talent one person", person("talent", "capacity"), 1, 2, ("resources", "TAL", "capacity"),
     "a talent is one person (capacity 0 or 1): give each person their own row"),
    ("talent not hired", person("talent", "hire_max_units"), 0, 1, ("resources", "TAL", "hire_max_units"),
     "a talent cannot be hired in: leave hire_max_units empty or 0"),
    ("location not hired", person("location", "hire_cost_per_week"), None, 0.0,
     ("resources", "TAL", "hire_cost_per_week"), "a location cannot be hired in: leave hire_cost_per_week empty"),
    ("hire units need a cost", resource_cell(1, "hire_max_units", hire_cost_per_week=None), 0, 1,
     ("resources", "CREW", "hire_cost_per_week"), "is empty (nothing can be hired) but hire_max_units is 1: give "
     "the cost of a hired unit, or leave hire_max_units empty"),
    ("a cost needs hire units", resource_cell(1, "hire_max_units"), 0, None, ("resources", "CREW", "hire_max_units"),
     "is empty, so hire_cost_per_week (500) is never used: give the most units that can be hired in a week (0: "
     "none), or leave hire_cost_per_week empty"),
    ("size only on a stage", resource_cell(1, "size"), None, 0.0, ("resources", "CREW", "size"),
     "only a stage has a floor area (this is a crew): leave size empty"),
    # availability: a window ends after it starts and holds a whole week; no overlap; one table; units.
    ("window holds a week", window, day(2, 6), day(2, 5), ("availability", "TAL/2027-01-18", "available_to"),
     "the window 2027-01-18 to 2027-01-23 holds no whole week (Monday 2027-01-18 to Sunday 2027-01-24): "
     "availability counts whole weeks"),
    ("window not backwards", window, day(2, 6), day(1, 6), ("availability", "TAL/2027-01-18", "available_to"),
     "2027-01-17 is before available_from (2027-01-18)"),
    ("windows apart", second_window, day(4), day(3, 6), ("availability", "TAL/2027-01-31", "available_from"),
     "TAL is already available from 2027-01-18 to 2027-01-31: windows of one resource do not overlap"),
    ("talent window 1 unit", lambda units: window(day(2, 6), units), 1, 2, ("availability", "TAL/2027-01-18",
                                                                           "units"),
     "a talent or a stage has at most 1 unit"),
    # productions: latest_start and target_delivery not before earliest_start; phases for each.
    ("latest start on earliest", latest_start, H0, day(-1, 6), ("productions", "A", "latest_start"),
     "is before earliest_start (2027-01-04)"),
    ("due on earliest", target_delivery, H0, day(-1, 6), ("productions", "A", "target_delivery"),
     "2027-01-03 is before earliest_start (2027-01-04): it would be due before it may start"),
    ("a production has phases", phases_of_b, 1, 0, ("productions", "B", "production_id"),
     "has no phases: give it at least one row in phases"),
    # phase_links: max lag not below min lag; no phase after itself; no cycle.
    ("max lag at min lag", max_lag, 1, 0, ("phase_links", "A/prep/shoot", "max_lag_weeks"),
     "is less than min_lag_weeks (1)"),
    ("a phase after another", after_phase, "shoot", "prep", ("phase_links", "A/prep/prep", "after_phase"),
     "a phase cannot follow itself"),
    # demands: resource_id or resource_kind; min_size only with a kind; one row per named resource.
    ("demand by kind only", demand_target(None, "?"), "stage", None, ("demands", "row 2: A/shoot", "resource_id"),
     "give a resource_id, or resource_kind = stage"),
    ("demand by name only", demand_target("CREW", "?"), None, "stage", ("demands", "row 1: A/prep/CREW",
                                                                        "resource_kind"),
     "give either resource_id or resource_kind, not both"),
    ("min_size with a kind", crew_min_size, None, 0.0, ("demands", "row 1: A/prep/CREW", "min_size"),
     "min_size applies only with resource_kind = stage"),
    ("one row per named resource", second_crew_demand, "CAM", "CREW", ("demands", "row 3: A/prep/CREW",
                                                                       "resource_id"),
     "row 1 already asks for CREW in this phase: give one row with the total units"),
    # The production-window rule exactly at its limit: the phases one after another (lags counted)
    # fill the horizon from the first whole week of earliest_start.
    ("phases fill the horizon", shoot_weeks, 50, 51, ("productions", "A", "earliest_start"),
     "window too short: its phases need 53 weeks from earliest_start but only 52 remain in the 52-week horizon"),
    ("lags count", lambda w: shoot_weeks(w, lag=1), 49, 50, ("productions", "A", "earliest_start"),
     "window too short: its phases need 53 weeks from earliest_start but only 52 remain in the 52-week horizon"),
    ("from the next Monday", lambda w: shoot_weeks(w, earliest=day(1, 1)), 48, 49,
     ("productions", "A", "earliest_start"),
     "window too short: its phases need 51 weeks from earliest_start but only 50 remain in the 52-week horizon"),
    ("from the horizon start", lambda w: shoot_weeks(w, earliest=day(-2)), 50, 51,
     ("productions", "A", "earliest_start"),
     "window too short: its phases need 53 weeks from earliest_start but only 52 remain in the 52-week horizon"),
    # phases: a locked phase is dated; inside its production's window; after what comes before it.
    ("locked phase dated", locked_without_date, day(2), None, ("phases", "A/shoot", "planned_start"),
     "a locked phase needs a planned_start"),
    ("locked production dated", locked_production, day(2), None, ("phases", "A/shoot", "planned_start"),
     "a locked phase needs a planned_start"),
    ("locked from earliest", lambda e: locked_prep(1, earliest=e), day(1), day(1, 1), ("phases", "A/prep",
                                                                                       "planned_start"),
     "locked in the week of 2027-01-11, before the first week earliest_start allows (the week of 2027-01-18)"),
    ("locked first phase by latest", lambda w: locked_prep(w, latest=day(3)), 3, 4, ("phases", "A/prep",
                                                                                    "planned_start"),
     "locked in the week of 2027-02-01, after the last week latest_start allows for a first phase (the week of "
     "2027-01-25)"),
    ("locked after the one listed before", locked_pair, 2, 1, ("phases", "A/shoot", "planned_start"),
     "locked prep ends the week of 2027-01-18, locked shoot starts the week of 2027-01-11: a phase cannot start "
     "before the phase listed before it ends"),
    ("locked min lag", lambda w: locked_pair(w, lag=1), 3, 2, ("phase_links", "A/prep/shoot", "min_lag_weeks"),
     "locked prep ends the week of 2027-01-18, locked shoot starts the week of 2027-01-18: 0 weeks apart, less "
     "than min_lag_weeks (1)"),
    ("locked max lag", lambda w: locked_pair(w, lag=0, most=1), 3, 4, ("phase_links", "A/prep/shoot",
                                                                       "max_lag_weeks"),
     "locked prep ends the week of 2027-01-18, locked shoot starts the week of 2027-02-01: 2 weeks apart, more "
     "than max_lag_weeks (1)"),
    # phases: windows hold their phase, overlap the production's window, hold a lock; a start left.
    ("window as long as the shoot", lambda end: shoot_window(day(5), end), day(7, 6), day(7, 5),
     ("phases", "A/shoot", "window_end"),
     "its window (2027-02-08 to 2027-02-27) is shorter than its 3 weeks (whole weeks, Monday to Sunday)"),
    ("window ends after earliest", prep_window_end, day(11, 6), day(11, 5), ("phases", "A/prep", "window_end"),
     "its window (any day to 2027-03-27) ends before the production may start it (earliest_start: the week of "
     "2027-03-15)"),
    ("window starts in time", lambda start: shoot_window(start, None), day(49), day(49, 1),
     ("phases", "A/shoot", "window_start"),
     "its window (2027-12-14 to any day) starts too late to end inside the 52-week horizon"),
    ("first phase's window by latest", prep_window_start_head, day(5), day(5, 1), ("phases", "A/prep",
                                                                                   "window_start"),
     "its window (2027-02-09 to any day) starts after latest_start (the week of 2027-02-08)"),
    ("locked inside its window", locked_in_window, day(2), day(2, 1), ("phases", "A/prep", "planned_start"),
     "locked in the week of 2027-01-18, outside its window (2027-01-19 to any day)"),
    ("a start left by windows", prep_before_locked_shoot, day(8), day(8, 1), ("phases", "A/prep", "window_start"),
     "no start week is left for its 2 weeks: the production's window, its phases' windows, links and locked "
     "phases need it to start in the week of 2027-03-08 or later and in the week of 2027-03-01 or earlier"),
    ("a start left by lags", earliest_under_max_lag, day(8), day(8, 1), ("phases", "A/prep", "duration_weeks"),
     "no start week is left for its 2 weeks: the production's window, its phases' windows, links and locked "
     "phases need it to start in the week of 2027-03-08 or later and in the week of 2027-03-01 or earlier"),
    # three-point durations, greenlight, risks.
    ("shortest up to the duration", shoot_three_point("duration_low_weeks"), 3, 4,
     ("phases", "A/shoot", "duration_low_weeks"), "is more than duration_weeks (4 > 3)"),
    ("longest from the duration", shoot_three_point("duration_high_weeks"), 3, 2,
     ("phases", "A/shoot", "duration_high_weeks"), "is less than duration_weeks (2 < 3)"),
    ("greenlit goes ahead", greenlight(None), 1.0, 0.99, ("productions", "A", "greenlight_probability"),
     "a greenlit production goes ahead: leave it empty or 1 (or set status development)"),
    ("greenlit said so", greenlight("greenlit"), 1.0, 0.0, ("productions", "A", "greenlight_probability"),
     "a greenlit production goes ahead: leave it empty or 1 (or set status development)"),
    ("least delay up to the most", risk("delay_low_weeks"), 2, 3, ("risks", "A/Rain", "delay_low_weeks"),
     "is more than delay_high_weeks (3 > 2)"),
    ("least cost up to the most", risk("extra_cost_low"), 200.0, 200.5, ("risks", "A/Rain", "extra_cost_low"),
     "is more than extra_cost_high (200.5 > 200.0)"),
    # progress (issue 23): actual dates to the report date, an end after a start, order, locks from as_of.
    ("started by as_of", actual_start, day(4), day(4, 1), ("phases", "A/prep", "actual_start"),
     "2027-02-02 is after as_of (2027-02-01): an actual date is one that has passed"),
    ("started by horizon_start", actual_start_without_as_of, H0, day(0, 1), ("phases", "A/prep", "actual_start"),
     "2027-01-05 is after as_of (empty: horizon_start) (2027-01-04): an actual date is one that has passed"),
    ("finished by as_of", actual_end, day(4), day(4, 1), ("phases", "A/prep", "actual_end"),
     "2027-02-02 is after as_of (2027-02-01): an actual date is one that has passed"),
    ("an end has a start", end_without_start, day(0), None, ("phases", "A/prep", "actual_end"),
     "a phase that finished has an actual_start: give it"),
    ("an end on its start", actual_end, day(0), day(-1, 6), ("phases", "A/prep", "actual_end"),
     "2027-01-03 is before actual_start (2027-01-04)"),
    ("started after the phase listed before", shoot_started, day(0), None, ("phases", "A/shoot", "actual_start"),
     "started on 2027-01-18 but prep, linked before it, has no actual_start: give it"),
    ("started after the phase linked before", post_started, day(0), None, ("phases", "A/post", "actual_start"),
     "started on 2027-01-25 but prep, linked before it, has no actual_start: give it"),
    ("expected to end from as_of", expected_end, day(4), day(3, 6), ("phases", "A/prep", "expected_end"),
     "2027-01-31 is before as_of (2027-02-01): a phase still running then ends on or after it (or give its "
     "actual_end)"),
    ("expected end of a running phase only", expected_end_of_done, None, day(3), ("phases", "A/prep", "expected_end"),
     "only a running phase (an actual_start, no actual_end) has an expected end: leave it empty, the phase has "
     "finished"),
    ("expected end of a started phase only", expected_end_not_started, day(0), None,
     ("phases", "A/prep", "expected_end"),
     "only a running phase (an actual_start, no actual_end) has an expected end: leave it empty, the phase has "
     "not started"),
    ("locked not started from as_of", locked_not_started, 4, 3, ("phases", "A/prep", "planned_start"),
     NOT_STARTED),
    ("locked production from as_of", locked_production_not_started, 4, 3, ("phases", "A/prep", "planned_start"),
     NOT_STARTED),
    # the plan from as_of (a slate under way): every phase still has a start week from the report week.
    ("from the report week to the horizon", from_report_week, 47, 48, ("phases", "A/prep", "duration_weeks"),
     "no start week is left for its 2 weeks in the plan from the week of as_of (2027-12-06): the phases that have "
     "started (at their actual weeks, a running one to its expected end), the links, windows, locks and the "
     "52-week horizon need it to start in the week of 2027-12-06 or later and in the week of 2027-11-29 or "
     "earlier"),
    ("after a running phase's expected end", after_running_prep, 47, 48, ("phases", "A/shoot", "duration_weeks"),
     "no start week is left for its 48 weeks in the plan from the week of as_of (2027-02-01): the phases that have "
     "started (at their actual weeks, a running one to its expected end), the links, windows, locks and the "
     "52-week horizon need it to start in the week of 2027-02-08 or later and in the week of 2027-02-01 or "
     "earlier"),
    ("after a done phase", after_done_prep, 48, 49, ("phases", "A/shoot", "duration_weeks"),
     "no start week is left for its 49 weeks in the plan from the week of as_of (2027-02-01): the phases that have "
     "started (at their actual weeks, a running one to its expected end), the links, windows, locks and the "
     "52-week horizon need it to start in the week of 2027-02-01 or later and in the week of 2027-01-25 or "
     "earlier"),
    ("links from the report week", lagged_from_report_week, 44, 45, ("phases", "A/prep", "duration_weeks"),
     "no start week is left for its 2 weeks in the plan from the week of as_of (2027-02-01): the phases that have "
     "started (at their actual weeks, a running one to its expected end), the links, windows, locks and the "
     "52-week horizon need it to start in the week of 2027-02-01 or later and in the week of 2027-01-25 or "
     "earlier"),
    ("a window from the report week", prep_window_from_report_week, day(5, 6), day(5, 5),
     ("phases", "A/prep", "window_end"),
     "its window ends 2027-02-13: it has not started and no start week is left for its 2 weeks from the week of "
     "as_of (2027-02-01)"),
    ("latest start not passed", latest_start_passed, day(4), day(3, 6), ("productions", "A", "latest_start"),
     "2027-01-31 has passed: its first phase prep has not started by the week of as_of (2027-02-01)"),
    ("a lock after the report week", locked_shoot_after_report_week, 6, 5, ("phases", "A/shoot", "planned_start"),
     "no start week is left for its 3 weeks in the plan from the week of as_of (2027-02-01): the phases that have "
     "started (at their actual weeks, a running one to its expected end), the links, windows, locks and the "
     "52-week horizon need it to start in the week of 2027-02-15 or later and in the week of 2027-02-08 or "
     "earlier"),
    # actuals to the report date; commitments not negative; estimates not negative; basis.
    ("posted by as_of", actual("posted"), day(4), day(4, 1), ("actuals", "row 1", "posted"),
     "2027-02-02 is after as_of (2027-02-01): actuals and commitments are to the report date"),
    ("committed from 0", actual("amount", kind="committed"), 0.0, -0.01, ("actuals", "row 1", "amount"),
     "a commitment of -0.01 is negative: give a credit as an actual, or lower the commitment it belongs to"),
    ("estimate from 0", estimate, 0.0, -0.01, ("estimates", "A/2000", "estimate_to_complete"),
     "must be at least 0 (got -0.01)"),
    ("basis weekly", basis, "weekly", "monthly", ("budget_lines", "A/2000", "basis"),
     "unknown value 'monthly' (expected one of fixed, weekly)"),
    ("basis fixed", basis, "fixed", "Fixed", ("budget_lines", "A/2000", "basis"),
     "unknown value 'Fixed' (expected one of fixed, weekly)"),
    # demands some resource can serve.
    ("a stage big enough", stage_size, 10_000.0, 10_001.0, ("demands", "row 2: A/shoot", "min_size"),
     "no stage can serve it: needs 1 stage(s) of at least 10,001 sq ft, the lot has 0"),
    ("enough stages of the size", lambda n: stage_size(10_000.0, n), 1, 2, ("demands", "row 2: A/shoot",
                                                                           "min_size"),
     "no stage can serve it: needs 2 stage(s) of at least 10,000 sq ft, the lot has 1"),
    ("enough stages (capacity 0 is none)", stage_units, 1, 2, ("demands", "row 2: A/shoot", "units"),
     "no stage can serve it: needs 2 stage(s), the lot has 1"),
    ("capacity plus hire", crew_units, 3, 4, ("demands", "row 1: A/prep/CREW", "units"),
     "no resource can serve it: needs 4 units of CREW, which never has more than 3 (capacity plus hire-in)"),
    ("a busier calendar week", lambda n: crew_units(n, peak=5), 6, 7, ("demands", "row 1: A/prep/CREW", "units"),
     "no resource can serve it: needs 7 units of CREW, which never has more than 6 (capacity plus hire-in)"),
    ("no hire without a cost", lambda n: crew_units(n, hire=False), 2, 3, ("demands", "row 1: A/prep/CREW",
                                                                          "units"),
     "no resource can serve it: needs 3 units of CREW, which never has more than 2 (capacity plus hire-in)"),
    # cells: ranges (inclusive), enums, types.
    ("priority up to 5", column_value("productions", 0, "priority"), 5, 6, ("productions", "A", "priority"),
     "must be at most 5 (got 6)"),
    ("priority from 1", column_value("productions", 0, "priority"), 1, 0, ("productions", "A", "priority"),
     "must be at least 1 (got 0)"),
    ("a phase at least a week", column_value("phases", 0, "duration_weeks"), 1, 0, ("phases", "A/prep",
                                                                                   "duration_weeks"),
     "must be at least 1 (got 0)"),
    ("horizon up to 520 weeks", column_value("settings", 0, "horizon_weeks"), 520, 521,
     ("settings", "row 1", "horizon_weeks"), "must be at most 520 (got 521)"),
    ("incentive rate up to 1", incentive("rate"), 1.0, 1.01, ("incentives", "UK", "rate"),
     "must be at most 1 (got 1.01)"),
    ("a phase kind", column_value("phases", 1, "kind"), "post", "shooting", ("phases", "A/shoot", "kind"),
     "unknown value 'shooting' (expected one of development, prep, shoot, post, delivery, other)"),
    ("a whole number", column_value("demands", 0, "units"), "2", "two", ("demands", "row 1: A/prep/CREW", "units"),
     "expected int, got 'two'"),
    ("a title", column_value("productions", 0, "title"), "T", " ", ("productions", "A", "title"), "is empty"),
    ("a phase id", column_value("phases", 1, "phase_id"), "shoot", None, ("phases", "row 2", "phase_id"),
     "is empty"),                                       # a row without its key is told by its number
    ("a known resource", column_value("demands", 0, "resource_id"), "CREW", "CREW-X",
     ("demands", "row 1: A/prep/CREW-X", "resource_id"), "unknown resources entry 'CREW-X'"),
]


@pytest.mark.parametrize("make, passes, fails, where, says", [case[1:] for case in EDGES],
                         ids=[case[0] for case in EDGES])
def test_each_rule_at_its_edge(make, passes, fails, where, says):
    assert problems_of(make(passes)) == []
    problems = problems_of(make(fails))
    told = [p for p in problems if (p.table, p.row, p.column) == where]
    assert told, "\n".join(map(str, problems))
    assert told[0].message == says, told[0].message
    label = where[0] + (f"[{where[1]}]" if where[1] else "") + (f".{where[2]}" if where[2] else "")
    assert str(told[0]) == f"{label}: {says}"


def test_a_locked_production_is_not_held_to_the_production_window():
    """Locked at weeks 48 and 50 from an earliest start in week 48, its 5 weeks run past the 52-week
    horizon: not refused (it stays where it is); unlocked, the same production is."""
    raw = put(base(), "productions", 0, locked=True, earliest_start=day(48), target_delivery=day(51))
    raw = put(put(raw, "phases", 0, planned_start=day(48)), "phases", 1, planned_start=day(50))
    assert problems_of(raw) == []
    assert [str(p) for p in problems_of(put(raw, "productions", 0, locked=False))] == [
        "productions[A].earliest_start: window too short: its phases need 5 weeks from earliest_start but only 4 "
        "remain in the 52-week horizon"]


def test_cycles_are_named_with_their_production():
    problems = problems_of(links(("prep", "shoot", 0, None), ("shoot", "prep", 0, None)))
    told = [p for p in problems if (p.table, p.row, p.column) == ("phase_links", "A", "after_phase")]
    assert told and told[0].message in ("the links form a cycle: prep -> shoot -> prep",
                                        "the links form a cycle: shoot -> prep -> shoot")


@pytest.mark.parametrize("name", ["productions", "phases", "resources", "demands", "budget_lines"])
def test_a_required_table_with_no_rows_or_no_file_is_refused(name):
    raw = base()
    empty = {**raw, name: raw[name].iloc[:0]}
    assert ("table has no rows") in [p.message for p in problems_of(empty) if (p.table, p.row, p.column) ==
                                      (name, "", "")]
    del raw[name]
    assert [str(p) for p in problems_of(raw)] == [
        f"{name}: required table is missing (expected {name}.parquet or {name}.csv)"]


def test_an_optional_table_may_be_empty_or_absent_and_an_optional_column_left_out():
    raw = base()
    raw["phase_links"] = pd.DataFrame(columns=["production_id", "before_phase", "after_phase", "min_lag_weeks",
                                               "max_lag_weeks"])
    raw["productions"] = raw["productions"].drop(columns=["status"], errors="ignore")
    assert problems_of(raw) == []
    data, _ = check(raw)                                  # a column left out is there, empty, of its type
    assert data.productions["status"].isna().all() and data.productions["status"].dtype == "string"
    assert data.phases["window_start"].dtype == "datetime64[us]" and data.phases["window_start"].isna().all()
    raw["productions"] = raw["productions"].drop(columns=["priority"])
    assert [str(p) for p in problems_of(raw)] == ["productions.priority: missing column"]


def test_a_duplicate_key_names_the_row_it_repeats():
    raw = add(base(), "resources", resource("CAM", "equipment", 1), resource("CREW", "crew", 1))
    assert [str(p) for p in problems_of(raw)] == [
        "resources[CREW].resource_id: duplicate key (first seen in row 2)"]


def test_a_cell_out_of_range_is_told_once_and_skipped_by_the_rules_between_cells():
    """A crew of capacity -1 is out of range (told), and a demand of 5 of it is not also said to be
    more than it can ever have; a stage demand of 0 units is out of range, not also unservable."""
    raw = put(base(), "resources", 1, capacity=-1)
    raw = put(raw, "demands", 0, units=5)
    raw = put(raw, "demands", 1, units=0)
    assert sorted(str(p) for p in problems_of(raw)) == [
        "demands[row 2: A/shoot].units: must be at least 1 (got 0)",
        "resources[CREW].capacity: must be at least 0 (got -1)"]


def test_every_problem_of_a_broken_slate_is_told_at_once_in_one_message():
    from planning.data.validate import ValidationError

    raw = put(put(base(), "productions", 0, priority=9), "phases", 1, kind="shooting")
    problems = problems_of(raw)
    error = ValidationError(problems)
    assert str(error) == ("2 problems in the slate data:\n  - productions[A].priority: must be at most 5 (got 9)\n"
                          "  - phases[A/shoot].kind: unknown value 'shooting' (expected one of development, prep, "
                          "shoot, post, delivery, other)")
    assert str(ValidationError(problems[:1])).startswith("1 problem in the slate data:\n")
    assert error.problems == problems


def test_the_plan_from_as_of_is_told_once_per_production_in_slate_order():
    """Two productions listed B then A, each with no start week left from the report week (week 48):
    one problem each, B's first."""
    raw = add(from_report_week(48), "productions", production("B"))
    raw = add(raw, "phases", phase("B", "prep", 2, 0, kind="prep"), phase("B", "shoot", 4, 2))
    raw = {**raw, "productions": raw["productions"].iloc[::-1].reset_index(drop=True),
           "phases": raw["phases"].iloc[[2, 3, 0, 1]].reset_index(drop=True)}
    assert [(p.table, p.row, p.column) for p in problems_of(raw)] == [("phases", "B/prep", "duration_weeks"),
                                                                    ("phases", "A/prep", "duration_weeks")]


def test_a_cell_that_cannot_be_read_is_told_once_not_again_by_the_rules():
    raw = put(base(), "resources", 1, hire_max_units="lots")                  # its cost is given
    assert [str(p) for p in problems_of(raw)] == ["resources[CREW].hire_max_units: expected int, got 'lots'"]
    raw = base()
    raw["phases"] = raw["phases"].drop(columns=["duration_weeks"])            # a missing column: no rule runs
    assert [str(p) for p in problems_of(raw)] == ["phases.duration_weeks: missing column"]


def test_without_settings_and_without_productions_the_empty_table_is_told():
    raw = base()
    del raw["settings"]
    raw["productions"] = raw["productions"].iloc[:0]
    told = [str(p) for p in problems_of(raw)]
    assert "productions: table has no rows" in told and not any("window" in t for t in told)
