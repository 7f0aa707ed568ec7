"""State and province borders for the results map, offline: a small GeoJSON file shipped in
providers/geo/data (Natural Earth, public domain; built by providers.geo.make_borders).

The map draws only the borders near the clinics it shows, so a phone gets a few kilobytes
instead of the whole continent on every redraw.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

import numpy as np

FINE_FILE = "us_ca_borders.geojson"  # about 2 km detail
COARSE_FILE = "us_ca_borders_coarse.geojson"  # about 10 km, for continent-wide maps
COARSE_SPAN_DEG = 15.0  # a map wider or taller than this gets the coarse borders
MIN_SPAN_DEG = 0.5  # a map of one clinic still shows its surroundings (about 50 km)
PAD_SHARE = 0.1  # room around the outermost points, as a share of the span
MAX_ASPECT = 3.0  # the widest map drawn, width over height (a wide screen)


class MapBox(NamedTuple):
    """A longitude/latitude box in degrees (west, south, east, north)."""

    west: float
    south: float
    east: float
    north: float

    def corners(self) -> dict[str, Any]:
        """The box's corners as a GeoJSON Feature, for fitting a map projection to the box
        (points, not a polygon: d3 reads a polygon's winding as inside or outside)."""
        w, s, e, n = self
        geometry = {"type": "MultiPoint", "coordinates": [[w, s], [e, s], [e, n], [w, n]]}
        return {"type": "Feature", "geometry": geometry}


class _Border(NamedTuple):
    """One state or province: its feature (name, region and geometry: what the map needs),
    its polygons and each polygon's box (west, south, east, north)."""

    feature: dict[str, Any]
    polygons: list[Any]
    boxes: np.ndarray


@cache
def _borders(file: str) -> tuple[tuple[_Border, ...], np.ndarray]:
    """The borders of one level of detail and their boxes, read once per process."""
    text = resources.files("providers.geo").joinpath("data", file).read_text("utf-8")
    source = json.loads(text)["features"]
    borders = []
    for f in source:
        geometry = f["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        outer = [np.asarray(p[0], dtype="float64") for p in polygons]
        boxes = np.array([[*r.min(axis=0), *r.max(axis=0)] for r in outer]).reshape(-1, 4)
        feature = {
            "type": "Feature",
            "properties": {k: f["properties"][k] for k in ("name", "region")},
            "geometry": geometry,
        }
        borders.append(_Border(feature, polygons, boxes))
    boxes = np.array([f["bbox"] for f in source], dtype="float64")
    return tuple(borders), boxes.reshape(-1, 4)


def _meets(boxes: np.ndarray, box: MapBox) -> np.ndarray:
    """Which of `boxes` (rows of west, south, east, north) overlap `box`."""
    west, south, east, north = box
    return (
        (boxes[:, 0] <= east)
        & (boxes[:, 2] >= west)
        & (boxes[:, 1] <= north)
        & (boxes[:, 3] >= south)
    )


def map_box(latitudes: object, longitudes: object) -> MapBox | None:
    """The box a map of these points should show: every point, a little room around them and
    at least MIN_SPAN_DEG across. None when no point has both coordinates."""
    lat = np.asarray(latitudes, dtype="float64")
    lon = np.asarray(longitudes, dtype="float64")
    known = ~(np.isnan(lat) | np.isnan(lon))
    if not known.any():
        return None
    lat, lon = lat[known], lon[known]
    box = []
    for low, high in ((lon.min(), lon.max()), (lat.min(), lat.max())):
        middle, half = (low + high) / 2, max(high - low, MIN_SPAN_DEG) / 2
        half *= 1 + 2 * PAD_SHARE
        box.append((middle - half, middle + half))
    (west, east), (south, north) = box
    return MapBox(float(west), float(max(south, -85.0)), float(east), float(min(north, 85.0)))


def borders_in_view(box: MapBox, margin_deg: float = 1.0) -> list[dict[str, Any]]:
    """The border features (GeoJSON, properties `name` and `region`) that meet what a map
    fitted to `box` shows, with only their polygons that do (the islands of Nunavut stay home
    when the map shows Ontario). Coarser borders when the box spans much of the continent.
    Features are shared between calls: do not change them.

    A map from a phone (about as wide as tall) to a wide screen (three times as wide) shows
    more than the box across or down, so the box is widened to cover both, plus `margin_deg`.
    """
    lon_span, lat_span = box.east - box.west, box.north - box.south
    stretch = np.cos(np.radians((box.north + box.south) / 2))  # Mercator: a degree of latitude
    extra_lon = max(0.0, (MAX_ASPECT * lat_span / stretch - lon_span) / 2)  # is 1/cos longer
    extra_lat = max(0.0, (lon_span * stretch - lat_span) / 2)
    view = MapBox(
        box.west - extra_lon - margin_deg,
        box.south - extra_lat - margin_deg,
        box.east + extra_lon + margin_deg,
        box.north + extra_lat + margin_deg,
    )
    wide = max(lon_span, lat_span) > COARSE_SPAN_DEG
    borders, boxes = _borders(COARSE_FILE if wide else FINE_FILE)
    features = []
    for i in np.flatnonzero(_meets(boxes, view)):
        border = borders[i]
        parts = _meets(border.boxes, view)
        if parts.all():
            features.append(border.feature)
        elif parts.any():
            polygons = [border.polygons[j] for j in np.flatnonzero(parts)]
            geometry = {"type": "MultiPolygon", "coordinates": polygons}
            features.append({**border.feature, "geometry": geometry})
    return features


@cache
def region_names() -> dict[str, str]:
    """State and province names by their postal code ("OH": "Ohio", "ON": "Ontario")."""
    return {
        b.feature["properties"]["region"]: b.feature["properties"]["name"]
        for b in _borders(FINE_FILE)[0]
    }
