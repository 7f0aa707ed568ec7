"""Who may curate: one decision, made from facts the faces gather and pass in.

Patients never need to sign in. Curation (editing, importing, checking, publishing and handling
reports) is open only to:

- a signed-in person on the editors' allow-list, when sign-in is configured; or
- anyone at the machine itself, when sign-in is not configured and the server listens only
  on a loopback address (the two-command local set-up).

Anything else (a public address without sign-in, a visitor not signed in, a signed-in person
not on the list) serves patients only, with a message that says why. This module reads no
environment and imports no Streamlit: the app passes what it knows.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

#: An e-mail address (a rough, conservative check) or "@domain" for everyone at that domain.
_ADDRESS = re.compile(r"[^@\s,;]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_DOMAIN = re.compile(r"@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
LOOPBACK_NAMES = ("localhost", "localhost.")

Mode = Literal["local", "editor", "sign-in", "not-editor", "off"]


class EditorsError(ValueError):
    """An allow-list entry that is neither an e-mail address nor '@domain'."""


@dataclass(frozen=True)
class Editors:
    """The allow-list: exact addresses and whole domains, compared without regard to case."""

    addresses: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Editors:
        """Entries like 'ana@group.org' or '@group.org'; blank entries are skipped."""
        addresses, domains, bad = set(), set(), []
        for raw in entries:
            entry = raw.strip().lower()
            if not entry:
                continue
            if not entry.isprintable():  # e.g. a byte-order mark or a zero-width space
                bad.append(entry.encode("unicode_escape").decode("ascii"))
            elif _DOMAIN.fullmatch(entry):
                domains.add(entry[1:])
            elif _ADDRESS.fullmatch(entry):
                addresses.add(entry)
            else:
                bad.append(entry)
        if bad:
            raise EditorsError(
                "each editor must be an e-mail address (ana@group.org) or a whole domain "
                "(@group.org), not " + ", ".join(repr(b[:60]) for b in bad[:5])
            )
        return cls(frozenset(addresses), frozenset(domains))

    def __bool__(self) -> bool:
        return bool(self.addresses or self.domains)

    def __len__(self) -> int:
        return len(self.addresses) + len(self.domains)

    def allows(self, email: str | None) -> bool:
        if not email or not _ADDRESS.fullmatch(email.strip()):
            return False
        address = email.strip().lower()
        return address in self.addresses or address.rsplit("@", 1)[1] in self.domains


def is_loopback(address: str | None) -> bool:
    """True only for an address that other machines cannot reach (blank means all interfaces)."""
    if not address:
        return False
    if address.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Access:
    """What this visitor may do on the advocates' side, and why."""

    mode: Mode
    reason: str
    identity: str | None = None  # who the change log names (the signed-in e-mail)

    @property
    def can_curate(self) -> bool:
        return self.mode in ("local", "editor")

    @property
    def signed_in(self) -> bool:
        return self.mode in ("editor", "not-editor")


def is_local_request(host: str | None, forwarded: bool) -> bool:
    """A request made at this machine: no proxy header, and a loopback Host (None: no request
    to look at, as in tests). A proxy or tunnel on this machine makes the server public even
    though it listens on 127.0.0.1, and it announces itself with these headers."""
    if forwarded:
        return False
    if host is None:
        return True
    name = host.strip().lower()
    name = name[1 : name.find("]")] if name.startswith("[") else name.rsplit(":", 1)[0]
    return is_loopback(name)


def decide_access(
    *,
    auth_configured: bool,
    listen_address: str | None,
    user: Mapping[str, object] | None,
    editors: Editors,
    request_host: str | None = None,
    forwarded: bool = False,
) -> Access:
    """The one rule for curation access (see the module docstring).

    `user` is the signed-in person's claims (None when nobody is signed in). Only an e-mail
    address the provider says it verified (`email_verified` true) counts: some providers let
    an account claim any address. `request_host` and `forwarded` describe the request (its
    Host header, and whether a proxy header such as X-Forwarded-For was present).
    """
    if not auth_configured:
        if is_loopback(listen_address) and not is_local_request(request_host, forwarded):
            return Access(
                "off",
                "Curation is off: this server listens on a loopback address but this request "
                "came through a proxy or from another name, so it may be public. Configure "
                "sign-in ([auth] in .streamlit/secrets.toml) and editors to curate through it.",
            )
        if is_loopback(listen_address):
            return Access("local", "Sign-in is not configured; this server is reachable only "
                          "from this machine, so curation is open here.")  # fmt: skip
        shown = listen_address or "every network interface"
        return Access(
            "off",
            f"Curation is off: this server listens on {shown} and no sign-in is configured. "
            "Configure sign-in ([auth] in .streamlit/secrets.toml) and editors "
            "(CLINIC_COMPARE_EDITORS), or run it on 127.0.0.1 for local use.",
        )
    if user is None:
        return Access("sign-in", "Sign in to curate lists.")
    email = str(user.get("email") or "").strip()
    verified = user.get("email_verified") in (True, "true", "True")
    if not editors:
        return Access(
            "not-editor",
            "No editors are configured yet (CLINIC_COMPARE_EDITORS), so nobody can curate.",
            email or None,
        )
    if not verified or not editors.allows(email):
        why = "your sign-in provider does not say is verified" if email and not verified else (
            "is not on the editors' list")  # fmt: skip
        return Access(
            "not-editor",
            f"You are signed in as {email or 'a person without an e-mail address'}, which "
            f"{why}. Ask the list's curators to add you.",
            email or None,
        )
    return Access("editor", f"Signed in as {email}.", email.lower())
