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

The queries themselves are shared with the PostgreSQL backend (`SqlStore`); this module holds
only what is SQLite's own: the file, its migrations, its write lock and its error messages.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from providers.curation.cells import GUARDED_KINDS, WorkspaceError
from providers.curation.sql import TABLE_STEPS, Rows, SqlStore, quote
from providers.directory import Schema, default_schema, guard_text, unguard_text
from providers.directory.formulas import SEPARATORS

Migration = str | Callable[[sqlite3.Connection, Schema], None]
#: The column types of the shared table definitions (`TABLE_STEPS`) in SQLite.
SQLITE_TYPES = {
    "key": "INTEGER PRIMARY KEY",
    "serial": "INTEGER PRIMARY KEY AUTOINCREMENT",  # ids never reused, even after a delete
    "ref": "INTEGER",
    "blob": "BLOB",
}

MIGRATIONS: tuple[Migration, ...] = (
    *(step.format(**SQLITE_TYPES) for step in TABLE_STEPS),
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
            cell = quote(column.name)
            # instr() is much faster in SQLite than one GLOB with a character class.
            has = " OR ".join(f"instr({cell}, char({ord(c)}))" for c in SEPARATORS)
            db.execute(f"UPDATE clinics SET {cell} = cc_guard({cell}) WHERE {has}")


class SqliteStore(SqlStore):
    """A workspace file. Open with `SqliteStore.open(path)`; close with `close()` or `with`."""

    DRIVER_ERRORS = (sqlite3.Error,)

    def __init__(self, db: sqlite3.Connection, path: Path, schema: Schema | None):
        self.db, self.path, self.schema = db, path, schema or default_schema()
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
            workspace = cls(db, path, schema)
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

    def close(self) -> None:
        self.db.close()

    # --- the primitives the shared queries run on ---------------------------------------------

    def run(self, sql: str, params: Sequence[object] = ()) -> Rows:
        return self.db.execute(sql, params)

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
    ) -> None:
        marks = ", ".join("?" * len(columns))
        self.db.executemany(
            f"INSERT INTO {table} ({', '.join(map(quote, columns))}) VALUES ({marks})", rows
        )

    def clinic_columns(self) -> list[str]:
        return [r[1] for r in self.db.execute("PRAGMA table_info(clinics)")]

    def add_clinic_columns(self, names: Sequence[str]) -> None:
        for name in names:
            self.db.execute(
                f"ALTER TABLE clinics ADD COLUMN {quote(name)} TEXT NOT NULL DEFAULT ''"
            )

    def explain(self, exc: Exception) -> str:
        assert isinstance(exc, sqlite3.Error)
        return _explain(exc, self.path)

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

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: in WAL mode its reads share one snapshot, writers go on."""
        self.db.execute("BEGIN")
        try:
            yield self.db
        finally:
            self._rollback()

    def _rollback(self) -> None:
        """Undo the open transaction (SQLite may already have undone it, e.g. on a full disk)."""
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")


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
