"""The ``changes`` frame of a plan: what the optimizer changed (moves and stage choices, from
``planning.optimizer.results``) and the hire-in and shortfall runs of the plan's utilization.

Columns: change (moved|stage|hire|shortfall), production_id, phase_id, resource_id, first_week,
last_week, amount (weeks moved, or units), detail.
"""

from __future__ import annotations

import pandas as pd

CHANGE_COLUMNS = ["change", "production_id", "phase_id", "resource_id", "first_week", "last_week", "amount", "detail"]


def _runs(frame: pd.DataFrame, column: str) -> list[dict]:
    """Runs of consecutive weeks with ``column > 0`` per resource."""
    on = frame[frame[column] > 0].sort_values(["resource_id", "week"])
    out = []
    if on.empty:
        return out
    run = (on["week"].diff().ne(1) | on["resource_id"].ne(on["resource_id"].shift())).cumsum()
    for _, g in on.groupby(run.to_numpy()):
        out.append({"resource_id": g["resource_id"].iat[0], "first_week": int(g["week"].min()),
                    "last_week": int(g["week"].max()), "amount": int(g[column].sum()), "peak": int(g[column].max())})
    return out


def capacity_changes(util: pd.DataFrame) -> pd.DataFrame:
    """Hire-in runs and shortfall runs of a plan, from its utilization."""
    rows = []
    for kind in ("hired", "shortfall"):
        for run in _runs(util, kind):
            rows.append({"change": "hire" if kind == "hired" else "shortfall", "production_id": "", "phase_id": "",
                         "resource_id": run["resource_id"], "first_week": run["first_week"],
                         "last_week": run["last_week"], "amount": run["amount"],
                         "detail": f"{run['amount']} unit-weeks, at most {run['peak']} in a week"})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
