"""Every ``SLATE_*`` setting, read once from the environment, with its default.

- ``SLATE_DATA_DIR``: the slate the dashboard loads into an empty store (default: the bundled sample).
- ``SLATE_STORE``: the dashboard's DuckDB file of the loaded slate (default ``data/slate.duckdb``).
- ``SLATE_SCENARIOS``: the DuckDB file of saved scenarios (default ``data/scenarios.duckdb``), shared
  by the dashboard and ``slate scenario``.
- ``SLATE_SOLVERS``: plans computed at once across all dashboard sessions (default 2).
- ``SLATE_PRECOMPUTE``: ``0`` stops the dashboard from planning the baseline as soon as it opens.
- ``SLATE_SOLVER_THREADS``: HiGHS threads, one value for every solve in a process (default 1).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "data" / "sample"

DATA_DIR = Path(os.environ.get("SLATE_DATA_DIR", SAMPLE_DIR))
STORE_PATH = Path(os.environ.get("SLATE_STORE", ROOT / "data" / "slate.duckdb"))
SCENARIOS_PATH = Path(os.environ.get("SLATE_SCENARIOS", ROOT / "data" / "scenarios.duckdb"))
SOLVERS = max(1, int(os.environ.get("SLATE_SOLVERS", "2")))
PRECOMPUTE = os.environ.get("SLATE_PRECOMPUTE", "1") != "0"
SOLVER_THREADS = int(os.environ.get("SLATE_SOLVER_THREADS", "1"))
