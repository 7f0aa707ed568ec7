"""Configuration from `CLINIC_COMPARE_*` variables, read once by the faces and passed down.

The core never reads the environment itself: `Settings.from_env(os.environ)` is called by
`app.py` / `cli.py`, and tests pass plain dictionaries.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from scoring.errors import UsageError

if TYPE_CHECKING:  # the network libraries load only when a command needs them
    from providers.geo import OnlineGeocoder
    from providers.sources.fetch import IPAddress

PREFIX = "CLINIC_COMPARE_"
NOMINATIM_URL = "https://nominatim.openstreetmap.org"
NPI_REGISTRY_URL = "https://npiregistry.cms.hhs.gov/api/"
USER_AGENT = "ketamine-clinic-compare/0.1 (open-source clinic comparison tool)"
GeocoderKind = Literal["offline", "nominatim"]


class SettingsError(UsageError):
    """A configuration variable has a value that cannot be used."""


def _default_cache(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CACHE_HOME") or os.path.join(
        env.get("HOME") or os.path.expanduser("~"), ".cache"
    )
    return Path(base) / "ketamine-clinic-compare" / "geocode.sqlite"


def _http_url(env: Mapping[str, str], name: str, default: str) -> str:
    url = env.get(PREFIX + name, "").strip() or default
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port
    except ValueError:
        host = None
    if parts.scheme not in ("http", "https") or not host:
        raise SettingsError(
            f"{PREFIX}{name} must be a web address like https://host[:port]/path, not '{url}'"
        )
    return url


def _default_workspace(env: Mapping[str, str]) -> Path:
    home = env.get("HOME") or os.path.expanduser("~")
    base = env.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    return Path(base) / "ketamine-clinic-compare" / "workspace.sqlite"


@dataclass(frozen=True)
class Settings:
    directory: str = "demo"
    max_upload_mb: int = 20
    geocoder: GeocoderKind = "offline"
    nominatim_url: str = NOMINATIM_URL
    user_agent: str = USER_AGENT
    geocode_cache: Path | None = None
    workspace: Path | None = None
    allow_private_urls: bool = False
    npi_url: str = NPI_REGISTRY_URL

    def url_address_allowed(self) -> Callable[[IPAddress], bool]:
        """The address rule for URL imports: public only, unless private ones are allowed."""
        from providers.sources.fetch import is_public

        return (lambda address: True) if self.allow_private_urls else is_public

    def online_geocoder(self) -> OnlineGeocoder | None:
        """The configured online geocoder, or None when look-ups stay offline (the default)."""
        if self.geocoder != "nominatim":
            return None
        from providers.geo import GeocodeCache, OnlineGeocoder

        cache = GeocodeCache(self.geocode_cache) if self.geocode_cache else None
        return OnlineGeocoder(self.nominatim_url, self.user_agent, cache=cache)

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        directory = env.get(PREFIX + "DIRECTORY", "").strip() or "demo"
        raw = env.get(PREFIX + "MAX_UPLOAD_MB", "").strip() or "20"
        try:
            max_upload_mb = int(raw)
        except ValueError:
            raise SettingsError(
                f"{PREFIX}MAX_UPLOAD_MB must be a whole number, not '{raw}'"
            ) from None
        if not 1 <= max_upload_mb <= 200:
            raise SettingsError(f"{PREFIX}MAX_UPLOAD_MB must be between 1 and 200")
        geocoder = env.get(PREFIX + "GEOCODER", "").strip().lower() or "offline"
        if geocoder not in ("offline", "nominatim"):
            raise SettingsError(
                f"{PREFIX}GEOCODER must be 'offline' or 'nominatim', not '{geocoder}'"
            )
        url = _http_url(env, "NOMINATIM_URL", NOMINATIM_URL)
        agent = env.get(PREFIX + "USER_AGENT", "").strip() or USER_AGENT
        if not agent.isprintable():
            raise SettingsError(f"{PREFIX}USER_AGENT must be printable text on one line")
        cache = env.get(PREFIX + "GEOCODE_CACHE", "").strip()
        workspace = env.get(PREFIX + "WORKSPACE", "").strip()
        return cls(
            directory=directory,
            max_upload_mb=max_upload_mb,
            geocoder="nominatim" if geocoder == "nominatim" else "offline",
            nominatim_url=url,
            user_agent=agent,
            geocode_cache=Path(cache) if cache else _default_cache(env),
            workspace=Path(workspace) if workspace else _default_workspace(env),
            allow_private_urls=env.get(PREFIX + "ALLOW_PRIVATE_URLS", "").strip() == "1",
            npi_url=_http_url(env, "NPI_URL", NPI_REGISTRY_URL),
        )
