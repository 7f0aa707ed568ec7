"""The online geocoder against a real HTTP server on 127.0.0.1 that answers like Nominatim."""

import itertools
import json
import sqlite3
import time

import pytest
from werkzeug import Request, Response

from providers.geo import (
    GeocodeCache,
    GeocodeFailed,
    OnlineGeocoder,
    default_gazetteer,
    resolve_place,
)

UA = "clinic-compare-tests/1.0 (test suite)"
SCOTTSDALE = [
    {
        "place_id": 1,
        "lat": "33.4942",
        "lon": "-111.9261",
        "display_name": "7400 E Main St, Scottsdale, Arizona 85251, United States",
        "addresstype": "building",
        "type": "yes",
        "address": {
            "city": "Scottsdale",
            "state": "Arizona",
            "postcode": "85251",
            "country_code": "us",
        },
        "boundingbox": ["33.49", "33.50", "-111.93", "-111.92"],
    }
]


@pytest.fixture
def geocoder(httpserver, tmp_path):
    return OnlineGeocoder(
        httpserver.url_for("/").rstrip("/"),
        user_agent=UA,
        timeout=1.0,
        min_interval=0.0,
        max_retries=2,
        backoff=0.01,
        max_retry_after=0.2,
        cache=GeocodeCache(tmp_path / "geocode.sqlite"),
    )


def test_success_sends_our_user_agent_and_returns_the_place(httpserver, geocoder):
    httpserver.expect_request("/search", headers={"User-Agent": UA}).respond_with_json(SCOTTSDALE)
    place = geocoder.geocode("7400 E Main St, Scottsdale, AZ")
    assert (place.latitude, place.longitude, place.precision) == (33.4942, -111.9261, "exact")
    assert place.country == "US" and place.source == "nominatim"
    ((request, _),) = httpserver.log
    assert request.args["q"] == "7400 E Main St, Scottsdale, AZ"
    assert request.args["countrycodes"] == "us,ca"


def test_empty_result_is_none_and_is_cached(httpserver, geocoder):
    httpserver.expect_request("/search").respond_with_json([])
    assert geocoder.geocode("nowhere street") is None
    assert geocoder.geocode("nowhere street") is None
    assert len(httpserver.log) == 1


def test_the_cache_prevents_repeat_requests_across_instances(httpserver, geocoder, tmp_path):
    httpserver.expect_request("/search").respond_with_json(SCOTTSDALE)
    first = geocoder.geocode("7400 E Main St, Scottsdale, AZ")
    again = OnlineGeocoder(
        geocoder.base_url, UA, min_interval=0, cache=GeocodeCache(tmp_path / "geocode.sqlite")
    )
    assert again.geocode("  7400 e main st, scottsdale, az ") == first
    assert len(httpserver.log) == 1


def test_429_with_retry_after_is_honoured_up_to_the_cap(httpserver, geocoder):
    httpserver.expect_ordered_request("/search").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "60"}
    )
    httpserver.expect_ordered_request("/search").respond_with_json(SCOTTSDALE)
    start = time.monotonic()
    assert geocoder.geocode("x").latitude == 33.4942
    waited = time.monotonic() - start
    assert 0.2 <= waited < 5  # Retry-After 60 s capped at max_retry_after (0.2 s)
    assert len(httpserver.log) == 2


def test_500_is_retried_then_succeeds(httpserver, geocoder):
    httpserver.expect_ordered_request("/search").respond_with_data("oops", status=500)
    httpserver.expect_ordered_request("/search").respond_with_json(SCOTTSDALE)
    assert geocoder.geocode("x") is not None
    assert len(httpserver.log) == 2


def test_persistent_5xx_gives_up_after_the_retries(httpserver, geocoder):
    httpserver.expect_request("/search").respond_with_data("down", status=503)
    with pytest.raises(GeocodeFailed, match="gave up after 3 attempts"):
        geocoder.geocode("x")
    assert len(httpserver.log) == 3


def test_client_errors_are_not_retried(httpserver, geocoder):
    httpserver.expect_request("/search").respond_with_data("bad", status=400)
    with pytest.raises(GeocodeFailed, match="refused"):
        geocoder.geocode("x")
    assert len(httpserver.log) == 1


def test_malformed_json_fails_without_retrying(httpserver, geocoder):
    httpserver.expect_request("/search").respond_with_data(
        "{not json", content_type="application/json"
    )
    with pytest.raises(GeocodeFailed):
        geocoder.geocode("x")
    assert len(httpserver.log) == 1


def test_a_hang_past_the_timeout_is_retried_and_then_fails(httpserver, geocoder):
    def hang(request: Request) -> Response:
        time.sleep(1.5)
        return Response(json.dumps(SCOTTSDALE), content_type="application/json")

    httpserver.expect_request("/search").respond_with_handler(hang)
    geocoder.timeout = 0.3
    geocoder.__post_init__()
    geocoder.max_retries = 1
    with pytest.raises(GeocodeFailed, match="no answer in time"):
        geocoder.geocode("x")
    deadline = time.monotonic() + 5  # let the server finish the abandoned requests
    while len(httpserver.log) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(httpserver.log) == 2  # the first try and one retry


def test_requests_are_spaced_by_the_rate_limit(httpserver, geocoder):
    stamps = []

    def record(request: Request) -> Response:
        if request.args.get("q") in ("a", "b", "c"):  # not a late retry from another test
            stamps.append(time.monotonic())
        return Response("[]", content_type="application/json")

    httpserver.expect_request("/search").respond_with_handler(record)
    geocoder.min_interval = 0.25
    for query in ("a", "b", "c"):
        geocoder.geocode(query)
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert len(stamps) == 3 and min(gaps) >= 0.24


def test_a_patients_location_is_sent_only_after_opt_in_and_never_stored(
    httpserver, geocoder, tmp_path
):
    httpserver.expect_request("/search").respond_with_json(SCOTTSDALE)
    gazetteer = default_gazetteer()
    street = "7400 E Main St, Scottsdale"
    without = resolve_place(street, gazetteer, geocoder, opted_in=False)
    assert not without.ok and len(httpserver.log) == 0
    found = resolve_place(street, gazetteer, geocoder, opted_in=True)
    assert found.ok and found.place.region == "AZ" and len(httpserver.log) == 1
    rows = (
        sqlite3.connect(tmp_path / "geocode.sqlite").execute("SELECT query FROM geocode").fetchall()
    )
    assert rows == []
    assert resolve_place("85251", gazetteer, geocoder, opted_in=True).place.source == "zipcodes"
    assert len(httpserver.log) == 1  # offline answers never go online


def test_service_failure_falls_back_to_the_offline_answer_with_a_notice(httpserver, geocoder):
    httpserver.expect_request("/search").respond_with_data("down", status=500)
    found = resolve_place(
        "7400 E Main St, Scottsdale", default_gazetteer(), geocoder, opted_in=True
    )
    assert not found.ok
    assert "did not answer" in found.notice and found.message


def test_a_damaged_cache_file_is_a_geocoder_failure_with_a_message(tmp_path):
    path = tmp_path / "geocode.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(GeocodeFailed, match="geocode cache"):
        GeocodeCache(path)
