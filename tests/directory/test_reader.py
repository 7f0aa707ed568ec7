import codecs
import functools
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
    assert result.table["id"].tolist() == ["x", "x-2", "c-d"]
    assert problems_of(result) == [(3, "id", "id used by an earlier row: renamed to x-2")]


def test_a_repeated_given_id_never_takes_an_id_in_use():
    rows = [
        {"id": "x", "name": "A"},
        {"id": "x", "name": "B"},
        {"id": "x-2", "name": "C"},
        {"id": "", "name": "X 3"},
    ]
    result = parse_directory(csv_of(rows), "x.csv")
    assert result.table["id"].tolist() == ["x", "x-4", "x-2", "x-3"]
    assert problems_of(result) == [(3, "id", "id used by an earlier row: renamed to x-4")]


def test_made_ids_are_readable_slugs_of_name_and_postal_code():
    rows = [
        {"name": "Clínica Niño Ketamine", "postal_code": "85251-1234"},
        {"name": "Straße Ærø Wellness", "postal_code": "M5V 2T6"},
        {"name": "  Desert   Sky!! ", "postal_code": ""},
        {"name": "診所", "postal_code": "02139"},
        {"name": "!!!"},
        {"name": "A Very " + "Long " * 30 + "Name", "postal_code": "02139"},
        {"name": "A Very " + "Long " * 30 + "Other Name", "postal_code": "02139"},
    ]
    ids = parse_directory(csv_of(rows), "x.csv").table["id"].tolist()
    assert ids[:3] == [
        "clinica-nino-ketamine-85251-1234",
        "strasse-aero-wellness-m5v-2t6",
        "desert-sky",
    ]
    # No slug: a hash of the name, the same on every machine and run (not Python's hash()).
    assert ids[3:5] == ["clinic-d053d312-02139", "clinic-e84c538e"]
    long_one, long_other = ids[5:]
    assert long_one != long_other and long_one.startswith("a-very-long-long-")
    assert max(len(i) for i in ids) <= 60 and long_one.endswith("-02139")
    assert all(i.isascii() and "--" not in i for i in ids)


def test_identical_content_is_numbered_in_file_order_and_given_ids_win():
    rows = [
        {"name": "Sky", "postal_code": "85251"},
        {"id": "", "name": "Mesa"},
        {"name": "Sky", "postal_code": "85251"},
        {"id": "mesa", "name": "Given"},
        {"name": "SKY!", "postal_code": "85251"},
    ]
    result = parse_directory(csv_of(rows), "x.csv")
    assert result.table["id"].tolist() == [
        "sky-85251",
        "mesa--2",
        "sky-85251--2",
        "mesa",
        "sky-85251--3",
    ]
    assert result.problems.empty


def test_the_same_content_gets_the_same_id_on_every_read_and_in_any_order():
    rows = [
        {"name": "Alpha", "postal_code": "85251"},
        {"name": "Beta"},
        {"name": "Ωmega 診所"},
        {"id": "given", "name": "Gamma"},
    ]
    first = parse_directory(csv_of(rows), "x.csv").table
    again = parse_directory(csv_of(rows), "x.csv").table
    flipped = parse_directory(csv_of(rows[::-1]), "x.csv").table
    assert first["id"].tolist() == again["id"].tolist()
    by_name = dict(zip(first["name"], first["id"], strict=True))
    assert dict(zip(flipped["name"], flipped["id"], strict=True)) == by_name
    assert by_name["Alpha"] == "alpha-85251" and by_name["Ωmega 診所"] == "mega"


# A few letters, so that names repeat, differ only in case or accents, and collide with
# suffixed ids ("A 2", "a--2"); postal codes valid, blank and invalid.
ID_NAMES = st.one_of(
    st.sampled_from(["A", "á!", "A 2", "a-3", "a--2", "B", "診", "!!", "clinic"]),
    st.lists(st.sampled_from(["a", "A", "á", "b", " 2", "-2", " ", "!", "診", "--"]), max_size=3)
    .map("".join)
    .filter(lambda s: s.strip() != ""),
)
ID_POSTAL_CODES = st.sampled_from(["", "85251", "85251-1234", "M5V 2T6", "not a zip"])
ID_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["", "", "", "a", "a-2", "b"]),  # mostly blank ids, some given
        ID_NAMES,
        ID_POSTAL_CODES,
    ),
    max_size=8,
)


def _ids_of(rows):
    records = [{"id": i, "name": n, "postal_code": p} for i, n, p in rows]
    result = parse_directory(csv_of(records) if records else b"id,name,postal_code\n", "x.csv")
    renamed = set(result.problems.loc[result.problems["column"] == "id", "row"] - 2)
    return result.table["id"].tolist(), renamed


@functools.cache
def _content_id(name, postal_code):
    """The id a clinic gets from its content alone (read as the only row of a file)."""
    return _ids_of([("", name, postal_code)])[0][0]


def _assert_adding_moves_only_its_own_content(rows, name, postal_code, where):
    added = ("", name, postal_code)  # a clinic without an id: its id is made from its content
    before, renamed = _ids_of(rows)
    after, _ = _ids_of([*rows[:where], added, *rows[where:]])
    assert len(after) == len(before) + 1 and len(set(after)) == len(after)
    after.pop(where)
    content = _content_id(name, postal_code)
    for position, ((given_id, *row), old, now) in enumerate(zip(rows, before, after, strict=True)):
        # Only clinics of the same content (numbered in file order) and repeated given ids
        # (renamed with a warning) may take another id; every other id stays where it was.
        same_content = given_id == "" and _content_id(*row) == content
        if not same_content and position not in renamed:
            assert now == old, (position, old, now)
    assert before == _ids_of(rows)[0]  # and reading again gives the same ids


@settings(max_examples=120, deadline=None)
@given(rows=ID_ROWS, data=st.data())
def test_adding_a_clinic_anywhere_moves_no_other_clinics_id(rows, data):
    name, postal_code = data.draw(ID_NAMES), data.draw(ID_POSTAL_CODES)
    if rows and data.draw(st.booleans()):
        # An existing clinic's name with a number after it ("A" -> "A 2"): the hardest case
        # for numbered duplicates.
        _, name, postal_code = data.draw(st.sampled_from(rows))
        name += data.draw(st.sampled_from(["", " 2", "-2", " 3", "!"]))
    where = data.draw(st.integers(0, len(rows)))
    _assert_adding_moves_only_its_own_content(rows, name, postal_code, where)


def test_a_numbered_name_does_not_take_the_id_of_a_duplicate():
    rows = [("", "A", ""), ("", "a!", ""), ("", "A", "85251"), ("", "A", "85251")]
    for name, postal_code in [("A 2", ""), ("A--2", ""), ("A 85251 2", ""), ("A", "85251")]:
        for where in range(len(rows) + 1):
            _assert_adding_moves_only_its_own_content(rows, name, postal_code, where)


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


def test_json_halves_of_surrogate_pairs_are_replaced_not_fatal():
    # json.loads turns "\ud800" into half a surrogate pair, which no UTF-8 text can hold.
    data = rb'[{"name": "A\ud800", "city": "\ud83d\ude00", "\udc00x": 1, "notes": ["\udfff"]},'
    data += rb' "\ud800"]'
    result = parse_directory(data, "x.json")
    assert result.table["name"].tolist() == ["A\ufffd"]
    assert result.table["city"].tolist() == ["\U0001f600"]  # a whole pair is kept
    assert result.table["notes"].tolist() == ["\ufffd"]
    assert [(c, m) for _, c, m in problems_of(result)] == [
        ("\ufffdx", "unknown column, ignored"),
        ("", "row rejected: not an object"),
    ]


def test_dates_beyond_what_a_check_date_can_be_are_reported_not_a_crash():
    result = parse_directory(
        b"name,expertise.verified_on\nA,4759-04-16\nB,2025-01-02\nC,1850-01-01\n", "x.csv"
    )
    dates = result.table["expertise.verified_on"]
    assert dates.isna().tolist() == [True, False, True]
    assert result.problems["row"].tolist() == [2, 4]
    assert result.problems["message"].str.contains("between 1900 and 2199").all()


def test_a_directory_written_for_the_previous_checklist_still_reads(checklist, schema):
    """Checklist 2026.11-1 had no refund item, no cost facts and no status: such a file reads
    without a problem, and what it lacks is unknown."""
    refund = checklist.cost_model.refund_item
    new = {refund, "status", "consultation_fee", "series_sessions", "booster_price",
           "booster_interval_months"}  # fmt: skip
    old_header = [n for n in schema.names if n not in new]
    row = {n: "" for n in old_header}
    row.update(id="old", name="Old Clinic", country="US", price_per_session="450", currency="USD")
    row.update({i.column: "yes" for i in checklist.tristate_items if i.column != refund})
    result = parse_directory(csv_of([row]), "old.csv")
    assert result.problems.empty, result.problems
    clinic = result.table.iloc[0]
    assert clinic[refund] == "unknown" and clinic["status"] == "unknown"
    assert pd.isna(clinic["series_sessions"]) and pd.isna(clinic["consultation_fee"])


@pytest.mark.parametrize(
    "cell, status",
    [
        ("open", "open"),
        ("Temporarily_Closed", "temporarily closed"),
        ("temporarily-closed", "temporarily closed"),
        ("PERMANENTLY CLOSED", "closed"),
        ("defunct", "closed"),
        ("", "unknown"),
        ("?", "unknown"),
    ],
)
def test_status_spellings(cell, status):
    table = parse_directory(csv_of([{"name": "A", "status": cell}]), "s.csv").table
    assert table["status"].iloc[0] == status


def test_bad_cost_facts_are_reported_by_the_users_header_and_the_row_is_kept():
    data = (
        b"Name,Consultation_Fee,Series_Sessions,Booster_Interval_Months,Status\n"
        b"A,free,6.5,0,sometimes\n"
        b"B,$250,6,2,open\n"
    )
    result = parse_directory(data, "c.csv")
    assert result.table["name"].tolist() == ["A", "B"]  # valid rows kept, bad values unknown
    assert result.table["consultation_fee"].iloc[1] == 250
    problems = result.problems.set_index("column")
    for header in ("Consultation_Fee", "Series_Sessions", "Booster_Interval_Months", "Status"):
        assert header in problems.index, header
    assert "whole number from 1 to 50" in problems.loc["Series_Sessions", "message"]
    assert "open, temporarily closed, closed or unknown" in problems.loc["Status", "message"]
