"""HSDS export: valid against the specification (checked by frictionless, offline), stable
ids, the checklist as a taxonomy of our own, formula-safe quoted CSV, atomic writing."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile

import pandas as pd
import pytest

from providers.curation import CREATED, SqliteStore
from providers.directory import read_directory
from providers.hsds import (
    CHECKLIST_TAXONOMY,
    HsdsError,
    export_hsds,
    hsds_tables,
    write_hsds,
)
from providers.hsds.export import BLANK, CREATED_FIELD
from providers.hsds.spec import descriptor_bytes
from tests.conftest import full_clinic
from tests.directory.test_formulas import assert_no_cell_starts_a_formula
from tests.hsds.conftest import SPEC_DESCRIPTOR, directory, hostile_rows, validation_errors


def _rows(files: dict[str, bytes], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8-sig"), newline="")))


def test_the_vendored_datapackage_is_the_specifications():
    assert descriptor_bytes() == SPEC_DESCRIPTOR.read_bytes()


@pytest.mark.parametrize("kind", ["demo", "empty", "one", "hostile", "demo with changes"])
def test_every_export_validates_against_the_specification(kind, tmp_path, offline):
    demo = read_directory("demo").table
    changes = None
    table = {
        "demo": demo,
        "demo with changes": demo,
        "empty": demo.iloc[0:0],
        "one": directory(full_clinic()),
        "hostile": directory(*hostile_rows()),
    }[kind]
    if kind == "demo with changes":
        changes = pd.DataFrame(
            {
                "id": [1, 2, 3],
                "clinic_id": ["demo-001", "demo-001", "gone"],
                "field": [CREATED, "notes", "name"],
                "old_value": [None, "", '=1+1 "quoted"'],
                "new_value": [None, "Seen in person", "x\ny"],
                "source": ["demo", "edit", "edit"],
                "who": ["ana", "ana", "bo"],
                "at": ["2026-11-01T10:00:00+00:00", "2026-11-02T11:30:00+00:00", "2026-11-03"],
            }
        )
    files = export_hsds(table, list_name="Arizona =1", changes=changes)
    folder = write_hsds(files, tmp_path / "package")
    assert validation_errors(folder) == []
    assert len(_rows(files, "organizations.csv")) == len(table)
    assert_no_cell_starts_a_formula(files["organizations.csv"])
    assert_no_cell_starts_a_formula(files["attributes.csv"])
    assert_no_cell_starts_a_formula(files["services.csv"])


def test_the_validation_finds_errors_when_there_are_some(tmp_path, offline):
    # The check can fail: a package with a broken link and a missing required value.
    files = export_hsds(directory(full_clinic()), list_name="L")
    services = files["services.csv"].decode("utf-8-sig").splitlines()
    header, row = services[0], services[1]
    broken = row.replace('"active"', '""', 1)
    files["services.csv"] = ("\r\n".join([header, broken]) + "\r\n").encode()
    files["cost_options.csv"] = files["cost_options.csv"].replace(
        _rows(files, "cost_options.csv")[0]["service_id"].encode(), str(uuid.uuid4()).encode()
    )
    errors = validation_errors(write_hsds(files, tmp_path / "p"))
    assert any("status" in e for e in errors), errors
    assert any("foreign key" in e for e in errors), errors


def test_ids_are_uuids_stable_across_exports_and_lists():
    demo = read_directory("demo").table
    first = hsds_tables(demo, list_name="Arizona")
    again = hsds_tables(demo.iloc[::-1], list_name="Arizona")
    other = hsds_tables(demo, list_name="Texas")
    fewer = hsds_tables(demo.iloc[5:], list_name="Arizona")
    for name in ("organization", "service", "location", "attribute", "phone", "cost_option"):
        ids = first[name]["id"]
        assert ids.map(lambda v: str(uuid.UUID(v)) == v).all()
        assert ids.is_unique
        assert set(again[name]["id"]) == set(ids)  # order does not matter
        assert not set(other[name]["id"]) & set(ids)  # another list, other ids
        assert set(fewer[name]["id"]) <= set(ids)  # removing clinics moves no other id
    org = first["organization"].set_index("name")["id"]
    expected = uuid.uuid5(
        uuid.UUID("368edd3c-2607-4bc5-85d2-c84c2e279a9d"), "Arizona\x1fdemo-001\x1forganization"
    )
    assert org[demo.loc[demo["id"] == "demo-001", "name"].iloc[0]] == str(expected)


def test_the_checklist_travels_as_our_taxonomy(checklist):
    demo = read_directory("demo").table
    tables = hsds_tables(demo, list_name="Arizona")
    taxonomy = tables["taxonomy"].set_index("name")
    assert taxonomy.loc[CHECKLIST_TAXONOMY, "version"] == checklist.version
    terms = tables["taxonomy_term"].set_index("code")
    for criterion in checklist.criteria:
        assert terms.loc[criterion.key, "name"] == criterion.label
        assert terms.loc[criterion.key, "parent_id"] == ""
        for item in [i for i in criterion.items if i.kind == "tristate"]:
            assert terms.loc[item.column, "name"] == item.label
            assert terms.loc[item.column, "parent_id"] == terms.loc[criterion.key, "id"]
    assert tables["taxonomy_term"]["code"].is_unique
    # Every clinic's service has every item, as yes / no / unknown.
    attributes = tables["attribute"].merge(
        tables["taxonomy_term"][["id", "code"]], left_on="taxonomy_term_id", right_on="id"
    )
    items = attributes[attributes["code"].isin([i.column for i in checklist.tristate_items])]
    assert len(items) == len(demo) * len(checklist.tristate_items)
    assert set(items["value"]) <= {"yes", "no", "unknown"}
    assert (items["link_entity"] == "service").all()
    assert set(items["link_id"]) == set(tables["service"]["id"])
    # The answers are the directory's: one clinic checked item by item.
    clinic = demo.iloc[0]
    service = tables["service"]["id"].iloc[0]
    mine = attributes[attributes["link_id"] == service].set_index("code")["value"]
    for item in checklist.tristate_items:
        assert mine[item.column] == clinic[item.column]
    for criterion in checklist.criteria:
        if clinic[criterion.source_column]:
            assert mine[criterion.source_column] == clinic[criterion.source_column]
        if pd.notna(clinic[criterion.verified_column]):
            assert mine[criterion.verified_column] == clinic[criterion.verified_column].strftime(
                "%Y-%m-%d"
            )


def test_assured_date_is_the_newest_check_and_the_others_stay_in_attributes(checklist):
    dates = ["2025-01-02", "2026-03-04", "2024-12-31"]
    row = full_clinic()
    for criterion, date in zip(checklist.criteria, dates * 3, strict=False):
        row[criterion.verified_column] = date
    tables = hsds_tables(directory(row, {"id": "none", "name": "No dates"}), list_name="L")
    assert tables["service"]["assured_date"].tolist() == ["2026-03-04", ""]
    values = set(tables["attribute"]["value"])
    assert set(dates) <= values


def test_native_fields_prices_npi_phone_and_no_invented_facts():
    table = directory(
        full_clinic(
            id="a",
            name="Alpha",
            address="1 Main St",
            city="Mesa",
            region="AZ",
            postal_code="85201",
            country="US",
            latitude=33.4,
            longitude=-111.8,
            phone="(480) 555-0100",
            npi="1234567893",
            price_per_session=450,
            currency="USD",
            routes="IV;IM",
            telehealth="yes",
            conditions="fibromyalgia;CRPS",
        ),
        {"id": "b", "name": "Beta", "city": "Toronto", "telehealth": "unknown"},
    )
    tables = hsds_tables(table, list_name="L")
    assert tables["cost_option"][["currency", "amount"]].values.tolist() == [["USD", 450.0]]
    assert tables["organization_identifier"]["identifier"].tolist() == ["1234567893"]
    assert tables["phone"]["number"].tolist() == ["(480) 555-0100"]
    address = tables["address"]
    assert address[
        ["address_1", "city", "state_province", "postal_code", "country"]
    ].values.tolist() == [["1 Main St", "Mesa", "AZ", "85201", "US"]]
    assert len(tables["location"]) == 2  # Beta has a city: a place, but no complete address
    description = tables["service"].set_index("name")["description"]
    assert "IV, IM" in description["Alpha"] and "telehealth" in description["Alpha"]
    assert "fibromyalgia, CRPS" in description["Alpha"]
    assert description["Beta"] == ""  # nothing known, nothing said


def test_the_change_log_of_a_workspace_becomes_metadata(tmp_path):
    assert CREATED_FIELD == CREATED
    with SqliteStore.open(tmp_path / "ws.sqlite") as ws:
        ws.create_list("Arizona", "ana")
        ws.import_table("Arizona", read_directory("demo").table.head(3), "ana", "demo")
        ws.save_clinic("Arizona", "demo-002", {"notes": "=Checked by phone"}, 1, "bo")
        table = ws.load("Arizona")[0].table
        changes = pd.concat(
            [ws.history("Arizona", c).assign(clinic_id=c) for c in table["id"]],
            ignore_index=True,
        )
    tables = hsds_tables(table, list_name="Arizona", changes=changes)
    metadata = tables["metadata"]
    assert len(metadata) == 4
    edit = metadata[metadata["field_name"] == "notes"].iloc[0]
    assert edit["replacement_value"] == "=Checked by phone"
    assert edit["updated_by"] == "bo"
    assert edit["last_action_type"] == "update"
    service = tables["service"].set_index("name").loc[table.loc[1, "name"], "id"]
    assert edit["resource_id"] == service
    created = metadata[metadata["last_action_type"] == "create"]
    assert len(created) == 3 and (created["previous_value"] == BLANK).all()
    with pytest.raises(ValueError, match="clinic_id"):
        hsds_tables(table, list_name="Arizona", changes=changes.drop(columns="clinic_id"))


def test_every_text_cell_is_quoted_and_numbers_are_bare():
    files = export_hsds(directory(full_clinic(latitude=33.4, longitude=-111.8)), list_name="L")
    text = files["locations.csv"].decode("utf-8-sig").splitlines()
    header, row = text[0].split(","), text[1]
    cells = next(csv.reader([row], quoting=csv.QUOTE_NONE, escapechar=None))
    values = dict(zip(header, cells, strict=True))
    assert values["latitude"] == "33.4" and values["longitude"] == "-111.8"
    assert values["location_type"] == '"physical"' and values["url"] == '""'


def test_write_folder_and_zip_hold_the_same_files(tmp_path):
    files = export_hsds(read_directory("demo").table, list_name="Arizona")
    folder = write_hsds(files, tmp_path / "out")
    assert {p.name for p in folder.iterdir()} == set(files)
    archive = write_hsds(files, tmp_path / "out.zip")
    with zipfile.ZipFile(archive) as zipped:
        assert {n: zipped.read(n) for n in zipped.namelist()} == files
    # A re-export replaces the package folder in place.
    smaller = export_hsds(read_directory("demo").table.head(2), list_name="Arizona")
    write_hsds(smaller, folder)
    assert (folder / "organizations.csv").read_bytes() == smaller["organizations.csv"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_writing_never_leaves_half_a_package_nor_replaces_other_files(tmp_path):
    files = export_hsds(read_directory("demo").table.head(2), list_name="L")
    with pytest.raises(HsdsError, match="does not exist"):
        write_hsds(files, tmp_path / "missing" / "out.zip")
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(HsdsError, match="holds other files"):
        write_hsds(files, mine)
    assert [p.name for p in mine.iterdir()] == ["thesis.docx"]
    # A file that cannot be encoded fails mid-way: nothing is left behind.
    broken = {**files, "zzz.csv": None}
    with pytest.raises(TypeError):
        write_hsds(broken, tmp_path / "half")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        write_hsds(broken, tmp_path / "half.zip")  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents"]
    with pytest.raises(ValueError, match="plain file name"):
        write_hsds({"../escape.csv": b""}, tmp_path / "x")
