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

A risk that names a ``resource_id`` draws the same numbers but takes that resource away instead:
for ``delay`` weeks from the planned start week ``f`` of the phase it hits, or from the report week
when that is later (``RiskInputs.risk_from``; weeks ``f .. f + delay - 1``). Every phase with a
named demand on the resource that would start in those weeks starts at ``f + delay``; one running
at ``f`` (started before, or started by the report week, and ending after) stops for them and lasts
``delay`` weeks longer: a phase that has started never moves. The hit phase itself is not lengthened (it waits only if it needs the resource). Lead
and tail weeks of the demand are not counted.

Delays push successors, keeping the plan's order and lags: in topological order, ``start[j] =
max(planned start[j], max over links i->j of start[i] + duration[i] + min_lag)``, then the wait for
lost resources above (a phase pushed into lost weeks waits too). Nothing starts
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
    ``(samples, phases)``; ``goes`` ``(samples, productions)`` bool; ``lost`` ``(samples, risks)``:
    weeks a risk naming a resource takes it away (0: it does not happen, or names none)."""

    start: np.ndarray
    duration: np.ndarray
    extra: np.ndarray
    goes: np.ndarray
    lost: np.ndarray | None = None

    def with_starts(self, start: np.ndarray) -> "Samples":
        return Samples(start, self.duration, self.extra, self.goes, self.lost)


def pushed(inputs: RiskInputs, start: np.ndarray, duration: np.ndarray) -> np.ndarray:
    """``start`` moved later where a predecessor (with its lag) now ends after it, in topological order."""
    start = start.copy()
    for j, before in inputs.preds:
        for i, lag in before:
            np.maximum(start[:, j], start[:, i] + duration[:, i] + lag, out=start[:, j])
    return start


def waited(inputs: RiskInputs, start: np.ndarray, duration: np.ndarray, lost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(start, duration)`` pushed by predecessors as ``pushed`` does, and by the resources the risks
    take away (``lost`` weeks per sample and risk; see the module rules), in topological order:
    the phases without predecessors first, then ``inputs.preds``'s order."""
    start, duration = start.copy(), duration.copy()
    takers = [r for r in range(len(inputs.risk_phase)) if inputs.risk_resource[r] >= 0]
    waits: dict[int, list[int]] = {}
    for r in takers:
        for j in inputs.risk_needs[r]:
            waits.setdefault(int(j), []).append(r)
    has_preds = {j for j, _ in inputs.preds}
    order = [(j, []) for j in range(start.shape[1]) if j not in has_preds] + list(inputs.preds)
    for j, before in order:
        for i, lag in before:
            np.maximum(start[:, j], start[:, i] + duration[:, i] + lag, out=start[:, j])
        for r in waits.get(j, []):
            first, fixed = inputs.risk_from[r], inputs.started[j]
            back = first + lost[:, r]
            inside = (lost[:, r] > 0) & ~fixed & (start[:, j] >= first) & (start[:, j] < back)
            across = (lost[:, r] > 0) & (fixed | (start[:, j] < first)) & (start[:, j] + duration[:, j] > first)
            start[:, j] = np.where(inside, back, start[:, j])
            duration[:, j] += np.where(across, lost[:, r], 0)
    return start, duration


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
    lost = np.zeros((samples, len(inputs.risk_phase)), dtype=np.int64)
    for r, j in enumerate(inputs.risk_phase):
        happens = rng.random(samples) < inputs.risk_p[r]
        delay = rng.integers(inputs.delay_low[r], inputs.delay_high[r] + 1, samples)
        cost = rng.integers(inputs.cost_low[r], inputs.cost_high[r] + 1, samples)
        if off == ("risk", r):
            happens[:] = False
        if inputs.risk_resource[r] >= 0:
            lost[:, r] = np.where(happens, delay, 0)
        else:
            duration[:, j] += np.where(happens, delay, 0)
        extra[:, j] += np.where(happens, cost, 0)

    planned = np.tile(inputs.planned, (samples, 1))
    if lost.any():
        start, duration = waited(inputs, planned, duration, lost)
    else:
        start = pushed(inputs, planned, duration)
    return Samples(start, duration, extra, goes, lost)
