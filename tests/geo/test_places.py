import time

import numpy as np
import pytest
from geopy.distance import geodesic

from providers.geo import Gazetteer, PlaceError, default_gazetteer, distance_km, parse_radius


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


@pytest.mark.parametrize(
    "query, label, precision",
    [
        ("85251", "Scottsdale, AZ 85251", "postal_code"),
        ("02139", "Cambridge, MA 02139", "postal_code"),
        ("02139-4307", "Cambridge, MA 02139", "postal_code"),
        ("Scottsdale, AZ", "Scottsdale, AZ", "city"),
        ("scottsdale arizona", "Scottsdale, AZ", "city"),
        ("Toronto, ON", "Toronto, ON", "city"),
        ("Thunder Bay, Ontario", "Thunder Bay, ON", "city"),
        ("Sault Ste Marie, ON", "Sault Ste. Marie, ON", "city"),
        ("Montreal, QC", "Montréal, QC", "city"),
        ("Kitchener, Ontario", "Kitchener, ON", "city"),
        ("New York, NY", "New York City, NY", "city"),
        ("33.49,-111.92", "33.4900, -111.9200", "exact"),
        ("  43.65 -79.38 ", "43.6500, -79.3800", "exact"),
    ],
)
def test_offline_resolution_of_the_forms_patients_type(gaz, query, label, precision):
    found = gaz.resolve(query)
    assert found.ok, found.message
    assert (found.place.label, found.place.precision) == (label, precision)


def test_us_and_canadian_places_carry_country_and_region(gaz):
    assert (gaz.resolve("85251").place.country, gaz.resolve("85251").place.region) == ("US", "AZ")
    toronto = gaz.resolve("Toronto, ON").place
    assert (toronto.country, toronto.region) == ("CA", "ON")
    assert toronto.latitude == pytest.approx(43.65, abs=0.1)


def test_an_ambiguous_name_returns_candidates_biggest_first(gaz):
    found = gaz.resolve("Portland")
    assert found.ambiguous and not found.ok
    assert [p.label for p in found.candidates[:2]] == ["Portland, OR", "Portland, ME"]
    assert "pick one" in found.message


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Scotsdale, AZ", "Did you mean Scottsdale, AZ?"),
        ("Xyzzyville", "No place called 'Xyzzyville'"),
        ("99999", "not in the offline list"),
        ("M5V 2T6", "type the city and province"),
        ("Springfield, ZZ", "not a US state or Canadian province"),
        ("95,-300", "out of range"),
        ("", "Type a ZIP code"),
    ],
)
def test_unknown_places_get_a_clear_message(gaz, query, expected):
    found = gaz.resolve(query)
    assert not found.ok and expected in found.message


def test_warm_lookups_are_well_under_a_millisecond(gaz):
    queries = ["85251", "Scottsdale, AZ", "Toronto, ON", "Thunder Bay, Ontario", "33.49,-111.92"]
    for q in queries:
        gaz.resolve(q)  # warm
    start = time.perf_counter()
    for _ in range(200):
        for q in queries:
            gaz.resolve(q)
    per_lookup = (time.perf_counter() - start) / (200 * len(queries))
    assert per_lookup < 0.001


CITY_PAIRS = [
    ((33.4942, -111.9261), (43.6532, -79.3832)),  # Scottsdale - Toronto
    ((45.5152, -122.6784), (43.6591, -70.2568)),  # Portland OR - Portland ME
    ((49.2827, -123.1207), (25.7617, -80.1918)),  # Vancouver - Miami
    ((42.3736, -71.1097), (42.3601, -71.0589)),  # Cambridge - Boston
    ((48.3809, -89.2477), (46.5219, -84.3461)),  # Thunder Bay - Sault Ste. Marie
    ((33.4942, -111.9261), (33.4942, -111.9261)),  # same point
]


@pytest.mark.parametrize("a, b", CITY_PAIRS)
def test_distance_is_within_half_a_percent_of_geopy_geodesic(a, b):
    ours = distance_km(a[0], a[1], np.array([b[0]]), np.array([b[1]]))[0]
    theirs = geodesic(a, b).km
    assert ours == pytest.approx(theirs, rel=0.005, abs=1e-6)


def test_distance_is_vectorised_and_nan_without_coordinates():
    km = distance_km(
        33.49, -111.92, np.array([33.49, np.nan, 43.65]), np.array([-111.92, np.nan, -79.38])
    )
    assert km[0] == 0 and np.isnan(km[1]) and km[2] > 3000


@pytest.mark.parametrize(
    "text, km", [("50mi", 80.4672), ("80km", 80.0), ("10 km", 10.0), (" 5 miles", 8.04672)]
)
def test_radius_units(text, km):
    assert parse_radius(text) == pytest.approx(km)


@pytest.mark.parametrize("text", ["fifty", "-5km", "0mi", "10 parsecs", "10"])
def test_bad_radius_is_refused(text):
    with pytest.raises(PlaceError, match="radius"):
        parse_radius(text)


def test_a_radius_without_a_unit_shows_both_ways_to_write_it():
    with pytest.raises(PlaceError, match=r"no unit.*25mi or 25km"):
        parse_radius("25")


def test_distances_are_in_km_for_a_canadian_place_and_miles_otherwise_unless_chosen():
    from providers.geo import Place, distance_unit
    from scoring import distance_text

    toronto = Place("Toronto, ON", 43.65, -79.38, "city", country="CA", region="ON")
    phoenix = Place("Phoenix, AZ", 33.45, -112.07, "city", country="US", region="AZ")
    assert distance_unit(toronto) == "km" and distance_unit(phoenix) == "mi"
    assert distance_unit(None) == "mi"
    assert distance_unit(toronto, "mi") == "mi" and distance_unit(phoenix, "km") == "km"
    assert distance_unit(toronto, "furlongs") == "km"  # an unknown choice is automatic
    assert distance_text(12.345, "km") == "12.3 km" and distance_text(float("nan"), "mi") == (
        "unknown"
    )
