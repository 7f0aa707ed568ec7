"""Download a directory from a URL without becoming a tool against the network it runs in.

- http and https only; every address the host name resolves to must be public (no loopback,
  private, link-local, multicast, reserved or unspecified addresses, including IPv4-mapped
  IPv6 forms), checked again for every redirect, at most 3 redirects;
- connect and total time limits, a size cap applied while streaming (after decompression);
- only CSV, JSON and plain-text content types.
Every refusal is a `FetchError` whose message says what was refused and why.

Limitation: the address check happens before `requests` connects, which resolves the name
again; a DNS server that answers differently the second time could slip past it.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from scoring.errors import ClinicCompareError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
ALLOWED_TYPES = (
    "text/csv",
    "application/csv",
    "text/comma-separated-values",
    "text/tab-separated-values",
    "application/json",
    "text/json",
    "text/plain",
)
MAX_REDIRECTS = 3


class FetchError(ClinicCompareError):
    """The URL was refused or could not be fetched (the message says why)."""


def is_public(address: IPAddress) -> bool:
    """True for globally routable unicast addresses only."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return is_public(mapped)
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"the host name '{host}' cannot be resolved") from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


@dataclass(frozen=True)
class Fetched:
    url: str
    data: bytes
    content_type: str

    @property
    def filename(self) -> str:
        name = urlsplit(self.url).path.rsplit("/", 1)[-1]
        if name:
            return name
        return "directory.json" if "json" in self.content_type else "directory.csv"


def fetch_directory(
    url: str,
    *,
    max_bytes: int = 20 * 1024 * 1024,
    connect_timeout: float = 5.0,
    total_timeout: float = 30.0,
    address_allowed: Callable[[IPAddress], bool] = is_public,
    user_agent: str = "ketamine-clinic-compare/0.1",
) -> Fetched:
    """The body of a CSV/JSON/plain-text URL, following at most 3 checked redirects."""
    deadline = time.monotonic() + total_timeout
    session = requests.Session()
    session.trust_env = False  # no proxies from the environment: we check where we connect
    current = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            _check_url(current, address_allowed)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError(f"no complete answer within {total_timeout:g} seconds")
            try:
                response = session.get(
                    current,
                    stream=True,
                    allow_redirects=False,
                    timeout=(connect_timeout, min(remaining, total_timeout)),
                    headers={"User-Agent": user_agent, "Accept": ", ".join(ALLOWED_TYPES)},
                )
            except requests.Timeout as exc:
                raise FetchError(f"{_host(current)} did not answer in time") from exc
            except requests.RequestException as exc:
                raise FetchError(
                    f"cannot connect to {_host(current)}: {type(exc).__name__}"
                ) from exc
            with response:
                if response.is_redirect:
                    location = response.headers.get("Location", "")
                    current = urljoin(current, location)
                    continue
                if response.status_code != 200:
                    raise FetchError(f"{_host(current)} answered HTTP {response.status_code}")
                kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if kind not in ALLOWED_TYPES:
                    raise FetchError(
                        f"the server sent '{kind or 'no content type'}'; only CSV, JSON and "
                        "plain text are accepted"
                    )
                return Fetched(
                    current, _read_capped(response, max_bytes, deadline, total_timeout), kind
                )
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")
    finally:
        session.close()


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def _check_url(url: str, address_allowed: Callable[[IPAddress], bool]) -> None:
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket
        raise FetchError(f"this is not a valid web address ({exc})") from exc
    if parts.scheme not in ("http", "https"):
        raise FetchError(
            f"only http:// and https:// addresses can be fetched, not '{parts.scheme}:'"
        )
    if not hostname:
        raise FetchError("the address has no host name")
    if parts.username or parts.password:
        raise FetchError("addresses with a user name or password are not fetched")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError("the address has an invalid port") from exc
    for address in resolve(hostname, port):
        if not address_allowed(address):
            raise FetchError(
                f"'{hostname}' points to {address}, which is not a public internet "
                "address; such addresses are never fetched"
            )


def _read_capped(
    response: requests.Response, max_bytes: int, deadline: float, total: float
) -> bytes:
    """The body, decompressed, refusing it once it passes `max_bytes` or the deadline.

    `read1` returns whatever has arrived (at least one byte), so a server that trickles its
    answer is cut off at the deadline instead of holding a read open.
    """
    chunks, size = [], 0
    try:
        while chunk := response.raw.read1(65536, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"the file is larger than {max_bytes / 1e6:.0f} MB")
            if time.monotonic() > deadline:
                raise FetchError(f"no complete answer within {total:g} seconds")
            chunks.append(chunk)
    except (requests.RequestException, OSError, urllib3.exceptions.HTTPError) as exc:
        raise FetchError(f"the download broke off: {type(exc).__name__}") from exc
    return b"".join(chunks)
