"""Showing imported text safely: never as HTML, never as live Markdown."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: object) -> str:
    """Imported text made inert for st.markdown/st.header: every Markdown character escaped.

    Streamlit already refuses raw HTML; escaping also stops links, images and formatting that
    a hostile directory could smuggle in through a clinic name.
    """
    return _MARKDOWN.sub(r"\\\1", str(text)).replace("\n", " ")


def safe_url(url: object) -> str | None:
    """The URL if it is http(s) (the reader already enforces this; checked again at display)."""
    text = str(url or "")
    return text if text.lower().startswith(("http://", "https://")) else None
