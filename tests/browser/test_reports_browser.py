"""A patient's report reaches the advocates, in a real browser: a published list, the Clinic
detail page's "Something wrong or out of date?" form, and the advocates' Reports page (local
use: 127.0.0.1, no sign-in). Hostile report text stays plain text on the advocates' side.

The browser twin of tests/ui/test_deploy.py::test_a_report_round_trip_from_patient_to_advocate.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from providers.curation import SqliteStore
from tests.browser.conftest import open_app, wait_for_app
from tests.browser.test_journey import settle
from tests.browser.test_signin import shown
from tests.conftest import published_workspace

pytestmark = pytest.mark.browser

HOSTILE = "Moved [x](https://evil.example) <img src=x onerror=alert(1)> **bold** :skull:"
CONTACT = "pat@example.org"


def open_popover(page: Page, label: str) -> Locator:
    """Open the popover whose button says `label`; its (open) body."""
    wait_for_app(page)
    page.get_by_test_id("stMain").get_by_role("button", name=label, exact=True).click()
    body = page.get_by_test_id("stPopoverBody")
    expect(body).to_be_visible()
    return body


def pick(page: Page, scope: Locator, label: str, option: str) -> None:
    """Choose `option` in the select box labelled `label` inside `scope`."""
    box = scope.get_by_test_id("stSelectbox").filter(has_text=label)
    box.locator("input").first.click()
    page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click()
    expect(box.locator("input").first).to_have_value(option)


def assert_inert(page: Page, where: str) -> None:
    """The hostile report text made nothing live: no link, image, bold text or exception."""
    assert page.locator("a[href*='evil.example']").count() == 0, where
    assert page.locator("img[src='x']").count() == 0, where
    assert page.locator("strong", has_text="bold").count() == 0, where
    expect(page.get_by_test_id("stException"), where).to_have_count(0)


def test_a_patients_report_reaches_the_advocates_and_is_dismissed(
    streamlit_server, page, dialogs, tmp_path
):
    store = published_workspace(tmp_path / "w.sqlite")
    base = streamlit_server(
        {"CLINIC_COMPARE_WORKSPACE": str(store), "CLINIC_COMPARE_DIRECTORY": "workspace:Arizona"}
    )

    # The patient: the clinic's detail page, the report form in its popover.
    open_app(page, base, "clinic?clinic=az-1")
    expect(page.locator("h2", has_text="Desert Clinic")).to_be_visible()
    expect(page.get_by_text("reported a problem on")).to_have_count(0)
    form = open_popover(page, "Something wrong or out of date?")
    pick(page, form, "What is wrong?", "City")
    form.get_by_label("What should it say instead, or what did you find?").fill(HOSTILE)
    form.get_by_text("You may contact me about this report").click()
    form.get_by_label("E-mail (only if you ticked the box above)").fill(CONTACT)
    form.get_by_role("button", name="Send to the list's curators").click()
    settle(page)
    thanks = page.get_by_test_id("stAlert").filter(has_text="Thank you")
    expect(thanks).to_contain_text("the curators of Arizona will look at it")
    expect(thanks).not_to_contain_text("No e-mail address was kept")
    assert_inert(page, "after sending")
    with SqliteStore.open(store) as ws:
        sent = ws.reports("Arizona")
    assert sent[["clinic_id", "field", "description", "contact_email", "status"]].to_dict(
        "records"
    ) == [
        {
            "clinic_id": "az-1",
            "field": "city",
            "description": HOSTILE,
            "contact_email": CONTACT,
            "status": "open",
        }
    ]
    rid = int(sent["id"].iloc[0])

    # Patients now see that the clinic is under review.
    open_app(page, base, "clinic?clinic=az-1")
    expect(page.get_by_test_id("stAlert").filter(has_text="reported a problem on")).to_be_visible()

    # The advocate (local use) finds it on the Reports page, as plain text.
    open_app(page, base, "reports")
    expect(page.locator("h1", has_text="Reports")).to_be_visible()
    expect(page.get_by_text("1 open report(s), newest first.")).to_be_visible()
    # The report's card: the innermost block holding both the clinic and its buttons.
    blocks = page.get_by_test_id("stMain").get_by_test_id("stVerticalBlock")
    card = blocks.filter(has_text="Desert Clinic").filter(has_text="Edit this clinic").last
    expect(card.get_by_text("(az-1): City")).to_be_visible()
    texts = card.get_by_test_id("stText")
    expect(texts.filter(has_text="evil.example")).to_have_text(HOSTILE)
    expect(card.get_by_text(shown(f"agreed to be contacted at {CONTACT}"))).to_be_visible()
    assert_inert(page, "/reports")
    who = page.get_by_label("Your name, for the change log")
    who.fill("Dee")
    who.press("Enter")
    settle(page)

    dismiss = open_popover(page, "Dismiss")
    reason = dismiss.get_by_label("Reason")
    reason.fill("Still in Mesa: I called them")
    reason.press("Enter")
    settle(page)
    dismiss = page.get_by_test_id("stPopoverBody")
    expect(dismiss.get_by_label("Reason")).to_have_value("Still in Mesa: I called them")
    dismiss.get_by_role("button", name="Dismiss", exact=True).click()
    settle(page)
    expect(page.get_by_text(f"Report {rid} dismissed.")).to_be_visible()
    expect(page.get_by_text("No open reports for Arizona.")).to_be_visible()
    expect(page.get_by_test_id("stText").filter(has_text="evil.example")).to_have_count(0)

    with SqliteStore.open(store) as ws:
        assert ws.reports("Arizona").empty  # none open
        closed = ws.reports("Arizona", status=None)
    assert closed[["id", "status", "closed_by", "closing_note", "description"]].to_dict(
        "records"
    ) == [
        {
            "id": rid,
            "status": "dismissed",
            "closed_by": "Dee",
            "closing_note": "Still in Mesa: I called them",
            "description": HOSTILE,
        }
    ]
    assert closed["closed_at"].iloc[0] != ""
    assert closed["change_id"].isna().all()

    # Patients no longer see it as under review.
    open_app(page, base, "clinic?clinic=az-1")
    expect(page.locator("h2", has_text="Desert Clinic")).to_be_visible()
    expect(page.get_by_text("reported a problem on")).to_have_count(0)
    assert dialogs == []
