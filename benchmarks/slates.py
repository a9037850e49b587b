"""Seeded benchmark slates of 10, 20, 40, 100 and 300 productions, the same shape as the sample.

``slate(n)`` is ``planning.sample.make_slate(n, seed=SEEDS[n])`` validated into ``SlateData``:
pools and stages scale with the slate, so every size is about as busy as the sample. Generated
slates are over-committed at 10, 40, 100 and 300 productions (some capacity nobody can cover).
``slate(n, hire=True)`` is the variant that can be planned without shortfall: every pool can hire
in up to its own capacity again, the lot has half as many stages again and two LED volumes per
twenty productions (each production's LED work named on one of them, in turn), and no production
is locked (the generated locks put two shoots on the LED volume at once).
"""

from __future__ import annotations

import pandas as pd

from planning.data.inputs import SlateData
from planning.sample import make_slate
from planning.data.validate import check

SIZES = (10, 20, 40, 100, 300)
SEEDS = {10: 101, 20: 7, 40: 401, 100: 1001, 300: 3001}   # 20 uses the sample's own seed


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
        led = res[res["resource_id"] == "LED-01"]
        volumes = [f"LED-{i:02d}" for i in range(1, 2 * -(-n // 20) + 1)]
        extra = pd.concat([led.assign(resource_id=v, name=f"LED Volume {i + 1}") for i, v in enumerate(volumes[1:], 1)])
        out["resources"] = pd.concat([res, extra], ignore_index=True)
        dem = out["demands"].copy()
        on_led = dem["resource_id"] == "LED-01"
        order = {p: i for i, p in enumerate(dict.fromkeys(dem.loc[on_led, "production_id"]))}
        dem.loc[on_led, "resource_id"] = [volumes[order[p] % len(volumes)] for p in dem.loc[on_led, "production_id"]]
        out["demands"] = dem
    return out


def slate(n: int, seed: int | None = None, hire: bool = False) -> SlateData:
    """The ``n``-production benchmark slate, validated."""
    data, problems = check(tables(n, seed, hire))
    if problems:
        raise ValueError("; ".join(map(str, problems)))
    return data
