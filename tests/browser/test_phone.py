"""At phone width the start page is usable: readable, nothing wider than the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import open_app, wait_for_app

pytestmark = pytest.mark.browser


def test_find_page_at_phone_width(streamlit_server, browser: Browser, screenshot_dir):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        open_app(page, streamlit_server())
        expect(page.locator("h1", has_text="Find ketamine clinics")).to_be_visible()
        place = page.get_by_label("Where are you? ZIP code, city (e.g. Toronto, ON) or coordinates")
        expect(place).to_be_visible()
        place.fill("Toronto, ON")
        place.press("Enter")
        # The rerun's own text first (the state may still read "notRunning" from before it).
        expect(page.get_by_text("Distances from Toronto, ON")).to_be_visible()
        wait_for_app(page)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"page is {overflow}px wider than the phone screen"
        if screenshot_dir is not None:
            page.screenshot(path=screenshot_dir / "phone.png")
    finally:
        context.close()
