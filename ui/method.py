"""Method: how the scores are made, rendered from the checklist data."""

from __future__ import annotations

import streamlit as st

from scoring import method_markdown


def render() -> None:
    st.title("How scores are made")
    st.markdown(method_markdown())
