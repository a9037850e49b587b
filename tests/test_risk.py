"""Samples of a plan: exact when nothing is uncertain, delays push successors by exactly their
length, the same seed gives the same numbers."""

from __future__ import annotations

import pandas as pd

from planning.data.inputs import planned_schedule
from planning.data.validate import check
from planning.risk.simulate import deliveries, draw, overbooking

from factory import demand, frames, monday, phase, production, resource


def test_with_nothing_uncertain_every_sample_is_the_plan(sample_data):
    tables = sample_data.tables()
    tables["phases"] = tables["phases"].drop(columns="seq").assign(duration_low_weeks=None, duration_high_weeks=None)
    tables["productions"] = tables["productions"].assign(status="greenlit", greenlight_probability=None)
    tables["risks"] = tables["risks"].iloc[:0]
    data, problems = check(tables)
    assert not problems
    plan = planned_schedule(data)
    s = draw(data, plan, samples=50, seed=3)
    planned = plan.set_index(["production_id", "phase_id"]).loc[list(zip(s.phases["production_id"],
                                                                          s.phases["phase_id"]))]
    assert (s.start == planned["start_week"].to_numpy()).all() and s.goes.all()
    finish = plan.groupby("production_id")["end_week"].max().reindex(s.productions).to_numpy()
    assert (s.finish == finish).all()


def test_a_certain_delay_moves_successors_and_delivery_by_exactly_its_length():
    raw = frames([production("A", target_delivery=monday(12))],
                 [phase("A", "prep", 2, 0, kind="prep"), phase("A", "shoot", 3, 2), phase("A", "post", 4, 5,
                                                                                         kind="post")],
                 [resource("GE")], [demand("A", "shoot", "GE")])
    raw["risks"] = pd.DataFrame([dict(production_id="A", phase_id="shoot", name="rain", kind="weather",
                                      probability=1.0, delay_low_weeks=3, delay_high_weeks=3, extra_cost_low=0.0,
                                      extra_cost_high=0.0)])
    data, problems = check(raw)
    assert not problems
    s = draw(data, planned_schedule(data), samples=20, seed=1)
    assert (s.start[:, 2] == 5 + 3).all() and (s.finish[:, 0] == 9 + 3).all()     # post and delivery: +3 weeks
    assert (s.start[:, 1] == 2).all()                                                # the delayed phase's start holds
    out = deliveries(data, s).iloc[0]
    assert (out["p50_week"], out["p90_week"], out["miss_target"]) == (12, 12, 0.0)   # lands on its target week


def test_same_seed_same_samples_and_development_goes_ahead_at_its_odds(sample_data):
    plan = planned_schedule(sample_data)
    a, b = draw(sample_data, plan, 400, seed=11), draw(sample_data, plan, 400, seed=11)
    assert (a.start == b.start).all() and (a.goes == b.goes).all()
    odds = sample_data.productions.set_index("production_id")["greenlight_probability"]
    went = pd.Series(a.goes.mean(axis=0), index=a.productions)
    for pid, p in odds.dropna().items():
        assert abs(went[pid] - p) < 0.08, (pid, went[pid], p)
    assert went[odds.isna().reindex(went.index)].eq(1.0).all()


def test_overbooking_is_certain_where_the_plan_is_short_and_absent_where_it_is_not():
    raw = frames([production("A"), production("B")], [phase("A", "shoot", 4, 0), phase("B", "shoot", 4, 2)],
                 [resource("GE", capacity=1)], [demand("A", "shoot", "GE"), demand("B", "shoot", "GE")])
    data, problems = check(raw)
    assert not problems
    out = overbooking(data, draw(data, planned_schedule(data), samples=10, seed=0)).set_index(["resource_id", "week"])
    assert [out.at[("GE", w), "p_short"] for w in range(7)] == [0, 0, 1, 1, 0, 0, 0]   # weeks 2-3 both hold it
    assert out.at[("GE", 2), "expected_short"] == 1
