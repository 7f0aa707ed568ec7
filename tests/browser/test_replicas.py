"""Two app replicas sharing one PostgreSQL workspace, in a real browser: two `streamlit run`
processes on two ports, as behind a load balancer. What one replica writes, the other shows;
two advocates on the two replicas editing one clinic get a conflict, and nothing is lost.

(Both replicas listen on 127.0.0.1 without sign-in, so the advocates' pages are open with a
typed name, as with `make run`; sign-in itself is tested in test_signin.py.)
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from providers.curation import open_workspace
from providers.directory import parse_directory
from tests.browser.conftest import open_app
from tests.browser.test_curate_browser import _edit_name
from tests.browser.test_journey import settle
from tests.conftest import csv_of, full_clinic

pytestmark = pytest.mark.browser


@pytest.fixture
def replicas(postgres_url, streamlit_server):
    """The list 'Arizona' (az-1 Desert Clinic, az-2 Mesa Clinic), published, in a fresh
    PostgreSQL database, and two replicas serving it: their base URLs."""
    rows = [
        full_clinic(id="az-1", name="Desert Clinic"),
        full_clinic(id="az-2", name="Mesa Clinic"),
    ]
    with open_workspace(postgres_url) as ws:
        ws.create_list("Arizona", "ana")
        ws.import_table("Arizona", parse_directory(csv_of(rows), "az.csv").table, "ana", "az")
        ws.publish_snapshot("Arizona", "ana")
    env = {
        "CLINIC_COMPARE_WORKSPACE": postgres_url,
        "CLINIC_COMPARE_DIRECTORY": "workspace:Arizona",
    }
    return streamlit_server(env), streamlit_server(env)


def test_a_list_published_on_one_replica_is_what_patients_see_on_the_other(
    replicas, postgres_url, page, dialogs
):
    first, second = replicas
    open_app(page, second, "clinic?clinic=az-1")  # a patient, on the second replica
    expect(page.locator("h2", has_text="Desert Clinic")).to_be_visible()
    with open_workspace(postgres_url) as ws:  # an advocate's edit, not yet published
        ws.save_clinic("Arizona", "az-1", {"name": "Desert Sun Clinic"}, 1, "ana")
    open_app(page, second, "clinic?clinic=az-1")
    expect(page.locator("h2", has_text="Desert Clinic")).to_be_visible()  # frozen until published

    open_app(page, first, "publish")  # the advocate publishes on the first replica
    page.get_by_role("button", name="Publish the list as it is now").click()
    settle(page)
    expect(page.get_by_text("Published Arizona: patients now see it")).to_be_visible()

    open_app(page, second, "clinic?clinic=az-1")  # the patient's next page, other replica
    expect(page.locator("h2", has_text="Desert Sun Clinic")).to_be_visible()
    with open_workspace(postgres_url) as ws:
        assert len(ws.snapshots("Arizona")) == 2
    assert dialogs == []


def test_two_advocates_on_two_replicas_editing_one_clinic_lose_nothing(
    replicas, postgres_url, page, browser: Browser, dialogs
):
    first, second = replicas
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        ben = other.new_page()
        open_app(page, first, "clinics")  # ana, on the first replica
        open_app(ben, second, "clinics")  # ben, on the second, reads the same version
        _edit_name(page, "Ana Name Clinic")
        _edit_name(ben, "Ben Name Clinic")

        page.get_by_role("button", name="Save changes").click()
        settle(page)
        expect(page.get_by_text("Saved changes to 1 clinic(s).")).to_be_visible()

        ben.get_by_role("button", name="Save changes").click()
        settle(ben)
        expect(ben.get_by_text("Someone else saved these clinics")).to_be_visible()
        with open_workspace(postgres_url) as ws:
            loaded, versions = ws.load("Arizona")
            assert loaded.table.set_index("id").loc["az-1", "name"] == "Ana Name Clinic"
            assert versions["az-1"] == 2
            log = ws.history("Arizona", "az-1")
            assert log["new_value"].tolist()[-1] == "Ana Name Clinic"
            assert "Ben Name Clinic" not in set(log["new_value"].dropna())

        # Ben decides, explicitly: his edit replaces hers, as a new logged change.
        ben.get_by_role("button", name="Keep mine (overwrite theirs)").click()
        settle(ben)
        with open_workspace(postgres_url) as ws:
            log = ws.history("Arizona", "az-1")
            assert log["new_value"].tolist()[-2:] == ["Ana Name Clinic", "Ben Name Clinic"]
            assert log["source"].iloc[-1].startswith("overwrite after conflict")
    finally:
        other.close()
    assert dialogs == []
