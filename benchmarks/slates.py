"""Seeded benchmark slates of 10, 20, 40 and 100 productions, the same shape as the sample.

``slate(n)`` is ``planning.sample.make_slate(n, seed=SEEDS[n])`` validated into ``SlateData``:
pools and stages scale with the slate, so every size is about as busy as the sample.
"""

from __future__ import annotations

from planning.inputs import SlateData
from planning.sample import make_slate
from planning.validate import check

SIZES = (10, 20, 40, 100)
SEEDS = {10: 101, 20: 7, 40: 401, 100: 1001}   # 20 uses the sample's own seed


def tables(n: int, seed: int | None = None) -> dict:
    """The contract tables of the ``n``-production benchmark slate."""
    return make_slate(n, seed=SEEDS.get(n, n) if seed is None else seed)


def slate(n: int, seed: int | None = None) -> SlateData:
    """The ``n``-production benchmark slate, validated."""
    data, problems = check(tables(n, seed))
    if problems:
        raise ValueError("; ".join(map(str, problems)))
    return data
