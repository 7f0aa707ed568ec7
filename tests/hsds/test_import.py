"""HSDS import: our own packages come back exactly (folder, .zip and the JSON form), anyone
else's become clinics with what has no place counted, and the specification's example works."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.directory import read_directory
from providers.hsds import HsdsImport, export_hsds, hsds_tables, read_hsds, write_hsds
from tests.conftest import full_clinic
from tests.directory.test_formulas import HOSTILE
from tests.hsds.conftest import SPEC_EXAMPLE, directory, hostile_rows


def zipped(files: dict[str, bytes], folder: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(folder + name, data)
    return buffer.getvalue()


def assert_same_directory(back: HsdsImport, table: pd.DataFrame) -> None:
    assert back.problems.empty, back.problems.to_dict("records")
    assert back.set_aside.empty, back.set_aside.to_dict("records")
    assert back.result.problems.empty, back.result.problems.to_dict("records")
    pd.testing.assert_frame_equal(back.result.table, table, check_dtype=False)


@pytest.mark.parametrize("form", ["folder", "zip", "zip in a folder", "json"])
def test_the_demo_comes_back_exactly(form, tmp_path, checklist):
    table = read_directory("demo").table
    files = export_hsds(table, list_name="Arizona")
    source: object
    if form == "folder":
        source = write_hsds(files, tmp_path / "pkg")
    elif form == "zip":
        source = write_hsds(files, tmp_path / "pkg.zip")
    elif form == "zip in a folder":
        source = zipped(files, "export/")
    else:
        source = json.dumps(nested(hsds_tables(table, list_name="Arizona"))).encode()
    back = read_hsds(source)  # type: ignore[arg-type]
    assert back.checklist_version == checklist.version
    assert_same_directory(back, table)


def test_hostile_text_comes_back_exactly():
    table = directory(*hostile_rows())
    back = read_hsds(zipped(export_hsds(table, list_name="=cmd|' /C calc'!A0")))
    assert_same_directory(back, table)
    json_back = read_hsds(json.dumps(nested(hsds_tables(table, list_name="x"))).encode())
    assert_same_directory(json_back, table)


# --- generated directories -------------------------------------------------------------------

TEXT = st.one_of(HOSTILE, st.text(max_size=12)).map(lambda t: t.replace("\x00", ""))
URLS = st.one_of(
    st.sampled_from(["", "https://example.org/a", "http://x.example/;=1?q=2", "example.com/x"]),
    st.text(st.characters(min_codepoint=33, max_codepoint=0x2FF), max_size=15).map(
        lambda t: "https://example.org/" + t
    ),
)
# Within what pandas can hold (the directory reader cannot yet read later dates, see report).
DATES = st.one_of(
    st.just(""),
    st.dates(dt.date(1700, 1, 1), dt.date(2200, 12, 31)).map(lambda d: d.isoformat()),
)
TRISTATE = st.sampled_from(["yes", "no", "unknown", ""])


def _value(kind: str):
    return {
        "id": st.one_of(st.just(""), TEXT),
        "required": TEXT.filter(lambda t: t.strip() != ""),
        "text": TEXT,
        "region": st.one_of(st.sampled_from(["AZ", "on", ""]), TEXT),
        "postal_code": st.sampled_from(["", "85251", "02139-1234", "M5V 2T6", "bad"]),
        "country": st.sampled_from(["", "US", "CA", "Canada", "FR"]),
        "number": st.one_of(
            st.just(""), st.floats(-200, 200, allow_nan=False).map(repr), st.integers(0, 999)
        ),
        "count": st.one_of(st.just(""), st.integers(0, 10**6)),
        "precision": st.sampled_from(["", "exact", "postal_code", "city", "none"]),
        "url": URLS,
        "npi": st.sampled_from(["", "1234567893", "1234567890"]),
        "routes": st.sampled_from(["", "IV", "IV;IM", "oral;intranasal", "pill"]),
        "tristate": TRISTATE,
        "currency": st.sampled_from(["", "USD", "CAD", "EUR"]),
        "date": DATES,
        "status": st.sampled_from(
            ["", "open", "temporarily closed", "closed", "unknown", "Permanently_Closed", "gone"]
        ),
    }[kind]


@st.composite
def directories(draw, schema):
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        columns = draw(st.lists(st.sampled_from(schema.columns), unique=True, max_size=25))
        row = dict.fromkeys(schema.names, "") | {"name": "x"}  # every column: one dtype each
        for column in columns:
            row[column.name] = draw(_value(column.kind))
        rows.append(row)
    return directory(*rows) if rows else read_directory("demo").table.iloc[0:0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), list_name=TEXT)
def test_export_then_import_gives_back_the_same_directory(data, list_name, schema):
    table = data.draw(directories(schema))
    files = export_hsds(table, list_name=list_name)
    assert_same_directory(read_hsds(zipped(files)), table)


# --- the JSON form ---------------------------------------------------------------------------


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON objects: blanks as null, numbers as numbers."""
    out = []
    for record in frame.to_dict("records"):
        out.append(
            {
                k: (None if v == "" or (isinstance(v, float) and math.isnan(v)) else v)
                for k, v in record.items()
            }
        )
    return out


def nested(tables: dict[str, pd.DataFrame]) -> dict:
    """The JSON form of an export: a page of organizations, each with its services nested
    (and their locations, phones, prices and attributes with their taxonomy terms)."""

    def by(name: str, key: str) -> dict[str, list[dict]]:
        groups: dict[str, list[dict]] = {}
        for record in _records(tables[name]):
            groups.setdefault(record[key], []).append(record)
        return groups

    taxonomies = {r["id"]: r for r in _records(tables["taxonomy"])}
    terms = {
        r["id"]: {**r, "taxonomy_detail": taxonomies.get(r["taxonomy_id"])}
        for r in _records(tables["taxonomy_term"])
    }
    attributes = by("attribute", "link_id")
    addresses = by("address", "location_id")
    locations = {
        r["id"]: {**r, "addresses": addresses.get(r["id"], [])}
        for r in _records(tables["location"])
    }
    sal = by("service_at_location", "service_id")
    phones, costs = by("phone", "service_id"), by("cost_option", "service_id")
    identifiers = by("organization_identifier", "organization_id")
    services = by("service", "organization_id")
    contents = []
    for org in _records(tables["organization"]):
        org = {**org, "organization_identifiers": identifiers.get(org["id"], []), "services": []}
        for service in services.get(org["id"], []):
            service_id = service["id"]
            org["services"].append(
                {
                    **{k: v for k, v in service.items() if k != "organization_id"},
                    "service_at_locations": [
                        {
                            **{k: v for k, v in s.items() if k != "location_id"},
                            "location": locations[s["location_id"]],
                        }
                        for s in sal.get(service_id, [])
                    ],
                    "phones": phones.get(service_id, []),
                    "cost_options": costs.get(service_id, []),
                    "attributes": [
                        {**a, "taxonomy_term": terms[a["taxonomy_term_id"]]}
                        for a in attributes.get(service_id, [])
                    ],
                }
            )
        contents.append(org)
    return {"total_items": len(contents), "contents": contents}


def test_a_single_service_in_the_json_form_with_its_organization_nested():
    service = {
        "id": "ac148810-d857-441c-9679-408f346de14b",
        "name": "Ketamine infusions",
        "status": "active",
        "url": "https://clinic.example.org/ketamine",
        "organization": {
            "id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
            "name": "Desert Pain Clinic",
            "description": "A pain clinic.",
            "organization_identifiers": [
                {"identifier_type": "NPI", "identifier": "1234567893"},
                {"identifier_scheme": "US-EIN", "identifier_type": "EIN", "identifier": "12-3"},
            ],
        },
        "service_at_locations": [
            {
                "location": {
                    "id": "3a19ff88-4620-4d17-9830-ac1d859eb5d5",
                    "location_type": "physical",
                    "latitude": 33.5,
                    "longitude": -111.9,
                    "addresses": [
                        {
                            "address_1": "1 Main St",
                            "city": "Scottsdale",
                            "state_province": "AZ",
                            "postal_code": "85251",
                            "country": "US",
                            "address_type": "physical",
                        }
                    ],
                    "languages": [{"name": "Spanish", "code": "es"}],
                },
                "phones": [{"number": "(480) 555-0100"}],
            }
        ],
        "cost_options": [{"currency": "USD", "amount": 450}],
        "schedules": [{"freq": "WEEKLY", "byday": "MO"}],
        "x_custom": {"anything": 1},
    }
    back = read_hsds(json.dumps(service).encode())
    clinic = back.result.table.iloc[0]
    assert back.result.problems.empty, back.result.problems
    assert clinic["name"] == "Desert Pain Clinic"
    assert (clinic["address"], clinic["city"], clinic["region"]) == (
        "1 Main St",
        "Scottsdale",
        "AZ",
    )
    assert (clinic["latitude"], clinic["longitude"]) == (33.5, -111.9)
    assert clinic["phone"] == "(480) 555-0100"
    assert clinic["npi"] == "1234567893"
    assert (clinic["price_per_session"], clinic["currency"]) == (450, "USD")
    assert clinic["website"] == "https://clinic.example.org/ketamine"
    assert clinic["notes"] == "A pain clinic."
    assert clinic["telehealth"] == "unknown"  # nothing said, nothing invented
    aside = back.set_aside.set_index(["table", "what"])["rows"]
    assert aside[("schedule", "all rows (no place in a clinic directory)")] == 1
    assert aside[("language", "all rows (no place in a clinic directory)")] == 1
    assert aside[("organization_identifier", "identifiers other than the NPI")] == 1
    assert aside[("service", "JSON property x_custom (not a field of HSDS 3.0)")] == 1


# --- anyone's packages -----------------------------------------------------------------------


def test_the_specifications_example_package_imports_with_a_report():
    back = read_hsds(SPEC_EXAMPLE)
    table = back.result.table
    assert len(table) == 1
    clinic = table.iloc[0]
    assert clinic["id"] == "e94c9f38-1e8f-4564-91d4-d53501ab1765"  # the service at location
    assert clinic["name"] == "Example Organization Inc."
    assert clinic["address"] == "1-30 Main Street, MyVillage"
    assert (clinic["city"], clinic["region"], clinic["country"]) == ("MyCity", "MyState", "US")
    assert clinic["website"] == "http://example.com/counselling"
    assert clinic["phone"] == '"+44 1234 234567" ext. 100'
    assert clinic["notes"].startswith("Counselling Services provided by trained professionals.")
    # A price in pounds is not relabelled as dollars.
    assert math.isnan(clinic["price_per_session"]) and clinic["currency"] == ""
    aside = back.set_aside.set_index(["table", "what"])["rows"]
    for name in ("schedule", "language", "contact", "funding", "program", "accessibility"):
        assert aside[(name, "all rows (no place in a clinic directory)")] == 1
    assert aside[("attribute", "terms of other taxonomies")] == 1
    assert aside[("service", "field eligibility_description")] == 1
    assert aside[("cost_option", "prices in a currency the directory does not support")] == 1
    messages = " ".join(back.problems["message"])
    assert "taxonomy_id points at a taxonomy that is not in the package" in messages
    assert "currency the directory does not support" in messages
    # The example's latitude of 100 is out of range: the directory's own rules report it.
    assert "latitude" in set(back.result.problems["column"])


def test_other_taxonomies_are_set_aside_and_ours_come_back_exactly(checklist):
    table = directory(full_clinic(id="a"), {"id": "b", "name": "B"})
    tables = hsds_tables(table, list_name="L")
    service = tables["service"]["id"].iloc[0]
    tables["taxonomy"] = pd.concat(
        [tables["taxonomy"], pd.DataFrame([{"id": "0bc248fa-dc27-4650-9ba4-8f1a24ef16a2",
                                            "name": "Open Eligibility", "description": "d"}])],
        ignore_index=True,
    ).fillna("")  # fmt: skip
    tables["taxonomy_term"] = pd.concat(
        [tables["taxonomy_term"], pd.DataFrame([{"id": "3f7b145d-84af-42d7-8fae-eaca714b02b2",
         "code": "health", "name": "Health", "description": "d",
         "taxonomy_id": "0bc248fa-dc27-4650-9ba4-8f1a24ef16a2"}])],
        ignore_index=True,
    ).fillna("")  # fmt: skip
    tables["attribute"] = pd.concat(
        [tables["attribute"], pd.DataFrame([{"id": "ae58cc39-8b70-4ab1-8aea-786882e5ac8e",
         "link_id": service, "taxonomy_term_id": "3f7b145d-84af-42d7-8fae-eaca714b02b2",
         "link_entity": "service"}])],
        ignore_index=True,
    ).fillna("")  # fmt: skip
    back = read_hsds(json.dumps(nested(tables)).encode())
    pd.testing.assert_frame_equal(back.result.table, table, check_dtype=False)
    aside = back.set_aside.set_index(["table", "what"])["rows"].to_dict()
    assert aside == {
        ("taxonomy", "other taxonomies"): 1,
        ("taxonomy_term", "terms of other taxonomies"): 1,
        ("attribute", "terms of other taxonomies"): 1,
    }


def test_a_newer_checklist_version_is_reported_and_known_items_kept(checklist):
    tables = hsds_tables(directory(full_clinic()), list_name="L")
    tables["taxonomy"].loc[0, "version"] = "2099.1"
    extra = (
        tables["taxonomy_term"]
        .iloc[[1]]
        .assign(id="11111111-1111-5111-8111-111111111111", code="future_item")
    )
    tables["taxonomy_term"] = pd.concat([tables["taxonomy_term"], extra], ignore_index=True)
    service = tables["service"]["id"].iloc[0]
    tables["attribute"] = pd.concat(
        [tables["attribute"], tables["attribute"].iloc[[0]].assign(
            id="22222222-2222-5222-8222-222222222222", link_id=service,
            taxonomy_term_id="11111111-1111-5111-8111-111111111111", value="yes")],
        ignore_index=True,
    )  # fmt: skip
    back = read_hsds(json.dumps(nested(tables)).encode())
    assert back.checklist_version == "2099.1"
    assert "checklist version 2099.1" in " ".join(back.problems["message"])
    aside = back.set_aside.set_index(["table", "what"])["rows"]
    assert aside[("attribute", "terms of our taxonomies this checklist version lacks")] == 1
    clinic = back.result.table.iloc[0]
    assert all(clinic[item.column] == "yes" for item in checklist.tristate_items)


def test_several_services_and_locations_become_one_clinic_each():
    organizations = (
        "id,name,description\no1,Pain Partners,Group practice\no2,Lonely Org,No services listed\n"
    )
    services = (
        "id,organization_id,name,status,description\n"
        "s1,o1,Infusions,active,IV ketamine\n"
        "s2,o1,Nasal spray,inactive,\n"
    )
    locations = "id,location_type,latitude,longitude\nl1,physical,33.4,-111.9\nl2,physical,,\n"
    sal = "id,service_id,location_id\nsl1,s1,l1\nsl2,s1,l2\n"
    phones = "id,organization_id,service_id,number\np1,o1,,555-0100\np2,,s1,555-0199\n"
    back = read_hsds(
        zipped(
            {
                "organizations.csv": organizations.encode(),
                "services.csv": services.encode(),
                "locations.csv": locations.encode(),
                "service_at_location.csv": sal.encode(),
                "phones.csv": phones.encode(),
            }
        )
    )
    table = back.result.table
    assert table["id"].tolist() == ["sl1", "sl2", "s2", "o2"]
    assert table["name"].tolist() == [
        "Pain Partners – Infusions",
        "Pain Partners – Infusions",
        "Pain Partners – Nasal spray",
        "Lonely Org",
    ]
    assert table["phone"].tolist() == ["555-0199", "555-0199", "555-0100", ""]
    assert table["latitude"].tolist()[0] == 33.4
    assert table["notes"].tolist() == [
        "IV ketamine",
        "IV ketamine",
        "Group practice",
        "No services listed",
    ]
    assert table["status"].tolist() == ["open", "open", "temporarily closed", "unknown"]
    assert "status" not in " ".join(back.problems["message"])  # inactive is an HSDS status


@pytest.mark.parametrize(
    "hsds, ours",
    [
        ("active", "open"),
        ("inactive", "temporarily closed"),
        ("temporarily closed", "temporarily closed"),
        ("defunct", "closed"),
        ("", "unknown"),
        ("paused until spring", "unknown"),
    ],
)
def test_a_foreign_services_status_becomes_the_clinics_status(hsds, ours):
    service = {
        "id": "ac148810-d857-441c-9679-408f346de14b",
        "name": "Ketamine infusions",
        "status": hsds,
        "organization": {"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": "Pain Clinic"},
    }
    back = read_hsds(json.dumps(service).encode())
    assert back.result.table["status"].iloc[0] == ours
    warned = "not one HSDS defines" in " ".join(back.problems["message"])
    assert warned == (hsds == "paused until spring")


def test_our_statuses_export_as_hsds_service_statuses_and_come_back_exactly():
    statuses = ["open", "temporarily closed", "closed", "unknown"]
    table = directory(*({"id": s, "name": s, "status": s} for s in statuses))
    services = hsds_tables(table, list_name="x")["service"].set_index("name")["status"]
    assert services[statuses].tolist() == ["active", "temporarily closed", "defunct", "active"]
    back = read_hsds(json.dumps(nested(hsds_tables(table, list_name="x"))).encode())
    assert back.result.table.set_index("id").loc[statuses, "status"].tolist() == statuses
