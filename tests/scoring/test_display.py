"""One rounding rule for every number a person reads."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import explain, number_text, rank_clinics, round_half_up, shortlist_frame, tel_uri
from scoring.display import PLACES
from tests.conftest import TODAY, full_clinic, table_of


@pytest.mark.parametrize(
    "value, text", [(99.5, "100"), (99.49, "99"), (62.5, "63"), (0.5, "1"), (100.0, "100")]
)
def test_scores_round_half_up_to_whole_numbers(value, text):
    assert number_text(value) == text


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, "n/a"])
def test_a_missing_number_reads_unknown(missing):
    assert number_text(missing) == "unknown"


@given(st.floats(0, 100, allow_nan=False), st.sampled_from(sorted(PLACES)))
def test_the_text_and_the_rounded_number_always_agree(value, quantity):
    places = PLACES[quantity]
    rounded = float(round_half_up(value, places))
    assert abs(rounded - value) <= 0.5 / 10**places + 1e-9
    assert float(number_text(value, quantity)) == rounded


def test_the_csv_the_print_and_the_terminal_show_the_same_score():
    table = table_of(full_clinic(), full_clinic(id="half", **{"reviews_rating": ""}))
    ranked = rank_clinics(table, today=TODAY)
    frame = shortlist_frame(ranked, today=TODAY)
    for row in ranked.to_dict("records"):
        shown = frame.set_index("id").loc[row["id"], "overall"]
        assert shown == float(round_half_up(row["overall"]))
        clinic = table[table["id"] == row["id"]].iloc[0]
        line = explain(clinic, today=TODAY).lines()[0]
        assert f"overall {number_text(row['overall'])}/100" in line
    assert not any(isinstance(v, float) and not math.isfinite(v) for v in frame["overall"])
    assert np.array_equal(frame["overall"], np.floor(frame["overall"]))


def test_a_date_span_reads_first_to_last_and_none_without_dates():
    from scoring import date_span

    assert date_span(pd.Series(["2026-03-01", "bad", None, "2025-01-09"])) == (
        "2025-01-09 to 2026-03-01"
    )
    assert date_span(pd.Series([None, "", "not a date"])) is None
    assert date_span(pd.Series([], dtype="object")) is None


@pytest.mark.parametrize(
    ("phone", "uri"),
    [
        ("(614) 555-0142", "tel:6145550142"),
        ("+1 416-555-0199", "tel:+14165550199"),
        ("614.555.0142 ext. 3", "tel:6145550142"),
        ("call us", None),
        ("", None),
        (None, None),
        ("12345", None),
        ("javascript:alert(1)//6145550142", None),
        ("1" * 16, None),
    ],
)
def test_a_phone_link_holds_only_digits_and_a_leading_plus(phone, uri):
    assert tel_uri(phone) == uri
