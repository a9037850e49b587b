"""Tables on a page, shown one way everywhere: headers in words ("Production", never ``production_id``:
``tables.header``, unless a column's own config names it), an empty cell blank (never "None"), no index
column. Downloads keep the machine headers; only what is shown is worded. ``where``: the container or
tab to show a table in (default: the page).

``st.table`` renders Markdown in every cell, so ``table`` escapes the cells and index (``text.md``): a
title, name or message shows as typed. Its headers are the page's own words, never user text."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.tables import headers, worded
from dashboard.text import md


def configured(frame: pd.DataFrame, given: dict | None = None) -> dict:
    """``headers(frame)``, with ``given``'s config per column on top (a config without a label gets the
    header)."""
    out: dict = headers(frame)
    for col, conf in (given or {}).items():
        out[col] = {**conf, "label": out.get(col, col)} if isinstance(conf, dict) and not conf.get("label") else conf
    return out


def dataframe(frame: pd.DataFrame, column_config: dict | None = None, where=st, **kwargs):
    """``st.dataframe`` of ``frame``: full width, headers in words, empty cells blank."""
    return where.dataframe(frame, **({"hide_index": True, "width": "stretch"} | kwargs), placeholder="",
                           column_config=configured(frame, column_config))


def editor(frame: pd.DataFrame, column_config: dict | None = None, **kwargs):
    """``st.data_editor`` of ``frame``, as ``dataframe``."""
    return st.data_editor(frame, **({"hide_index": True, "width": "stretch"} | kwargs), placeholder="",
                          column_config=configured(frame, column_config))


def table(frame: pd.DataFrame, where=st):
    """``st.table`` of ``frame`` (it wraps: every word in full) with its headers in words, text as typed."""
    shown = worded(frame).map(lambda v: md(v) if isinstance(v, str) else v)
    shown.index = shown.index.map(lambda v: md(v) if isinstance(v, str) else v)
    return where.table(shown)
