"""The dataset the dashboard shows, and the cached results computed from it.

The slate lives in a DuckDB file (``SLATE_STORE``, default ``data/slate.duckdb``) shared by every
browser session. On first start it is loaded from ``SLATE_DATA_DIR`` (default: the bundled sample).
Everything derived is cached on the dataset's content hash, so a new upload invalidates it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from planning.cashflow import cashflow
from planning.conflicts import conflicts, utilization
from planning.inputs import SlateData, planned_schedule
from planning.store import Store

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Loaded:
    data: SlateData
    label: str
    key: str


def data_dir() -> Path:
    return Path(os.environ.get("SLATE_DATA_DIR", ROOT / "data" / "sample"))


@st.cache_resource
def store() -> Store:
    return Store(os.environ.get("SLATE_STORE", ROOT / "data" / "slate.duckdb"))


@st.cache_resource(max_entries=4)
def _slate(key: str) -> SlateData:
    return store().slate()


def current() -> Loaded:
    """The stored slate (loading the default dataset into an empty store first)."""
    s = store()
    if not s.has_slate():
        s.load(data_dir())
    meta = s.meta()
    source = str(meta["source"])
    label = source if source.startswith("upload") else Path(source).name
    return Loaded(_slate(meta["content_hash"]), label, meta["content_hash"])


@st.cache_data(max_entries=8)
def as_planned(key: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(schedule, utilization, conflicts)`` of the planned dates."""
    data = _slate(key)
    schedule = planned_schedule(data)
    util = utilization(data, schedule)
    return schedule, util, conflicts(data, schedule, util)


@st.cache_data(max_entries=8)
def cash(key: str, source: str = "as planned") -> pd.DataFrame:
    """The weekly cash flows of the slate on the chosen dates."""
    schedule, _, _ = as_planned(key)
    return cashflow(_slate(key), schedule)
