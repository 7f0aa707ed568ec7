"""The advocates' workspace and the curation workflows.

- The store interface (`WorkspaceStore`) and its backends: SQLite (a file, the default) and
  PostgreSQL (a `postgresql://` address shared by several app replicas); `open_workspace`
  picks the backend from the configured location, `copy_workspace` moves a workspace
  between them.
- Duplicates and evidence-preserving merges.
- The workflows both faces call: import with a merge plan, NPI checks of a list, filling
  coordinates, saving edits without overwriting anyone, publishing (frozen snapshots that
  patients see), and patients' problem reports (checked, rate-limited, listed in context).
"""

from __future__ import annotations

from pathlib import Path

from providers.curation.cells import (
    WorkspaceError,
    canonical_cell,
    editable,
    edits_between,
    text_cells,
)
from providers.curation.duplicates import Match, find_duplicates, merge_changes
from providers.curation.reports import (
    ReportLimits,
    ReportRefused,
    clean_description,
    open_reports,
    report_details,
    report_fields,
    submit_report,
)
from providers.curation.sqlite import SqliteStore
from providers.curation.store import (
    CREATED,
    REPORT_STATUSES,
    Conflict,
    ReportStatus,
    Snapshot,
    StoreBase,
    WorkspaceStore,
)
from providers.curation.transfer import copy_workspace
from providers.curation.workflows import (
    CoordinateFill,
    ImportOutcome,
    ImportPlan,
    NpiCheck,
    SaveOutcome,
    apply_changes,
    apply_import,
    check_npis,
    clinics_from_registry,
    clinics_to_check,
    coordinate_changes,
    fill_coordinates,
    missing_coordinates,
    npi_evidence,
    plan_import,
    publish_csv,
    publish_hsds,
    publish_json,
    published_directory,
    save_changes,
)
from providers.directory import Schema
from providers.settings import DatabaseUrl, is_database_url


def open_workspace(
    location: str | Path | DatabaseUrl, schema: Schema | None = None
) -> WorkspaceStore:
    """The workspace at `location`: a `postgresql://` address (PostgreSQL; its tables are made
    on first use) or a file path (SQLite, created on first use)."""
    if isinstance(location, str) and is_database_url(location):
        location = DatabaseUrl(location.strip())
    if isinstance(location, DatabaseUrl):
        from providers.curation.postgres import PostgresStore  # the driver loads only if used

        return PostgresStore.open(location, schema)
    return SqliteStore.open(location, schema)


__all__ = [
    "CREATED",
    "REPORT_STATUSES",
    "Conflict",
    "CoordinateFill",
    "ImportOutcome",
    "ImportPlan",
    "Match",
    "NpiCheck",
    "ReportLimits",
    "ReportRefused",
    "ReportStatus",
    "SaveOutcome",
    "Snapshot",
    "SqliteStore",
    "StoreBase",
    "WorkspaceError",
    "WorkspaceStore",
    "apply_changes",
    "apply_import",
    "canonical_cell",
    "check_npis",
    "clean_description",
    "clinics_from_registry",
    "clinics_to_check",
    "coordinate_changes",
    "copy_workspace",
    "editable",
    "edits_between",
    "fill_coordinates",
    "find_duplicates",
    "merge_changes",
    "missing_coordinates",
    "npi_evidence",
    "open_reports",
    "open_workspace",
    "plan_import",
    "publish_csv",
    "publish_hsds",
    "publish_json",
    "published_directory",
    "report_details",
    "report_fields",
    "save_changes",
    "submit_report",
    "text_cells",
]
