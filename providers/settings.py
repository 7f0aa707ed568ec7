"""Configuration from `CLINIC_COMPARE_*` variables, read once by the faces and passed down.

The core never reads the environment itself: `Settings.from_env(os.environ)` is called by
`app.py` / `cli.py`, and tests pass plain dictionaries. Every variable is checked here, in one
place: a value that cannot be used, or a `CLINIC_COMPARE_*` name that is not a setting (a typo
silently ignored is a classic trap), raises one `SettingsError` (exit code 2 in the CLI) that
names each bad variable and says what it should be.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit

from providers.access import Editors, EditorsError
from scoring.errors import UsageError

if TYPE_CHECKING:  # the network libraries load only when a command needs them
    from providers.geo import OnlineGeocoder
    from providers.sources.fetch import IPAddress

PREFIX = "CLINIC_COMPARE_"
NOMINATIM_URL = "https://nominatim.openstreetmap.org"
NPI_REGISTRY_URL = "https://npiregistry.cms.hhs.gov/api/"
USER_AGENT = "ketamine-clinic-compare/0.1 (open-source clinic comparison tool)"
GeocoderKind = Literal["offline", "nominatim"]
T = TypeVar("T")

#: Every setting, without the prefix (the README's Configuration table lists the same names).
NAMES = (
    "DIRECTORY",
    "MAX_UPLOAD_MB",
    "GEOCODER",
    "NOMINATIM_URL",
    "USER_AGENT",
    "WORKSPACE",
    "NPI_URL",
    "ALLOW_PRIVATE_URLS",
    "GEOCODE_CACHE",
    "EDITORS",
    "EDITORS_FILE",
)
KNOWN = tuple(PREFIX + name for name in NAMES)

MAX_PATH_CHARS = 4096
MAX_URL_CHARS = 2000
MAX_USER_AGENT_CHARS = 200
MAX_UPLOAD_MB = 200
MAX_EDITORS_CHARS = 10_000
MAX_EDITORS_FILE_BYTES = 256 * 1024
PUBLISHED = "workspace:"  # CLINIC_COMPARE_DIRECTORY=workspace:LIST shows LIST's published snapshot
TRUE, FALSE = ("1", "true", "yes"), ("", "0", "false", "no")
# Control characters (NUL, tab, newline, DEL, C1), invisible format characters (e.g. a
# right-to-left override), lone surrogates (undecodable bytes) and line/paragraph separators.
_CONTROL = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# host[:port] or [IPv6]:port, without user:password@ (which no setting needs).
_HOST_PORT = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[^:@\[\]]+)(?::[0-9]*)?")
_HOST_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")


class SettingsError(UsageError):
    """A configuration variable has a value that cannot be used."""


class _Bad(Exception):
    """One variable's problem, collected so that every bad variable is reported at once."""


def _shown(value: str, limit: int = 60) -> str:
    """A value quoted for a message: control characters escaped, long values cut."""
    return repr(value[:limit]) + ("..." if len(value) > limit else "")


def _plain_text(value: str) -> str:
    """The value, or _Bad if it holds a control character (which no real value needs)."""
    for position, char in enumerate(value):
        if unicodedata.category(char) in _CONTROL:
            raise _Bad(
                f"must not contain control characters (found U+{ord(char):04X} at position "
                f"{position + 1} of {_shown(value)})"
            )
    return value


def _path(value: str, env: Mapping[str, str]) -> Path | None:
    """A file path (None when blank); '~/' means the given HOME, as in a shell."""
    if not value:
        return None
    if len(value) > MAX_PATH_CHARS:
        raise _Bad(f"is too long for a file path ({len(value)} characters)")
    _plain_text(value)
    if value == "~" or value.startswith("~/"):
        value = (env.get("HOME") or os.path.expanduser("~")) + value[1:]
    return Path(value)


def _url_parts(value: str, usage: str, shown: str) -> SplitResult:
    """A URL's parts, or _Bad: too long, not plain printable ASCII, or a port out of range."""
    if len(value) > MAX_URL_CHARS:
        raise _Bad(f"{usage}, at most {MAX_URL_CHARS} characters")
    if not value.isascii() or not value.isprintable() or " " in value:
        raise _Bad(
            f"{usage} in plain ASCII without spaces or control characters "
            f"(percent-encode anything else), not {shown}"
        )
    try:
        parts = urlsplit(value)
        _ = parts.hostname, parts.port  # .port raises ValueError when out of range
    except ValueError as exc:
        raise _Bad(f"{usage}, not {shown} ({exc})") from None
    return parts


def _http_url(value: str, default: str) -> str:
    """An http(s) address with a host name or IP address, in plain ASCII without spaces."""
    if not value:
        return default
    usage = "must be a web address like https://host[:port]/path"
    parts = _url_parts(value, usage, _shown(value))
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        raise _Bad(f"{usage}, not {_shown(value)}")
    if not _HOST_PORT.fullmatch(parts.netloc) or not _valid_host(host):
        raise _Bad(f"{usage}, not {_shown(value)}: {host!r} is not a host name or IP address")
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        raise _Bad(f"{usage} without '?query' or '#fragment', not {_shown(value)}")
    return value


def _valid_host(host: str) -> bool:
    if ":" in host:  # an IPv6 literal, written in brackets
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    labels = host.removesuffix(".").split(".")
    return len(host) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in labels)


def _whole_number(value: str) -> int:
    if not value:
        return 20
    if not re.fullmatch(r"[0-9]{1,9}", value):
        raise _Bad(f"must be a whole number between 1 and {MAX_UPLOAD_MB}, not {_shown(value)}")
    number = int(value)
    if not 1 <= number <= MAX_UPLOAD_MB:
        raise _Bad(f"must be between 1 and {MAX_UPLOAD_MB}, not {number}")
    return number


def _geocoder(value: str) -> GeocoderKind:
    kind = value.lower()
    if kind == "nominatim":
        return "nominatim"
    if kind in ("", "offline"):
        return "offline"
    raise _Bad(f"must be 'offline' or 'nominatim', not {_shown(value)}")


def _user_agent(value: str) -> str:
    if not value:
        return USER_AGENT
    if len(value) > MAX_USER_AGENT_CHARS:
        raise _Bad(f"must be at most {MAX_USER_AGENT_CHARS} characters, not {len(value)}")
    if not (value.isascii() and value.isprintable()):
        raise _Bad(f"must be printable ASCII text on one line, not {_shown(value)}")
    return value


def _switch(value: str) -> bool:
    word = value.lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise _Bad(f"must be one of 1, 0, true, false, yes, no (or empty), not {_shown(value)}")


def _directory(value: str) -> str:
    if not value:
        return "demo"
    if len(value) > MAX_PATH_CHARS:
        raise _Bad(f"is too long for a file path ({len(value)} characters)")
    if value.startswith(PUBLISHED) and not value.removeprefix(PUBLISHED).strip():
        raise _Bad(f"must name a list after '{PUBLISHED}', e.g. {PUBLISHED}Arizona")
    return _plain_text(value)


def _editors(value: str) -> Editors:
    """Addresses and @domains separated by commas, semicolons or spaces."""
    if len(value) > MAX_EDITORS_CHARS:
        raise _Bad(f"is too long ({len(value)} characters; use CLINIC_COMPARE_EDITORS_FILE)")
    try:
        return Editors.parse(re.split(r"[,;\s]+", _plain_text(value)))
    except EditorsError as exc:
        raise _Bad(str(exc)) from None


def _editors_file(value: str, env: Mapping[str, str]) -> Editors:
    """One address or @domain per line; '#' starts a comment."""
    path = _path(value, env)
    if path is None:
        return Editors()
    try:
        with path.open("rb") as file:
            data = file.read(MAX_EDITORS_FILE_BYTES + 1)
    except OSError as exc:
        raise _Bad(f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_EDITORS_FILE_BYTES:
        raise _Bad(f"is larger than {MAX_EDITORS_FILE_BYTES // 1024} KiB")
    try:
        lines = data.decode("utf-8-sig").splitlines()  # a byte-order mark is not an entry
    except UnicodeDecodeError:
        raise _Bad("must be UTF-8 text, one address or @domain per line") from None
    try:
        return Editors.parse(line.split("#", 1)[0] for line in lines)
    except EditorsError as exc:
        raise _Bad(f"{path}: {exc}") from None


def _union(first: Editors, second: Editors) -> Editors:
    return Editors(first.addresses | second.addresses, first.domains | second.domains)


def _unknown_names(env: Mapping[str, str]) -> list[str]:
    """A message for each `CLINIC_COMPARE_*` name (in any case) that is not a setting."""
    problems = []
    for name in sorted(n for n in env if n.upper().startswith(PREFIX) and n not in KNOWN):
        close = difflib.get_close_matches(name.upper().removeprefix(PREFIX), NAMES, n=1)
        hint = f" (did you mean {PREFIX}{close[0]}?)" if close else ""
        problems.append(f"{_shown(name)} is not a setting{hint}")
    if problems:
        problems.append("the settings are " + ", ".join(KNOWN))
    return problems


def _default_cache(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CACHE_HOME") or os.path.join(
        env.get("HOME") or os.path.expanduser("~"), ".cache"
    )
    return Path(base) / "ketamine-clinic-compare" / "geocode.sqlite"


DATABASE_SCHEMES = ("postgresql", "postgres")


def is_database_url(text: str) -> bool:
    """Whether a workspace location is a PostgreSQL address rather than a file path."""
    return text.strip().lower().startswith(tuple(f"{s}://" for s in DATABASE_SCHEMES))


def redact_url(url: str) -> str:
    """The address with its password (in the user part or a `password=` parameter) as ***,
    so that no message, log line or page ever shows it."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url.split("://", 1)[0] + "://***"  # unparsable: show nothing but the scheme
    netloc = parts.netloc
    if password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = user.split(":", 1)[0] + ":***@" + host
    query = parts.query
    if "password" in query.lower():
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if k.lower() == "password" else v) for k, v in pairs],
                          safe="/*")  # fmt: skip
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class DatabaseUrl:
    """A PostgreSQL workspace address (`postgresql://user@host/db`).

    It prints, formats and compares in messages without its password: the full address is
    only in `.url`, which the store passes to the driver and nothing shows.
    """

    url: str = field(repr=False)

    def __str__(self) -> str:
        return redact_url(self.url)

    def __repr__(self) -> str:
        return f"DatabaseUrl({str(self)!r})"


def _database_url(value: str) -> DatabaseUrl:
    usage = "must be a file path or a PostgreSQL address like postgresql://user@host:5432/db"
    shown = _shown(redact_url(value))
    parts = _url_parts(value, usage, shown)
    host = parts.hostname
    if host and not _valid_host(host):
        raise _Bad(f"{usage}, not {shown}: {host!r} is not a host name or IP address")
    if parts.fragment or value.endswith("#"):
        raise _Bad(f"{usage} without '#fragment', not {shown}")
    return DatabaseUrl(value)


def _workspace(value: str, env: Mapping[str, str]) -> Path | DatabaseUrl:
    """A PostgreSQL address, else a file path (SQLite); blank means the default file."""
    if is_database_url(value):
        return _database_url(value)
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", value):
        scheme = value.split("://", 1)[0]
        raise _Bad(
            f"must be a file path or a postgresql:// address; {_shown(scheme)}:// "
            "is not a workspace backend"
        )
    return _path(value, env) or _default_workspace(env)


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
    #: A file (SQLite, the default) or a PostgreSQL address shared by several app replicas.
    workspace: Path | DatabaseUrl | None = None
    allow_private_urls: bool = False
    npi_url: str = NPI_REGISTRY_URL
    editors: Editors = field(default_factory=Editors)
    #: What is wrong with the editors' list, if anything: it turns curation off (and is
    #: logged) but never the patient pages, and is never shown to visitors.
    editors_problem: str | None = None

    @property
    def published_list(self) -> str | None:
        """The list whose published snapshot patients see (directory 'workspace:LIST')."""
        if self.directory.startswith(PUBLISHED):
            return self.directory.removeprefix(PUBLISHED).strip()
        return None

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
        """The settings in `env` (e.g. `os.environ`); every bad variable in one SettingsError.

        An unset or blank variable means its default; values are stripped of surrounding
        spaces. A `CLINIC_COMPARE_*` name that is not a setting is refused too.
        """
        problems: list[str] = []

        def get(name: str, check: Callable[[str], T]) -> T:
            value = env.get(PREFIX + name, "").strip()
            try:
                return check(value)
            except _Bad as exc:
                problems.append(f"{PREFIX}{name} {exc}")
                return check("")  # the default, so that every problem is collected

        settings = cls(
            directory=get("DIRECTORY", _directory),
            max_upload_mb=get("MAX_UPLOAD_MB", _whole_number),
            geocoder=get("GEOCODER", _geocoder),
            nominatim_url=get("NOMINATIM_URL", lambda v: _http_url(v, NOMINATIM_URL)),
            user_agent=get("USER_AGENT", _user_agent),
            geocode_cache=get("GEOCODE_CACHE", lambda v: _path(v, env) or _default_cache(env)),
            workspace=get("WORKSPACE", lambda v: _workspace(v, env)),
            allow_private_urls=get("ALLOW_PRIVATE_URLS", _switch),
            npi_url=get("NPI_URL", lambda v: _http_url(v, NPI_REGISTRY_URL)),
        )
        editor_problems: list[str] = []
        lists = []
        for name, check in (("EDITORS", _editors),
                            ("EDITORS_FILE", lambda v: _editors_file(v, env))):  # fmt: skip
            try:
                lists.append(check(env.get(PREFIX + name, "").strip()))
            except _Bad as exc:
                editor_problems.append(f"{PREFIX}{name} {exc}")
        if editor_problems:
            settings = replace(settings, editors_problem="; ".join(editor_problems))
        else:
            settings = replace(settings, editors=_union(*lists))
        problems += _unknown_names(env)
        if problems:
            raise SettingsError("; ".join(problems))
        return settings
