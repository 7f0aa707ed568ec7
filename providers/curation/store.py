"""The workspace store interface: what the curation workflows and the faces need of a backend.

A backend (SQLite or PostgreSQL, both running the shared SQL of `sql.py`) implements the
primitives: lists, import, cells and versions, saving one clinic with an optimistic version
check, the change log, export, published snapshots and patients' problem reports. What is
built on those primitives (loading a list as a validated table, merging a duplicate,
restoring a change) is written once in `StoreBase`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, Protocol, Self

import numpy as np
import pandas as pd

from providers.curation.cells import WorkspaceError
from providers.curation.duplicates import merge_changes
from providers.directory import ReadResult, Schema, validate
from scoring.errors import ClinicCompareError

CREATED = "*created*"  # the `field` of a change-log row that records a new clinic

ReportStatus = Literal["open", "resolved", "dismissed"]
REPORT_STATUSES: tuple[ReportStatus, ...] = ("open", "resolved", "dismissed")


class LoggedChange(NamedTuple):
    """One change-log row, with the clinic's version now (what a restore saves against)."""

    clinic_id: str
    field: str
    old_value: str | None
    clinic_version: int


@dataclass(eq=False)
class Conflict(ClinicCompareError):
    """Someone else saved this clinic first; nothing was written."""

    clinic_id: str
    expected_version: int
    current_version: int
    fields: tuple[tuple[str, str, str], ...]  # (field, their value, your value)

    def __str__(self) -> str:
        shown = "; ".join(
            f"{f}: saved '{theirs}', yours '{mine}'" for f, theirs, mine in self.fields
        )
        return (
            f"{self.clinic_id} was changed by someone else (version {self.current_version}, you "
            f"edited version {self.expected_version}); nothing was saved. {shown}"
        )


@dataclass(frozen=True)
class Snapshot:
    """A published list, frozen: what patients see until the next publish."""

    id: int
    list_name: str
    published_at: str  # ISO UTC timestamp, as in the change log
    published_by: str
    clinics: int
    content: bytes = field(repr=False)  # the list's directory CSV when it was published

    @property
    def published_on(self) -> str:
        """The day it was published (YYYY-MM-DD, UTC), for a "published on" line."""
        return self.published_at[:10]


class WorkspaceStore(Protocol):
    """A workspace: named lists of clinics with per-clinic versions and a change log."""

    schema: Schema
    location: str

    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...
    def lists(self) -> list[str]: ...
    def create_list(self, name: str, who: str) -> None: ...
    def import_table(self, list_name: str, table: pd.DataFrame, who: str, source: str) -> int: ...
    def cells(self, list_name: str) -> tuple[pd.DataFrame, dict[str, int]]: ...
    def export_csv(self, list_name: str) -> bytes: ...
    def save_clinic(
        self,
        list_name: str,
        clinic_id: str,
        changes: Mapping[str, str],
        expected_version: int,
        who: str,
        source: str = "edit",
    ) -> int: ...
    def history(self, list_name: str, clinic_id: str) -> pd.DataFrame: ...
    def list_changes(self, list_name: str) -> pd.DataFrame: ...
    def change(self, list_name: str, change_id: int) -> LoggedChange | None: ...
    def load(self, list_name: str) -> tuple[ReadResult, dict[str, int]]: ...
    def merge_into(
        self, list_name: str, clinic_id: str, other: pd.Series, who: str, source: str
    ) -> int: ...
    def restore(self, list_name: str, change_id: int, who: str) -> int: ...
    # published snapshots: the newest of a list is the live one
    def publish_snapshot(self, list_name: str, who: str) -> Snapshot: ...
    def live_snapshot(self, list_name: str) -> Snapshot | None: ...
    def live_snapshot_id(self, list_name: str) -> int | None: ...
    def snapshots(self, list_name: str) -> pd.DataFrame: ...
    # patients' problem reports
    def add_report(
        self,
        list_name: str,
        clinic_id: str,
        field: str,
        description: str,
        contact_email: str | None,
        now: dt.datetime,
    ) -> int: ...
    def count_reports_since(
        self, list_name: str, clinic_id: str | None, since: dt.datetime
    ) -> int: ...
    def reports(self, list_name: str, status: str | None = "open") -> pd.DataFrame: ...
    def close_report(
        self,
        list_name: str,
        report_id: int,
        status: Literal["resolved", "dismissed"],
        who: str,
        note: str,
        change_id: int | None = None,
    ) -> None: ...
    def open_report_dates(self, list_name: str) -> dict[str, str]: ...


class StoreBase:
    """What every backend shares, built on its primitives (see `WorkspaceStore`)."""

    # The primitives each backend defines (see `WorkspaceStore` for their signatures).
    schema: Schema
    cells: Callable[[str], tuple[pd.DataFrame, dict[str, int]]]
    save_clinic: Callable[..., int]
    change: Callable[[str, int], LoggedChange | None]

    def load(self, list_name: str) -> tuple[ReadResult, dict[str, int]]:
        """The list as a validated clinic table, and each clinic's version."""
        cells, versions = self.cells(list_name)
        table, problems = validate(cells, np.arange(1, len(cells) + 1), self.schema)
        return ReadResult(table, problems, "workspace"), versions

    def merge_into(
        self, list_name: str, clinic_id: str, other: pd.Series, who: str, source: str
    ) -> int:
        """Merge another record of the same clinic (a row of text cells) into `clinic_id`.

        The most recently verified evidence wins per criterion; blanks are filled; every
        change is logged with `source`. Returns the clinic's new version.
        """
        cells, versions = self.cells(list_name)
        if clinic_id not in versions:
            raise WorkspaceError(f"there is no clinic '{clinic_id}' in '{list_name}'")
        kept = cells[cells["id"] == clinic_id].iloc[0]
        changes = merge_changes(kept, other, self.schema)
        return self.save_clinic(
            list_name, clinic_id, changes, versions[clinic_id], who, f"merge: {source}"
        )

    def restore(self, list_name: str, change_id: int, who: str) -> int:
        """Put a field back to the value it had before change `change_id` (a new change)."""
        found = self.change(list_name, change_id)
        if found is None or found.field == CREATED:
            raise WorkspaceError(f"change {change_id} cannot be restored")
        return self.save_clinic(
            list_name,
            found.clinic_id,
            {found.field: found.old_value or ""},
            found.clinic_version,
            who,
            f"restore of {change_id}",
        )
