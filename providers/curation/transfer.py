"""Moving a whole workspace between backends (SQLite and PostgreSQL, either way).

Everything moves with its ids (change ids are what restores and closed reports point at): lists,
clinics with every stored column, the change log, published snapshots and reports. The source
is read in one consistent snapshot; the target is written in one transaction and each table is
counted on both sides before it commits, so a copy is complete or nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable

from providers.curation.cells import WorkspaceError
from providers.curation.sql import TABLES, Counted, SqlStore
from providers.curation.store import WorkspaceStore


def copy_workspace(
    source: WorkspaceStore,
    target: WorkspaceStore,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Copy `source` into the empty workspace `target`; the rows copied per table.

    Refused (nothing written) when the target already holds a list or is the source itself;
    on any failure or count mismatch the target's transaction is rolled back.
    """
    if not isinstance(source, SqlStore) or not isinstance(target, SqlStore):
        raise WorkspaceError("only SQLite and PostgreSQL workspaces can be copied")
    if source.location == target.location:
        raise WorkspaceError(f"{source.location} is both the source and the target of the copy")
    try:
        if target.lists():
            raise WorkspaceError(
                f"{target.location} already holds lists; copy into an empty workspace so that "
                "nothing is mixed or overwritten"
            )
        with source.reading(), target.write():
            counts = _copy_tables(source, target, progress)
    except source.DRIVER_ERRORS as exc:
        raise WorkspaceError(f"reading {source.location} failed, nothing was copied: "
                             f"{source.explain(exc)}") from exc  # fmt: skip
    except target.DRIVER_ERRORS as exc:
        raise WorkspaceError(f"writing {target.location} failed, nothing was copied: "
                             f"{target.explain(exc)}") from exc  # fmt: skip
    return counts


def _copy_tables(
    source: SqlStore, target: SqlStore, progress: Callable[[str, int], None] | None
) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in TABLES:
        columns = source.table_columns(table)
        present = target.table_columns(table)
        missing = [c for c in columns if c not in present]
        if missing and table == "clinics":
            target.add_clinic_columns(missing)  # checklist items only the source still has
        elif missing:
            raise WorkspaceError(
                f"the {table} of {source.location} and {target.location} differ "
                f"({', '.join(missing)}); open both with this version first"
            )
        rows = Counted(source.table_rows(table, columns))
        target.insert_rows(table, columns, rows)
        counts[table] = rows.count
        if progress:
            progress(table, rows.count)
    target.after_bulk_ids()
    for table, copied in counts.items():
        there, here = source.count_rows(table), target.count_rows(table)
        if not there == here == copied:
            raise WorkspaceError(
                f"the count check failed for {table} ({there} in {source.location}, {here} "
                f"written to {target.location}); nothing was copied"
            )
    return counts
