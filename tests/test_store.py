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

ADMIN = Actor("boss@studio.test", "admin")


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


def test_a_save_from_a_stale_editor_is_refused_and_says_who_changed_the_slate(tmp_path):
    """Two admins edit: the later save, made from the slate as it was before the other's change,
    would undo it; it is refused (naming the change), nothing is lost, and a reload can save."""
    from planning.access import Actor
    from planning.data.store import StaleEdit

    store = Store(tmp_path / "slate.duckdb")
    store.load(SAMPLE, actor=ADMIN)
    opened = store.meta()["content_hash"]                          # both open the editor here
    first = store.slate().productions
    other = Actor("ana@studio.test", "admin")
    store.edit_table("productions", first.assign(title=first["title"] + " (Ana)"), source="edit", actor=other,
                     opened=opened)
    after_ana = store.meta()["content_hash"]
    mine = first.assign(lateness_cost_per_week=first["lateness_cost_per_week"] + 1)
    with pytest.raises(StaleEdit, match=r"changed since you opened the editor \(ana@studio.test: edit table"):
        store.edit_table("productions", mine, source="edit", actor=ADMIN, opened=opened)
    assert store.meta()["content_hash"] == after_ana                # Ana's change stands
    assert store.slate().productions["title"].str.endswith("(Ana)").all()
    reloaded = store.slate().productions
    store.edit_table("productions", reloaded.assign(lateness_cost_per_week=reloaded["lateness_cost_per_week"] + 1),
                     source="edit", actor=ADMIN,
                     opened=after_ana)
    kept = store.slate().productions
    assert kept["title"].str.endswith("(Ana)").all()
    assert (kept["lateness_cost_per_week"] == first["lateness_cost_per_week"] + 1).all()


def test_a_store_another_process_holds_says_which_process_and_what_to_do(tmp_path):
    import subprocess
    import sys

    from planning.data.store import StoreBusy

    path = tmp_path / "slate.duckdb"
    Store(path).load(SAMPLE, actor=ADMIN)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(60)", str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreBusy, match=rf"held by process {holder.pid} .*SLATE_STORE="):
            Store(path)
    finally:
        holder.kill()
        holder.wait()
    assert Store(path).meta()["content_hash"]                      # free again: it opens


def test_a_store_made_before_people_and_places_opens_and_keeps_its_hash(tmp_path):
    """A store saved before the ``availability``, ``actuals`` and ``estimates`` tables, the phase windows,
    actual dates, line basis and report date existed: it opens, its
    slate reads back with them empty, and the slate's hash is what it was (plans and scenarios made
    on it still match), computed here as it was then: every table but the new one, without the new
    columns."""
    import hashlib

    import duckdb

    from planning.data.store import content_hash
    from planning.data.validate import check

    raw = make_slate(12, seed=5)
    raw["availability"] = raw["availability"].iloc[0:0]
    raw["demands"] = raw["demands"][~raw["demands"]["resource_id"].fillna("").str.match("TAL-|LOC-")]
    raw["resources"] = raw["resources"][~raw["resources"]["kind"].isin(["talent", "location"])]
    raw["phases"] = raw["phases"].assign(window_start=pd.NaT, window_end=pd.NaT)
    data, problems = check(raw)
    assert not problems
    path = tmp_path / "old.duckdb"
    Store(path).save(data, source="then", actor=ADMIN)
    later = {"phases": ["window_start", "window_end", "actual_start", "actual_end", "expected_end"], "budget_lines": ["basis"],
             "settings": ["as_of"]}
    with duckdb.connect(str(path)) as con:                       # as an older version left it
        for table in ("availability", "actuals", "estimates"):
            con.execute(f'DROP TABLE "{table}"')
        for table, columns in later.items():
            for column in columns:
                con.execute(f'ALTER TABLE "{table}" DROP COLUMN {column}')
    back = Store(path).slate()
    assert back.availability.empty and back.phases["window_start"].isna().all()
    assert back.actuals.empty and back.estimates.empty and back.settings.as_of is None
    then = hashlib.sha256()
    for name, frame in back.tables().items():
        if name not in ("availability", "actuals", "estimates"):
            then.update(name.encode())
            then.update(frame.drop(columns=later.get(name, [])).to_csv(index=False).encode())
    assert content_hash(back) == then.hexdigest()[:16]
    store = Store(path)
    store.save(back, source="again", actor=ADMIN)               # the next load keeps the old slate in history
    assert len(store.history()) == 1
