"""What only PostgreSQL adds: several connections at once (as several app replicas have),
servers that are down or go away, and the address's password kept out of every message.

The store semantics themselves run on both backends in the rest of tests/curation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psycopg
import pytest

from providers.curation import (
    Conflict,
    WorkspaceError,
    open_workspace,
    published_directory,
)
from providers.curation.postgres import MIGRATIONS, PostgresStore
from providers.directory import parse_directory, read_directory
from providers.settings import DatabaseUrl
from tests.conftest import csv_of

DEADLINE_S = 30


@pytest.fixture
def url(postgres_url):
    with open_workspace(postgres_url) as ws:
        ws.create_list("Arizona", "ana")
        ws.import_table("Arizona", read_directory("demo").table, "ana", "demo")
    return postgres_url


def wait_until(check: Callable[[], bool], what: str) -> None:
    """Poll a real condition (a server's own view) until it holds, within a deadline."""
    end = time.monotonic() + DEADLINE_S
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.02)


def waiting_on_a_lock(url: str, pid: int) -> Callable[[], bool]:
    def check() -> bool:
        with psycopg.connect(url, autocommit=True) as admin:
            row = admin.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)
            ).fetchone()
        return row is not None and row[0] == "Lock"

    return check


class Background(threading.Thread):
    """A call on another thread (another app session), its result or exception kept."""

    def __init__(self, call: Callable[[], object]):
        super().__init__(daemon=True)
        self.call, self.result, self.error = call, None, None

    def run(self) -> None:
        try:
            self.result = self.call()
        except BaseException as exc:  # handed to the test
            self.error = exc


def test_a_new_database_gets_every_table_and_the_same_schema_version(postgres_url):
    with open_workspace(postgres_url) as ws:
        assert isinstance(ws, PostgresStore) and ws.lists() == []
        assert ws.schema_version() == len(MIGRATIONS) == 3
    with open_workspace(postgres_url) as again:  # reopening migrates nothing and loses nothing
        assert again.lists() == []


def test_a_database_of_a_newer_version_is_refused(postgres_url):
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE workspace_schema (version INTEGER)")
        conn.execute("INSERT INTO workspace_schema VALUES (99)")
    with pytest.raises(WorkspaceError, match=r"newer version .*schema 99.*upgrade"):
        open_workspace(postgres_url)


def test_two_editors_saving_one_clinic_at_once_never_lose_an_edit(url):
    """The second save waits for the first (the row is locked in its transaction), then
    finds a newer version: a Conflict naming both values, and the first edit kept."""
    with open_workspace(url) as first, open_workspace(url) as second:
        assert isinstance(first, PostgresStore) and isinstance(second, PostgresStore)
        with first.write():
            assert first.save_clinic("Arizona", "demo-001", {"phone": "480-555-0101"}, 1, "ana")
            theirs = {"phone": "480-555-0202"}
            racing = Background(lambda: second.save_clinic("Arizona", "demo-001", theirs, 1, "ben"))
            racing.start()
            wait_until(waiting_on_a_lock(url, second.conn.info.backend_pid),
                       "the second save waits for the first")  # fmt: skip
        racing.join(DEADLINE_S)
        assert isinstance(racing.error, Conflict), racing.error
        assert "480-555-0101" in str(racing.error) and "480-555-0202" in str(racing.error)
        table = first.load("Arizona")[0].table.set_index("id")
        assert table.loc["demo-001", "phone"] == "480-555-0101"
        assert first.load("Arizona")[1]["demo-001"] == 2
        assert first.history("Arizona", "demo-001")["who"].tolist() == ["ana", "ana"]


def test_twenty_editors_saving_different_clinics_at_once_all_succeed(url):
    ids = [f"demo-{n:03d}" for n in range(1, 21)]

    def edit(clinic_id: str) -> int:
        with open_workspace(url) as ws:
            return ws.save_clinic("Arizona", clinic_id, {"phone": f"555-{clinic_id[-3:]}"}, 1, "x")

    editors = [Background(lambda c=c: edit(c)) for c in ids]
    for editor in editors:
        editor.start()
    for editor in editors:
        editor.join(DEADLINE_S)
    assert [e.error for e in editors] == [None] * 20
    assert [e.result for e in editors] == [2] * 20
    with open_workspace(url) as ws:
        table = ws.load("Arizona")[0].table.set_index("id")
        assert [table.loc[c, "phone"] for c in ids] == [f"555-{c[-3:]}" for c in ids]


def test_patients_read_the_published_list_while_a_long_import_runs(url):
    """MVCC: the import's open transaction blocks no reader, and shows them nothing yet."""
    more = parse_directory(csv_of({"id": f"new-{n}", "name": f"New {n}"} for n in range(500)),
                           "more.csv").table  # fmt: skip
    with open_workspace(url) as advocate, open_workspace(url) as patient:
        assert isinstance(patient, PostgresStore)
        published = advocate.publish_snapshot("Arizona", "ana")
        patient.conn.execute("SET statement_timeout = '3s'")  # blocked would fail, not hang
        with advocate.write():  # the import, not yet committed
            advocate.import_table("Arizona", more, "ana", "more.csv")
            advocate.publish_snapshot("Arizona", "ana")
            started = time.monotonic()
            result, live = published_directory(patient, "Arizona")
            assert live == published and len(result.table) == 60
            assert len(patient.cells("Arizona")[0]) == 60
            assert time.monotonic() - started < 3
        assert len(patient.cells("Arizona")[0]) == 560
        assert patient.live_snapshot("Arizona").clinics == 560


def test_a_connection_lost_mid_transaction_rolls_back_and_says_so(url):
    """The server ends the editor's connection while its save waits inside its transaction
    (its clinic row already updated): a plain message, and nothing of the save is kept."""
    with open_workspace(url) as ws, psycopg.connect(url, autocommit=True) as other:
        assert isinstance(ws, PostgresStore)
        pid = ws.conn.info.backend_pid
        with other.transaction():
            other.execute("LOCK TABLE changes IN SHARE ROW EXCLUSIVE MODE")  # the log waits
            saving = Background(
                lambda: ws.save_clinic("Arizona", "demo-001", {"phone": "lost"}, 1, "ana")
            )
            saving.start()
            wait_until(waiting_on_a_lock(url, pid), "the save waits inside its transaction")
            other.execute("SELECT pg_terminate_backend(%s)", (pid,))
        saving.join(DEADLINE_S)
        assert isinstance(saving.error, WorkspaceError), saving.error
        message = str(saving.error)
        assert "connection to the workspace database" in message and "was lost" in message
        assert "nothing of it was saved" in message and "Traceback" not in message
        with pytest.raises(WorkspaceError, match="was lost"):  # this store's connection is gone
            ws.lists()
    with open_workspace(url) as fresh:  # the pool hands out a working connection again
        assert fresh.load("Arizona")[1]["demo-001"] == 1
        assert fresh.history("Arizona", "demo-001")["field"].tolist() == ["*created*"]


def test_a_server_that_is_down_is_a_message_without_the_password(tmp_path):
    address = f"postgresql://ana:s3cret-pw@/clinics?host={tmp_path}&port=5999"
    with pytest.raises(WorkspaceError) as info:
        open_workspace(address)
    message = str(info.value)
    assert "cannot be reached" in message and "is PostgreSQL running" in message
    assert "s3cret-pw" not in message and "ana:***@" in message
    with pytest.raises(WorkspaceError) as again:
        open_workspace(DatabaseUrl(address.replace("5999", "5998")))
    assert "s3cret-pw" not in str(again.value)


def test_a_missing_database_is_named(postgres_server):
    with pytest.raises(WorkspaceError, match=r"does not exist .*create it first"):
        open_workspace(postgres_server.url("no_such_workspace"))


def test_copying_a_workspace_keeps_everything_and_refuses_a_used_target(url, tmp_path):
    from providers.curation import copy_workspace

    with open_workspace(url) as ws:
        ws.save_clinic("Arizona", "demo-002", {"phone": "x"}, 1, "ana")
        ws.publish_snapshot("Arizona", "ana")
        ws.create_list("Empty", "ben")
    file = tmp_path / "w.sqlite"
    with open_workspace(url) as source, open_workspace(file) as target:
        with pytest.raises(WorkspaceError, match="both the source and the target"):
            copy_workspace(source, source)
        counts = copy_workspace(source, target)
        assert counts == {"lists": 2, "clinics": 60, "changes": 61, "snapshots": 1, "reports": 0}
        assert target.export_csv("Arizona") == source.export_csv("Arizona")
        with pytest.raises(WorkspaceError, match="already holds lists"):
            copy_workspace(source, target)
