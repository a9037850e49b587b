"""Start plans from constraint programming (CP-SAT), searched in a worker process beside the MIP.

Time-indexed MIPs prove well but can be slow to find good schedules where phases float and
resources are tight (project-scheduling networks); CP-SAT finds those fast. ``launch`` writes the
slate as a CP problem (``problem``) and starts ``planning.optimizer.cpsat_worker`` in its own
process (OR-Tools and ``highspy`` cannot share one); ``Pending.poll`` reads its plan back and
``to_choice`` maps it onto the candidates. The MIP then costs that plan exactly and keeps it only
where it is better. The CP model is the contract's problem with hire-in free (and weights rounded
down), so its proven bound is a lower bound of the money of any plan without shortfall, where no
interval can leave the grid (occupancy outside the grid is not counted by the contract):
``Pending.bound``. Workers still searching are killed when the process shuts down (``stopping``).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pandas as pd

from planning.data.inputs import SlateData
import planning.optimizer.stopping as stopping
from planning.optimizer.candidates import Candidates, combo_ranges


def available() -> bool:
    """True when OR-Tools is installed (checked without importing it here)."""
    return importlib.util.find_spec("ortools") is not None


def problem(cands: Candidates, data: SlateData, move_cost_per_week: float, time_limit: float) -> dict:
    """The slate as the worker's JSON problem (see ``cpsat_worker``)."""
    co = cands.combos
    start = co["start_week"].to_numpy()
    duration = cands.phases.set_index("unit")["duration"]
    units = [{"starts": sorted(int(t) for t in g), "duration": int(duration[u])}
             for u, g in co.groupby("unit")["start_week"]]
    links = [[int(r.before_unit), int(r.after_unit), int(r.before_duration + r.min_lag),
              None if pd.isna(r.max_lag) else int(r.before_duration + r.max_lag)]
             for r in cands.links.itertuples(index=False)]
    holds = {row: [[int(h.unit), int(h.units), int(h.before), int(h.after)] for h in g.itertuples(index=False)]
             for row, g in cands.holds.groupby("row")}
    rows = cands.rows
    pools = [{"cap": cands.capacity[r.row].astype(int).tolist(), "hire": int(r.hire_max), "demands": holds.get(r.row, [])}
             for r in rows.itertuples(index=False) if r.kind == "pool" and r.row in holds]
    stage_rows = rows[rows["kind"] == "stage"]
    stages = [{"cap": cands.capacity[r.row].astype(int).tolist(), "named": holds.get(r.row, [])}
              for r in stage_rows.itertuples(index=False)]
    size_of = dict(zip(data.resources["resource_id"].astype(str), data.resources["size"].fillna(0).astype(float)))
    sizes = [size_of[str(r)] for r in stage_rows["row_id"]]
    b = cands.bookings.assign(unit=co["unit"].to_numpy()[cands.bookings["combo"].to_numpy()],
                              start=start[cands.bookings["combo"].to_numpy()])
    b = b.drop_duplicates(["unit", "booking"])
    bookings = [[int(r.unit), int(r.units), int(r.start - r.first_week), int(r.end_week - r.start),
                 [k for k, sz in enumerate(sizes) if sz >= r.min_size]] for r in b.itertuples(index=False)]
    prods = cands.productions
    by_prod = cands.units.groupby("production_id")["unit"].apply(list)
    productions = [{"id": str(p.production_id), "cost": float(p.late_cost), "target": int(p.target_week),
                    "units": [int(u) for u in by_prod[p.production_id]]} for p in prods.itertuples(index=False)]
    dated = cands.phases[cands.phases["dated"] & ~cands.phases["locked"]]
    moves = [[int(r.unit), int(r.planned_week), float(move_cost_per_week)] for r in dated.itertuples(index=False)]
    return {"units": units, "links": links, "pools": pools, "stages": stages, "bookings": bookings,
            "productions": productions, "moves": moves if move_cost_per_week > 0 else [], "reach": int(cands.weeks),
            "time_limit": float(time_limit), "workers": 1, "exact": inside_grid(cands)}


def inside_grid(cands: Candidates) -> bool:
    """True when no demand's block (lead and tail included) can reach outside the grid from any
    start its phase may take: the CP model then counts exactly what the contract counts."""
    co = cands.combos
    lo = co.groupby("unit")["start_week"].min()
    hi = co.groupby("unit")["start_week"].max()
    h = cands.holds
    ok = ((lo.reindex(h["unit"]).to_numpy() - h["before"].to_numpy() >= 0)
          & (hi.reindex(h["unit"]).to_numpy() + h["after"].to_numpy() <= cands.weeks)).all()
    b = cands.bookings
    return bool(ok and (b["first_week"] >= 0).all() and (b["end_week"] <= cands.weeks).all())


class Pending:
    """A worker process searching; ``poll`` returns its starts (one per unit) once it is done;
    then ``bound`` is its proven lower bound of the money of plans without shortfall (None when
    it has none that holds for the contract), and ``infeasible`` whether it proved there is none."""

    def __init__(self, proc: subprocess.Popen | None, exact: bool = False):
        self.proc, self.answer, self.exact = proc, None, exact

    @property
    def bound(self) -> float | None:
        value = (self.answer or {}).get("bound")
        return float(value) if self.exact and value is not None else None

    @property
    def infeasible(self) -> bool:
        return self.exact and (self.answer or {}).get("status") == "INFEASIBLE"

    def poll(self, block: bool = False, timeout: float = 5.0) -> list[int] | None:
        if self.proc is None:
            return None
        if self.answer is None:
            if not block and self.proc.poll() is None:
                return None
            try:
                out, _ = self.proc.communicate(timeout=timeout if block else 0.1)
                self.answer = json.loads(out or "{}")
            except (subprocess.TimeoutExpired, json.JSONDecodeError):
                self.stop()
                self.answer = {}
            stopping.ended(self.proc)
        return self.answer.get("starts")

    def wait(self, seconds: float) -> None:
        """Give the worker up to ``seconds`` to finish (it keeps running if it does not)."""
        if self.proc is not None and self.answer is None:
            try:
                self.proc.wait(timeout=max(0.0, seconds))
            except subprocess.TimeoutExpired:
                pass

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            stopping.ended(self.proc)


def launch(cands: Candidates, data: SlateData, move_cost_per_week: float, time_limit: float) -> Pending:
    """Start the worker on the slate (nothing when OR-Tools is not installed)."""
    if not available():
        return Pending(None)
    spec = problem(cands, data, move_cost_per_week, time_limit)
    payload = json.dumps(spec)
    stopping.check()
    proc = subprocess.Popen([sys.executable, "-m", "planning.optimizer.cpsat_worker"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    stopping.started(proc)                   # killed by ``stopping.stop_all`` when the process ends
    proc.stdin.write(payload)
    proc.stdin.close()
    proc.stdin = None                        # written: ``communicate`` only reads
    return Pending(proc, spec["exact"])


def to_choice(cands: Candidates, starts: list[int]) -> np.ndarray:
    """The combo of each unit that starts where ``starts`` says."""
    first, _ = combo_ranges(cands)
    start = cands.combos["start_week"].to_numpy()
    return first + (np.asarray(starts, dtype=np.int64) - start[first])
