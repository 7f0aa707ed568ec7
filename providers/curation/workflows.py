"""The curation workflows as plain functions: `cli.py` and the advocates' pages both call these.

Each takes a store (or a table), the checklist and the outside sources it needs as arguments,
reports progress through an optional callback, and saves as it goes, so an interrupted run
keeps what it finished. None of them imports Streamlit or reads the environment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from providers.curation.cells import WorkspaceError, text_cells
from providers.curation.duplicates import Match, find_duplicates, merge_changes
from providers.curation.store import Conflict, Snapshot, WorkspaceStore
from providers.directory import ReadResult, json_bytes, parse_directory
from providers.geo import Gazetteer, OnlineGeocoder, locate_clinics
from providers.sources import NpiRecord, NpiRegistry, RegistryError, Verification, verify
from scoring.checklist import Checklist

Progress = Callable[[int, int, str], None]
Changes = Mapping[str, Mapping[str, str]]  # clinic id -> {field: new text}


# --- saving edits -----------------------------------------------------------------------------


@dataclass
class SaveOutcome:
    """What a batch of saves did: which clinics changed, which were refused and why."""

    saved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return len(self.conflicts) + len(self.errors)

    def absorb(self, other: SaveOutcome) -> None:
        """Add another batch's outcome to this one."""
        self.saved += other.saved
        self.unchanged += other.unchanged
        self.conflicts += other.conflicts
        self.errors += other.errors


def save_changes(
    store: WorkspaceStore,
    list_name: str,
    changes: Changes,
    versions: Mapping[str, int],
    who: str,
    source: str = "edit",
    progress: Progress | None = None,
) -> SaveOutcome:
    """Save each clinic's changes against the version it was read at; never overwrite others'."""
    outcome = SaveOutcome()
    for done, (clinic_id, fields) in enumerate(changes.items(), start=1):
        try:
            new = store.save_clinic(list_name, clinic_id, fields, versions[clinic_id], who, source)
        except Conflict as exc:
            outcome.conflicts.append(exc)
        except (WorkspaceError, KeyError) as exc:
            outcome.errors.append(f"{clinic_id}: {exc}")
        else:
            (outcome.saved if new > versions[clinic_id] else outcome.unchanged).append(clinic_id)
        if progress:
            progress(done, len(changes), clinic_id)
    return outcome


def apply_changes(frame: pd.DataFrame, changes: Changes) -> pd.DataFrame:
    """A copy of a plain-text directory frame with `changes` applied (for files, not stores)."""
    out = frame.copy()
    position = {clinic_id: i for i, clinic_id in enumerate(out["id"].astype("str"))}
    for clinic_id, fields in changes.items():
        for name, value in fields.items():
            out.iloc[position[clinic_id], out.columns.get_loc(name)] = value
    return out


# --- import with a merge plan -----------------------------------------------------------------


@dataclass(frozen=True)
class ImportPlan:
    """What importing a table into a list would do, for a person to confirm."""

    table: pd.DataFrame  # the validated incoming clinics
    matches: tuple[Match, ...]  # proposed merges (existing, incoming), best first
    unchanged: tuple[str, ...]  # incoming ids whose clinic is already in the list, identical
    taken: frozenset[str]  # ids already in the list

    def clashes(self, merges: Iterable[Match]) -> list[str]:
        """Incoming ids already in the list that are neither merged nor unchanged: skipped."""
        merged = {m.incoming_id for m in merges}
        ids = set(self.table["id"])
        return sorted(ids & self.taken - merged - set(self.unchanged))

    def fresh(self, merges: Iterable[Match]) -> pd.DataFrame:
        """The incoming clinics that become new clinics of the list."""
        skip = {m.incoming_id for m in merges} | set(self.unchanged) | self.taken
        return self.table[~self.table["id"].isin(skip)]


def plan_import(store: WorkspaceStore, list_name: str, incoming: pd.DataFrame) -> ImportPlan:
    """Match incoming clinics against the list: duplicates to merge, and what is already there.

    A duplicate whose merge would change nothing (the same clinic imported again, or a record
    with nothing newer) is not offered: it is counted as unchanged.
    """
    existing, _ = store.cells(list_name)
    if existing.empty or incoming.empty:
        return ImportPlan(incoming, (), (), frozenset(existing["id"]))
    stored = existing.set_index("id", drop=False)
    arriving = text_cells(incoming, store.schema).set_index("id", drop=False)
    matches, unchanged = [], []
    for match in find_duplicates(existing, incoming):
        if merge_changes(stored.loc[match.existing_id], arriving.loc[match.incoming_id]):
            matches.append(match)
        elif match.incoming_id not in unchanged:
            unchanged.append(match.incoming_id)
    # The same id with exactly the same cells (and no other key to match on) is unchanged too;
    # the same id with other content is a clash, left for a person to resolve.
    for clinic_id in set(arriving.index) & set(stored.index) - set(unchanged):
        if stored.loc[clinic_id].equals(arriving.loc[clinic_id]):
            unchanged.append(clinic_id)
    offered = [m for m in matches if m.incoming_id not in unchanged]
    return ImportPlan(incoming, tuple(offered), tuple(sorted(unchanged)), frozenset(stored.index))


@dataclass(frozen=True)
class ImportOutcome:
    imported: int
    merged: int
    unchanged: int
    skipped: list[str]


def apply_import(
    store: WorkspaceStore,
    list_name: str,
    plan: ImportPlan,
    merges: Sequence[Match],
    who: str,
    source: str,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Merge the chosen duplicates, then add the new clinics; every change is logged."""
    incoming = text_cells(plan.table, store.schema).set_index("id", drop=False)
    for done, match in enumerate(merges, start=1):
        store.merge_into(list_name, match.existing_id, incoming.loc[match.incoming_id], who, source)
        if progress:
            progress(done, len(merges), match.existing_id)
    fresh = plan.fresh(merges)
    count = store.import_table(list_name, fresh, who, source) if len(fresh) else 0
    return ImportOutcome(count, len(merges), len(plan.unchanged), plan.clashes(merges))


# --- NPI registry checks ----------------------------------------------------------------------


@dataclass(frozen=True)
class NpiCheck:
    """The registry's answer for one clinic, and the field changes it makes (the evidence)."""

    clinic_id: str
    npi: str
    verification: Verification | None
    error: str
    changes: dict[str, str]

    @property
    def summary(self) -> str:
        if self.verification is None:
            return f"not checked: {self.error}"
        v = self.verification
        found = "; ".join(v.problems) or ", ".join(v.specialties)
        return f"{v.answer} ({found})"


def npi_evidence(
    clinic: Mapping[str, object], verification: Verification, checklist: Checklist
) -> dict[str, str]:
    """The registry's answer as field changes: the item, and the registry as the criterion's
    evidence (its URL and the date) when the criterion has no source yet."""
    item = checklist.npi_item
    if item is None:
        raise WorkspaceError("the checklist has no NPI registry rule")
    criterion = checklist.criterion(item.criterion)
    changes = {item.column: verification.answer}
    if not str(clinic.get(criterion.source_column) or "").strip():
        changes[criterion.source_column] = verification.source
        changes[criterion.verified_column] = verification.verified_on.isoformat()
    return changes


def clinics_to_check(
    clinics: pd.DataFrame, checklist: Checklist, only_unchecked: bool = False
) -> pd.DataFrame:
    """Clinics with an NPI (and, if asked, whose registry item is still unknown)."""
    item = checklist.npi_item
    chosen = clinics[clinics["npi"].astype("str") != ""]
    if only_unchecked and item is not None:
        chosen = chosen[chosen[item.column].astype("str") == "unknown"]
    return chosen


def check_npis(
    clinics: pd.DataFrame,
    registry: NpiRegistry,
    checklist: Checklist,
    today: dt.date | None = None,
) -> Iterator[NpiCheck]:
    """Ask the registry about each clinic's NPI, one at a time (the caller saves as it goes)."""
    if checklist.npi_registry is None:
        raise WorkspaceError("the checklist has no NPI registry rule")
    counted = checklist.npi_registry.codes
    for clinic in clinics.to_dict("records"):
        clinic_id, npi = str(clinic["id"]), str(clinic["npi"])
        try:
            found = verify(clinic_id, npi, str(clinic["address"]), str(clinic["postal_code"]),
                           registry, counted, today)  # fmt: skip
        except RegistryError as exc:
            yield NpiCheck(clinic_id, npi, None, str(exc), {})
            continue
        yield NpiCheck(clinic_id, npi, found, "", npi_evidence(clinic, found, checklist))


def clinics_from_registry(records: Iterable[NpiRecord]) -> pd.DataFrame:
    """Registry organisations as validated directory rows (their evidence starts unknown)."""
    rows = [
        {"id": f"npi-{r.number}", "name": r.name.title(), "address": r.address.title(),
         "city": r.city.title(), "region": r.state, "postal_code": r.postal_code[:5],
         "country": "US", "phone": r.phone, "npi": r.number}
        for r in records
    ]  # fmt: skip
    if not rows:
        return parse_directory(b"id,name\n", "registry.csv").table
    return parse_directory(pd.DataFrame(rows).to_csv(index=False).encode(), "registry.csv").table


# --- coordinates ------------------------------------------------------------------------------


def missing_coordinates(cells: pd.DataFrame) -> pd.DataFrame:
    """Clinics (stored cells) with no coordinates yet."""
    return cells[(cells["latitude"] == "") | (cells["location_precision"] == "none")]


def coordinate_changes(located: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Field changes for every clinic that `locate_clinics` could place."""
    found = located[located["location_precision"] != "none"]
    return {
        str(row["id"]): {
            "latitude": f"{row['latitude']}",
            "longitude": f"{row['longitude']}",
            "location_precision": str(row["location_precision"]),
        }
        for row in found.to_dict("records")
    }


@dataclass
class CoordinateFill:
    located: int = 0
    notices: list[str] = field(default_factory=list)
    outcome: SaveOutcome = field(default_factory=SaveOutcome)


def fill_coordinates(
    store: WorkspaceStore,
    list_name: str,
    gazetteer: Gazetteer,
    geocoder: OnlineGeocoder | None,
    who: str,
    progress: Progress | None = None,
    batch: int = 25,
) -> CoordinateFill:
    """Locate the list's clinics without coordinates, saving each batch as soon as it is done."""
    loaded, versions = store.load(list_name)  # one read: the table and its versions
    table = loaded.table
    todo = table.loc[
        table["latitude"].isna() | (table["location_precision"] == "none"), "id"
    ].tolist()
    result = CoordinateFill()
    for start in range(0, len(todo), batch):
        chunk = table[table["id"].isin(todo[start : start + batch])]

        def step(done: int, _total: int, name: str, offset: int = start) -> None:
            if progress:
                progress(offset + done, len(todo), name)

        located, report = locate_clinics(chunk, gazetteer, geocoder, step)
        if report.notice and report.notice not in result.notices:
            result.notices.append(report.notice)
        changes = coordinate_changes(located)
        saved = save_changes(store, list_name, changes, versions, who, "geocode")
        result.located += len(saved.saved)
        result.outcome.absorb(saved)
        if progress:
            progress(min(start + batch, len(todo)), len(todo), "")
    return result


# --- publishing -------------------------------------------------------------------------------


def publish_csv(store: WorkspaceStore, list_name: str) -> bytes:
    """The list as a directory CSV (formula-safe, every stored cell as it is)."""
    return store.export_csv(list_name)


def publish_json(store: WorkspaceStore, list_name: str) -> bytes:
    """The list as a directory JSON file."""
    table = store.load(list_name)[0].table
    return json_bytes(table.reindex(columns=list(store.schema.names)))


def publish_hsds(store: WorkspaceStore, list_name: str, with_changes: bool = False) -> bytes:
    """The list as an Open Referral HSDS 3.0 package (.zip), its change log as HSDS metadata
    rows when asked for (who changed what, when)."""
    from providers.hsds import export_hsds, zip_bytes

    table = store.load(list_name)[0].table
    changes = store.list_changes(list_name) if with_changes else None
    return zip_bytes(export_hsds(table, list_name=list_name, changes=changes,
                                 schema=store.schema))  # fmt: skip


def published_directory(store: WorkspaceStore, list_name: str) -> tuple[ReadResult, Snapshot]:
    """The list as patients see it: its live snapshot, read as a directory file.

    Patients never see half-finished edits: only what an advocate published.
    """
    snapshot = store.live_snapshot(list_name)
    if snapshot is None:
        raise WorkspaceError(
            f"'{list_name}' has not been published yet: an advocate publishes it on the "
            "Publish page"
        )
    return parse_directory(snapshot.content, f"{list_name} (published)", store.schema), snapshot
