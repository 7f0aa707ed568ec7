"""Published snapshots: publishing freezes a list, the newest is live, old workspaces migrate."""

import datetime as dt
import sqlite3

import pandas as pd
import pytest

from providers.curation import SqliteStore, WorkspaceError, published_directory
from providers.curation.sqlite import MIGRATIONS
from providers.directory import parse_directory


def phone_in(content: bytes, clinic_id: str) -> str:
    return parse_directory(content, "x.csv").table.set_index("id").loc[clinic_id, "phone"]


def test_nothing_is_live_before_the_first_publish(ws):
    assert ws.live_snapshot("Arizona") is None
    assert ws.live_snapshot_id("Arizona") is None
    frame = ws.snapshots("Arizona")
    assert frame.empty
    assert list(frame.columns) == [
        "id", "published_at", "published_by", "clinics", "digest", "live"
    ]  # fmt: skip
    assert frame["digest"].str.fullmatch("[0-9a-f]{64}").all()


def test_publishing_freezes_the_list_until_it_is_published_again(ws):
    before = phone_in(ws.export_csv("Arizona"), "demo-001")
    first = ws.publish_snapshot("Arizona", "ana")
    assert first.content == ws.export_csv("Arizona")
    assert first.clinics == 60 and first.published_by == "ana" and first.list_name == "Arizona"
    ws.save_clinic("Arizona", "demo-001", {"phone": "(480) 555-0000"}, 1, "ben")
    live = ws.live_snapshot("Arizona")
    assert live == first and ws.live_snapshot_id("Arizona") == first.id
    assert phone_in(live.content, "demo-001") == before  # the edit is not live
    second = ws.publish_snapshot("Arizona", "ben")
    assert second.id > first.id and ws.live_snapshot_id("Arizona") == second.id
    assert phone_in(ws.live_snapshot("Arizona").content, "demo-001") == "(480) 555-0000"


def test_only_the_newest_snapshot_is_live(ws):
    ids = [ws.publish_snapshot("Arizona", who).id for who in ("ana", "ben", "cy")]
    frame = ws.snapshots("Arizona")
    assert frame["id"].tolist() == ids[::-1]  # newest first
    assert frame["live"].tolist() == [True, False, False]
    assert frame["published_by"].tolist() == ["cy", "ben", "ana"]
    assert frame["clinics"].tolist() == [60, 60, 60]


def test_a_snapshot_says_when_it_was_published(ws):
    snapshot = ws.publish_snapshot("Arizona", "ana")
    moment = dt.datetime.fromisoformat(snapshot.published_at)
    assert moment.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - moment) < dt.timedelta(minutes=1)
    assert snapshot.published_on == moment.date().isoformat()
    assert "content" not in repr(snapshot)  # a repr never dumps the whole list


def test_each_list_has_its_own_snapshots(ws):
    ws.create_list("Empty", "ana")
    ws.publish_snapshot("Arizona", "ana")
    empty = ws.publish_snapshot("Empty", "ana")
    assert empty.clinics == 0 and ws.live_snapshot_id("Empty") == empty.id
    assert len(ws.snapshots("Arizona")) == 1 and ws.live_snapshot("Arizona").clinics == 60


def test_unknown_lists(ws):
    assert ws.live_snapshot("Nowhere") is None and ws.live_snapshot_id("Nowhere") is None
    with pytest.raises(WorkspaceError, match="no list called 'Nowhere'"):
        ws.publish_snapshot("Nowhere", "ana")
    with pytest.raises(WorkspaceError, match="no list called 'Nowhere'"):
        ws.snapshots("Nowhere")
    assert ws.count_rows("snapshots") == 0


def test_the_published_directory_is_the_list_as_published(ws):
    snapshot = ws.publish_snapshot("Arizona", "ana")
    published = ws.load("Arizona")[0].table
    ws.save_clinic("Arizona", "demo-002", {"name": "Renamed"}, 1, "ana")
    result, live = published_directory(ws, "Arizona")
    assert live == snapshot
    assert result.problems.empty
    pd.testing.assert_frame_equal(result.table, published, check_dtype=False)
    assert "Renamed" not in set(result.table["name"])


@pytest.mark.parametrize("name", ["Arizona", "Nowhere"])
def test_an_unpublished_or_unknown_list_is_a_clear_error(ws, name):
    with pytest.raises(WorkspaceError, match=rf"'{name}' has not been published yet: an advocate"):
        published_directory(ws, name)


@pytest.mark.parametrize("backend", ["sqlite"])  # SQLite only: files of earlier versions
def test_a_workspace_made_before_snapshots_and_reports_gains_their_tables(ws, tmp_path):
    path = ws.path
    ws.save_clinic("Arizona", "demo-001", {"phone": "kept"}, 1, "ana")
    ws.close()
    old = sqlite3.connect(path)
    old.executescript("DROP TABLE snapshots; DROP TABLE reports; PRAGMA user_version = 1;")
    old.close()
    with SqliteStore.open(path) as again:
        assert again.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert again.load("Arizona")[0].table.set_index("id").loc["demo-001", "phone"] == "kept"
        assert again.publish_snapshot("Arizona", "ana").clinics == 60
        now = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)
        report = again.add_report("Arizona", "demo-001", "phone", "wrong", None, now)
        assert again.reports("Arizona")["id"].tolist() == [report]
