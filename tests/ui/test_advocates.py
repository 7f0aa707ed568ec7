"""The advocates' pages through AppTest, with real local servers for URLs and the registry."""

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from providers.curation import SqliteStore, edits_between
from tests.conftest import csv_of
from tests.sources.test_registry import ANESTHESIOLOGIST, ORGANISATION, answer

APP = str(Path(__file__).resolve().parents[2] / "app.py")
DEMO = (
    Path(__file__).resolve().parents[2] / "providers" / "directory" / "data" / "demo_clinics.csv"
).read_bytes()


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in (
        "CLINIC_COMPARE_DIRECTORY",
        "CLINIC_COMPARE_ALLOW_PRIVATE_URLS",
        "CLINIC_COMPARE_NPI_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLINIC_COMPARE_WORKSPACE", str(tmp_path / "ws" / "w.sqlite"))
    return tmp_path / "ws" / "w.sqlite"


def go(at: AppTest, page: str) -> AppTest:
    """Open one of the advocates' pages (lists, clinics, checks, history, publish)."""
    return ok(at.switch_page(f"ui/advocates/{page}.py").run())


def shown(markdown: str) -> str:
    """What a person reads of an escaped Markdown label."""
    return re.sub(r"\\(.)", r"\1", markdown)


def url_box(at: AppTest):
    return next(w for w in at.text_input if w.key.startswith("w.curate.url."))


def said(at: AppTest, text: str) -> bool:
    return any(text in s.value for s in at.success)


def curate(with_list: bool = True) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    go(at, "lists")
    if with_list:
        at.text_input(key="w.curate.new").set_value("Arizona").run()
        at.button(key="w.curate.create").click().run()
        assert at.selectbox(key="w.curate.list").value == "Arizona"
    return at


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_create_a_list_import_a_file_and_see_it_in_the_editor(env):
    at = curate()
    at.file_uploader[0].set_value(("demo.csv", DEMO, "text/csv")).run()
    ok(at.button(key="w.curate.import").click().run())
    assert "Imported 60 clinic(s)" in at.success[0].value
    editor = go(at, "clinics").data_editor[0].value
    assert len(editor) == 60 and set(editor["monitoring.vital_signs"]) <= {"yes", "no", "unknown"}


def test_reimporting_the_same_clinics_offers_merges_and_keeps_newer_evidence(env):
    at = curate()
    at.file_uploader[0].set_value(("demo.csv", DEMO, "text/csv")).run()
    at.button(key="w.curate.import").click().run()
    newer = csv_of(
        [
            {
                "id": "new-1",
                "name": "Saguaro Infusion Care (demo)",
                "postal_code": "85251",
                "monitoring.vital_signs": "yes",
                "monitoring.verified_on": "2026-11-20",
                "monitoring.source": "https://example.org/new",
            }
        ]
    )
    at.file_uploader[0].set_value(("newer.csv", newer, "text/csv")).run()
    merge = [c for c in at.checkbox if c.key.startswith("w.curate.merge.")]
    assert merge and "into demo-001" in shown(merge[0].label) and merge[0].value is True
    ok(at.button(key="w.curate.import").click().run())
    with SqliteStore.open(env) as ws:
        table = ws.load("Arizona")[0].table.set_index("id")
        assert "new-1" not in table.index
        assert str(table.loc["demo-001", "monitoring.verified_on"].date()) == "2026-11-20"
        assert set(ws.history("Arizona", "demo-001")["source"]) >= {"merge: newer.csv"}


def test_mark_stale_then_history_and_restore(env):
    at = curate()
    at.file_uploader[0].set_value(("demo.csv", DEMO, "text/csv")).run()
    at.button(key="w.curate.import").click().run()
    go(at, "clinics")
    at.selectbox(key="w.curate.stale_clinic").set_value("demo-027")
    at.selectbox(key="w.curate.stale_crit").set_value("pricing")
    ok(at.button(key="w.curate.stale").click().run())
    assert "Saved changes to 1 clinic(s)" in at.success[0].value
    with SqliteStore.open(env) as ws:
        assert pd.isna(
            ws.load("Arizona")[0].table.set_index("id").loc["demo-027", "pricing.verified_on"]
        )
    go(at, "history")
    at.selectbox(key="w.curate.history_clinic").set_value("demo-027").run()
    assert "pricing.verified_on" in at.dataframe[-1].value["field"].tolist()
    ok(at.button(key="w.curate.restore").click().run())
    assert "undone" in at.success[0].value
    with SqliteStore.open(env) as ws:
        assert not pd.isna(
            ws.load("Arizona")[0].table.set_index("id").loc["demo-027", "pricing.verified_on"]
        )


def test_url_import_is_refused_for_local_addresses_unless_allowed(env, httpserver, monkeypatch):
    httpserver.expect_request("/list.csv").respond_with_data(DEMO, content_type="text/csv")
    at = curate()
    url_box(at).set_value(httpserver.url_for("/list.csv")).run()
    ok(at.button(key="w.curate.fetch").click().run())
    assert "not a public internet address" in at.error[0].value
    monkeypatch.setenv("CLINIC_COMPARE_ALLOW_PRIVATE_URLS", "1")
    ok(at.button(key="w.curate.fetch").click().run())
    ok(at.button(key="w.curate.import").click().run())
    assert "Imported 60 clinic(s)" in at.success[0].value


def test_registry_search_adds_organisations_and_npi_checks_record_evidence(
    env, httpserver, monkeypatch
):
    httpserver.expect_request(
        "/api/", query_string={"version": "2.1", "number": "1234567893"}
    ).respond_with_json(answer(ANESTHESIOLOGIST))
    httpserver.expect_request("/api/").respond_with_json(answer(ORGANISATION))
    monkeypatch.setenv("CLINIC_COMPARE_NPI_URL", httpserver.url_for("/api/"))
    at = curate()
    at.text_input(key="w.curate.npi_name").set_value("ketamine*")
    at.text_input(key="w.curate.npi_state").set_value("az")
    ok(at.button(key="w.curate.npi_search").click().run())
    at.multiselect(key="w.curate.npi_pick").set_value(["1245319599"]).run()
    ok(at.button(key="w.curate.npi_add").click().run())
    assert "Added 1 clinic(s)" in at.success[0].value
    with SqliteStore.open(env) as ws:
        ws.import_table(
            "Arizona",
            __import__("providers.directory")
            .directory.parse_directory(
                csv_of(
                    [{"id": "doc", "name": "Dr A", "npi": "1234567893", "postal_code": "85251"}]
                ),
                "x.csv",
            )
            .table,
            "ana",
            "t",
        )
    go(at, "clinics").button(key="w.curate.reload").click().run()
    ok(go(at, "checks").button(key="w.curate.verify").click().run())
    with SqliteStore.open(env) as ws:
        table = ws.load("Arizona")[0].table.set_index("id")
        assert str(table.loc["doc", "expertise.npi_verified"]) == "yes"
        assert str(table.loc["npi-1245319599", "expertise.npi_verified"]) == "no"
        assert table.loc["doc", "expertise.source"].startswith(httpserver.url_for("/api/"))


def test_publish_offers_csv_and_json(env):
    at = curate()
    at.file_uploader[0].set_value(("demo.csv", DEMO, "text/csv")).run()
    at.button(key="w.curate.import").click().run()
    labels = [b.label for b in go(at, "publish").get("download_button")]
    assert labels == ["Download CSV", "Download JSON", "Download HSDS package"]


def test_an_hsds_package_imports_with_what_was_set_aside_shown(env):
    from providers.directory import read_directory
    from providers.hsds import export_hsds, zip_bytes

    demo = read_directory("demo").table
    package = zip_bytes(export_hsds(demo.head(5), list_name="Elsewhere"))
    at = curate()
    at.radio(key="w.curate.kind").set_value("an HSDS 3.0 package").run()
    at.file_uploader[0].set_value(("elsewhere.zip", package, "application/zip")).run()
    ok(at.button(key="w.curate.import").click().run())
    assert "Imported 5 clinic(s)" in at.success[0].value
    editor = go(at, "clinics").data_editor[0].value
    assert sorted(editor["id"]) == sorted(demo["id"].head(5))


def test_a_broken_hsds_package_is_a_message_not_a_traceback(env):
    at = curate()
    at.radio(key="w.curate.kind").set_value("an HSDS 3.0 package").run()
    at.file_uploader[0].set_value(("x.zip", b"PK\x03\x04 not really", "application/zip")).run()
    ok(at)
    assert "cannot be used" in at.error[0].value


def test_a_damaged_workspace_is_a_message(env):
    env.parent.mkdir(parents=True)
    env.write_bytes(b"not a database at all" * 50)
    at = curate(with_list=False)
    assert "not a usable workspace" in at.error[0].value


def test_edits_between_reports_changed_cells_only():
    before = pd.DataFrame(
        {"id": ["a", "b"], "phone": ["1", ""], "price_per_session": [450.0, None]}
    )
    after = pd.DataFrame(
        {"id": ["a", "b"], "phone": ["1", "2"], "price_per_session": [450.0, 300.0]}
    )
    assert edits_between(before, after) == {"b": {"phone": "2", "price_per_session": "300"}}
    assert edits_between(before, before.copy()) == {}


def test_fill_in_coordinates_offline_and_log_them(env):
    at = curate()
    at.file_uploader[0].set_value(("demo.csv", DEMO, "text/csv")).run()
    at.button(key="w.curate.import").click().run()
    ok(go(at, "checks").button(key="w.curate.locate").click().run())
    assert said(at, "Saved coordinates for 6 clinic(s)")
    with SqliteStore.open(env) as ws:
        table = ws.load("Arizona")[0].table
        assert (table["location_precision"] != "none").all()
        moved = table[table["location_precision"].isin(["postal_code", "city"])]["id"].tolist()
        assert len(moved) == 6
        assert set(ws.history("Arizona", moved[0])["source"]) >= {"geocode"}


def test_a_finished_import_clears_itself_and_the_same_file_again_is_nothing_to_do(env):
    at = curate()
    at.file_uploader[0].set_value(("demo.csv", DEMO, "text/csv")).run()
    ok(at.button(key="w.curate.import").click().run())
    assert at.file_uploader[0].value is None
    assert not [b for b in at.button if b.key == "w.curate.import"]
    at.file_uploader[0].set_value(("demo.csv", DEMO, "text/csv")).run()
    assert not [c for c in at.checkbox if c.key.startswith("w.curate.merge.")]
    assert any("already in the list" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "w.curate.import"]
