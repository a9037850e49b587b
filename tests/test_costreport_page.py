"""The Cost report page (AppTest) on a slate under way small enough to check by hand.

The slate (weeks from Monday 2027-01-04; the report date ``as_of`` is week 4, Monday 1 February):

- P1 (a title with Markdown and HTML in it) shoots 3 weeks from week 0 and is still shooting on
  as_of: it runs to the end of week 4, 5 weeks, two more than planned. Its post (4 weeks) follows.
  Lines: stage rent 3800, 30,000 **weekly** on the shoot (10,000 a week), 40,000 paid for weeks
  0-3; cast 1400, 60,000 fixed, 50,000 paid less a 2,000 refund, 5,000 committed; VFX 5300,
  40,000 on post, 10,000 committed and the accountant's estimate to complete 45,000; contingency
  7500, 10,000.
- P2 preps 4 weeks from week 6: set construction 2300, 20,000 fixed; set operations 2500, 8,000
  weekly. Nothing spent.

By hand (ETC: the estimate if given; fixed: budget - actual - committed; weekly: rate x weeks
left from as_of - committed; EFC = actual + committed + ETC; variance = budget - EFC):

    line       budget  actual  committed  ETC     EFC      variance
    P1 3800    30,000  40,000  0          10,000  50,000   -20,000   (1 week left: week 4)
    P1 1400    60,000  48,000  5,000      7,000   60,000   0
    P1 5300    40,000  0       10,000     45,000  55,000   -15,000
    P1 7500    10,000  0       0          10,000  10,000   0
    P1        140,000  88,000  15,000     72,000  175,000  -35,000   62.9% spent; contingency
                                                                     10,000 - 35,000 = -25,000
    P2         28,000  0       0          28,000  28,000   0          no contingency line
    slate     168,000  88,000  15,000     100,000 203,000  -35,000
"""

from __future__ import annotations

import html

import pandas as pd
import pytest

from tests import factory as f

TITLE = "Tiger <b>Bay</b> *Ltd* [x](http://e.test)"
SAVED = "Budgets up 10%"


def friday(week: int) -> str:
    return str((pd.Timestamp(f.monday(week)) + pd.Timedelta(days=4)).date())


def under_way(folder):
    """Write the slate of the module docstring as CSV files into ``folder``."""
    phases = [f.phase("P1", "shoot", 3, 0, actual_start=f.monday(0)), f.phase("P1", "post", 4, 5, kind="post"),
              f.phase("P2", "prep", 4, 6, kind="prep")]
    lines = [f.budget("P1", "3800", 30_000.0, "shoot", description="Stage Rental", basis="weekly"),
             f.budget("P1", "1400", 60_000.0, "shoot", description="Cast", section="ATL", basis="fixed"),
             f.budget("P1", "5300", 40_000.0, "post", description="Visual Effects", section="BTL_POST"),
             f.budget("P1", "7500", 10_000.0, "post", description="Contingency", section="OTHER"),
             f.budget("P2", "2300", 20_000.0, "prep", description="Set Construction"),
             f.budget("P2", "2500", 8_000.0, "prep", description="Set Operations", basis="weekly")]
    raw = f.frames([f.production("P1", title=TITLE), f.production("P2", title="Quiet Harbour")], phases,
                   [f.resource("CREW", capacity=9)], [f.demand(p["production_id"], p["phase_id"], "CREW") for p in phases],
                   budget_lines=lines)
    raw["settings"]["as_of"] = f.monday(4)
    paid = [("3800", 10_000.0, friday(w), "actual") for w in range(4)]
    paid += [("1400", 50_000.0, friday(0), "actual"), ("1400", -2_000.0, friday(3), "actual"),
             ("1400", 5_000.0, f.monday(3), "committed"), ("5300", 10_000.0, f.monday(3), "committed")]
    raw["actuals"] = pd.DataFrame([dict(production_id="P1", account=a, posted=d, amount=x, kind=k) for a, x, d, k in paid])
    raw["estimates"] = pd.DataFrame([dict(production_id="P1", account="5300", estimate_to_complete=45_000.0)])
    folder.mkdir()
    for name, frame in raw.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


@pytest.fixture
def app(start_app, tmp_path):
    app = start_app(under_way(tmp_path / "slate"))
    app.switch_page("app_pages/costreport.py").run()
    assert not app.exception
    return app


def frame(app, column: str) -> pd.DataFrame:
    """The page's dataframe that has ``column``."""
    return next(d.value for d in app.dataframe if column in d.value.columns)


def figure(app, title: str):
    """The page's plotly figure whose title starts with ``title`` (arrays decoded)."""
    import plotly.io as pio

    shown = [pio.from_json(c.proto.spec) for c in app.get("plotly_chart")]
    return next(fig for fig in shown if fig.layout.title.text.startswith(title))


MONEY = ["budget", "actual_to_date", "committed", "estimate_to_complete", "efc", "variance"]


def test_the_roll_up_and_one_production_match_the_figures_worked_by_hand(app):
    from dashboard.text import md

    assert "As of **Monday 1 February 2027** (the report date)" in app.caption[0].value
    slate, mine = app.metric[:6], app.metric[6:]                   # the slate's, then the production's
    assert [(m.label, m.value) for m in slate] == [
        ("Budget (USD)", "0.2M"), ("Actual to date (USD)", "0.1M"), ("Committed (USD)", "0.0M"),
        ("Estimate to complete (USD)", "0.1M"), ("EFC (USD)", "0.2M"), ("Variance (USD)", "-0.04M")]
    assert slate[5].delta == "over budget"
    assert [(m.label, m.value) for m in mine] == [("Budget (USD)", "140.0K"), ("EFC (USD)", "175.0K"),
                                                  ("Variance (USD)", "-35.0K"), ("Contingency left (USD)", "-25.0K")]

    roll = frame(app, "pct_spent")
    assert roll["production"].tolist() == [f"P1 {TITLE}", "P2 Quiet Harbour", "Slate total"]   # as typed
    assert roll[MONEY].to_numpy().tolist() == [[140_000, 88_000, 15_000, 72_000, 175_000, -35_000],
                                               [28_000, 0, 0, 28_000, 28_000, 0],
                                               [168_000, 88_000, 15_000, 100_000, 203_000, -35_000]]
    assert roll["pct_spent"].tolist()[:2] == [62.9, 0.0] and roll["contingency_left"].tolist()[:2] == [-25_000, 0]
    assert roll["status"].tolist() == ["▲ over budget; contingency used up", "on budget; no contingency line",
                                       "▲ over budget"]
    said = next(c.value for c in app.caption if c.value.startswith("Over budget"))
    assert said.startswith(f"Over budget: P1 {md(TITLE)} by 35.0K.")

    bars = figure(app, "Budget and estimate at final cost")
    efc = next(t for t in bars.data if t.name == "EFC")
    assert list(efc.x) == ["P1", "P2"] and list(efc.y) == [0.175, 0.028]
    assert efc.marker.color[0] != efc.marker.color[1]                                  # P1 over: in red
    assert [a.text for a in bars.layout.annotations] == ["▲ 35.0K over"]
    assert efc.customdata[0][0] == html.escape(f"P1 {TITLE}") and "<b>" not in bars.to_json()   # shown as typed

    assert app.selectbox(key="cost_production").value == "P1"                            # worst first
    phases = frame(app, "weeks")
    assert phases.to_numpy().tolist()[0] == ["shoot", "running", pd.Timestamp("2027-01-04").date(),
                                             pd.Timestamp("2027-02-07").date(), "5: 2 more than planned"]
    lines = frame(app, "etc_from")
    assert lines["account"].tolist() == ["3800 Stage Rental", "5300 Visual Effects", "1400 Cast", "7500 Contingency"]
    assert lines["etc_from"].tolist() == ["weekly: 1 week left; runs 5 of 3", "accountant's estimate", "budget left",
                                          "budget left"]
    assert lines[MONEY].to_numpy().tolist() == [[30_000, 40_000, 0, 10_000, 50_000, -20_000],
                                                [40_000, 0, 10_000, 45_000, 55_000, -15_000],
                                                [60_000, 48_000, 5_000, 7_000, 60_000, 0],
                                                [10_000, 0, 0, 10_000, 10_000, 0]]
    sections = frame(app, "section")
    assert sections["section"].tolist() == ["Above the line", "Below the line: production", "Below the line: post",
                                            "Other", "Total"]
    assert sections["variance"].tolist() == [0, -20_000, -15_000, 0, -35_000]
    worst = figure(app, "Variance by account").data[0]
    assert list(worst.y) == ["3800 Stage Rental", "5300 Visual Effects"] and list(worst.x) == [-20_000, -15_000]

    app.selectbox(key="cost_production").set_value("P2").run()
    assert frame(app, "etc_from")["etc_from"].tolist() == ["budget left", "weekly: 4 weeks left"]
    assert "Every account is on budget." in [c.value for c in app.caption]
    buttons = app.get("download_button")
    assert [b.proto.label for b in buttons] == ["CSV: every production and account", "Excel workbook"]


def test_the_plan_picked_in_the_sidebar_drives_the_report(app):
    """A saved what-if that raises every budget 10% is picked in the sidebar: the stage rent's weekly
    rate is 11,000, so its one week left costs 11,000 (was 10,000), its EFC 51,000 against a budget of
    33,000; the cast line's ETC is what is left of 66,000 (66,000 - 48,000 - 5,000 = 13,000)."""
    from dashboard import state
    from planning.access import Actor
    from planning.plan import as_planned
    from planning.scenarios.apply import apply
    from planning.scenarios.types import Scenario

    loaded = state.current()
    scenario = Scenario(SAVED, base_hash=loaded.key, overage_pct=10.0)
    plan = as_planned(apply(loaded.data, scenario))
    state.scenario_store().save(scenario, actor=Actor("ana@studio.test", "planner"), results=plan.frames(),
                                summary={"kpis": plan.kpis, "search": "quick"})
    app.run()
    app.selectbox(key="shown_plan").set_value(f"Scenario: {SAVED}").run()
    assert not app.exception
    assert f"plan **scenario “{SAVED}”" in app.caption[0].value.replace("\\", "")
    lines = frame(app, "etc_from").set_index("account")
    assert lines.loc["3800 Stage Rental", MONEY].tolist() == [33_000, 40_000, 0, 11_000, 51_000, -18_000]
    assert lines.loc["1400 Cast", MONEY].tolist() == [66_000, 48_000, 5_000, 13_000, 66_000, 0]
    app.selectbox(key="shown_plan").set_value("As planned").run()
    lines = frame(app, "etc_from").set_index("account")
    assert lines.loc["3800 Stage Rental", "estimate_to_complete"] == 10_000


def test_a_slate_that_does_not_track_progress_is_reported_at_budget(start_app, tmp_path):
    from planning.sample import make_slate, write_slate

    write_slate(make_slate(4, seed=3), tmp_path / "snapshot")
    app = start_app(tmp_path / "snapshot")
    app.switch_page("app_pages/costreport.py").run()
    assert not app.exception
    assert "no report date" in app.info[0].value
    roll = frame(app, "pct_spent")
    assert (roll["efc"] == roll["budget"]).all() and (roll["variance"] == 0).all() and (roll["pct_spent"] == 0).all()
    assert roll["status"].iloc[-1] == "on budget"
