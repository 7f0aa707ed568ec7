"""Build the offline state and province borders the Find page's map draws under the clinics.

Run once, by hand, when the source changes (shapely is a build-time tool only, in the
optional `data` extra; the app never imports this module):

    python -m providers.geo.make_borders ne_50m_admin_1_states_provinces_lakes.json

The source is Natural Earth's 1:50m admin-1 states and provinces with the Great Lakes cut
out (public domain) as GeoJSON; providers/geo/data/README.md says where to get it. Only the
US and Canada are kept (the app's countries), with a name and a region code per feature,
simplified and rounded at two levels of detail so the map can send the borders in view to a
phone on every redraw.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

COUNTRIES = ("US", "CA")


class Level(NamedTuple):
    """One level of detail: the file, the simplification tolerance (degrees), the decimals
    kept and the smallest polygon kept (square degrees; a feature's largest polygon is always
    kept, so no state or province disappears)."""

    file: str
    tolerance: float
    places: int
    min_area: float


# Fine: about 2 km and 100 m, far below what a map of a few states shows on a 390 px phone.
# Coarse: for maps spanning much of the continent (one pixel is then over 10 km).
LEVELS = (
    Level("us_ca_borders.geojson", 0.02, 3, 0.0003),
    Level("us_ca_borders_coarse.geojson", 0.2, 2, 0.1),
)
FOLDER = Path(__file__).resolve().parent / "data"


def _rounded(value: Any, places: int) -> Any:
    """Coordinates rounded to `places` decimals, nested lists kept."""
    if isinstance(value, float | int):
        return round(float(value), places)
    return [_rounded(v, places) for v in value]


def _parts(geometry: Any) -> Iterator[Any]:
    from shapely.geometry import MultiPolygon, Polygon

    if isinstance(geometry, Polygon):
        yield geometry
    elif isinstance(geometry, MultiPolygon):
        yield from geometry.geoms


def simplified(geojson: dict, level: Level) -> dict | None:
    """One feature's geometry at `level`: islands west of the antimeridian dropped (the
    Aleutians' far end would stretch Alaska around the world), specks dropped, coordinates
    rounded. None when nothing is left."""
    from shapely.geometry import MultiPolygon, mapping, shape

    parts = sorted((p for p in _parts(shape(geojson)) if p.bounds[0] < 0), key=lambda p: -p.area)
    kept = [
        p.simplify(level.tolerance, preserve_topology=True)
        for i, p in enumerate(parts)
        if i == 0 or p.area >= level.min_area
    ]
    kept = [p for p in kept if not p.is_empty]
    if not kept:
        return None
    out = mapping(kept[0] if len(kept) == 1 else MultiPolygon(kept))
    coordinates = json.loads(json.dumps(out["coordinates"]))  # tuples to lists
    return {"type": out["type"], "coordinates": _rounded(coordinates, level.places)}


def build(source: dict, level: Level) -> dict:
    """The compact FeatureCollection: per feature `name`, `region` (postal code, "OH", "ON"),
    `country` and a `bbox` [west, south, east, north]."""
    from shapely.geometry import shape

    features = []
    for feature in source["features"]:
        props = feature["properties"]
        if props.get("iso_a2") not in COUNTRIES:
            continue
        geometry = simplified(feature["geometry"], level)
        if geometry is None:
            continue
        region = props.get("postal") or str(props.get("iso_3166_2", "")).split("-")[-1]
        features.append(
            {
                "type": "Feature",
                "bbox": _rounded(list(shape(geometry).bounds), level.places),
                "properties": {"name": props["name"], "region": region, "country": props["iso_a2"]},
                "geometry": geometry,
            }
        )
    features.sort(key=lambda f: (f["properties"]["country"], f["properties"]["region"]))
    return {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:50m admin-1 states and provinces (public domain), "
        f"US and Canada, simplified at {level.tolerance} degrees, {level.places} decimals",
        "features": features,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="ne_50m_admin_1_states_provinces GeoJSON")
    parser.add_argument("--folder", type=Path, default=FOLDER, help="where to write the files")
    args = parser.parse_args(argv)
    source = json.loads(args.source.read_text("utf-8"))
    for level in LEVELS:
        collection = build(source, level)
        text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False) + "\n"
        path = args.folder / level.file
        path.write_text(text, "utf-8")
        print(f"{path}: {len(collection['features'])} features, {len(text.encode()):,} bytes")


if __name__ == "__main__":
    main()
