"""The Find page's map in Chromium: borders and points drawn, the clinic's name, score and
distance on hover (desktop) and on tap (phone), hostile names inert, and no request to any
other host until the patient ticks the street map."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import open_app, wait_for_app
from tests.conftest import csv_of, full_clinic

pytestmark = pytest.mark.browser

PLACE = "Where are you? ZIP code, city (e.g. Toronto, ON) or coordinates"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CLINICS = "g.mark-symbol.role-mark path"  # one path per point (Streamlit draws Vega as SVG)
BORDERS = "g.mark-shape.role-mark path"
# The point drawn on top at its own centre (points may overlap): its accessible description
# names the clinic, e.g. "Desert Lark (demo): Score 93, 0.8 mi away", and where to touch it.
TOPMOST = """(paths) => {
  for (const p of paths) {
    const r = p.getBoundingClientRect();
    const x = r.x + r.width / 2, y = r.y + r.height / 2;
    const label = p.getAttribute('aria-label') || '';
    if (document.elementFromPoint(x, y) === p && label.includes(': Score ')) {
      return {x, y, label};
    }
  }
  return null;
}"""


def located(page: Page, base: str, place: str = "85251") -> Locator:
    """The Find page with `place` typed; the map once its points are drawn."""
    open_app(page, base)
    box = page.get_by_label(PLACE)
    box.fill(place)
    box.press("Enter")
    expect(page.get_by_text(re.compile(r"^Distances from "))).to_be_visible()
    wait_for_app(page)
    chart = page.get_by_test_id("stVegaLiteChart")
    chart.scroll_into_view_if_needed()
    expect(chart.locator(f'{CLINICS}[aria-label$=": Your place"]')).to_have_count(1)
    return chart


def topmost_point(chart: Locator) -> dict:
    point = chart.locator(CLINICS).evaluate_all(TOPMOST)
    assert point is not None, "no clinic point is uncovered"
    return point


def test_the_map_draws_borders_points_and_a_text_alternative(streamlit_server, page):
    chart = located(page, streamlit_server())
    expect(chart.locator(BORDERS).first).to_be_visible()  # a path per state in view:
    assert chart.locator(BORDERS).count() >= 2  # Arizona and its neighbours
    assert all(chart.locator(BORDERS).evaluate_all("ps => ps.map(p => p.getAttribute('d'))"))
    labels = chart.locator(CLINICS).evaluate_all("ps => ps.map(p => p.getAttribute('aria-label'))")
    assert len(labels) >= 2 and all("Score" in a or "Your place" in a for a in labels), labels
    assert sum("Your place" in a for a in labels) == 1
    # The text alternative: the chart's accessible name and a visible caption.
    name = chart.get_attribute("aria-label")
    assert name.startswith("Map of the") and "Arizona" in name and "Nearest:" in name
    expect(page.get_by_text(name + " The table above lists the same clinics.")).to_be_visible()


def test_hover_on_desktop_shows_name_score_and_distance(streamlit_server, page):
    chart = located(page, streamlit_server())
    point = topmost_point(chart)
    name, facts = point["label"].split(": ", 1)  # "Score 93, 0.8 mi away"
    score, distance = facts.removeprefix("Score ").removesuffix(" away").split(", ")
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(name)
    expect(tooltip).to_contain_text(score)
    expect(tooltip).to_contain_text(distance)
    assert distance.endswith(" mi")


def test_tap_on_a_phone_shows_name_score_and_distance(streamlit_server, browser: Browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        chart = located(page, streamlit_server())
        point = topmost_point(chart)
        name, facts = point["label"].split(": ", 1)
        texts = chart.locator("g.mark-text.role-mark text")
        expect(texts).to_have_count(0)  # nothing picked yet
        page.touchscreen.tap(point["x"], point["y"])
        # The label drawn in the map (twice: a white halo under the text).
        expect(texts.first).to_contain_text(name)
        expect(texts.first).to_contain_text(facts)
        assert chart.bounding_box()["width"] <= PHONE["width"]
    finally:
        context.close()


def test_a_hostile_name_stays_text_in_tooltip_and_label(streamlit_server, page, dialogs, tmp_path):
    evil = '<img src=x onerror="window.pwned=1"><b>Bold</b>'
    rows = [full_clinic(id="e", name=evil, city="Mesa", region="AZ", postal_code="85201")]
    directory = tmp_path / "hostile.csv"
    directory.write_bytes(csv_of(rows))
    chart = located(page, streamlit_server({"CLINIC_COMPARE_DIRECTORY": str(directory)}), "85201")
    point = topmost_point(chart)
    assert point["label"].startswith(evil)
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_contain_text(evil)  # shown as the characters typed
    assert tooltip.locator("img, b").count() == 0
    page.mouse.click(point["x"], point["y"])
    expect(chart.locator("g.mark-text.role-mark text").first).to_contain_text(evil)
    assert page.evaluate("window.pwned") is None
    assert page.locator('img[src="x"]').count() == 0
    assert dialogs == []


def test_nothing_leaves_for_another_host_until_the_street_map_is_ticked(streamlit_server, page):
    hosts: list[str] = []
    page.on("request", lambda request: hosts.append(urlsplit(request.url).hostname or ""))
    chart = located(page, streamlit_server())
    expect(chart.locator(BORDERS).first).to_be_visible()
    note = page.get_by_text("The street map loads map pictures from CARTO")
    expect(note).to_be_visible()  # said before the box is ticked
    street = page.get_by_test_id("stDeckGlJsonChart")
    expect(street).to_have_count(0)
    outside = sorted({h for h in hosts if h not in ("127.0.0.1", "localhost")})
    assert outside == [], outside
    # After the opt-in the street map asks CARTO for its map (no internet here: it fails).
    with page.expect_request(lambda r: "cartocdn.com" in r.url, timeout=60_000):
        page.get_by_text("Show a street map").click()
    expect(street).to_have_count(1)
