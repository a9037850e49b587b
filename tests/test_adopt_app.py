"""Adopting a plan in the dashboard (Streamlit's AppTest): the Scenarios and Plan pages' *Adopt as the
slate's plan* (a required note; planners and admins only), then the Slate page: the slate as planned
is the adopted plan, the decision log lists it with its note as typed, and what changed against the
version before names the production that moved."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.text import md
from planning.access import Actor
from planning.data.inputs import planned_schedule

from factory import two_shoots_on_one_crew

ADOPT_SC = "FormSubmitter:sc_adopt-Adopt as the slate's plan"
NOTE = "**Agreed** with <b>finance</b>: =SUM(A1) [later](http://x.test)"


def starts(frame) -> dict[str, int]:
    return {f"{p}/{q}": int(w) for p, q, w in zip(frame["production_id"], frame["phase_id"], frame["start_week"])}


def save_moved_scenario(name: str) -> tuple[str, pd.DataFrame]:
    """A scenario of the loaded slate whose plan is the plan as planned with one production that has not
    started (and is not locked) three weeks later; its id and schedule."""
    from dashboard import state
    from planning.data.progress import phase_status
    from planning.plan import SCENARIO, Origin, as_planned, build_plan
    from planning.scenarios.types import Scenario

    loaded = state.current()
    data = loaded.data
    started = set(phase_status(data).query("status != 'planned'")["production_id"])
    locked = set(data.productions.loc[data.productions["locked"], "production_id"]) | set(
        data.phases.loc[data.phases["locked"].fillna(False), "production_id"])
    pid = next(p for p in data.productions["production_id"] if p not in started | locked)
    schedule = as_planned(data).schedule[["production_id", "phase_id", "start_week"]].copy()
    schedule.loc[schedule["production_id"] == pid, "start_week"] += 3
    plan = build_plan(data, schedule, Origin(SCENARIO, name))
    state.scenario_store().save(Scenario(name, base_hash=loaded.key), actor=Actor("ana@studio.test", "planner"),
                                results=plan.frames(), summary=plan.summary())
    return pid, plan.schedule


def test_adopting_a_scenario_makes_it_the_plan_and_the_slate_page_shows_the_log_and_what_changed(start_app):
    from dashboard import state

    app = start_app()
    before = state.current().key
    pid, wanted = save_moved_scenario("P later")
    app.switch_page("app_pages/scenarios.py").run()
    assert not app.exception
    app.selectbox(key="sc_adopt_pick").set_value("P later").run()
    app.button(key=ADOPT_SC).click().run()                                     # no note: refused
    assert any("needs a note" in e.value for e in app.error)
    assert state.store().adoptions().empty and state.current().key == before

    app.text_area(key="sc_adopt_note").input(NOTE)
    app.button(key=ADOPT_SC).click().run()
    assert not app.exception
    assert app.success[0].value.startswith("Adopted scenario “P later”") and app.title[0].value == "Slate"
    after = state.current()
    assert after.key != before
    assert starts(planned_schedule(after.data)) == starts(wanted)         # the slate as planned is the scenario's plan
    assert app.selectbox(key="shown_plan").value == "As planned"

    log = next(t.value for t in app.table if "Note" in t.value.columns)
    assert log["Note"].tolist() == [md(NOTE)]                                  # shown as typed, never as markup
    assert log["Plan"].tolist() == [md("scenario “P later”")] and log["Phases re-dated"].iloc[0] != "0"
    assert app.selectbox(key="slate_versus").value == int(state.store().history()["version"].iloc[0])
    metrics = {m.label: m for m in app.metric}
    assert {"Estimate at final cost (EFC) now (USD)", "Peak funding need now (USD)", "Conflicts now"} <= set(metrics)
    moved = next(d.value for d in app.dataframe if "Delivery, weeks later" in d.value.columns)
    assert moved["Production"].str.split(" ").str[0].tolist() == [pid]
    assert moved.iloc[0][["Change", "Start, weeks later", "Delivery, weeks later"]].tolist() == ["moved", 3, 3]
    assert app.get("plotly_chart")                                             # the weeks moved, drawn


def test_a_viewer_reads_why_they_cannot_adopt(start_app, monkeypatch):
    from dashboard import state

    app = start_app()
    save_moved_scenario("P later")
    monkeypatch.setattr(state, "actor", lambda: Actor("vic@studio.test", "viewer"))
    app.switch_page("app_pages/scenarios.py").run()
    assert not app.exception
    assert any("Adopting a plan takes the planner role (you are a viewer)" in c.value for c in app.caption)
    assert not [b for b in app.button if b.key == ADOPT_SC]


@pytest.fixture
def two_shoots(tmp_path):
    """Two shoots planned the same week on one crew of one that cannot hire: the optimizer moves one."""
    return two_shoots_on_one_crew(tmp_path / "two")


def test_the_optimized_plan_is_adopted_from_the_plan_page(start_app, two_shoots):
    from dashboard import state

    app = start_app(two_shoots)
    app.switch_page("app_pages/plan.py").run()
    app.button(key="FormSubmitter:plan_form-Optimize the plan").click().run()
    assert not app.exception
    optimized = state.current_plan(state.current()).schedule
    assert sorted(starts(optimized).values()) == [0, 2]
    app.text_area(key="plan_adopt_note").input("B waits for A's crew")
    app.button(key="FormSubmitter:plan_adopt-Adopt as the slate's plan").click().run()
    assert not app.exception
    assert app.success[0].value.startswith("Adopted the optimized plan as the slate's plan")
    assert starts(planned_schedule(state.current().data)) == starts(optimized)
    row = state.store().adoptions().iloc[0]
    assert row["note"] == "B waits for A's crew" and row["plan"] == "the optimized plan"
    assert row["moved"] == 1
