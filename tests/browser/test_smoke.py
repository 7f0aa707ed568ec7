"""The app in a real browser: it loads, and hostile values stay inert text on every page."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from app import SECTIONS
from providers.curation import SqliteStore
from providers.directory import parse_directory
from tests.browser.conftest import open_app
from tests.conftest import csv_of

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
    for details in page.locator("[data-testid='stExpander'] details").all():
        details.locator("summary").click()
        expect(details).to_have_attribute("open", "")  # drawn: no fixed wait

    assert dialogs == []
    hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href') || '')")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")], hrefs
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("script", has_text="alert(2)").count() == 0


EVIL_LINK = "[Click me](https://evil.example)"
EVIL_HTML = "<img src=x onerror=alert(3)>"
HOSTILE_ROWS = [
    {
        "id": "h1",
        "name": f"{EVIL_LINK} {EVIL_HTML}",
        "website": "javascript:alert(1)",
        "city": "<script>alert(2)</script>",
        "region": "AZ",
        "country": "US",
        "postal_code": "85251",
        "notes": f"**bold** :skull: $x$ {EVIL_LINK}",
        "npi": '=HYPERLINK("http://x")',
    },
    {
        "id": "h2",
        "name": f"Plain {EVIL_LINK}",
        "website": "https://example.org",
        "city": "Mesa",
        "region": "AZ",
        "country": "US",
    },
]
# Every share-link parameter, hostile.
HOSTILE_LINK = {
    "near": f"Foo, {EVIL_LINK} {EVIL_HTML}",
    "radius": "25",
    "clinic": EVIL_HTML,
    "list": f"h1,h2,{EVIL_LINK}",
    "cmp": f"h1,h2,{EVIL_HTML}",
    "must": EVIL_LINK,
    "w": f"{EVIL_LINK}:3",
    "max": "1e400",
    "sort": EVIL_HTML,
}


def _inert(page: Page, where: str) -> None:
    """No exception box, no live link or element made from hostile text on this page."""
    expect(page.get_by_test_id("stException"), where).to_have_count(0)
    for details in page.locator("[data-testid='stExpander'] details").all():
        details.locator("summary").click()
        expect(details).to_have_attribute("open", "")
    hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href') || '')")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")], (where, hrefs)
    live = page.eval_on_selector_all(
        "a[href*='evil.example']",
        "els => els.map(e => (e.closest('[data-testid]') || e).outerHTML.slice(0, 400))",
    )
    assert not live, (where, live)
    assert page.locator('img[src="x"]').count() == 0, where
    assert page.locator("script", has_text="alert(").count() == 0, where
    assert page.locator("strong", has_text="bold").count() == 0, where


def test_hostile_text_is_inert_on_every_page_and_in_share_links(
    streamlit_server, page, dialogs, tmp_path
):
    """Defect 5: the directory, the workspace (list name, clinics, editor) and every link
    parameter carry hostile text; every page of both sections shows it as text."""
    directory = tmp_path / "hostile.csv"
    directory.write_bytes(csv_of(HOSTILE_ROWS))
    store = tmp_path / "w.sqlite"
    hostile_list = f"AZ {EVIL_LINK}"
    with SqliteStore.open(store) as ws:
        ws.create_list(hostile_list, EVIL_HTML)
        table = parse_directory(csv_of(HOSTILE_ROWS), "x.csv").table
        ws.import_table(hostile_list, table, EVIL_HTML, EVIL_LINK)
    base = streamlit_server(
        {"CLINIC_COMPARE_DIRECTORY": str(directory), "CLINIC_COMPARE_WORKSPACE": str(store)}
    )
    # The default page (Find) lives at the root; /find is not a page of its own.
    paths = ["" if url == "find" else url for pages in SECTIONS.values() for *_, url, _ in pages]
    for path in paths:
        # No link, a hostile link, and a link to the hostile clinics themselves.
        for query in ("", urlencode(HOSTILE_LINK), "clinic=h1&cmp=h1,h2&list=h1,h2"):
            where = f"/{path}?{query}"
            open_app(page, base, f"{path}?{query}")
            expect(page.locator("h1").first, where).to_be_visible()
            _inert(page, where)
    assert dialogs == []
