"""The advocates' workspace: named provider lists in SQLite, with an append-only change log.

- One file (`CLINIC_COMPARE_WORKSPACE`), created on first use; the schema is versioned with
  `PRAGMA user_version` and upgraded by the migrations below, in order.
- WAL journal, a busy timeout, and every write inside `BEGIN IMMEDIATE`, so two editors never
  interleave half-writes and a killed process leaves the old or the new state, never a mix.
- Optimistic concurrency: each clinic has a version; saving over a version someone else has
  changed is refused with both values shown, and nothing is overwritten.
- Clinics are stored as the directory's own text cells, one SQL column per directory column
  (added automatically when the checklist gains an item), formula-guarded as in a CSV file, so
  what goes in is exactly what comes out when the list is exported.
- Published snapshots (the exported CSV, frozen) and patients' problem reports live beside the
  change log; a workspace made before them gains their tables when it is opened.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import hashlib
import io
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, ParamSpec, TypeVar

import pandas as pd

from providers.curation.cells import GUARDED_KINDS, WorkspaceError, canonical_cell, table_texts
from providers.curation.store import (
    CREATED,
    REPORT_STATUSES,
    Conflict,
    LoggedChange,
    Snapshot,
    StoreBase,
)
from providers.directory import Schema, default_schema, guard_text, unguard_text
from providers.directory.formulas import SEPARATORS

P = ParamSpec("P")
R = TypeVar("R")

Migration = str | Callable[[sqlite3.Connection, Schema], None]

MIGRATIONS: tuple[Migration, ...] = (
    # 1: lists, clinics, change log
    """
    CREATE TABLE lists (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE TABLE clinics (
        list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
        clinic_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        PRIMARY KEY (list_id, clinic_id)
    );
    CREATE TABLE changes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        list_id INTEGER NOT NULL,
        clinic_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        field TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT,
        source TEXT NOT NULL,
        who TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX changes_by_clinic ON changes (list_id, clinic_id, id);
    """,
    # 2: published snapshots; patients' problem reports (nothing about the reporter but an
    # e-mail address they chose to give)
    """
    CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
        published_at TEXT NOT NULL,
        published_by TEXT NOT NULL,
        clinics INTEGER NOT NULL,
        content BLOB NOT NULL,
        digest TEXT NOT NULL  -- sha256 of content: what a reader caches the parsed list by
    );
    CREATE INDEX snapshots_by_list ON snapshots (list_id, id);
    CREATE TABLE reports (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
        clinic_id TEXT NOT NULL,
        field TEXT NOT NULL,
        description TEXT NOT NULL,
        contact_email TEXT,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open'
            CHECK (status IN ('open', 'resolved', 'dismissed')),
        closed_by TEXT,
        closed_at TEXT,
        closing_note TEXT,
        change_id INTEGER REFERENCES changes(id)
    );
    CREATE INDEX reports_by_list ON reports (list_id, status, id);
    CREATE INDEX reports_by_clinic ON reports (list_id, clinic_id, created_at);
    CREATE INDEX reports_by_time ON reports (created_at);
    """,
    # 3: every stored cell fully formula-guarded (see `_guard_stored_cells`)
    lambda db, schema: _guard_stored_cells(db, schema),
)


def _guard_stored_cells(db: sqlite3.Connection, schema: Schema) -> None:
    """Guard free text after its separators and URLs wherever they need it, once.

    Earlier versions stored free text guarded at its start only and URLs as typed, so every
    export had to re-guard cells with separators in Python. With all cells stored as a CSV
    writes them, an export is a plain read.
    """
    present = {r[1] for r in db.execute("PRAGMA table_info(clinics)")}
    for column in schema.columns:
        if column.name in present and column.kind in GUARDED_KINDS:
            cell = _quote(column.name)
            # instr() is much faster in SQLite than one GLOB with a character class.
            has = " OR ".join(f"instr({cell}, char({ord(c)}))" for c in SEPARATORS)
            db.execute(f"UPDATE clinics SET {cell} = cc_guard({cell}) WHERE {has}")


def _now() -> str:
    return _stamp(dt.datetime.now(dt.UTC))


def _stamp(moment: dt.datetime) -> str:
    """A moment as the change log writes it (ISO, UTC, seconds), so text order is time order.

    A naive moment is taken as UTC.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Turn any SQLite failure inside a store call into a `WorkspaceError` a person can act on."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            store = args[0]
            raise WorkspaceError(_explain(exc, getattr(store, "path", Path("workspace")))) from exc

    return wrapper


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SqliteStore(StoreBase):
    """A workspace file. Open with `SqliteStore.open(path)`; close with `close()` or `with`."""

    def __init__(self, db: sqlite3.Connection, path: Path, schema: Schema):
        self.db, self.path, self.schema = db, path, schema
        self.location = str(path)

    # --- opening and migrating ----------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path, schema: Schema | None = None, busy_ms: int = 5000
    ) -> SqliteStore:
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"cannot create the folder {path.parent}: {exc.strerror}") from exc
        try:
            db = sqlite3.connect(path, timeout=busy_ms / 1000, isolation_level=None)
            db.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
            db.execute("PRAGMA foreign_keys = ON")
            # With WAL, NORMAL never corrupts the file and survives any process crash; only a
            # power cut can lose the very last commits. It saves an fsync per transaction.
            db.execute("PRAGMA synchronous = NORMAL")
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            workspace = cls(db, path, schema or default_schema())
            workspace._migrate()
            workspace._add_missing_columns()
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(_explain(exc, path)) from exc
        if mode.lower() != "wal":
            raise WorkspaceError(f"{path}: the workspace needs WAL journaling (got {mode})")
        return workspace

    def _migrate(self) -> None:
        # Opening happens on every page run: only take the write lock when there is work.
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == len(MIGRATIONS):
            return
        with self.write():
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise WorkspaceError(
                    f"{self.path} was made by a newer version of Ketamine Clinic Compare "
                    f"(schema {version}); please upgrade"
                )
            self.db.create_function(
                "cc_guard", 1, lambda cell: guard_text(unguard_text(cell)), deterministic=True
            )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                if callable(script):
                    script(self.db, self.schema)
                else:
                    for statement in filter(str.strip, script.split(";")):
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")

    def _add_missing_columns(self) -> None:
        """One TEXT column per directory column; a new checklist item adds its column here."""
        present = {r[1] for r in self.db.execute("PRAGMA table_info(clinics)")}
        missing = [n for n in self.schema.names if n not in present]
        if missing:
            with self.write() as db:
                for name in missing:
                    db.execute(
                        f"ALTER TABLE clinics ADD COLUMN {_quote(name)} TEXT NOT NULL DEFAULT ''"
                    )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, begun immediately (so it queues instead of deadlocking)."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise WorkspaceError(_explain(exc, self.path)) from exc
        try:
            yield self.db
        except sqlite3.DatabaseError as exc:
            self._rollback()
            raise WorkspaceError(_explain(exc, self.path)) from exc
        except BaseException:
            self._rollback()
            raise
        try:
            self.db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._rollback()
            raise WorkspaceError(_explain(exc, self.path)) from exc

    def _rollback(self) -> None:
        """Undo the open transaction (SQLite may already have undone it, e.g. on a full disk)."""
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    # --- lists --------------------------------------------------------------------------------

    @_guarded
    def lists(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM lists ORDER BY name")]

    def _list_id(self, name: str) -> int:
        row = self.db.execute("SELECT id FROM lists WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise WorkspaceError(f"there is no list called '{name}'")
        return row[0]

    @_guarded
    def create_list(self, name: str, who: str) -> None:
        name = name.strip()
        if not name:
            raise WorkspaceError("a list needs a name")
        with self.write() as db:
            if db.execute("SELECT 1 FROM lists WHERE name = ?", (name,)).fetchone():
                raise WorkspaceError(f"a list called '{name}' already exists")
            db.execute(
                "INSERT INTO lists (name, created_at, created_by) VALUES (?, ?, ?)",
                (name, _now(), who),
            )

    # --- clinics ------------------------------------------------------------------------------

    @_guarded
    def import_table(self, list_name: str, table: pd.DataFrame, who: str, source: str) -> int:
        """Add the clinics of a validated table to a list; ids already there are refused."""
        texts = table_texts(table, self.schema)
        ids = texts["id"]
        names = list(self.schema.names)
        now = _now()
        with self.write() as db:
            list_id = self._list_id(list_name)
            taken = {
                r[0]
                for r in db.execute("SELECT clinic_id FROM clinics WHERE list_id = ?", (list_id,))
            }
            clash = [i for i in ids if i in taken]
            if clash:
                raise WorkspaceError(
                    f"{len(clash)} clinic id(s) are already in '{list_name}' (e.g. {clash[0]}); "
                    "merge them instead"
                )
            start = db.execute(
                "SELECT COALESCE(MAX(position), 0) FROM clinics WHERE list_id = ?", (list_id,)
            ).fetchone()[0]
            columns = ", ".join(_quote(n) for n in names)
            marks = ", ".join("?" * (6 + len(names)))
            fixed = ((list_id, i, start + n, 1, now, who) for n, i in enumerate(ids, start=1))
            values = zip(*[texts[n] for n in names], strict=True)
            db.executemany(
                "INSERT INTO clinics (list_id, clinic_id, position, version, updated_at, "
                f"updated_by, {columns}) VALUES ({marks})",
                (head + tail for head, tail in zip(fixed, values, strict=True)),
            )
            db.executemany(
                "INSERT INTO changes (list_id, clinic_id, version, field, old_value, new_value, "
                "source, who, at) VALUES (?, ?, 1, ?, NULL, NULL, ?, ?, ?)",
                ((list_id, clinic_id, CREATED, source, who, now) for clinic_id in ids),
            )
        return len(ids)

    @_guarded
    def cells(self, list_name: str) -> tuple[pd.DataFrame, dict[str, int]]:
        """The stored text cells of a list (formula-guarded, as a CSV holds them) and versions."""
        list_id = self._list_id(list_name)
        names = list(self.schema.names)
        cursor = self.db.execute(
            f"SELECT clinic_id, version, {', '.join(_quote(n) for n in names)} FROM clinics "
            "WHERE list_id = ? ORDER BY position",
            (list_id,),
        )
        rows = cursor.fetchall()
        frame = pd.DataFrame.from_records(rows, columns=["_clinic", "_version", *names])
        versions = dict(zip(frame["_clinic"], frame["_version"].astype(int), strict=True))
        return frame[names].astype("str"), versions

    @_guarded
    def export_csv(self, list_name: str) -> bytes:
        """The list in the directory format, straight from the stored cells.

        Cells are stored exactly as a CSV file holds them (formula-guarded text, canonical
        numbers and dates), so the export only reads them and quotes every one; it reads
        back as `load` shows the list.
        """
        list_id = self._list_id(list_name)
        names = ", ".join(_quote(n) for n in self.schema.names)
        cursor = self.db.execute(
            f"SELECT {names} FROM clinics WHERE list_id = ? ORDER BY position", (list_id,)
        )
        out = io.StringIO()
        out.write(",".join(self.schema.names) + "\r\n")
        csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(cursor)
        return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")

    @_guarded
    def save_clinic(
        self,
        list_name: str,
        clinic_id: str,
        changes: Mapping[str, str],
        expected_version: int,
        who: str,
        source: str = "edit",
    ) -> int:
        """Apply field changes if nobody saved since `expected_version`; the new version."""
        unknown = [f for f in changes if f not in self.schema.names or f == "id"]
        if unknown:
            raise WorkspaceError(f"cannot edit field(s): {', '.join(unknown)}")
        # The same rules as a directory file; what is stored is the parsed value.
        stored_form = {f: canonical_cell(self.schema, f, v) for f, v in changes.items()}
        now = _now()
        with self.write() as db:
            list_id = self._list_id(list_name)
            fields = list(changes)
            row = db.execute(
                f"SELECT {', '.join(['version', *map(_quote, fields)])} FROM clinics "
                "WHERE list_id = ? AND clinic_id = ?",
                (list_id, clinic_id),
            ).fetchone()
            if row is None:
                raise WorkspaceError(f"there is no clinic '{clinic_id}' in '{list_name}'")
            version, stored = row[0], dict(zip(fields, row[1:], strict=True))
            if version != expected_version:
                raise Conflict(
                    clinic_id,
                    expected_version,
                    version,
                    tuple((f, unguard_text(stored[f]), str(v)) for f, v in changes.items()),
                )
            changed = {f: v for f, v in stored_form.items() if stored[f] != v}
            if not changed:
                return version
            new_version = version + 1
            db.executemany(
                "INSERT INTO changes (list_id, clinic_id, version, field, old_value, new_value, "
                "source, who, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (list_id, clinic_id, new_version, f, unguard_text(stored[f]),
                     unguard_text(v), source, who, now)
                    for f, v in changed.items()
                ),
            )  # fmt: skip
            assignments = ", ".join(f"{_quote(f)} = ?" for f in changed)
            db.execute(
                f"UPDATE clinics SET version = ?, updated_at = ?, updated_by = ?, {assignments} "
                "WHERE list_id = ? AND clinic_id = ?",
                (new_version, now, who, *changed.values(), list_id, clinic_id),
            )
        return new_version

    @_guarded
    def history(self, list_name: str, clinic_id: str) -> pd.DataFrame:
        """Every change to one clinic, oldest first."""
        return pd.read_sql_query(
            "SELECT id, version, field, old_value, new_value, source, who, at FROM changes "
            "WHERE list_id = ? AND clinic_id = ? ORDER BY id",
            self.db,
            params=(self._list_id(list_name), clinic_id),
        )

    @_guarded
    def list_changes(self, list_name: str) -> pd.DataFrame:
        """Every change to every clinic of a list, oldest first (for exports of the log)."""
        return pd.read_sql_query(
            "SELECT id, clinic_id, version, field, old_value, new_value, source, who, at "
            "FROM changes WHERE list_id = ? ORDER BY id",
            self.db,
            params=(self._list_id(list_name),),
        )

    @_guarded
    def change(self, list_name: str, change_id: int) -> LoggedChange | None:
        """One logged change and its clinic's current version, or None."""
        row = self.db.execute(
            "SELECT c.clinic_id, c.field, c.old_value, k.version FROM changes c "
            "JOIN clinics k ON k.list_id = c.list_id AND k.clinic_id = c.clinic_id "
            "WHERE c.id = ? AND c.list_id = ?",
            (change_id, self._list_id(list_name)),
        ).fetchone()
        return None if row is None else LoggedChange(*row)

    # --- published snapshots ------------------------------------------------------------------

    @_guarded
    def publish_snapshot(self, list_name: str, who: str) -> Snapshot:
        """Freeze the list as it is now (its CSV export) as the new live snapshot.

        Exported and counted inside one write transaction, so no save lands half-way in.
        """
        now = _now()
        with self.write() as db:
            list_id = self._list_id(list_name)
            content = self.export_csv(list_name)
            count = db.execute(
                "SELECT COUNT(*) FROM clinics WHERE list_id = ?", (list_id,)
            ).fetchone()[0]
            cursor = db.execute(
                "INSERT INTO snapshots (list_id, published_at, published_by, clinics, content, "
                "digest) VALUES (?, ?, ?, ?, ?, ?)",
                (list_id, now, who, count, content, hashlib.sha256(content).hexdigest()),
            )
            snapshot_id = cursor.lastrowid
        assert snapshot_id is not None
        return Snapshot(snapshot_id, list_name, now, who, count, content)

    @_guarded
    def live_snapshot(self, list_name: str) -> Snapshot | None:
        """The newest snapshot of a list with its content; None if never published (or no list)."""
        row = self.db.execute(
            "SELECT s.id, s.published_at, s.published_by, s.clinics, s.content FROM snapshots s "
            "JOIN lists l ON l.id = s.list_id WHERE l.name = ? ORDER BY s.id DESC LIMIT 1",
            (list_name,),
        ).fetchone()
        if row is None:
            return None
        snapshot_id, at, who, count, content = row
        return Snapshot(snapshot_id, list_name, at, who, count, bytes(content))

    @_guarded
    def live_snapshot_id(self, list_name: str) -> int | None:
        """The live snapshot's id only (an index look-up): the app asks on every rerun."""
        row = self.db.execute(
            "SELECT MAX(s.id) FROM snapshots s JOIN lists l ON l.id = s.list_id WHERE l.name = ?",
            (list_name,),
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    @_guarded
    def snapshots(self, list_name: str) -> pd.DataFrame:
        """Every snapshot of a list, newest (the live one) first, without content."""
        frame = pd.read_sql_query(
            "SELECT id, published_at, published_by, clinics, digest FROM snapshots "
            "WHERE list_id = ? ORDER BY id DESC",
            self.db,
            params=(self._list_id(list_name),),
        )
        frame["live"] = frame["id"] == frame["id"].max()
        return frame

    # --- patients' problem reports ------------------------------------------------------------

    @_guarded
    def add_report(
        self,
        list_name: str,
        clinic_id: str,
        field: str,
        description: str,
        contact_email: str | None,
        now: dt.datetime,
    ) -> int:
        """Store one report as given (the `submit_report` workflow checks it first); its id."""
        with self.write() as db:
            cursor = db.execute(
                "INSERT INTO reports (list_id, clinic_id, field, description, contact_email, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (self._list_id(list_name), clinic_id, field, description, contact_email,
                 _stamp(now)),
            )  # fmt: skip
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    @_guarded
    def count_reports_since(self, list_name: str, clinic_id: str | None, since: dt.datetime) -> int:
        """Reports about one clinic of a list made after `since`; with no clinic, every
        report in the workspace (the global rate limit)."""
        if clinic_id is None:
            row = self.db.execute(
                "SELECT COUNT(*) FROM reports WHERE created_at > ?", (_stamp(since),)
            ).fetchone()
        else:
            row = self.db.execute(
                "SELECT COUNT(*) FROM reports WHERE list_id = ? AND clinic_id = ? "
                "AND created_at > ?",
                (self._list_id(list_name), clinic_id, _stamp(since)),
            ).fetchone()
        return int(row[0])

    @_guarded
    def reports(self, list_name: str, status: str | None = "open") -> pd.DataFrame:
        """A list's reports with one status (None: all), newest first; "" where nothing was
        given (no e-mail address) or nothing happened yet (not closed)."""
        if status is not None and status not in REPORT_STATUSES:
            raise WorkspaceError(
                f"'{status}' is not a report status (expected {', '.join(REPORT_STATUSES)})"
            )
        frame = pd.read_sql_query(
            "SELECT id, clinic_id, field, description, contact_email, created_at, status, "
            "closed_by, closed_at, closing_note, change_id FROM reports "
            "WHERE list_id = ? AND (? IS NULL OR status = ?) ORDER BY created_at DESC, id DESC",
            self.db,
            params=(self._list_id(list_name), status, status),
        )
        texts = ["contact_email", "closed_by", "closed_at", "closing_note"]
        frame[texts] = frame[texts].fillna("").astype("str")  # "" rather than None or NaN
        return frame.astype({"change_id": "Int64"})

    @_guarded
    def close_report(
        self,
        list_name: str,
        report_id: int,
        status: Literal["resolved", "dismissed"],
        who: str,
        note: str,
        change_id: int | None = None,
    ) -> None:
        """Resolve (with a note, and the fixing change if any) or dismiss (with a reason)."""
        note = (note or "").strip()
        if status not in ("resolved", "dismissed"):
            raise WorkspaceError(f"a report is closed as resolved or dismissed, not '{status}'")
        if not note:
            raise WorkspaceError(
                "say why the report is dismissed" if status == "dismissed"
                else "say what was done to resolve the report"
            )  # fmt: skip
        if status == "dismissed" and change_id is not None:
            raise WorkspaceError("a dismissed report has no fixing change")
        with self.write() as db:
            list_id = self._list_id(list_name)
            row = db.execute(
                "SELECT status FROM reports WHERE id = ? AND list_id = ?", (report_id, list_id)
            ).fetchone()
            if row is None:
                raise WorkspaceError(f"there is no report {report_id} in '{list_name}'")
            if row[0] != "open":
                raise WorkspaceError(f"report {report_id} is already {row[0]}")
            if (
                change_id is not None
                and not db.execute(
                    "SELECT 1 FROM changes WHERE id = ? AND list_id = ?", (change_id, list_id)
                ).fetchone()
            ):
                raise WorkspaceError(f"there is no change {change_id} in '{list_name}'")
            db.execute(
                "UPDATE reports SET status = ?, closed_by = ?, closed_at = ?, closing_note = ?, "
                "change_id = ? WHERE id = ?",
                (status, who, _now(), note, change_id, report_id),
            )

    @_guarded
    def open_report_dates(self, list_name: str) -> dict[str, str]:
        """clinic id -> the day (YYYY-MM-DD, UTC) of its oldest open report."""
        rows = self.db.execute(
            "SELECT clinic_id, substr(MIN(created_at), 1, 10) FROM reports "
            "WHERE list_id = ? AND status = 'open' GROUP BY clinic_id",
            (self._list_id(list_name),),
        )
        return dict(rows.fetchall())


def _explain(exc: sqlite3.Error, path: Path) -> str:
    """What a SQLite failure means for the person using the workspace."""
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return (
            f"{path} is not a usable workspace (the file is damaged or is not a workspace). "
            "It was left untouched: restore a backup or choose another file."
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return f"{path} cannot be written (read-only file or folder?): {text}"
    if "disk" in text and "full" in text:
        return f"the disk holding {path} is full; nothing was saved"
    if "locked" in text or "busy" in text:
        return f"{path} is busy with another editor; try again in a moment"
    return f"{path}: {text}"
