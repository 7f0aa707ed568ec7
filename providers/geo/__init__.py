"""Where clinics and patients are: the offline place index, the optional online geocoder,
locating clinics (coordinates and their precision), distances and the radius, and the
state and province borders the results map draws (offline).

Offline by default: a patient's place goes to the online geocoder only when one is configured
and the patient opted in, and it is never cached or stored.
"""

from providers.geo.borders import MapBox, borders_in_view, map_box, region_names
from providers.geo.geocoder import DEFAULT_URL as NOMINATIM_URL
from providers.geo.geocoder import DEFAULT_USER_AGENT as GEOCODER_USER_AGENT
from providers.geo.geocoder import GeocodeCache, GeocodeFailed, OnlineGeocoder
from providers.geo.locate import (
    LocateReport,
    Reach,
    SortOrder,
    add_distances,
    locate_clinics,
    nearby,
    nearest_region,
    resolve_place,
    with_region,
)
from providers.geo.places import (
    KM_PER_MILE,
    Gazetteer,
    Place,
    PlaceError,
    Precision,
    Resolution,
    default_gazetteer,
    distance_km,
    distance_unit,
    parse_radius,
)

__all__ = [
    "GEOCODER_USER_AGENT",
    "KM_PER_MILE",
    "NOMINATIM_URL",
    "Gazetteer",
    "GeocodeCache",
    "GeocodeFailed",
    "LocateReport",
    "MapBox",
    "OnlineGeocoder",
    "Place",
    "PlaceError",
    "Precision",
    "Reach",
    "Resolution",
    "SortOrder",
    "add_distances",
    "borders_in_view",
    "default_gazetteer",
    "distance_km",
    "distance_unit",
    "locate_clinics",
    "map_box",
    "nearby",
    "nearest_region",
    "parse_radius",
    "region_names",
    "resolve_place",
    "with_region",
]
