import pytest

from scoring.filters import Filters, explain_empty
from tests.conftest import table_of


@pytest.fixture
def clinics():
    return table_of(
        {
            "id": "iv",
            "name": "A",
            "routes": "IV;IM",
            "price_per_session": 400,
            "country": "US",
            "telehealth": "no",
            "accepts_insurance": "yes",
        },
        {
            "id": "oral",
            "name": "B",
            "routes": "oral",
            "price_per_session": 250,
            "country": "US",
            "telehealth": "yes",
        },
        {"id": "secret", "name": "C", "routes": "IV"},
    )


def ids(frame):
    return sorted(frame["id"])


def test_each_filter(clinics):
    assert ids(Filters(routes=("IM",)).apply(clinics)) == ["iv"]
    assert ids(Filters(routes=("IV", "oral")).apply(clinics)) == ["iv", "oral", "secret"]
    assert ids(Filters(telehealth_only=True).apply(clinics)) == ["oral"]
    assert ids(Filters(accepts_insurance=True).apply(clinics)) == ["iv"]
    assert ids(Filters(max_price=300).apply(clinics)) == ["oral"]  # no price published: left out
    assert ids(Filters().apply(clinics)) == ["iv", "oral", "secret"]


def test_filters_combine_and_empty_results_say_what_to_relax(clinics):
    f = Filters(routes=("IM",), telehealth_only=True)
    assert f.apply(clinics).empty
    message = explain_empty(f.masks(clinics))
    assert "choose more treatment routes" in message and "telehealth" in message
    assert explain_empty([]) == "No clinics in this directory match."
