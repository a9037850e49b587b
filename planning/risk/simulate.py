"""Samples of a plan, vectorised over samples (numpy arrays of shape ``(samples, ...)``).

Each sample draws, in this order from its chunk's own random stream
(``numpy.random.default_rng([seed, chunk])``, so a sample's numbers never depend on how many
processes or machines run the chunks):

- for each development production, whether it goes ahead: ``U < greenlight_probability``
  (greenlit: always); one that does not go ahead holds nothing, spends nothing and delivers nothing;
- every phase's duration: ``round(triangular(low, duration, high))`` where low < high, else the
  duration;
- every named risk: it happens when ``U < probability``; then the phase it hits (its production's
  first phase when none is named) lasts ``delay`` weeks longer, ``delay`` uniform on the whole weeks
  ``low .. high``, and costs ``extra``, uniform on ``low .. high`` in whole cents.

Delays push successors, keeping the plan's order and lags: in topological order, ``start[j] =
max(planned start[j], max over links i->j of start[i] + duration[i] + min_lag)``. Nothing starts
earlier than the plan has it, so a phase that runs short leaves its successors where they were
(the plan keeps its stages and bookings). With every probability 0 and every range collapsed, each
sample is the plan exactly.

``off`` switches one driver off while every other number drawn stays the same (common random
numbers): ``("risk", i)`` never happens, ``("production", k)`` never goes ahead. The difference it
makes is that driver's effect (``planning.risk.run``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planning.risk.inputs import RiskInputs


@dataclass(frozen=True)
class Samples:
    """``start``, ``duration``, ``extra`` (cents of risk costs paid in the phase's last week)
    ``(samples, phases)``; ``goes`` ``(samples, productions)`` bool."""

    start: np.ndarray
    duration: np.ndarray
    extra: np.ndarray
    goes: np.ndarray

    def with_starts(self, start: np.ndarray) -> "Samples":
        return Samples(start, self.duration, self.extra, self.goes)


def pushed(inputs: RiskInputs, start: np.ndarray, duration: np.ndarray) -> np.ndarray:
    """``start`` moved later where a predecessor (with its lag) now ends after it, in topological order."""
    start = start.copy()
    for j, before in inputs.preds:
        for i, lag in before:
            np.maximum(start[:, j], start[:, i] + duration[:, i] + lag, out=start[:, j])
    return start


def draw(inputs: RiskInputs, samples: int, seed: int, chunk: int = 0, off: tuple[str, int] | None = None) -> Samples:
    """``samples`` draws of the plan in ``inputs`` from the stream ``(seed, chunk)``."""
    rng = np.random.default_rng([seed, chunk])
    goes = rng.random((samples, len(inputs.productions))) < inputs.p_go
    if off and off[0] == "production":
        goes[:, off[1]] = False

    d, low, high = inputs.duration, inputs.low, inputs.high
    duration = np.tile(d, (samples, 1)).astype(float)
    spread = low < high
    if spread.any():
        duration[:, spread] = rng.triangular(low[spread], d[spread], high[spread], (samples, int(spread.sum())))
    duration = np.clip(np.rint(duration), low, high).astype(np.int64)

    extra = np.zeros_like(duration)
    for r, j in enumerate(inputs.risk_phase):
        happens = rng.random(samples) < inputs.risk_p[r]
        delay = rng.integers(inputs.delay_low[r], inputs.delay_high[r] + 1, samples)
        cost = rng.integers(inputs.cost_low[r], inputs.cost_high[r] + 1, samples)
        if off == ("risk", r):
            happens[:] = False
        duration[:, j] += np.where(happens, delay, 0)
        extra[:, j] += np.where(happens, cost, 0)

    start = pushed(inputs, np.tile(inputs.planned, (samples, 1)), duration)
    return Samples(start, duration, extra, goes)
