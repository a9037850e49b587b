"""Saved scenarios in a DuckDB file, shared by every browser session and CLI run.

DuckDB lets one process at a time open a database file for writing. So the store never keeps the
file open: each operation connects, runs one short transaction and closes, retrying while another
process holds the lock (``LOCK_TIMEOUT`` seconds in all). Inside a process a lock serializes the
operations of all threads. A transaction commits whole or not at all, so a process killed during a
save leaves the previous content intact.

Tables: ``scenarios(name, base_hash, overrides, summary, note, created_by, created_at, saved_by,
saved_at)`` (times in UTC) and ``scenario_results(name, part, payload)``, each result frame a Parquet blob.
"""

from __future__ import annotations

import io
import json
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from planning.scenarios.types import Scenario

LOCK_TIMEOUT = 30.0
_PROCESS_LOCK = threading.Lock()

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS scenarios (
        name VARCHAR PRIMARY KEY, base_hash VARCHAR, overrides VARCHAR, summary VARCHAR, note VARCHAR,
        created_by VARCHAR, created_at TIMESTAMP, saved_by VARCHAR, saved_at TIMESTAMP)""",
    "CREATE TABLE IF NOT EXISTS scenario_results (name VARCHAR, part VARCHAR, payload BLOB)",
]


class ScenarioError(Exception):
    pass


def _to_blob(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def _from_blob(blob: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(blob))


class ScenarioStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            for sql in SCHEMA:
                con.execute(sql)

    @contextmanager
    def _connect(self):
        """A short-lived connection, retried while another process holds the file's lock."""
        deadline = time.monotonic() + LOCK_TIMEOUT
        delay = 0.02
        with _PROCESS_LOCK:
            while True:
                try:
                    con = duckdb.connect(str(self.path))
                    break
                except duckdb.IOException as exc:
                    if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                        raise ScenarioError(f"scenario store {self.path} is busy: {exc}") from exc
                    time.sleep(delay)
                    delay = min(delay * 2, 0.5)
            try:
                yield con
            finally:
                con.close()

    def save(self, scenario: Scenario, user: str, results: dict[str, pd.DataFrame] | None = None,
             summary: dict | None = None) -> None:
        """Insert or replace a scenario and its results in one transaction."""
        results = results or {}
        now = pd.Timestamp.now(tz="UTC").tz_localize(None)
        with self._connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                old = con.execute("SELECT created_by, created_at FROM scenarios WHERE name = ?",
                                  [scenario.name]).fetchall()
                created_by, created_at = old[0] if old else (user, now)
                con.execute("DELETE FROM scenarios WHERE name = ?", [scenario.name])
                con.execute("DELETE FROM scenario_results WHERE name = ?", [scenario.name])
                con.execute("INSERT INTO scenarios VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [scenario.name, scenario.base_hash, scenario.overrides_json(),
                             json.dumps(summary or {}, sort_keys=True, default=str), scenario.note,
                             created_by, created_at, user, now])
                for part, frame in results.items():
                    con.execute("INSERT INTO scenario_results VALUES (?, ?, ?)",
                                [scenario.name, part, _to_blob(frame)])
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise

    def list(self) -> pd.DataFrame:
        """``name, base_hash, note, created_by, created_at, saved_by, saved_at, parts, plan`` (newest
        first); ``plan`` says how good the saved plan is, in words (empty for one saved without)."""
        with self._connect() as con:
            out = con.execute(
                """SELECT s.name, s.base_hash, s.note, s.created_by, s.created_at, s.saved_by, s.saved_at,
                          count(r.part) AS parts, any_value(s.summary) AS summary
                   FROM scenarios s LEFT JOIN scenario_results r USING (name)
                   GROUP BY ALL ORDER BY s.saved_at DESC, s.name""").df()
        out["plan"] = [json.loads(s or "{}").get("verdict", "") for s in out.pop("summary")]
        return out

    def load(self, name: str) -> tuple[Scenario, dict[str, pd.DataFrame], dict]:
        """``(scenario, results, summary)``; raises ``ScenarioError`` for an unknown name."""
        with self._connect() as con:
            rows = con.execute("SELECT overrides, summary FROM scenarios WHERE name = ?", [name]).fetchall()
            if not rows:
                raise ScenarioError(f"no scenario named {name!r}")
            parts = con.execute("SELECT part, payload FROM scenario_results WHERE name = ?", [name]).fetchall()
        overrides, summary = rows[0]
        return Scenario.from_json(name, overrides), {p: _from_blob(b) for p, b in parts}, json.loads(summary)

    def rename(self, old: str, new: str, user: str) -> None:
        with self._connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                if con.execute("SELECT 1 FROM scenarios WHERE name = ?", [new]).fetchall():
                    raise ScenarioError(f"a scenario named {new!r} already exists")
                if not con.execute("SELECT 1 FROM scenarios WHERE name = ?", [old]).fetchall():
                    raise ScenarioError(f"no scenario named {old!r}")
                con.execute("UPDATE scenarios SET name = ?, saved_by = ?, saved_at = ? WHERE name = ?",
                            [new, user, pd.Timestamp.now(tz="UTC").tz_localize(None), old])
                con.execute("UPDATE scenario_results SET name = ? WHERE name = ?", [new, old])
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise

    def delete(self, name: str) -> None:
        with self._connect() as con:
            con.execute("BEGIN TRANSACTION")
            con.execute("DELETE FROM scenarios WHERE name = ?", [name])
            con.execute("DELETE FROM scenario_results WHERE name = ?", [name])
            con.execute("COMMIT")
