"""The app in a real browser: it loads, and hostile directory values stay inert text."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_app

pytestmark = pytest.mark.browser

HOSTILE_CSV = (
    "id,name,website,city,region,country\n"
    "x1,<img src=x onerror=alert(1)>,javascript:alert(1),Mesa,AZ,US\n"
    'x2,"<script>alert(2)</script> Clinic",https://example.org,Tempe,AZ,US\n'
)


def test_demo_directory_loads(streamlit_server, page, dialogs, screenshot_dir):
    open_app(page, streamlit_server())

    expect(page.locator("h1", has_text="Find ketamine clinics")).to_be_visible()
    expect(page.get_by_test_id("stAlert").filter(has_text="fictional demo data")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert dialogs == []
    if screenshot_dir is not None:
        page.screenshot(path=screenshot_dir / "find.png")


def test_hostile_directory_stays_inert(streamlit_server, page, dialogs, tmp_path):
    directory = tmp_path / "hostile.csv"
    directory.write_text(HOSTILE_CSV, "utf-8")
    open_app(page, streamlit_server({"CLINIC_COMPARE_DIRECTORY": str(directory)}))

    # The hostile directory is really shown, not an error page and not the demo.
    expect(page.locator("h1", has_text="Find ketamine clinics")).to_be_visible()
    expect(page.get_by_text("fictional demo data")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    # Open every expander (e.g. the problems found while reading) so its content is drawn too.
    for summary in page.locator("[data-testid='stExpander'] summary").all():
        summary.click()
    page.wait_for_timeout(500)

    assert dialogs == []
    hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href') || '')")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")], hrefs
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("script", has_text="alert(2)").count() == 0
