"""Who reaches the advocates' pages, in a real browser: sign-in through a real OpenID Connect
provider (oidc-provider-mock on 127.0.0.1), the editors' list, and a server without sign-in.

The browser twins of tests/ui/test_deploy.py: a curation page that is not registered for this
visitor cannot be reached by typing its address, and nothing on it runs.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app import SECTIONS
from providers.curation import SqliteStore
from tests.browser.conftest import (
    free_port,
    open_app,
    set_oidc_user,
    wait_for_app,
    write_auth_secrets,
)
from tests.browser.test_journey import settle
from tests.conftest import csv_of, full_clinic, published_workspace

pytestmark = pytest.mark.browser

CURATION = [url for *_, url, _ in SECTIONS["For advocates"]]
PATIENT_PAGES = ["", "clinic", "compare", "shortlist", "method"]
EDITOR = "ana@group.org"
STRANGER = "bob@elsewhere.org"
# Text only a curation page draws (its title, its editor box, its widgets).
CURATION_TEXT = [
    "Lists and import",
    "Create a new list",
    "Your name, for the change log",
    "Save changes",
    "open report(s)",
    "every change is logged under this address",
]


def shown(text: str) -> re.Pattern[str]:
    """`text` as the app shows outside values: a word joiner may follow '@' (see ui/text.py,
    which stops bare e-mail addresses from becoming live links)."""
    return re.compile(re.escape(text).replace("@", "@\u2060?"))


def nav_paths(page: Page) -> list[str]:
    """The URL paths of the sidebar's page links, in order ("" is the default page)."""
    wait_for_app(page)
    hrefs = (
        page.get_by_test_id("stSidebarNav")
        .locator("a")
        .evaluate_all("els => els.map(e => new URL(e.href).pathname)")
    )
    return [h.strip("/") for h in hrefs]


def fingerprint(path: Path) -> tuple[str, list, list, list]:
    """The workspace file's bytes (hashed) and what it holds: lists, change log, reports."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with SqliteStore.open(path) as ws:
        lists = ws.db.execute("SELECT * FROM lists ORDER BY id").fetchall()
        changes = ws.db.execute("SELECT * FROM changes ORDER BY id").fetchall()
        reports = ws.db.execute("SELECT * FROM reports ORDER BY id").fetchall()
    return digest, lists, changes, reports


@pytest.fixture
def signin_app(streamlit_server, oidc_issuer, tmp_path):
    """Start the app with [auth] pointing at the mock provider; returns its base URL."""

    def start(env: dict[str, str]) -> str:
        port = free_port()  # chosen first: the secrets' redirect_uri names it
        secrets_file = write_auth_secrets(tmp_path / "secrets.toml", port, oidc_issuer)
        return streamlit_server(env, args=["--secrets.files", str(secrets_file)], port=port)

    return start


def sign_in(
    page: Page, base: str, issuer: str, sub: str, email: str, verified: bool = True
) -> None:
    """Sign in from the advocates' page through the provider's form; back on the app."""
    set_oidc_user(issuer, sub, email=email, email_verified=verified, name=sub.title())
    open_app(page, base, "advocates")
    expect(page.get_by_text("Curating lists needs a sign-in")).to_be_visible()
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_placeholder("sub")).to_be_visible()
    assert page.url.startswith(f"{issuer}/"), page.url
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(f"{base}/")  # the callback sets the identity cookie, then the main page
    wait_for_app(page)
    assert "_streamlit_user" in {c["name"] for c in page.context.cookies()}


def sign_out(page: Page, base: str, issuer: str) -> None:
    """Press the app's Sign out and confirm at the provider; back on the app, signed out."""
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", name="End Session")).to_be_visible()
    assert page.url.startswith(f"{issuer}/"), page.url
    page.get_by_role("button", name="End session", exact=True).click()
    page.wait_for_url(f"{base}/")
    wait_for_app(page)
    assert not [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]


def assert_not_found(page: Page, base: str, path: str) -> None:
    """Typing `path` finds no page: Streamlit says so and runs the main page (Find) instead,
    and nothing of a curation page is drawn."""
    open_app(page, base, path)
    where = f"/{path}"
    expect(page.get_by_test_id("stDialog").filter(has_text="Page not found"), where).to_be_visible()
    expect(page.locator("h1", has_text="Find ketamine clinics"), where).to_be_visible()
    app, main = page.get_by_test_id("stApp"), page.get_by_test_id("stMain")
    for text in CURATION_TEXT:
        expect(app.get_by_text(text), f"{where}: {text}").to_have_count(0)
    for button in ("Create list", "Save changes", "Publish", "Resolve", "Dismiss"):
        expect(main.get_by_role("button", name=button), f"{where}: {button}").to_have_count(0)
    expect(main.get_by_test_id("stFileUploader"), where).to_have_count(0)
    expect(page.get_by_test_id("stException"), where).to_have_count(0)
    assert path.split("?")[0] not in nav_paths(page), where


def test_an_editor_signs_in_curates_under_their_address_and_signs_out(
    signin_app, oidc_issuer, page, dialogs, tmp_path
):
    store = tmp_path / "new.sqlite"  # an empty workspace: the editor starts the first list
    base = signin_app({"CLINIC_COMPARE_WORKSPACE": str(store), "CLINIC_COMPARE_EDITORS": EDITOR})
    assert nav_paths(open_app(page, base)) == [*PATIENT_PAGES, "advocates"]

    sign_in(page, base, oidc_issuer, "ana", EDITOR)
    assert nav_paths(page) == PATIENT_PAGES + CURATION

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Lists and import").click()
    wait_for_app(page)
    expect(page.locator("h1", has_text="Lists and import")).to_be_visible()
    expect(page.get_by_text(shown(f"Signed in as {EDITOR}"))).to_be_visible()
    # The change log names the signed-in address: there is no name to type.
    expect(page.get_by_label("Your name, for the change log")).to_have_count(0)
    name = page.get_by_label("New list name")
    name.fill("Arizona")
    name.press("Enter")
    settle(page)
    page.get_by_role("button", name="Create list").click()
    settle(page)
    expect(page.get_by_role("combobox", name="List", exact=True)).to_have_value("Arizona")

    rows = [
        full_clinic(id="az-1", name="Desert Clinic"),
        full_clinic(id="az-2", name="Mesa Clinic"),
    ]
    upload = page.get_by_test_id("stMain").get_by_test_id("stFileUploaderDropzoneInput")
    upload.set_input_files(
        files=[{"name": "az.csv", "mimeType": "text/csv", "buffer": csv_of(rows)}]
    )
    settle(page)
    page.get_by_role("button", name=re.compile(r"^Import 2 new and merge 0 into")).click()
    settle(page)
    expect(page.get_by_text("Imported 2 clinic(s) and merged 0.")).to_be_visible()
    with SqliteStore.open(store) as ws:
        assert ws.lists() == ["Arizona"]
        created_by = ws.db.execute("SELECT created_by FROM lists").fetchall()
        assert created_by == [(EDITOR,)]
        for clinic in ("az-1", "az-2"):
            assert ws.history("Arizona", clinic)["who"].tolist() == [EDITOR]

    sign_out(page, base, oidc_issuer)
    assert nav_paths(page) == [*PATIENT_PAGES, "advocates"]
    for path in CURATION:
        assert_not_found(page, base, path)
    open_app(page, base, "advocates")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    assert dialogs == []


@pytest.mark.parametrize(
    ("sub", "email", "verified", "why"),
    [
        ("bob", STRANGER, True, "is not on the editors' list"),
        # On the list, but the provider does not vouch for the address: it does not count.
        ("ana-unverified", EDITOR, False, "does not say is verified"),
    ],
    ids=["not-on-the-list", "unverified-address"],
)
def test_a_signed_in_person_not_on_the_editors_list_reaches_no_curation_page(
    signin_app, oidc_issuer, page, dialogs, tmp_path, sub, email, verified, why
):
    store = published_workspace(tmp_path / "w.sqlite")
    before = fingerprint(store)
    base = signin_app(
        {
            "CLINIC_COMPARE_WORKSPACE": str(store),
            "CLINIC_COMPARE_DIRECTORY": "workspace:Arizona",
            "CLINIC_COMPARE_EDITORS": f"{EDITOR},@group.org",
        }
    )
    sign_in(page, base, oidc_issuer, sub, email, verified)
    assert nav_paths(page) == [*PATIENT_PAGES, "advocates"]

    open_app(page, base, "advocates")
    refusal = page.get_by_test_id("stAlert").filter(has_text=why)
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text(shown(f"You are signed in as {email}"))
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_have_count(0)

    for path in (*CURATION, "lists?list=Arizona"):
        assert_not_found(page, base, path)
    assert fingerprint(store) == before  # nothing was written, not even a list or a report

    open_app(page, base, "advocates")
    sign_out(page, base, oidc_issuer)
    open_app(page, base, "advocates")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    assert fingerprint(store) == before
    assert dialogs == []


def test_signed_out_with_sign_in_configured_only_the_sign_in_page_exists(
    signin_app, page, dialogs, tmp_path
):
    store = published_workspace(tmp_path / "w.sqlite")
    before = fingerprint(store)
    base = signin_app({"CLINIC_COMPARE_WORKSPACE": str(store), "CLINIC_COMPARE_EDITORS": EDITOR})
    open_app(page, base, "advocates")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_text("Curating lists needs a sign-in")).to_be_visible()
    assert nav_paths(page) == [*PATIENT_PAGES, "advocates"]
    for path in CURATION:
        assert_not_found(page, base, path)
    # A replayed or hand-made address with a query finds nothing either.
    for path in ("lists?anything", "clinics?list=Arizona&clinic=az-1", "reports?x=1"):
        assert_not_found(page, base, path)
    assert fingerprint(store) == before
    assert dialogs == []


def test_without_sign_in_on_every_interface_curation_is_off(
    streamlit_server, page, dialogs, tmp_path
):
    store = published_workspace(tmp_path / "w.sqlite")
    before = fingerprint(store)
    base = streamlit_server({"CLINIC_COMPARE_WORKSPACE": str(store)}, address="0.0.0.0")
    open_app(page, base, "advocates")
    off = page.get_by_test_id("stAlert").filter(has_text="Curation is off")
    expect(off).to_be_visible()
    expect(off).to_contain_text("0.0.0.0")
    expect(off).to_contain_text("[auth]")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_have_count(0)
    assert nav_paths(page) == [*PATIENT_PAGES, "advocates"]
    for path in (*CURATION, "lists?anything"):
        assert_not_found(page, base, path)
    assert fingerprint(store) == before
    assert dialogs == []


def test_a_request_through_a_proxy_to_a_loopback_server_cannot_curate(
    streamlit_server, browser, page, dialogs, tmp_path
):
    """No [auth], listening on 127.0.0.1, but the browser's requests carry a proxy's header
    (as a tunnel or reverse proxy on this machine adds): the server may be public, so
    curation is off for that visitor, while a direct visitor still curates."""
    store = published_workspace(tmp_path / "w.sqlite")
    before = fingerprint(store)
    base = streamlit_server({"CLINIC_COMPARE_WORKSPACE": str(store)})
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        extra_http_headers={"X-Forwarded-For": "203.0.113.9"},
    )
    try:
        proxied = context.new_page()
        proxied.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        open_app(proxied, base, "advocates")
        off = proxied.get_by_test_id("stAlert").filter(has_text="Curation is off")
        expect(off).to_be_visible()
        expect(off).to_contain_text("proxy")
        assert nav_paths(proxied) == [*PATIENT_PAGES, "advocates"]
        for path in (*CURATION, "lists?anything"):
            assert_not_found(proxied, base, path)
    finally:
        context.close()
    assert fingerprint(store) == before
    # The same server, visited directly from this machine: curation is open (local use).
    open_app(page, base, "lists")
    expect(page.locator("h1", has_text="Lists and import")).to_be_visible()
    expect(page.get_by_label("Your name, for the change log")).to_be_visible()
    expect(page.get_by_test_id("stDialog")).to_have_count(0)
    assert dialogs == []
