"""US credential checks against the public NPPES NPI Registry API (version 2.1).

An NPI record shows that a provider is enumerated and what specialty (taxonomy) it declares;
it is not proof of a licence. A verification says what the registry showed, when, and where,
and shows a mismatch (inactive, wrong specialty, different address) instead of hiding it.
The base URL comes from `CLINIC_COMPARE_NPI_URL`, so tests point it at 127.0.0.1. Which
taxonomies count as a matching specialty is the checklist's rule (`checklist.toml`), passed in.
Requests to one registry are paced per process, however many clients (clicks, sessions) ask.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

import requests

from providers.settings import NPI_REGISTRY_URL
from providers.sources.pacing import Pacer
from scoring.errors import ClinicCompareError

DEFAULT_URL = NPI_REGISTRY_URL
API_VERSION = "2.1"
PAGE_SIZE = 200
MAX_SKIP = 1000


class RegistryError(ClinicCompareError):
    """The registry could not be asked or gave an unusable answer (the message says why)."""


@dataclass(frozen=True)
class NpiRecord:
    number: str
    kind: str  # "organization" or "individual"
    name: str
    active: bool
    taxonomies: tuple[tuple[str, str, bool], ...]  # (code, description, primary)
    address: str
    city: str
    state: str
    postal_code: str
    phone: str

    def matching(self, counted: Mapping[str, str]) -> tuple[str, ...]:
        """The descriptions of this record's taxonomies that are among `counted` (code -> name)."""
        return tuple(counted[c] for c, _, _ in self.taxonomies if c in counted)


@dataclass(frozen=True)
class Verification:
    clinic_id: str
    npi: str
    record: NpiRecord | None
    problems: tuple[str, ...]
    source: str
    verified_on: dt.date
    counted: Mapping[str, str] = field(default_factory=dict)

    @property
    def answer(self) -> str:
        """The registry item's answer: yes only for an active record with a counted taxonomy."""
        return "yes" if self.record is not None and not self.problems else "no"

    @property
    def specialties(self) -> tuple[str, ...]:
        """The record's specialties that count (empty without a record)."""
        return () if self.record is None else self.record.matching(self.counted)


def _record(raw: dict) -> NpiRecord:
    basic = raw.get("basic") or {}
    kind = "organization" if raw.get("enumeration_type") == "NPI-2" else "individual"
    if kind == "organization":
        name = str(basic.get("organization_name", ""))
    else:
        name = " ".join(str(basic.get(k, "")) for k in ("first_name", "last_name") if basic.get(k))
        if basic.get("credential"):
            name += f", {basic['credential']}"
    addresses = raw.get("addresses") or []
    location = next((a for a in addresses if a.get("address_purpose") == "LOCATION"), None)
    location = location or (addresses[0] if addresses else {})
    return NpiRecord(
        number=str(raw.get("number", "")),
        kind=kind,
        name=name.strip(),
        active=str(basic.get("status", "")).upper() == "A",
        taxonomies=tuple(
            (str(t.get("code", "")), str(t.get("desc", "")), bool(t.get("primary")))
            for t in raw.get("taxonomies") or []
        ),
        address=" ".join(
            str(location.get(k, "")) for k in ("address_1", "address_2") if location.get(k)
        ),
        city=str(location.get("city", "")),
        state=str(location.get("state", "")),
        postal_code=str(location.get("postal_code", "")),
        phone=str(location.get("telephone_number", "")),
    )


_PACERS: dict[str, Pacer] = {}
_PACERS_LOCK = threading.Lock()


def _pacer_for(base_url: str) -> Pacer:
    """One clock per registry address for the whole process, shared by every client."""
    with _PACERS_LOCK:
        return _PACERS.setdefault(base_url, Pacer())


class NpiRegistry:
    """A polite client: a few requests per second at most, retries only on transient errors."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        timeout: float = 10.0,
        min_interval: float = 0.35,
        max_retries: int = 2,
        backoff: float = 1.0,
        user_agent: str = "ketamine-clinic-compare/0.1",
    ):
        self.base_url, self.timeout = base_url, timeout
        self.max_retries, self.backoff = max_retries, backoff
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.min_interval = min_interval
        self._pacer = _pacer_for(base_url)

    def url(self, **params: str | int) -> str:
        query = urlencode({"version": API_VERSION, **{k: v for k, v in params.items() if v != ""}})
        return f"{self.base_url}?{query}"

    def _get(self, **params: str | int) -> dict:
        url = self.url(**params)
        for attempt in range(self.max_retries + 1):
            self._pacer.wait(self.min_interval)
            try:
                response = self.session.get(url, timeout=self.timeout)
            except (requests.Timeout, requests.ConnectionError) as exc:
                reason = f"no answer ({type(exc).__name__})"
            except requests.RequestException as exc:  # a malformed address and the like
                raise RegistryError(f"the registry cannot be asked: {type(exc).__name__}") from exc
            else:
                if response.status_code == 429 or response.status_code >= 500:
                    reason = f"HTTP {response.status_code}"
                elif response.status_code != 200:
                    raise RegistryError(
                        f"the registry refused the request (HTTP {response.status_code})"
                    )
                else:
                    try:
                        data = response.json()
                    except ValueError as exc:
                        raise RegistryError("the registry's answer is not valid JSON") from exc
                    if not isinstance(data, dict):
                        raise RegistryError("the registry's answer has an unexpected shape")
                    if data.get("Errors"):
                        messages = "; ".join(str(e.get("description", e)) for e in data["Errors"])
                        raise RegistryError(f"the registry says: {messages}")
                    return data
            if attempt < self.max_retries:
                time.sleep(self.backoff * 2**attempt)
        raise RegistryError(
            f"the registry did not answer after {self.max_retries + 1} attempts: {reason}"
        )

    def lookup(self, number: str) -> NpiRecord | None:
        data = self._get(number=number)
        results = data.get("results") or []
        return _record(results[0]) if results else None

    def search(
        self,
        name: str = "",
        state: str = "",
        city: str = "",
        postal_code: str = "",
        limit: int = PAGE_SIZE,
        max_results: int = MAX_SKIP + PAGE_SIZE,
    ) -> list[NpiRecord]:
        """Organisations by name (wildcard `*` allowed), state, city or postal code, all pages."""
        if not any((name, state, city, postal_code)):
            raise RegistryError("give a name, state, city or postal code to search for")
        found: list[NpiRecord] = []
        skip = 0
        while skip <= MAX_SKIP and len(found) < max_results:
            data = self._get(
                enumeration_type="NPI-2",
                organization_name=name,
                state=state,
                city=city,
                postal_code=postal_code,
                limit=limit,
                skip=skip,
            )
            page = data.get("results") or []
            found.extend(_record(r) for r in page)
            if len(page) < limit:
                break
            skip += limit
        return found[:max_results]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def verify(
    clinic_id: str,
    npi: str,
    address: str,
    postal_code: str,
    registry: NpiRegistry,
    counted: Mapping[str, str],
    today: dt.date | None = None,
) -> Verification:
    """What the registry says about one clinic's NPI, with every mismatch spelled out.

    `counted` maps the taxonomy codes that count as a matching specialty to their names.
    """
    today = today or dt.date.today()
    record = registry.lookup(npi)
    problems: list[str] = []
    if record is None:
        problems.append("no such NPI in the registry")
    else:
        if not record.active:
            problems.append("the NPI is not active")
        if not record.matching(counted):
            codes = ", ".join(f"{c} {d}" for c, d, _ in record.taxonomies) or "none"
            problems.append(f"no matching specialty taxonomy (the registry lists: {codes})")
        if (
            postal_code
            and record.postal_code
            and _digits(record.postal_code)[:5] != _digits(postal_code)[:5]
        ):
            problems.append(
                f"the registry's location is {record.address}, {record.city} {record.state} "
                f"{record.postal_code}, not the directory's {address} {postal_code}".strip()
            )
    return Verification(
        clinic_id, npi, record, tuple(problems), registry.url(number=npi), today, counted
    )
