"""The Find page's map through AppTest: offline borders under the shown clinics, tooltips
with name, score and distance, a text alternative, and the street map only on opt-in."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
from streamlit.testing.v1 import AppTest

from tests.conftest import csv_of, full_clinic

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def elements(at: AppTest, kind: str) -> list:
    """Every element of `kind` on the page (AppTest has no accessor for charts and maps)."""
    found = []

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", "") == kind:
                found.append(child)
            walk(child)

    walk(at._tree)
    return found


def the_map(at: AppTest) -> tuple[dict, object, str]:
    """The map's Vega-Lite spec, its points (a DataFrame) and its accessible name."""
    (chart,) = elements(at, "vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    points = pa.ipc.open_stream(chart.proto.data.data).read_pandas()
    return spec, points, chart.proto.alt


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption).replace("\\", "")


def test_the_map_draws_borders_under_the_clinics_and_you(app):
    app.text_input(key="w.place").set_value("85251").run()
    spec, points, alt = the_map(app)
    borders, clinics, *labels = spec["layer"]
    assert borders["mark"]["type"] == "geoshape"
    regions = {f["properties"]["region"] for f in borders["data"]["values"]}
    assert "AZ" in regions and not regions & {"FL", "ON", "AK"}  # only what is in view
    assert all(f["properties"]["name"] for f in borders["data"]["values"])
    assert clinics["mark"]["type"] == "point"
    assert "longitude" in clinics["encoding"] and "latitude" in clinics["encoding"]
    assert labels and all(layer["mark"]["type"] == "text" for layer in labels)  # tap labels
    # The view fits the points, not the borders.
    corners = spec["projection"]["fit"]["geometry"]["coordinates"]
    lons = [c[0] for c in corners]
    assert min(lons) <= points["longitude"].min() and max(lons) >= points["longitude"].max()
    assert max(lons) - min(lons) < 10
    # Only the shown rows are sent: a page of results and "You".
    shown = len(app.dataframe[0].value)
    assert (points["kind"] == "Clinic").sum() <= shown
    assert (points["kind"] == "You").sum() == 1
    assert "Map of the" in alt and "Arizona" in alt and "Nearest:" in alt


def test_the_tooltip_gives_name_score_and_distance_in_the_patients_unit(app):
    app.text_input(key="w.place").set_value("85251").run()
    spec, points, _ = the_map(app)
    tooltip = spec["layer"][1]["encoding"]["tooltip"]
    assert [t["field"] for t in tooltip] == ["name", "score", "distance"]
    assert [t["title"] for t in tooltip] == ["Clinic", "Score", "Distance"]
    clinics = points[points["kind"] == "Clinic"]
    table = app.dataframe[0].value.set_index("name")
    first = clinics.iloc[0]
    assert first["score"] == f"{table.loc[first['name'], 'overall']:.0f}"
    assert first["distance"] == f"{table.loc[first['name'], 'distance']:.1f} mi"
    assert clinics["distance"].str.endswith(" mi").all()
    assert first["about"] == f"Score {first['score']}, {first['distance']} away"
    # Toronto reads kilometres.
    app.text_input(key="w.place").set_value("Toronto, ON").run()
    _, points, alt = the_map(app)
    assert points.loc[points["kind"] == "Clinic", "distance"].str.endswith(" km").all()
    assert "Ontario" in alt and " km." in alt


def test_a_missing_score_reads_unknown_and_the_map_is_described(monkeypatch, tmp_path):
    rows = [
        full_clinic(id="a", name="Alpha", city="Columbus", region="OH", latitude=39.96,
                    longitude=-82.99),
        full_clinic(id="b", name="Beta", city="Pittsburgh", region="PA", latitude=40.44,
                    longitude=-80.0),
        full_clinic(id="c", name="Gamma", city="Erie", region="PA"),
    ]  # fmt: skip
    path = tmp_path / "clinics.csv"
    path.write_bytes(csv_of(rows))
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", str(path))
    monkeypatch.delenv("CLINIC_COMPARE_GEOCODER", raising=False)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    spec, points, alt = the_map(at)
    assert set(points["name"]) <= {"Alpha", "Beta", "Gamma"}
    assert "distance" not in points  # no place, no distance
    assert [t["field"] for t in spec["layer"][1]["encoding"]["tooltip"]] == ["name", "score"]
    assert alt.startswith("Map of")
    assert "Ohio" in alt and "Pennsylvania" in alt
    assert alt in captions(at)
    assert "pennsylvania" in json.dumps(spec["layer"][0]["data"]).lower()
    # The one rounding rule, and "unknown" (never nan) for a missing score.
    from ui.find import map_points

    shown = at.dataframe[0].value.assign(latitude=[39.96] * 3, longitude=[-82.99] * 3)
    shown["overall"] = [float("nan"), 62.5, 62.49]
    texts = map_points(shown, None, "mi")
    assert list(texts["score"]) == ["unknown", "63", "62"]


def test_the_street_map_waits_for_an_opt_in_that_names_the_third_party(app):
    app.text_input(key="w.place").set_value("85251").run()
    assert elements(app, "deck_gl_json_chart") == []
    box = app.checkbox(key="w.street_map")
    assert box.value is False and box.label == "Show a street map"
    note = captions(app)
    assert "CARTO" in note and "OpenStreetMap" in note and "outside this app" in note
    box.check().run()
    (street,) = elements(app, "deck_gl_json_chart")
    assert "latitude" in json.loads(street.proto.json)["initialViewState"]
    assert elements(app, "vega_lite_chart")  # the offline map stays
    box = app.checkbox(key="w.street_map").uncheck().run()
    assert elements(app, "deck_gl_json_chart") == []


def test_hostile_names_travel_as_data_not_markup(monkeypatch, tmp_path):
    evil = '<img src=x onerror="alert(1)"> [x](javascript:alert(2))'
    rows = [full_clinic(id="e", name=evil, city="Mesa", region="AZ", postal_code="85201")]
    path = tmp_path / "clinics.csv"
    path.write_bytes(csv_of(rows))
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", str(path))
    monkeypatch.delenv("CLINIC_COMPARE_GEOCODER", raising=False)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="w.place").set_value("85201").run()
    assert not at.exception
    spec, points, alt = the_map(at)
    assert evil in set(points["name"])  # a value for Vega's text rendering, never in the spec
    assert "<img" not in json.dumps(spec)
    assert evil in alt  # the accessible name is an attribute: plain text, nothing parsed
    caption = next(c.value for c in at.caption if c.value.startswith("Map of"))
    assert "\\<img" in caption and "\\[x\\]" in caption  # escaped for Markdown by say()


def test_the_compare_chart_has_its_numbers_in_words(app):
    app.switch_page("ui/compare.py").run()
    app.multiselect(key="w.compare").set_value(["demo-027", "demo-041"]).run()
    assert not app.exception
    (chart,) = elements(app, "vega_lite_chart")
    words = chart.proto.alt
    table = app.dataframe[0].value
    first, second = (c for c in table.columns if c not in ("item", "differs"))
    for _, row in table[table["item"].str.endswith(" (score)")].iterrows():
        label = row["item"].removesuffix(" (score)")
        name_a, name_b = first.rsplit(" (", 1)[0], second.rsplit(" (", 1)[0]
        assert f"{label}: {name_a} {row[first]}, {name_b} {row[second]}." in words
    assert "in the rows marked (score)" in captions(app)
