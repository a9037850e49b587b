"""Saved scenarios in a DuckDB file, shared by every browser session and CLI run.

DuckDB lets one process at a time open a database file for writing. So the store never keeps the
file open: each operation connects, runs one short transaction and closes, retrying while another
process holds the lock (``LOCK_TIMEOUT`` seconds in all). Inside a process a lock serializes the
operations of all threads. A transaction commits whole or not at all, so a process killed during a
save leaves the previous content intact.

Tables: ``scenarios(name, base_hash, overrides, summary, note, created_by, created_at, saved_by,
saved_at, created_by_id, saved_by_id)`` (times in UTC) and ``scenario_results(name, part, payload)``,
each result frame a Parquet blob. ``created_by`` / ``saved_by`` are the display names (emails),
``created_by_id`` / ``saved_by_id`` the stable identities (``Actor.id``: issuer and subject when signed
in) that ownership is decided on.

A store made by an earlier version (author columns holding emails only) opens as it is: the new
columns are added in place (``MIGRATIONS``), and its old rows keep their authors with an empty id,
so such a row's owner is matched by its email (``Actor.owns``); replacing it keeps its author as
recorded. (An earlier version cannot write to a store once this one has added the columns.)

Nothing is replaced silently: saving under a name that is taken raises ``ScenarioExists`` unless
``replace=True``, and a replaced scenario is kept, whole, in ``scenario_versions`` /
``scenario_version_results`` (the last ``KEEP_VERSIONS`` per name), so ``undo_replace`` brings it
back (and keeps the one it takes the place of, so an undo can be undone).

Every write names its ``Actor``, is checked against the actor's role (``planning.access.require``:
planners may change their own scenarios, admins anyone's) before anything changes, and adds one
row to ``audit(at, user, role, action, target, detail, user_id)`` in the same transaction.
"""

from __future__ import annotations

import functools
import io
import json
import threading
import time
import unicodedata
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from planning.access import Actor, Forbidden, Owner, require
from planning.data.store import private
from planning.scenarios.types import Scenario

LOCK_TIMEOUT = 30.0
AUDIT_TABLE = """CREATE TABLE IF NOT EXISTS audit ("at" TIMESTAMP, "user" VARCHAR, role VARCHAR, action VARCHAR,
    target VARCHAR, detail VARCHAR, user_id VARCHAR)"""
KEEP_VERSIONS = 5
COLUMNS = "name, base_hash, overrides, summary, note, created_by, created_at, saved_by, saved_at, created_by_id, saved_by_id"
_PROCESS_LOCK = threading.Lock()

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS scenarios (
        name VARCHAR PRIMARY KEY, base_hash VARCHAR, overrides VARCHAR, summary VARCHAR, note VARCHAR,
        created_by VARCHAR, created_at TIMESTAMP, saved_by VARCHAR, saved_at TIMESTAMP,
        created_by_id VARCHAR, saved_by_id VARCHAR)""",
    "CREATE TABLE IF NOT EXISTS scenario_results (name VARCHAR, part VARCHAR, payload BLOB)",
    """CREATE TABLE IF NOT EXISTS scenario_versions (
        version INTEGER, replaced_at TIMESTAMP, replaced_by VARCHAR, name VARCHAR, base_hash VARCHAR,
        overrides VARCHAR, summary VARCHAR, note VARCHAR, created_by VARCHAR, created_at TIMESTAMP,
        saved_by VARCHAR, saved_at TIMESTAMP, created_by_id VARCHAR, saved_by_id VARCHAR, replaced_by_id VARCHAR)""",
    "CREATE TABLE IF NOT EXISTS scenario_version_results (version INTEGER, part VARCHAR, payload BLOB)",
    AUDIT_TABLE,
]
# Columns added since the first release, added in place to a store made before them (a no-op on a
# new one). Every statement names its columns, so the order they end up in does not matter.
MIGRATIONS = [
    "ALTER TABLE scenarios ADD COLUMN IF NOT EXISTS created_by_id VARCHAR",
    "ALTER TABLE scenarios ADD COLUMN IF NOT EXISTS saved_by_id VARCHAR",
    "ALTER TABLE scenario_versions ADD COLUMN IF NOT EXISTS created_by_id VARCHAR",
    "ALTER TABLE scenario_versions ADD COLUMN IF NOT EXISTS saved_by_id VARCHAR",
    "ALTER TABLE scenario_versions ADD COLUMN IF NOT EXISTS replaced_by_id VARCHAR",
    "ALTER TABLE audit ADD COLUMN IF NOT EXISTS user_id VARCHAR",
]


class ScenarioError(Exception):
    pass


class ScenarioExists(ScenarioError):
    """Saving under a name that is taken, without ``replace``."""


def _to_blob(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def _from_blob(blob: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(blob))


MAX_NAME = 120


def check_name(name: str) -> None:
    """A scenario name is shown on every page and in file names: 1 to ``MAX_NAME`` characters,
    no control or invisible formatting characters (line breaks, escapes, right-to-left overrides),
    no leading or trailing spaces."""
    if not name or not name.strip():
        raise ScenarioError("a scenario needs a name")
    if name != name.strip() or len(name) > MAX_NAME:
        raise ScenarioError(f"a scenario name has 1 to {MAX_NAME} characters and no spaces at either end")
    bad = sorted({f"U+{ord(c):04X}" for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")})
    if bad:
        raise ScenarioError(f"a scenario name may not hold control or invisible characters ({', '.join(bad)})")


def _audits_refusals(method):
    """A store method whose ``Forbidden`` (raised inside its transaction, which rolls back) leaves
    an audit row of the refusal, written after the rollback."""
    @functools.wraps(method)
    def checked(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Forbidden as why:
            actor = kwargs.get("actor") or next(a for a in args if isinstance(a, Actor))
            target = str(getattr(args[0], "name", args[0])) if args else ""
            with self._transaction() as con:
                self._audit(con, actor, f"refused: {method.__name__.replace('_', ' ')}", target, str(why))
            raise
    return checked


class ScenarioStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._transaction() as con:
            for sql in SCHEMA + MIGRATIONS:
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
                private(self.path)

    @contextmanager
    def _transaction(self):
        """A connection inside one transaction: committed whole, or rolled back on any error."""
        with self._connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise

    @staticmethod
    def _audit(con, actor: Actor, action: str, target: str, detail: str = "") -> None:
        con.execute('INSERT INTO audit ("at", "user", role, action, target, detail, user_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
                    [pd.Timestamp.now(tz="UTC").tz_localize(None), actor.user, actor.role, action, target, detail,
                     actor.id])

    @staticmethod
    def _author(con, name: str) -> Owner | None:
        """Who made the stored scenario ``name``, or None when there is none."""
        found = con.execute("SELECT created_by, created_by_id FROM scenarios WHERE name = ?", [name]).fetchall()
        return Owner.of(*found[0]) if found else None

    @staticmethod
    def _kept_author(con, version: int) -> Owner:
        """Who made the kept ``version``."""
        found = con.execute("SELECT created_by, created_by_id FROM scenario_versions WHERE version = ?",
                            [version]).fetchall()
        return Owner.of(*found[0])

    def audit(self) -> pd.DataFrame:
        """Every change to the saved scenarios, newest first: at, user, user_id (the stable identity;
        empty on rows written before it was kept), role, action, target, detail."""
        with self._connect() as con:
            return con.execute("""SELECT "at", "user", coalesce(user_id, '') AS user_id, role, action, target, detail
                                  FROM audit ORDER BY "at" DESC""").df()

    def _set_aside(self, con, name: str, actor: Actor, now: pd.Timestamp) -> None:
        """Keep the stored ``name`` as a version (if there is one), then remove it and its results."""
        if con.execute("SELECT 1 FROM scenarios WHERE name = ?", [name]).fetchall():
            self._keep_version(con, name, actor, now)
        con.execute("DELETE FROM scenarios WHERE name = ?", [name])
        con.execute("DELETE FROM scenario_results WHERE name = ?", [name])

    @_audits_refusals
    def save(self, scenario: Scenario, actor: Actor, results: dict[str, pd.DataFrame] | None = None,
             summary: dict | None = None, replace: bool = False) -> None:
        """Insert a scenario and its results in one transaction. A name that is taken raises
        ``ScenarioExists`` unless ``replace``; then the scenario it replaces is kept as a version."""
        require(actor, "save scenario")
        check_name(scenario.name)
        results = results or {}
        now = pd.Timestamp.now(tz="UTC").tz_localize(None)
        with self._transaction() as con:
            old = con.execute("SELECT created_by, created_at, saved_by, saved_at, created_by_id FROM scenarios "
                              "WHERE name = ?", [scenario.name]).fetchall()
            if old and not replace:
                by, at = old[0][2], pd.Timestamp(old[0][3])
                raise ScenarioExists(f"a scenario named {scenario.name!r} already exists (saved by {by} on "
                                     f"{at:%d %b %Y %H:%M} UTC): choose another name, or replace it")
            if old:
                require(actor, "replace scenario", owner=Owner.of(old[0][0], old[0][4]))
            # a replaced scenario keeps its author as recorded (an old row's empty id stays empty)
            created_by, created_at, created_by_id = (old[0][0], old[0][1], old[0][4]) if old else (actor.user, now, actor.id)
            self._set_aside(con, scenario.name, actor, now)
            con.execute(f"INSERT INTO scenarios ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [scenario.name, scenario.base_hash, scenario.overrides_json(),
                         json.dumps(summary or {}, sort_keys=True, default=str), scenario.note,
                         created_by, created_at, actor.user, now, created_by_id, actor.id])
            for part, frame in results.items():
                con.execute("INSERT INTO scenario_results VALUES (?, ?, ?)", [scenario.name, part, _to_blob(frame)])
            self._audit(con, actor, "replace scenario" if old else "save scenario", scenario.name,
                        f"{len(results)} result tables")

    @staticmethod
    def _keep_version(con, name: str, actor: Actor, now: pd.Timestamp) -> None:
        """Copy the stored scenario ``name`` (and its results) into the versions; keep the newest few."""
        version = con.execute("SELECT coalesce(max(version), 0) + 1 FROM scenario_versions").fetchall()[0][0]
        con.execute(f"""INSERT INTO scenario_versions (version, replaced_at, replaced_by, replaced_by_id, {COLUMNS})
                        SELECT ?, ?, ?, ?, {COLUMNS} FROM scenarios WHERE name = ?""",
                    [version, now, actor.user, actor.id, name])
        con.execute("INSERT INTO scenario_version_results SELECT ?, part, payload FROM scenario_results WHERE name = ?",
                    [version, name])
        stale = con.execute("SELECT version FROM scenario_versions WHERE name = ? ORDER BY version DESC OFFSET ?",
                            [name, KEEP_VERSIONS]).fetchall()
        for (v,) in stale:
            con.execute("DELETE FROM scenario_versions WHERE version = ?", [v])
            con.execute("DELETE FROM scenario_version_results WHERE version = ?", [v])

    def kept(self) -> pd.DataFrame:
        """Every kept earlier version, newest first: name, replaced_at, replaced_by, note, saved_by, saved_at."""
        with self._connect() as con:
            return con.execute("""SELECT name, replaced_at, replaced_by, note, saved_by, saved_at
                                  FROM scenario_versions ORDER BY version DESC""").df()

    def versions(self, name: str) -> pd.DataFrame:
        """The kept earlier versions of ``name``, newest first: version, replaced_at, replaced_by,
        note, saved_by, saved_at."""
        with self._connect() as con:
            return con.execute("""SELECT version, replaced_at, replaced_by, note, saved_by, saved_at
                                  FROM scenario_versions WHERE name = ? ORDER BY version DESC""", [name]).df()

    @_audits_refusals
    def undo_replace(self, name: str, actor: Actor) -> None:
        """Bring back the newest kept version of ``name``; the scenario it takes the place of is kept
        as a version in turn. Raises ``ScenarioError`` when there is none."""
        now = pd.Timestamp.now(tz="UTC").tz_localize(None)
        with self._transaction() as con:
            version = con.execute("SELECT max(version) FROM scenario_versions WHERE name = ?", [name]).fetchall()[0][0]
            if version is None:
                raise ScenarioError(f"no earlier version of {name!r} is kept")
            require(actor, "undo scenario",
                    owner=self._author(con, name) or self._kept_author(con, version))
            self._set_aside(con, name, actor, now)
            self._audit(con, actor, "undo scenario", name, f"brought back the version replaced at version {version}")
            con.execute(f"INSERT INTO scenarios ({COLUMNS}) SELECT {COLUMNS} FROM scenario_versions WHERE version = ?",
                        [version])
            con.execute("INSERT INTO scenario_results SELECT ?, part, payload FROM scenario_version_results "
                        "WHERE version = ?", [name, version])
            con.execute("DELETE FROM scenario_versions WHERE version = ?", [version])
            con.execute("DELETE FROM scenario_version_results WHERE version = ?", [version])

    def free_name(self, name: str) -> str:
        """``name``, or ``name (2)``, ``name (3)``...: the first that no scenario has."""
        taken = set(self.list()["name"])
        candidate, i = name, 1
        while candidate in taken:
            i += 1
            candidate = f"{name} ({i})"
        return candidate

    def list(self) -> pd.DataFrame:
        """``name, base_hash, note, created_by, created_at, saved_by, saved_at, parts, created_by_id,
        saved_by_id, plan, search, overrides`` (newest first); ``plan`` says how good the saved plan is,
        in words (empty for one saved without), ``search`` quick or thorough (where recorded),
        ``overrides`` the JSON; an id is empty on a row saved before ids were kept."""
        with self._connect() as con:
            out = con.execute(
                """SELECT s.name, s.base_hash, s.note, s.created_by, s.created_at, s.saved_by, s.saved_at,
                          count(r.part) AS parts, coalesce(any_value(s.created_by_id), '') AS created_by_id,
                          coalesce(any_value(s.saved_by_id), '') AS saved_by_id, any_value(s.summary) AS summary, any_value(s.overrides) AS overrides
                   FROM scenarios s LEFT JOIN scenario_results r USING (name)
                   GROUP BY ALL ORDER BY s.saved_at DESC, s.name""").df()
        summaries = [json.loads(s or "{}") for s in out.pop("summary")]
        out["plan"] = [s.get("verdict", "") for s in summaries]
        out["search"] = [s.get("search", "") for s in summaries]
        out["overrides"] = out.pop("overrides")
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

    @_audits_refusals
    def rename(self, old: str, new: str, actor: Actor) -> None:
        check_name(new)
        with self._transaction() as con:
            if con.execute("SELECT 1 FROM scenarios WHERE name = ?", [new]).fetchall():
                raise ScenarioError(f"a scenario named {new!r} already exists")
            if not con.execute("SELECT 1 FROM scenarios WHERE name = ?", [old]).fetchall():
                raise ScenarioError(f"no scenario named {old!r}")
            require(actor, "rename scenario", owner=self._author(con, old))
            con.execute("UPDATE scenarios SET name = ?, saved_by = ?, saved_by_id = ?, saved_at = ? WHERE name = ?",
                        [new, actor.user, actor.id, pd.Timestamp.now(tz="UTC").tz_localize(None), old])
            con.execute("UPDATE scenario_results SET name = ? WHERE name = ?", [new, old])
            self._audit(con, actor, "rename scenario", new, f"was {old!r}")

    @_audits_refusals
    def delete(self, name: str, actor: Actor) -> None:
        """Delete a scenario; it is kept as a version, so ``undo_replace`` can bring it back."""
        with self._transaction() as con:
            author = self._author(con, name)
            if author is None:
                raise ScenarioError(f"no scenario named {name!r}")
            require(actor, "delete scenario", owner=author)
            self._set_aside(con, name, actor, pd.Timestamp.now(tz="UTC").tz_localize(None))
            self._audit(con, actor, "delete scenario", name)
