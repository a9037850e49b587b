"""Page logic with Streamlit's AppTest: every page runs on the sample slate and shows its content."""

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def app():
    return AppTest.from_file(APP, default_timeout=120).run()


def test_slate_page_shows_kpis_and_timeline(app):
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Productions"] == "20"
    assert int(metrics["As-planned conflicts"]) > 0
    booked, available = metrics["Peak stage occupancy"].split(" / ")
    assert int(booked) > 0 and int(available) >= 12
    assert len(app.get("plotly_chart")) == 1


def test_capacity_page_filters_by_kind(app):
    app.switch_page("app_pages/capacity.py").run()
    assert not app.exception
    assert len(app.get("plotly_chart")) == 1
    app.multiselect(key="capacity_kinds").set_value([]).run()
    assert len(app.get("plotly_chart")) == 0
    assert "Choose at least one" in app.info[0].value
    app.multiselect(key="capacity_kinds").set_value(["crew"]).run()
    assert len(app.get("plotly_chart")) == 1


def test_conflicts_page_lists_conflicts_and_filters(app):
    app.switch_page("app_pages/conflicts.py").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert len(table) == int(app.metric[0].value)
    assert {"crew", "stage class"} <= set(table["kind"])
    app.multiselect(key="conflict_kinds").set_value(["crew"]).run()
    assert set(app.dataframe[0].value["kind"]) == {"crew"}
