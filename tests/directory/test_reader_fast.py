"""The fast reading path (Arrow's CSV reader, parsing on distinct values) gives exactly the
answer of the straight one (pandas' C reader, every cell parsed), on hostile inputs too."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.synthetic import synthetic_raw
from providers.directory import default_schema, parse_directory, validate
from providers.directory.reader import _parse_csv, _read_arrow, decode, read_column
from providers.directory.schema import DISTINCT_MIN_ROWS, distinct_codes

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Spellings every parser accepts, refuses or has to think about: case, spaces, aliases,
# formula triggers and the guard apostrophe, separators, non-ASCII, over-long text.
CELLS = [
    *["", " ", "yes", " YES ", "y", "True", "0", "n/a", "maybe", "Unknown", "x"],
    *["US", "usa", " Canada", "U.S.A.", "uk", "USD", "$", "c$", "CAD ", "eur"],
    *["IV", "iv; IM", "Infusion/oral", "nasal|teleport", "IV,,IM", "spravato", "im;"],
    *["2025-01-31", "2025-02-30", "31/01/2025", " 2024-12-01 "],
    *["450", "$1,200", "C$300", "-3", "1.5", "1e3", "nan", "inf", "12 USD"],
    *["02139", "2139", "m5v2t6", "85251-1234", "ABC", "1234567893", "123-456-7893"],
    *["https://a.org/x", "www.clinic.com", "javascript:alert(1)", "HTTP://A.ORG", "a.b"],
    *["exact", "Postal Code", "city", "none", "'=1+1", "'+x", "a;'=b", "=cmd", "\t=x"],
    *["Clínica Niño", "診所", "Ωmega", "a\nb", "x" * 2100, "é" * 2001, "'", "''=2"],
]
ALPHABET = st.sampled_from(list(" \t;,/|'=+-@.$:0159aeyYnNIViv\u00e9\u2028\u3000"))
CELL = st.one_of(st.sampled_from(CELLS), st.lists(ALPHABET, max_size=12).map("".join))
# A pool of a few distinct cells, repeated: the shape the fast path is for.
COLUMN = st.lists(CELL, min_size=1, max_size=12).flatmap(
    lambda pool: st.lists(
        st.sampled_from(pool), min_size=DISTINCT_MIN_ROWS, max_size=3 * DISTINCT_MIN_ROWS
    )
)


def _same_column(column, cells):
    raw = pd.Series(cells, dtype="str")
    assert distinct_codes(raw) is not None  # the fast path is really taken
    fast = read_column(column, raw, fast=True)
    straight = read_column(column, raw, fast=False)
    pd.testing.assert_series_equal(fast[0], straight[0], check_exact=True)
    np.testing.assert_array_equal(fast[1], straight[1])
    assert fast[2].tolist() == straight[2].tolist()


@pytest.mark.parametrize("kind", sorted({c.kind for c in default_schema().columns}))
@SETTINGS
@given(cells=COLUMN)
def test_every_kind_of_column_parses_the_same_on_its_distinct_values(kind, cells):
    column = next(c for c in default_schema().columns if c.kind == kind)
    _same_column(column, cells)


def test_a_column_of_mostly_different_values_is_parsed_cell_by_cell():
    assert distinct_codes(pd.Series([f"Clinic {i}" for i in range(500)], dtype="str")) is None
    assert distinct_codes(pd.Series(["yes"] * 10, dtype="str")) is None  # too short to pay
    found = distinct_codes(pd.Series(["yes", "no", "yes"] * 100, dtype="str"))
    assert found is not None
    codes, distinct = found
    assert distinct.tolist() == ["yes", "no"] and codes[:4].tolist() == [0, 1, 0, 0]


@SETTINGS
@given(data=st.data(), n=st.integers(DISTINCT_MIN_ROWS, 3 * DISTINCT_MIN_ROWS))
def test_validate_gives_the_same_table_and_problems_either_way(data, n):
    names = default_schema().names
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=12))
    raw = synthetic_raw(n, seed=data.draw(st.integers(0, 3)))
    for name in chosen:  # hostile cells in some columns, the rest realistic
        raw[name] = pd.Series(data.draw(COLUMN.map(lambda c: (c * n)[:n])), dtype="str")
    rows = np.arange(2, n + 2)
    fast_table, fast_problems = validate(raw, rows, fast=True)
    table, problems = validate(raw, rows, fast=False)
    pd.testing.assert_frame_equal(fast_table, table, check_exact=True)
    pd.testing.assert_frame_equal(fast_problems, problems, check_exact=True)


# --- the CSV reader ---------------------------------------------------------------------------

CSV_PIECES = st.sampled_from(
    [*',;\t"\r\n\x00é= abc1', '""', '"a,b"', '"x\ny"', "\r\n", "\n\n", ",,", 'q"q', "\u2028"]
)
CSV_TEXT = st.lists(CSV_PIECES, max_size=40).map("".join)


def _same_cells(data: bytes):
    payload = decode(data)
    try:
        fast = _parse_csv(payload, fast=True)
    except Exception as exc:  # the straight reader must fail the same way
        with pytest.raises(type(exc)):
            _parse_csv(payload, fast=False)
        return
    straight = _parse_csv(payload, fast=False)
    pd.testing.assert_frame_equal(fast[0], straight[0], check_exact=True)
    np.testing.assert_array_equal(fast[1], straight[1])
    pd.testing.assert_frame_equal(fast[2], straight[2], check_exact=True)


@SETTINGS
@given(
    header=st.sampled_from(["name", "name,city", "name;city;notes", "name\tcity"]), body=CSV_TEXT
)
def test_arrow_and_the_c_reader_read_the_same_cells(header, body):
    _same_cells((header + "\n" + body).encode("utf-8"))
    _same_cells(body.encode("utf-8"))


@pytest.mark.parametrize(
    "data",
    [
        b'name,city\n"A, Inc.","x\ny"\n"B ""the best""",\r\n\r\nC,z',
        b"name,city\r\nA,x\r\n,\r\n\r\nB,y\r\n",
        b"name,city\rA,x\rB,y",
        b'name,city\n"ab"c,d\nab"c,d\n "q",x\n"q" ,x\n',
        b"name\n\nA\n\n",
    ],
)
def test_well_formed_files_are_read_by_arrow_with_the_same_cells(data):
    width = data.splitlines()[0].count(b",") + 1
    assert _read_arrow(decode(data).data, ",", width) is not None
    _same_cells(data)


@pytest.mark.parametrize(
    "data",
    [b"name,city\nA,x\nB,y,z\n", b"name,city\nA\n", b'name,city\nA,x\n"C,z\nD,w\n'],
)
def test_malformed_files_are_left_to_the_c_reader_which_reports_them(data):
    assert _read_arrow(data, ",", 2) is None
    _same_cells(data)


def test_a_whole_synthetic_directory_reads_the_same_either_way():
    raw = synthetic_raw(3000, seed=7)
    raw.loc[::7, "telehealth"] = " Maybe "
    raw.loc[::11, "country"] = "United States"
    raw.loc[::13, "routes"] = "IV / teleport"
    raw.loc[::5, "id"] = "dup"
    data = raw.to_csv(index=False).encode("utf-8")
    fast = parse_directory(data, "x.csv", fast=True)
    straight = parse_directory(data, "x.csv", fast=False)
    pd.testing.assert_frame_equal(fast.table, straight.table, check_exact=True)
    pd.testing.assert_frame_equal(fast.problems, straight.problems, check_exact=True)
    assert len(fast.problems) > 1000  # the hostile cells were reported, the same way
