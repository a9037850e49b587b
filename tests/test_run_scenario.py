"""run_scenario and `slate scenario`: overrides change the optimized plan as they should."""

import json

import pandas as pd
import pytest

from planning.optimizer import PlanOptions
from planning.cli import main
from planning.scenarios.types import CapacityChange, Scenario, StageChange
from planning.scenarios.run import plan_options, run_scenario

from factory import demand, frames, monday, phase, production, resource, slate

OPTIONS = PlanOptions(time_limit=20, gap=0.0)


def crowded():
    """Three productions that must all shoot weeks 0-3 on a stage of >= 20k sq ft; the lot has two."""
    prods = [production(p, latest_start=monday(0), target_delivery=monday(4)) for p in "ABC"]
    phases = [phase(p, "shoot", 4, 0) for p in "ABC"]
    res = [resource("S1", "stage", size=20_000), resource("S2", "stage", size=20_000),
           resource("GE", capacity=3, hire_cost_per_week=10.0, hire_max_units=1)]
    dem = [demand(p, "shoot", min_size=20_000) for p in "ABC"] + [demand(p, "shoot", "GE") for p in "ABC"]
    return prods, phases, res, dem


def test_a_third_stage_resolves_the_shortfall():
    data = slate(*crowded())
    base = run_scenario(data, Scenario("base"), OPTIONS)
    more = run_scenario(data, Scenario("more", stages=(StageChange(20_000, 1),), added_costs={"stage": 1_000.0}),
                        OPTIONS)
    assert base.kpis["conflicts_as_planned"] == 1 and more.kpis["conflicts_as_planned"] == 0
    short = base.conflicts
    assert short["resource_id"].tolist() == ["stages>=20000"] and short["unit_weeks"].sum() == 4
    assert short["fix"].iloc[0] == "add 1 stage of at least 20,000 sq ft"
    assert more.conflicts.empty and more.origin.solver["shortfall_unit_weeks"] == 0 == more.kpis["unit_weeks_short"]
    assert base.origin.solver["shortfall_unit_weeks"] == 4 == base.kpis["unit_weeks_short"]
    assert base.origin.solver["shortfall_least_possible"] == 4
    assert (base.origin.kind, base.origin.name, more.origin.name) == ("scenario", "base", "more")
    # The third stage is not free: its rent over the 52-week horizon is in the comparison.
    assert base.kpis["added_capacity_cost"] == 0 and more.kpis["added_capacity_cost"] == 52 * 1_000.0
    assert more.kpis["total_cost"] == pytest.approx(more.origin.solver["objective"] + 52_000.0)
    held = more.allocation
    held = held[held["resource_id"].str.startswith(("S", "WHATIF"))]
    assert held.groupby(["resource_id", "week"])["units"].sum().max() == 1  # one production per stage-week


def test_fewer_crews_without_hire_leave_a_named_shortfall_and_same_input_same_result():
    data = slate(*crowded())
    scenario = Scenario("tight", capacity=(CapacityChange("GE", delta=-1),), stages=(StageChange(20_000, 1),),
                        hire_allowed=False)
    one, two = run_scenario(data, scenario, OPTIONS), run_scenario(data, scenario, OPTIONS)
    util = one.utilization.set_index(["resource_id", "week"])
    assert util.loc[("GE", 0), "capacity"] == 2 and util.loc[("GE", 0), "hired"] == 0
    assert one.conflicts["resource_id"].tolist() == ["GE"]
    for name, frame in one.frames().items():
        pd.testing.assert_frame_equal(frame, two.frames()[name], obj=name)
    assert one.kpis == two.kpis


def test_weights_reach_the_optimizer_options():
    opts = plan_options(Scenario("w", weights={"lateness": 2.0, "moves": 50.0}, hire_allowed=False))
    assert opts.weights.move_cost_per_week == 50.0 and not opts.hire_allowed
    assert opts.weights.priority_factors == tuple(2 * f for f in PlanOptions().weights.priority_factors)


def test_cli_runs_lists_shows_and_exports(tmp_path, capsys):
    folder = tmp_path / "slate"
    folder.mkdir()
    for name, frame in frames(*crowded()).items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    store = str(tmp_path / "scenarios.duckdb")
    assert main(["scenario", "run", str(folder), "--name", "third stage", "--stages", "20000:1",
                 "--capacity", "GE:-1@0-1", "--no-hire", "--time-limit", "20", "--store", store]) == 0
    assert "saved 'third stage'" in capsys.readouterr().out
    assert main(["scenario", "list", "--store", store]) == 0
    listed = capsys.readouterr().out
    assert "third stage" in listed and "best possible plan" in listed      # the saved plan's verdict
    assert main(["scenario", "show", "third stage", "--store", store]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["overrides"]["stages"] == [{"size": 20000.0, "count": 1}]
    assert shown["overrides"]["capacity"][0] == {"resource_id": "GE", "delta": -1, "pct": 0.0, "first_week": 0,
                                                 "last_week": 1}
    assert main(["scenario", "export", "third stage", "--out", str(tmp_path / "out"), "--store", store]) == 0
    schedule = pd.read_csv(tmp_path / "out" / "schedule.csv")
    assert sorted(schedule["production_id"]) == ["A", "B", "C"]
    assert main(["scenario", "show", "nope", "--store", store]) == 1
    assert "no scenario named 'nope'" in capsys.readouterr().err


def test_cli_solve_writes_the_plan_and_says_how_good_it_is(tmp_path, capsys):
    folder = tmp_path / "slate"
    folder.mkdir()
    for name, frame in frames(*crowded()).items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    assert main(["solve", str(folder), "--out", str(tmp_path / "plan"), "--time-limit", "20"]) == 0
    said = capsys.readouterr().out
    summary = json.loads((tmp_path / "plan" / "summary.json").read_text())
    assert said.startswith(summary["verdict"]) and "optimal" not in said       # plain words, not solver status
    assert summary["origin"]["kind"] == "optimized" and summary["kpis"]["conflicts"] == 1
    assert summary["status"] == "optimal" and summary["shortfall_unit_weeks"] == summary["shortfall_least_possible"]
    assert "unit-weeks short (proven least possible)" in summary["verdict"]    # three shoots, two stages
    assert set(summary["parts"]) == {"hire", "lateness", "moves"}
    assert summary["objective"] == pytest.approx(sum(summary["parts"].values()))
    assert summary["bound"] <= summary["objective"] and 0 <= summary["gap"] <= 0.01
    schedule = pd.read_csv(tmp_path / "plan" / "schedule.csv")
    assert sorted(schedule["production_id"]) == ["A", "B", "C"]
    conflicts = pd.read_csv(tmp_path / "plan" / "conflicts.csv")
    assert conflicts["resource_id"].tolist() == ["stages>=20000"] and conflicts["unit_weeks"].sum() == 4


@pytest.mark.parametrize("change", [
    Scenario("stage added", stages=(StageChange(30_000, 1),)),
    Scenario("crews cut", capacity=(CapacityChange("CREW-GE", delta=-2),)),
    Scenario("no hire-in", hire_allowed=False),
], ids=lambda s: s.name)
def test_a_quick_what_if_is_never_worse_than_the_baseline_plan(sample_data, change):
    """The quick answer (the What-if page's quick search, from the baseline plan) costs no more
    than the baseline's own dates do under the change, when those dates are still a plan there:
    least shortfall first, then money, both costed by the optimizer's own measure."""
    from planning.optimizer.candidates import build_candidates, money
    from planning.optimizer.stages import stage_tiers, start_cost
    from planning.optimizer.starts import from_schedule
    from planning.scenarios.apply import apply

    base = run_scenario(sample_data, Scenario("baseline"), PlanOptions(time_limit=10))
    starts = base.schedule[["production_id", "phase_id", "start_week"]]
    from dashboard.state import WHATIF_OPTIONS

    quick = run_scenario(sample_data, change, WHATIF_OPTIONS, start=starts)
    data = apply(sample_data, change)
    options = plan_options(change)
    cands = build_candidates(data, options)
    none = -pd.Series(range(len(cands.units))).to_numpy() - 1
    mapped = from_schedule(cands, starts, none)
    assert (mapped >= 0).all()                                  # the baseline's dates are a plan here
    cost = start_cost(cands, stage_tiers(cands, data), mapped)
    s = quick.origin.solver
    assert (s["shortfall_unit_weeks"], s["objective"]) <= (cost["shortfall"], money(cost) + 1e-6)


def test_a_person_unavailable_over_their_booking_is_replanned_out_of_the_gap(sample_data):
    """Maya Okafor (TAL-DIR) directs P06 and P11 (neither has started by the sample's report date; Leo
    Marsh's shoots have: P05's runs, P07's is pinned by its running prep); making her unavailable in
    the first two weeks of the baseline's P11 shoot moves that shoot out of the gap, and every shoot
    that needs her then runs inside her one window (2027-07-19 .. 2028-03-05) and clear of the gap,
    checked on dates."""
    from dashboard.state import WHATIF_OPTIONS
    from planning.scenarios.types import AvailabilityChange

    base = run_scenario(sample_data, Scenario("baseline"), WHATIF_OPTIONS)
    shoot = base.schedule.set_index(["production_id", "phase_id"]).loc[("P11", "shoot")]
    gap_from, gap_to = shoot["start"], shoot["start"] + pd.Timedelta(days=13)
    change = Scenario("director away", availability=(AvailabilityChange("TAL-DIR", off_from=str(gap_from.date()),
                                                                        off_to=str(gap_to.date())),))
    new = run_scenario(sample_data, change, WHATIF_OPTIONS, start=base.schedule)
    dem = sample_data.demands
    needs = dem.loc[dem["resource_id"] == "TAL-DIR", ["production_id", "phase_id"]]
    assert sorted(needs["production_id"]) == ["P06", "P11"]
    runs = new.schedule.merge(needs, on=["production_id", "phase_id"])
    assert len(runs) == 2
    for r in runs.itertuples():
        last_day = r.end - pd.Timedelta(days=1)
        assert last_day < gap_from or r.start > gap_to, (r.production_id, r.start, r.end)
        assert pd.Timestamp("2027-07-19") <= r.start and last_day <= pd.Timestamp("2028-03-05")
    moved = runs.set_index("production_id").at["P11", "start"]
    assert moved != shoot["start"]
    assert not (new.conflicts["resource_id"] == "TAL-DIR").any()
    assert new.origin.solver["shortfall_unit_weeks"] <= base.origin.solver["shortfall_unit_weeks"]
