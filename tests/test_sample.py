"""The bundled sample slate: deterministic, committed in sync, and shaped like a real studio slate."""

import pandas as pd

from planning.access import local_operator
from planning.cli import main
from planning.sample import make_slate, write_slate
from planning.data.store import Store, load_folder

from conftest import SAMPLE


def test_generator_is_deterministic_and_committed_copy_is_current(tmp_path):
    assert main(["sample", "--out", str(tmp_path)]) == 0
    for name, frame in make_slate().items():
        committed = pd.read_parquet(SAMPLE / f"{name}.parquet")
        regenerated = pd.read_parquet(tmp_path / f"{name}.parquet")
        pd.testing.assert_frame_equal(committed, regenerated, obj=name)
        pd.testing.assert_frame_equal(frame.reset_index(drop=True), regenerated, obj=name, check_dtype=False)


def test_a_different_seed_gives_a_different_slate():
    assert not make_slate(seed=1)["phases"].equals(make_slate(seed=2)["phases"])


def test_sample_shape(sample_data):
    d = sample_data
    assert 18 <= len(d.productions) <= 22
    assert set(d.productions["format"]) == {"feature", "series"}
    assert 2 <= d.productions["locked"].sum() <= 4
    stages = d.resources[d.resources["kind"] == "stage"]
    assert len(stages) >= 12 and stages["size"].nunique() >= 3
    assert {"crew", "equipment", "facility"} <= set(d.resources["kind"])
    pools = d.resources["kind"].isin(["crew", "equipment", "facility"])
    assert d.resources.loc[pools, "hire_cost_per_week"].notna().all()
    assert d.resources.loc[~pools, "hire_cost_per_week"].isna().all()         # stages, people, places
    # Shared people and places with dated availability, and one phase with a season window.
    people = d.resources[d.resources["kind"] == "talent"]["resource_id"]
    assert 3 <= len(people) <= 4 and (d.resources["kind"] == "location").sum() == 2
    on = d.demands[d.demands["resource_id"].isin(people)].groupby("resource_id")["production_id"].nunique()
    assert (on == 2).all() and len(on) == len(people)
    assert set(d.availability["resource_id"]) == set(d.resources.loc[~pools & (d.resources["kind"] != "stage"),
                                                                     "resource_id"])
    assert d.phases["window_end"].notna().sum() == 1
    totals = d.budget_lines.groupby("production_id")["amount"].sum()
    assert totals.min() >= 5e6 and totals.max() <= 200e6
    accounts = d.budget_lines["account"].astype(int)
    ranges = {"ATL": (1100, 1999), "BTL_PRODUCTION": (2000, 4999), "BTL_POST": (5000, 5999), "OTHER": (6000, 7999)}
    for section, (lo, hi) in ranges.items():
        assert accounts[d.budget_lines["section"] == section].between(lo, hi).all()
    assert 3 <= len(d.incentives) <= 4 and (d.incentives["discount"] > 0).any()
    shoot = d.phases[d.phases["kind"] == "shoot"]
    features = d.productions.loc[d.productions["format"] == "feature", "production_id"]
    f_shoot = shoot[shoot["production_id"].isin(features)]["duration_weeks"]
    assert f_shoot.between(6, 14).all()
    assert d.settings.horizon_weeks == 104
    # Every production keeps the lags real ones keep: prep runs into its (first) shoot within a week.
    links = d.phase_links
    prep = links[links["before_phase"] == "prep"]
    assert set(prep["production_id"]) == set(d.productions["production_id"])
    assert (prep["max_lag_weeks"] <= 1).all() and prep["after_phase"].isin(["shoot", "shoot_b1"]).all()


def test_larger_slates_validate(tmp_path):
    write_slate(make_slate(40, seed=3), tmp_path)
    data = load_folder(tmp_path)
    assert len(data.productions) == 40


def test_store_round_trip_keeps_types_and_order(tmp_path, sample_data):
    store = Store(tmp_path / "x.duckdb")
    store.save(sample_data, source="sample", actor=local_operator())
    back = store.slate()
    for name, frame in sample_data.tables().items():
        pd.testing.assert_frame_equal(frame.reset_index(drop=True), back.tables()[name].reset_index(drop=True), obj=name)
    assert store.query("SELECT count(*) AS n FROM phases WHERE production_id = ?", ["P01"])["n"].item() == \
        (sample_data.phases["production_id"] == "P01").sum()


def test_docs_data_md_is_generated_from_the_schema():
    from planning.data.schema import to_markdown

    assert (SAMPLE.parents[1] / "docs" / "data.md").read_text() == to_markdown() + "\n"


def test_store_errors_carry_the_sql(tmp_path):
    import pytest

    from planning.data.store import StoreError

    store = Store(tmp_path / "e.duckdb")
    with pytest.raises(StoreError, match="while running: SELECT \\* FROM no_such_table"):
        store.query("SELECT * FROM no_such_table WHERE x = ?", [1])
