"""The benchmark inputs: PSPLIB instances read and converted faithfully, slates generated alike."""

from pathlib import Path

import pandas as pd
from benchmarks.psplib import optima, read_sm, to_slate
from benchmarks.slates import slate, tables
from planning.candidates import PlanOptions, Weights
from planning.solve import plan

FOLDER = Path(__file__).resolve().parent / "data" / "psplib"  # one PSPLIB j30 instance and its proven optimum


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
    result = plan(data, PlanOptions(time_limit=20, gap=0.0, free_phases=True,
                                    weights=Weights(move_cost_per_week=0)))
    sched = result.frames["schedule"].set_index("phase_id")
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
    util = result.frames["utilization"]
    assert (util["demand"] <= util["capacity"]).all() and util["hired"].sum() == 0
    assert weeks >= optima(FOLDER)["j301_1"]                 # never better than the proven optimum


def test_benchmark_slates_are_deterministic_and_sized():
    a, b = tables(10), tables(10)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert len(slate(10).productions) == 10
    assert not tables(10, seed=1)["phases"].equals(a["phases"])
