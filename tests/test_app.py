"""Page logic with Streamlit's AppTest: every page runs on the sample slate and shows its content."""

import io
import json
import zipfile

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import pandas as pd

from dashboard.text import md
from planning.access import Actor, Forbidden
from planning.plan import as_planned
from planning.sample import make_slate, write_slate

from conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def app(start_app):
    return start_app()


def test_slate_page_shows_the_kpis_of_the_plan_as_planned(app, sample_data):
    assert not app.exception
    assert app.selectbox(key="shown_plan").options == ["As planned"]      # nothing optimized, nothing saved
    plan = as_planned(sample_data)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Productions"] == "20"
    assert int(metrics["Conflicts"]) == plan.kpis["conflicts"] > 0
    assert int(metrics["Late"]) == plan.kpis["late_deliveries"]
    assert metrics["Hire-in (USD)"] == f"{plan.kpis['hire_cost'] / 1e6:,.2f}M"
    assert metrics["Peak stages"] == f"{plan.kpis['peak_stages']} / {plan.kpis['stages_then']}"
    assert metrics["Peak funding (USD)"] == f"{plan.kpis['peak_funding_need'] / 1e6:,.1f}M"
    assert timeline_starts(app) == {f"{r.production_id}/{r.phase_id}": str(r.start.date())
                                    for r in plan.schedule.itertuples()} and not app.get("plotly_chart")


def timeline_starts(app) -> dict[str, str]:
    """Where the Slate timeline (a custom component: AppTest sees what it is given) starts each phase."""
    drawn = [e for e in app.main if getattr(e, "type", "") == "component_instance"]
    assert len(drawn) == 1
    return {i["id"]: i["start"] for i in json.loads(drawn[0].proto.json_args)["items"]}


def heatmap_rows(app) -> list[str]:
    """The row labels of the page's load heatmap (its first chart)."""
    return json.loads(app.get("plotly_chart")[0].proto.spec)["data"][0]["y"]


def test_capacity_page_filters_by_kind(app, sample_data):
    app.switch_page("app_pages/capacity.py").run()
    assert not app.exception
    res = sample_data.resources
    assert "Any stage ≥ 18,000 sq ft" in heatmap_rows(app)            # every kind, stage classes included
    app.multiselect(key="capacity_kinds").set_value([]).run()
    assert "Choose at least one" in app.info[0].value
    app.multiselect(key="capacity_kinds").set_value(["crew"]).run()
    crews = res[res["kind"] == "crew"]
    assert sorted(heatmap_rows(app)) == sorted(f"{n} ({r})" for r, n in zip(crews["resource_id"], crews["name"]))
    pick = app.selectbox(key="capacity_pool")
    util = as_planned(sample_data).utilization
    assert pick.value == util.groupby("resource_id")["over"].sum().idxmax()  # the most over-booked first
    pick.set_value("POST-MIX").run()
    assert not app.exception
    last = json.loads(app.get("plotly_chart")[-1].proto.spec)
    assert last["layout"]["title"]["text"].startswith(res.set_index("resource_id").at["POST-MIX", "name"])


def test_conflicts_page_lists_conflicts_and_filters(app, sample_data):
    app.switch_page("app_pages/conflicts.py").run()
    assert not app.exception
    table = app.table[0].value                                          # a table that wraps: names in full
    assert len(app.metric) == 1 and len(table) == int(app.metric[0].value)     # only the plan as planned
    expected = as_planned(sample_data).conflicts
    assert table.index.tolist() == [md(n) for n in expected["name"]]     # st.table cells are escaped Markdown
    assert table["Unit-weeks short"].astype(int).tolist() == expected["unit_weeks"].tolist()
    assert {"crew", "stage class"} <= set(table["Kind"])
    involved = table["Productions involved"].iloc[0]
    assert all(f"{p} " in involved for p in expected["productions"].iloc[0].split(";"))   # every one, by title
    app.multiselect(key="conflict_kinds_as planned").set_value(["crew"]).run()
    assert set(app.table[0].value["Kind"]) == {"crew"}


def zipped(folder) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path in sorted(folder.iterdir()):
            z.write(path, f"slate/{path.name}")
    return buf.getvalue()


def test_data_page_rejects_a_bad_upload_and_keeps_the_slate(app, sample_copy):
    app.switch_page("app_pages/data.py").run()
    assert not app.exception
    ph = pd.read_parquet(sample_copy / "phases.parquet")
    ph.loc[0, "duration_weeks"] = -3
    ph.to_parquet(sample_copy / "phases.parquet", index=False)
    app.file_uploader(key="upload_files").upload("broken.zip", zipped(sample_copy), "application/zip")
    app.button[0].click().run()  # the form's submit button
    assert not app.exception
    assert "nothing was changed" in app.error[0].value
    problems = app.table[0].value.reset_index()
    assert problems[["Table", "Row", "Column"]].values.tolist() == [["phases", "P01/prep", md("duration_weeks")]]
    assert app.metric[0].value == "20"


def upload_new_slate(app, folder) -> None:
    """Write a 12-production slate to ``folder`` and load it through the Data page's uploader."""
    write_slate(make_slate(12, seed=5), folder)
    app.switch_page("app_pages/data.py").run()
    uploader = app.file_uploader(key="upload_files")
    for path in sorted(folder.iterdir()):
        uploader.upload(path.name, path.read_bytes())
    app.button[0].click().run()


def test_data_page_loads_a_good_upload(app, tmp_path):
    upload_new_slate(app, tmp_path / "new")
    assert not app.exception
    assert app.metric[0].value == "12"
    assert "Loaded 12 productions" in app.success[0].value
    app.switch_page("app_pages/slate.py").run()
    assert {m.label: m.value for m in app.metric}["Productions"] == "12"


def test_data_page_replaces_one_table_only_into_a_clean_slate(app, sample_copy, tmp_path):
    app.switch_page("app_pages/data.py").run()
    productions = pd.read_parquet(sample_copy / "productions.parquet")
    bad = productions.copy()
    bad.loc[2, "target_delivery"] = None
    bad.to_csv(tmp_path / "productions.csv", index=False)
    app.file_uploader(key="upload_table").upload("productions.csv", (tmp_path / "productions.csv").read_bytes())
    app.button[1].click().run()                                 # Validate and replace
    assert "nothing was changed" in app.error[0].value
    problems = app.table[0].value.reset_index()
    assert problems[["Table", "Row", "Column"]].values.tolist() == [["productions", "P03", md("target_delivery")]]
    good = productions.assign(title=productions["title"].where(productions["production_id"] != "P03", "Renamed"))
    good.to_csv(tmp_path / "productions.csv", index=False)
    app.file_uploader(key="upload_table").upload("productions.csv", (tmp_path / "productions.csv").read_bytes())
    app.button[1].click().run()
    assert not app.exception and "Replaced productions (20 rows)" in app.success[0].value
    from dashboard import state
    assert state.current().data.productions.set_index("production_id").at["P03", "title"] == "Renamed"


def test_restore_asks_first_and_keeps_the_slate_it_replaces(app, tmp_path):
    upload_new_slate(app, tmp_path / "new")
    assert app.metric[0].value == "12"
    assert app.button(key="restore_sample").disabled                    # not before the confirmation
    app.checkbox(key="restore_sure").check().run()
    app.button(key="restore_sample").click().run()
    assert app.metric[0].value == "20" and "Restored" in app.success[0].value
    earlier = next(d.value for d in app.dataframe if "replaced_at" in d.value.columns)
    assert earlier["productions"].tolist()[0] == 12                       # the uploaded slate is kept
    app.selectbox(key="bring_back_pick").set_value(int(earlier["version"].iloc[0])).run()
    app.button(key="bring_back").click().run()
    assert app.metric[0].value == "12" and "Brought back" in app.success[0].value


def test_cashflow_page_kpis_agree_with_the_cash_flow(app, sample_data):
    from planning.finance.costreport import cost_report
    from planning.finance.flows import cashflow, funding_need, position

    app.switch_page("app_pages/cashflow.py").run()
    assert not app.exception
    schedule = as_planned(sample_data).schedule         # of a slate under way: planned from its report week
    flows = cashflow(sample_data, schedule)
    need = funding_need(position(flows, sample_data.settings))
    metrics = {m.label: m.value for m in app.metric}
    # The sample is under way: its spend is what each line will cost in the end (the cost report's EFC),
    # 2.4M over the budget (P02's long shoot, P03's VFX estimate; P01's set construction saved).
    efc = cost_report(sample_data, schedule)["efc"].sum()
    assert efc - sample_data.budget_lines["amount"].sum() == pytest.approx(2_391_538.05, abs=0.01)
    assert metrics["Spend (USD)"] == f"{efc / 1e6:,.1f}M" == "1,724.4M"
    assert metrics["Peak funding need (USD)"] == f"{need.peak_need / 1e6:,.1f}M"
    assert len(app.get("plotly_chart")) == 2 and len(app.get("download_button")) == 4
    budget = next(d.value for d in app.dataframe if "production" in d.value.columns)
    assert budget["production"].iloc[-1] == "Slate total" and budget["production"].iloc[0].startswith("P01 ")
    assert budget["budget"].iloc[-1] == pytest.approx(budget["budget"].iloc[:-1].sum())      # the totals row
    app.selectbox(key="cash_period").set_value("quarter").run()
    app.radio(key="cash_by").set_value("production").run()
    assert not app.exception


def test_plan_page_optimizes_and_every_page_follows_the_plan_shown(app, sample_data):
    app.switch_page("app_pages/plan.py").run()
    assert "Press **Optimize the plan**" in app.info[0].value
    app.button[0].click().run()  # Optimize the plan
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Plan quality"] == "Best" or metrics["Plan quality"].startswith("Within ")
    assert metrics["Unit-weeks short"] == "0"
    assert int(metrics["Conflicts"]) == 0  # the sample's conflicts can all be resolved
    summary, moved = app.table[0].value, app.table[1].value          # tables that wrap: reasons in full
    assert (moved["Weeks moved"].astype(int) != 0).all() and moved["Why"].str.len().gt(0).all()
    assert (moved["New start"] != moved["Planned start"]).all() and moved["Title"].notna().all()
    assert sorted(summary.index) == sorted(set(moved.index))              # one row per production that moved
    assert summary["Phases moved"].astype(int).sum() == len(moved)
    assert summary["Why"].str.len().gt(0).all()

    # Idle weeks inside a production, counted here week by week: the page lists every production
    # whose plan leaves more of them than its planned dates, and the sample's lags keep them short.
    from dashboard import state
    sched = state.current_plan(state.current()).schedule

    def idle(frame):
        out = {}
        for pid, ph in frame.groupby("production_id"):
            busy = {w for s, e in zip(ph["start_week"], ph["end_week"]) for w in range(int(s), int(e))}
            out[pid] = sum(w not in busy for w in range(min(busy), max(busy) + 1))
        return out
    now, before = idle(sched), idle(as_planned(sample_data).schedule)
    opened = {p: n for p, n in now.items() if n > before[p]}
    shown = next(d.value for d in app.dataframe if "Idle from" in d.value.columns)
    assert {p.split(" ")[0] for p in shown["Production"]} == set(opened)
    assert shown.groupby(shown["Production"].str.split(" ").str[0])["Weeks idle"].sum().to_dict() == opened
    assert max(now.values()) <= 3                          # no crew preps and then waits ten weeks
    assert "sit idle inside their schedule" in app.warning[0].value

    # The optimized plan is now the one shown (the default once there is one), on every page.
    optimized = state.current_plan(state.current())
    planned = as_planned(sample_data)
    app.switch_page("app_pages/slate.py").run()
    assert app.selectbox(key="shown_plan").value == "Optimized"
    shown = {m.label: m.value for m in app.metric}
    assert shown["Conflicts"] == "0" and int(shown["Late"]) == optimized.kpis["late_deliveries"]
    assert shown["Peak funding (USD)"] == f"{optimized.kpis['peak_funding_need'] / 1e6:,.1f}M"
    assert "optimized" in app.caption[0].value
    assert timeline_starts(app) == {f"{r.production_id}/{r.phase_id}": str(r.start.date())
                                    for r in optimized.schedule.itertuples()}
    app.switch_page("app_pages/conflicts.py").run()
    assert {m.label: m.value for m in app.metric} == {"Conflicts: as planned": str(planned.kpis["conflicts"]),
                                                      "Conflicts: optimized": "0"}
    app.switch_page("app_pages/cashflow.py").run()
    need = optimized.kpis["peak_funding_need"]
    assert {m.label: m.value for m in app.metric}["Peak funding need (USD)"] == f"{need / 1e6:,.1f}M"
    app.switch_page("app_pages/capacity.py").run()
    assert not app.exception and len(app.get("plotly_chart")) == 4      # heatmap, stage board, people, one resource
    assert any(s.value.startswith("No clashes") for s in app.success)    # nobody double-booked once optimized
    assert not [m for m in app.markdown if "is booked by" in m.value]
    assert (app.table[0].value["Clash"] == "no").all()
    assert app.selectbox(key="capacity_pool").value == optimized.utilization.groupby("resource_id")["over"].sum().idxmax()

    # Back to the planned dates: the same pages follow.
    app.selectbox(key="shown_plan").set_value("As planned").run()
    app.switch_page("app_pages/slate.py").run()
    assert int({m.label: m.value for m in app.metric}["Conflicts"]) == planned.kpis["conflicts"]
    app.switch_page("app_pages/cashflow.py").run()
    need = planned.kpis["peak_funding_need"]
    assert {m.label: m.value for m in app.metric}["Peak funding need (USD)"] == f"{need / 1e6:,.1f}M"


def test_whatif_adding_a_stage_lowers_conflicts_then_save_compare_delete(app):
    app.switch_page("app_pages/whatif.py").run()
    app.slider(key="wi_stage_30000").set_value(2)
    app.button[0].click().run()  # Apply
    assert not app.exception
    metrics = {m.label: (m.value, m.delta) for m in app.metric}
    value, delta = metrics["Conflicts as planned"]
    assert int(delta) < 0
    assert len(app.get("plotly_chart")) == 1  # the two cash curves
    app.text_input(key="wi_name").input("Two more big stages")
    app.button[1].click().run()  # Save scenario
    assert "Saved" in app.success[0].value
    app.switch_page("app_pages/scenarios.py").run()
    assert not app.exception
    listed = app.table[0].value
    assert listed.index.tolist() == ["Two more big stages"]
    assert listed["What it changes"].tolist() == [md("stages of 30,000 sq ft +2")]
    assert listed["Plan"].iloc[0].endswith("quick search")
    kpis = app.dataframe[0].value.set_index("metric")
    assert int(kpis.loc["Conflicts on the planned dates", "Two more big stages vs baseline"]) < 0
    # A saved scenario can be the plan shown on every page.
    picker = app.selectbox(key="shown_plan")
    assert picker.options[-1] == "Scenario: Two more big stages"
    picker.set_value("Scenario: Two more big stages").run()
    app.switch_page("app_pages/slate.py").run()
    assert "Two more big stages" in app.caption[0].value and not app.exception
    app.switch_page("app_pages/scenarios.py").run()
    app.checkbox(key="sc_sure").check().run()
    app.button(key="sc_delete").click().run()
    assert "No saved scenarios yet" in app.info[0].value
    assert "Undo" in app.success[0].value
    app.button(key="sc_undo").click().run()                   # a delete is not final either
    assert app.table[0].value.index.tolist() == ["Two more big stages"]


def test_saving_over_a_name_asks_first_keeps_the_old_one_and_a_scenario_reopens_in_whatif(app):
    from dashboard.text import md

    app.switch_page("app_pages/whatif.py").run()
    app.slider(key="wi_stage_30000").set_value(1)
    app.button[0].click().run()
    app.text_input(key="wi_name").input("Stage 13")
    app.button[1].click().run()
    assert "Saved" in app.success[0].value
    app.slider(key="wi_pool_CREW-GE").set_value(-2)
    app.button[0].click().run()
    app.text_input(key="wi_name").input("Stage 13")
    app.button[1].click().run()                                # the name is taken: not saved
    assert "Not saved" in app.warning[-1].value and md("Stage 13 (2)") in app.warning[-1].value
    app.checkbox(key="wi_replace").check()
    app.button[1].click().run()
    assert "Replaced" in app.success[0].value

    from dashboard import state
    store = state.scenario_store()
    assert store.load("Stage 13")[0].capacity[0].delta == -2 and len(store.versions("Stage 13")) == 1
    app.switch_page("app_pages/scenarios.py").run()
    assert app.table[0].value["What it changes"].tolist() == [md("stages of 30,000 sq ft +1; Grip & electric crews -2")]
    app.button(key="sc_undo").click().run()                   # the first Stage 13 comes back
    assert app.table[0].value["What it changes"].tolist() == [md("stages of 30,000 sq ft +1")]

    app.selectbox(key="sc_open_pick").set_value("Stage 13").run()
    app.button(key="sc_open").click().run()                   # reopen in What-if: sliders set, plan shown
    assert not app.exception
    assert app.slider(key="wi_stage_30000").value == 1 and app.slider(key="wi_pool_CREW-GE").value == 0
    assert app.text_input(key="wi_name").value == "Stage 13" and app.checkbox(key="wi_replace").value
    assert f"Opened “{md('Stage 13')}”" in app.info[0].value
    assert "Conflicts as planned" in {m.label for m in app.metric}


def test_plans_are_shared_and_solves_queue_for_a_free_slot():
    """Two sessions asking for one plan share one job; a job waits while every solver slot is busy."""
    from dashboard import state
    from factory import demand, phase, production, resource, slate
    from planning.optimizer import PlanOptions
    from planning.scenarios.types import Scenario

    data = slate([production("A"), production("B")], [phase("A", "shoot", 2, 0), phase("B", "shoot", 2, 0)],
                 [resource("G&E", capacity=1)], [demand("A", "shoot", "G&E"), demand("B", "shoot", "G&E")])
    loaded = state.Loaded(data, "tiny", "tiny-slate")
    scenario, options = Scenario("queued", base_hash="tiny-slate"), PlanOptions(time_limit=5.0)
    held = 0
    while state.SOLVE_SLOTS.acquire(blocking=False):  # every slot busy
        held += 1
    planner = Actor("ana@studio.test", "planner")
    try:
        job = state.start_plan(loaded, scenario, options, who=planner)
        assert state.start_plan(loaded, scenario, options) is job  # the second asker joins the first
        job.thread.join(0.5)
        assert job.thread.is_alive() and job.info["stage"].startswith("waiting")
    finally:
        for _ in range(held):
            state.SOLVE_SLOTS.release()
    job.thread.join(30)
    result = state.cached_result("tiny-slate", scenario, options)
    assert result is not None and result.kpis["conflicts"] == 0  # B moves after A
    assert state.start_plan(loaded, scenario, options) is None  # cached: no new job


def test_a_viewer_cannot_start_a_solve_only_read_plans():
    """Optimizing is planner work, checked where the work starts (a viewer opening a saved scenario
    in What-if, or any forged request, starts nothing); the shared baseline and cached plans are
    everyone's to read."""
    from dashboard import state
    from factory import demand, phase, production, resource, slate
    from planning.optimizer import PlanOptions
    from planning.scenarios.types import Scenario

    data = slate([production("A")], [phase("A", "shoot", 2, 0)], [resource("G&E", capacity=1)],
                 [demand("A", "shoot", "G&E")])
    loaded = state.Loaded(data, "tiny", "viewer-slate")
    whatif = Scenario("what-if", base_hash="viewer-slate", slips={"A": 1})
    for who in (Actor("intern@studio.test", "viewer"), None):
        with pytest.raises(Forbidden):
            state.start_plan(loaded, whatif, PlanOptions(time_limit=2.0), who=who)
        with pytest.raises(Forbidden):
            state.start_plan(loaded, state.baseline(loaded), PlanOptions(time_limit=2.0), who=who)  # other options
    assert not any(key.startswith("viewer-slate") for key in state._jobs())
    job = state.start_plan(loaded, state.baseline(loaded), state.DEFAULT_OPTIONS, who=Actor("intern@studio.test", "viewer"))
    job.thread.join(60)
    assert state.cached_result("viewer-slate", state.baseline(loaded)) is not None


def test_with_sign_in_configured_nothing_shows_until_signed_in(tmp_path, monkeypatch):
    monkeypatch.setenv("SLATE_STORE", str(tmp_path / "app.duckdb"))
    monkeypatch.setenv("SLATE_SCENARIOS", str(tmp_path / "scenarios.duckdb"))
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 64,
                          "client_id": "c", "client_secret": "s",
                          "server_metadata_url": "http://localhost:9/.well-known/openid-configuration"}
    at.run()
    assert not at.exception and [b.label for b in at.button] == ["Sign in"] and not at.metric   # no slate shown
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "client_id": "c"}
    at.run()
    assert "cookie_secret" in at.error[0].value and not at.button       # a clear start-up error, nothing else
    import tomllib

    example = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text())
    for auth, roles in [(dict(example["auth"], cookie_secret="change-me: a long random string"), {}),
                        (dict(example["auth"], cookie_secret="x" * 64), {"admin": "boss@studio.test"})]:
        at = AppTest.from_file(APP, default_timeout=120)
        at.secrets["auth"] = auth
        at.secrets["roles"] = roles
        at.run()                      # the example's secret (anyone could forge a cookie), a role as a string
        assert "Sign-in cannot start" in at.error[0].value and not at.button and not at.metric


def test_without_sign_in_the_sidebar_says_single_user_mode(app):
    assert any("Single-user mode: only this computer can open it" in c.value for c in app.sidebar.caption)


CRAFTED = "![beacon](http://127.0.0.1:9/b.png) [click](javascript:alert(1)) **bold** `code` :red[x] <b>"


def test_a_crafted_scenario_name_shows_as_typed_on_every_page(app, sample_data):
    """Markdown in user text (here a scenario name, saved on other data by someone else) is shown
    literally: no element's Markdown carries it unescaped, and the escaped form reads as typed."""
    from dashboard import state
    from dashboard.text import md
    from planning.scenarios.types import Scenario

    plan = as_planned(sample_data)
    state.scenario_store().save(Scenario(CRAFTED, base_hash="other data"), actor=Actor("ana@studio.test", "planner"),
                                results=plan.frames(), summary={"kpis": plan.kpis, "search": "quick"})
    app.switch_page("app_pages/scenarios.py").run()
    app.selectbox(key="sc_open_pick").set_value(CRAFTED).run()
    app.selectbox(key="sc_pick").set_value(CRAFTED).run()
    assert not app.exception
    shown = [e.value for kind in ("markdown", "caption", "warning", "info", "error", "success")
             for e in app.get(kind)] + [c.label for c in app.checkbox]
    shown += [str(v) for t in app.table for v in [*t.value.index, *t.value.to_numpy().ravel()]]   # Markdown too
    assert not [v for v in shown if "![" in v or "](" in v]
    assert any(md(CRAFTED) in v for v in shown)


def test_md_escapes_every_markdown_character_and_drops_control_characters():
    from dashboard.text import md

    assert md("a*b_c") == "a\\*b\\_c"
    assert md("line\nbreak\x1b[31m\u202e") == "line break \\[31m "
    assert md(3) == "3"


def test_the_plan_picked_stays_through_every_page_and_page_action(app):
    """A plan picked in the sidebar stays picked until the user picks another: across every page,
    What-if's Apply and Save, Scenarios' *Open in What-if* (a page switch) and rename; the Cash
    flow page then shows (and downloads) that plan, not the plan as planned."""
    from dashboard import state

    app.switch_page("app_pages/whatif.py").run()
    app.slider(key="wi_stage_30000").set_value(1)
    app.button[0].click().run()                                # Apply
    app.text_input(key="wi_name").input("Bigger lot")
    app.button[1].click().run()                                # Save scenario
    assert "Saved" in app.success[0].value
    app.switch_page("app_pages/scenarios.py").run()
    chosen = "Scenario: Bigger lot"
    app.selectbox(key="shown_plan").set_value(chosen).run()

    def still_picked(where):
        assert not app.exception, where
        assert app.selectbox(key="shown_plan").value == chosen, where

    still_picked("picked")
    for page in ("slate", "capacity", "conflicts", "plan", "whatif", "scenarios", "cashflow", "risk", "data"):
        app.switch_page(f"app_pages/{page}.py").run()
        still_picked(page)
    app.switch_page("app_pages/whatif.py").run()
    app.slider(key="wi_pool_CREW-GE").set_value(-1)
    app.button[0].click().run()
    still_picked("Apply")
    app.text_input(key="wi_name").input("Fewer crews")
    app.button[1].click().run()
    assert "Saved" in app.success[0].value
    still_picked("Save")
    app.switch_page("app_pages/scenarios.py").run()
    app.selectbox(key="sc_open_pick").set_value("Bigger lot").run()
    app.button(key="sc_open").click().run()                   # switches to What-if
    assert "Opened “Bigger lot”" in app.info[0].value
    still_picked("Open in What-if")
    app.switch_page("app_pages/scenarios.py").run()
    app.selectbox(key="sc_pick").set_value("Fewer crews").run()
    app.text_input(key="sc_new_name").input("Crews down")
    app.button(key="FormSubmitter:sc_rename-Rename").click().run()
    assert "Crews down" in app.table[0].value.index.tolist()
    still_picked("rename")

    app.switch_page("app_pages/cashflow.py").run()
    still_picked("Cash flow")
    assert "scenario “Bigger lot”" in app.caption[0].value               # the plan its downloads hold too
    need = state.saved_plan(state.current(), "Bigger lot").kpis["peak_funding_need"]
    assert {m.label: m.value for m in app.metric}["Peak funding need (USD)"] == f"{need / 1e6:,.1f}M"
    app.selectbox(key="shown_plan").set_value("As planned").run()           # until the user picks another
    app.switch_page("app_pages/slate.py").run()
    assert app.selectbox(key="shown_plan").value == "As planned"


def test_replace_one_table_refuses_a_production_due_before_it_may_start(app, sample_copy, tmp_path):
    app.switch_page("app_pages/data.py").run()
    productions = pd.read_parquet(sample_copy / "productions.parquet")
    bad = productions.copy()
    bad.loc[bad["production_id"] == "P04", "target_delivery"] = pd.Timestamp("2027-01-18")    # starts 2027-01-25
    bad.to_csv(tmp_path / "productions.csv", index=False)
    app.file_uploader(key="upload_table").upload("productions.csv", (tmp_path / "productions.csv").read_bytes())
    app.button[1].click().run()                                 # Validate and replace
    assert not app.exception and "nothing was changed" in app.error[0].value
    problems = app.table[0].value.reset_index()
    assert problems[["Table", "Row", "Column"]].values.tolist() == [["productions", "P04", md("target_delivery")]]
    from dashboard import state
    stored = state.current().data.productions.set_index("production_id")
    assert stored.at["P04", "target_delivery"] == productions.set_index("production_id").at["P04", "target_delivery"]


def test_whatif_makes_a_person_unavailable_saves_it_in_words_and_reopens_it(app):
    """People and places change by availability (no capacity slider for them); the change re-plans,
    is saved as an AvailabilityChange, is described by name and reopens with the same widgets."""
    import datetime

    from dashboard import state
    from dashboard.text import md
    from planning.scenarios.types import AvailabilityChange

    app.switch_page("app_pages/whatif.py").run()
    sliders = {s.key for s in app.slider}
    assert "wi_pool_CREW-GE" in sliders and not {k for k in sliders if "TAL-" in k or "LOC-" in k}
    assert app.selectbox(key="wi_avail_who").options[1:] == [
        "Maya Okafor (director)", "Leo Marsh (lead actor)", "Ines Duarte (showrunner)", "Harbour Street (backlot)",
        "The Old Mill (practical location)"]
    app.selectbox(key="wi_avail_who").set_value("TAL-STAR")
    app.number_input(key="wi_avail_shift").set_value(3)
    app.date_input(key="wi_avail_off").set_value((datetime.date(2027, 6, 7), datetime.date(2027, 7, 4)))
    app.button[0].click().run()                                # Apply
    assert not app.exception
    assert "Conflicts as planned" in {m.label for m in app.metric}
    app.text_input(key="wi_name").input("Leo later")
    app.button[1].click().run()
    assert "Saved" in app.success[0].value
    saved = state.scenario_store().load("Leo later")[0]
    assert saved.availability == (AvailabilityChange("TAL-STAR", 3, "2027-06-07", "2027-07-04"),)
    app.switch_page("app_pages/scenarios.py").run()
    assert app.table[0].value["What it changes"].tolist() == [
        md("Leo Marsh (lead actor) available 3 weeks later, not available 2027-06-07 to 2027-07-04")]
    app.selectbox(key="sc_open_pick").set_value("Leo later").run()
    app.button(key="sc_open").click().run()
    assert not app.exception
    assert app.selectbox(key="wi_avail_who").value == "TAL-STAR" and app.number_input(key="wi_avail_shift").value == 3
    assert app.date_input(key="wi_avail_off").value == (datetime.date(2027, 6, 7), datetime.date(2027, 7, 4))


def test_capacity_page_shows_people_and_places_and_the_clashes_as_planned(app, sample_data):
    app.switch_page("app_pages/capacity.py").run()
    assert not app.exception
    res = sample_data.resources
    people = res[res["kind"].isin(["talent", "location"])]
    assert len(people) == 5
    charts = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    chart = next(c for c in charts if c["layout"]["title"]["text"].startswith("People and places"))
    rows = chart["layout"]["yaxis"]["ticktext"]
    assert sorted(rows) == sorted(f"{n} · {k}" for n, k in zip(people["name"], people["kind"]))
    assert {t["name"] for t in chart["data"]} >= {"available", "clash"}
    clashes = [m.value for m in app.markdown if "is booked by" in m.value]
    expected = {"Maya Okafor": ("P06 shoot", "P11 shoot"), "Leo Marsh": ("P05 shoot", "P07 shoot"),
                "Ines Duarte": ("P10 shoot\\_b1", "P12 shoot\\_b1"), "Harbour Street": ("P09 shoot", "P18 shoot")}
    assert len(clashes) == len(expected)                           # the Old Mill does not clash as planned
    for name, (first, second) in expected.items():
        line = next(c for c in clashes if name in c)
        assert f"{first} and {second}" in line and "available until" in line
    table = app.table[0].value                                      # who needs them when
    assert set(table.index) == {md(n) for n in people["name"]}
    assert list(table.columns) == ["Kind", "Production", "Phase", "From", "To", "Availability", "Clash"]
    mill = table.loc[md("The Old Mill (practical location)")]
    assert mill["Production"] == md("P13 Paper Tigers") and mill["Clash"] == "no"
    assert (table["Clash"] != "no").sum() == 8                      # both bookings of each clash
