"""The main patient journey in a real browser: place, filter, shortlist, compare, download."""

from __future__ import annotations

import contextlib
import csv
import io

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import open_app, wait_for_app

pytestmark = pytest.mark.browser


def choose(page: Page, label: str, text: str | None = None, index: int = 0) -> None:
    """Pick an option in a Streamlit select/multiselect by its label (typed text or position)."""
    wait_for_app(page)  # never click into a page that is still redrawing
    box = page.get_by_test_id("stMultiSelect").filter(has_text=label)
    if box.count() == 0:
        box = page.get_by_test_id("stSelectbox").filter(has_text=label)
    box.locator("input").first.click()
    if text is not None:
        page.keyboard.type(text)
    else:
        page.keyboard.press("ArrowDown")  # opens the list without filtering it
    # Newer Streamlit lists a "Select all" entry first; it is never what a patient means here.
    options = page.get_by_role("listbox").get_by_role("option").filter(has_not_text="Select all")
    expect(options.first).to_be_visible()
    if text is not None:  # the list has caught up with every typed key (no click mid-filter)
        expect(options.filter(has_not_text=text)).to_have_count(0)
    option = options.filter(has_text=text).first if text else options.nth(index)
    picked = option.inner_text()
    option.click()
    page.keyboard.press("Escape")
    settle(page)
    expect(box.first).to_contain_text(picked)  # the choice reached the app, not a stale widget


def expected_caption(place_text: str, routes: tuple[str, ...]) -> str:
    """The Find page's count caption for the demo, computed with the core's own functions."""
    from providers.directory import read_directory
    from providers.geo import KM_PER_MILE, default_gazetteer, locate_clinics, nearby, resolve_place
    from scoring import Filters, rank_clinics
    from ui.share import Choices

    gazetteer = default_gazetteer()
    table, _ = locate_clinics(read_directory("demo").table, gazetteer)
    place = resolve_place(place_text, gazetteer).place
    assert place is not None
    shown = Filters(routes).apply(rank_clinics(table))
    near = nearby(shown, place, Choices().radius_mi * KM_PER_MILE)
    return f"{len(near)} clinics from the demo list of made-up clinics"


def settle(page: Page) -> None:
    """Wait for the rerun a widget change starts (it may not have begun yet), then its end."""
    with contextlib.suppress(PlaywrightTimeout):  # the rerun may be over before we look
        page.locator("[data-testid='stApp'][data-test-script-state='running']").wait_for(
            state="attached", timeout=1500
        )
    wait_for_app(page)


def go(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    wait_for_app(page)


def test_main_journey(streamlit_server, page, dialogs, screenshot_dir):
    open_app(page, streamlit_server())

    place = page.get_by_label("Where are you? ZIP code, city (e.g. Toronto, ON) or coordinates")
    place.fill("85251")
    place.press("Enter")
    settle(page)
    expect(page.get_by_text("Distances from Scottsdale, AZ 85251")).to_be_visible()

    expect(page.get_by_text(expected_caption("85251", ()))).to_be_visible()
    page.get_by_text("Filters and must-haves").click()
    choose(page, "Treatment route", "IV")
    expect(page.get_by_text(expected_caption("85251", ("IV",)))).to_be_visible()

    choose(page, "Your shortlist", index=0)
    choose(page, "Your shortlist", index=0)  # the first option left is the next best clinic
    if screenshot_dir is not None:
        page.screenshot(path=screenshot_dir / "find.png", full_page=True)

    go(page, "Compare")
    expect(page.get_by_text("Rows where the clinics' answers differ")).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    if screenshot_dir is not None:
        page.screenshot(path=screenshot_dir / "compare.png", full_page=True)

    go(page, "Clinic detail")
    expect(page.get_by_text("Questions to ask this clinic")).to_be_visible()
    if screenshot_dir is not None:
        page.screenshot(path=screenshot_dir / "detail.png", full_page=True)

    go(page, "Shortlist")
    page.get_by_label("My notes").first.fill("Ask about the first series")
    page.get_by_label("My notes").first.press("Control+Enter")
    settle(page)
    if screenshot_dir is not None:
        page.screenshot(path=screenshot_dir / "shortlist.png", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    path = download_info.value.path()
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))
    assert len(rows) == 2
    assert all("IV" in r["routes"] for r in rows), [(r["name"], r["routes"]) for r in rows]
    assert rows[0]["my_notes"] == "Ask about the first series"
    assert all(float(r["distance_mi"]) >= 0 for r in rows if r["distance_mi"])
    assert all(r["rubric_version"] and r["questions"] is not None for r in rows)

    go(page, "Method")
    expect(page.get_by_text("not medical advice", exact=False).first).to_be_visible()
    assert dialogs == []
