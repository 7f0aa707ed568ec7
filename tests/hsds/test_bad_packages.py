"""Bad HSDS packages: a clear error or report, never a traceback, and the valid rows kept."""

from __future__ import annotations

import functools
import io
import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.directory import read_directory
from providers.hsds import HsdsError, HsdsImport, Limits, export_hsds, hsds_tables, read_hsds
from tests.conftest import full_clinic
from tests.hsds.conftest import directory
from tests.hsds.test_import import zipped

ORGS = b"id,name,description\no1,Alpha Clinic,d\no2,Beta Clinic,d\n"


def messages(back: HsdsImport) -> str:
    return " ".join(back.problems["message"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x01\x02 not a package", "neither a .zip"),
        (b"PK\x03\x04 broken zip", "not a readable .zip"),
        (zipped({"readme.txt": b"hello"}), "not an HSDS package"),
        (b'{"name": "x", "resources": []}', "datapackage.json on its own"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2, 3]", "no HSDS organization or service"),
        (b'{"name": "\xff\xfe"}', "not UTF-8"),
    ],
)
def test_what_is_not_a_package_gets_a_clear_error(data, message):
    with pytest.raises(HsdsError, match=message):
        read_hsds(data)


def test_missing_paths_and_empty_folders_get_a_clear_error(tmp_path):
    with pytest.raises(HsdsError, match="no file or folder"):
        read_hsds(tmp_path / "missing")
    with pytest.raises(HsdsError, match="not an HSDS package"):
        read_hsds(tmp_path)


def test_a_package_with_services_only_still_gives_clinics():
    services = b"id,organization_id,name,status\ns1,o9,Solo Service,active\n"
    back = read_hsds(zipped({"services.csv": services}))
    assert back.result.table["name"].tolist() == ["Solo Service"]
    assert "has no organizations.csv" in messages(back)
    assert "organization_id points at a organization that is not in the package" in messages(back)


def test_broken_links_are_reported_and_the_rows_kept():
    services = b"id,organization_id,name,status\ns1,o1,Infusions,active\ns2,o2,Nasal,active\n"
    locations = b"id,location_type,latitude,longitude\nl1,physical,north,-111.9\n"
    sal = b"id,service_id,location_id\nsl1,s1,l1\nsl2,s2,missing-location\nsl3,gone,l1\n"
    back = read_hsds(
        zipped(
            {
                "organizations.csv": ORGS,
                "services.csv": services,
                "locations.csv": locations,
                "service_at_location.csv": sal,
            }
        )
    )
    table = back.result.table
    assert table["id"].tolist() == ["sl1", "s2"]
    assert "location_id points at a location that is not in the package" in messages(back)
    assert "service_id points at a service that is not in the package" in messages(back)
    # A wrong type is the directory's problem: reported by row and column, row kept.
    wrong = back.result.problems
    assert set(wrong["column"]) >= {"latitude"}
    assert table["latitude"].isna().all()


def test_rows_without_ids_or_with_repeated_ids_are_set_aside():
    orgs = b"id,name,description\no1,Alpha,d\n,No Id,d\no1,Again,d\no2,Beta,d\n"
    back = read_hsds(zipped({"organizations.csv": orgs}))
    assert back.result.table["name"].tolist() == ["Alpha", "Beta"]
    rows = back.problems.set_index("row")["message"]
    assert "has no id" in rows[3] and "used by an earlier row" in rows[4]


def test_a_zip_bomb_is_set_aside_and_the_rest_read():
    bomb = b"id,name,description\n" + b"0" * 5_000_000
    back = read_hsds(
        zipped({"organizations.csv": ORGS, "services.csv": bomb}),
        limits=Limits(max_file_bytes=10_000_000),
    )
    assert "zip bomb" in messages(back)
    assert back.result.table["name"].tolist() == ["Alpha Clinic", "Beta Clinic"]


def test_an_enormous_file_is_set_aside_by_its_declared_and_its_actual_size(tmp_path):
    files = export_hsds(read_directory("demo").table, list_name="L")
    limits = Limits(max_file_bytes=100_000)  # attributes.csv is larger
    back = read_hsds(zipped(files), limits=limits)
    assert "attributes.csv is" in messages(back) and "the limit is" in messages(back)
    assert len(back.result.table) == 60  # everything else still came
    folder = tmp_path / "pkg"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    back = read_hsds(folder, limits=limits)
    assert "attributes.csv is" in messages(back)
    with pytest.raises(HsdsError, match="limit"):
        read_hsds(zipped(files), limits=Limits(max_total_bytes=200_000))
    with pytest.raises(HsdsError, match="entries; the limit is 5"):
        read_hsds(zipped(files), limits=Limits(max_members=5))


def test_paths_leaving_the_package_are_set_aside():
    back = read_hsds(
        zipped(
            {
                "organizations.csv": ORGS,
                "../services.csv": b"id,organization_id,name,status\ns,o1,Evil,active\n",
                "/etc/services.csv": b"id,organization_id,name,status\ns,o1,Evil,active\n",
                "..\\phones.csv": b"id,number\np,1\n",
            }
        )
    )
    assert back.result.table["name"].tolist() == ["Alpha Clinic", "Beta Clinic"]
    escaped = back.problems[back.problems["message"].str.contains("outside the package")]
    assert sorted(escaped["value"]) == ["../services.csv", "..\\phones.csv", "/etc/services.csv"]


def test_non_utf8_files_are_read_with_a_warning():
    orgs = "id,name,description\no1,Clínica Niño,d\n".encode("cp1252")
    back = read_hsds(zipped({"organizations.csv": orgs}))
    assert back.result.table["name"].tolist() == ["Clínica Niño"]
    assert "not UTF-8" in messages(back)


def test_an_unclosed_quote_keeps_the_rows_before_it():
    orgs = b'id,name,description\no1,Alpha,d\no2,"Beta,d\no3,Gamma,d\n'
    back = read_hsds(zipped({"organizations.csv": orgs}))
    assert back.result.table["name"].tolist() == ["Alpha"]
    assert "never closed" in messages(back)


def test_dates_a_table_cannot_hold_are_set_aside_not_a_traceback(checklist):
    tables = hsds_tables(directory(full_clinic()), list_name="L")
    verified = checklist.criteria[0].verified_column
    term = tables["taxonomy_term"].set_index("code").loc[verified, "id"]
    tables["attribute"].loc[tables["attribute"]["taxonomy_term_id"] == term, "value"] = "4759-04-16"
    files = {
        f"{name}.csv": tables[name].to_csv(index=False).encode()
        for name in ("attribute", "taxonomy_term", "taxonomy")
    }
    files["organizations.csv"] = tables["organization"].to_csv(index=False).encode()
    files["services.csv"] = tables["service"].to_csv(index=False).encode()
    files["attributes.csv"] = files.pop("attribute.csv")
    files["taxonomy_terms.csv"] = files.pop("taxonomy_term.csv")
    files["taxonomies.csv"] = files.pop("taxonomy.csv")
    back = read_hsds(zipped(files))
    assert back.result.table[verified].isna().all()
    assert "out of the range" in messages(back)


def test_json_nested_too_deeply_is_cut_with_a_report():
    org: dict = {"id": "o1", "name": "Deep", "description": "d"}
    inner = org
    for n in range(60):
        child = {"id": f"l{n}", "location_type": "physical"}
        inner["locations"] = [child]
        inner = child
    back = read_hsds(json.dumps(org).encode(), limits=Limits(max_depth=10))
    assert back.result.table["name"].tolist() == ["Deep"]
    assert "nested more than 10 levels" in messages(back)


@functools.cache
def _good_zip() -> bytes:
    return zipped(export_hsds(directory(full_clinic(), {"name": "B"}), list_name="L"))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_damaged_packages_give_a_report_or_a_clear_error(data):
    good = _good_zip()
    kind = data.draw(st.sampled_from(["flip", "cut", "bytes", "json", "csv"]))
    if kind == "flip":
        position = data.draw(st.integers(0, len(good) - 1))
        damaged = good[:position] + bytes([good[position] ^ 0xFF]) + good[position + 1 :]
    elif kind == "cut":
        damaged = good[: data.draw(st.integers(0, len(good)))]
    elif kind == "bytes":
        damaged = data.draw(st.binary(max_size=300))
    elif kind == "json":
        damaged = json.dumps(
            data.draw(
                st.recursive(
                    st.none() | st.booleans() | st.floats() | st.text(max_size=4),
                    lambda inner: (
                        st.lists(inner, max_size=3)
                        | st.dictionaries(
                            st.sampled_from(["id", "name", "services", "location", "phones", "x"]),
                            inner,
                            max_size=4,
                        )
                    ),
                    max_leaves=20,
                )
            )
        ).encode()
    else:
        text = "".join(
            data.draw(st.lists(st.sampled_from([*'id,name"\n\r;=\x00é\t', "o1"]), max_size=80))
        )
        damaged = zipped({"organizations.csv": text.encode("utf-8")})
    try:
        back = read_hsds(damaged)
    except HsdsError as error:
        assert str(error)
    else:
        assert list(back.problems.columns) == ["row", "column", "value", "severity", "message"]
        assert isinstance(back.result.table, type(back.set_aside))


def test_a_zip_holding_a_folder_with_other_files_reads_the_package_folder():
    files = export_hsds(directory(full_clinic()), list_name="L")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes/readme.txt", b"hello")
        for name, content in files.items():
            archive.writestr(f"hsds/{name}", content)
    back = read_hsds(buffer.getvalue())
    assert back.result.table["id"].tolist() == ["full"]
    assert back.set_aside.to_dict("records") == [
        {"table": "(files)", "what": "notes/readme.txt (not a table of HSDS 3.0)", "rows": 1}
    ]
