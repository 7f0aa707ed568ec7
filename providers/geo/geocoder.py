"""The optional online geocoder (Nominatim through geopy), polite and private.

- Off unless configured (`CLINIC_COMPARE_GEOCODER=nominatim`); the offline gazetteer is the
  default everywhere.
- At most one request per `min_interval` seconds across the whole process (every session of
  the app shares one clock), with a real user agent.
- Retries only for timeouts, 5xx and 429 (honouring Retry-After up to a cap); any other error
  fails at once.
- Clinic addresses are cached on disk (SQLite) so each is looked up once and bulk runs resume.
  A patient's own location is never cached, logged or stored: `remember=False`.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from geopy.adapters import RequestsAdapter
from geopy.exc import (
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
    GeopyError,
)
from geopy.geocoders import Nominatim

from providers.geo.places import Place, Precision
from providers.settings import NOMINATIM_URL, USER_AGENT
from providers.sources.pacing import Pacer
from scoring.errors import ClinicCompareError, UsageError

DEFAULT_URL = NOMINATIM_URL
DEFAULT_USER_AGENT = USER_AGENT

# One clock for the whole process: every session of the app shares the service's rate limit.
_PACER = Pacer()


class GeocodeFailed(ClinicCompareError):
    """The online service could not answer (the message says why); use the offline answer."""


class GeocodeCache:
    """query -> place (or 'no result') in a small SQLite file; safe across processes."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS geocode (query TEXT PRIMARY KEY, result TEXT)")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection for one call; a broken or unwritable cache file says so and why."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                with db:
                    yield db
            finally:
                db.close()
        except (sqlite3.Error, OSError) as exc:
            raise GeocodeFailed(
                f"the geocode cache {self.path} cannot be used ({exc}); delete it or set "
                "CLINIC_COMPARE_GEOCODE_CACHE to another file"
            ) from exc

    def get(self, query: str) -> tuple[bool, Place | None]:
        """(found, place); a found None means the service had no result for the query."""
        with self._connect() as db:
            row = db.execute("SELECT result FROM geocode WHERE query = ?", (query,)).fetchone()
        if row is None:
            return False, None
        try:
            data = json.loads(row[0])
            return True, None if data is None else Place(**data)
        except (ValueError, TypeError):
            return False, None  # a damaged entry is asked again

    def put(self, query: str, place: Place | None) -> None:
        value = json.dumps(None if place is None else place.__dict__)
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO geocode VALUES (?, ?)", (query, value))


@dataclass
class OnlineGeocoder:
    base_url: str = DEFAULT_URL
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 10.0
    min_interval: float = 1.0
    max_retries: int = 3
    max_retry_after: float = 30.0
    backoff: float = 1.0
    cache: GeocodeCache | None = None
    sleep: Callable[[float], None] = time.sleep
    _client: Nominatim = field(init=False, repr=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"geocoder URL must be http(s)://host[:port], not {self.base_url!r}")
        self._client = Nominatim(
            domain=parts.netloc + parts.path.rstrip("/"),
            scheme=parts.scheme,
            user_agent=self.user_agent,
            timeout=self.timeout,
            # We do our own retrying, so the transport must not retry behind our back.
            adapter_factory=functools.partial(RequestsAdapter, max_retries=0),
        )

    def geocode(
        self, query: str, remember: bool = True, countries: tuple[str, ...] = ("us", "ca")
    ) -> Place | None:
        """A place for `query`, or None when the service knows no such place.

        Raises GeocodeFailed when the service cannot be reached or keeps failing.
        `remember=False` (a patient's own location) skips the cache entirely.
        """
        key = query.strip().lower()
        if remember and self.cache is not None:
            found, place = self.cache.get(key)
            if found:
                return place
        place = self._ask(query, countries)
        if remember and self.cache is not None:
            self.cache.put(key, place)
        return place

    def _ask(self, query: str, countries: tuple[str, ...]) -> Place | None:
        attempt = 0
        while True:
            _PACER.wait(self.min_interval)
            try:
                location = self._client.geocode(
                    query, exactly_one=True, country_codes=list(countries), addressdetails=True
                )
            except GeocoderRateLimited as exc:
                delay = (
                    exc.retry_after if exc.retry_after is not None else self.backoff * 2**attempt
                )
                reason = "the service asked us to slow down (429)"
            except (GeocoderTimedOut, GeocoderUnavailable) as exc:
                delay, reason = self.backoff * 2**attempt, f"no answer in time ({exc})"
            except GeocoderServiceError as exc:
                if type(exc) is not GeocoderServiceError:  # 4xx, parse errors and the like
                    raise GeocodeFailed(f"the geocoder refused the request: {exc}") from exc
                delay, reason = self.backoff * 2**attempt, f"server error ({exc})"
            except (GeopyError, ValueError) as exc:
                raise GeocodeFailed(f"the geocoder gave an unusable answer: {exc}") from exc
            else:
                return None if location is None else _to_place(location)
            attempt += 1
            if attempt > self.max_retries:
                raise GeocodeFailed(f"gave up after {attempt} attempts: {reason}")
            self.sleep(min(max(delay, 0.0), self.max_retry_after))


def _to_place(location) -> Place:
    raw = location.raw if isinstance(location.raw, dict) else {}
    address = raw.get("address", {}) if isinstance(raw.get("address"), dict) else {}
    country = str(address.get("country_code", "")).upper()
    kind = str(raw.get("addresstype") or raw.get("type") or "")
    precision: Precision = (
        "city"
        if kind in ("city", "town", "village", "municipality", "hamlet")
        else ("postal_code" if kind == "postcode" else "exact")
    )
    return Place(
        label=str(location.address)[:200],
        latitude=float(location.latitude),
        longitude=float(location.longitude),
        precision=precision,
        country=country if country in ("US", "CA") else "",
        region="",
        source="nominatim",
    )
