"""Samples of a plan: exact when nothing is uncertain, delays push successors by exactly their
length, money conserved in every sample, a driver's effect measured with every other draw the
same, re-planning keeps what has begun, and the same seed gives the same numbers on this process,
local processes and a Dask cluster."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planning.analysis.capacity import allocation, utilization
from planning.data.inputs import planned_schedule
from planning.data.progress import from_as_of
from planning.data.validate import check
from planning.finance.flows import cashflow, position
from planning.risk import results
from planning.risk.inputs import prepare
from planning.risk.outcomes import evaluate
from planning.risk.run import RiskOptions, plain_main, run
from planning.risk.simulate import draw

from factory import budget, demand, frames, monday, phase, production, resource


def certain(sample_data):
    """The sample slate with every probability 0 (or 1 for greenlit) and every range collapsed."""
    tables = sample_data.tables()
    tables["phases"] = tables["phases"].drop(columns="seq").assign(duration_low_weeks=None, duration_high_weeks=None)
    tables["productions"] = tables["productions"].assign(status="greenlit", greenlight_probability=None)
    tables["risks"] = tables["risks"].iloc[:0]
    data, problems = check(tables)
    assert not problems
    return data


def risk(pid, phase_id, p, low, high, cost_low=0.0, cost_high=0.0, name="rain"):
    return dict(production_id=pid, phase_id=phase_id, name=name, kind="weather", probability=p,
                delay_low_weeks=low, delay_high_weeks=high, extra_cost_low=cost_low, extra_cost_high=cost_high)


def test_with_nothing_uncertain_every_sample_is_the_plan(sample_data):
    data = certain(sample_data)                         # under way: its plan from the report week, its actuals
    plan = planned_schedule(from_as_of(data))
    inputs = prepare(data, plan)
    s = draw(inputs, 20, seed=3)
    out, _ = evaluate(inputs, s)
    assert (s.start == inputs.planned).all() and s.goes.all() and (s.extra == 0).all()
    finish = plan.groupby("production_id")["end_week"].max().reindex(inputs.productions).to_numpy()
    assert (out.finish == finish).all()
    weekly = position(cashflow(data, plan), data.settings).set_index("week")
    cents = np.rint(weekly["net"] * 100).astype(np.int64)
    net = pd.Series(out.net[0], index=range(out.w0, out.w0 + out.net.shape[1]))
    assert net.reindex(cents.index, fill_value=0).equals(cents) and net.drop(cents.index, errors="ignore").eq(0).all()
    assert (out.net == out.net[0]).all()
    util = utilization(data, allocation(data, plan))
    pools = util[~util["kind"].isin(["stage", "stage class"])]          # every named pool, people and places too
    short = pools["shortfall"].sum()
    assert (out.unit_weeks_short == short).all() and short > 0          # the plan's own pool shortfall, every sample
    hired = (pools["hired"] * pools["resource_id"].map(data.resources.set_index("resource_id")["hire_cost_per_week"])
             .astype(float).fillna(0)).sum()
    assert out.hire_cost == pytest.approx(np.full(20, hired))


def delayed_slate(probability=1.0, low=3, high=3, lag=0):
    raw = frames([production("A", target_delivery=monday(12))],
                 [phase("A", "prep", 2, 0, kind="prep"), phase("A", "shoot", 3, 2), phase("A", "post", 4, 5 + lag,
                                                                                         kind="post")],
                 [resource("GE")], [demand("A", "shoot", "GE")],
                 budget_lines=[budget("A", "2000", 9000.0, "shoot"), budget("A", "5000", 4000.0, "post",
                                                                             curve="back", payment_lag_weeks=2)],
                 links=[("A", "prep", "shoot", 0, None), ("A", "shoot", "post", lag, None)])
    raw["risks"] = pd.DataFrame([risk("A", "shoot", probability, low, high, 500.0, 1500.0)])
    data, problems = check(raw)
    assert not problems
    return data


def test_a_certain_delay_moves_successors_and_delivery_by_exactly_its_length():
    data = delayed_slate()
    inputs = prepare(data, planned_schedule(data))
    s = draw(inputs, 20, seed=1)
    assert (s.start[:, 2] == 5 + 3).all() and (s.start[:, 1] == 2).all()          # post moves, the shoot holds
    out, _ = evaluate(inputs, s)
    assert (out.finish[:, 0] == 9 + 3).all() and (out.late[:, 0] == 0).all()     # lands on its target week
    row = results.deliveries(data, run(data, planned_schedule(data), RiskOptions(samples=20, seed=1))).iloc[0]
    assert (row["p50_week"], row["p90_week"], row["miss_target"]) == (12, 12, 0.0)


def test_slack_absorbs_a_delay_up_to_its_length():
    data = delayed_slate(low=2, high=2)
    tables = data.tables()
    tables["phases"] = tables["phases"].drop(columns="seq")
    tables["phases"].loc[tables["phases"]["phase_id"] == "post", "planned_start"] = pd.Timestamp(monday(9))
    data, problems = check(tables)                                    # post planned 4 weeks after the shoot ends
    assert not problems
    inputs = prepare(data, planned_schedule(data))
    s = draw(inputs, 5, seed=2)
    assert (s.start[:, 2] == 9).all()                                 # 2 weeks late into 4 weeks of slack: no move


def test_money_is_conserved_in_every_sample(sample_data):
    inputs = prepare(sample_data, planned_schedule(from_as_of(sample_data)))
    s = draw(inputs, 200, seed=5)
    out, _ = evaluate(inputs, s)
    # Under way: every cent paid by the report date, in every sample, and every cent each phase still
    # costs at its drawn length where its production goes ahead, once.
    to_come = inputs.spend[np.arange(len(inputs.duration))[None, :], s.duration].sum(axis=2)
    assert (out.spend == -(inputs.actual_cents.sum() + (to_come * s.goes[:, inputs.prod_of]).sum(axis=1))).all()
    assert inputs.actual_cents.sum() > 0 and len(set(out.spend)) > 1
    assert (out.incentive == (s.goes * inputs.incentive).sum(axis=1)).all()
    goes = s.goes[:, inputs.prod_of]
    assert (out.extra == -(s.extra * goes).sum(axis=1)).all() and (out.extra < 0).any()
    assert (out.net.sum(axis=1) == out.spend + out.extra + out.incentive + out.financing).all()
    assert (out.financing < 0).all() and (~s.goes).any()
    assert (np.cumsum(out.net, axis=1)[:, -1] == -out.cost).all()


def test_a_slate_not_under_way_pays_every_budget_cent_once_in_every_sample():
    from planning.sample import make_slate

    data, problems = check(make_slate(8, seed=3))
    assert not problems and not data.settings.as_of
    inputs = prepare(data, planned_schedule(data))
    s = draw(inputs, 100, seed=5)
    out, _ = evaluate(inputs, s)
    assert (out.spend == -(s.goes * inputs.budget).sum(axis=1)).all() and (~s.goes).any()


def test_development_goes_ahead_at_its_odds_and_not_at_all_below_the_threshold(sample_data):
    plan = planned_schedule(sample_data)
    odds = sample_data.productions.set_index("production_id")["greenlight_probability"]
    inputs = prepare(sample_data, plan)
    went = pd.Series(draw(inputs, 2000, seed=11).goes.mean(axis=0), index=inputs.productions)
    for pid, p in odds.dropna().items():
        assert abs(went[pid] - p) < 0.04, (pid, went[pid], p)
    assert went[odds.isna().reindex(went.index)].eq(1.0).all()
    high = pd.Series(draw(prepare(sample_data, plan, threshold=0.6), 500, seed=11).goes.mean(axis=0),
                     index=inputs.productions)
    assert high[odds[odds < 0.6].index].eq(0).all() and high[odds[odds >= 0.6].index].gt(0).all()


def test_overbooking_is_certain_where_the_plan_is_short_and_absent_where_it_is_not():
    raw = frames([production("A"), production("B")], [phase("A", "shoot", 4, 0), phase("B", "shoot", 4, 2)],
                 [resource("GE", capacity=1)], [demand("A", "shoot", "GE"), demand("B", "shoot", "GE")])
    data, problems = check(raw)
    assert not problems
    m = run(data, planned_schedule(data), RiskOptions(samples=10, seed=0))
    out = results.overbooking(data, m).set_index(["resource_id", "week"])
    assert [out.at[("GE", w), "p_short"] for w in range(7)] == [0, 0, 1, 1, 0, 0, 0]   # weeks 2-3 both hold it
    assert out.at[("GE", 2), "expected_short"] == 1


def test_a_certain_risk_ranks_first_and_switching_it_off_removes_exactly_its_delay():
    data = delayed_slate()
    tables = data.tables()
    tables["phases"] = tables["phases"].drop(columns="seq")
    tables["risks"] = pd.concat([tables["risks"], pd.DataFrame([risk("A", "post", 0.0, 1, 5, name="never")])])
    data, problems = check(tables)
    assert not problems
    ranked = results.ranked_risks(data, run(data, planned_schedule(data), RiskOptions(samples=50, seed=4)))
    assert list(ranked["driver"]) == ["rain", "never"]
    assert ranked.iloc[0]["p90_delivery_weeks"] == 3 and ranked.iloc[1]["p90_delivery_weeks"] == 0
    assert ranked.iloc[0]["p90_net_cost"] >= 500


def test_switching_a_driver_off_equals_drawing_without_it(sample_data):
    from planning.risk.outcomes import evaluate_switched
    from planning.risk.run import drivers

    inputs = prepare(sample_data, planned_schedule(sample_data))
    s = draw(inputs, 60, seed=8, chunk=2)
    _, parts = evaluate(inputs, s)
    takers = [i for i in range(len(inputs.risks)) if inputs.risk_resource[i] >= 0]
    assert inputs.risks.loc[takers, "resource_id"].tolist() == ["TAL-STAR", "LOC-HARBOUR"]
    for kind, i in drivers(inputs):
        off = draw(inputs, 60, seed=8, chunk=2, off=(kind, i))
        if kind == "risk" and i in takers:     # a lost person or place moves other productions too: run.py evaluates in full
            continue
        k = i if kind == "production" else int(inputs.prod_of[inputs.risk_phase[i]])
        quick, full = evaluate_switched(inputs, s, parts, off, k), evaluate(inputs, off)[0]
        for name in ("finish", "peak_need", "cost", "unit_weeks_short", "stage_weeks_short", "hire_cost"):
            assert np.array_equal(getattr(quick, name), getattr(full, name)), (kind, i, name)
        assert (off.start[:, inputs.prod_of != k] == s.start[:, inputs.prod_of != k]).all()


def clash_slate():
    """A's shoot may run 4 weeks over into B's shoot on the one crew; B can wait."""
    raw = frames([production("A", target_delivery=monday(30)), production("B", target_delivery=monday(30))],
                 [phase("A", "shoot", 4, 0), phase("A", "post", 4, 4, kind="post"),
                  phase("B", "prep", 2, 4, kind="prep"), phase("B", "shoot", 4, 6)],
                 [resource("GE", capacity=1)], [demand("A", "shoot", "GE"), demand("B", "shoot", "GE")],
                 horizon_weeks=40)
    raw["risks"] = pd.DataFrame([risk("A", "shoot", 1.0, 4, 4)])
    data, problems = check(raw)
    assert not problems
    return data


def test_replanning_clears_a_clash_and_keeps_what_has_begun():
    data = clash_slate()
    plan = planned_schedule(data)
    m = run(data, plan, RiskOptions(samples=3, seed=0, replan=True, workers=1))
    assert (m.plan.unit_weeks_short == 2).all()                      # B's shoot (weeks 6-9) meets A's overrun (to 7)
    assert (m.reacted.unit_weeks_short == 0).all()
    inputs = m.inputs
    s = draw(inputs, 3, seed=0)
    from planning.risk.replan import reaction_week, replan
    from planning.optimizer.options import PlanOptions
    for i in range(3):
        week = reaction_week(inputs, s.start[i], s.duration[i], s.goes[i])
        assert week == 4                                             # A's shoot should have ended in week 4
        new = replan(data, inputs, s.start[i], s.duration[i], s.goes[i], PlanOptions())
        begun = s.start[i] < week
        assert (new[begun] == s.start[i][begun]).all()               # A's shoot stays where it began
        assert (new[~begun] >= week).all()                           # nothing new starts in the past
        for j, before in inputs.preds:
            for b, lag in before:
                assert new[j] >= new[b] + s.duration[i][b] + lag     # links hold on the sample's lengths


def test_the_same_seed_gives_the_same_numbers_here_in_processes_and_on_a_dask_cluster(sample_data):
    distributed = pytest.importorskip("distributed")
    plan = planned_schedule(sample_data)
    options = RiskOptions(samples=250, seed=7)
    here = run(sample_data, plan, options)
    local = run(sample_data, plan, RiskOptions(samples=250, seed=7, workers=2))
    with plain_main():           # an AppTest earlier in this process leaves its page as __main__
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                                           dashboard_address=None, processes=True)
    with cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        remote = run(sample_data, plan, RiskOptions(samples=250, seed=7, dask=cluster.scheduler_address))
        replanned = [run(clash_slate(), planned_schedule(clash_slate()),
                         RiskOptions(samples=2, seed=1, replan=True, dask=cluster.scheduler_address))]
    replanned.append(run(clash_slate(), planned_schedule(clash_slate()), RiskOptions(samples=2, seed=1, replan=True,
                                                                                     workers=1)))
    for other in (local, remote):
        assert np.array_equal(here.plan.net, other.plan.net) and np.array_equal(here.plan.finish, other.plan.finish)
        assert np.array_equal(here.plan.short_units, other.plan.short_units)
        for d in here.drivers:
            assert np.array_equal(here.drivers[d]["peak_need"], other.drivers[d]["peak_need"])
        pd.testing.assert_frame_equal(results.ranked_risks(sample_data, here), results.ranked_risks(sample_data, other))
    assert "Dask" in remote.workers and "2 processes on this computer" == local.workers
    assert np.array_equal(replanned[0].reacted.finish, replanned[1].reacted.finish)
    different = run(sample_data, plan, RiskOptions(samples=250, seed=8))
    assert not np.array_equal(here.plan.finish, different.plan.finish)


def test_a_replan_does_not_depend_on_how_fast_the_machine_is(sample_data, monkeypatch):
    from planning.optimizer import stages
    from planning.optimizer.options import PlanOptions
    from planning.risk.replan import replan

    inputs = prepare(sample_data, planned_schedule(sample_data))
    s = draw(inputs, 12, seed=0)                            # its sample 0 needs stage repairs
    calm = replan(sample_data, inputs, s.start[0], s.duration[0], s.goes[0], PlanOptions())
    clock = iter(range(0, 10**9, 10))                       # every reading 10 s after the last: a crawling machine
    monkeypatch.setattr(stages.time, "perf_counter", lambda: float(next(clock)))
    rushed = replan(sample_data, inputs, s.start[0], s.duration[0], s.goes[0], PlanOptions())
    assert (calm == rushed).all() and (calm != s.start[0]).any()


def test_a_run_asking_for_more_samples_than_allowed_is_refused_before_any_work(sample_data, monkeypatch):
    """A forged request cannot tie up the machine: the bound is checked where the samples are drawn."""
    from planning.risk import run as risk_run

    monkeypatch.setattr(risk_run, "prepare", lambda *a, **k: pytest.fail("work started"))
    schedule = planned_schedule(sample_data)
    for options in (risk_run.RiskOptions(samples=risk_run.MAX_SAMPLES + 1),
                    risk_run.RiskOptions(samples=risk_run.MAX_REPLAN_SAMPLES + 1, replan=True),
                    risk_run.RiskOptions(samples=0)):
        with pytest.raises(ValueError, match="samples may be asked for at once"):
            risk_run.run(sample_data, schedule, options)


def person_slate(resource_id="T"):
    """A person T needed by A's shoot (weeks 2-4, then A's post from week 5), B's shoot (weeks 3-4)
    and C's shoot (weeks 0-3); D's shoot (weeks 2-4) needs only a crew. One risk on A's shoot,
    certain, 2 weeks, naming ``resource_id`` (None: the risk delays the shoot as before)."""
    raw = frames([production(p) for p in "ABCD"],
                 [phase("A", "shoot", 3, 2), phase("A", "post", 2, 5, kind="post"), phase("B", "shoot", 2, 3),
                  phase("C", "shoot", 4, 0), phase("D", "shoot", 3, 2)],
                 [resource("T", kind="talent", name="Leo Marsh"), resource("GE", capacity=4)],
                 [demand(p, "shoot", "T") for p in "ABC"] + [demand("D", "shoot", "GE")],
                 links=[("A", "shoot", "post", 0, None)])
    raw["risks"] = pd.DataFrame([{**risk("A", "shoot", 1.0, 2, 2, name="Leo away"), "kind": "talent",
                                  "resource_id": resource_id}])
    data, problems = check(raw)
    assert not problems
    return data


def test_a_risk_naming_a_person_makes_every_phase_that_needs_them_wait_out_the_lost_weeks():
    data = person_slate("T")
    inputs = prepare(data, planned_schedule(data))
    order = list(zip(inputs.phases["production_id"], inputs.phases["phase_id"]))
    assert order == [("A", "shoot"), ("A", "post"), ("B", "shoot"), ("C", "shoot"), ("D", "shoot")]
    s = draw(inputs, 10, seed=5)
    # T is lost in weeks 2-3 (from A's shoot's planned week 2, for 2 weeks):
    # A's shoot (starts week 2) waits to week 4, 3 weeks long; its post follows at 4 + 3 = 7;
    # B's shoot (week 3) waits to week 4; C's shoot (weeks 0-3, running at week 2) stops 2 weeks: 6 long;
    # D's shoot does not need T and keeps week 2.
    assert (s.start == [4, 7, 4, 0, 2]).all() and (s.duration == [3, 2, 2, 6, 3]).all()
    assert (s.lost == 2).all()
    out, _ = evaluate(inputs, s)
    assert (out.finish == [9, 6, 6, 5]).all()
    ranked = results.ranked_risks(data, run(data, planned_schedule(data), RiskOptions(samples=10, seed=5)))
    assert ranked[["driver", "resource"]].values.tolist() == [["Leo away", "Leo Marsh"]]
    assert ranked.at[0, "p90_delivery_weeks"] == (9 - 7) + (6 - 5) + (6 - 4)     # A, B and C later; D not


def test_a_risk_without_a_resource_delays_its_phase_as_before():
    for data in (person_slate(None), ):
        inputs = prepare(data, planned_schedule(data))
        s = draw(inputs, 10, seed=5)
        # A's shoot lasts 3 + 2 weeks; its post follows at 2 + 5 = 7; nobody else moves.
        assert (s.start == [2, 7, 3, 0, 2]).all() and (s.duration == [5, 2, 2, 4, 3]).all()
        assert (s.lost == 0).all() and inputs.risks.at[0, "resource_id"] == ""


def test_replanning_a_lost_person_plans_around_the_lost_weeks():
    from planning.optimizer.options import PlanOptions
    from planning.risk.replan import reaction_week, replan, replanned_slate
    from planning.analysis.capacity import capacity_by_week

    data = person_slate("T")
    inputs = prepare(data, planned_schedule(data))
    s = draw(inputs, 1, seed=5)
    assert reaction_week(inputs, s.start[0], s.duration[0], s.goes[0], s.lost[0]) == 2   # T is lost in week 2
    slate = replanned_slate(data, inputs, s.start[0], s.duration[0], s.goes[0], 2, s.lost[0])
    caps = capacity_by_week(slate).query("resource_id == 'T'").set_index("week")["capacity"]
    assert caps.loc[0:5].tolist() == [1, 1, 0, 0, 1, 1]
    new = replan(data, inputs, s.start[0], s.duration[0], s.goes[0], PlanOptions(), s.lost[0])
    a, b = new[0], new[2]
    assert a >= 4 and b >= 4 and new[3] == 0           # A and B after the lost weeks; C had begun: stays


def test_a_risk_naming_an_unknown_resource_is_refused_by_table_row_and_column():
    raw = frames([production("A")], [phase("A", "shoot", 3, 2)], [resource("T", kind="talent")],
                 [demand("A", "shoot", "T")])
    raw["risks"] = pd.DataFrame([{**risk("A", "shoot", 1.0, 2, 2, name="Leo away"), "resource_id": "NOPE"}])
    _, problems = check(raw)
    assert [(p.table, p.row, p.column) for p in problems] == [("risks", "A/Leo away", "resource_id")]
    assert "NOPE" in problems[0].message
