"""The first-year cost estimate: the sum, the ranges unknown facts make, the questions, the
filter and the one way an amount reads."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import Filters, closed_note, cost_summary, cost_text, explain_empty, first_year_cost
from scoring.cost import FACTS, HIGH, LOW, QUESTIONS, fact_questions
from tests.conftest import table_of

FULL = {
    "consultation_fee": 250,
    "series_sessions": 6,
    "price_per_session": 500,
    "booster_price": 450,
    "booster_interval_months": 2,
}


def one(checklist, **facts) -> pd.Series:
    row = {"id": "c", "name": "C", "country": "US", **facts}
    return first_year_cost(table_of(row), checklist).iloc[0]


def test_every_fact_known_gives_one_figure_worked_by_hand(checklist):
    found = one(checklist, **FULL, currency="USD")
    # 250 + 6 x 500 + floor(11 / 2) = 5 boosters x 450
    assert found[LOW] == found[HIGH] == 250 + 6 * 500 + 5 * 450
    assert found[QUESTIONS] == ""
    assert cost_text(found[LOW], found[HIGH], "USD") == "5,500 USD"


def test_an_unknown_fact_widens_the_range_by_the_published_figures(checklist):
    model = checklist.cost_model
    low_n, high_n = model.bound("series_sessions")
    facts = {k: v for k, v in FULL.items() if k != "series_sessions"}
    found = one(checklist, **facts)
    assert found[LOW] == 250 + low_n * 500 + 5 * 450
    assert found[HIGH] == 250 + high_n * 500 + 5 * 450
    assert found[QUESTIONS] == fact_questions(checklist)["series_sessions"]


def test_booster_price_defaults_to_the_session_price_and_a_free_consultation_costs_nothing(
    checklist,
):
    facts = {k: v for k, v in FULL.items() if k not in ("booster_price", "consultation_fee")}
    found = one(checklist, **facts, free_consultation="yes")
    assert found[LOW] == found[HIGH] == 6 * 500 + 5 * 500
    # Still asked: the booster price was assumed, not given.
    assert found[QUESTIONS] == fact_questions(checklist)["booster_price"]


def test_a_clinic_that_lists_no_cost_fact_reads_not_listed_and_gets_every_question(checklist):
    found = one(checklist)
    assert math.isnan(found[LOW]) and math.isnan(found[HIGH])
    assert cost_text(found[LOW], found[HIGH], found["first_year_currency"]) == "not listed"
    assert found[QUESTIONS].split(" | ") == list(fact_questions(checklist).values())


def test_the_price_and_sessions_questions_are_the_pricing_items_own(checklist):
    asked = fact_questions(checklist)
    assert set(asked) == set(FACTS)
    items = {i.implied_by: i.question for i in checklist.items if i.implied_by}
    assert asked["price_per_session"] == items["price_per_session"]
    assert asked["series_sessions"] == items["series_sessions"]


def test_currencies_are_never_converted(checklist):
    table = table_of(
        {"id": "us", "name": "A", "country": "US", **FULL},
        {"id": "ca", "name": "B", "country": "CA", **FULL},
        {"id": "cad", "name": "C", "country": "US", "currency": "CAD", **FULL},
        {"id": "none", "name": "D", "consultation_fee": 100},
    )
    found = first_year_cost(table, checklist)
    assert found["first_year_currency"].tolist() == ["USD", "CAD", "CAD", ""]
    assert found[LOW].iloc[0] == found[LOW].iloc[1] == found[LOW].iloc[2]
    assert cost_text(found[LOW].iloc[3], found[HIGH].iloc[3], "").endswith("(currency not listed)")


def test_amounts_are_rounded_half_up_to_whole_units(checklist):
    found = one(checklist, **{**FULL, "price_per_session": 500.5, "booster_price": 0})
    assert found[LOW] == 250 + 3003  # 3003.0 exactly; 6 x 500.5
    found = one(checklist, **{**FULL, "consultation_fee": 0.5, "booster_price": 0})
    assert found[LOW] == 3001  # 3000.5 rounds up


def test_max_first_year_cost_keeps_whole_ranges_within_it_in_their_own_currency(checklist):
    table = table_of(
        {"id": "cheap", "name": "A", "country": "US", **FULL},
        {"id": "canadian", "name": "B", "country": "CA", **FULL},
        {"id": "partial", "name": "C", "country": "US", "price_per_session": 500},
        {"id": "silent", "name": "D", "country": "US"},
    )
    kept = Filters(max_first_year_cost=6000).apply(table)
    assert kept["id"].tolist() == ["cheap", "canadian"]  # 5,500 USD and 5,500 CAD
    assert "first-year cost" in explain_empty(["first_year_cost"])


def test_closed_clinics_are_hidden_unless_asked_for_and_counted():
    table = table_of(
        {"id": "a", "name": "A", "status": "open"},
        {"id": "b", "name": "B", "status": "permanently closed"},
        {"id": "c", "name": "C", "status": "Temporarily_Closed"},
        {"id": "d", "name": "D"},
    )
    assert table["status"].tolist() == ["open", "closed", "temporarily closed", "unknown"]
    hidden = Filters()
    assert hidden.apply(table)["id"].tolist() == ["a", "c", "d"]
    assert hidden.hidden_closed(table) == 1
    assert closed_note(1) == (
        "1 clinic is listed as closed and hidden; tick 'Show closed clinics' to see them."
    )
    shown = Filters(show_closed=True)
    assert len(shown.apply(table)) == 4 and shown.hidden_closed(table) == 0
    assert closed_note(0) is None


def test_the_summary_reads_every_fact_and_never_none_or_nan(checklist):
    table = table_of({"id": "c", "name": "C", "country": "CA", "price_per_session": 700})
    summary = cost_summary(table.iloc[0], checklist)
    shown = dict(summary.facts)
    assert shown["Price per session"] == "700 CAD"
    assert shown["Consultation fee"] == "not listed"
    assert not summary.exact and summary.text.endswith(" CAD")
    text = " ".join([summary.text, *(v for _, v in summary.facts), *summary.questions])
    assert "None" not in text and "nan" not in text


# --- properties ---------------------------------------------------------------------------------

MONEY = st.one_of(st.none(), st.integers(0, 5000))
FACT_VALUES = {
    "consultation_fee": MONEY,
    "series_sessions": st.one_of(st.none(), st.integers(1, 50)),
    "price_per_session": MONEY,
    "booster_price": MONEY,
    "booster_interval_months": st.one_of(st.none(), st.sampled_from([0.5, 1, 1.5, 2, 3, 6, 24])),
}


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {f: pd.Series([r[f] for r in rows], dtype="float64") for f in FACTS}
    ).assign(currency="USD", country="US", free_consultation="unknown")
    return frame


@given(st.lists(st.fixed_dictionaries(FACT_VALUES), min_size=1, max_size=20))
def test_low_never_exceeds_high_and_all_known_gives_a_point(rows):
    found = first_year_cost(_frame(rows))
    listed = found[LOW].notna()
    assert (found.loc[listed, LOW] <= found.loc[listed, HIGH]).all()
    for i, row in enumerate(rows):
        if all(v is not None for v in row.values()):
            assert found[LOW].iloc[i] == found[HIGH].iloc[i]
            assert found[QUESTIONS].iloc[i] == ""
        if all(v is None for v in row.values()):
            assert np.isnan(found[LOW].iloc[i])


@pytest.mark.parametrize("fact", FACTS)
@given(row=st.fixed_dictionaries(FACT_VALUES), more=st.integers(1, 1000))
def test_the_estimate_is_monotone_in_each_fact(fact, row, more):
    """More money per item or more sessions never lowers the estimate; a longer interval
    between boosters never raises it."""
    base = {**row, "price_per_session": row["price_per_session"] or 400}
    if base[fact] is None:
        return
    step = more if fact != "booster_interval_months" else more / 100
    bigger = {**base, fact: base[fact] + step}
    if fact == "series_sessions":
        bigger[fact] = min(bigger[fact], 50)
    found = first_year_cost(_frame([base, bigger]))
    for column in (LOW, HIGH):
        before, after = found[column].iloc[0], found[column].iloc[1]
        if fact == "booster_interval_months":
            assert after <= before
        else:
            assert after >= before


def test_a_large_table_is_estimated_row_by_row_correctly_in_one_pass(checklist):
    rng = np.random.default_rng(7)
    n = 100_000
    values = {
        "consultation_fee": rng.integers(0, 400, n),
        "series_sessions": rng.integers(1, 12, n),
        "price_per_session": rng.integers(300, 1500, n),
        "booster_price": rng.integers(300, 1500, n),
        "booster_interval_months": rng.choice([1.0, 2.0, 3.0], n),
    }
    rows = pd.DataFrame(
        {f: np.where(rng.random(n) < 0.3, np.nan, v.astype(float)) for f, v in values.items()}
    ).assign(currency="USD", country="US")
    found = first_year_cost(rows, checklist)
    listed = found[LOW].notna()
    assert len(found) == n and (found.loc[listed, LOW] <= found.loc[listed, HIGH]).all()
    for i in rng.integers(0, n, 20):  # spot checks against the one-clinic path
        single = first_year_cost(rows.iloc[[i]], checklist).iloc[0]
        assert (single[LOW], single[HIGH]) == (found[LOW].iloc[i], found[HIGH].iloc[i])


def test_the_shortlist_and_printable_page_carry_estimate_status_and_refund_item(checklist):
    from scoring import printable_html, rank_clinics, shortlist_frame

    table = table_of(
        {"id": "full", "name": "Full", "country": "US", "status": "open", **FULL},
        {"id": "bare", "name": "Bare"},
    )
    frame = shortlist_frame(rank_clinics(table), checklist)
    refund = checklist.cost_model.refund_item
    by_id = frame.set_index("id")
    assert by_id.loc["full", "first_year_cost"] == "5,500 USD"
    assert by_id.loc["bare", "first_year_cost"] == "not listed"
    assert by_id.loc["bare", refund] == "unknown" and by_id.loc["bare", "status"] == "unknown"
    asked = by_id.loc["bare", "questions"].split(" | ")
    assert len(asked) == len(set(asked))  # a cost question already asked is not repeated
    page = printable_html(frame, {}, "Shortlist", "note")
    assert "First-year cost (estimate): 5,500 USD" in page
    assert "Price per session: not listed" in page and "Status: unknown" in page
    assert f"{checklist.item(refund).label}: not disclosed" in page
    assert not re.search(r"\b(None|nan|NaN|NaT|<NA>)\b", page)
