"""Where clinics and patients are, and how far apart: coordinates, precision, radius filters.

Clinic coordinates come from the directory when given (`exact`), else from the street address
through the online geocoder when it is switched on, else from the ZIP centroid
(`postal_code`) or the city centroid (`city`) offline, else `none`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from providers.geo.geocoder import GeocodeFailed, OnlineGeocoder
from providers.geo.places import (
    KM_PER_MILE,
    Gazetteer,
    Place,
    Resolution,
    distance_km,
    normalise_name,
)
from scoring import rerank

Progress = Callable[[int, int, str], None]
SortOrder = Literal["score", "distance"]
Reach = Literal["in person", "telehealth"]


@dataclass(frozen=True)
class LocateReport:
    """What a locate run did, for progress lines and closing messages."""

    by_precision: dict[str, int]
    online_lookups: int = 0
    online_failures: int = 0
    notice: str = ""


def locate_clinics(
    table: pd.DataFrame,
    gazetteer: Gazetteer,
    geocoder: OnlineGeocoder | None = None,
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, LocateReport]:
    """A copy of `table` with latitude, longitude and location_precision filled where possible."""
    out = table.copy()
    lat = out["latitude"].to_numpy(dtype="float64", copy=True)
    lon = out["longitude"].to_numpy(dtype="float64", copy=True)
    given = out["location_precision"].astype("str").to_numpy(dtype=object)
    unstated = (given == "") | (given == "none")
    precision = np.where(np.isnan(lat), "none", np.where(unstated, "exact", given)).astype(object)
    lookups = failures = 0
    notice = ""
    if geocoder is not None:
        missing = np.flatnonzero(np.isnan(lat) & (out["address"] != "").to_numpy())
        for done, i in enumerate(missing, start=1):
            row = out.iloc[i]
            query = ", ".join(
                str(v)
                for v in (row["address"], row["city"], row["region"], row["postal_code"])
                if v
            )
            if progress:
                progress(done, len(missing), str(row["name"]))
            try:
                lookups += 1
                place = geocoder.geocode(query, remember=True)
            except GeocodeFailed as exc:
                failures += 1
                notice = f"The online geocoder failed ({exc}); offline centroids were used instead."
                continue
            if place is not None:
                lat[i], lon[i], precision[i] = place.latitude, place.longitude, place.precision
    # ZIP centroids, vectorised through an index look-up.
    need = np.isnan(lat) & (out["country"] != "CA").to_numpy()
    if need.any():
        codes = out["postal_code"].astype("str").str.slice(0, 5)
        found = gazetteer.zip_frame.reindex(codes[need].to_numpy())
        hit = found["lat"].notna().to_numpy()
        idx = np.flatnonzero(need)[hit]
        lat[idx], lon[idx] = found["lat"].to_numpy()[hit], found["lon"].to_numpy()[hit]
        precision[idx] = "postal_code"
    # City centroids, looked up once per distinct (city, region) pair.
    need = np.isnan(lat) & (out["city"] != "").to_numpy()
    if need.any():
        pairs = out.loc[need, ["city", "region"]].drop_duplicates()
        for city, region in pairs.itertuples(index=False):
            place = gazetteer.cities.get((normalise_name(city), str(region).upper()))
            if place is None:
                continue
            rows = need & (out["city"] == city).to_numpy() & (out["region"] == region).to_numpy()
            lat[rows], lon[rows], precision[rows] = place.latitude, place.longitude, "city"
    out["latitude"], out["longitude"], out["location_precision"] = lat, lon, precision.astype(str)
    counts = pd.Series(precision).value_counts().to_dict()
    return out, LocateReport({k: int(v) for k, v in counts.items()}, lookups, failures, notice)


def resolve_place(
    query: str,
    gazetteer: Gazetteer,
    geocoder: OnlineGeocoder | None = None,
    opted_in: bool = False,
) -> Resolution:
    """Where the patient is. Offline first; online only if configured AND the patient opted in.

    The patient's query is never cached or stored (`remember=False`).
    """
    offline = gazetteer.resolve(query)
    if offline.ok or offline.ambiguous or geocoder is None or not opted_in or not query.strip():
        return offline
    try:
        place = geocoder.geocode(query, remember=False)
    except GeocodeFailed:
        return Resolution(
            query,
            None,
            offline.candidates,
            offline.message,
            notice="The online geocoder did not answer; showing the offline result.",
        )
    if place is None:
        return offline
    region = nearest_region(place.latitude, place.longitude, gazetteer)
    return Resolution(query, Place(**{**place.__dict__, "region": region[1], "country": region[0]}))


def nearest_region(lat: float, lon: float, gazetteer: Gazetteer) -> tuple[str, str]:
    """(country, region) of the city centroid nearest to a point: who may serve it by telehealth."""
    return gazetteer.nearest_region(lat, lon)


def with_region(place: Place, gazetteer: Gazetteer) -> Place:
    """`place` with its state/province filled in (coordinates typed by hand have none)."""
    if place.region:
        return place
    country, region = nearest_region(place.latitude, place.longitude, gazetteer)
    return Place(**{**place.__dict__, "country": country, "region": region})


def add_distances(table: pd.DataFrame, place: Place) -> pd.DataFrame:
    """distance_km and distance_mi from `place` to every clinic (NaN without coordinates)."""
    km = distance_km(
        place.latitude,
        place.longitude,
        table["latitude"].to_numpy(dtype="float64"),
        table["longitude"].to_numpy(dtype="float64"),
    )
    return table.assign(distance_km=km, distance_mi=km / KM_PER_MILE)


def _in_box(
    lats: np.ndarray, lons: np.ndarray, place: Place, radius_km: float | None
) -> np.ndarray:
    """Clinics that may lie within `radius_km`: a slightly generous latitude/longitude box."""
    if radius_km is None:
        return np.ones(len(lats), dtype=bool)
    dlat = radius_km * 1.01 / 110.574
    top = min(89.9, abs(place.latitude) + dlat)
    dlon = radius_km * 1.01 / (111.320 * np.cos(np.radians(top)))
    if abs(place.longitude) + dlon >= 180 or top >= 89.9:
        return np.ones(len(lats), dtype=bool)  # the box would wrap: check every clinic
    return (np.abs(lats - place.latitude) <= dlat) & (np.abs(lons - place.longitude) <= dlon)


def nearby(
    table: pd.DataFrame,
    place: Place,
    radius_km: float | None,
    sort: SortOrder | str = "score",
) -> pd.DataFrame:
    """Clinics within the radius, plus telehealth/at-home clinics serving the patient's region.

    Adds `distance_km`, `distance_mi` and `reach` ("in person" or "telehealth"). Keeps the
    incoming order (by score) or sorts by distance; `rank` is renumbered. Only the kept rows
    are copied, so filtering a large table costs little more than the distance itself.
    """
    lats = table["latitude"].to_numpy(dtype="float64")
    lons = table["longitude"].to_numpy(dtype="float64")
    serves_region = np.zeros(len(table), dtype=bool)
    if place.region:
        serves_region = (table["telehealth"] == "yes").to_numpy() & (
            table["region"] == place.region
        ).to_numpy()
    # Exact distances only for clinics inside a bounding box around the circle (a few cheap
    # comparisons) and for telehealth clinics that serve the region; the rest are too far.
    candidates = _in_box(lats, lons, place, radius_km) | serves_region
    km = np.full(len(table), np.nan)
    km[candidates] = distance_km(
        place.latitude, place.longitude, lats[candidates], lons[candidates]
    )
    inside = np.ones(len(table), dtype=bool) if radius_km is None else km <= radius_km
    remote = ~inside & serves_region
    keep = np.flatnonzero(inside | remote)
    if sort == "distance":
        keep = keep[np.argsort(km[keep], kind="stable")]  # NaN (no coordinates) sorts last
    out = table.iloc[keep].reset_index(drop=True)
    out["distance_km"] = km[keep]
    out["distance_mi"] = km[keep] / KM_PER_MILE
    out["reach"] = np.where(remote[keep], "telehealth", "in person")
    if "rank" in out.columns:  # shared score ranks, or the position when nearest comes first
        out["rank"] = np.arange(1, len(out) + 1) if sort == "distance" else rerank(out)
    return out
