"""One deployment for patients and advocates, through AppTest: who reaches the curation pages,
a published list reaching patients, and a patient's report reaching the advocates."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from providers.curation import SqliteStore, report_fields
from providers.directory import default_schema, parse_directory
from scoring import default_checklist
from tests.conftest import csv_of, full_clinic, published_workspace

APP = str(Path(__file__).resolve().parents[2] / "app.py")
CURATION = ("lists", "clinics", "checks", "history", "publish", "reports")


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def text_of(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "markdown", "info", "warning", "error", "success",
                                  "caption") for e in getattr(at, kind)]  # fmt: skip
    return "\n".join(str(p) for p in parts).replace("\\", "")


@pytest.fixture
def workspace(monkeypatch, tmp_path):
    """A workspace with the list 'Arizona' (two clinics), published once."""
    path = published_workspace(tmp_path / "w.sqlite")
    for name in ("CLINIC_COMPARE_GEOCODER", "CLINIC_COMPARE_EDITORS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLINIC_COMPARE_WORKSPACE", str(path))
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", "workspace:Arizona")
    return path


@pytest.mark.parametrize("address", [None, "0.0.0.0", "192.168.1.20", "::"])
def test_on_a_reachable_address_without_sign_in_no_curation_page_runs(
    workspace, listen_address, address
):
    listen_address(address)
    at = ok(AppTest.from_file(APP, default_timeout=60).run())
    for page in CURATION:  # not registered at all (the browser test types their paths)
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"ui/advocates/{page}.py")
    ok(at.switch_page("ui/advocates/signin.py").run())
    assert "Curation is off" in text_of(at) and "[auth]" in text_of(at)
    with SqliteStore.open(workspace) as ws:
        assert len(ws.history("Arizona", "az-1")) == 1  # nothing was changed


def test_patients_see_only_what_was_published(workspace):
    at = ok(AppTest.from_file(APP, default_timeout=60).run())
    assert "Published on" in text_of(at) and "Arizona's curators" in text_of(at)
    assert "fictional demo data" not in text_of(at)
    assert sorted(at.dataframe[0].value["id"]) == ["az-1", "az-2"]
    with SqliteStore.open(workspace) as ws:  # an advocate edits without publishing...
        _, versions = ws.cells("Arizona")
        ws.save_clinic("Arizona", "az-1", {"name": "Half-finished Name"}, versions["az-1"], "ana")
    at = ok(AppTest.from_file(APP, default_timeout=60).run())
    assert "Half-finished Name" not in at.dataframe[0].value["name"].tolist()
    with SqliteStore.open(workspace) as ws:  # ...and publishes: patients see it at once
        ws.publish_snapshot("Arizona", "ana@group.org")
    at = ok(AppTest.from_file(APP, default_timeout=60).run())
    assert "Half-finished Name" in at.dataframe[0].value["name"].tolist()


def test_an_unpublished_list_is_a_polite_message(workspace, monkeypatch):
    with SqliteStore.open(workspace) as ws:
        ws.create_list("Texas", "ana")
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", "workspace:Texas")
    at = ok(AppTest.from_file(APP, default_timeout=60).run())
    assert "has not been published yet" in text_of(at)
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", "workspace:Nowhere")
    at = ok(AppTest.from_file(APP, default_timeout=60).run())
    assert "cannot be shown" in text_of(at)


def open_detail(clinic: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["clinic"] = clinic
    at.run()
    return ok(at.switch_page("ui/detail.py").run())


def send(at: AppTest, form: str, field: str, text: str, email: str = "", tick: bool = False):
    """Fill and send the report form `form` (w.report.<form>) on the Detail page."""
    boxes = [w for w in at.selectbox if w.form_id == f"w.report.{form}"]
    boxes[0].set_value(field)
    next(w for w in at.text_area if w.form_id == f"w.report.{form}").input(text)
    next(w for w in at.checkbox if w.form_id == f"w.report.{form}").set_value(tick)
    next(w for w in at.text_input if w.form_id == f"w.report.{form}").input(email)
    submit = next(b for b in at.button if b.form_id == f"w.report.{form}")
    return ok(submit.click().run())


def test_a_report_round_trip_from_patient_to_advocate(workspace):
    hostile = "Closed since May [see](https://evil.example) <b>x</b>"
    at = send(open_detail("az-1"), "clinic", "closed", hostile, "pat@example.org", tick=False)
    assert "Thank you" in text_of(at) and "No e-mail address was kept" in text_of(at)
    with SqliteStore.open(workspace) as ws:
        stored = ws.reports("Arizona")
    assert stored["description"].tolist() == [hostile]
    assert (stored["contact_email"].fillna("") == "").all()  # not ticked: not kept
    # Patients now see that it is under review.
    at = open_detail("az-1")
    assert "reported a problem on" in text_of(at)
    # The advocate (local use: 127.0.0.1, no sign-in) sees it on the Reports page, as text.
    at.switch_page("ui/advocates/reports.py").run()
    ok(at)
    assert hostile in [t.value for t in at.text]
    assert "Desert Clinic" in text_of(at)
    assert "evil.example" not in "".join(m.value for m in at.markdown).replace("\u2060", "")
    at.text_input(key=f"w.report.reason.{int(stored['id'][0])}").input("Still open: I called")
    ok(at.button(key=f"w.report.dismiss.{int(stored['id'][0])}").click().run())
    assert "dismissed" in text_of(at) and "No open reports" in text_of(at)
    assert "reported a problem on" not in text_of(open_detail("az-1"))


def test_a_report_on_one_criterion_offers_its_items_and_keeps_an_agreed_email(workspace):
    at = open_detail("az-2")
    forms = {w.form_id for w in at.selectbox if (w.form_id or "").startswith("w.report.")}
    assert len(forms) > 2  # the clinic's form and one per criterion
    criterion = sorted(f for f in forms if f != "w.report.clinic")[0]
    box = next(w for w in at.selectbox if w.form_id == criterion)
    fields = report_fields(default_checklist(), default_schema())
    offered = [v for v, label in fields.items() if label in box.options]
    assert len(offered) == len(box.options) and {"closed", "other"} <= set(offered)
    item = next(v for v in offered if v not in ("closed", "other"))
    at = send(at, criterion.removeprefix("w.report."), item, "Wrong", "pat@example.org", True)
    with SqliteStore.open(workspace) as ws:
        reports = ws.reports("Arizona")
    assert reports["contact_email"].tolist() == ["pat@example.org"]
    assert reports["field"].tolist() == [item]


def test_reports_are_rate_limited_per_session_with_a_clear_message(workspace):
    at = open_detail("az-2")
    for n in range(4):
        at = send(at, "clinic", "other", f"Report {n}")
    assert "Not sent" in text_of(at) and "try again later" in text_of(at)
    with SqliteStore.open(workspace) as ws:
        assert len(ws.reports("Arizona")) == 3


def test_a_file_directory_has_no_report_form(monkeypatch):
    monkeypatch.delenv("CLINIC_COMPARE_DIRECTORY", raising=False)
    at = open_detail("demo-001")
    assert not [w for w in at.text_area if (w.form_id or "").startswith("w.report.")]


AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "client_id": "clinic-compare",
    "client_secret": "from-the-provider",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def test_sign_in_configured_closes_curation_until_someone_signs_in(workspace):
    """Even on 127.0.0.1, once [auth] is configured nobody curates without signing in."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {**AUTH, "cookie_secret": "a-long-random-value-from-config"}
    ok(at.run())
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("ui/advocates/lists.py")
    ok(at.switch_page("ui/advocates/signin.py").run())
    assert [b.label for b in at.button if b.key == "w.sign_in"] == ["Sign in"]


def test_sign_in_without_a_cookie_secret_turns_curation_off(workspace):
    """The cookie secret comes from configuration only: without it, nobody can sign in."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = dict(AUTH)
    ok(at.run())
    ok(at.switch_page("ui/advocates/signin.py").run())
    assert "lacks cookie_secret" in text_of(at) and not [b for b in at.button if b.key]


def test_resolving_a_report_links_the_change_that_fixed_it(workspace):
    send(open_detail("az-1"), "clinic", "price_per_session", "It is 600 now")
    with SqliteStore.open(workspace) as ws:
        _, versions = ws.cells("Arizona")
        ws.save_clinic("Arizona", "az-1", {"price_per_session": "600"}, versions["az-1"], "ana")
        fix = int(ws.history("Arizona", "az-1")["id"].iloc[-1])
        rid = int(ws.reports("Arizona")["id"].iloc[0])
    at = ok(open_detail("az-1").switch_page("ui/advocates/reports.py").run())
    assert "450" in text_of(at) or "600" in text_of(at)  # the value shown now
    at.selectbox(key=f"w.report.fix.{rid}").set_value(fix)
    at.text_input(key=f"w.report.note.{rid}").input("Price updated from their site")
    ok(at.button(key=f"w.report.resolve.{rid}").click().run())
    with SqliteStore.open(workspace) as ws:
        closed = ws.reports("Arizona", status=None).iloc[0]
    assert closed["status"] == "resolved" and int(closed["change_id"]) == fix
    assert closed["closing_note"] == "Price updated from their site"


def test_a_workspace_restored_from_elsewhere_shows_its_own_published_list(workspace):
    """Snapshot ids restart at 1 in a new file: the cache must not serve the old list."""
    at = ok(AppTest.from_file(APP, default_timeout=60).run())
    assert "Desert Clinic" in at.dataframe[0].value["name"].tolist()
    workspace.unlink()
    with SqliteStore.open(workspace) as ws:
        ws.create_list("Arizona", "ben")
        rows = [full_clinic(id="new-1", name="Restored Clinic")]
        ws.import_table("Arizona", parse_directory(csv_of(rows), "r.csv").table, "ben", "r")
        ws.publish_snapshot("Arizona", "ben")
        assert ws.live_snapshot_id("Arizona") == 1
    at = ok(AppTest.from_file(APP, default_timeout=60).run())
    assert at.dataframe[0].value["name"].tolist() == ["Restored Clinic"]


def test_a_report_opens_its_clinic_alone_once(workspace):
    send(open_detail("az-2"), "clinic", "other", "Phone is wrong")
    at = ok(open_detail("az-2").switch_page("ui/advocates/reports.py").run())
    rid = next(b.key for b in at.button if b.key and b.key.startswith("w.report.edit."))
    ok(at.button(key=rid).click().run())
    assert at.data_editor[0].value["id"].tolist() == ["az-2"]
    at.switch_page("ui/advocates/clinics.py")  # where st.switch_page took the browser
    at.selectbox(key="w.curate.focus").set_value("")
    ok(at.run())
    assert len(at.data_editor[0].value) == 2
    ok(at.switch_page("ui/advocates/history.py").run())
    ok(at.switch_page("ui/advocates/clinics.py").run())
    assert len(at.data_editor[0].value) == 2  # the report's focus does not come back
