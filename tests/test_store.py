"""The slate store keeps what it replaces: every load keeps the slate before it (the last few), one
table can be replaced or edited only into a clean slate, and nothing changes on a failure."""

from __future__ import annotations

import pandas as pd
import pytest

from planning.data.store import KEEP_SLATES, Store
from planning.data.validate import ValidationError
from planning.sample import make_slate, write_slate

from planning.access import Actor

from conftest import SAMPLE

ADMIN = Actor("ana", "admin")


def test_a_bad_table_changes_nothing_and_names_row_and_column(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    data = store.load(SAMPLE, actor=ADMIN)
    phases = data.phases.drop(columns="seq").copy()
    phases.loc[0, "duration_weeks"] = -3
    with pytest.raises(ValidationError) as caught:
        store.replace_table("phases", phases, source="edit", actor=ADMIN)
    assert [(p.table, p.row, p.column) for p in caught.value.problems] == [("phases", "P01/prep", "duration_weeks")]
    assert store.meta()["source"] == str(SAMPLE) and store.history().empty          # nothing stored
    pd.testing.assert_frame_equal(store.slate().phases, data.phases)


def test_one_table_is_checked_against_the_others(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.load(SAMPLE, actor=ADMIN)
    productions = store.slate().productions
    kept = productions[productions["production_id"] != "P01"]           # P01's phases would be orphans
    with pytest.raises(ValidationError) as caught:
        store.replace_table("productions", kept, source="upload", actor=ADMIN)
    assert {p.table for p in caught.value.problems} >= {"phases"}
    renamed = productions.assign(title=productions["title"].where(productions["production_id"] != "P01", "New title"))
    store.replace_table("productions", renamed, source="edit", actor=ADMIN)
    assert store.slate().productions.set_index("production_id").at["P01", "title"] == "New title"
    assert store.history()["source"].tolist() == [str(SAMPLE)]
    assert store.replace_table("productions", renamed, source="again", actor=ADMIN) is None        # no change: nothing stored
    assert len(store.history()) == 1 and store.meta()["source"] == "edit"


def test_every_load_keeps_the_slate_it_replaces_and_one_comes_back(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.load(SAMPLE, actor=ADMIN)
    for n in range(KEEP_SLATES + 1):
        write_slate(make_slate(4 + n, seed=n), tmp_path / f"s{n}")
        store.load(tmp_path / f"s{n}", actor=ADMIN)
    history = store.history()
    assert len(history) == KEEP_SLATES                                   # the oldest are let go
    assert history["productions"].tolist() == [4 + n for n in range(KEEP_SLATES - 1, -1, -1)]
    newest_kept = int(history["version"].iloc[0])
    back = store.bring_back(newest_kept, actor=ADMIN)
    assert len(back.productions) == 4 + KEEP_SLATES - 1
    assert store.meta()["source"].startswith("brought back: ")
    assert store.history()["productions"].iloc[0] == 4 + KEEP_SLATES          # the one it replaced is kept
    with pytest.raises(ValidationError, match="no earlier slate number 999"):
        store.bring_back(999, actor=ADMIN)
