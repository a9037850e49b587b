"""The benchmark inputs: PSPLIB instances read and converted faithfully, slates generated alike."""

from pathlib import Path

import pandas as pd
from benchmarks.psplib import optima, read_sm, to_slate
from benchmarks.slates import slate, tables
from planning.optimizer import PlanOptions, plan
from planning.plan import from_result

FOLDER = Path(__file__).resolve().parent / "data" / "psplib"  # PSPLIB j30 instances and their proven optima


def test_psplib_instance_read_as_written():
    inst = read_sm(FOLDER / "j301_1.sm")
    assert len(inst.durations) == 32 and inst.capacities == [12, 13, 4, 12]   # RESOURCEAVAILABILITIES
    assert inst.durations[2] == 8 and inst.durations[1] == inst.durations[32] == 0
    assert inst.successors[1] == [2, 3, 4] and inst.successors[8] == [12, 19, 27] and inst.successors[32] == []
    assert inst.requests[3] == [10, 0, 0, 0] and inst.requests[6] == [0, 0, 0, 8]


def test_psplib_solved_plan_keeps_precedence_and_capacity():
    inst = read_sm(FOLDER / "j301_1.sm")
    data = to_slate(inst)                                    # validates clean, or raises
    assert len(data.phases) == 30 and set(data.resources["hire_max_units"]) == {0}
    result = plan(data, PlanOptions(time_limit=20))          # as `slate solve` runs it
    assert result.parts["moves"] == 0                       # undated phases: nothing to move from
    sched = from_result(data, result).schedule.set_index("phase_id")
    for job, succ in inst.successors.items():
        for s in succ:
            if inst.durations[job] and inst.durations[s]:
                assert sched.at[f"j{s}", "start_week"] >= sched.at[f"j{job}", "end_week"]
    weeks = int(sched["end_week"].max())
    load = {}
    for job in (j for j, d in inst.durations.items() if d):
        for w in range(sched.at[f"j{job}", "start_week"], sched.at[f"j{job}", "end_week"]):
            load[w] = [a + b for a, b in zip(load.get(w, [0, 0, 0, 0]), inst.requests[job])]
    assert all(u <= c for week in load.values() for u, c in zip(week, inst.capacities))
    util = from_result(data, result).utilization
    assert (util["demand"] <= util["capacity"]).all() and util["hired"].sum() == 0
    assert weeks >= optima(FOLDER)["j301_1"]                 # never better than the proven optimum


def test_benchmark_slates_are_deterministic_and_sized():
    a, b = tables(10), tables(10)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert len(slate(10).productions) == 10
    assert not tables(10, seed=1)["phases"].equals(a["phases"])


def test_forward_backward_improvement_keeps_every_rule_and_never_lengthens():
    """``justify`` on serial schedules of a PSPLIB network (random priority orders): the result
    keeps every link and every capacity, and its makespan is never longer than the input's."""
    import numpy as np

    from planning.optimizer.candidates import build_candidates, cell_load
    from planning.optimizer.starts import justify, serial_schedule

    inst = read_sm(FOLDER / "j301_1.sm")
    cands = build_candidates(to_slate(inst), PlanOptions())
    first = cands.combos.groupby("unit")["combo"].min().to_numpy()
    last = cands.combos.groupby("unit")["combo"].max().to_numpy() + 1
    combos = cands.combos.set_index("combo")
    rng = np.random.default_rng(7)
    shorter = 0
    for _ in range(10):
        before = serial_schedule(cands, rng.permutation(len(cands.units)), first, last)
        after = justify(cands, before)
        assert combos.loc[after, "end_week"].max() <= combos.loc[before, "end_week"].max()
        shorter += combos.loc[after, "end_week"].max() < combos.loc[before, "end_week"].max()
        assert (cell_load(cands, after) <= cands.capacity.ravel()).all()
        start = dict(zip(combos.loc[after, "unit"], combos.loc[after, "start_week"]))
        for r in cands.links.itertuples(index=False):
            assert start[r.after_unit] >= start[r.before_unit] + r.before_duration + r.min_lag
    assert shorter > 0                                         # it does shorten some of them
