"""Every ``SLATE_*`` setting and its default, in one place. Read from the environment when asked
(so a test or a second app on one machine can point elsewhere), except the solver threads.

- ``SLATE_DATA_DIR``: the slate the dashboard loads into an empty store (default: the bundled sample).
- ``SLATE_STORE``: the dashboard's DuckDB file of the loaded slate (default ``data/slate.duckdb``).
- ``SLATE_SCENARIOS``: the DuckDB file of saved scenarios (default ``data/scenarios.duckdb``), shared
  by the dashboard and ``slate scenario``.
- ``SLATE_SOLVERS``: plans computed at once across all dashboard sessions (default 2).
- ``SLATE_PRECOMPUTE``: ``0`` stops the dashboard from planning the baseline as soon as it opens.
- ``SLATE_ALLOW_NETWORK``: ``1`` lets ``slate app`` serve the network without sign-in (default: this
  computer only, unless ``[auth]`` is configured).
- ``SLATE_DASK_SCHEDULER``: a Dask scheduler address (``tcp://host:8786``); the Risk page then runs
  its samples on that cluster instead of this computer's processes.
- ``SLATE_SOLVER_THREADS``: HiGHS threads, read once: HiGHS keeps one thread pool per process, so
  every solve in a process must ask for the same number (default 1).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "data" / "sample"
SOLVER_THREADS = int(os.environ.get("SLATE_SOLVER_THREADS", "1"))


def data_dir() -> Path:
    return Path(os.environ.get("SLATE_DATA_DIR", SAMPLE_DIR))


def store_path() -> Path:
    return Path(os.environ.get("SLATE_STORE", ROOT / "data" / "slate.duckdb"))


def scenarios_path() -> Path:
    return Path(os.environ.get("SLATE_SCENARIOS", ROOT / "data" / "scenarios.duckdb"))


def solvers() -> int:
    return max(1, int(os.environ.get("SLATE_SOLVERS", "2")))


def precompute() -> bool:
    return os.environ.get("SLATE_PRECOMPUTE", "1") != "0"


def allow_network() -> bool:
    return os.environ.get("SLATE_ALLOW_NETWORK") == "1"


def dask_scheduler() -> str | None:
    return os.environ.get("SLATE_DASK_SCHEDULER") or None
