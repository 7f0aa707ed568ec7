"""The patient's pages with the first-year cost, clinic status and a directory full of unknowns:
what they show, and that no page ever shows "None" or "nan"."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import csv_of

APP = str(Path(__file__).resolve().parents[2] / "app.py")
WORDS = re.compile(r"\b(None|nan|NaN|NaT|<NA>)\b")
FACTS = {
    "country": "US",
    "currency": "USD",
    "price_per_session": 500,
    "consultation_fee": 250,
    "series_sessions": 6,
    "booster_price": 450,
    "booster_interval_months": 2,
    "status": "open",
}


@pytest.fixture
def unknowns(monkeypatch, tmp_path):
    """A directory where one clinic gives every cost fact, one nothing at all, one only a
    price, and one is closed."""
    path = tmp_path / "unknowns.csv"
    path.write_bytes(
        csv_of(
            [
                {"id": "full", "name": "Full Facts", **FACTS},
                {"id": "bare", "name": "Bare Clinic"},
                {"id": "priced", "name": "Priced Only", "country": "CA", "price_per_session": 700},
                {"id": "shut", "name": "Shut Clinic", "status": "permanently closed"},
            ]
        )
    )
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", str(path))
    monkeypatch.delenv("CLINIC_COMPARE_GEOCODER", raising=False)


def start(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page(at: AppTest, name: str) -> AppTest:
    at.switch_page(f"ui/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cells(frame: object) -> list[str]:
    """Every cell of a shown table as text; a missing cell is what Streamlit shows: None."""
    data = getattr(frame, "data", frame)  # a Styler holds its frame in .data
    assert isinstance(data, pd.DataFrame)
    return ["None" if pd.isna(v) else str(v) for v in data.to_numpy().ravel()]


def visible_text(at: AppTest) -> list[str]:
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "text", "caption", "info",
                 "warning", "error", "success"):  # fmt: skip
        parts.extend(str(e.value) for e in getattr(at, kind))
    parts.extend(f"{m.label}: {m.value}" for m in at.metric)
    parts.extend(e.label for e in at.expander)
    for shown in at.dataframe:
        parts.extend(cells(shown.value))
    return parts


def assert_no_missing_words(at: AppTest) -> None:
    bad = [t for t in visible_text(at) if WORDS.search(t)]
    assert bad == []


@pytest.mark.parametrize("clinic", ["full", "bare", "priced", "shut"])
def test_the_detail_page_reads_the_estimate_and_never_none(unknowns, clinic):
    at = page(start(clinic=clinic), "detail")
    metrics = {m.label: m.value for m in at.metric}
    estimate = metrics["First-year cost (estimate)"]
    expected = {
        "full": "5,500 USD",  # 250 + 6 x 500 + 5 boosters x 450
        "bare": "not listed",
        "priced": "to",  # a range, in the clinic's own currency
        "shut": "not listed",
    }[clinic]
    assert expected in estimate
    if clinic == "priced":
        assert estimate.endswith(" CAD") and metrics["Price per session"] == "700 CAD"
    if clinic == "shut":
        assert "listed as closed" in at.error[0].value
    text = " ".join(visible_text(at))
    assert "What the first year may cost" in text
    if clinic != "full":
        assert "Ask the clinic about cost" in text or clinic == "bare"
    assert_no_missing_words(at)


def test_compare_adds_status_and_cost_rows(unknowns):
    at = page(start(cmp="full,bare,priced,shut"), "compare")
    table = at.dataframe[0].value.set_index("item")
    assert table.loc["First-year cost (estimate)"].tolist()[1:] == [
        "5,500 USD",
        "not listed",
        table.loc["First-year cost (estimate)"].iloc[3],
        "not listed",
    ]
    assert table.loc["Status"].tolist()[1:] == ["open", "unknown", "unknown", "closed"]
    assert table.loc["  Consultation fee"].iloc[2] == "not listed"
    assert_no_missing_words(at)


def test_shortlist_shows_the_estimate_and_status(unknowns):
    at = page(start(list="full,bare,shut"), "shortlist")
    text = " ".join(visible_text(at))
    assert "first-year cost (estimate) 5,500 USD" in text.replace("\\", "")
    assert "Listed as closed." in text
    assert_no_missing_words(at)


def test_method_says_how_the_estimate_is_made(unknowns, checklist):
    at = page(start(), "method")
    text = " ".join(visible_text(at))
    assert "First-year cost (an estimate)" in text and "never converted" in text
    low, high = checklist.cost_model.bound("price_per_session")
    assert f"{low:,.0f} to {high:,.0f}" in text
    assert_no_missing_words(at)


def test_a_link_restores_the_cost_filter_closed_clinics_and_units(unknowns):
    at = start(maxcost="6000", closed="1", units="km")
    choices = at.session_state["choices"]
    assert (choices.max_cost, choices.show_closed, choices.units) == (6000.0, True, "km")
    assert at.radio(key="w.units").value == "km"


def test_the_cost_and_closed_filters_module_renders_and_returns_them(unknowns):
    """The Find page places these widgets; here they run on a page of their own."""
    script = (
        "import streamlit as st\n"
        "from ui import sidebar\n"
        "st.session_state['result'] = sidebar.cost_and_status_filters()\n"
    )
    at = AppTest.from_string(script, default_timeout=60)
    at.run()
    assert at.session_state["result"] == (None, False)
    at.number_input(key="w.max_cost").set_value(8000).run()
    at.checkbox(key="w.show_closed").check().run()
    assert at.session_state["result"] == (8000.0, True)
    assert at.session_state["choices"].max_cost == 8000.0
