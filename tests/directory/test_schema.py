import pandas as pd
import pytest

from providers.directory.schema import (
    parse_count,
    parse_country,
    parse_date,
    parse_npi,
    parse_number,
    parse_postal_code,
    parse_routes,
    parse_tristate,
    parse_url,
)


def s(*values):
    return pd.Series(list(values), dtype="str")


def test_schema_is_derived_from_the_checklist(schema, checklist):
    for item in checklist.tristate_items:
        assert item.column in schema.names
    for criterion in checklist.criteria:
        assert criterion.source_column in schema.names
        assert criterion.verified_column in schema.names
    assert "reviews.rating" not in schema.names  # rating items read reviews_rating instead
    assert schema.names[:2] == ("id", "name")


def test_tristate_accepts_common_spellings_in_any_case():
    values, bad = parse_tristate(
        s("Yes", "TRUE", "y", "1", "No", "false", "N", "0", "", "Unknown", "maybe")
    )
    assert values.astype("str").tolist() == ["yes"] * 4 + ["no"] * 4 + ["unknown"] * 3
    assert bad.tolist() == [False] * 10 + [True]


def test_urls_only_http_and_https():
    values, bad = parse_url(
        s(
            "https://a.org/x",
            "javascript:alert(1)",
            "www.clinic.com",
            "ftp://a.org",
            "data:text/html,hi",
            "",
        )
    )
    assert values.tolist() == ["https://a.org/x", "", "https://www.clinic.com", "", "", ""]
    assert bad.tolist() == [False, True, False, True, True, False]


def test_numbers_accept_currency_signs_and_reject_out_of_range():
    values, bad = parse_number(s("$1,200", "450.5", "C$300", "-3", "abc", ""), 0, 100_000)
    assert values.tolist()[:3] == [1200.0, 450.5, 300.0]
    assert values.isna().tolist()[3:] == [True, True, True]
    assert bad.tolist() == [False, False, False, True, True, False]


def test_counts_must_be_whole():
    values, bad = parse_count(s("12", "1.5", "", "-1"), 0, 100)
    assert values.tolist()[0] == 12
    assert bad.tolist() == [False, True, False, True]


def test_dates_must_be_iso():
    values, bad = parse_date(s("2025-01-31", "2025-02-30", "31/01/2025", ""))
    assert str(values[0].date()) == "2025-01-31"
    assert bad.tolist() == [False, True, True, False]


def test_postal_codes_stay_text_and_lost_zeros_come_back():
    values, bad = parse_postal_code(s("02139", "2139", "85251-1234", "m5v2t6", "ABC"))
    assert values.tolist() == ["02139", "02139", "85251-1234", "M5V 2T6", ""]
    assert bad.tolist() == [False, False, False, False, True]


@pytest.mark.parametrize(
    "npi, ok",
    [
        ("1234567893", True),
        ("1234567890", False),
        ("123-456-7893", True),
        ("12345", False),
        ("", True),
    ],
)
def test_npi_check_digit(npi, ok):
    _, bad = parse_npi(s(npi))
    assert bad.tolist() == [not ok]


def test_routes_are_normalised_and_unknown_ones_reported():
    values, bad = parse_routes(s("IV; IM", "intravenous,oral", "nasal/teleport", "", "Esketamine"))
    assert values.tolist() == ["IV;IM", "IV;oral", "intranasal", "", "intranasal"]
    assert bad.tolist() == [False, False, True, False, False]


def test_country_names_map_to_codes():
    values, bad = parse_country(s("USA", "Canada", "United Kingdom", ""))
    assert values.tolist() == ["US", "CA", "", ""]
    assert bad.tolist() == [False, False, True, False]
