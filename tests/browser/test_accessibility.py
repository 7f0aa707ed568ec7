"""axe-core on every patient page at desktop and phone widths: no critical or serious
violation in the product's own content.

Streamlit's own page navigation (its list markup in the sidebar) breaks axe's `list` and
`listitem` rules; the app cannot change that markup, so those nodes, and only those, are
accepted and listed in the README as a known upstream limit.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.browser.conftest import open_app

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# Every patient page, with a shortlist and a comparison so that each draws its content.
PAGES = {"find": "", "clinic": "clinic", "compare": "compare", "shortlist": "shortlist",
         "method": "method"}  # fmt: skip
CHOICES = "?list=demo-027,demo-005&cmp=demo-027,demo-005&clinic=demo-027"
UPSTREAM = {"list", "listitem"}  # Streamlit's navigation markup (README: Accessibility)
IN_NAVIGATION = "(e) => !!e.closest(\"[data-testid='stSidebarNav']\")"
# WCAG 2.2's target size (24x24 CSS px) is off in axe by default: turned on here.
OPTIONS = {"rules": {"target-size": {"enabled": True}}}


def serious(page: Page) -> list[tuple[str, str, bool]]:
    """(rule, node, inside Streamlit's navigation) for each critical or serious violation."""
    found = []
    response = Axe().run(page, options=OPTIONS).response
    checked = {r["id"] for kind in ("passes", "violations", "incomplete") for r in response[kind]}
    assert "target-size" in checked, "axe did not check target sizes"
    for violation in response["violations"]:
        if violation["impact"] not in ("critical", "serious"):
            continue
        for node in violation["nodes"]:
            target = node["target"][0]
            inside = page.locator(target).first.evaluate(IN_NAVIGATION)
            found.append((violation["id"], target, inside))
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_violation_in_our_own_content(streamlit_server, browser: Browser, width):
    base = streamlit_server()
    context = browser.new_context(viewport=WIDTHS[width])
    page = context.new_page()
    counts = {}
    try:
        for name, path in PAGES.items():
            open_app(page, base, path + CHOICES)
            page.locator("h1").first.wait_for()
            found = serious(page)
            ours = [f for f in found if not (f[2] and f[0] in UPSTREAM)]
            assert not ours, f"{name} at {width} width: {ours}"
            counts[name] = len(found)
    finally:
        context.close()
    print(f"axe at {width} width, upstream nodes per page: {counts}")
