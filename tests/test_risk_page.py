"""The Risk page with Streamlit's AppTest: it runs the samples of the plan shown (the bundled sample is
under way: the plan as planned from its report date) and its numbers are the simulation's own; the
threshold leaves development productions out."""

import json

import numpy as np
import pandas as pd
import pytest

from planning.data.inputs import planned_schedule
from planning.data.progress import from_as_of
from planning.risk import results
from planning.risk.run import RiskOptions, run


@pytest.fixture
def app(start_app):
    return start_app().switch_page("app_pages/risk.py").run()


def test_the_risk_page_shows_the_samples_of_the_plan_shown(app, sample_data):
    assert not app.exception
    assert any("Run the samples" in i.value for i in app.info)             # nothing runs before asked
    app.number_input(key="risk_samples").set_value(300).run()
    app.button(key="risk_run").click().run()
    assert not app.exception
    m = run(sample_data, planned_schedule(from_as_of(sample_data)), RiskOptions(samples=300, seed=0))
    money = results.money(m).set_index("key")
    metrics = {x.label: x.value for x in app.metric}
    assert metrics["P90 peak funding need (USD)"] == f"{money.at['peak_need', 'p90'] / 1e6:,.1f}M"
    late = (results.deliveries(sample_data, m)["miss_target"] >= 0.5).sum()
    assert metrics["Likely late"] == f"{late} of 20"
    charts = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in app.get("plotly_chart")]
    assert charts == ["Cumulative cash position: P10 to P90 of the samples", "Delivery: P10 to P90 against the target",
                      "Chance of being short after hire-in"]
    ranked = next(d.value for d in app.dataframe if "driver" in d.value.columns)
    assert len(ranked) == 8 and ranked["p90_delivery_weeks"].is_monotonic_decreasing
    takes = dict(zip(ranked["driver"], ranked["resource"]))           # who or what a risk takes away, by name
    assert takes["Lead actor's availability"] == "Leo Marsh (lead actor)"
    assert takes["Losing the harbour location"] == "Harbour Street (backlot)"
    assert takes["Weather on the coastal shoot"] == ""
    assert len(app.get("download_button")) == 2


def test_a_higher_threshold_leaves_development_out_of_every_sample(app, sample_data):
    app.number_input(key="risk_samples").set_value(200).run()
    app.slider(key="risk_threshold").set_value(75).run()
    assert any("counted: none" in c.value for c in app.caption)
    app.button(key="risk_run").click().run()
    assert not app.exception
    ranked = next(d.value for d in app.dataframe if "driver" in d.value.columns)
    assert set(ranked["kind"]) != {"development"} and "development" not in set(ranked["kind"])
    m = run(sample_data, planned_schedule(from_as_of(sample_data)), RiskOptions(samples=200, seed=0, threshold=0.75))
    went = (m.plan.finish >= 0).mean(axis=0)
    develop = [m.inputs.productions.index(p) for p in ("P14", "P15", "P17")]
    assert np.all(went[develop] == 0)
    need = results.money(m).set_index("key").at["peak_need", "p90"]
    assert {x.label: x.value for x in app.metric}["P90 peak funding need (USD)"] == f"{need / 1e6:,.1f}M"


def test_re_planning_from_the_page_runs_on_local_processes_and_compares(app, sample_data):
    app.number_input(key="risk_samples").set_value(10).run()
    app.toggle(key="risk_replan").set_value(True).run()
    assert any("Re-planning 10 samples" in i.value for i in app.info)
    app.button(key="risk_run").click().run(timeout=300)
    assert not app.exception
    assert any("processes on this computer" in c.value or "one process" in c.value for c in app.caption)
    reaction = next(d.value for d in app.dataframe if "reacted_mean" in d.value.columns)
    m = run(sample_data, planned_schedule(from_as_of(sample_data)),
            RiskOptions(samples=10, seed=0, replan=True, workers=1))
    pd.testing.assert_frame_equal(reaction.reset_index(drop=True), results.reaction(m))
    short = reaction.set_index("measure")
    assert short.at["Stage-weeks short", "reacted_mean"] < short.at["Stage-weeks short", "as_is_mean"]
