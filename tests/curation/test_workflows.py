"""The curation workflows that both faces call, against a real workspace (SQLite and PostgreSQL)."""

import datetime as dt

import pytest

from providers.curation import (
    Conflict,
    SqliteStore,
    WorkspaceError,
    apply_changes,
    apply_import,
    canonical_cell,
    fill_coordinates,
    missing_coordinates,
    npi_evidence,
    plan_import,
    save_changes,
)
from providers.directory import parse_directory, read_directory, to_plain
from providers.geo import default_gazetteer
from providers.sources import Verification
from tests.conftest import csv_of


def test_importing_the_same_file_again_offers_nothing_and_counts_it_unchanged(ws):
    plan = plan_import(ws, "Arizona", read_directory("demo").table)
    assert plan.matches == () and len(plan.unchanged) == 60
    assert plan.fresh(plan.matches).empty and plan.clashes(plan.matches) == []
    done = apply_import(ws, "Arizona", plan, [], "ana", "demo again")
    assert (done.imported, done.merged, done.unchanged) == (0, 0, 60)
    assert len(ws.history("Arizona", "demo-001")) == 1  # only its creation: nothing merged


def test_a_changed_record_of_a_clinic_is_offered_as_a_merge_and_keeps_newer_evidence(ws, checklist):
    monitoring = checklist.criterion("monitoring")
    item = monitoring.items[0].column
    newer = parse_directory(
        csv_of([{"id": "new-1", "name": "Saguaro Infusion Care (demo)", "postal_code": "85251",
                 item: "yes", monitoring.verified_column: "2026-11-20",
                 monitoring.source_column: "https://example.org/new"}]),
        "newer.csv",
    ).table  # fmt: skip
    plan = plan_import(ws, "Arizona", newer)
    assert [(m.existing_id, m.incoming_id) for m in plan.matches] == [("demo-001", "new-1")]
    done = apply_import(ws, "Arizona", plan, plan.matches, "ana", "newer.csv")
    assert (done.imported, done.merged) == (0, 1)
    table = ws.load("Arizona")[0].table.set_index("id")
    assert str(table.loc["demo-001", monitoring.verified_column].date()) == "2026-11-20"


def test_an_unmerged_id_clash_is_skipped_and_named(ws):
    other = parse_directory(csv_of([{"id": "demo-001", "name": "Another Place", "city": "Nome"}]),
                            "x.csv").table  # fmt: skip
    plan = plan_import(ws, "Arizona", other)
    assert plan.clashes([]) == ["demo-001"] and plan.fresh([]).empty


def test_save_changes_never_overwrites_a_newer_save(ws):
    _, versions = ws.cells("Arizona")
    ws.save_clinic("Arizona", "demo-001", {"phone": "111"}, versions["demo-001"], "ana")
    outcome = save_changes(
        ws, "Arizona", {"demo-001": {"phone": "222"}, "demo-002": {"phone": "333"}}, versions, "bo"
    )
    assert outcome.saved == ["demo-002"] and outcome.refused == 1
    assert isinstance(outcome.conflicts[0], Conflict)
    cells, _ = ws.cells("Arizona")
    assert cells.set_index("id").loc["demo-001", "phone"] == "111"


@pytest.mark.parametrize("typed", ["-123456789-3", "\t1234567893", "=1+1"])
def test_a_typed_value_is_stored_parsed_or_refused(schema, typed):
    try:
        stored = canonical_cell(schema, "npi", typed)
    except WorkspaceError as exc:
        assert "not saved" in str(exc)
    else:
        assert stored.isdigit() and len(stored) == 10


def test_canonical_cells_are_what_a_directory_file_would_hold(schema, checklist):
    item = checklist.tristate_items[0].column
    assert canonical_cell(schema, item, "Y") == "yes"
    assert canonical_cell(schema, "npi", "123-456-7893") == "1234567893"
    assert canonical_cell(schema, "name", "=cmd") == "'=cmd"
    assert canonical_cell(schema, "price_per_session", "$1,200") == "1200.0"
    with pytest.raises(WorkspaceError, match="only http"):
        canonical_cell(schema, "website", "javascript:alert(1)")


def test_the_npi_evidence_rule_fills_the_source_only_when_there_is_none(checklist):
    item = checklist.npi_item
    criterion = checklist.criterion(item.criterion)
    found = Verification("c", "1234567893", None, ("no such NPI in the registry",),
                         "https://registry.example/?number=1", dt.date(2026, 11, 21))  # fmt: skip
    fresh = npi_evidence({criterion.source_column: ""}, found, checklist)
    assert fresh == {
        item.column: "no",
        criterion.source_column: "https://registry.example/?number=1",
        criterion.verified_column: "2026-11-21",
    }
    kept = npi_evidence({criterion.source_column: "https://example.org/team"}, found, checklist)
    assert kept == {item.column: "no"}


def test_fill_coordinates_saves_each_batch_as_it_goes(ws):
    before = len(missing_coordinates(ws.cells("Arizona")[0]))
    assert before == 6

    def stop_after_the_first_batch(done: int, total: int, name: str) -> None:
        if done >= 2 and not name:  # the end-of-batch tick
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fill_coordinates(
            ws, "Arizona", default_gazetteer(), None, "ana", stop_after_the_first_batch, batch=2
        )
    assert len(missing_coordinates(ws.cells("Arizona")[0])) == before - 2  # kept, not lost
    result = fill_coordinates(ws, "Arizona", default_gazetteer(), None, "ana", batch=2)
    assert result.located == 4 and missing_coordinates(ws.cells("Arizona")[0]).empty


def test_apply_changes_edits_a_plain_directory_frame(checklist):
    frame = to_plain(read_directory("demo").table)
    item = checklist.tristate_items[0].column
    out = apply_changes(frame, {"demo-002": {item: "no", "phone": "1"}})
    row = out.set_index("id").loc["demo-002"]
    assert (row[item], row["phone"]) == ("no", "1")
    assert frame.set_index("id").loc["demo-002", "phone"] != "1"  # the input is untouched


def test_damage_inside_the_file_is_a_workspace_error_never_a_sqlite_one(tmp_path):
    """16 KiB overwritten at several places: every store call either works or says the
    workspace is damaged (as its own error, never sqlite3's), and the file is not changed."""
    path = tmp_path / "w.sqlite"
    with SqliteStore.open(path) as ws:
        ws.create_list("Arizona", "ana")
        ws.import_table("Arizona", read_directory("demo").table, "ana", "demo")
        ws.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    good = path.read_bytes()
    noticed = 0
    for share in (0.25, 0.5, 0.75):
        start = int(len(good) * share) // 4096 * 4096
        damaged = good[:start] + b"\xa5" * 16384 + good[start + 16384 :]
        path.write_bytes(damaged)
        for wal in path.parent.glob("w.sqlite-*"):
            wal.unlink()
        calls = ("lists", "cells", "export_csv", "load")
        try:
            with SqliteStore.open(path) as ws:
                for name in calls:
                    try:
                        getattr(ws, name)(*(() if name == "lists" else ("Arizona",)))
                    except WorkspaceError as exc:
                        noticed += 1
                        assert "damaged" in str(exc) and "restore a backup" in str(exc)
        except WorkspaceError as exc:
            noticed += 1
            assert "damaged" in str(exc)
        assert path.read_bytes() == damaged
    assert noticed >= 1


def test_publish_hsds_carries_the_list_and_on_request_its_change_log(ws):
    import io
    import zipfile

    from providers.curation import publish_hsds
    from providers.hsds import read_hsds

    ws.save_clinic("Arizona", "demo-005", {"phone": "555-0100"}, 1, "ana@example.org")
    plain = publish_hsds(ws, "Arizona")
    logged = publish_hsds(ws, "Arizona", with_changes=True)

    def metadata_rows(package: bytes) -> list[str]:
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            return archive.read("metadata.csv").decode("utf-8-sig").splitlines()[1:]

    assert metadata_rows(plain) == []
    assert any("555-0100" in row and "ana@example.org" in row for row in metadata_rows(logged))
    back = read_hsds(logged).result.table.set_index("id")
    assert back.loc["demo-005", "phone"] == "555-0100"
    assert len(back) == len(ws.load("Arizona")[0].table)
