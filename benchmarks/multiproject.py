"""Multi-project instances from PSPLIB j30, and their CP-SAT optimum.

    .venv/bin/python benchmarks/multiproject.py [--time-limit 30]   # every instance's CP-SAT optimum

An instance is two or three PSPLIB j30 projects (``benchmarks/psplib.py: read_sm``) that share the
renewable resources R1..R4, each project arriving in a given week. The shared capacity of a
resource is the largest of the projects' own capacities. The objective is the sum over projects of
the week the project completes (counted from week 0, so a late arrival counts its wait too).

As the data contract's tables (``to_tables``): one production per project (``A_j301_1``: a letter
for its place in the instance, then the PSPLIB name), ``earliest_start`` and ``target_delivery`` the
Monday of its arrival week (the contract refuses a production due before it may start), with a
lateness cost of 1 a week and priority 3 (factor 1), so the production's lateness in weeks is its
completion week less its arrival week, and the plan's lateness is the objective above less the sum
of the arrival weeks (a constant: the same plans are best). Each real job a phase ``j<job>`` with no planned date; the successor lists as
finish-to-start links with lag 0; R1..R4 as crew pools of the shared capacity, no hire-in; each
job's requests as demands. The horizon is the latest arrival plus every job's duration.

``cpsat_optimum`` solves the instance with OR-Tools CP-SAT in a child process
(``benchmarks/cpsat_worker.py``): OR-Tools must never be imported next to ``highspy``, so this
module does not import it. ``check_schedule`` lists what a schedule breaks (precedence, arrival,
capacity), for ours and CP-SAT's alike.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.psplib import H0, Instance, read_sm, validated  # noqa: E402
from planning.data.inputs import SlateData  # noqa: E402

FOLDER = ROOT.parent / "shared" / "benchmarks" / "psplib-j30"
WORKER = Path(__file__).resolve().parent / "cpsat_worker.py"
RESOURCES = ["R1", "R2", "R3", "R4"]

# name -> (PSPLIB instance, arrival week) per project. Easy j301_* mixed with harder ones (j3013_1,
# j3029_1, j3041_1: every job needs all or most resources, which are scarce). Chosen so that CP-SAT
# (2 workers) proves every optimum well within 30 s: a hard project shares with a late arrival, or
# with a project whose larger capacities relax it (j3048_1). Harder pairs (j3029_1 + j3041_1 a few
# weeks apart, j3013_1 beside another project at its own tight capacities) stay unproven after 30 s.
# The contract caps horizon_weeks at 520, which bounds three projects' durations plus arrival.
SPECS: list[tuple[str, list[tuple[str, int]]]] = [
    ("mp1", [("j301_1", 0), ("j301_2", 5)]),
    ("mp2", [("j301_3", 0), ("j301_4", 8), ("j301_5", 15)]),
    ("mp3", [("j3013_1", 0), ("j3048_1", 10)]),
    ("mp4", [("j301_4", 0), ("j3029_1", 12)]),
    ("mp5", [("j3041_1", 0), ("j301_3", 25)]),
    ("mp6", [("j305_1", 0), ("j309_1", 5)]),
    ("mp7", [("j3029_1", 0), ("j301_1", 20)]),
    ("mp8", [("j301_1", 0), ("j3041_1", 10), ("j301_5", 30)]),
    ("mp9", [("j3041_1", 0), ("j301_3", 25), ("j301_2", 40)]),
    ("mp10", [("j301_5", 0), ("j3048_1", 5), ("j3041_1", 12)]),
]


@dataclass(frozen=True)
class Project:
    """One PSPLIB project of a multi-project instance, arriving in week ``arrival``."""

    label: str          # "A", "B", "C": its place in the instance
    inst: Instance
    arrival: int

    @property
    def production_id(self) -> str:
        return f"{self.label}_{self.inst.name}"

    @property
    def durations(self) -> dict[str, int]:
        """Phase id (``j<job>``) -> duration, real jobs only (duration > 0)."""
        return {f"j{j}": d for j, d in sorted(self.inst.durations.items()) if d > 0}

    @property
    def requests(self) -> dict[str, list[int]]:
        return {f"j{j}": list(self.inst.requests[j]) for j, d in sorted(self.inst.durations.items()) if d > 0}

    @property
    def successors(self) -> dict[str, list[str]]:
        """Phase id -> its successors among the real jobs. A successor of duration 0 (the dummy
        sink, or any real job of duration 0) is looked through, so no precedence is lost."""
        real = {j for j, d in self.inst.durations.items() if d > 0}

        def reach(job: int, seen: set[int]) -> list[int]:
            out = []
            for s in self.inst.successors.get(job, []):
                if s in seen:
                    continue
                seen.add(s)
                out += [s] if s in real else reach(s, seen)
            return out

        return {f"j{j}": [f"j{s}" for s in sorted(set(reach(j, set())))] for j in sorted(real)}


@dataclass(frozen=True)
class MultiInstance:
    name: str
    projects: list[Project]
    capacities: list[int]       # shared R1..R4: the largest of the projects' capacities

    @property
    def jobs(self) -> int:
        return sum(len(p.durations) for p in self.projects)

    @property
    def horizon(self) -> int:
        return max(p.arrival for p in self.projects) + sum(sum(p.durations.values()) for p in self.projects)

    def describe(self) -> str:
        """``A_j301_1@0 + B_j301_2@5``."""
        return " + ".join(f"{p.production_id}@{p.arrival}" for p in self.projects)


def build(name: str, parts: list[tuple[str, int]], folder: str | Path = FOLDER) -> MultiInstance:
    """One instance from ``(PSPLIB name, arrival week)`` pairs."""
    projects = [Project(chr(ord("A") + i), read_sm(Path(folder) / f"{sm}.sm"), arrival)
                for i, (sm, arrival) in enumerate(parts)]
    capacities = [max(p.inst.capacities[k] for p in projects) for k in range(len(RESOURCES))]
    return MultiInstance(name, projects, capacities)


def instances(folder: str | Path = FOLDER) -> list[MultiInstance]:
    """The benchmark's instances (``SPECS``), in order."""
    return [build(name, parts, folder) for name, parts in SPECS]


def to_tables(inst: MultiInstance) -> dict[str, pd.DataFrame]:
    """The instance as the contract's tables (see the module docstring)."""
    h0 = pd.Timestamp(H0)
    productions, phases, links, demands, budget = [], [], [], [], []
    for p in inst.projects:
        pid, durations = p.production_id, p.durations
        arrival = (h0 + pd.Timedelta(days=7 * p.arrival)).date().isoformat()
        productions.append(dict(production_id=pid, title=f"PSPLIB {p.inst.name} (week {p.arrival})",
                                format="feature", priority=3, earliest_start=arrival,
                                latest_start=None, target_delivery=arrival, lateness_cost_per_week=1.0,
                                jurisdiction=None, locked=False))
        phases += [dict(production_id=pid, phase_id=q, kind="other", duration_weeks=d, planned_start=None,
                        locked=False) for q, d in durations.items()]
        links += [dict(production_id=pid, before_phase=a, after_phase=b, min_lag_weeks=0, max_lag_weeks=None)
                  for a, succ in p.successors.items() for b in succ]
        demands += [dict(production_id=pid, phase_id=q, resource_id=r, resource_kind=None, min_size=None,
                         units=u, lead_weeks=0, tail_weeks=0)
                    for q, req in p.requests.items() for r, u in zip(RESOURCES, req) if u > 0]
        budget.append(dict(production_id=pid, account="2000", description="Project", section="BTL_PRODUCTION",
                           amount=1.0, phase_id=next(iter(durations)), curve="flat", payment_lag_weeks=0,
                           qualifying=False))
    return {
        "productions": pd.DataFrame(productions),
        "phases": pd.DataFrame(phases),
        "phase_links": pd.DataFrame(links),
        "resources": pd.DataFrame([dict(resource_id=r, kind="crew", name=r, capacity=c, size=None,
                                        hire_cost_per_week=None, hire_max_units=0)
                                   for r, c in zip(RESOURCES, inst.capacities)]),
        "demands": pd.DataFrame(demands),
        "budget_lines": pd.DataFrame(budget),
        "settings": pd.DataFrame([dict(horizon_start=H0, horizon_weeks=inst.horizon, currency="USD",
                                       financing_rate_annual=0.0)]),
    }


def to_slate(inst: MultiInstance) -> SlateData:
    """The instance as validated ``SlateData``."""
    return validated(inst.name, to_tables(inst))


def check_schedule(inst: MultiInstance, schedule: pd.DataFrame) -> list[str]:
    """What ``schedule`` (production_id, phase_id, start_week, end_week exclusive) breaks: a phase
    missing, unknown, scheduled twice or of the wrong length; a start before its project's arrival;
    a successor starting before its predecessor ends; a week in which a resource is loaded beyond
    its shared capacity.
    The loads are recomputed from the instance's requests, not taken from the optimizer."""
    problems: list[str] = []
    start, end = {}, {}
    known = {(p.production_id, q) for p in inst.projects for q in p.durations}
    for r in schedule.itertuples(index=False):
        key = (str(r.production_id), str(r.phase_id))
        if key in start:
            problems.append(f"{key[0]}/{key[1]}: scheduled twice")
        elif key not in known:
            problems.append(f"{key[0]}/{key[1]}: not a job of the instance")
        start[key], end[key] = int(r.start_week), int(r.end_week)
    last = 0
    for p in inst.projects:
        pid = p.production_id
        for q, d in p.durations.items():
            if (pid, q) not in start:
                problems.append(f"{pid}/{q}: not scheduled")
                continue
            if end[pid, q] - start[pid, q] != d:
                problems.append(f"{pid}/{q}: lasts {end[pid, q] - start[pid, q]} weeks, not {d}")
            if start[pid, q] < p.arrival:
                problems.append(f"{pid}/{q}: starts in week {start[pid, q]}, before arrival week {p.arrival}")
            last = max(last, start[pid, q] + d)
        for a, succ in p.successors.items():
            for b in succ:
                if (pid, a) in start and (pid, b) in start and start[pid, b] < start[pid, a] + p.durations[a]:
                    problems.append(f"{pid}: {b} starts in week {start[pid, b]} before {a} ends "
                                    f"(week {start[pid, a] + p.durations[a]})")
    load = [[0] * (last + 1) for _ in RESOURCES]
    for p in inst.projects:
        for q, d in p.durations.items():
            if (p.production_id, q) not in start:
                continue
            s = start[p.production_id, q]
            for k, units in enumerate(p.requests[q]):
                for t in range(max(s, 0), s + d):
                    load[k][t] += units
    for k, r in enumerate(RESOURCES):
        over = [t for t, v in enumerate(load[k]) if v > inst.capacities[k]]
        if over:
            worst = max(over, key=lambda t: load[k][t])
            problems.append(f"{r}: over capacity {inst.capacities[k]} in {len(over)} weeks "
                            f"(load {load[k][worst]} in week {worst})")
    return problems


def completions(inst: MultiInstance, schedule: pd.DataFrame) -> dict[str, int]:
    """Production -> its completion week (the max ``end_week`` of its phases)."""
    ends = schedule.groupby(schedule["production_id"].astype(str))["end_week"].max()
    return {p.production_id: int(ends[p.production_id]) for p in inst.projects}


def cpsat_spec(inst: MultiInstance, time_limit: float, workers: int = 2) -> dict:
    """The JSON the worker reads."""
    return {"projects": [{"id": p.production_id, "arrival": p.arrival, "durations": p.durations,
                          "successors": p.successors, "requests": p.requests} for p in inst.projects],
            "capacities": inst.capacities, "time_limit": time_limit, "workers": workers}


def cpsat_optimum(inst: MultiInstance, time_limit: float = 30.0, workers: int = 2) -> dict:
    """CP-SAT's best sum of completions within ``time_limit`` seconds, solved in a child process.

    Returns ``objective`` (sum of completion weeks), ``bound``, ``proven`` (optimality proved),
    ``status``, ``seconds`` (CP-SAT's solve time), ``completions`` (production -> week),
    ``schedule`` (a frame like the optimizer's: production_id, phase_id, start_week, end_week)
    and ``problems`` (``check_schedule`` of that schedule: empty unless something is wrong).
    """
    done = subprocess.run([sys.executable, str(WORKER)], input=json.dumps(cpsat_spec(inst, time_limit, workers)),
                          capture_output=True, text=True, timeout=time_limit + 120)
    if done.returncode != 0:
        raise RuntimeError(f"{inst.name}: CP-SAT worker failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    out = json.loads(done.stdout)
    durations = {p.production_id: p.durations for p in inst.projects}
    schedule = pd.DataFrame([dict(production_id=pid, phase_id=q, start_week=s, end_week=s + durations[pid][q])
                             for pid, jobs in out.pop("starts").items() for q, s in jobs.items()],
                            columns=["production_id", "phase_id", "start_week", "end_week"])
    out["schedule"] = schedule
    out["problems"] = check_schedule(inst, schedule) if len(schedule) else ["CP-SAT found no schedule"]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Every instance's CP-SAT optimum (sum of completion weeks).")
    parser.add_argument("--folder", default=str(FOLDER))
    parser.add_argument("--time-limit", type=float, default=30.0, help="CP-SAT seconds per instance")
    args = parser.parse_args(argv)
    for inst in instances(args.folder):
        to_slate(inst)
        ref = cpsat_optimum(inst, args.time_limit)
        print(f"{inst.name}: {inst.describe()}, {inst.jobs} jobs, capacities {inst.capacities}, "
              f"horizon {inst.horizon}: CP-SAT {ref['objective']} ({ref['status']}, bound {ref['bound']}, "
              f"{ref['seconds']:.1f} s) completions {ref['completions']}"
              + (f" FAIL: {ref['problems']}" if ref["problems"] else ""), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
