import codecs
import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.directory import (
    DirectoryError,
    csv_bytes,
    directory_frame,
    json_bytes,
    parse_directory,
    read_directory,
    write_atomic,
)
from tests.conftest import csv_of, full_clinic

ROWS = [
    {"id": "a", "name": "Alpha", "postal_code": "02139", "monitoring.vital_signs": "Yes"},
    {"id": "b", "name": "Beta", "postal_code": "85251", "monitoring.vital_signs": "n"},
]


def problems_of(result, severity=None):
    p = result.problems
    if severity:
        p = p[p["severity"] == severity]
    return list(p[["row", "column", "message"]].itertuples(index=False, name=None))


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_detected(delimiter):
    result = parse_directory(csv_of(ROWS, delimiter), "x.csv")
    assert result.table["name"].tolist() == ["Alpha", "Beta"]
    assert result.table["postal_code"].tolist() == ["02139", "85251"]  # ZIPs stay text
    assert result.table["monitoring.vital_signs"].astype(str).tolist() == ["yes", "no"]


def test_utf8_bom_and_windows_1252_are_read_and_the_fallback_reported():
    text = "name,city\nClinique Éveil,Montréal\n"
    with_bom = parse_directory(codecs.BOM_UTF8 + text.encode(), "x.csv")
    assert with_bom.table["city"].tolist() == ["Montréal"] and len(with_bom.problems) == 0
    legacy = parse_directory(text.encode("cp1252"), "x.csv")
    assert legacy.table["name"].tolist() == ["Clinique Éveil"]
    assert legacy.encoding == "cp1252"
    assert "Windows-1252" in legacy.problems["message"].iloc[0]


def test_utf16_with_bom_is_read_with_a_note():
    result = parse_directory("name,city\nA,B\n".encode("utf-16"), "x.csv")
    assert result.table["name"].tolist() == ["A"]
    assert "UTF-16" in result.problems["message"].iloc[0]


def test_bad_values_become_unknown_with_row_column_value_and_message():
    rows = [
        {
            "name": "A",
            "website": "javascript:alert(1)",
            "reviews_rating": "7",
            "expertise.verified_on": "soon",
        },
        {"name": "B", "monitoring.vital_signs": "maybe"},
    ]
    result = parse_directory(csv_of(rows), "x.csv")
    found = {
        (r, c): v for r, c, v in result.problems[["row", "column", "value"]].itertuples(index=False)
    }
    assert found == {
        (2, "website"): "javascript:alert(1)",
        (2, "reviews_rating"): "7",
        (2, "expertise.verified_on"): "soon",
        (3, "monitoring.vital_signs"): "maybe",
    }
    table = result.table
    assert table.loc[0, "website"] == "" and pd.isna(table.loc[0, "reviews_rating"])
    assert str(table.loc[1, "monitoring.vital_signs"]) == "unknown"
    assert result.rejected == 0


def test_rows_without_a_name_are_rejected_and_the_rest_kept():
    result = parse_directory(csv_of([{"name": "A"}, {"name": "  "}, {"name": "C"}]), "x.csv")
    assert result.table["name"].tolist() == ["A", "C"]
    assert problems_of(result, "error") == [(3, "name", "row rejected: the clinic has no name")]


def test_unknown_columns_are_reported_with_a_suggestion():
    result = parse_directory(csv_of([{"name": "A", "webiste": "x", "state": "AZ"}]), "x.csv")
    assert result.table["region"].tolist() == ["AZ"]  # common alias
    (message,) = result.problems["message"]
    assert "unknown column" in message and "website" in message


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"name,city,Name\n", "twice"),
        (b"name,,city\n", "blank"),
        (b"city,phone\nx,y\n", "no 'name' column"),
        (bytes(range(256)) * 40, "not look like a text file"),
        (b"\x00" * 500, "not look like a text file"),
        (b'[{"name": ', "not valid JSON"),
        (b'{"name": "A"}', "list of clinic objects"),
    ],
)
def test_unreadable_files_give_a_clear_error(data, message):
    with pytest.raises(DirectoryError, match=message):
        parse_directory(data)


def test_header_only_gives_an_empty_table():
    result = parse_directory(b"name,city\n", "x.csv")
    assert result.table.empty and result.problems.empty


def test_malformed_records_are_rejected_by_row_number_and_others_kept():
    data = b'name,city\nA,x\nB,y,z\n"C\nstill C",w\nD\n'
    result = parse_directory(data, "x.csv")
    assert result.table["name"].tolist() == ["A", "C\nstill C", "D"]
    assert problems_of(result, "error") == [
        (3, "", "row rejected: expected 2 fields, saw 3 (check quotes and delimiters)")
    ]


def test_an_unterminated_quote_keeps_the_rows_before_it():
    result = parse_directory(b'name,city\nA,x\nB,y\n"C,z\nD,w\n', "x.csv")
    assert result.table["name"].tolist() == ["A", "B"]
    (error,) = problems_of(result, "error")
    assert error[0] == 4 and "never closed" in error[2]


def test_huge_cells_and_stray_nul_bytes_are_survived():
    result = parse_directory(b"name,notes\nA\x00," + b"x" * 3_000_000 + b"\nB,ok\n", "x.csv")
    assert result.table["name"].tolist() == ["A", "B"]
    assert len(result.table.loc[0, "notes"]) == 2000
    messages = " ".join(result.problems["message"])
    assert "NUL" in messages and "cut short" in messages


def test_blank_lines_are_skipped_without_shifting_row_numbers():
    result = parse_directory(b"name,website\nA,ok.org\n\nB,javascript:x\n\n", "x.csv")
    assert result.table["name"].tolist() == ["A", "B"]
    assert problems_of(result) == [
        (4, "website", "only http:// and https:// links are accepted; treated as unknown")
    ]


def test_blank_and_repeated_ids_are_made_unique():
    result = parse_directory(
        csv_of([{"id": "x", "name": "A"}, {"id": "x", "name": "B"}, {"id": "", "name": "C D"}]),
        "x.csv",
    )
    assert result.table["id"].tolist() == ["x", "x-2", "c-d-r4"]
    assert "renamed to x-2" in result.problems["message"].iloc[0]


def test_json_lists_nested_objects_and_bad_items():
    data = json.dumps(
        [
            {
                "name": "J",
                "monitoring": {"vital_signs": True},
                "routes": ["IV", "IM"],
                "postal_code": "02139",
            },
            "not a clinic",
            {"name": "K", "reviews_rating": 4.5, "reviews_count": 12},
        ]
    ).encode()
    result = parse_directory(data, "x.json")
    assert result.format == "json"
    table = result.table
    assert table["name"].tolist() == ["J", "K"]
    assert str(table.loc[0, "monitoring.vital_signs"]) == "yes"
    assert table.loc[0, "routes"] == "IV;IM"
    assert problems_of(result, "error") == [(2, "", "row rejected: not an object")]


def test_csv_and_json_round_trip(tmp_path):
    original = parse_directory(
        csv_of([full_clinic(), {"id": "s", "name": "Sparse", "postal_code": "02139"}]), "x.csv"
    ).table
    for encode, name in ((csv_bytes, "d.csv"), (json_bytes, "d.json")):
        path = tmp_path / name
        write_atomic(path, encode(directory_frame(original)))
        back = read_directory(path)
        assert back.problems.empty, back.problems
        pd.testing.assert_frame_equal(back.table, original, check_dtype=False)


def test_the_max_bytes_cap_is_enforced():
    with pytest.raises(DirectoryError, match="limit is"):
        parse_directory(b"name\n" + b"A\n" * 1000, "x.csv", max_bytes=100)


def test_write_atomic_leaves_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "out.csv"
    path.write_bytes(b"old")

    class Unwritable:  # not bytes: the write fails half-way, like a full disk
        pass

    with pytest.raises(TypeError):
        write_atomic(path, Unwritable())
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_missing_file_is_a_directory_error(tmp_path):
    with pytest.raises(DirectoryError, match="no such file"):
        read_directory(tmp_path / "nope.csv")


def test_demo_directory_is_clean_and_fictional():
    result = read_directory("demo")
    assert 50 <= len(result.table) <= 70
    assert result.problems.empty, result.problems
    assert result.table["name"].str.endswith("(demo)").all()
    assert set(result.table["country"]) == {"US", "CA"}
    assert set(result.table["currency"]) >= {"USD", "CAD"}
    assert result.table["website"].str.contains(r"example\.(?:org|com)").all()


# --- fuzzing: any input either reads or fails with DirectoryError; nothing else escapes -----

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CSVISH = st.lists(
    st.sampled_from([*'name,;\t"\r\n\x00é=+-@ abc123', "expertise.physician_led", "yes", "02139"])
).map("".join)


@SETTINGS
@given(st.binary(max_size=2000))
def test_fuzz_arbitrary_bytes(data):
    _read_or_clear_error(data, None)


@SETTINGS
@given(CSVISH)
def test_fuzz_csv_like_text(text):
    _read_or_clear_error(("name,city,website\n" + text).encode("utf-8"), "x.csv")
    _read_or_clear_error(text.encode("utf-8"), "x.csv")


@SETTINGS
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.sampled_from(["name", "npi", "routes", "x"]), inner, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_fuzz_json_values(value):
    _read_or_clear_error(json.dumps(value).encode(), "x.json")


def _read_or_clear_error(data: bytes, filename):
    try:
        result = parse_directory(data, filename)
    except DirectoryError as exc:
        assert str(exc)
        return
    assert list(result.problems.columns) == ["row", "column", "value", "severity", "message"]
    assert result.table["name"].str.strip().ne("").all()


def test_rows_of_empty_cells_left_by_spreadsheets_are_skipped_silently():
    result = parse_directory(b"name,city\nA,x\n,\n,\n", "x.csv")
    assert result.table["name"].tolist() == ["A"] and result.problems.empty
