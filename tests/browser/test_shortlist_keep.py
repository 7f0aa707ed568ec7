"""Keeping a shortlist in a real browser: save it as a file, open it in a fresh session, and the
clinics and notes are back; the phone is a tel: link and the website opens in a new tab."""

from __future__ import annotations

import contextlib
import io
import json

import openpyxl
import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import open_app, wait_for_app

pytestmark = pytest.mark.browser

NOTE = "Ask about boosters <b>and</b> the first series"


def settle(page: Page) -> None:
    """Wait for the rerun a widget change starts (it may not have begun yet), then its end."""
    with contextlib.suppress(PlaywrightTimeout):  # the rerun may be over before we look
        page.locator("[data-testid='stApp'][data-test-script-state='running']").wait_for(
            state="attached", timeout=1500
        )
    wait_for_app(page)


def test_save_the_shortlist_then_open_it_in_a_fresh_session(
    streamlit_server, page: Page, browser: Browser, dialogs, tmp_path
):
    base = streamlit_server()
    open_app(page, base, "shortlist?list=demo-027,demo-005")
    notes = page.get_by_label("My notes on Columbine Ridge Infusions (demo)", exact=True)
    notes.fill(NOTE)
    notes.press("Control+Enter")
    settle(page)

    phone = page.get_by_role("link", name="(303) 555-0126")
    expect(phone).to_have_attribute("href", "tel:3035550126")
    website = page.get_by_role("link", name="Clinic website").first
    expect(website).to_have_attribute("target", "_blank")
    expect(website).to_have_attribute("rel", "noopener noreferrer")
    expect(website).to_have_attribute("href", "https://columbine-ridge-infusions.example.org/")

    with page.expect_download() as spreadsheet:
        page.get_by_role("button", name="Download spreadsheet (.xlsx)").click()
    sheet = openpyxl.load_workbook(io.BytesIO(spreadsheet.value.path().read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert [r[header.index("id")] for r in rows[1:]] == ["demo-027", "demo-005"]
    assert rows[1][header.index("my_notes")] == NOTE
    assert sheet.freeze_panes == "A2"

    with page.expect_download() as saved:
        page.get_by_role("button", name="Save my shortlist").click()
    assert saved.value.suggested_filename.startswith("ketamine-clinic-shortlist-")
    path = tmp_path / saved.value.suggested_filename
    saved.value.save_as(path)
    kept = json.loads(path.read_text("utf-8"))
    assert [c["id"] for c in kept["clinics"]] == ["demo-027", "demo-005"]
    assert kept["clinics"][0]["note"] == NOTE

    # A fresh session (another browser context: nothing shared) with an empty shortlist.
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        fresh = context.new_page()
        open_app(fresh, base, "shortlist")
        expect(fresh.get_by_text("Your shortlist is empty")).to_be_visible()
        opener = fresh.get_by_test_id("stFileUploader").filter(has_text="Open a saved shortlist")
        opener.locator("input[type='file']").set_input_files(path)
        expect(fresh.get_by_text("Opened your shortlist saved on")).to_be_visible()
        wait_for_app(fresh)
        expect(
            fresh.get_by_label("My notes on Columbine Ridge Infusions (demo)", exact=True)
        ).to_have_value(NOTE)
        expect(fresh.get_by_label("My notes on Sunbeam Valley Infusion Suites")).to_have_value("")
        expect(fresh.get_by_role("heading", name="Columbine Ridge Infusions")).to_be_visible()
        expect(fresh).to_have_url(
            f"{base}/shortlist?list=demo-027%2Cdemo-005"
        )  # the share link follows the restored shortlist
    finally:
        context.close()
    assert dialogs == []
