"""Patients' problem reports: checks, rate limits, nothing stored on refusal, closing, context."""

import datetime as dt
import tomllib
import unicodedata
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.curation import (
    ReportLimits,
    ReportRefused,
    WorkspaceError,
    open_reports,
    report_details,
    report_fields,
    submit_report,
)
from providers.directory import build_schema, parse_directory, read_directory
from scoring.checklist import parse_checklist
from tests.curation.conftest import scalar

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
MANY = ReportLimits(per_session=10**6, per_clinic_per_hour=10**6, global_per_hour=10**6)


@pytest.fixture
def fields(checklist, schema):
    return report_fields(checklist, schema)


@pytest.fixture
def item(checklist):
    return checklist.tristate_items[0]


def send(ws, fields, **given):
    """Submit a report with plausible defaults, overridden by `given`."""
    args = {
        "list_name": "Arizona",
        "clinic_id": "demo-001",
        "field": "phone",
        "description": "The number is disconnected.",
        "contact_email": None,
        "session_count": 0,
        "now": NOW,
        "allowed_fields": fields,
    } | given
    return submit_report(ws, **args)


def stored(ws) -> int:
    return ws.count_rows("reports")


# --- what may be reported -------------------------------------------------------------------


def test_report_fields_closed_first_then_facts_then_every_item_then_other(checklist, schema):
    fields = report_fields(checklist, schema)
    keys = list(fields)
    assert keys[0] == "closed" and fields["closed"] == "The clinic has closed"
    assert keys[-1] == "other" and fields["other"] == "Something else"
    items = [i for c in checklist.criteria for i in c.items if i.column in schema.names]
    assert items and keys[-1 - len(items) : -1] == [i.column for i in items]
    for i in items:
        assert fields[i.column] == f"{checklist.criterion(i.criterion).label}: {i.label}"
    facts = keys[1 : -1 - len(items)]
    assert {"name", "address", "phone", "website", "price_per_session"} <= set(facts)
    assert facts == [n for n in schema.names if n in facts]  # in the directory's order
    internal = {"id", "latitude", "longitude", "location_precision"}
    internal |= {c.source_column for c in checklist.criteria}
    internal |= {c.verified_column for c in checklist.criteria}
    assert not internal & set(fields)
    assert all(label.strip() for label in fields.values())


def test_a_new_checklist_item_can_be_reported_without_code_changes():
    raw = tomllib.loads(resources.files("scoring").joinpath("checklist.toml").read_text("utf-8"))
    raw["criteria"][1]["items"].append(
        {"key": "new_item", "label": "Brand new", "points": 1, "evidence": "e", "question": "q?"}
    )
    checklist = parse_checklist(raw)
    fields = report_fields(checklist, build_schema(checklist))
    column = f"{raw['criteria'][1]['key']}.new_item"
    assert fields[column] == f"{raw['criteria'][1]['label']}: Brand new"


# --- submitting -----------------------------------------------------------------------------


def test_a_report_is_stored_cleaned_with_nothing_else_about_the_reporter(ws, fields):
    report = send(ws, fields, description="  Wrong\x1b[31m number\r\nsince May\x00  ",
                  contact_email=" pat@example.org ")  # fmt: skip
    row = ws.reports("Arizona").set_index("id").loc[report]
    assert row["description"] == "Wrong[31m number\nsince May"
    assert row["contact_email"] == "pat@example.org"
    assert row["clinic_id"] == "demo-001" and row["field"] == "phone"
    assert row["status"] == "open" and row["created_at"] == "2026-11-21T12:00:00+00:00"
    assert row["closed_by"] == row["closed_at"] == row["closing_note"] == ""
    columns = set(ws.table_columns("reports"))
    assert columns == {
        "id", "list_id", "clinic_id", "field", "description", "contact_email", "created_at",
        "status", "closed_by", "closed_at", "closing_note", "change_id",
    }  # fmt: skip


def test_the_e_mail_address_is_optional(ws, fields):
    first = send(ws, fields, contact_email=None)
    second = send(ws, fields, contact_email="   ")
    emails = ws.reports("Arizona").set_index("id")["contact_email"]
    assert emails[first] == emails[second] == ""
    assert scalar(ws, "SELECT COUNT(*) FROM reports WHERE contact_email IS NULL")


@pytest.mark.parametrize(
    "given, message",
    [
        ({"description": ""}, "say what is wrong"),
        ({"description": " \n\t "}, "say what is wrong"),
        ({"description": "\x00\x07\x1b"}, "say what is wrong"),
        ({"description": "x" * 1001}, "1000 characters"),
        ({"field": "notes"}, "choose what is wrong"),
        ({"field": "id"}, "choose what is wrong"),
        ({"clinic_id": "demo-999"}, "not in the list"),
        ({"list_name": "Nowhere"}, "'Nowhere' is not available"),
        ({"contact_email": "pat"}, "e-mail address"),
        ({"contact_email": "pat@example"}, "e-mail address"),
        ({"contact_email": "pat@@example.org"}, "e-mail address"),
        ({"contact_email": "pat@home@example.org"}, "e-mail address"),
        ({"contact_email": "@example.org"}, "e-mail address"),
        ({"contact_email": "pat@.org"}, "e-mail address"),
        ({"contact_email": "pat@example."}, "e-mail address"),
        ({"contact_email": "pat smith@example.org"}, "e-mail address"),
        ({"contact_email": "pat\x00@example.org"}, "e-mail address"),
        ({"contact_email": "pat@exa\u202emple.org"}, "e-mail address"),
        ({"contact_email": "p" * 243 + "@example.org"}, "e-mail address"),
    ],
)
def test_each_check_refuses_and_stores_nothing(ws, fields, given, message):
    with pytest.raises(ReportRefused, match=message):
        send(ws, fields, **given)
    assert stored(ws) == 0


def test_the_longest_description_and_address_are_accepted(ws, fields):
    address = "p" * 242 + "@example.org"
    assert len(address) == 254
    report = send(ws, fields, description="y" * 1000, contact_email=address)
    row = ws.reports("Arizona").set_index("id").loc[report]
    assert row["description"] == "y" * 1000 and row["contact_email"] == address


def test_a_description_is_measured_after_cleaning(ws, fields):
    send(ws, fields, description="  " + "z" * 1000 + "\x00" * 50 + "  ")
    assert ws.reports("Arizona")["description"].tolist() == ["z" * 1000]


def test_a_refusal_is_a_clinic_compare_error_for_the_faces(ws, fields):
    from scoring import ClinicCompareError

    with pytest.raises(ClinicCompareError):
        send(ws, fields, description="")


# --- rate limits ----------------------------------------------------------------------------


def test_a_page_session_sends_at_most_three(ws, fields):
    send(ws, fields, session_count=2)
    with pytest.raises(ReportRefused, match="This page has sent 3 reports already; thank you"):
        send(ws, fields, session_count=3)
    assert stored(ws) == 1


def test_one_clinic_gets_at_most_five_an_hour(ws, fields):
    for minute in range(5):
        send(ws, fields, now=NOW + minute * MINUTE)
    with pytest.raises(ReportRefused, match="in an hour"):
        send(ws, fields, now=NOW + 59 * MINUTE)
    assert stored(ws) == 5
    send(ws, fields, clinic_id="demo-002", now=NOW + 59 * MINUTE)  # another clinic is fine
    # An hour after the first report, it stops counting.
    send(ws, fields, now=NOW + 60 * MINUTE)
    assert stored(ws) == 7
    with pytest.raises(ReportRefused):
        send(ws, fields, now=NOW + 60 * MINUTE)


def test_the_whole_workspace_gets_at_most_a_hundred_an_hour(ws, fields):
    ws.create_list("Ontario", "ana")
    table = parse_directory(b"id,name\non-1,Lakeside\n", "x.csv").table
    ws.import_table("Ontario", table, "ana", "test")
    limits = ReportLimits(per_clinic_per_hour=10**6)
    for n in range(100):
        where = {"list_name": "Ontario", "clinic_id": "on-1"} if n % 2 else {}
        send(ws, fields, now=NOW + (n % 50) * MINUTE, limits=limits, **where)
    with pytest.raises(ReportRefused, match="Too many reports are arriving right now"):
        send(ws, fields, now=NOW + 50 * MINUTE, limits=limits, clinic_id="demo-050")
    with pytest.raises(ReportRefused, match="Too many reports"):  # every list counts
        send(ws, fields, now=NOW + 50 * MINUTE, limits=limits, list_name="Ontario",
             clinic_id="on-1")  # fmt: skip
    assert stored(ws) == 100
    # The reports of the first two minutes are more than an hour old by then.
    send(ws, fields, now=NOW + 61 * MINUTE, limits=limits, clinic_id="demo-050")
    assert stored(ws) == 101


def test_the_limits_can_be_set(ws, fields):
    limits = ReportLimits(max_description=10, per_session=1, per_clinic_per_hour=1)
    with pytest.raises(ReportRefused, match="10 characters"):
        send(ws, fields, description="x" * 11, limits=limits)
    send(ws, fields, description="x" * 10, limits=limits)
    with pytest.raises(ReportRefused, match="many reports in the last hour"):
        send(ws, fields, description="short", limits=limits)
    with pytest.raises(ReportRefused, match="sent 1 reports"):
        send(ws, fields, description="short", session_count=1, limits=limits, clinic_id="demo-002")
    assert stored(ws) == 1


def test_counting_reports(ws, fields):
    send(ws, fields, now=NOW)
    send(ws, fields, now=NOW + 10 * MINUTE, clinic_id="demo-002")
    assert ws.count_reports_since("Arizona", "demo-001", NOW - MINUTE) == 1
    assert ws.count_reports_since("Arizona", None, NOW - MINUTE) == 2
    assert ws.count_reports_since("Arizona", None, NOW) == 1  # strictly after
    assert ws.count_reports_since("Arizona", "demo-002", NOW + 10 * MINUTE) == 0


# --- any description: stored as cleaned, or refused; never another exception ----------------


def expected(description: str) -> str:
    kept = (
        c for c in description if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf", "Cs")
    )
    return "".join(kept).strip()


@pytest.fixture(scope="module")
def tiny(shared_store):
    shared_store.create_list("L", "ana")
    table = parse_directory(b"id,name\nc1,Clinic\n", "x.csv").table
    shared_store.import_table("L", table, "a", "t")
    return shared_store


DESCRIPTIONS = st.one_of(
    st.text(),
    st.text(min_size=990, max_size=1100),
    st.text(st.sampled_from(["\x00", "\r", "\n", "\t", " ", "\x1b", "\u2028", "\x85", "a", "é"])),
)


@settings(max_examples=150, deadline=None)
@given(description=DESCRIPTIONS)
def test_any_description_is_stored_as_cleaned_or_refused(tiny, description):
    try:
        report = submit_report(tiny, "L", "c1", "other", description, None, session_count=0,
                               now=NOW, limits=MANY, allowed_fields={"other"})  # fmt: skip
    except ReportRefused:
        assert not expected(description) or len(expected(description)) > 1000
        return
    assert tiny.reports("L").set_index("id").loc[report, "description"] == expected(description)


# --- closing --------------------------------------------------------------------------------


def test_resolving_and_dismissing(ws, fields):
    first, second = send(ws, fields), send(ws, fields, clinic_id="demo-002")
    ws.save_clinic("Arizona", "demo-001", {"phone": "(480) 555-0123"}, 1, "ana")
    fix = int(ws.history("Arizona", "demo-001")["id"].iloc[-1])
    ws.close_report("Arizona", first, "resolved", "ana", "  New number from their site ", fix)
    ws.close_report("Arizona", second, "dismissed", "ben", "The number is right")
    assert ws.reports("Arizona").empty
    resolved = ws.reports("Arizona", "resolved").set_index("id").loc[first]
    assert resolved["closed_by"] == "ana" and resolved["change_id"] == fix
    assert resolved["closing_note"] == "New number from their site"
    assert dt.datetime.fromisoformat(resolved["closed_at"]).utcoffset() == dt.timedelta(0)
    dismissed = ws.reports("Arizona", "dismissed").set_index("id").loc[second]
    assert dismissed["closing_note"] == "The number is right"
    assert dismissed["closed_by"] == "ben"
    assert str(dismissed["change_id"]) == "<NA>"
    assert ws.reports("Arizona", None)["id"].tolist() == [second, first]


@pytest.mark.parametrize(
    "status, note, change, message",
    [
        ("dismissed", "  ", None, "say why the report is dismissed"),
        ("resolved", "", None, "say what was done"),
        ("dismissed", "dup", 1, "no fixing change"),
        ("resolved", "fixed", 10**6, "no change 1000000"),
        ("open", "x", None, "resolved or dismissed"),
    ],
)
def test_closing_is_refused_without_what_it_needs(ws, fields, status, note, change, message):
    report = send(ws, fields)
    with pytest.raises(WorkspaceError, match=message):
        ws.close_report("Arizona", report, status, "ana", note, change)
    assert ws.reports("Arizona")["id"].tolist() == [report]  # still open


def test_only_an_open_report_of_that_list_can_be_closed(ws, fields):
    report = send(ws, fields)
    ws.create_list("Other", "ana")
    with pytest.raises(WorkspaceError, match=f"no report {report} in 'Other'"):
        ws.close_report("Other", report, "dismissed", "ana", "not ours")
    with pytest.raises(WorkspaceError, match="no report 999"):
        ws.close_report("Arizona", 999, "dismissed", "ana", "nothing")
    ws.close_report("Arizona", report, "dismissed", "ana", "duplicate")
    with pytest.raises(WorkspaceError, match="already dismissed"):
        ws.close_report("Arizona", report, "resolved", "ben", "fixed after all")
    assert ws.reports("Arizona", "dismissed")["closed_by"].tolist() == ["ana"]


def test_a_change_of_another_list_does_not_resolve_a_report(ws, fields):
    ws.create_list("Other", "ana")
    table = parse_directory(b"id,name\nx-1,Elsewhere\n", "x.csv").table
    ws.import_table("Other", table, "ana", "test")
    theirs = int(ws.history("Other", "x-1")["id"].iloc[-1])
    report = send(ws, fields)
    with pytest.raises(WorkspaceError, match=f"no change {theirs} in 'Arizona'"):
        ws.close_report("Arizona", report, "resolved", "ana", "fixed", theirs)


def test_an_unknown_status_is_refused(ws):
    with pytest.raises(WorkspaceError, match="not a report status"):
        ws.reports("Arizona", "closed")
    with pytest.raises(WorkspaceError, match="no list called"):
        ws.reports("Nowhere")


def test_open_report_dates_are_the_oldest_open_report_per_clinic(ws, fields):
    day = dt.timedelta(days=1)
    send(ws, fields, now=NOW - 3 * day)
    send(ws, fields, now=NOW)
    closed = send(ws, fields, clinic_id="demo-002", now=NOW - 5 * day)
    send(ws, fields, clinic_id="demo-002", now=NOW - day)
    gone = send(ws, fields, clinic_id="demo-003", now=NOW)
    ws.close_report("Arizona", closed, "dismissed", "ana", "spam")
    ws.close_report("Arizona", gone, "dismissed", "ana", "spam")
    assert ws.open_report_dates("Arizona") == {"demo-001": "2026-11-18", "demo-002": "2026-11-20"}


# --- the advocates' queue ---------------------------------------------------------------------


def test_open_reports_show_the_current_value_and_the_evidence_date(ws, fields, checklist, item):
    criterion = checklist.criterion(item.criterion)
    clinic = ws.load("Arizona")[0].table.set_index("id").loc["demo-001"]
    about_item = send(ws, fields, field=item.column, now=NOW)
    about_phone = send(ws, fields, clinic_id="demo-002", now=NOW + MINUTE)
    closed = send(ws, fields, field="closed", now=NOW + 2 * MINUTE)
    ws.save_clinic("Arizona", "demo-002", {"phone": "=1+2"}, 1, "ana")  # stored guarded
    frame = open_reports(ws, "Arizona", checklist).set_index("id")
    assert frame.index.tolist() == [closed, about_phone, about_item]  # newest first
    row = frame.loc[about_item]
    assert row["clinic_name"] == clinic["name"]
    assert row["field_label"] == f"{criterion.label}: {item.label}"
    assert row["current_value"] == str(clinic[item.column])
    verified = clinic[criterion.verified_column]
    assert row["evidence_date"] == verified.date().isoformat() and row["evidence_date"]
    phone = frame.loc[about_phone]
    assert phone["current_value"] == "=1+2"  # as typed, not as guarded for spreadsheets
    assert phone["evidence_date"] == "" and phone["field_label"] == "Phone number"
    gone = frame.loc[closed]
    assert gone["current_value"] == gone["evidence_date"] == ""
    assert gone["field_label"] == "The clinic has closed"


def test_open_reports_follow_edits_and_closing(ws, fields, checklist, item):
    report = send(ws, fields, field=item.column)
    before = open_reports(ws, "Arizona", checklist).loc[0, "current_value"]
    after = "no" if before == "yes" else "yes"
    ws.save_clinic("Arizona", "demo-001", {item.column: after}, 1, "ana")
    assert open_reports(ws, "Arizona", checklist).loc[0, "current_value"] == after
    ws.close_report("Arizona", report, "resolved", "ana", "checked")
    assert open_reports(ws, "Arizona", checklist).empty
    assert len(report_details(ws, "Arizona", checklist, None)) == 1


def test_no_reports_is_an_empty_table_with_every_column(ws, checklist):
    frame = open_reports(ws, "Arizona", checklist)
    assert frame.empty
    for column in ("id", "clinic_id", "clinic_name", "field_label", "current_value",
                   "evidence_date", "description", "contact_email", "created_at"):  # fmt: skip
        assert column in frame.columns


def test_a_report_about_a_field_no_longer_offered_keeps_its_name(ws, fields, checklist):
    now = NOW
    report = ws.add_report("Arizona", "demo-001", "retired.item", "old", None, now)
    row = open_reports(ws, "Arizona", checklist).set_index("id").loc[report]
    assert row["field_label"] == "retired.item" and row["current_value"] == ""


def test_many_reports_each_get_their_own_clinic_s_context(new_store, checklist):
    rows = "".join(f"c{n},Clinic {n},555-{n:04d}\n" for n in range(2000))
    table = parse_directory(("id,name,phone\n" + rows).encode(), "x.csv").table
    with new_store() as ws:
        ws.create_list("Big", "ana")
        ws.import_table("Big", table, "ana", "t")
        for n in range(2000):
            ws.add_report("Big", f"c{n}", "phone", "wrong", None, NOW + n * MINUTE)
        frame = open_reports(ws, "Big", checklist)
    assert len(frame) == 2000
    assert frame["current_value"].tolist() == [f"555-{n:04d}" for n in reversed(range(2000))]


def test_the_demo_fixture_list_is_untouched_by_reports(ws, fields):
    send(ws, fields)
    assert ws.load("Arizona")[1]["demo-001"] == 1  # a report is not an edit
    assert len(ws.load("Arizona")[0].table) == len(read_directory("demo").table)
