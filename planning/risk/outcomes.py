"""What each sample means: deliveries, load and shortfall, hire-in, lateness and the cash flow on
its dates, vectorised over samples. The rules are the plan's own (``planning.analysis.capacity``,
``planning.finance.flows``) applied to the sample's dates and lengths:

- **Delivery**: the end of a production's last phase (``finish``); ``late = max(0, finish -
  target)`` weeks, each costing ``lateness_cost_per_week``.
- **Load**: a demand of ``u`` units holds ``u`` in weeks ``start - lead .. start + duration + tail
  - 1`` (inside the horizon). A stage class ``stages>=m`` carries every size booking of at least
  ``m`` plus ``min(load, capacity)`` of its stages' named bookings, against the class's stages.
  ``over = max(0, load - capacity)`` (0 before the report week: history), ``hired = min(over,
  hire_max)`` (pools with a hire cost), ``short = over - hired``. ``unit_weeks_short`` sums ``short`` over named resources;
  ``stage_weeks_short`` sums, week by week, the largest class ``short`` (bookings no stage of the
  size is free for: at least that many, since class counting is the weekly Hall bound).
- **Cash**: every budget line spread over its phase's real length and paid with its lag
  (``RiskInputs.spend``; on a slate under way its actuals where they were paid, in every sample,
  and what it still costs from the report week, ``planning.finance.flows``); a risk's extra cost
  paid in the last week of the phase it hits; the incentive received ``receipt_lag_weeks`` after
  the real delivery; financing on the running deficit in horizon weeks
  (``planning.finance.flows.financing_cents``). A production that does not go ahead has no flows
  but its actuals (paid by the report date). ``net[s, w - w0]`` is sample ``s``'s net cents in
  week ``w``; every cent of every flow is in it (money conserved), whatever its week.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planning.finance.flows import financing_cents
from planning.risk.inputs import RiskInputs
from planning.risk.simulate import Samples


@dataclass(frozen=True)
class Outcomes:
    """Per sample: ``finish``, ``late`` ``(samples, productions)`` weeks (``finish`` -1 where it does
    not go ahead); ``unit_weeks_short``, ``stage_weeks_short``, ``hire_cost``, ``late_cost``;
    ``spend``, ``extra``, ``incentive``, ``financing`` (signed cents) and ``peak_need`` (cents);
    ``net`` ``(samples, weeks)`` from week ``w0``. Summed over samples, per resource row and horizon
    week: ``short_samples`` (samples short) and ``short_units`` (units short)."""

    finish: np.ndarray
    late: np.ndarray
    unit_weeks_short: np.ndarray
    stage_weeks_short: np.ndarray
    hire_cost: np.ndarray
    late_cost: np.ndarray
    spend: np.ndarray
    extra: np.ndarray
    incentive: np.ndarray
    financing: np.ndarray
    peak_need: np.ndarray
    w0: int
    net: np.ndarray
    short_samples: np.ndarray
    short_units: np.ndarray

    @property
    def cost(self) -> np.ndarray:
        """Net cents out per sample: spend, extra costs and financing, less incentives."""
        return -(self.spend + self.extra + self.incentive + self.financing)


def deliveries(inputs: RiskInputs, s: Samples) -> tuple[np.ndarray, np.ndarray]:
    """``(finish, late)`` per sample and production (``finish`` -1, ``late`` 0 where it does not go)."""
    end = s.start + s.duration
    firsts = np.flatnonzero(np.r_[True, inputs.prod_of[1:] != inputs.prod_of[:-1]])
    finish = np.where(s.goes, np.maximum.reduceat(end, firsts, axis=1), -1)
    late = np.where(s.goes, np.maximum(0, finish - inputs.target), 0)
    return finish, late


@dataclass(frozen=True)
class Parts:
    """The additive parts of the outcomes, summed over demands and productions: ``raw`` load
    ``(samples, rows, horizon)`` (classes before their stages' named bookings), ``net`` cents
    ``(samples, weeks from w0)`` before financing, and each sample's ``spend``, ``extra``,
    ``incentive`` (signed cents)."""

    raw: np.ndarray
    net: np.ndarray
    w0: int
    spend: np.ndarray
    extra: np.ndarray
    incentive: np.ndarray

    def __add__(self, other: "Parts") -> "Parts":
        return Parts(self.raw + other.raw, self.net + other.net, self.w0, self.spend + other.spend,
                     self.extra + other.extra, self.incentive + other.incentive)

    def __neg__(self) -> "Parts":
        return Parts(-self.raw, -self.net, self.w0, -self.spend, -self.extra, -self.incentive)


def window(inputs: RiskInputs, s: Samples, finish: np.ndarray) -> tuple[int, int]:
    """``(w0, w1)``: the weeks every flow of the samples falls in, the horizon included."""
    extra_week = s.start + s.duration - 1
    paid = inputs.actual_week
    return (min(0, int(s.start.min()), int(paid.min(initial=0))),
            max(inputs.horizon, int(s.start.max()) + inputs.spend.shape[2], int(extra_week.max()) + 1,
                int((finish + inputs.incentive_lag).max()) + 1, int(paid.max(initial=0)) + 1))


def parts(inputs: RiskInputs, s: Samples, finish: np.ndarray, w0: int, w1: int,
          production: int | None = None) -> Parts:
    """The parts of every production, or of ``production`` alone, in weeks ``w0 .. w1 - 1``."""
    n, h, rows = s.start.shape[0], inputs.horizon, len(inputs.rows)
    mine = np.ones(len(inputs.productions), bool) if production is None else \
        np.arange(len(inputs.productions)) == production
    phases = np.flatnonzero(mine[inputs.prod_of])
    goes = s.goes & mine

    pair_demand = np.array([k for k, rs in enumerate(inputs.demand_rows) for _ in rs
                            if mine[inputs.prod_of[inputs.demand_phase[k]]]], dtype=np.int64)
    pair_row = np.array([r for k, rs in enumerate(inputs.demand_rows) for r in rs
                         if mine[inputs.prod_of[inputs.demand_phase[k]]]], dtype=np.int64)
    j = inputs.demand_phase[pair_demand]
    begin = s.start[:, j]
    first = np.clip(begin - inputs.demand_lead[pair_demand], 0, h)
    last = np.clip(begin + s.duration[:, j] + inputs.demand_tail[pair_demand], 0, h)
    units = np.where(goes[:, inputs.prod_of[j]], inputs.demand_units[pair_demand], 0).ravel()
    base = (np.arange(n)[:, None] * rows + pair_row[None, :]) * (h + 1)
    size = n * rows * (h + 1)
    diff = (np.bincount((base + first).ravel(), weights=units, minlength=size)
            - np.bincount((base + last).ravel(), weights=units, minlength=size))
    raw = np.rint(diff).astype(np.int64).reshape(n, rows, h + 1).cumsum(axis=2)[:, :, :h]

    width = w1 - w0
    start, duration = s.start[:, phases], s.duration[:, phases]
    going = goes[:, inputs.prod_of[phases]]
    paid = np.where(going[:, :, None], inputs.spend[phases[None, :], duration], 0)   # (n, phases, weeks paid)
    rowbase = np.arange(n)[:, None] * width - w0
    at = (rowbase[:, :, None] + start[:, :, None] + np.arange(paid.shape[2])).ravel()
    spend = np.bincount(at, weights=paid.ravel(), minlength=n * width)
    before = mine[inputs.actual_prod]                    # paid by the report date: every sample, gone ahead or not
    at = (rowbase[:, :1] + inputs.actual_week[before][None, :]).ravel()
    spend += np.bincount(at, weights=np.tile(inputs.actual_cents[before], n), minlength=n * width)
    extra = np.bincount((rowbase + start + duration - 1).ravel(), weights=np.where(going, s.extra[:, phases], 0).ravel(),
                        minlength=n * width)
    got = np.where(goes, inputs.incentive, 0)
    receipt = np.where(goes, finish + inputs.incentive_lag, w0)
    income = np.bincount((rowbase + receipt).ravel(), weights=got.ravel(), minlength=n * width)
    spend, extra, income = (np.rint(a).astype(np.int64).reshape(n, width) for a in (spend, extra, income))
    return Parts(raw, income - spend - extra, w0, -spend.sum(axis=1), -extra.sum(axis=1), income.sum(axis=1))


def outcomes(inputs: RiskInputs, p: Parts, finish: np.ndarray, late: np.ndarray) -> Outcomes:
    """Every outcome of samples from their parts ``p`` and ``deliveries`` (see the module rules)."""
    held = p.raw.copy()
    for c, stages in inputs.members.items():
        held[:, c] += np.minimum(p.raw[:, stages], inputs.capacity[stages][None]).sum(axis=1)
    over = np.maximum(0, held - inputs.capacity[None])
    over[:, :, :max(0, inputs.now)] = 0                     # history: nothing hired or short before the report week
    hired = np.minimum(over, inputs.hire_max[None, :, None])
    short = over - hired
    named = len(inputs.rows) - len(inputs.members)
    h, w0 = inputs.horizon, p.w0
    net = p.net.copy()
    financing = financing_cents(np.cumsum(net, axis=1)[:, -w0:h - w0], inputs.rate)
    net[:, -w0:h - w0] -= financing
    position = np.cumsum(net, axis=1)
    return Outcomes(
        finish=finish, late=late,
        unit_weeks_short=short[:, :named].sum(axis=(1, 2)),
        stage_weeks_short=short[:, named:].max(axis=1, initial=0).sum(axis=1),
        hire_cost=(hired * inputs.hire_cost[None, :, None]).sum(axis=(1, 2)),
        late_cost=(late * inputs.late_cost[None]).sum(axis=1),
        spend=p.spend, extra=p.extra, incentive=p.incentive, financing=-financing.sum(axis=1),
        peak_need=np.maximum(0, -position.min(axis=1)), w0=w0, net=net,
        short_samples=(short > 0).sum(axis=0), short_units=short.sum(axis=0))


def evaluate(inputs: RiskInputs, s: Samples) -> tuple[Outcomes, Parts]:
    """Every outcome of the samples ``s``, and their parts (for ``evaluate_switched``)."""
    finish, late = deliveries(inputs, s)
    p = parts(inputs, s, finish, *window(inputs, s, finish))
    return outcomes(inputs, p, finish, late), p


def evaluate_switched(inputs: RiskInputs, s: Samples, p: Parts, off: Samples, production: int) -> Outcomes:
    """The outcomes of ``off``: samples ``s`` (with parts ``p``) where only ``production``'s rows
    differ, computed from ``p`` by taking that production's parts out and its new ones in."""
    w0, w1 = p.w0, p.w0 + p.net.shape[1]
    finish, _ = deliveries(inputs, s)
    new_finish, new_late = deliveries(inputs, off)
    lo, hi = window(inputs, off, new_finish)
    if lo < w0 or hi > w1:
        return evaluate(inputs, off)[0]
    return outcomes(inputs, p + -parts(inputs, s, finish, w0, w1, production)
                    + parts(inputs, off, new_finish, w0, w1, production), new_finish, new_late)
