"""A monkey test of the patient pages: random widget actions on every page, any exception
shown by the app fails the test.

Hypothesis picks a directory (the demo, an empty one, one clinic, a hostile one), a share link
(sometimes hostile), then a page and a widget and a value at every step: clear a select, pick
one or all options, set a slider to a bound, type hostile text, click a button. It runs for
about a minute in `make test`; `MONKEY_EXAMPLES=200` runs longer.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from providers.directory import ROUTES, read_directory
from scoring import default_checklist
from tests.conftest import csv_of, full_clinic

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ("find", "detail", "compare", "shortlist", "method")
EXAMPLES = int(os.environ.get("MONKEY_EXAMPLES", "6"))
HOSTILE = (
    "[Click me](https://evil.example)",
    '=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    "Portland",
    "85251",
    "Toronto, ON",
    "999, 999",
    "\u202e\u0000 :skull: $x$",
    "x" * 500,
    "",
)


def _directories(tmp: Path) -> dict[str, str]:
    hostile = full_clinic(
        id="[x](javascript:alert(1))", name="**Evil** [clinic](https://evil.example)",
        website="javascript:alert(1)", notes="=cmd|' /C calc'!A0", city="<b>Mesa</b>",
    )  # fmt: skip
    files = {
        "empty": b"id,name\n",
        # One bare clinic: no answers, no verification dates (the shortlist crashed on it).
        "one": csv_of([{"id": "solo", "name": "Solo Clinic", "city": "Mesa", "region": "AZ"}]),
        "hostile": csv_of([hostile, full_clinic(id="ok", name="Fine Clinic")]),
    }
    out = {"demo": "demo"}
    for name, data in files.items():
        (tmp / f"{name}.csv").write_bytes(data)
        out[name] = str(tmp / f"{name}.csv")
    return out


def _value_pool(directory: str) -> list[object]:
    """Every value a select on these pages can hold, to map shown labels back to values."""
    checklist = default_checklist()
    pool: list[object] = [*ROUTES, *checklist.keys, *(i.column for i in checklist.items)]
    pool += [p.label for p in checklist.presets]
    if directory == "demo" or Path(directory).exists():
        pool += read_directory(directory).table["id"].tolist()
    return pool


def _act(at: AppTest, data: st.DataObject, pool: list[object]) -> None:
    """One random action on one random widget of the current page."""
    widgets = [
        *at.selectbox, *at.multiselect, *at.slider, *at.text_input, *at.text_area,
        *at.checkbox, *at.radio, *at.number_input, *at.button,
    ]  # fmt: skip
    widgets = [w for w in widgets if not getattr(w, "disabled", False)]
    if not widgets:
        return
    w = data.draw(st.sampled_from(widgets), label="widget")
    kind = w.type
    if kind == "selectbox":
        if w.options and data.draw(st.booleans(), label="pick"):
            w.select_index(data.draw(st.integers(0, len(w.options) - 1), label="index"))
        else:
            w.set_value(None)
    elif kind == "multiselect":
        labels = {str(w.format_func(v)): v for v in pool if _formats(w, v)}
        values = [labels[o] for o in w.options if o in labels]
        how = data.draw(st.sampled_from(["none", "all", "some"]), label="how")
        chosen = [] if how == "none" else values if how == "all" else values[:3]
        w.set_value(chosen[: w.max_selections or None])
    elif kind == "slider":
        low, high = w.proto.min, w.proto.max
        w.set_value(int(data.draw(st.sampled_from([low, high, (low + high) // 2]), label="at")))
    elif kind in ("text_input", "text_area"):
        w.input(data.draw(st.sampled_from(HOSTILE), label="text"))
    elif kind == "checkbox":
        w.set_value(not w.value)
    elif kind == "radio":
        if w.options:
            w.set_value(data.draw(st.sampled_from(list(w.options)), label="option"))
    elif kind == "number_input":
        w.set_value(data.draw(st.sampled_from([None, 0, 1, 450, 100_000]), label="number"))
    elif kind == "button":
        w.click()


def _formats(widget: object, value: object) -> bool:
    try:
        widget.format_func(value)  # type: ignore[attr-defined]
    except Exception:
        return False
    return True


@pytest.mark.parametrize("which", ["demo", "empty", "one", "hostile"])
def test_random_widget_walks_never_show_an_exception(which, tmp_path_factory, monkeypatch):
    directory = _directories(tmp_path_factory.mktemp("dirs"))[which]
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", directory)
    monkeypatch.delenv("CLINIC_COMPARE_GEOCODER", raising=False)
    pool = _value_pool(directory)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize="MONKEY_EXAMPLES" not in os.environ,
              suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
    @given(data=st.data())
    def walk(data: st.DataObject) -> None:
        at = AppTest.from_file(APP, default_timeout=60)
        link = data.draw(st.sampled_from([{}, {"near": HOSTILE[0], "radius": "7"},
                                          {"w": "x:9,,", "list": "a,b,[c](d)", "cmp": "zz"},
                                          {"clinic": HOSTILE[2], "max": "-1", "must": "nope"},
                                          {"max": "1e400", "sort": HOSTILE[1]}, {"max": "200000"}]),
                         label="link")  # fmt: skip
        at.query_params.update(link)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        for _ in range(data.draw(st.integers(2, 6), label="steps")):
            page = data.draw(st.sampled_from(PAGES), label="page")
            at.switch_page(f"ui/{page}.py").run()
            assert not at.exception, (page, [e.value for e in at.exception])
            _act(at, data, pool)
            at.run()
            assert not at.exception, (page, [e.value for e in at.exception])

    walk()
