"""The offline borders under the results map: the shipped files, the box around the clinics
and the filter that sends only the borders in view."""

from __future__ import annotations

import json
import math
from importlib import resources

import numpy as np
import pytest

from providers.geo import MapBox, borders_in_view, map_box, region_names

FILES = ["us_ca_borders.geojson", "us_ca_borders_coarse.geojson"]


def _shipped(name: str) -> dict:
    return json.loads(resources.files("providers.geo").joinpath("data", name).read_text("utf-8"))


def _regions(features: list[dict]) -> set[str]:
    return {f["properties"]["region"] for f in features}


def _points(feature: dict) -> np.ndarray:
    geometry = feature["geometry"]
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    return np.concatenate([np.asarray(ring) for polygon in polygons for ring in polygon])


@pytest.mark.parametrize("name", FILES)
def test_the_shipped_files_hold_every_state_and_province_of_the_us_and_canada_only(name):
    collection = _shipped(name)
    features = collection["features"]
    assert {f["properties"]["country"] for f in features} == {"US", "CA"}
    assert len([f for f in features if f["properties"]["country"] == "US"]) == 51  # with DC
    assert len([f for f in features if f["properties"]["country"] == "CA"]) == 13
    assert len(_regions(features)) == 64  # region codes are unique across both countries
    for feature in features:
        assert feature["properties"]["name"].strip()
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        points = _points(feature)
        west, south, east, north = feature["bbox"]
        assert (points[:, 0] >= west).all() and (points[:, 0] <= east).all()
        assert (points[:, 1] >= south).all() and (points[:, 1] <= north).all()
        assert east < 0  # nothing west of the antimeridian: Alaska does not wrap around
    assert "Natural Earth" in collection["source"]


def test_the_shipped_files_are_small():
    sizes = {
        n: len(resources.files("providers.geo").joinpath("data", n).read_bytes()) for n in FILES
    }
    assert sizes["us_ca_borders.geojson"] < 300_000
    assert sizes["us_ca_borders_coarse.geojson"] < 100_000


def test_region_names_map_postal_codes_to_names():
    names = region_names()
    assert names["OH"] == "Ohio"
    assert names["ON"] == "Ontario"
    assert names["DC"] == "District of Columbia"
    assert len(names) == 64


def test_the_box_holds_every_point_with_room_and_a_minimum_size():
    box = map_box([40.0, 41.0, float("nan")], [-83.0, -80.0, -100.0])
    assert box is not None
    assert box.west < -83.0 and box.east > -80.0 and box.south < 40.0 and box.north > 41.0
    one = map_box([39.96], [-82.99])  # one clinic: still about 50 km across
    assert one is not None
    assert one.east - one.west >= 0.5 and one.north - one.south >= 0.5
    assert math.isclose((one.east + one.west) / 2, -82.99)
    assert map_box([float("nan")], [-82.0]) is None
    assert map_box([], []) is None


def test_the_box_corners_are_a_geojson_feature_to_fit_a_map_to():
    corners = MapBox(-84.0, 39.0, -80.0, 42.0).corners()
    assert corners["type"] == "Feature"
    assert corners["geometry"]["type"] == "MultiPoint"
    assert sorted(map(tuple, corners["geometry"]["coordinates"])) == [
        (-84.0, 39.0), (-84.0, 42.0), (-80.0, 39.0), (-80.0, 42.0),
    ]  # fmt: skip


def test_only_the_borders_near_the_points_are_sent():
    # Columbus and Pittsburgh: Ohio, Pennsylvania and their neighbours, not the continent.
    box = map_box([39.96, 40.44], [-82.99, -80.0])
    assert box is not None
    regions = _regions(borders_in_view(box))
    assert {"OH", "PA", "WV"} <= regions
    assert not regions & {"CA", "TX", "FL", "BC", "AK", "HI", "NU"}
    assert len(regions) < 20
    # Every feature carries what the map needs, and nothing more.
    for feature in borders_in_view(box):
        assert set(feature["properties"]) == {"name", "region"}
        assert feature["properties"]["name"] == region_names()[feature["properties"]["region"]]


def test_a_feature_far_away_is_not_sent_and_far_islands_of_a_near_one_are_dropped():
    # Toronto: Ontario's borders are sent; Nunavut's Arctic islands are not.
    box = map_box([43.65], [-79.38])
    assert box is not None
    features = {f["properties"]["region"]: f for f in borders_in_view(box)}
    assert "ON" in features
    assert "NU" not in features
    assert "HI" not in _regions(borders_in_view(map_box([47.6], [-122.3])))  # Seattle
    # Alaska seen from Anchorage: only its parts near the view (not the Aleutians' far end).
    alaska = {f["properties"]["region"]: f for f in borders_in_view(map_box([61.2], [-149.9]))}
    full = next(f for f in _shipped(FILES[0])["features"] if f["properties"]["region"] == "AK")
    assert len(alaska["AK"]["geometry"]["coordinates"]) < len(full["geometry"]["coordinates"])


def test_a_continent_wide_map_gets_the_coarse_borders_and_stays_small():
    box = map_box([25.8, 47.6, 43.7], [-80.2, -122.3, -79.4])  # Miami, Seattle, Toronto
    assert box is not None
    wide = borders_in_view(box)
    assert {"FL", "WA", "ON", "TX"} <= _regions(wide)
    assert len(json.dumps(wide)) < 80_000
    near = borders_in_view(map_box([39.96, 40.44], [-82.99, -80.0]))
    assert len(json.dumps(near)) < 40_000


def test_the_borders_are_read_once():
    box = map_box([39.96], [-82.99])
    first, second = borders_in_view(box), borders_in_view(box)
    assert first == second
    pairs = zip(first, second, strict=True)
    assert all(a["properties"] is b["properties"] for a, b in pairs)  # shared, not re-read
