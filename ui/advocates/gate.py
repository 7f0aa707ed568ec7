"""The gate to the advocates' pages: gathers what Streamlit knows (is sign-in configured, which
address the server listens on, who is signed in) and asks `providers.access` for the decision.

`app.py` registers the curation pages only when the decision allows it, so a page path typed
by hand finds nothing; each curation page asks again before it touches the workspace.
"""

from __future__ import annotations

import logging

import streamlit as st

from providers.access import Access, decide_access
from providers.settings import Settings
from ui import state

LOG = logging.getLogger("clinic_compare")
#: The [auth] keys Streamlit needs for one OpenID Connect provider (cookie_secret is never
#: defaulted in code: a deployment without one cannot sign anybody in).
#: Headers a reverse proxy or tunnel adds: a request carrying one did not come from this machine.
PROXY_HEADERS = ("x-forwarded-for", "x-forwarded-host", "forwarded", "x-real-ip",
                 "cf-connecting-ip", "true-client-ip")  # fmt: skip
REQUIRED_AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret",
                      "server_metadata_url")  # fmt: skip


def auth_problem() -> str | None:
    """None when sign-in is configured and complete; '' when it is not configured at all;
    otherwise what is wrong with it (which turns curation off until it is fixed)."""
    try:
        auth = st.secrets.get("auth") if "auth" in st.secrets else None
    except FileNotFoundError:
        return ""
    except Exception as exc:  # a secrets file Streamlit cannot parse
        return f"the secrets file cannot be read ({type(exc).__name__}), so sign-in is off"
    if auth is None:
        return ""
    missing = [k for k in REQUIRED_AUTH_KEYS if not str(auth.get(k) or "").strip()]
    if missing:
        return "sign-in is configured but [auth] lacks " + ", ".join(missing)
    return None


def _user() -> dict[str, object] | None:
    """The signed-in person's claims, or None (without [auth], `st.user` is empty)."""
    if not st.user.get("is_logged_in", False):
        return None
    return dict(st.user.to_dict())


def _request() -> tuple[str | None, bool]:
    """This request's Host header (None outside a browser request) and whether a proxy
    header is present."""
    try:
        headers = {k.lower(): v for k, v in st.context.headers.items()}
    except Exception:  # no request (e.g. a script run without a browser)
        return None, False
    return headers.get("host"), any(h in headers for h in PROXY_HEADERS)


@st.cache_resource(show_spinner=False)
def _logged(reason: str) -> bool:
    """Say why curation is off in the server log, once per reason (not once per rerun)."""
    LOG.warning("Ketamine Clinic Compare: %s", reason)
    return True


def access(config: Settings | None = None) -> Access:
    """This visitor's access to curation, decided by the one rule in `providers.access`."""
    config = config or state.settings()
    problem = auth_problem()
    if problem:
        found = Access("off", f"Curation is off: {problem}.")
    elif config is not None and config.editors_problem:
        _logged(f"the editors' list cannot be used: {config.editors_problem}")
        found = Access("off", "Curation is off: the editors' list has a problem (the server "
                       "log says which).")  # fmt: skip
    else:
        host, forwarded = _request()
        found = decide_access(
            auth_configured=problem is None,
            listen_address=st.get_option("server.address"),
            user=_user() if problem is None else None,
            editors=config.editors if config else Settings().editors,
            request_host=host,
            forwarded=forwarded,
        )
    if found.mode == "off":
        _logged(found.reason)
    return found
