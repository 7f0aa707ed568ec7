"""`clinic-compare workspace copy SRC DST`: SQLite to PostgreSQL and back, counted, all or
nothing, with plain messages (and no password) when something is wrong."""

from __future__ import annotations

import pytest

from cli import main
from providers.curation import open_workspace
from providers.directory import read_directory


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def source(tmp_path):
    """A SQLite workspace with a list, an edit, a publication and a closed report."""
    import datetime as dt

    path = tmp_path / "source.sqlite"
    with open_workspace(path) as ws:
        ws.create_list("Arizona", "ana")
        ws.import_table("Arizona", read_directory("demo").table, "ana", "demo")
        ws.save_clinic("Arizona", "demo-001", {"phone": "480-555-0100"}, 1, "ben")
        ws.publish_snapshot("Arizona", "ana")
        report = ws.add_report("Arizona", "demo-001", "phone", "wrong", None,
                               dt.datetime(2026, 11, 21, tzinfo=dt.UTC))  # fmt: skip
        change = int(ws.history("Arizona", "demo-001")["id"].iloc[-1])
        ws.close_report("Arizona", report, "resolved", "ben", "fixed", change)
    return path


def everything(location) -> tuple:
    with open_workspace(location) as ws:
        return (
            ws.lists(),
            ws.export_csv("Arizona"),
            ws.list_changes("Arizona").to_dict("list"),
            ws.snapshots("Arizona").to_dict("list"),
            ws.reports("Arizona", None).to_dict("list"),
            ws.live_snapshot("Arizona").content,
        )


def test_a_workspace_goes_to_postgresql_and_back_unchanged(source, postgres_url, tmp_path,
                                                           capsys):  # fmt: skip
    code, out, err = run(capsys, "workspace", "copy", source, postgres_url)
    assert (code, err) == (0, ""), err
    assert "1 lists, 60 clinics, 61 changes, 1 snapshots, 1 reports" in out
    assert "counted on both sides" in out
    assert everything(postgres_url) == everything(source)
    back = tmp_path / "back" / "w.sqlite"
    back.parent.mkdir()
    code, out, err = run(capsys, "workspace", "copy", postgres_url, back)
    assert (code, err) == (0, ""), err
    assert everything(back) == everything(source)
    with open_workspace(postgres_url) as ws:  # new rows number after the copied ones
        change = int(ws.history("Arizona", "demo-001")["id"].iloc[-1])
        assert ws.restore("Arizona", change, "ana") == 3
        assert int(ws.history("Arizona", "demo-001")["id"].iloc[-1]) == 62


def test_a_copy_into_a_used_workspace_is_refused_and_changes_nothing(source, tmp_path, capsys):
    target = tmp_path / "target.sqlite"
    assert run(capsys, "workspace", "copy", source, target)[0] == 0
    before = everything(target)
    code, _, err = run(capsys, "workspace", "copy", source, target)
    assert code == 1 and "already holds lists" in err and "Traceback" not in err
    assert everything(target) == before


def test_a_failed_copy_leaves_nothing_behind(source, postgres_url, tmp_path, capsys):
    with open_workspace(source) as ws:  # a cell PostgreSQL cannot hold (SQLite can)
        ws.run("UPDATE clinics SET notes = 'a' || char(0) || 'b' WHERE clinic_id = 'demo-060'")
    code, _, err = run(capsys, "workspace", "copy", source, postgres_url)
    assert code == 1 and "nothing was copied" in err and "Traceback" not in err
    with open_workspace(postgres_url) as ws:
        assert ws.lists() == [] and ws.count_rows("clinics") == ws.count_rows("changes") == 0


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["nowhere.sqlite", "x.sqlite"], "SRC: there is no workspace file at nowhere.sqlite"),
        (["{source}", "{source}"], "both the source and the target"),
        (["{source}", "mysql://ana:pw@db/x"], "DST must be a file path or a postgresql://"),
        (["{source}", "postgresql://ana:s3cret@/x?host=/nonexistent&port=5999"],
         "cannot be reached"),
        (["{source}", "{tmp}"], "is a folder"),
    ],
)  # fmt: skip
def test_bad_arguments_are_clear_messages(source, tmp_path, capsys, arguments, message):
    argv = [a.format(source=source, tmp=tmp_path) for a in arguments]
    code, _, err = run(capsys, "workspace", "copy", *argv)
    assert code in (1, 2) and message in err, err
    assert "Traceback" not in err and "s3cret" not in err
    assert not (tmp_path / "x.sqlite").exists()
