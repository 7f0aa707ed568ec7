"""Shared state for every page: the directory, the patient's choices, cached scores.

The patient's choices live in one `Choices` value in the session; widgets are keyed and
re-seeded from it on every page, so nothing is lost when moving between pages, and the URL's
query parameters are kept in step with it (that URL is the share link).

Every session key that more than one page uses is owned here and changed only through the
functions below: `choices` (through `update` and `set_shortlist`), `resolved_place`
(`remember_place`/`place`) and `upload` (`set_upload`). Widget keys (`w.*`) belong to the page
that draws the widget; other pages only drop them (`set_shortlist`) so they are re-seeded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import replace

import pandas as pd
import streamlit as st

from providers.directory import DEMO, DirectoryError, ReadResult, parse_directory, read_directory
from providers.geo import Gazetteer, OnlineGeocoder, Place, default_gazetteer, locate_clinics
from providers.settings import Settings, SettingsError
from scoring import default_checklist, rank_clinics
from ui.share import Choices, from_params, to_params
from ui.text import say

CHOICES = "choices"
UPLOAD = "upload"
PLACE = "resolved_place"


def settings() -> Settings | None:
    try:
        return Settings.from_env(os.environ)
    except SettingsError as exc:
        say("error", "Configuration problem: {}", exc)
        return None


def default_choices() -> Choices:
    return Choices(weights=tuple((k, 1.0) for k in default_checklist().keys))


def choices() -> Choices:
    """The patient's choices; on a session's first run they come from the link it opened."""
    if CHOICES not in st.session_state:
        params = {k: st.query_params[k] for k in st.query_params}
        st.session_state[CHOICES] = from_params(params, default_checklist(), default_choices())
    return st.session_state[CHOICES]


def update(**changes) -> Choices:
    """Change some choices and keep the URL (the share link) in step."""
    new = replace(choices(), **changes)
    if new != st.session_state[CHOICES]:
        st.session_state[CHOICES] = new
        params = to_params(new)
        if params != {k: st.query_params[k] for k in st.query_params}:
            st.query_params.from_dict(params)
    return new


def set_shortlist(ids: tuple[str, ...]) -> None:
    """Change the shortlist from any page; the Find page's picker is re-seeded from it."""
    update(shortlist=ids)
    st.session_state.pop("w.shortlist", None)


def remember_place(found: Place | None) -> None:
    """The patient's resolved place, for distances on other pages; never stored elsewhere."""
    if found is None:
        st.session_state.pop(PLACE, None)
    else:
        st.session_state[PLACE] = found


def place() -> Place | None:
    found = st.session_state.get(PLACE)
    return found if isinstance(found, Place) else None


def set_upload(file: tuple[bytes, str] | None) -> None:
    """The patient's own directory file (content, name), or None for the configured one."""
    if file is None:
        st.session_state.pop(UPLOAD, None)
    else:
        st.session_state[UPLOAD] = file


def seed(key: str, value) -> str:
    """Give a widget its value from the choices if Streamlit forgot it (another page ran)."""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


@st.cache_resource(show_spinner="Loading place names...")
def gazetteer() -> Gazetteer:
    return default_gazetteer()


@st.cache_data(show_spinner="Reading the directory...", max_entries=4)
def _read_file(source: str, mtime: float) -> ReadResult:
    return read_directory(source)


@st.cache_data(show_spinner="Reading the directory...", max_entries=4)
def _read_upload(_data: bytes, digest: str, name: str, max_bytes: int) -> ReadResult:
    return parse_directory(_data, name, max_bytes=max_bytes)


def read_upload(data: bytes, name: str, max_bytes: int) -> tuple[ReadResult, str]:
    """An uploaded directory, parsed once per content (reruns reuse it), and its digest."""
    digest = hashlib.sha256(data).hexdigest()
    return _read_upload(data, digest, name, max_bytes), digest


@st.cache_resource(show_spinner=False)
def online_geocoder(config: Settings) -> OnlineGeocoder | None:
    """One geocoder (and cache connection) per configuration, not one per page run."""
    return config.online_geocoder()


@st.cache_data(show_spinner=False, max_entries=4)
def _located(_table: pd.DataFrame, key: str) -> pd.DataFrame:
    table, _ = locate_clinics(_table, gazetteer())
    return table


@st.cache_data(show_spinner="Scoring...", max_entries=32)
def _ranked(_table: pd.DataFrame, key: str, weights: tuple, require: tuple, today: dt.date):
    return rank_clinics(_table, dict(weights), require, today)


class Directory:
    """The directory being shown, its cache key and where it came from."""

    def __init__(self, result: ReadResult, key: str, label: str, is_demo: bool):
        self.result, self.key, self.label, self.is_demo = result, key, label, is_demo

    @property
    def table(self) -> pd.DataFrame:
        return self.result.table

    def located(self) -> pd.DataFrame:
        """The table with ZIP/city centroids for clinics without coordinates (loads place data,
        so only pages that measure distances ask for it)."""
        return _located(self.result.table, self.key)

    def ranked(self, c: Choices | None = None, located: bool = False) -> pd.DataFrame:
        c = c or choices()
        table = self.located() if located else self.table
        key = f"{self.key}|located={located}"
        return _ranked(table, key, c.weights, c.must_haves, dt.date.today())


def directory() -> Directory | None:
    """The uploaded file if any, else CLINIC_COMPARE_DIRECTORY, else the fictional demo."""
    config = settings()
    if config is None:
        return None
    upload = st.session_state.get(UPLOAD)
    if upload is not None:
        data, name = upload
        try:
            result, digest = read_upload(data, name, config.max_upload_bytes)
        except DirectoryError as exc:
            say("error", "The file '{}' cannot be used: {}", name, exc)
            return None
        return Directory(result, f"upload:{digest}", f"your file {name}", False)
    source = config.directory
    try:
        mtime = 0.0 if source == DEMO else os.path.getmtime(source)
        result = _read_file(source, mtime)
    except (DirectoryError, OSError) as exc:
        say("error", "The directory '{}' cannot be read: {}", source, exc)
        return None
    label = "the bundled fictional demo directory" if source == DEMO else os.path.basename(source)
    return Directory(result, f"{source}@{mtime}", label, source == DEMO)


DEMO_BANNER = (
    "You are looking at **fictional demo data**: these clinics do not exist. "
    "Upload a directory in the sidebar to compare real clinics."
)


def page(title: str) -> Directory | None:
    """The common top of a page: its title, the directory (or why there is none), the banner."""
    st.title(title)
    d = directory()
    if d is not None and d.is_demo:
        st.warning(DEMO_BANNER, icon=":material/info:")
    return d
