"""The DuckDB store: reads a folder of Parquet (or CSV) into DuckDB and hands out typed frames.

All SQL goes through ``Store.query`` / ``Store.execute`` with bound parameters; every call takes
its own cursor (a DuckDB connection is not thread-safe, its cursors are), and a failure raises
``StoreError`` carrying the SQL that failed.

Loading is all-or-nothing: files are read and validated first; only a dataset with no problem
replaces the stored one, inside one transaction. Nothing is lost by a load: the slate it replaces
is kept, whole, in ``slate_history`` (the last ``KEEP_SLATES``), and ``bring_back`` restores one.
One table can be replaced or edited (``replace_table``): it is validated with the other tables
as loaded, and stored only if the whole slate is then clean.

Every write names its ``Actor`` and needs the admin role (``planning.access.require``, checked
before anything changes); it adds one row to ``audit(at, user, role, action, target, detail,
user_id)`` (the rows of every table) in the same transaction: ``user`` is the display name (the
email), ``user_id`` the stable identity (``Actor.id``: issuer and subject when signed in). A store
made before ``user_id`` was kept gets the column added in place when it opens (its old rows: empty).

Adopting a plan (``adopt``: a planner or an admin) writes the plan's starts as the phases' planned
dates (``planning.data.adopt``) as a new slate version, the slate before kept in ``slate_history``
like any other, with its audit row and one row of the decision log, ``adoptions(at, user, user_id,
role, plan, note, moved, from_hash, to_hash, version)`` (``version``: the number the slate it replaced
is kept under; ``moved``: how many phases' planned dates changed), all in one transaction. A store
made before the decision log gets the table when it opens.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from pathlib import Path

import duckdb
import pandas as pd

from planning.access import Actor, Forbidden, require
from planning.data.adopt import PlanNotAdopted, adopted_note, adopted_phases
from planning.data.inputs import SlateData
from planning.data.schema import TABLES
from planning.data.validate import Problem, ValidationError, check

KEEP_SLATES = 5
AUDIT = """CREATE TABLE IF NOT EXISTS audit ("at" TIMESTAMP, "user" VARCHAR, role VARCHAR, action VARCHAR,
    target VARCHAR, detail VARCHAR, user_id VARCHAR)"""
AUDIT_MIGRATION = "ALTER TABLE audit ADD COLUMN IF NOT EXISTS user_id VARCHAR"     # stores made before ids
AUDIT_INSERT = 'INSERT INTO audit ("at", "user", role, action, target, detail, user_id) VALUES (?, ?, ?, ?, ?, ?, ?)'
HISTORY = """CREATE TABLE IF NOT EXISTS slate_history (version INTEGER, source VARCHAR, content_hash VARCHAR,
    loaded_at TIMESTAMP, replaced_at TIMESTAMP, productions INTEGER, part VARCHAR, payload BLOB)"""


SIGNED_OUT = """CREATE TABLE IF NOT EXISTS signed_out (session VARCHAR, "at" TIMESTAMP)"""
ADOPTIONS = """CREATE TABLE IF NOT EXISTS adoptions ("at" TIMESTAMP, "user" VARCHAR, user_id VARCHAR, role VARCHAR,
    plan VARCHAR, note VARCHAR, moved INTEGER, from_hash VARCHAR, to_hash VARCHAR, version INTEGER)"""
SLATE_ACTIONS = ("load slate", "replace table", "edit table", "restore slate", "bring back slate", "adopt plan")
# A change made from a slate that is another by now: what was opened, and what to do (``StaleEdit``).
STALE = {"adopt plan": ("since the plan was made", "plan again on the slate as it is now, then adopt that plan"),
         None: ("since you opened the editor", "reload the editor to see the change, then make your edit again")}
ADOPTED = ", plan adopted: "          # in a slate's source: the source it came from, then the plan adopted


def private(path: str | Path) -> None:
    """Make a store's database file (and its write-ahead log) readable by this user only (0600):
    it holds confidential budgets."""
    if str(path) == ":memory:":
        return
    for file in (Path(path), Path(f"{path}.wal")):
        try:
            file.chmod(0o600)
        except FileNotFoundError:
            pass


def _blob(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


class StoreBusy(Exception):
    """Another process holds the store's file (DuckDB lets one process write a file at a time)."""


class StaleEdit(Exception):
    """The slate changed since the editor was opened: saving would undo someone's change."""


class StoreError(Exception):
    def __init__(self, message: str, sql: str):
        self.sql = sql
        super().__init__(f"{message}\n  while running: {sql.strip()}")


def _read_file(cur: duckdb.DuckDBPyConnection, path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return cur.execute("SELECT * FROM read_parquet(?)", [str(path)]).df()
    # CSV: every cell as text, so that typing (and its messages) is the validator's job.
    return cur.execute("SELECT * FROM read_csv(?, header = true, all_varchar = true)", [str(path)]).df()


def read_folder(folder: str | Path) -> tuple[dict[str, pd.DataFrame | None], list[Problem]]:
    """Read every contract table found in ``folder``.

    Returns the raw frames (``None`` where the file is absent) and the problems with the files
    themselves: a table given twice (Parquet and CSV), or a file that cannot be read (not
    Parquet, truncated, empty).
    """
    folder = Path(folder)
    if not folder.is_dir():
        return {}, [Problem("", "", "", f"no data folder at {folder}" if not folder.exists() else
                            f"{folder} is a file, not a folder of tables")]
    raw: dict[str, pd.DataFrame | None] = {}
    problems: list[Problem] = []
    cur = duckdb.connect()
    try:
        for name in TABLES:
            found = [p for p in (folder / f"{name}.parquet", folder / f"{name}.csv") if p.exists()]
            if len(found) > 1:
                problems.append(Problem(name, "", "", f"both {name}.parquet and {name}.csv are present; keep one"))
                continue
            if not found:
                continue
            path = found[0]
            if path.stat().st_size == 0:
                problems.append(Problem(name, "", "", f"{path.name} is empty (0 bytes)"))
                continue
            try:
                raw[name] = _read_file(cur, path)
            except duckdb.Error as exc:
                first_line = str(exc).strip().splitlines()[0]
                kind = "Parquet" if path.suffix == ".parquet" else "CSV"
                problems.append(Problem(name, "", "", f"cannot read {path.name} as {kind}: {first_line}"))
    finally:
        cur.close()
    return raw, problems


def load_folder(folder: str | Path) -> SlateData:
    """Read and validate a dataset folder; raise ``ValidationError`` listing every problem."""
    raw, problems = read_folder(folder)
    if not Path(folder).is_dir():
        raise ValidationError(problems)              # the one problem: there is no such folder
    unreadable = {p.table for p in problems}
    for name in unreadable:
        raw.pop(name, None)
    data, more = check(raw)
    more = [p for p in more if not (p.table in unreadable and p.message.startswith("required table"))]
    if problems or more:
        raise ValidationError(problems + more)
    return data


# Added to the contract after slates were stored: while they hold nothing they leave a slate's
# hash as it was, so plans and scenarios made on it still match it.
LATER_TABLES = ("availability", "actuals", "estimates")
LATER_COLUMNS = {"phases": ("window_start", "window_end", "actual_start", "actual_end", "expected_end"),
                 "budget_lines": ("basis",), "settings": ("as_of",)}


def content_hash(data: SlateData) -> str:
    """A stable hash of every table's content (identical data -> identical hash); an empty
    ``LATER_TABLES`` table or an all-empty ``LATER_COLUMNS`` column is left out."""
    h = hashlib.sha256()
    for name, frame in data.tables().items():
        if name in LATER_TABLES and frame.empty:
            continue
        empty = [c for c in LATER_COLUMNS.get(name, ()) if c in frame.columns and frame[c].isna().all()]
        h.update(name.encode())
        h.update(frame.drop(columns=empty).to_csv(index=False).encode())
    return h.hexdigest()[:16]


class Store:
    """A DuckDB database (a file, or memory) holding one validated slate and what is built on it."""

    def __init__(self, path: str | Path = ":memory:"):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(self.path)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            holder = re.search(r"held in (.+?) \(PID (\d+)\)", str(exc))
            who = f" by process {holder.group(2)} ({holder.group(1)})" if holder else " by another process"
            raise StoreBusy(f"the slate store {self.path} is held{who}: another dashboard or `slate` command "
                            "has it open. Stop that one, or give this one its own store with "
                            "SLATE_STORE=/path/to/other.duckdb") from None
        self._write_lock = threading.Lock()
        for sql in (AUDIT, AUDIT_MIGRATION, SIGNED_OUT, ADOPTIONS):
            self.query(sql)
        private(self.path)

    def _check(self, actor: Actor, action: str, target: str) -> None:
        """``require``, with a refusal written to the audit log before ``Forbidden`` is raised."""
        try:
            require(actor, action)
        except Forbidden as why:
            self.refused(actor.user, action, str(why), role=actor.role, target=target, user_id=actor.id)
            raise

    def sign_out(self, session: str, user: str, user_id: str = "") -> None:
        """Remember that sign-in ``session`` (``access.session_id``) ended, so a copy of its cookie
        no longer opens the app; logged (``user_id``: ``access.identity`` of the sign-in)."""
        with self._write_lock:
            cur = self._con.cursor()
            try:
                cur.execute("INSERT INTO signed_out VALUES (?, ?)", [session, pd.Timestamp.now(tz="UTC").tz_localize(None)])
                cur.execute(AUDIT_INSERT, [pd.Timestamp.now(tz="UTC").tz_localize(None), user, "", "sign out", "", "",
                                           user_id])
            finally:
                cur.close()
        private(self.path)

    def signed_out(self, session: str) -> bool:
        """Whether sign-in ``session`` was ended by its user."""
        return bool(len(self.query("SELECT 1 FROM signed_out WHERE session = ?", [session])))

    def refused(self, user: str, action: str, detail: str, role: str = "", target: str = "",
                user_id: str = "") -> None:
        """Log an attempt that was refused (an action a role may not do, a sign-in turned away);
        ``user`` is the name shown, ``user_id`` the stable identity where one is known."""
        with self._write_lock:
            cur = self._con.cursor()
            try:
                cur.execute(AUDIT_INSERT, [pd.Timestamp.now(tz="UTC").tz_localize(None), user, role,
                                           f"refused: {action}", target, detail, user_id])
            finally:
                cur.close()
        private(self.path)

    def close(self) -> None:
        self._con.close()

    def query(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        cur = self._con.cursor()
        try:
            return cur.execute(sql, list(params)).df()
        except duckdb.Error as exc:
            raise StoreError(str(exc), sql) from exc
        finally:
            cur.close()

    def has_slate(self) -> bool:
        found = self.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = ?",
                           ["slate_meta"])
        return bool(found["n"].iloc[0])

    def load(self, folder: str | Path, actor: Actor, source: str | None = None) -> SlateData:
        """Validate ``folder`` and, only if it is clean, replace the stored slate with it."""
        return self._load(folder, actor, source or str(folder), "load slate")

    def restore(self, folder: str | Path, actor: Actor) -> SlateData:
        """Load ``folder`` (the bundled sample) again, as the ``restore slate`` action."""
        return self._load(folder, actor, str(folder), "restore slate")

    def _load(self, folder: str | Path, actor: Actor, source: str, action: str) -> SlateData:
        self._check(actor, action, source)
        data = load_folder(folder)
        self._save(data, source, actor, action)
        return data

    def save(self, data: SlateData, source: str, actor: Actor) -> None:
        """Replace the stored slate with ``data`` (a ``load slate``), in one transaction with its audit row."""
        self._save(data, source, actor, "load slate")

    def _stale(self, opened: str | None, action: str) -> None:
        """``StaleEdit`` (saying who changed the slate last, and when) if the stored slate is not the
        one whose content hash is ``opened``."""
        if opened is None or not self.has_slate() or self.meta()["content_hash"] == opened:
            return
        last = self.query(f"""SELECT "at", "user", action FROM audit
                              WHERE action IN ({", ".join("?" * len(SLATE_ACTIONS))}) ORDER BY "at" DESC LIMIT 1""",
                          SLATE_ACTIONS)
        who = (f" ({last['user'].iloc[0]}: {last['action'].iloc[0]}, {pd.Timestamp(last['at'].iloc[0]):%d %b %H:%M} UTC)"
               if len(last) else "")
        since, then = STALE.get(action, STALE[None])
        raise StaleEdit(f"the slate changed {since}{who}; nothing was saved: {then}")

    def _save(self, data: SlateData, source: str, actor: Actor, action: str, opened: str | None = None,
              detail: str | None = None, decision: tuple | None = None) -> None:
        """The one write of a slate. Each public method passes its own fixed ``action``, so a caller
        cannot ask for a lesser one. ``opened``: the content hash the caller's edit started from;
        if the stored slate is another by now, ``StaleEdit`` (saying who changed it) and nothing changes.
        ``detail``: the audit row's (default: the rows of each table); ``decision``: ``(plan, note,
        moved)`` of an adopted plan, written to ``adoptions`` in the same transaction."""
        self._check(actor, action, source)
        tables = data.tables()
        with self._write_lock:
            self._stale(opened, action)
            cur = self._con.cursor()
            sql = "BEGIN TRANSACTION"
            try:
                cur.execute(sql)
                sql = HISTORY
                cur.execute(sql)
                before = self.meta()["content_hash"] if self.has_slate() else None
                version = self._keep(cur) if before is not None else None
                for name, frame in tables.items():
                    cur.register("incoming", frame)
                    sql = f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM incoming'
                    cur.execute(sql)
                    cur.unregister("incoming")
                now = pd.Timestamp.now(tz="UTC").tz_localize(None)
                sql = ("CREATE OR REPLACE TABLE slate_meta AS "
                       "SELECT ? AS source, ? AS content_hash, CAST(? AS TIMESTAMP) AS loaded_at")
                cur.execute(sql, [source, content_hash(data), now])
                rows = ", ".join(f"{name} {len(frame)}" for name, frame in tables.items() if name != "settings")
                sql = AUDIT_INSERT
                cur.execute(sql, [now, actor.user, actor.role, action, source if decision is None else decision[0],
                                  detail or f"rows: {rows}", actor.id])
                if decision is not None:
                    sql = "INSERT INTO adoptions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    cur.execute(sql, [now, actor.user, actor.id, actor.role, *decision, before, content_hash(data),
                                      version])
                cur.execute("COMMIT")
                private(self.path)
            except duckdb.Error as exc:
                cur.execute("ROLLBACK")
                raise StoreError(str(exc), sql) from exc
            finally:
                cur.close()

    def _keep(self, cur) -> int:
        """Copy the stored slate into ``slate_history`` (inside the caller's transaction); keep the newest
        few. Returns the version number it is kept under."""
        meta = cur.execute("SELECT source, content_hash, loaded_at FROM slate_meta").fetchall()[0]
        version = cur.execute("SELECT coalesce(max(version), 0) + 1 FROM slate_history").fetchall()[0][0]
        count = cur.execute('SELECT count(*) FROM "productions"').fetchall()[0][0]
        now = pd.Timestamp.now(tz="UTC").tz_localize(None)
        for name in self._stored_tables(cur):
            frame = cur.execute(f'SELECT * FROM "{name}"').df()
            cur.execute("INSERT INTO slate_history VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [version, meta[0], meta[1], meta[2], now, count, name, _blob(frame)])
        cur.execute("DELETE FROM slate_history WHERE version <= ?", [version - KEEP_SLATES])
        return int(version)

    @staticmethod
    def _stored_tables(cur) -> list[str]:
        """The contract tables this store holds (one made before a table was added lacks it)."""
        names = {r[0] for r in cur.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        return [name for name in TABLES if name in names]

    def history(self) -> pd.DataFrame:
        """The slates earlier loads replaced, newest first: version, source, content_hash,
        productions, loaded_at, replaced_at."""
        if not self.has_slate():
            return pd.DataFrame(columns=["version", "source", "content_hash", "productions", "loaded_at", "replaced_at"])
        self.query(HISTORY)
        return self.query("""SELECT version, any_value(source) AS source, any_value(content_hash) AS content_hash,
                                    any_value(productions) AS productions, any_value(loaded_at) AS loaded_at,
                                    any_value(replaced_at) AS replaced_at
                             FROM slate_history GROUP BY version ORDER BY version DESC""")

    def audit(self) -> pd.DataFrame:
        """Every change to the slate, newest first: at, user, user_id (the stable identity; empty on
        rows written before it was kept, and for sign-ins turned away without one), role, action,
        target, detail."""
        return self.query("""SELECT "at", "user", coalesce(user_id, '') AS user_id, role, action, target, detail
                             FROM audit ORDER BY "at" DESC""")

    def kept_slate(self, version: int) -> SlateData:
        """The earlier slate kept as ``version`` (``history``), as typed frames; ``ValidationError``
        when none is kept under that number."""
        self.query(HISTORY)
        rows = self.query("SELECT part, payload FROM slate_history WHERE version = ?", [int(version)])
        if rows.empty:
            raise ValidationError([Problem("", "", "", f"no earlier slate number {version} is kept")])
        raw = {part: pd.read_parquet(io.BytesIO(blob)) for part, blob in zip(rows["part"], rows["payload"])}
        data, problems = check(raw)
        if problems:
            raise ValidationError(problems)
        return data

    def bring_back(self, version: int, actor: Actor) -> SlateData:
        """Load an earlier slate again (the one it replaces is kept in turn)."""
        self._check(actor, "bring back slate", f"slate #{version}")
        data = self.kept_slate(version)
        source = self.query("SELECT any_value(source) AS source FROM slate_history WHERE version = ?", [int(version)])
        self._save(data, f"brought back: {source['source'].iloc[0]}", actor, "bring back slate")
        return data

    def adopt(self, schedule: pd.DataFrame, plan: str, made_on: str, note: str, actor: Actor) -> SlateData:
        """Make ``schedule`` (production_id, phase_id, start_week of every phase: the plan called
        ``plan``, made on the slate whose content hash is ``made_on``) the slate's plan: each phase's
        ``planned_start`` its start week's Monday (a started phase: its actual start week's;
        ``planning.data.adopt``), stored as a new slate version with an audit row (``adopt plan``, the
        note) and a decision-log row (``adoptions``), in one transaction. Returns the new slate.

        Refused, nothing changed: a role below planner (``Forbidden``, audited); an empty note, a plan
        that does not cover every phase, or one that is the slate's plan already (``PlanNotAdopted``);
        a plan made on another slate than the stored one (``StaleEdit``, naming who changed it);
        a slate the plan's dates would make invalid (``ValidationError``)."""
        self._check(actor, "adopt plan", plan)
        text = adopted_note(note)
        if not self.has_slate():
            raise PlanNotAdopted("there is no slate to adopt a plan for; nothing was changed")
        self._stale(made_on, "adopt plan")
        slate = self.slate()
        raw = slate.tables()
        raw["phases"] = adopted_phases(slate, schedule)
        data, problems = check(raw)
        if problems:
            raise ValidationError(problems)
        if content_hash(data) == made_on:
            raise PlanNotAdopted(f"{plan} is the slate's plan already: every phase is planned where it starts it; "
                                 "nothing was changed")
        was, now = slate.phases["planned_start"], data.phases["planned_start"]
        moved = int(was.ne(now).sum())
        base = str(self.meta()["source"]).split(ADOPTED)[0]
        self._save(data, f"{base}{ADOPTED}{plan}", actor, "adopt plan", opened=made_on,
                   detail=f"planned dates changed for {moved} phase(s); note: {text}", decision=(plan, text, moved))
        return data

    def adoptions(self) -> pd.DataFrame:
        """The decision log: every plan adopted, newest first: at, user, user_id, role, plan, note,
        moved, from_hash, to_hash, version (the number the slate it replaced is kept under)."""
        return self.query("""SELECT "at", "user", coalesce(user_id, '') AS user_id, role, plan, note, moved,
                                    from_hash, to_hash, version FROM adoptions ORDER BY "at" DESC""")

    def replace_table(self, name: str, frame: pd.DataFrame, source: str, actor: Actor) -> SlateData | None:
        """The stored slate with table ``name`` replaced by ``frame`` (an uploaded file), validated
        as a whole: stored only if clean (else ``ValidationError`` naming every problem, and nothing
        changes). Returns the new slate, or None when ``frame`` changes nothing (nothing is stored)."""
        return self._replace(name, frame, source, actor, "replace table")

    def edit_table(self, name: str, frame: pd.DataFrame, source: str, actor: Actor,
                   opened: str | None = None) -> SlateData | None:
        """As ``replace_table``, for a table edited in the app (the ``edit table`` action) from the
        slate whose content hash was ``opened``: ``StaleEdit`` if someone changed the slate since."""
        return self._replace(name, frame, source, actor, "edit table", opened)

    def _replace(self, name: str, frame: pd.DataFrame, source: str, actor: Actor, action: str,
                 opened: str | None = None) -> SlateData | None:
        self._check(actor, action, name)
        if name not in TABLES:
            raise ValidationError([Problem(name, "", "", f"no table named {name!r} in the data contract")])
        raw = self.slate().tables()
        raw["phases"] = raw["phases"].drop(columns="seq")
        raw[name] = frame.drop(columns=[c for c in ("seq",) if c in frame.columns])
        data, problems = check(raw)
        if problems:
            raise ValidationError(problems)
        if content_hash(data) == self.meta()["content_hash"]:
            return None
        self._save(data, source, actor, action, opened)
        return data

    def meta(self) -> dict:
        return self.query("SELECT * FROM slate_meta").iloc[0].to_dict()

    def slate(self) -> SlateData:
        """The stored slate as typed frames."""
        cur = self._con.cursor()
        try:
            stored = self._stored_tables(cur)
        finally:
            cur.close()
        raw = {name: self.query(f'SELECT * FROM "{name}"') for name in stored}   # an older store: no later tables
        data, problems = check(raw)
        if problems:  # only possible if the database was edited by hand
            raise ValidationError(problems)
        return data
