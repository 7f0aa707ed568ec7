"""Download a directory from a URL without becoming a tool against the network it runs in.

- http and https only; malformed addresses (bad brackets, ports, host names) are refused;
- the host name is converted to ASCII once (IDNA, UTS #46) and that one spelling is resolved,
  checked and sent, so no two spellings of a name can point different ways;
- it is resolved once per request and every address it resolves to must be public (no
  loopback, private, link-local, multicast, reserved or unspecified addresses, including
  IPv4-mapped IPv6 forms); the connection then goes to exactly a checked address, never to a
  second answer from DNS, while the Host header, the TLS server name (SNI) and the
  certificate check keep the host name;
- the same for every redirect, at most 3 redirects;
- connect and total time limits, a size cap applied while streaming (after decompression);
- only CSV, JSON and plain-text content types.
Every refusal is a `FetchError` whose message says what was refused and why.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit

import idna
import requests.utils
import urllib3

from scoring.errors import ClinicCompareError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[IPAddress]]
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
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CA_BUNDLE = requests.utils.DEFAULT_CA_BUNDLE_PATH  # what `requests` trusts (certifi)
ACCEPT_ENCODING = urllib3.util.make_headers(accept_encoding=True)["accept-encoding"]
_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
_BRACKETED = re.compile(r"\[[^\[\]]+\](?::[0-9]*)?")


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
    """The addresses of an (ASCII) host name, in the order the system would connect."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
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


@dataclass(frozen=True)
class _Hop:
    """One request: where it goes, and the checked addresses it may connect to."""

    scheme: str
    name: str  # the host as written, for messages
    host: str  # its one ASCII spelling (or the IP address), for Host, SNI and certificate
    port: int
    target: str  # path and query
    addresses: tuple[IPAddress, ...]

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _default_port(self.scheme) else f"{host}:{self.port}"


def fetch_directory(
    url: str,
    *,
    max_bytes: int = 20 * 1024 * 1024,
    connect_timeout: float = 5.0,
    total_timeout: float = 30.0,
    address_allowed: Callable[[IPAddress], bool] = is_public,
    user_agent: str = "ketamine-clinic-compare/0.1",
    resolver: Resolver = resolve,
) -> Fetched:
    """The body of a CSV/JSON/plain-text URL, following at most 3 checked redirects.

    `resolver(ascii_host, port)` is asked once per request; the connection goes only to
    the addresses it answered, after each has passed `address_allowed`.
    """
    deadline = time.monotonic() + total_timeout
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        hop = _check_url(current, address_allowed, resolver)
        headers = {
            "Host": hop.host_header,
            "User-Agent": user_agent,
            "Accept": ", ".join(ALLOWED_TYPES),
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        with _connected(hop, headers, connect_timeout, deadline, total_timeout) as response:
            location = response.headers.get("Location")
            if response.status in REDIRECT_STATUSES and location is not None:
                current = _redirect_target(current, location, hop)
                continue
            if response.status != 200:
                raise FetchError(f"{hop.name} answered HTTP {response.status}")
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


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _check_url(url: str, address_allowed: Callable[[IPAddress], bool], resolve: Resolver) -> _Hop:
    """The request `url` asks for, once its host is resolved and every address allowed."""
    try:
        parts = urlsplit(url)
        name = parts.hostname
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket
        raise FetchError(f"this is not a valid web address ({exc})") from exc
    if parts.scheme not in ("http", "https"):
        raise FetchError(
            f"only http:// and https:// addresses can be fetched, not '{parts.scheme}:'"
        )
    if not name:
        raise FetchError("the address has no host name")
    if parts.username is not None or parts.password is not None:
        raise FetchError("addresses with a user name or password are not fetched")
    try:
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"the address has an invalid port ({exc})") from exc
    if port == 0:
        raise FetchError("the address has an invalid port (0)")
    port = port or _default_port(parts.scheme)
    host, literal = _ascii_host(name, parts)
    addresses = [literal] if literal is not None else resolve(host, port)
    if not addresses:
        raise FetchError(f"the host name '{name}' cannot be resolved")
    for address in addresses:
        if not address_allowed(address):
            raise FetchError(
                f"'{name}' points to {address}, which is not a public internet "
                "address; such addresses are never fetched"
            )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Hop(parts.scheme, name, host, port, target, tuple(dict.fromkeys(addresses)))


def _ascii_host(name: str, parts: SplitResult) -> tuple[str, IPAddress | None]:
    """The one ASCII spelling of the host, and its address if it is an IP address."""
    invalid = FetchError(f"'{name}' is not a valid host name")
    if "[" in parts.netloc or "]" in parts.netloc:
        if not _BRACKETED.fullmatch(parts.netloc.rpartition("@")[2]):
            raise invalid
        try:
            address = ipaddress.IPv6Address(name)
        except ValueError:
            raise invalid from None
        if address.scope_id:  # "%zone": only meaningful on this machine
            raise invalid
        return str(address), address
    host = name
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except UnicodeError as exc:  # idna.IDNAError included
            raise FetchError(f"'{name}' is not a valid international host name ({exc})") from exc
    try:
        return host, ipaddress.IPv4Address(host)
    except ValueError:
        pass
    labels = host.removesuffix(".").split(".")
    if len(host) > 254 or not all(_LABEL.fullmatch(label) for label in labels):
        raise invalid
    return host, None


def _pool(hop: _Hop, address: IPAddress, timeout: urllib3.Timeout) -> urllib3.HTTPConnectionPool:
    """A pool connecting to `address` only; TLS still verifies the certificate for the host."""
    if hop.scheme == "https":
        tls_name = hop.host.removesuffix(".")
        return urllib3.HTTPSConnectionPool(
            str(address),
            hop.port,
            timeout=timeout,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=CA_BUNDLE,
            server_hostname=tls_name,
            assert_hostname=tls_name,
        )
    return urllib3.HTTPConnectionPool(str(address), hop.port, timeout=timeout, retries=False)


@contextmanager
def _connected(
    hop: _Hop, headers: dict[str, str], connect_timeout: float, deadline: float, total: float
) -> Iterator[urllib3.BaseHTTPResponse]:
    """The response from the first checked address that accepts a connection."""
    failure: urllib3.exceptions.ConnectTimeoutError | None = None
    for address in hop.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"no complete answer within {total:g} seconds")
        timeout = urllib3.Timeout(connect=min(connect_timeout, remaining), read=remaining)
        with _pool(hop, address, timeout) as pool:
            try:
                response = pool.urlopen(
                    "GET",
                    hop.target,
                    headers=headers,
                    retries=False,
                    redirect=False,
                    assert_same_host=False,
                    preload_content=False,
                    decode_content=True,
                )
            except urllib3.exceptions.ConnectTimeoutError as exc:  # also NewConnectionError
                failure = exc  # this address took no connection: try the next checked one
                continue
            except urllib3.exceptions.TimeoutError as exc:
                raise FetchError(f"{hop.name} did not answer in time") from exc
            except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
                raise FetchError(f"cannot connect to {hop.name}: {type(exc).__name__}") from exc
            try:
                yield response
            finally:
                response.close()
            return
    if isinstance(failure, urllib3.exceptions.NewConnectionError):
        raise FetchError(f"cannot connect to {hop.name}: {type(failure).__name__}") from failure
    raise FetchError(f"{hop.name} did not answer in time") from failure


def _redirect_target(current: str, location: str, hop: _Hop) -> str:
    with suppress(UnicodeError):  # header values arrive as Latin-1; servers mean UTF-8
        location = location.encode("latin-1").decode("utf-8")
    try:
        return urljoin(current, location)
    except ValueError as exc:
        raise FetchError(f"{hop.name} redirected to an invalid address ({exc})") from exc


def _read_capped(
    response: urllib3.BaseHTTPResponse, max_bytes: int, deadline: float, total: float
) -> bytes:
    """The body, decompressed, refusing it once it passes `max_bytes` or the deadline.

    `read1` returns whatever has arrived (at least one byte), so a server that trickles its
    answer is cut off at the deadline instead of holding a read open.
    """
    chunks, size = [], 0
    try:
        while chunk := response.read1(65536, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"the file is larger than {max_bytes / 1e6:.0f} MB")
            if time.monotonic() > deadline:
                raise FetchError(f"no complete answer within {total:g} seconds")
            chunks.append(chunk)
    except (OSError, urllib3.exceptions.HTTPError) as exc:
        raise FetchError(f"the download broke off: {type(exc).__name__}") from exc
    return b"".join(chunks)
