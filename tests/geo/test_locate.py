import ipaddress

import numpy as np
import pytest

from providers.geo import (
    Place,
    add_distances,
    default_gazetteer,
    locate_clinics,
    nearby,
    with_region,
)
from providers.settings import Settings, SettingsError
from tests.conftest import table_of


@pytest.fixture(scope="module")
def gaz():
    return default_gazetteer()


def clinics():
    return table_of(
        {
            "id": "exact",
            "name": "Exact",
            "latitude": 33.5,
            "longitude": -111.9,
            "region": "AZ",
            "country": "US",
        },
        {
            "id": "zip",
            "name": "Zip",
            "postal_code": "02139",
            "city": "Cambridge",
            "region": "MA",
            "country": "US",
        },
        {"id": "city", "name": "City", "city": "Thunder Bay", "region": "ON", "country": "CA"},
        {"id": "none", "name": "Nowhere", "city": "Atlantis", "region": "ZZ"},
        {
            "id": "tele",
            "name": "Tele",
            "city": "Tucson",
            "region": "AZ",
            "country": "US",
            "telehealth": "yes",
        },
    )


def test_precision_is_recorded_for_every_clinic(gaz):
    located, report = locate_clinics(clinics(), gaz)
    by_id = located.set_index("id")
    assert by_id["location_precision"].to_dict() == {
        "exact": "exact",
        "zip": "postal_code",
        "city": "city",
        "none": "none",
        "tele": "city",
    }
    assert by_id.loc["zip", "latitude"] == pytest.approx(42.3647, abs=0.01)
    assert np.isnan(by_id.loc["none", "latitude"])
    assert report.by_precision == {"exact": 1, "postal_code": 1, "city": 2, "none": 1}


def test_out_of_range_coordinates_are_a_row_message():
    from providers.directory import parse_directory
    from tests.conftest import csv_of

    result = parse_directory(
        csv_of([{"name": "Far", "latitude": "123", "longitude": "-80"}]), "x.csv"
    )
    assert "from -90 to 90" in result.problems["message"].iloc[0]
    assert result.table.loc[0, "location_precision"] == "none"


def test_radius_filter_keeps_near_clinics_and_far_telehealth_in_the_patients_region(gaz):
    located, _ = locate_clinics(clinics(), gaz)
    scottsdale = gaz.resolve("85251").place
    near = nearby(located, scottsdale, radius_km=50)
    assert near["id"].tolist() == ["exact", "tele"]
    assert near.set_index("id")["reach"].to_dict() == {"exact": "in person", "tele": "telehealth"}
    assert near.set_index("id").loc["tele", "distance_km"] > 100


def test_telehealth_from_another_region_is_not_included(gaz):
    located, _ = locate_clinics(clinics(), gaz)
    toronto = gaz.resolve("Toronto, ON").place
    assert nearby(located, toronto, radius_km=50).empty


def test_sort_by_distance_and_no_radius(gaz):
    located, _ = locate_clinics(clinics(), gaz)
    boston = gaz.resolve("Boston, MA").place
    ordered = nearby(located, boston, radius_km=None, sort="distance")
    assert ordered["id"].tolist()[:2] == ["zip", "city"]
    assert ordered["id"].tolist()[-1] == "none"  # no coordinates: last
    km = ordered["distance_km"].dropna().to_numpy()
    assert (np.diff(km) >= 0).all()
    assert ordered["distance_mi"].iloc[0] == pytest.approx(
        ordered["distance_km"].iloc[0] / 1.609344
    )


def test_typed_coordinates_get_a_region_for_telehealth(gaz):
    place = with_region(Place("33.49, -111.92", 33.49, -111.92, "exact"), gaz)
    assert (place.country, place.region) == ("US", "AZ")


def test_distances_are_added_without_touching_the_input(gaz):
    table = clinics()
    out = add_distances(table, gaz.resolve("85251").place)
    assert "distance_km" not in table.columns and "distance_km" in out.columns


def test_settings_default_to_offline_and_check_their_values(tmp_path):
    assert Settings.from_env({}).online_geocoder() is None
    home = Settings.from_env({"HOME": "/home/ana"})
    assert str(home.workspace) == "/home/ana/.local/share/ketamine-clinic-compare/workspace.sqlite"
    assert str(Settings.from_env({"CLINIC_COMPARE_WORKSPACE": "/x/w.db"}).workspace) == "/x/w.db"
    loopback = ipaddress.ip_address("127.0.0.1")
    assert not Settings.from_env({}).url_address_allowed()(loopback)
    allowed = Settings.from_env({"CLINIC_COMPARE_ALLOW_PRIVATE_URLS": "1"}).url_address_allowed()
    assert allowed(loopback)
    online = Settings.from_env(
        {
            "CLINIC_COMPARE_GEOCODER": "nominatim",
            "CLINIC_COMPARE_NOMINATIM_URL": "http://127.0.0.1:9",
            "CLINIC_COMPARE_USER_AGENT": "tester/1",
            "CLINIC_COMPARE_GEOCODE_CACHE": str(tmp_path / "c.sqlite"),
        }
    ).online_geocoder()
    assert online.base_url == "http://127.0.0.1:9" and online.user_agent == "tester/1"
    for env, message in (
        ({"CLINIC_COMPARE_GEOCODER": "google"}, "offline' or 'nominatim"),
        ({"CLINIC_COMPARE_NOMINATIM_URL": "ftp://x"}, "http"),
        ({"CLINIC_COMPARE_MAX_UPLOAD_MB": "lots"}, "whole number"),
    ):
        with pytest.raises(SettingsError, match=message):
            Settings.from_env(env)
