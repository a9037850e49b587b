"""Seeded benchmark slates of 10, 20, 40 and 100 productions, the same shape as the sample.

``slate(n)`` is ``planning.sample.make_slate(n, seed=SEEDS[n])`` validated into ``SlateData``:
pools and stages scale with the slate, so every size is about as busy as the sample. Generated
slates are over-committed at 10, 40 and 100 productions (some capacity nobody can cover).
``slate(n, hire=True)`` is the variant that can be planned without shortfall: every pool can hire
in up to its own capacity again, the lot has half as many stages again, and no production is
locked (the generated locks put two shoots on the LED volume at once).
"""

from __future__ import annotations

import pandas as pd

from planning.inputs import SlateData
from planning.sample import make_slate
from planning.validate import check

SIZES = (10, 20, 40, 100)
SEEDS = {10: 101, 20: 7, 40: 401, 100: 1001}   # 20 uses the sample's own seed


def tables(n: int, seed: int | None = None, hire: bool = False) -> dict:
    """The contract tables of the ``n``-production benchmark slate (``hire``: the variant with room)."""
    out = make_slate(n, seed=SEEDS.get(n, n) if seed is None else seed, stages_scale=1.5 if hire else 1.0,
                     n_locked=0 if hire else 3)
    if hire:
        res = out["resources"].copy()
        pool = res["kind"] != "stage"
        res.loc[pool, "hire_max_units"] = pd.concat([res.loc[pool, "hire_max_units"].fillna(0),
                                                     res.loc[pool, "capacity"]], axis=1).max(axis=1)
        res.loc[pool & res["hire_cost_per_week"].isna(), "hire_cost_per_week"] = 50_000.0
        out["resources"] = res
    return out


def slate(n: int, seed: int | None = None, hire: bool = False) -> SlateData:
    """The ``n``-production benchmark slate, validated."""
    data, problems = check(tables(n, seed, hire))
    if problems:
        raise ValueError("; ".join(map(str, problems)))
    return data
