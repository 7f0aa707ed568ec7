"""The NPI registry client against a real HTTP server on 127.0.0.1 answering like NPPES 2.1."""

import datetime as dt

import pytest

from cli import main
from providers.sources.registry import NpiRegistry, RegistryError, verify
from scoring import default_checklist
from tests.conftest import csv_of

COUNTED = default_checklist().npi_registry.codes

ANESTHESIOLOGIST = {
    "number": "1234567893",
    "enumeration_type": "NPI-1",
    "basic": {"first_name": "ANA", "last_name": "EXAMPLE", "credential": "MD", "status": "A"},
    "addresses": [
        {
            "address_purpose": "MAILING",
            "address_1": "PO BOX 1",
            "city": "PHOENIX",
            "state": "AZ",
            "postal_code": "850010001",
        },
        {
            "address_purpose": "LOCATION",
            "address_1": "7400 E MAIN ST",
            "city": "SCOTTSDALE",
            "state": "AZ",
            "postal_code": "852511234",
            "telephone_number": "480-555-0100",
        },
    ],
    "taxonomies": [
        {"code": "207LP2900X", "desc": "Anesthesiology, Pain Medicine", "primary": True}
    ],
}
ORGANISATION = {
    "number": "1245319599",
    "enumeration_type": "NPI-2",
    "basic": {"organization_name": "KETAMINE EXAMPLE CLINIC LLC", "status": "A"},
    "addresses": [{"address_purpose": "LOCATION", "address_1": "1 FIRST AVE", "city": "MESA",
                   "state": "AZ", "postal_code": "85201"}],
    "taxonomies": [{"code": "261QM1300X", "desc": "Clinic/Center, Multi-Specialty",
                    "primary": True}],
}  # fmt: skip


def answer(*results):
    return {"result_count": len(results), "results": list(results)}


@pytest.fixture
def registry(httpserver):
    return NpiRegistry(httpserver.url_for("/api/"), timeout=1, min_interval=0, backoff=0.01)


def test_an_active_matching_individual_verifies(httpserver, registry):
    httpserver.expect_request(
        "/api/", query_string={"version": "2.1", "number": "1234567893"}
    ).respond_with_json(answer(ANESTHESIOLOGIST))
    result = verify(
        "c1", "1234567893", "7400 E Main St", "85251", registry, COUNTED, dt.date(2026, 11, 21)
    )
    assert result.answer == "yes" and result.problems == ()
    assert result.record.name == "ANA EXAMPLE, MD" and result.record.kind == "individual"
    assert result.specialties == ("Anesthesiology, Pain Medicine",)
    assert result.source.endswith("?version=2.1&number=1234567893")
    assert result.verified_on == dt.date(2026, 11, 21)


def test_mismatches_are_shown_not_hidden(httpserver, registry):
    inactive = {**ORGANISATION, "basic": {**ORGANISATION["basic"], "status": "D"}}
    httpserver.expect_request("/api/").respond_with_json(answer(inactive))
    result = verify("c2", "1245319599", "9 Other Rd", "85004", registry, COUNTED)
    assert result.answer == "no"
    text = " | ".join(result.problems)
    assert "not active" in text and "261QM1300X" in text and "MESA AZ 85201" in text


def test_an_unknown_npi_is_a_no_with_a_reason(httpserver, registry):
    httpserver.expect_request("/api/").respond_with_json(answer())
    result = verify("c3", "1234567893", "", "", registry, COUNTED)
    assert result.answer == "no" and result.problems == ("no such NPI in the registry",)


def test_registry_errors_and_malformed_answers_are_clear(httpserver, registry):
    httpserver.expect_ordered_request("/api/").respond_with_json(
        {"Errors": [{"description": "Invalid NPI number", "field": "number"}]}
    )
    httpserver.expect_ordered_request("/api/").respond_with_data(
        "{oops", content_type="application/json"
    )
    httpserver.expect_ordered_request("/api/").respond_with_data("no", status=400)
    with pytest.raises(RegistryError, match="Invalid NPI number"):
        registry.lookup("1")
    with pytest.raises(RegistryError, match="not valid JSON"):
        registry.lookup("1")
    with pytest.raises(RegistryError, match="HTTP 400"):
        registry.lookup("1")
    assert len(httpserver.log) == 3  # none of these is retried


def test_transient_errors_are_retried_then_given_up(httpserver, registry):
    httpserver.expect_ordered_request("/api/").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/api/").respond_with_json(answer(ANESTHESIOLOGIST))
    assert registry.lookup("1234567893").number == "1234567893"
    httpserver.clear()
    httpserver.expect_request("/api/").respond_with_data("down", status=500)
    with pytest.raises(RegistryError, match="after 3 attempts"):
        registry.lookup("1234567893")


def test_search_pages_through_organisations(httpserver, registry):
    records = [{**ORGANISATION, "number": f"10000000{i:02d}"} for i in range(5)]
    for skip in (0, 2, 4):
        httpserver.expect_request(
            "/api/",
            query_string={
                "version": "2.1",
                "enumeration_type": "NPI-2",
                "organization_name": "ketamine*",
                "state": "AZ",
                "limit": "2",
                "skip": str(skip),
            },
        ).respond_with_json(answer(*records[skip : skip + 2]))
    found = registry.search(name="ketamine*", state="AZ", limit=2)
    assert [r.number for r in found] == [r["number"] for r in records]
    with pytest.raises(RegistryError, match="give a name"):
        registry.search()


def test_requests_are_spaced(httpserver):
    httpserver.expect_request("/api/").respond_with_json(answer())
    slow = NpiRegistry(httpserver.url_for("/api/"), min_interval=0.2)
    start = dt.datetime.now()
    for _ in range(3):
        slow.lookup("1234567893")
    assert (dt.datetime.now() - start).total_seconds() >= 0.4


def test_cli_verify_npi_records_the_evidence(httpserver, tmp_path, capsys, monkeypatch):
    httpserver.expect_request(
        "/api/", query_string={"version": "2.1", "number": "1234567893"}
    ).respond_with_json(answer(ANESTHESIOLOGIST))
    httpserver.expect_request(
        "/api/", query_string={"version": "2.1", "number": "1245319599"}
    ).respond_with_json(answer(ORGANISATION))
    monkeypatch.setenv("CLINIC_COMPARE_NPI_URL", httpserver.url_for("/api/"))
    directory = tmp_path / "d.csv"
    directory.write_bytes(
        csv_of(
            [
                {"id": "a", "name": "A", "npi": "1234567893", "postal_code": "85251"},
                {
                    "id": "b",
                    "name": "B",
                    "npi": "1245319599",
                    "postal_code": "85201",
                    "expertise.source": "https://example.org/team",
                    "expertise.verified_on": "2026-01-01",
                },
                {"id": "c", "name": "C"},
            ]
        )
    )
    assert main(["verify-npi", str(directory), "--out", str(tmp_path / "out.csv")]) == 0
    err = capsys.readouterr().err
    assert "a NPI 1234567893: yes" in err and "b NPI 1245319599: no" in err and "2 of 2" in err
    from providers.directory import read_directory

    out = read_directory(tmp_path / "out.csv").table.set_index("id")
    assert str(out.loc["a", "expertise.npi_verified"]) == "yes"
    assert out.loc["a", "expertise.source"].startswith(httpserver.url_for("/api/"))
    assert str(out.loc["b", "expertise.npi_verified"]) == "no"
    assert out.loc["b", "expertise.source"] == "https://example.org/team"  # kept
    assert str(out.loc["c", "expertise.npi_verified"]) == "unknown"
