"""Showing text safely: every message and label takes outside values as arguments and escapes
them, so imported, uploaded, typed or linked text is never HTML and never live Markdown.

Use `say("error", "The file {} cannot be used: {}", name, exc)` rather than an f-string into
`st.error`: the template is ours and may use Markdown; every value is made inert by `plain`.
"""

from __future__ import annotations

import re
from typing import Literal

import streamlit as st

from scoring import http_url

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")
# GitHub-flavoured Markdown turns bare addresses into links after escapes are resolved
# (`https://`, `www.`, `name@host`), so escaping alone cannot stop them: an invisible word
# joiner inside each trigger does, and the text still reads the same.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
_JOINER = "\u2060"
Kind = Literal["error", "warning", "info", "success", "caption", "write", "markdown"]


def plain(text: object) -> str:
    """Outside text made inert for Markdown: every Markdown character escaped, one line.

    Streamlit already refuses raw HTML; escaping also stops links, images, emoji short codes,
    maths and formatting that a hostile directory, file name or link could smuggle in.
    """
    return (
        _MARKDOWN.sub(r"\\\1", _AUTOLINK.sub(_JOINER, str(text)))
        .replace("\r", " ")
        .replace("\n", " ")
    )


def fill(template: str, *values: object) -> str:
    """`template` with each `{}` replaced by an escaped value (for labels and messages)."""
    return template.format(*(plain(v) for v in values))


def say(kind: Kind, template: str, *values: object) -> None:
    """Show a message of `kind` whose values are escaped (the template is ours)."""
    getattr(st, kind)(fill(template, *values))


def safe_url(url: object) -> str | None:
    """The URL if it is http(s) (the reader already enforces this; checked again at display)."""
    return http_url(url)
