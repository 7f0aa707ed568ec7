"""The advocates' workspace store: round trips, conflicts, history, crashes, broken files.

Tests taking `ws`, `new_store` or `shared_store` run on both backends (SQLite and
PostgreSQL, tests/curation/conftest.py); those opening `SqliteStore` themselves test what only
a SQLite file has (WAL, PRAGMAs, damaged or read-only files, a full disk).
"""

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.curation import CREATED, Conflict, SqliteStore, WorkspaceError
from providers.curation.sqlite import MIGRATIONS
from providers.directory import (
    csv_bytes,
    directory_frame,
    json_bytes,
    parse_directory,
    read_directory,
)
from tests.directory.test_formulas import HOSTILE, assert_no_cell_starts_a_formula

REPO = Path(__file__).resolve().parents[2]


def test_created_on_first_use_with_wal_and_a_schema_version(tmp_path):
    path = tmp_path / "new" / "w.sqlite"
    with SqliteStore.open(path) as ws:
        assert ws.lists() == []
        assert ws.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert ws.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    with SqliteStore.open(path) as again:  # reopening migrates nothing and loses nothing
        assert again.lists() == []


@pytest.mark.parametrize("encode, name", [(csv_bytes, "x.csv"), (json_bytes, "x.json")])
def test_export_then_import_gives_the_same_list(ws, encode, name):
    original, versions = ws.load("Arizona")
    assert len(original.table) == 60 and original.problems.empty
    assert set(versions.values()) == {1}
    exported = encode(directory_frame(original.table))
    back = parse_directory(exported, name)
    assert back.problems.empty
    pd.testing.assert_frame_equal(back.table, original.table, check_dtype=False)
    pd.testing.assert_frame_equal(back.table, read_directory("demo").table, check_dtype=False)


def test_an_edit_bumps_the_version_and_is_logged(ws):
    before = ws.load("Arizona")[0].table.set_index("id").loc["demo-001", "monitoring.vital_signs"]
    flipped = "no" if str(before) == "yes" else "yes"
    new = ws.save_clinic(
        "Arizona",
        "demo-001",
        {"monitoring.vital_signs": flipped, "phone": "=1+1"},
        1,
        "ben",
        "https://example.org/call",
    )
    assert new == 2
    table = ws.load("Arizona")[0].table.set_index("id")
    assert str(table.loc["demo-001", "monitoring.vital_signs"]) == flipped
    assert table.loc["demo-001", "phone"] == "=1+1"  # stored as typed, guarded only on export
    log = ws.history("Arizona", "demo-001")
    assert log["field"].tolist()[0] == CREATED
    edits = log[log["version"] == 2].set_index("field")
    assert edits.loc["phone", "new_value"] == "=1+1" and edits.loc["phone", "who"] == "ben"
    assert edits.loc["monitoring.vital_signs", "source"] == "https://example.org/call"


def test_a_second_editor_gets_a_conflict_and_nothing_is_lost(ws):
    ws.save_clinic("Arizona", "demo-002", {"phone": "(480) 555-0199"}, 1, "ana")
    with pytest.raises(Conflict) as conflict:
        ws.save_clinic("Arizona", "demo-002", {"phone": "(480) 555-0111"}, 1, "ben")
    message = str(conflict.value)
    assert (
        "(480) 555-0199" in message
        and "(480) 555-0111" in message
        and "nothing was saved" in message
    )
    assert ws.load("Arizona")[0].table.set_index("id").loc["demo-002", "phone"] == "(480) 555-0199"


def test_restore_puts_an_old_value_back_as_a_new_change(ws):
    before = ws.load("Arizona")[0].table.set_index("id").loc["demo-003", "phone"]
    ws.save_clinic("Arizona", "demo-003", {"phone": "wrong"}, 1, "ana")
    change = ws.history("Arizona", "demo-003").iloc[-1]
    assert ws.restore("Arizona", int(change["id"]), "ben") == 3
    assert ws.load("Arizona")[0].table.set_index("id").loc["demo-003", "phone"] == before
    assert ws.history("Arizona", "demo-003")["source"].iloc[-1] == f"restore of {change['id']}"


def test_clear_messages_for_bad_requests(ws):
    for call, message in (
        (lambda: ws.create_list("Arizona", "x"), "already exists"),
        (lambda: ws.load("Nowhere"), "no list called"),
        (lambda: ws.save_clinic("Arizona", "nope", {"phone": "1"}, 1, "x"), "no clinic 'nope'"),
        (lambda: ws.save_clinic("Arizona", "demo-001", {"id": "x"}, 1, "x"), "cannot edit"),
        (lambda: ws.import_table("Arizona", read_directory("demo").table, "x", "again"), "merge"),
    ):
        with pytest.raises(WorkspaceError, match=message):
            call()


def test_a_corrupt_file_is_a_clear_message_and_is_left_untouched(tmp_path):
    path = tmp_path / "w.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(WorkspaceError, match="not a usable workspace"):
        SqliteStore.open(path)
    assert path.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_a_read_only_folder_is_a_clear_message(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(WorkspaceError, match=r"cannot be written|cannot create"):
            SqliteStore.open(folder / "w.sqlite")
    finally:
        folder.chmod(0o700)


def test_a_read_only_database_refuses_writes_with_a_message(tmp_path):
    path = tmp_path / "w.sqlite"
    SqliteStore.open(path).close()
    uri = f"file:{path}?mode=ro"
    ws = SqliteStore(sqlite3.connect(uri, uri=True, isolation_level=None), path, None)
    with pytest.raises(WorkspaceError, match=r"cannot be written|readonly"):
        ws.create_list("x", "ana")


SAVER = textwrap.dedent(
    """
    import sys
    from providers.curation import open_workspace
    ws = open_workspace(sys.argv[1])
    version = ws.load("L")[1]["c1"]
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        version = ws.save_clinic("L", "c1", {"notes": f"note {n}", "phone": f"555-{n:04d}"},
                                 version, "saver")
    """
)


def test_a_process_killed_while_saving_leaves_old_or_new_never_a_mix(new_store, location):
    with new_store() as ws:
        ws.create_list("L", "ana")
        ws.import_table("L", parse_directory(b"id,name\nc1,Clinic\n", "x.csv").table, "ana", "t")
    for delay in (0.3, 0.6, 0.9):
        child = subprocess.Popen(
            [sys.executable, "-c", SAVER, location], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        with new_store() as ws:
            result, versions = ws.load("L")
            row = result.table.iloc[0]
            n = int(row["notes"].split()[1])
            assert row["phone"] == f"555-{n:04d}"  # both fields from the same save
            log = ws.history("L", "c1")
            assert versions["c1"] == log["version"].max()  # the log matches the data
            last = log[log["version"] == versions["c1"]].set_index("field")
            assert last.loc["notes", "new_value"] == row["notes"]
            assert last.loc["phone", "new_value"] == row["phone"]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("monitoring.vital_signs", "maybe", "expected yes / no / unknown"),
        ("website", "javascript:alert(1)", "only http"),
        ("name", "  ", "needs a name"),
        ("reviews_rating", "7", "from 0 to 5"),
    ],
)
def test_edits_follow_the_directory_rules(ws, field, value, message):
    with pytest.raises(WorkspaceError, match=message):
        ws.save_clinic("Arizona", "demo-001", {field: value}, 1, "ana")
    assert ws.load("Arizona")[1]["demo-001"] == 1  # nothing saved


def test_the_csv_export_is_the_directory_format_and_formula_safe(ws):
    ws.save_clinic("Arizona", "demo-004", {"notes": "=cmd|' /C calc'!A0"}, 1, "ana")
    exported = ws.export_csv("Arizona")
    assert b"'=cmd" in exported
    back = parse_directory(exported, "x.csv")
    assert back.problems.empty
    pd.testing.assert_frame_equal(back.table, ws.load("Arizona")[0].table, check_dtype=False)
    assert back.table.set_index("id").loc["demo-004", "notes"] == "=cmd|' /C calc'!A0"


def test_a_new_checklist_item_adds_its_column_on_open(new_store):
    import tomllib
    from importlib import resources

    from providers.directory import build_schema
    from scoring.checklist import parse_checklist

    with new_store() as ws:
        ws.create_list("L", "ana")
        ws.import_table("L", parse_directory(b"id,name\nc1,Clinic\n", "x.csv").table, "ana", "t")
    raw = tomllib.loads(resources.files("scoring").joinpath("checklist.toml").read_text("utf-8"))
    raw["criteria"][1]["items"].append(
        {"key": "new_item", "label": "New", "points": 1, "evidence": "e", "question": "q?"}
    )
    schema = build_schema(parse_checklist(raw))
    with new_store(schema) as ws:
        assert ws.save_clinic("L", "c1", {"monitoring.new_item": "yes"}, 1, "ana") == 2
        assert str(ws.load("L")[0].table.loc[0, "monitoring.new_item"]) == "yes"


def test_exported_numbers_stay_numbers(ws):
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(ws.export_csv("Arizona").decode("utf-8-sig"))))
    longitudes = [r["longitude"] for r in rows if r["longitude"]]
    assert longitudes and all(v.startswith("-") for v in longitudes)  # not '-111.9 text
    float(longitudes[0])


def test_a_full_disk_is_a_message_and_nothing_half_saved(tmp_path):
    path = tmp_path / "w.sqlite"
    with SqliteStore.open(path) as ws:
        ws.create_list("L", "ana")
        pages = ws.db.execute("PRAGMA page_count").fetchone()[0]
        ws.db.execute(f"PRAGMA max_page_count = {pages + 2}")  # the file may hardly grow: "full"
        with pytest.raises(WorkspaceError, match="full; nothing was saved"):
            ws.import_table("L", read_directory("demo").table, "ana", "demo")
        assert ws.cells("L")[0].empty
        assert ws.db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 0


# --- whatever list separator a spreadsheet uses, no exported cell starts a formula ----------

EDITED = ("name", "address", "notes", "phone")
EXAMPLES = itertools.count()


@settings(max_examples=40, deadline=None)
@given(
    imported=st.lists(st.tuples(HOSTILE, HOSTILE, HOSTILE), max_size=3),
    typed=st.tuples(HOSTILE, HOSTILE, HOSTILE, HOSTILE),
    website=HOSTILE,
)
def test_no_list_separator_makes_an_exported_cell_a_formula(shared_store, imported, typed, website):
    rows = [{"id": "anchor", "name": "Anchor", "postal_code": "85251"}] + [
        {"name": n, "notes": t, "website": "https://example.org/" + "".join(w.split())}
        for n, t, w in imported
    ]
    table = parse_directory(csv_bytes(pd.DataFrame(rows)), "x.csv").table
    changes = dict(zip(EDITED, typed, strict=True))
    if not changes["name"].strip():
        changes["name"] = "x" + changes["name"]  # a clinic needs a name
    changes["website"] = "https://example.org/" + "".join(website.split())
    ws, name = shared_store, f"L{next(EXAMPLES)}"
    ws.create_list(name, "ana")
    ws.import_table(name, table, "ana", "x.csv")
    ws.save_clinic(name, "anchor", changes, 1, "ana")
    exported = ws.export_csv(name)
    assert_no_cell_starts_a_formula(exported)
    loaded = ws.load(name)[0].table
    back = parse_directory(exported, "x.csv")
    assert back.problems.empty, back.problems
    pd.testing.assert_frame_equal(back.table, loaded, check_dtype=False)
    anchor = loaded.set_index("id").loc["anchor"]
    assert {f: anchor[f] for f in changes} == {f: v.strip() for f, v in changes.items()}


@pytest.mark.parametrize("backend", ["sqlite"])  # SQLite only: files of earlier versions
def test_cells_stored_before_separators_were_guarded_are_guarded_when_the_file_opens(ws):
    # A workspace written by an earlier version (schema 2) holds free text guarded at its
    # start only, and URLs as typed; opening it guards both after every separator, once.
    ws.db.execute(
        "UPDATE clinics SET notes = ?, website = ? WHERE clinic_id = 'demo-005'",
        ('\'=1;=HYPERLINK("x")\n-2', "https://example.org/a;=1,+2"),
    )
    ws.db.execute("PRAGMA user_version = 2")
    path = ws.path
    ws.close()
    with SqliteStore.open(path) as reopened:
        exported = reopened.export_csv("Arizona")
        version = reopened.db.execute("PRAGMA user_version").fetchone()[0]
    assert version == 3
    assert_no_cell_starts_a_formula(exported)
    clinic = parse_directory(exported, "x.csv").table.set_index("id").loc["demo-005"]
    assert clinic["notes"] == '=1;=HYPERLINK("x")\n-2'
    assert clinic["website"] == "https://example.org/a;=1,+2"


def test_a_hundred_thousand_clinics_import_export_and_edit(new_store):
    from benchmarks.synthetic import synthetic_table

    table = synthetic_table(100_000)
    with new_store() as ws:
        ws.create_list("Big", "ana")
        assert ws.import_table("Big", table, "ana", "big.csv") == 100_000
        exported = ws.export_csv("Big")
        assert exported.count(b"\r\n") == 100_001  # the header and every clinic
        versions = ws.load("Big")[1]
        last = table["id"].iloc[-1]
        assert len(versions) == 100_000 and versions[last] == 1
        assert ws.save_clinic("Big", last, {"phone": "555-0100"}, 1, "ana") == 2
        assert ws.count_rows("changes") == 100_001
