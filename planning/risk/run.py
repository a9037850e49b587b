"""Run the samples of a plan in chunks, on this process, local processes or a Dask cluster, and
merge them.

Samples go in chunks of a fixed size (``CHUNK``, ``REPLAN_CHUNK`` when re-planning); chunk ``c``
draws from its own stream ``(seed, c)``. Chunks are merged in chunk order, so the same seed gives
the same numbers whichever executor ran them and in whatever order they finished.

In each chunk: the samples (``planning.risk.simulate``) and their outcomes
(``planning.risk.outcomes``); once more per driver (each named risk, each development production
counted) with that driver switched off and every other number the same; and with ``replan`` each
sample re-planned (``planning.risk.replan``) and its outcomes on the new dates.
"""

from __future__ import annotations

import os
import sys
import types
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context

import numpy as np

from planning.data.inputs import SlateData
from planning.optimizer.options import PlanOptions
from planning.risk.inputs import RiskInputs, prepare
from planning.risk.outcomes import Outcomes, evaluate, evaluate_switched
from planning.risk.replan import replan
from planning.risk.simulate import draw

CHUNK = 100          # samples per chunk without re-planning
REPLAN_CHUNK = 4     # samples per chunk when re-planning (a chunk is a few seconds of quick searches)
DRIVER_FIELDS = ("finish", "peak_need", "cost", "unit_weeks_short", "stage_weeks_short")


MAX_SAMPLES = 20_000         # samples one run may draw (about 20 s on the sample slate)
MAX_REPLAN_SAMPLES = 2_000   # ... when each is re-planned (about 30 minutes on two cores)


@dataclass(frozen=True)
class RiskOptions:
    """``samples``, ``seed``; ``replan`` each sample; ``threshold``: development productions count
    when their chance is at least this (the others never go ahead); ``workers``: local processes
    (None: one per core when re-planning, else this process); ``dask``: a Dask scheduler address
    (``tcp://host:8786``), which replaces local processes."""

    samples: int = 1000
    seed: int = 0
    replan: bool = False
    threshold: float = 0.0
    workers: int | None = None
    dask: str | None = None

    @property
    def local_workers(self) -> int:
        """Local processes the samples run on (1: this process)."""
        return self.workers if self.workers is not None else (os.cpu_count() or 1) if self.replan else 1

    @property
    def chunk(self) -> int:
        return REPLAN_CHUNK if self.replan else CHUNK

    def chunks(self) -> list[tuple[int, int]]:
        """``(chunk, samples in it)`` for every chunk."""
        full, rest = divmod(self.samples, self.chunk)
        return [(c, self.chunk) for c in range(full)] + ([(full, rest)] if rest else [])


@dataclass(frozen=True)
class ChunkResult:
    chunk: int
    plan: Outcomes
    drivers: dict[tuple[str, int], dict[str, np.ndarray]]
    reacted: Outcomes | None = None


@dataclass(frozen=True)
class Merged:
    """Every chunk's outcomes joined in chunk order: ``plan`` (the plan as it is), ``drivers``
    (per driver, the ``DRIVER_FIELDS`` with it switched off), ``reacted`` (re-planned, or None)."""

    inputs: RiskInputs
    options: RiskOptions
    plan: Outcomes
    drivers: dict[tuple[str, int], dict[str, np.ndarray]]
    reacted: Outcomes | None
    workers: str


def drivers(inputs: RiskInputs) -> list[tuple[str, int]]:
    """Every named risk, and every development production that can go ahead (chance above 0, below 1)."""
    return [("risk", r) for r in range(len(inputs.risks))] + \
        [("production", k) for k, p in enumerate(inputs.p_go) if 0 < p < 1]


def run_chunk(data: SlateData, inputs: RiskInputs, options: RiskOptions, chunk: int, size: int) -> ChunkResult:
    """One chunk of ``size`` samples from the stream ``(options.seed, chunk)``."""
    samples = draw(inputs, size, options.seed, chunk)
    plan, parts = evaluate(inputs, samples)
    off = {}
    for d in drivers(inputs):
        switched = draw(inputs, size, options.seed, chunk, off=d)
        if d[0] == "risk" and inputs.risk_resource[d[1]] >= 0:     # a lost resource may move every production
            out = evaluate(inputs, switched)[0]
        else:
            production = d[1] if d[0] == "production" else int(inputs.prod_of[inputs.risk_phase[d[1]]])
            out = evaluate_switched(inputs, samples, parts, switched, production)
        off[d] = {name: getattr(out, name) for name in DRIVER_FIELDS}
    reacted = None
    if options.replan:
        starts = np.array([replan(data, inputs, samples.start[i], samples.duration[i], samples.goes[i], PlanOptions(),
                                  samples.lost[i]) for i in range(size)])
        reacted = evaluate(inputs, samples.with_starts(starts))[0]
    return ChunkResult(chunk, plan, off, reacted)


def _join(parts: list[Outcomes]) -> Outcomes:
    w0 = min(p.w0 for p in parts)
    w1 = max(p.w0 + p.net.shape[1] for p in parts)
    nets = [np.pad(p.net, ((0, 0), (p.w0 - w0, w1 - p.w0 - p.net.shape[1]))) for p in parts]
    fields = {name: np.concatenate([getattr(p, name) for p in parts])
              for name in Outcomes.__dataclass_fields__ if name not in ("w0", "net", "short_samples", "short_units")}
    return Outcomes(**fields, w0=w0, net=np.concatenate(nets),
                    short_samples=sum(p.short_samples for p in parts), short_units=sum(p.short_units for p in parts))


def merge(inputs: RiskInputs, options: RiskOptions, results: list[ChunkResult], workers: str) -> Merged:
    results = sorted(results, key=lambda r: r.chunk)
    off = {d: {name: np.concatenate([r.drivers[d][name] for r in results]) for name in DRIVER_FIELDS}
           for d in results[0].drivers}
    reacted = _join([r.reacted for r in results]) if options.replan else None
    return Merged(inputs, options, _join([r.plan for r in results]), off, reacted, workers)


@contextmanager
def plain_main():
    """Start processes with a bare ``__main__``: a spawned process re-runs the parent's main script,
    and under Streamlit that is the page being run (which would open the slate's store again)."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


@contextmanager
def executor(options: RiskOptions):
    """``(executor or None, description)``: a Dask cluster's, local processes, or None (this process)."""
    if options.dask:
        from distributed import Client
        with Client(options.dask, timeout="10s") as client:
            yield client.get_executor(pure=False), f"Dask cluster at {options.dask}"
        return
    workers = options.local_workers
    if workers <= 1:
        yield None, "one process on this computer"
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        yield pool, f"{workers} processes on this computer"


def run(data: SlateData, schedule, options: RiskOptions, progress=None) -> Merged:
    """Every sample of ``schedule`` (a plan's production_id, phase_id, start_week) on ``data``.

    ``progress`` (optional) is called with ``(chunks done, chunks)`` after each chunk. At most
    ``MAX_SAMPLES`` (``MAX_REPLAN_SAMPLES`` when re-planning): a request for more is refused, not run.
    """
    most = MAX_REPLAN_SAMPLES if options.replan else MAX_SAMPLES
    if not 1 <= options.samples <= most:
        raise ValueError(f"{options.samples:,} samples: between 1 and {most:,} {'re-planned ' if options.replan else ''}"
                         "samples may be asked for at once")
    inputs = prepare(data, schedule, options.threshold)      # from the report week on a slate under way
    todo = options.chunks()
    report = progress or (lambda done, total: None)
    results = []
    with executor(options) as (ex, workers):
        if ex is None:
            for c, size in todo:
                results.append(run_chunk(data, inputs, options, c, size))
                report(len(results), len(todo))
        else:
            with plain_main():       # local processes start on their first tasks
                futures = [ex.submit(run_chunk, data, inputs, options, c, size) for c, size in todo]
            for future in as_completed(futures):
                results.append(future.result())
                report(len(results), len(todo))
    return merge(inputs, options, results, workers)
