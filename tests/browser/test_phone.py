"""At phone width the start page is usable: readable, nothing wider than the screen, the first
results readable without scrolling sideways, and one tap opens a clinic."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import open_app, wait_for_app

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PLACE = "Where are you? ZIP code, city (e.g. Toronto, ON) or coordinates"
COMPACT_HEADERS = ["Clinic", "Score", "km", "Price", "Evidence"]
ESTIMATE_WIDTH = 150  # the sixth column, the first-year estimate, is one swipe away (ui/find)
# The results grid's own accessible table: its header texts and the first rows' cells.
GRID_JS = """() => {
  const grid = document.querySelector("[data-testid='stDataFrame']");
  const headers = Array.from(grid.querySelectorAll("th[role='columnheader']"),
    (th) => th.innerText.trim());
  const rows = Array.from(grid.querySelectorAll("tr[aria-rowindex]"))
    .filter((tr) => Number(tr.getAttribute("aria-rowindex")) > 1)
    .map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.innerText.trim()));
  const scroller = grid.querySelector(".dvn-scroller");
  const box = grid.getBoundingClientRect();
  return {headers, rows, right: box.right,
          sideways: scroller ? scroller.scrollWidth - scroller.clientWidth : null};
}"""


def _located(page: Page, place: str) -> dict:
    box = page.get_by_label(PLACE)
    box.fill(place)
    box.press("Enter")
    # The rerun's own text first (the state may still read "notRunning" from before it).
    expect(page.get_by_text(f"Distances from {place}")).to_be_visible()
    wait_for_app(page)
    # The grid draws its new columns after the run ends: wait for them, not for a time.
    page.wait_for_function("(js) => eval(js)().headers.includes('km')", arg=GRID_JS, timeout=60_000)
    return page.evaluate(GRID_JS)


def test_find_page_at_phone_width(streamlit_server, browser: Browser, screenshot_dir):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_app(page, streamlit_server())
        expect(page.locator("h1", has_text="Find ketamine clinics")).to_be_visible()
        grid = _located(page, "Toronto, ON")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"page is {overflow}px wider than the phone screen"
        # Name, score, distance, price and the old-evidence flag, with no sideways scrolling:
        # only the estimate after them lies past the screen's edge.
        assert grid["headers"][: len(COMPACT_HEADERS)] == COMPACT_HEADERS
        assert grid["sideways"] is not None and grid["sideways"] <= ESTIMATE_WIDTH + 4, grid
        assert grid["right"] <= PHONE["width"]
        first_five = grid["rows"][:5]
        assert len(first_five) == 5
        for name, score, km, price, _evidence, *_ in first_five:  # (the grid draws what shows)
            assert name and score.isdigit() and float(km) >= 0
            assert price.endswith((" USD", " CAD")) or price == "not listed"
        # One tap on a clinic opens its page.
        top = first_five[0][0]
        table = page.get_by_test_id("stDataFrame").first
        table.scroll_into_view_if_needed()
        if screenshot_dir is not None:
            page.screenshot(path=screenshot_dir / "phone.png")
        box = table.bounding_box()
        assert box is not None
        page.touchscreen.tap(box["x"] + 40, box["y"] + 35 + 17)  # the first row's name
        expect(page.locator("h2", has_text=top)).to_be_visible(timeout=60_000)
        assert page.url.rstrip("/").endswith("/clinic")
        if screenshot_dir is not None:
            page.screenshot(path=screenshot_dir / "phone-detail.png")
    finally:
        context.close()


def test_the_weights_are_on_the_find_page_itself(streamlit_server, browser: Browser):
    """A phone hides the sidebar, so the weights are reachable from the page."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_app(page, streamlit_server())
        expect(page.get_by_test_id("stSidebar")).not_to_be_in_viewport()
        weights = page.get_by_test_id("stExpander").filter(has_text="What matters to you")
        weights.locator("summary").click()
        expect(weights.get_by_role("slider").first).to_be_visible()
        assert weights.get_by_role("slider").count() >= 7
    finally:
        context.close()
