"""Page logic with Streamlit's AppTest: every page runs on the sample slate and shows its content."""

import io
import zipfile

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import pandas as pd

from planning.conflicts import utilization
from planning.inputs import planned_schedule
from planning.sample import make_slate, write_slate

from conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def app(tmp_path, monkeypatch):
    """The app on its own store, with Streamlit's caches emptied, so tests cannot leak into each other."""
    monkeypatch.setenv("SLATE_STORE", str(tmp_path / "app.duckdb"))
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(APP, default_timeout=120).run()


def test_slate_page_shows_kpis_and_timeline(app):
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Productions"] == "20"
    assert int(metrics["As-planned conflicts"]) > 0
    booked, available = metrics["Peak stage occupancy"].split(" / ")
    assert int(booked) > 0 and int(available) >= 12
    assert len(app.get("plotly_chart")) == 1


def test_capacity_page_filters_by_kind(app, sample_data):
    app.switch_page("app_pages/capacity.py").run()
    assert not app.exception
    assert len(app.get("plotly_chart")) == 2
    app.multiselect(key="capacity_kinds").set_value([]).run()
    assert len(app.get("plotly_chart")) == 1
    assert "Choose at least one" in app.info[0].value
    app.multiselect(key="capacity_kinds").set_value(["crew"]).run()
    assert len(app.get("plotly_chart")) == 2
    pick = app.selectbox(key="capacity_pool")
    util = utilization(sample_data, planned_schedule(sample_data))
    assert pick.value == util.groupby("resource_id")["over"].sum().idxmax()  # the most over-booked first
    pick.set_value("POST-MIX").run()
    assert not app.exception and len(app.get("plotly_chart")) == 2


def test_conflicts_page_lists_conflicts_and_filters(app):
    app.switch_page("app_pages/conflicts.py").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert len(table) == int(app.metric[0].value)
    assert {"crew", "stage class"} <= set(table["kind"])
    app.multiselect(key="conflict_kinds").set_value(["crew"]).run()
    assert set(app.dataframe[0].value["kind"]) == {"crew"}


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
    problems = app.dataframe[1].value
    assert problems[["table", "row", "column"]].values.tolist() == [["phases", "P01/prep", "duration_weeks"]]
    assert app.metric[0].value == "20"


def test_data_page_loads_a_good_upload(app, tmp_path):
    write_slate(make_slate(12, seed=5), tmp_path / "new")
    app.switch_page("app_pages/data.py").run()
    uploader = app.file_uploader(key="upload_files")
    for path in sorted((tmp_path / "new").iterdir()):
        uploader.upload(path.name, path.read_bytes())
    app.button[0].click().run()
    assert not app.exception
    assert app.metric[0].value == "12"
    assert "Loaded 12 productions" in app.success[0].value
    app.switch_page("app_pages/slate.py").run()
    assert {m.label: m.value for m in app.metric}["Productions"] == "12"


def test_cashflow_page_kpis_agree_with_the_cash_flow(app, sample_data):
    from planning.cashflow import cashflow, funding_need, position

    app.switch_page("app_pages/cashflow.py").run()
    assert not app.exception
    flows = cashflow(sample_data, planned_schedule(sample_data))
    need = funding_need(position(flows, sample_data.settings))
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Spend"] == f"{sample_data.budget_lines['amount'].sum() / 1e6:,.1f}M USD"
    assert metrics["Peak funding need"] == f"{need.peak_need / 1e6:,.1f}M USD"
    assert len(app.get("plotly_chart")) == 2 and len(app.get("download_button")) == 4
    app.selectbox(key="cash_period").set_value("quarter").run()
    app.radio(key="cash_by").set_value("production").run()
    assert not app.exception
