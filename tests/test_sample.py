"""The bundled sample slate: deterministic, committed in sync, and shaped like a real studio slate."""

import pandas as pd
import pytest

from planning.access import local_operator
from planning.cli import main
from planning.sample import SAMPLE_AS_OF, WEEKLY_ACCOUNTS, make_slate, write_slate
from planning.data.store import Store, load_folder

from conftest import SAMPLE


def test_generator_is_deterministic_and_committed_copy_is_current(tmp_path):
    assert main(["sample", "--out", str(tmp_path)]) == 0
    for name, frame in make_slate(as_of=SAMPLE_AS_OF).items():
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
    write_slate(make_slate(40, seed=3, as_of=SAMPLE_AS_OF), tmp_path / "under way")
    assert load_folder(tmp_path / "under way").actuals["production_id"].nunique() >= 5


def test_without_as_of_the_generator_plans_from_the_horizon_start(tmp_path):
    """What the benchmarks and most tests build on keeps its figures: no report date, no actual dates,
    no actuals; ``slate sample --snapshot`` writes it."""
    frames = make_slate(12, seed=5)
    assert "as_of" not in frames["settings"] and "actual_start" not in frames["phases"]
    assert "actuals" not in frames and "basis" not in frames["budget_lines"]
    assert main(["sample", "--productions", "12", "--seed", "5", "--snapshot", "--out", str(tmp_path)]) == 0
    data = load_folder(tmp_path)
    assert data.settings.as_of is None and data.actuals.empty and data.phases["actual_start"].isna().all()


def test_the_sample_is_under_way_on_its_report_date(sample_data):
    """The bundled sample on 5 April 2027 (week 13): phases before it started (the two productions
    that started last a week late), some done and some running; P02's shoot, planned to end on 28
    March, still runs, two weeks long, its post and delivery planned two weeks later; its weekly
    lines (crew, stage) paid for 14 of their 13 weeks; actuals of every production that has started,
    a refund, open purchase orders and two estimates."""
    d = sample_data
    assert d.settings.as_of == pd.Timestamp("2027-04-05") and d.settings.now_week == 13
    ph = d.phases.set_index(["production_id", "phase_id"])
    started = ph[ph["actual_start"].notna()]
    assert (ph.loc[ph["planned_start"] < d.settings.as_of, "actual_start"].notna()).all()
    assert (started["actual_start"] <= d.settings.as_of).all()
    assert (started["actual_end"].dropna() < d.settings.as_of).all()
    late = started[started["actual_start"] > started["planned_start"]]
    assert set(late.index.get_level_values(0)) == {"P04", "P07"}             # the two that started last
    assert ((late["actual_start"] - late["planned_start"]) == pd.Timedelta(weeks=1)).all()
    done, running = started[started["actual_end"].notna()], started[started["actual_end"].isna()]
    assert len(done) == 6 and len(running) == 7
    assert ph.loc[("P01", "shoot"), "actual_end"] == pd.Timestamp("2027-04-04")       # wrapped on time, yesterday
    assert ph.loc[("P03", "post"), "actual_start"] == pd.Timestamp("2027-03-01")      # in post
    shoot = ph.loc[("P02", "shoot")]
    assert shoot["actual_start"] == pd.Timestamp("2026-12-28") and pd.isna(shoot["actual_end"])
    planned_end = shoot["planned_start"] + pd.Timedelta(weeks=int(shoot["duration_weeks"]))
    assert planned_end == pd.Timestamp("2027-03-29")                                   # 13 weeks: ended 28 March
    assert ph.loc[("P02", "post"), "planned_start"] == pd.Timestamp("2027-04-12")    # two weeks after that
    lines = d.budget_lines.set_index(["production_id", "account"])
    assert set(lines.loc[lines["basis"] == "weekly"].index.get_level_values(1)) == set(WEEKLY_ACCOUNTS)
    assert (lines.loc[lines["basis"] != "weekly", "basis"] == "fixed").all()
    act = d.actuals[d.actuals["kind"] == "actual"]
    assert set(act["production_id"]) == set(started.index.get_level_values(0))
    assert (act["posted"] < d.settings.as_of).all()
    # P02's stage rent: weekly, 14 weeks paid (28 Dec to 2 Apr) of a 13-week shoot.
    rent = act[(act["production_id"] == "P02") & (act["account"] == "3800")]
    assert len(rent) == 14 and rent["posted"].min() == pd.Timestamp("2027-01-01")
    assert rent["amount"].sum() == pytest.approx(lines.loc[("P02", "3800"), "amount"] * 14 / 13, abs=0.02)
    refunds = act[act["amount"] < 0]
    assert refunds[["production_id", "account"]].values.tolist() == [["P03", "3600"]]
    committed = d.actuals[d.actuals["kind"] == "committed"]
    assert len(committed) == 7 and (committed["amount"] > 0).all()
    assert d.estimates[["production_id", "account"]].values.tolist() == [["P03", "5300"], ["P01", "2300"]]


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
