"""Synthetic clinic directories of any size, built column by column, never row by row.

The benchmarks need directories from a thousand to a million rows that look like real input
(every column, blanks, mixed answers, valid NPIs and postal codes) so that the reader does the
same work as on a real file. Generating them row by row would take longer than the code under
test, so numpy draws every column as a whole array and Arrow (the storage behind pandas'
string dtype) turns the numbers into text: it formats a million cells several times faster
than numpy's string functions and hands them to pandas without creating Python objects.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from providers.directory import validate
from providers.directory.schema import default_schema
from scoring.checklist import default_checklist

# (city, region, country, latitude, longitude, postal code stem)
CITIES: tuple[tuple[str, str, str, float, float, str], ...] = (
    ("Phoenix", "AZ", "US", 33.4484, -112.0740, "850"),
    ("Austin", "TX", "US", 30.2672, -97.7431, "787"),
    ("Denver", "CO", "US", 39.7392, -104.9903, "802"),
    ("Boston", "MA", "US", 42.3601, -71.0589, "021"),
    ("Seattle", "WA", "US", 47.6062, -122.3321, "981"),
    ("Miami", "FL", "US", 25.7617, -80.1918, "331"),
    ("Chicago", "IL", "US", 41.8781, -87.6298, "606"),
    ("Portland", "OR", "US", 45.5152, -122.6784, "972"),
    ("Toronto", "ON", "CA", 43.6532, -79.3832, "M5V"),
    ("Vancouver", "BC", "CA", 49.2827, -123.1207, "V6B"),
    ("Montreal", "QC", "CA", 45.5019, -73.5674, "H2X"),
    ("Calgary", "AB", "CA", 51.0447, -114.0719, "T2P"),
)
STREETS = ("Main St", "Oak Ave", "Maple Dr", "Elm St", "Cedar Rd", "Pine Blvd")
ROUTES = ("IV", "IV;IM", "IV;intranasal", "intranasal", "IM;oral", "")
CONDITIONS = ("chronic pain;fibromyalgia", "depression;chronic pain", "CRPS;fibromyalgia", "")
POSTAL_LETTERS = tuple("ABCEGHJKLMNPRSTVXY")
START_DAY = np.datetime64("2022-01-01", "D")
DAYS = int((np.datetime64("2026-12-31", "D") - START_DAY).astype(np.int64)) + 1
ISO_DAYS = (*(START_DAY + np.arange(DAYS)).astype("U10").tolist(), "")

Text: TypeAlias = pa.Array | str


def _text(values: np.ndarray) -> pa.Array:
    """Numbers as their decimal text."""
    return pc.cast(pa.array(values), pa.string())


def _join(*parts: Text) -> pa.Array:
    """Element-wise concatenation of text arrays and constants."""
    return pc.binary_join_element_wise(*parts, "")


def _zfill(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(_text(values), width, padding="0")


def _choose(choices: tuple[str, ...] | list[str], codes: np.ndarray) -> pa.Array:
    """choices[codes]: cells drawn from a few distinct values (codes may be booleans)."""
    return pa.array(choices, type=pa.string()).take(pa.array(np.asarray(codes, dtype=np.int64)))


def _blank(rng: np.random.Generator, values: pa.Array, share: float) -> pa.Array:
    """`values` with about `share` of the cells emptied."""
    return _empty_where(rng.random(len(values)) < share, values)


def _empty_where(mask: np.ndarray, values: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(mask), "", values)


def _pick(
    rng: np.random.Generator, choices: tuple[str, ...], n: int, p: list[float] | None = None
) -> pa.Array:
    return _choose(choices, rng.choice(len(choices), size=n, p=p))


def _tristate(rng: np.random.Generator, n: int) -> pa.Array:
    """yes / no / blank with probabilities that differ from column to column."""
    p_yes = rng.uniform(0.25, 0.75)
    p_no = rng.uniform(0.05, 1.0 - p_yes - 0.05)
    return _pick(rng, ("yes", "no", ""), n, p=[p_yes, p_no, 1.0 - p_yes - p_no])


def _npi(rng: np.random.Generator, n: int) -> pa.Array:
    """Ten-digit NPIs with a correct Luhn check digit (prefix 80840), as text."""
    digits = rng.integers(0, 10, size=(n, 9))
    digits[:, 0] = rng.integers(1, 3, size=n)
    doubled = digits[:, 0::2] * 2
    total = 24 + (doubled // 10 + doubled % 10).sum(axis=1) + digits[:, 1::2].sum(axis=1)
    check = (10 - total % 10) % 10
    return _text(digits @ (10 ** np.arange(8, -1, -1, dtype=np.int64)) * 10 + check)


def _postal(rng: np.random.Generator, city: np.ndarray, canadian: np.ndarray) -> pa.Array:
    """A ZIP near the city (US) or a postal code in the city's area (Canada)."""
    n = len(city)
    stems = _choose([c[5] for c in CITIES], city)
    zips = _join(stems, _zfill(rng.integers(0, 100, n), 2))
    ldu = _join(
        _text(rng.integers(0, 10, n)), _pick(rng, POSTAL_LETTERS, n), _text(rng.integers(0, 10, n))
    )
    return pc.if_else(pa.array(canadian), _join(stems, " ", ldu), zips)


def _dates(rng: np.random.Generator, n: int, blank: float) -> pa.Array:
    """ISO dates spread over 2022-2026, about `blank` of them empty."""
    return _choose(ISO_DAYS, np.where(rng.random(n) < blank, DAYS, rng.integers(0, DAYS, n)))


def synthetic_raw(n: int, seed: int = 0) -> pd.DataFrame:
    """`n` rows of raw directory cells (text, as read from a CSV), every directory column."""
    rng = np.random.default_rng(seed)
    number = _text(np.arange(1, n + 1))
    city = rng.integers(0, len(CITIES), n)
    lat = np.array([c[3] for c in CITIES])[city] + rng.normal(0, 0.1, n)
    lon = np.array([c[4] for c in CITIES])[city] + rng.normal(0, 0.1, n)
    canadian = np.array([c[2] == "CA" for c in CITIES])[city]
    site = _join("https://example.org/clinic/", number)
    price = rng.integers(30, 181, n) * 5
    priced = rng.random(n) >= 0.35
    rated = rng.random(n) >= 0.2
    # Ratings 1.0-5.0 in tenths; about 5% of rated clinics lack a review count.
    tenths = rng.integers(10, 51, n)
    cols: dict[str, pa.Array] = {
        "id": _blank(rng, _join("c", _zfill(np.arange(1, n + 1), 7)), 0.02),
        "name": _join("Clinic ", number),
        "address": _join(_text(rng.integers(1, 9999, n)), " ", _pick(rng, STREETS, n)),
        "city": _choose([c[0] for c in CITIES], city),
        "region": _choose([c[1] for c in CITIES], city),
        "postal_code": _blank(rng, _postal(rng, city, canadian), 0.05),
        "country": _choose(("US", "CA"), canadian.astype(np.int8)),
        "latitude": _blank(rng, _text(lat.round(4)), 0.1),
        "longitude": _text(lon.round(4)),
        "location_precision": _pick(
            rng, ("", "exact", "postal_code", "city"), n, p=[0.5, 0.3, 0.1, 0.1]
        ),
        "phone": _join(
            "(555) 01", _text(rng.integers(0, 10, n)), "-", _zfill(rng.integers(0, 10000, n), 4)
        ),
        "website": _blank(rng, site, 0.1),
        "npi": _empty_where(canadian, _blank(rng, _npi(rng, n), 0.3)),
        "routes": _pick(rng, ROUTES, n),
        "telehealth": _tristate(rng, n),
        "conditions": _pick(rng, CONDITIONS, n),
        "price_per_session": _empty_where(~priced, _text(price)),
        "currency": _choose(("", "USD", "CAD"), priced * (1 + canadian)),
        "free_consultation": _tristate(rng, n),
        "accepts_insurance": _tristate(rng, n),
        "reviews_rating": _empty_where(~rated, _join(_text(tenths // 10), ".", _text(tenths % 10))),
        "reviews_count": _empty_where(
            ~rated | (rng.random(n) < 0.05), _text(rng.integers(0, 501, n))
        ),
        "reviews_source": _empty_where(~rated, _join(site, "/reviews")),
        "notes": _choose(("", "Synthetic clinic for benchmarks"), rng.random(n) < 0.1),
    }
    for criterion in default_checklist().criteria:
        for item in criterion.items:
            if item.kind == "tristate":
                cols[item.column] = _tristate(rng, n)
        cols[criterion.source_column] = _blank(rng, _join(site, "#", criterion.key), 0.15)
        cols[criterion.verified_column] = _dates(rng, n, 0.1)
    # A column added to the schema later is present, blank, until it is generated here.
    blank = pa.array(np.full(n, "", dtype=object), type=pa.string())
    return pd.DataFrame(
        {name: pd.Series(cols.pop(name, blank), dtype="str") for name in default_schema().names}
    )


def synthetic_table(n: int, seed: int = 0) -> pd.DataFrame:
    """The validated clinic table of `synthetic_raw(n, seed)`, as the reader would return it."""
    table, _ = validate(synthetic_raw(n, seed), np.arange(2, n + 2))
    return table
