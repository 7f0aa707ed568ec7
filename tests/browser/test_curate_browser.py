"""An advocate edits a clinic in the Curate table in a real browser, and the edit is saved."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from providers.curation import SqliteStore
from providers.directory import parse_directory
from tests.browser.conftest import open_app
from tests.browser.test_journey import settle
from tests.conftest import csv_of

pytestmark = pytest.mark.browser


def test_edit_a_cell_and_save(streamlit_server, page, dialogs, tmp_path):
    store = tmp_path / "w.sqlite"
    with SqliteStore.open(store) as ws:
        ws.create_list("Arizona", "ana")
        rows = [{"id": "c1", "name": "Old Name Clinic", "city": "Mesa", "region": "AZ"}]
        ws.import_table("Arizona", parse_directory(csv_of(rows), "x.csv").table, "ana", "t")
    open_app(page, streamlit_server({"CLINIC_COMPARE_WORKSPACE": str(store)}), "clinics")
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible()
    box = grid.bounding_box()
    # Row 1, column 2 ("name"): the id column is about 50 px wide, the header row 35 px high.
    page.mouse.dblclick(box["x"] + 100, box["y"] + 35 + 17)  # opens the cell editor
    editor = page.locator("textarea")
    expect(editor.first).to_be_visible()
    editor.first.fill("New Name Clinic")
    page.keyboard.press("Enter")
    settle(page)  # the edit itself reruns the page; save only after that run
    page.get_by_role("button", name="Save changes").click()
    settle(page)
    expect(page.get_by_text("Saved changes to 1 clinic(s).")).to_be_visible()
    with SqliteStore.open(store) as ws:
        assert ws.load("Arizona")[0].table.loc[0, "name"] == "New Name Clinic"
        assert ws.history("Arizona", "c1")["new_value"].iloc[-1] == "New Name Clinic"
    assert dialogs == []


def _edit_name(page, text: str) -> None:
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible()
    box = grid.bounding_box()
    page.mouse.dblclick(box["x"] + 100, box["y"] + 35 + 17)  # row 1, the "name" column
    editor = page.locator("textarea")
    expect(editor.first).to_be_visible()
    editor.first.fill(text)
    page.keyboard.press("Enter")
    settle(page)


@pytest.mark.parametrize("choice", ["Keep theirs", "Keep mine (overwrite theirs)"])
def test_a_refused_save_is_resolved_explicitly_never_by_clicking_again(
    streamlit_server, page, dialogs, tmp_path, choice
):
    store = tmp_path / "w.sqlite"
    with SqliteStore.open(store) as ws:
        ws.create_list("Arizona", "ana")
        rows = [{"id": "c1", "name": "Old Name Clinic", "city": "Mesa", "region": "AZ"}]
        ws.import_table("Arizona", parse_directory(csv_of(rows), "x.csv").table, "ana", "t")
    open_app(page, streamlit_server({"CLINIC_COMPARE_WORKSPACE": str(store)}), "clinics")
    with SqliteStore.open(store) as ws:  # another advocate saves first
        ws.save_clinic("Arizona", "c1", {"name": "Their Name Clinic"}, 1, "ana")
    _edit_name(page, "My Name Clinic")
    page.get_by_role("button", name="Save changes").click()
    settle(page)
    expect(page.get_by_text("Someone else saved these clinics")).to_be_visible()
    expect(page.get_by_role("button", name="Save changes")).to_be_disabled()
    with SqliteStore.open(store) as ws:
        assert ws.load("Arizona")[0].table.loc[0, "name"] == "Their Name Clinic"
    page.get_by_role("button", name=choice).click()
    settle(page)
    expect(page.get_by_role("button", name="Save changes")).to_be_enabled()
    expect(page.get_by_text("Someone else saved these clinics")).to_have_count(0)
    mine = choice.startswith("Keep mine")
    with SqliteStore.open(store) as ws:
        name = ws.load("Arizona")[0].table.loc[0, "name"]
        assert name == ("My Name Clinic" if mine else "Their Name Clinic")
        log = ws.history("Arizona", "c1")
        assert log["source"].str.startswith("overwrite after conflict").any() == mine
    assert dialogs == []
