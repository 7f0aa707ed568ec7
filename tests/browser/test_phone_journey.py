"""The whole patient journey at phone width (390x844, touch): find, filter, shortlist, a
clinic's page, compare, the shortlist page and its downloads. Pages are chosen from the
sidebar menu as on a phone, and each page must fit the screen and show its own content."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import open_app, wait_for_app
from tests.browser.test_journey import settle

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# A phone's own browser says it is one; Streamlit closes its menu after a page is chosen only
# for such a browser (a narrow desktop window keeps it open, as it does for any wide screen).
PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Mobile Safari/537.36"
)
PLACE = "Where are you? ZIP code, city (e.g. Toronto, ON) or coordinates"


def fits(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page is {overflow}px wider than the phone"


def pick(page: Page, label: str, text: str | None = None) -> str:
    """Tap a select box open and tap an option (by its text, else the first): a phone's
    browser gets no typing filter, so the option is tapped, as a patient would."""
    wait_for_app(page)
    box = page.get_by_test_id("stMultiSelect").filter(has_text=label)
    box.locator("input").first.tap()
    options = page.get_by_role("listbox").get_by_role("option").filter(has_not_text="Select all")
    expect(options.first).to_be_visible()
    option = options.filter(has_text=text).first if text else options.first
    picked = option.inner_text()
    option.tap()
    page.keyboard.press("Escape")
    settle(page)
    expect(box.first).to_contain_text(picked)
    return picked


def go(page: Page, title: str, heading: str) -> None:
    """Open the menu, choose a page: the menu closes and the page's own heading shows."""
    page.get_by_test_id("stExpandSidebarButton").click()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav).to_be_in_viewport()
    nav.get_by_role("link", name=title).click()
    wait_for_app(page)
    expect(page.locator("h1", has_text=heading)).to_be_in_viewport()
    expect(page.get_by_test_id("stSidebar")).not_to_be_in_viewport()
    fits(page)


def test_the_whole_journey_on_a_phone(streamlit_server, browser: Browser, screenshot_dir):
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        user_agent=PHONE_AGENT,
        accept_downloads=True,
    )
    page = context.new_page()
    try:
        open_app(page, streamlit_server())
        box = page.get_by_label(PLACE)
        box.fill("85251")
        box.press("Enter")
        expect(page.get_by_text("Distances from Scottsdale, AZ 85251")).to_be_visible()
        wait_for_app(page)
        page.get_by_text("Filters and must-haves").click()
        pick(page, "Treatment route", "IV")
        names = [pick(page, "Your shortlist"), pick(page, "Your shortlist")]
        fits(page)

        go(page, "Clinic detail", "Clinic detail")
        expect(page.get_by_text("Questions to ask this clinic")).to_be_visible()
        expect(page.locator("h2", has_text=names[0])).to_be_visible()  # the shortlist first
        phone = page.locator("a[href^='tel:']").first
        expect(phone).to_be_visible()
        assert phone.get_attribute("href")[4:].lstrip("+").isdigit()
        site = page.get_by_test_id("stLinkButton").first.locator("a")
        assert site.get_attribute("target") == "_blank"
        if screenshot_dir is not None:
            page.screenshot(path=screenshot_dir / "phone-clinic.png")

        go(page, "Compare", "Compare")
        expect(page.get_by_text("Rows where the clinics' answers differ")).to_be_visible()
        if screenshot_dir is not None:
            page.screenshot(path=screenshot_dir / "phone-compare.png")

        go(page, "Shortlist", "Your shortlist")
        for name in names:
            expect(page.locator("h3", has_text=name)).to_be_visible()
        first_note = page.locator("textarea").first
        first_note.fill("Ask about the first series")
        first_note.press("Control+Enter")
        settle(page)
        if screenshot_dir is not None:
            page.screenshot(path=screenshot_dir / "phone-shortlist.png")
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download CSV").click()
        rows = list(csv.DictReader(io.StringIO(download_info.value.path().read_text("utf-8-sig"))))
        assert len(rows) == 2 and rows[0]["my_notes"] == "Ask about the first series"
        assert all("IV" in r["routes"] for r in rows)
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download printable page").click()
        printable = download_info.value.path().read_text("utf-8")
        assert "Ask about the first series" in printable
        fits(page)
    finally:
        context.close()
