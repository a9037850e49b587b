"""What the pages say, as a person reads it (Streamlit's AppTest on the sample slate, and the pure helpers
behind it): short metric labels with their detail in the help, headers in words, blank empty cells, fixes
in words, why the risk samples run later than the plan, times in seconds or minutes, a plan from the cache
that says so."""

import json
import re

import pandas as pd
import pytest

from dashboard.tables import about_time, header, scenarios_display, worded
from dashboard.text import md
from factory import demand, phase, production, resource, slate
from planning.access import Actor
from planning.data.progress import from_as_of
from planning.plan import as_planned
from planning.risk.inputs import duration_skew
from planning.risk.run import RiskOptions
from planning.scenarios.types import Scenario, StageChange


@pytest.fixture
def app(start_app):
    return start_app()


def test_the_peak_stages_metric_has_a_short_label_and_its_detail_in_the_help(app, sample_data):
    kpis = as_planned(sample_data).kpis
    peak = next(m for m in app.metric if m.label.startswith("Peak stages"))
    assert peak.label == "Peak stages" and peak.value == f"{kpis['peak_stages']} / {kpis['stages_then']}"
    assert peak.help.startswith("Booked / open: the most stage bookings held in one week")


def headers_shown(app) -> list[tuple[str, str]]:
    """``(column, header)`` of every column of every grid and table on the page, as a person sees it."""
    out = []
    for grid in app.dataframe:
        config = json.loads(grid.proto.columns or "{}")
        for col in grid.value.columns:
            conf = config.get(str(col), {})
            if not conf.get("hidden"):
                out.append((str(col), conf.get("label") or str(col)))
    for table in app.table:
        out += [(str(c), str(c)) for c in table.value.columns]
        out += [(str(n), str(n)) for n in table.value.index.names if n is not None]
    return out


def in_words(text: str) -> bool:
    """A header a person reads: no underscore (``production_id``), no lower-case first letter."""
    return "_" not in text and not text[:1].islower()


def test_every_table_of_every_page_has_headers_in_words_and_blank_empty_cells(app, sample_data):
    from dashboard import state

    plan = as_planned(sample_data)
    state.scenario_store().save(Scenario("Bigger lot", base_hash=state.current().key, stages=(StageChange(30_000, 1),)),
                                actor=Actor("ana@studio.test", "planner"), results=plan.frames(),
                                summary={**plan.summary(), "search": "quick"})
    seen = {}

    def look(where):
        assert not app.exception, where
        seen[where] = headers_shown(app)
        for grid in app.dataframe:                    # an empty cell shows blank, never "None"
            if grid.editing_mode != "read_only" or grid.value.isna().any().any():
                assert grid.proto.HasField("placeholder") and grid.proto.placeholder == "", where

    app.switch_page("app_pages/plan.py").run()
    app.button[0].click().run()                                          # Optimize the plan
    look("plan")
    app.switch_page("app_pages/whatif.py").run()
    app.slider(key="wi_stage_30000").set_value(1)
    app.button[0].click().run()                                          # Apply
    look("what-if")
    app.switch_page("app_pages/scenarios.py").run()
    look("scenarios")
    app.selectbox(key="shown_plan").set_value("As planned").run()
    for page in ("conflicts", "cashflow", "costreport"):
        app.switch_page(f"app_pages/{page}.py").run()
        look(page)
    app.switch_page("app_pages/risk.py").run()
    app.number_input(key="risk_samples").set_value(100).run()
    app.button(key="risk_run").click().run()
    look("risk")
    app.switch_page("app_pages/data.py").run()
    for table in ("productions", "phases", "demands", "resources"):
        app.selectbox(key="edit_table").set_value(table).run()
        look(f"data: {table}")
    wrong = {where: [h for c, h in found if not in_words(h)] for where, found in seen.items()}
    assert not any(wrong.values()), wrong
    assert ("production_id", "Production") in seen["data: productions"]       # the machine name is in the help
    assert ("production_id", "Production") in seen["plan"] and ("production_id", "Production") in seen["what-if"]
    assert sum(len(found) for found in seen.values()) > 150


def test_header_words_a_column_and_worded_a_table():
    assert [header(c) for c in ("production_id", "duration_weeks", "finish: baseline", "weeks later: what-if")] == \
        ["Production", "Duration weeks", "Finish: baseline", "Weeks later: what-if"]
    table = worded(pd.DataFrame({"production_id": ["P01"], "new start": ["1 Mar 2027"]}).set_index("production_id"))
    assert list(table.columns) == ["New start"] and table.index.names == ["Production"]


def test_the_conflicts_page_says_what_would_fix_each_in_words(app):
    app.switch_page("app_pages/conflicts.py").run()
    fixes = app.table[0].value["What would fix it"].to_dict()
    assert fixes["Grip & electric crews"] == md("hire in 2 more Grip & electric crews (raise the hire-in limit from 1 "
                                                "to 3), or add them to the lot")         # escaped: shown as typed
    assert fixes["Any stage ≥ 30,000 sq ft"] == "add 1 stage of at least 30,000 sq ft"
    assert not [f for f in fixes.values() if "hire_max_units" in f or "(s)" in f or "->" in f]


def test_the_scenarios_list_shows_every_column_in_view_and_text_as_typed(app, sample_data):
    from dashboard import state

    plan = as_planned(sample_data)
    store = state.scenario_store()
    for name, base, who in (("Bigger lot", state.current().key, "ana@studio.test"),
                            ("Old *idea*", "other", "bo@x.test")):                     # saved on other data, no hire-in
        store.save(Scenario(name, base_hash=base, stages=(StageChange(30_000, 1),), hire_allowed=name == "Bigger lot"),
                   actor=Actor(who, "planner"), results=plan.frames(),
                   summary={**plan.summary(), "verdict": "best possible plan", "search": "quick"})
    app.switch_page("app_pages/scenarios.py").run()
    assert not app.exception
    listed = app.table[0].value                               # a table that wraps: every word of it in view
    assert listed.index.name == "Scenario" and list(listed.columns) == ["What it changes", "Plan", "Saved", "Note"]
    assert listed.index.tolist() == [md("Old *idea*"), "Bigger lot"]        # newest first; Markdown shown as typed
    old, big = (row.map(plain) for _, row in listed.iterrows())
    assert big["What it changes"] == "stages of 30,000 sq ft +1"
    assert old["What it changes"] == "stages of 30,000 sq ft +1; hire-in off"
    assert big["Plan"] == "best possible plan; quick search"
    assert old["Plan"] == "best possible plan; quick search; saved on other data"
    assert re.fullmatch(r"\d\d \w{3} \d{4}, \d\d:\d\d UTC by ana@studio\.test", big["Saved"]), big["Saved"]


def plain(escaped: str) -> str:
    """A cell of a table as it reads on the page (``md`` undone)."""
    return re.sub(r"\\(.)", r"\1", escaped)


def test_scenarios_display_names_who_made_a_scenario_someone_else_saved():
    saved = pd.DataFrame({"name": ["A"], "base_hash": ["k"], "note": [None], "created_by": ["ana"], "saved_by": ["bo"],
                          "saved_at": [pd.Timestamp("2027-03-01 14:05")], "plan": ["good plan"], "search": [""],
                          "overrides": [Scenario("A", capacity=()).overrides_json()]})
    row = scenarios_display(saved, pd.DataFrame({"resource_id": [], "name": []}), "k").iloc[0]
    assert row.to_dict() == {"What it changes": "no change", "Plan": "good plan",
                             "Saved": "01 Mar 2027, 14:05 UTC by bo (made by ana)", "Note": ""}


def test_the_risk_page_says_why_the_samples_run_later_than_the_plan(start_app, sample_data):
    app = start_app().switch_page("app_pages/risk.py").run()
    app.number_input(key="risk_samples").set_value(200).run()
    app.button(key="risk_run").click().run()
    assert not app.exception
    ph = from_as_of(sample_data).phases            # from the report date: a done phase's length is known
    ranged = ph[ph["duration_low_weeks"] < ph["duration_high_weeks"]]
    long = ranged[ranged["duration_weeks"] < (ranged["duration_low_weeks"] + ranged["duration_high_weeks"]) / 2]
    late = as_planned(sample_data).kpis["late_deliveries"]
    why = next(c.value for c in app.caption if "The plan as it stands delivers" in c.value)
    assert why.startswith(f"The plan as it stands delivers {late} late; the samples run later than the plan.")
    assert f"{len(long)} of the {len(ranged)} phases with a range of lengths are more likely to run long" in why
    assert len(long) > len(ranged) / 2                         # most of the sample's ranged phases skew long
    likely = next(m for m in app.metric if m.label == "Likely late")
    assert likely.delta == f"{int(likely.value.split()[0]) - late:+d} on the plan as it stands"


def test_duration_skew_counts_the_phases_that_lean_long_and_by_how_much():
    data = slate([production("A")], [phase("A", "prep", 4, 0, kind="prep", duration_low_weeks=3, duration_high_weeks=8),
                                     phase("A", "shoot", 6, 4, duration_low_weeks=4, duration_high_weeks=7),
                                     phase("A", "post", 5, 10, kind="post")], [resource("G&E")],
                 [demand("A", "shoot", "G&E")])
    skew = duration_skew(data)
    assert (skew.ranged, skew.long, skew.short) == (2, 1, 1)       # prep leans long, shoot short, post has no range
    assert skew.extra_weeks == pytest.approx(((15 / 3 - 4) + (17 / 3 - 6)) / 2)


def test_the_re_plan_estimate_says_seconds_under_a_minute(start_app):
    app = start_app().switch_page("app_pages/risk.py").run()
    app.number_input(key="risk_samples").set_value(10).run()
    app.toggle(key="risk_replan").set_value(True).run()
    seconds = 10 * 1.8 / RiskOptions(samples=10, replan=True).local_workers
    said = next(i.value for i in app.info if "Re-planning 10 samples" in i.value)
    assert f": {about_time(seconds)} here." in said and "minutes" not in said, said


@pytest.mark.parametrize("seconds, said", [(0.2, "about 1 s"), (30, "about 30 s"), (59.4, "about 59 s"),
                                           (60, "about 1 minute"), (90, "about 1.5 minutes"), (754, "about 13 minutes"),
                                           (3600, "about 1 hour"), (5400, "about 1.5 hours")])
def test_about_time(seconds, said):
    assert about_time(seconds) == said


def test_optimize_again_with_the_same_settings_says_the_plan_comes_from_the_cache(app):
    from dashboard import state

    app.switch_page("app_pages/plan.py").run()
    app.button[0].click().run()                                          # Optimize the plan: solved
    assert not any("from the cache" in i.value for i in app.info)
    app.button[0].click().run()                                          # the same again
    made = state.current_plan(state.current()).origin.made_at
    assert any(i.value == f"Same data and settings as the plan made at {made:%H:%M} UTC; shown from the cache."
               for i in app.info), [i.value for i in app.info]
    assert {m.label for m in app.metric} >= {"Plan quality", "Conflicts"}          # and the plan is shown
