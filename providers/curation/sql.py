"""What the SQL backends share: every query of the workspace, written once.

SQLite and PostgreSQL run the same statements (written with `?` placeholders; the PostgreSQL
backend turns them into its own), so both backends keep the same semantics by construction. A
backend supplies only what truly differs: connecting and migrating, running a statement, a
write transaction, bulk loading rows, the clinics table's columns, and what a driver error
means for the person using the workspace.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Concatenate, Literal, ParamSpec, Protocol, TypeVar

import pandas as pd

from providers.curation.cells import WorkspaceError, canonical_cell, table_texts
from providers.curation.store import (
    CREATED,
    REPORT_STATUSES,
    Conflict,
    LoggedChange,
    Snapshot,
    StoreBase,
)
from providers.directory import Schema, unguard_text

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="SqlStore")

#: The tables of a workspace, in an order that satisfies their references (for copying).
TABLES = ("lists", "clinics", "changes", "snapshots", "reports")
#: The clinics table's own columns; the others are the directory's, one per column.
CLINIC_KEYS = ("list_id", "clinic_id", "position", "version", "updated_at", "updated_by")
CHANGE_COLUMNS = (
    "list_id", "clinic_id", "version", "field", "old_value", "new_value", "source", "who", "at"
)  # fmt: skip

#: The tables, as numbered migration steps 1 and 2 of both backends, with each backend's
#: types for `{key}` (a list id), `{serial}` (an id never reused), `{ref}` and `{blob}`.
TABLE_STEPS: tuple[str, ...] = (
    # 1: lists, clinics, change log
    """
    CREATE TABLE lists (
        id {key},
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE TABLE clinics (
        list_id {ref} NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
        clinic_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        PRIMARY KEY (list_id, clinic_id)
    );
    CREATE TABLE changes (
        id {serial},
        list_id {ref} NOT NULL,
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
        id {serial},
        list_id {ref} NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
        published_at TEXT NOT NULL,
        published_by TEXT NOT NULL,
        clinics INTEGER NOT NULL,
        content {blob} NOT NULL,
        digest TEXT NOT NULL  -- sha256 of content: what a reader caches the parsed list by
    );
    CREATE INDEX snapshots_by_list ON snapshots (list_id, id);
    CREATE TABLE reports (
        id {serial},
        list_id {ref} NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
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
        change_id {ref} REFERENCES changes(id)
    );
    CREATE INDEX reports_by_list ON reports (list_id, status, id);
    CREATE INDEX reports_by_clinic ON reports (list_id, clinic_id, created_at);
    CREATE INDEX reports_by_time ON reports (created_at);
    """,
)


class Rows(Protocol):
    """What a statement returns, on either driver (a DB-API cursor)."""

    @property
    def description(self) -> Sequence[Sequence[Any]] | None: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


def now_stamp() -> str:
    return stamp(dt.datetime.now(dt.UTC))


def stamp(moment: dt.datetime) -> str:
    """A moment as the change log writes it (ISO, UTC, seconds), so text order is time order.

    A naive moment is taken as UTC.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def quote(name: str) -> str:
    """A column name as SQL writes it (directory columns hold dots)."""
    return '"' + name.replace('"', '""') + '"'


def guarded(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Turn any driver failure inside a store call into a `WorkspaceError` a person can act on."""

    @functools.wraps(method)
    def wrapper(store: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(store, *args, **kwargs)
        except store.DRIVER_ERRORS as exc:
            raise WorkspaceError(store.explain(exc)) from exc

    return wrapper


class SqlStore(StoreBase):
    """The workspace on a SQL database; subclasses supply the primitives below."""

    schema: Schema
    location: str
    #: The driver's exceptions, turned into `WorkspaceError` by `guarded`.
    DRIVER_ERRORS: ClassVar[tuple[type[Exception], ...]]
    #: Appended to a SELECT of a row about to change: PostgreSQL locks it until the write
    #: commits, so the version check and the update are one step; SQLite's write lock
    #: already covers the whole transaction.
    LOCK_ROW: ClassVar[str] = ""

    # --- the primitives a backend defines -----------------------------------------------------

    def run(self, sql: str, params: Sequence[object] = ()) -> Rows:
        """Run one statement (with `?` placeholders)."""
        raise NotImplementedError

    def write(self) -> AbstractContextManager[object]:
        """One write transaction: everything inside commits together or not at all."""
        raise NotImplementedError

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
    ) -> None:
        """Add many rows at once, inside the current write transaction."""
        raise NotImplementedError

    def clinic_columns(self) -> list[str]:
        """The clinics table's columns, in table order."""
        raise NotImplementedError

    def add_clinic_columns(self, names: Sequence[str]) -> None:
        """Add TEXT columns (blank for every clinic) inside the current write transaction."""
        raise NotImplementedError

    def explain(self, exc: Exception) -> str:
        """What a driver failure means for the person using the workspace."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self: S) -> S:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- shared helpers -----------------------------------------------------------------------

    def _add_missing_columns(self) -> None:
        """One TEXT column per directory column; a new checklist item adds its column here."""
        present = set(self.clinic_columns())
        if any(n not in present for n in self.schema.names):
            with self.write():
                present = set(self.clinic_columns())  # another process may have added them
                missing = [n for n in self.schema.names if n not in present]
                if missing:
                    self.add_clinic_columns(missing)

    def _frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        """A query's rows as a table, typed as `pandas.read_sql_query` types them."""
        rows = self.run(sql, params)
        columns = [d[0] for d in rows.description or ()]
        return pd.DataFrame.from_records(rows.fetchall(), columns=columns, coerce_float=True)

    def _list_id(self, name: str, lock: bool = False) -> int:
        row = self.run(
            "SELECT id FROM lists WHERE name = ?" + (self.LOCK_ROW if lock else ""), (name,)
        ).fetchone()
        if row is None:
            raise WorkspaceError(f"there is no list called '{name}'")
        return int(row[0])

    # --- lists --------------------------------------------------------------------------------

    @guarded
    def lists(self) -> list[str]:
        return [r[0] for r in self.run("SELECT name FROM lists ORDER BY name")]

    @guarded
    def create_list(self, name: str, who: str) -> None:
        name = name.strip()
        if not name:
            raise WorkspaceError("a list needs a name")
        with self.write():
            if self.run("SELECT 1 FROM lists WHERE name = ?", (name,)).fetchone():
                raise WorkspaceError(f"a list called '{name}' already exists")
            self.run(
                "INSERT INTO lists (name, created_at, created_by) VALUES (?, ?, ?)",
                (name, now_stamp(), who),
            )

    # --- clinics ------------------------------------------------------------------------------

    @guarded
    def import_table(self, list_name: str, table: pd.DataFrame, who: str, source: str) -> int:
        """Add the clinics of a validated table to a list; ids already there are refused."""
        texts = table_texts(table, self.schema)
        ids = texts["id"]
        names = list(self.schema.names)
        now = now_stamp()
        with self.write():
            list_id = self._list_id(list_name, lock=True)  # one import into a list at a time
            taken = {
                r[0]
                for r in self.run("SELECT clinic_id FROM clinics WHERE list_id = ?", (list_id,))
            }
            clash = [i for i in ids if i in taken]
            if clash:
                raise WorkspaceError(
                    f"{len(clash)} clinic id(s) are already in '{list_name}' (e.g. {clash[0]}); "
                    "merge them instead"
                )
            start = self.run(
                "SELECT COALESCE(MAX(position), 0) FROM clinics WHERE list_id = ?", (list_id,)
            ).fetchone()[0]
            fixed = ((list_id, i, start + n, 1, now, who) for n, i in enumerate(ids, start=1))
            values = zip(*[texts[n] for n in names], strict=True)
            self.insert_rows(
                "clinics",
                [*CLINIC_KEYS, *names],
                (head + tail for head, tail in zip(fixed, values, strict=True)),
            )
            self.insert_rows(
                "changes",
                CHANGE_COLUMNS,
                ((list_id, i, 1, CREATED, None, None, source, who, now) for i in ids),
            )
        return len(ids)

    @guarded
    def cells(self, list_name: str) -> tuple[pd.DataFrame, dict[str, int]]:
        """The stored text cells of a list (formula-guarded, as a CSV holds them) and versions."""
        list_id = self._list_id(list_name)
        names = list(self.schema.names)
        rows = self.run(
            f"SELECT clinic_id, version, {', '.join(map(quote, names))} FROM clinics "
            "WHERE list_id = ? ORDER BY position",
            (list_id,),
        ).fetchall()
        frame = pd.DataFrame.from_records(rows, columns=["_clinic", "_version", *names])
        versions = dict(zip(frame["_clinic"], frame["_version"].astype(int), strict=True))
        return frame[names].astype("str"), versions

    def _export(self, list_id: int) -> tuple[bytes, int]:
        """The list's directory CSV and its number of clinics, from one statement (one
        consistent view on either backend)."""
        rows = self.run(
            f"SELECT {', '.join(map(quote, self.schema.names))} FROM clinics "
            "WHERE list_id = ? ORDER BY position",
            (list_id,),
        )
        out = io.StringIO()
        out.write(",".join(self.schema.names) + "\r\n")
        counted = Counted(rows)
        csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(counted)
        return codecs.BOM_UTF8 + out.getvalue().encode("utf-8"), counted.count

    @guarded
    def export_csv(self, list_name: str) -> bytes:
        """The list in the directory format, straight from the stored cells.

        Cells are stored exactly as a CSV file holds them (formula-guarded text, canonical
        numbers and dates), so the export only reads them and quotes every one; it reads
        back as `load` shows the list.
        """
        return self._export(self._list_id(list_name))[0]

    @guarded
    def save_clinic(
        self,
        list_name: str,
        clinic_id: str,
        changes: Mapping[str, str],
        expected_version: int,
        who: str,
        source: str = "edit",
    ) -> int:
        """Apply field changes if nobody saved since `expected_version`; the new version.

        The version is read (and on PostgreSQL the row locked) inside the same transaction
        that writes, so two editors saving at once never both pass the check.
        """
        unknown = [f for f in changes if f not in self.schema.names or f == "id"]
        if unknown:
            raise WorkspaceError(f"cannot edit field(s): {', '.join(unknown)}")
        # The same rules as a directory file; what is stored is the parsed value.
        stored_form = {f: canonical_cell(self.schema, f, v) for f, v in changes.items()}
        now = now_stamp()
        with self.write():
            list_id = self._list_id(list_name)
            fields = list(changes)
            row = self.run(
                f"SELECT {', '.join(['version', *map(quote, fields)])} FROM clinics "
                "WHERE list_id = ? AND clinic_id = ?" + self.LOCK_ROW,
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
                return int(version)
            new_version = version + 1
            self.insert_rows(
                "changes",
                CHANGE_COLUMNS,
                [
                    (list_id, clinic_id, new_version, f, unguard_text(stored[f]),
                     unguard_text(v), source, who, now)
                    for f, v in changed.items()
                ],
            )  # fmt: skip
            assignments = ", ".join(f"{quote(f)} = ?" for f in changed)
            self.run(
                f"UPDATE clinics SET version = ?, updated_at = ?, updated_by = ?, {assignments} "
                "WHERE list_id = ? AND clinic_id = ?",
                (new_version, now, who, *changed.values(), list_id, clinic_id),
            )
        return int(new_version)

    @guarded
    def history(self, list_name: str, clinic_id: str) -> pd.DataFrame:
        """Every change to one clinic, oldest first."""
        return self._frame(
            "SELECT id, version, field, old_value, new_value, source, who, at FROM changes "
            "WHERE list_id = ? AND clinic_id = ? ORDER BY id",
            (self._list_id(list_name), clinic_id),
        )

    @guarded
    def list_changes(self, list_name: str) -> pd.DataFrame:
        """Every change to every clinic of a list, oldest first (for exports of the log)."""
        return self._frame(
            "SELECT id, clinic_id, version, field, old_value, new_value, source, who, at "
            "FROM changes WHERE list_id = ? ORDER BY id",
            (self._list_id(list_name),),
        )

    @guarded
    def change(self, list_name: str, change_id: int) -> LoggedChange | None:
        """One logged change and its clinic's current version, or None."""
        row = self.run(
            "SELECT c.clinic_id, c.field, c.old_value, k.version FROM changes c "
            "JOIN clinics k ON k.list_id = c.list_id AND k.clinic_id = c.clinic_id "
            "WHERE c.id = ? AND c.list_id = ?",
            (change_id, self._list_id(list_name)),
        ).fetchone()
        return None if row is None else LoggedChange(*row)

    # --- published snapshots ------------------------------------------------------------------

    @guarded
    def publish_snapshot(self, list_name: str, who: str) -> Snapshot:
        """Freeze the list as it is now (its CSV export) as the new live snapshot.

        The content and its count come from one read inside the write transaction, so no
        save lands half-way in.
        """
        now = now_stamp()
        with self.write():
            list_id = self._list_id(list_name)
            content, count = self._export(list_id)
            snapshot_id = self.run(
                "INSERT INTO snapshots (list_id, published_at, published_by, clinics, content, "
                "digest) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (list_id, now, who, count, content, hashlib.sha256(content).hexdigest()),
            ).fetchall()[0][0]
        return Snapshot(int(snapshot_id), list_name, now, who, count, content)

    @guarded
    def live_snapshot(self, list_name: str) -> Snapshot | None:
        """The newest snapshot of a list with its content; None if never published (or no list)."""
        row = self.run(
            "SELECT s.id, s.published_at, s.published_by, s.clinics, s.content FROM snapshots s "
            "JOIN lists l ON l.id = s.list_id WHERE l.name = ? ORDER BY s.id DESC LIMIT 1",
            (list_name,),
        ).fetchone()
        if row is None:
            return None
        snapshot_id, at, who, count, content = row
        return Snapshot(int(snapshot_id), list_name, at, who, int(count), bytes(content))

    @guarded
    def live_snapshot_id(self, list_name: str) -> int | None:
        """The live snapshot's id only (an index look-up): the app asks on every rerun."""
        row = self.run(
            "SELECT MAX(s.id) FROM snapshots s JOIN lists l ON l.id = s.list_id WHERE l.name = ?",
            (list_name,),
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    @guarded
    def snapshots(self, list_name: str) -> pd.DataFrame:
        """Every snapshot of a list, newest (the live one) first, without content."""
        frame = self._frame(
            "SELECT id, published_at, published_by, clinics, digest FROM snapshots "
            "WHERE list_id = ? ORDER BY id DESC",
            (self._list_id(list_name),),
        )
        frame["live"] = frame["id"] == frame["id"].max()
        return frame

    # --- patients' problem reports ------------------------------------------------------------

    @guarded
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
        with self.write():
            report_id = self.run(
                "INSERT INTO reports (list_id, clinic_id, field, description, contact_email, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (self._list_id(list_name), clinic_id, field, description, contact_email,
                 stamp(now)),
            ).fetchall()[0][0]  # fmt: skip
        return int(report_id)

    @guarded
    def count_reports_since(self, list_name: str, clinic_id: str | None, since: dt.datetime) -> int:
        """Reports about one clinic of a list made after `since`; with no clinic, every
        report in the workspace (the global rate limit)."""
        if clinic_id is None:
            row = self.run(
                "SELECT COUNT(*) FROM reports WHERE created_at > ?", (stamp(since),)
            ).fetchone()
        else:
            row = self.run(
                "SELECT COUNT(*) FROM reports WHERE list_id = ? AND clinic_id = ? "
                "AND created_at > ?",
                (self._list_id(list_name), clinic_id, stamp(since)),
            ).fetchone()
        return int(row[0])

    @guarded
    def reports(self, list_name: str, status: str | None = "open") -> pd.DataFrame:
        """A list's reports with one status (None: all), newest first; "" where nothing was
        given (no e-mail address) or nothing happened yet (not closed)."""
        if status is not None and status not in REPORT_STATUSES:
            raise WorkspaceError(
                f"'{status}' is not a report status (expected {', '.join(REPORT_STATUSES)})"
            )
        frame = self._frame(
            "SELECT id, clinic_id, field, description, contact_email, created_at, status, "
            "closed_by, closed_at, closing_note, change_id FROM reports "
            "WHERE list_id = ? AND (CAST(? AS TEXT) IS NULL OR status = ?) "
            "ORDER BY created_at DESC, id DESC",
            (self._list_id(list_name), status, status),
        )
        texts = ["contact_email", "closed_by", "closed_at", "closing_note"]
        frame[texts] = frame[texts].fillna("").astype("str")  # "" rather than None or NaN
        return frame.astype({"change_id": "Int64"})

    @guarded
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
        with self.write():
            list_id = self._list_id(list_name)
            row = self.run(
                "SELECT status FROM reports WHERE id = ? AND list_id = ?" + self.LOCK_ROW,
                (report_id, list_id),
            ).fetchone()
            if row is None:
                raise WorkspaceError(f"there is no report {report_id} in '{list_name}'")
            if row[0] != "open":
                raise WorkspaceError(f"report {report_id} is already {row[0]}")
            if (
                change_id is not None
                and not self.run(
                    "SELECT 1 FROM changes WHERE id = ? AND list_id = ?", (change_id, list_id)
                ).fetchone()
            ):
                raise WorkspaceError(f"there is no change {change_id} in '{list_name}'")
            self.run(
                "UPDATE reports SET status = ?, closed_by = ?, closed_at = ?, closing_note = ?, "
                "change_id = ? WHERE id = ?",
                (status, who, now_stamp(), note, change_id, report_id),
            )

    @guarded
    def open_report_dates(self, list_name: str) -> dict[str, str]:
        """clinic id -> the day (YYYY-MM-DD, UTC) of its oldest open report."""
        rows = self.run(
            "SELECT clinic_id, substr(MIN(created_at), 1, 10) FROM reports "
            "WHERE list_id = ? AND status = 'open' GROUP BY clinic_id",
            (self._list_id(list_name),),
        )
        return {r[0]: r[1] for r in rows.fetchall()}

    # --- moving a whole workspace (see `copy_workspace`) --------------------------------------

    def table_columns(self, table: str) -> list[str]:
        """A table's columns as a copy moves them (every column of clinics, even those of
        checklist items no longer offered)."""
        if table == "clinics":
            return self.clinic_columns()
        return list(self._frame(f"SELECT * FROM {table} WHERE 1 = 0").columns)

    @guarded
    def table_rows(self, table: str, columns: Sequence[str]) -> Iterator[tuple[object, ...]]:
        """Every row of one workspace table, in a stable order."""
        order = "list_id, position" if table == "clinics" else "id"
        rows = self.run(f"SELECT {', '.join(map(quote, columns))} FROM {table} ORDER BY {order}")
        return (tuple(r) for r in rows)

    @guarded
    def count_rows(self, table: str) -> int:
        return int(self.run(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def after_bulk_ids(self) -> None:
        """After rows were copied in with their ids: new rows must number after them."""

    def reading(self) -> AbstractContextManager[object]:
        """A read-only transaction: every read inside sees one consistent state (for a copy)."""
        raise NotImplementedError


class Counted:
    """Rows passed through while counted (an export counts what it wrote)."""

    def __init__(self, rows: Iterable[Any]):
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[Any]:
        for row in self.rows:
            self.count += 1
            yield row
