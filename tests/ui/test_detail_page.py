"""The clinic page: the picker offers the patient's own clinics first, the phone is a link to
call, the score chart has a text alternative."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import csv_of, full_clinic
from tests.ui.test_patient_pages import page, results
from ui.state import patients_clinics_first

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_the_order_is_shortlist_then_last_results_then_names():
    names = {"a": "Zeta", "b": "alpha", "c": "Beta", "d": "Gamma", "e": "delta"}
    assert patients_clinics_first(names, ("d",), ("e", "d", "x")) == ["d", "e", "b", "c", "a"]
    assert patients_clinics_first(names, (), ()) == ["b", "c", "e", "d", "a"]  # by name, any case
    assert patients_clinics_first({}, ("a",), ("b",)) == []


def test_the_picker_lists_the_shortlist_then_the_results_the_patient_saw(app):
    app.text_input(key="w.place").set_value("85251").run()  # Scottsdale: not in name order
    seen = results(app)["id"].tolist()
    names = dict(zip(app.dataframe[0].value["id"], app.dataframe[0].value["name"], strict=True))
    pick = seen[3]
    app.multiselect(key="w.shortlist").set_value([pick]).run()
    page(app, "detail")
    box = app.selectbox(key="w.clinic")
    expected_first = [pick, *[i for i in seen if i != pick]]
    assert box.options[: len(expected_first)] == [
        f"{names[pick]} (on your shortlist)",
        *[f"{names[i]} (result {n})" for n, i in enumerate(seen, 1) if i != pick],
    ]
    rest = box.options[len(expected_first) :]
    assert rest == sorted(rest, key=str.casefold) and rest  # everyone else, by name


@pytest.mark.parametrize(
    ("phone", "shown"),
    [("(614) 555-0142", "](tel:6145550142)"), ("", "Phone: not listed")],
)
def test_the_phone_is_a_link_to_call(monkeypatch, tmp_path, phone, shown):
    path = tmp_path / "mine.csv"
    path.write_bytes(csv_of([full_clinic(phone=phone)]))
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    page(at, "detail")
    contact = next(m.value for m in at.markdown if "Phone:" in m.value)
    assert shown in contact


def test_a_hostile_phone_is_text_and_never_a_live_link(monkeypatch, tmp_path):
    path = tmp_path / "mine.csv"
    hostile = "614 555 0142 [call](javascript:alert(1))"
    path.write_bytes(csv_of([full_clinic(phone=hostile)]))
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    page(at, "detail")
    contact = next(m.value for m in at.markdown if "Phone:" in m.value)
    assert "](javascript" not in contact and "\\[call\\]" in contact
    assert "(tel:6145550142)" in contact


def test_the_score_chart_is_also_given_in_words(app, checklist):
    page(app, "detail")
    words = next(c.value for c in app.caption if c.value.startswith("Scores out of 100."))
    for criterion in checklist.criteria:
        assert criterion.label in words


def test_compare_offers_the_shortlist_first_too(app):
    seen = results(app)["id"].tolist()
    app.multiselect(key="w.shortlist").set_value([seen[2]]).run()
    page(app, "compare")
    assert app.multiselect(key="w.compare").options[:2] == [
        *(app.multiselect(key="w.compare").format_func(i) for i in (seen[2], seen[0]))
    ]


def test_how_a_clinic_was_placed_reads_in_words_on_find(app):
    app.text_input(key="w.place").set_value("Toronto, ON").run()
    app.selectbox(key="w.radius").set_value(0).run()  # any distance: every clinic listed
    shown = set(results(app, detail=True)["location_precision"])
    assert shown <= {"exact address", "ZIP or postal code area", "city centre",
                     "state or province", "unknown"}  # fmt: skip
    assert len(shown) >= 2  # the demo has clinics without coordinates, placed by ZIP
