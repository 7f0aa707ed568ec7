"""Shared, cached data for every page: the directory and its scores."""

from __future__ import annotations

import datetime as dt
import os

import streamlit as st

from providers import DEMO, DirectoryError, ReadResult, read_directory
from providers.settings import Settings, SettingsError
from scoring import rank_clinics


def settings() -> Settings | None:
    try:
        return Settings.from_env(os.environ)
    except SettingsError as exc:
        st.error(f"Configuration problem: {exc}")
        return None


@st.cache_data(show_spinner="Reading the directory...", max_entries=4)
def load_directory(source: str, mtime: float) -> ReadResult:
    """Read once per file version (`mtime` is part of the cache key)."""
    return read_directory(source)


@st.cache_data(show_spinner=False, max_entries=32)
def ranked(
    _result: ReadResult,
    key: str,
    weights: tuple[tuple[str, float], ...],
    require: tuple[str, ...],
    today: dt.date,
):
    """Scores for one directory version (`key`) and one set of weights and must-haves."""
    return rank_clinics(_result.table, dict(weights), require, today)


def current_directory() -> tuple[ReadResult | None, str, bool]:
    """The directory to show, a cache key for it, and whether it is the fictional demo."""
    config = settings()
    if config is None:
        return None, "", False
    source = config.directory
    try:
        mtime = 0.0 if source == DEMO else os.path.getmtime(source)
        result = load_directory(source, mtime)
    except (DirectoryError, OSError) as exc:
        st.error(f"The directory {source!r} cannot be read: {exc}")
        return None, "", False
    return result, f"{source}@{mtime}", source == DEMO
