"""The Streamlit app through AppTest: it starts, shows the demo scored, and fails politely."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(monkeypatch):
    monkeypatch.delenv("CLINIC_COMPARE_DIRECTORY", raising=False)
    return AppTest.from_file(APP, default_timeout=60)


def test_demo_directory_is_shown_scored_with_a_fictional_banner(app):
    app.run()
    assert not app.exception
    assert "fictional demo data" in app.warning[0].value
    table = app.dataframe[0].value
    assert len(table) == 60
    assert table["overall"].is_monotonic_decreasing
    assert {"overall", "expertise", "completeness", "stale"} <= set(table.columns)


def test_weights_change_the_ranking(app):
    app.run()
    before = app.dataframe[0].value["id"].tolist()
    for slider in app.sidebar.slider:
        slider.set_value(0)
    app.sidebar.slider(key="weight.pricing").set_value(5).run()
    after = app.dataframe[0].value
    assert after["overall"].tolist() == pytest.approx(after["pricing"].tolist())
    assert after["id"].tolist() != before


def test_all_weights_zero_is_explained(app):
    app.run()
    for slider in app.sidebar.slider:
        slider.set_value(0)
    app.run()
    assert "at least one criterion" in app.error[0].value
    assert not app.exception


def test_a_configured_directory_with_problems_lists_them(app, monkeypatch, tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("name,website\nReal Clinic,javascript:alert(1)\n,\n")
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", str(path))
    app.run()
    assert not app.exception and not app.warning  # no demo banner
    assert app.dataframe[0].value["name"].tolist() == ["Real Clinic"]
    assert app.dataframe[0].value["website"].tolist() == [""]
    assert "1 problems" in app.expander[0].label


def test_an_unreadable_configured_directory_is_a_message_not_a_traceback(
    app, monkeypatch, tmp_path
):
    path = tmp_path / "broken.csv"
    path.write_bytes(b"name,name\n")
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", str(path))
    app.run()
    assert not app.exception
    assert "cannot be read" in app.error[0].value and "twice" in app.error[0].value


def test_method_page_is_rendered_from_the_checklist(checklist):
    at = AppTest.from_function(_method_page, default_timeout=30)
    at.run()
    text = "\n".join(m.value for m in at.markdown)
    assert checklist.version in text
    for item in checklist.items:
        assert item.question in text


def _method_page():
    from ui import method

    method.render()
