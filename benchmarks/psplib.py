"""PSPLIB single-mode instances (``.sm``) read and turned into a slate of the data contract.

One production; each real job a phase of its duration (in weeks) with no planned date, so the
optimizer places it freely; the successor lists as finish-to-start links with lag 0; the renewable
resources R1..R4 as crew pools of their capacity, no hire-in; each job's requests as demands. The
production is due at the horizon start with a lateness cost of 1 a week, so the plan's lateness in
weeks is the project's makespan. The dummy source and sink (duration 0) are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planning.data.inputs import SlateData
from planning.data.validate import check

H0 = "2027-01-04"


@dataclass
class Instance:
    name: str
    durations: dict[int, int]              # job -> duration
    successors: dict[int, list[int]]       # job -> successors
    requests: dict[int, list[int]]         # job -> units of R1..R4
    capacities: list[int]                  # R1..R4


def read_sm(path: str | Path) -> Instance:
    """Parse the PRECEDENCE RELATIONS, REQUESTS/DURATIONS and RESOURCEAVAILABILITIES blocks."""
    path = Path(path)
    lines = path.read_text().splitlines()
    successors, durations, requests, capacities = {}, {}, {}, []
    section = None
    for i, line in enumerate(lines):
        if line.startswith("PRECEDENCE RELATIONS"):
            section = "prec"
            continue
        if line.startswith("REQUESTS/DURATIONS"):
            section = "req"
            continue
        if line.startswith("RESOURCEAVAILABILITIES"):
            capacities = [int(v) for v in lines[i + 2].split()]
            break
        if line.startswith("*"):
            section = None
            continue
        numbers = [int(v) for v in re.findall(r"-?\d+", line)]
        if section == "prec" and numbers:
            job, _modes, count, *succ = numbers
            successors[job] = succ[:count]
        elif section == "req" and len(numbers) >= 3:
            job, _mode, duration, *units = numbers
            durations[job], requests[job] = duration, units
    return Instance(path.stem, durations, successors, requests, capacities)


def to_tables(inst: Instance) -> dict[str, pd.DataFrame]:
    """The instance as the contract's tables (see the module docstring)."""
    real = [j for j, d in sorted(inst.durations.items()) if d > 0]
    pid = inst.name
    resources = [f"R{k + 1}" for k in range(len(inst.capacities))]
    horizon = sum(inst.durations[j] for j in real)
    return {
        "productions": pd.DataFrame([dict(production_id=pid, title=f"PSPLIB {pid}", format="feature", priority=3,
                                          earliest_start=H0, latest_start=None, target_delivery=H0,
                                          lateness_cost_per_week=1.0, jurisdiction=None, locked=False)]),
        "phases": pd.DataFrame([dict(production_id=pid, phase_id=f"j{j}", kind="other",
                                     duration_weeks=inst.durations[j], planned_start=None, locked=False)
                                for j in real]),
        "phase_links": pd.DataFrame([dict(production_id=pid, before_phase=f"j{j}", after_phase=f"j{s}",
                                          min_lag_weeks=0, max_lag_weeks=None)
                                     for j in real for s in inst.successors.get(j, []) if s in real]),
        "resources": pd.DataFrame([dict(resource_id=r, kind="crew", name=r, capacity=c, size=None,
                                        hire_cost_per_week=None, hire_max_units=0)
                                   for r, c in zip(resources, inst.capacities)]),
        "demands": pd.DataFrame([dict(production_id=pid, phase_id=f"j{j}", resource_id=r, resource_kind=None,
                                      min_size=None, units=u, lead_weeks=0, tail_weeks=0)
                                 for j in real for r, u in zip(resources, inst.requests[j]) if u > 0]),
        "budget_lines": pd.DataFrame([dict(production_id=pid, account="2000", description="Project",
                                           section="BTL_PRODUCTION", amount=1.0, phase_id=f"j{real[0]}",
                                           curve="flat", payment_lag_weeks=0, qualifying=False)]),
        "settings": pd.DataFrame([dict(horizon_start=H0, horizon_weeks=horizon, currency="USD",
                                       financing_rate_annual=0.0)]),
    }


def validated(name: str, tables: dict[str, pd.DataFrame]) -> SlateData:
    """``tables`` as validated ``SlateData`` (raises ``ValueError`` naming ``name`` and every problem)."""
    data, problems = check(tables)
    if problems:
        raise ValueError(f"{name}: " + "; ".join(map(str, problems)))
    return data


def to_slate(inst: Instance) -> SlateData:
    """The instance as validated ``SlateData``."""
    return validated(inst.name, to_tables(inst))


def optima(folder: str | Path) -> dict[str, int]:
    """``instance -> proven optimal makespan`` from the folder's ``optimum.csv``."""
    frame = pd.read_csv(Path(folder) / "optimum.csv")
    return dict(zip(frame["instance"], frame["optimal_makespan"]))
