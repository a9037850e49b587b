"""The start weeks each phase of a production may take: one rule for validation and the optimizer.

A phase ``q`` of ``d_q`` weeks starting in week ``t_q`` (weeks from ``horizon_start``) runs in weeks
``t_q .. t_q + d_q - 1``. Its starts are limited by

- the production's window: ``t_q >= lo`` (the week of ``earliest_start``, rounded up to a Monday,
  or the earliest planned week where that is before the horizon); a first phase (no link into
  it) ``t_q <= latest`` (the week of ``latest_start``, rounded down);
- the grid: ``t_q + d_q <= weeks``;
- its own window (``window_start``, ``window_end``, both optional): ``t_q >= ceil(days(window_start)
  / 7)`` (it starts on or after that day) and ``7 (t_q + d_q) - 1 <= days(window_end)`` (its last
  day, a Sunday, is on or before that day);
- its lock: ``t_q = planned``;
- every link ``a -> b`` with lags ``L <= U``: ``t_a + d_a + L <= t_b`` and, where ``U`` is given,
  ``t_b <= t_a + d_a + U``.

These are difference constraints, so the tightest bounds ``es_q <= t_q <= ls_q`` that every
schedule of the production keeps come from propagating them to a fixed point (``bounds``);
the production has a schedule exactly when ``es_q <= ls_q`` for every phase afterwards (the
constraints form a simple temporal network, where bound consistency is exact).
"""

from __future__ import annotations

import math

import pandas as pd


def window_weeks(window_start, window_end, duration: int, horizon_start: pd.Timestamp) -> tuple[int | None, int | None]:
    """``(first, last)`` start week a phase's own window allows (``None``: no limit that side)."""
    first = None if pd.isna(window_start) else math.ceil((window_start - horizon_start).days / 7)
    last = None if pd.isna(window_end) else ((window_end - horizon_start).days + 1) // 7 - int(duration)
    return first, last


def bounds(ids: list, dur: dict, links: list, lo: dict, hi: dict) -> tuple[dict, dict]:
    """Tightest ``(es, ls)`` start weeks of phases ``ids`` with durations ``dur``, per-phase limits
    ``lo[q] <= t_q <= hi[q]`` and ``links`` ``(a, b, min_lag, max_lag or None)``. Where a phase is
    left with ``es > ls`` the production has no schedule; propagation stops there."""
    es, ls = dict(lo), dict(hi)
    for _ in range(len(ids) + 1 + sum(max(0, ls[q] - es[q]) for q in ids)):
        changed = False
        for a, b, low, high in links:
            pairs = [("es", b, es[a] + dur[a] + low), ("ls", a, ls[b] - dur[a] - low)]
            if high is not None:
                pairs += [("es", a, es[b] - dur[a] - high), ("ls", b, ls[a] + dur[a] + high)]
            for side, q, value in pairs:
                if side == "es" and value > es[q]:
                    es[q], changed = value, True
                elif side == "ls" and value < ls[q]:
                    ls[q], changed = value, True
            if any(es[q] > ls[q] for q in (a, b)):
                return es, ls
        if not changed:
            break
    return es, ls
