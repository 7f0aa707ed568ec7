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
import functools
import hashlib
import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import streamlit as st

from providers.curation import WorkspaceError, open_workspace, published_directory
from providers.directory import DEMO, DirectoryError, ReadResult, parse_directory, read_directory
from providers.geo import Gazetteer, OnlineGeocoder, Place, default_gazetteer, locate_clinics
from providers.hsds import HsdsImport, Limits, read_hsds
from providers.settings import PREFIX, DatabaseUrl, Settings, SettingsError
from scoring import ClinicCompareError, ScoreBasis, default_checklist, score_basis
from ui.share import Choices, from_params, to_params
from ui.text import say

CHOICES = "choices"
UPLOAD = "upload"
PLACE = "resolved_place"


@functools.lru_cache(maxsize=8)
def _configuration(env: tuple[tuple[str, str], ...], _editors_file: object) -> Settings | str:
    """The settings for these variables, or what is wrong with them, read once per change
    (the editors file's size and time are part of the key, so an edit to it counts)."""
    try:
        return Settings.from_env(dict(env))
    except SettingsError as exc:
        return str(exc)


def _read_configuration() -> Settings | str:
    env = tuple(sorted((k, v) for k, v in os.environ.items()
                       if k.upper().startswith(PREFIX) or k in ("HOME", "XDG_CACHE_HOME",
                                                                "XDG_DATA_HOME")))  # fmt: skip
    try:
        listed = os.stat(os.path.expanduser(os.environ.get(PREFIX + "EDITORS_FILE", "").strip()))
        stamp: object = (listed.st_mtime_ns, listed.st_size)
    except (OSError, ValueError):
        stamp = None
    return _configuration(env, stamp)


def settings() -> Settings | None:
    """The configuration, or None when it has a problem (`app.py` shows it once per page)."""
    found = _read_configuration()
    return found if isinstance(found, Settings) else None


def settings_problem() -> str | None:
    found = _read_configuration()
    return found if isinstance(found, str) else None


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


def patients_clinics_first(
    names: dict[str, str], shortlist: tuple[str, ...], results: tuple[str, ...]
) -> list[str]:
    """Clinic ids for a picker: the shortlist first, then the clinics the Find page showed last
    (best first), then everyone else by name, so the clinic a patient means is near the top."""
    first = [i for i in dict.fromkeys([*shortlist, *results]) if i in names]
    chosen = set(first)
    rest = sorted((i for i in names if i not in chosen), key=lambda i: names[i].casefold())
    return first + rest


RESULTS_KEY = "find.results"


def remember_results(ids: Iterable[str]) -> None:
    """The clinics the Find page showed last, best first (the detail page offers them first)."""
    st.session_state[RESULTS_KEY] = tuple(ids)


def last_results() -> tuple[str, ...]:
    return st.session_state.get(RESULTS_KEY, ())


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


# Tables are cached as shared resources, not pickled copies: every page treats them as
# read-only (pandas' copy-on-write keeps derived frames apart), and a rerun then costs no
# copying of a 10k-clinic table. tests/ui/test_caching.py checks that no page changes them.
@st.cache_resource(show_spinner="Reading the directory...", max_entries=4)
def _read_file(source: str, mtime: float) -> ReadResult:
    return read_directory(source)


@st.cache_resource(show_spinner="Reading the directory...", max_entries=4)
def _read_upload(_data: bytes, digest: str, name: str, max_bytes: int) -> ReadResult:
    return parse_directory(_data, name, max_bytes=max_bytes)


@st.cache_resource(show_spinner="Reading the HSDS package...", max_entries=4)
def _read_hsds_upload(_data: bytes, digest: str, max_bytes: int) -> HsdsImport:
    return read_hsds(_data, limits=Limits(max_file_bytes=max_bytes, max_total_bytes=max_bytes))


def read_hsds_upload(data: bytes, max_bytes: int) -> HsdsImport:
    """An uploaded HSDS package (.zip or JSON), read once per content; caps as for a file."""
    return _read_hsds_upload(data, hashlib.sha256(data).hexdigest(), max_bytes)


def read_upload(data: bytes, name: str, max_bytes: int) -> tuple[ReadResult, str]:
    """An uploaded directory, parsed once per content (reruns reuse it), and its digest."""
    digest = hashlib.sha256(data).hexdigest()
    return _read_upload(data, digest, name, max_bytes), digest


@st.cache_resource(show_spinner=False)
def online_geocoder(config: Settings) -> OnlineGeocoder | None:
    """One geocoder (and cache connection) per configuration, not one per page run."""
    return config.online_geocoder()


@st.cache_resource(show_spinner=False, max_entries=4)
def _located(_table: pd.DataFrame, key: str) -> pd.DataFrame:
    table, _ = locate_clinics(_table, gazetteer())
    return table


@st.cache_resource(show_spinner=False, max_entries=4)
def _names(_table: pd.DataFrame, key: str) -> dict[str, str]:
    return dict(zip(_table["id"], _table["name"], strict=True))


@st.cache_resource(show_spinner="Scoring...", max_entries=8)
def _basis(_table: pd.DataFrame, key: str, today: dt.date) -> ScoreBasis:
    """The weight-free part of the scores: a weight change then costs one sort."""
    return score_basis(_table, today)


@dataclass(frozen=True)
class Published:
    """Where a published list came from: reports about it go back to the same workspace."""

    workspace: Path | DatabaseUrl
    list_name: str
    published_on: str
    snapshot_id: int


class Directory:
    """The directory being shown, its cache key and where it came from."""

    def __init__(
        self,
        result: ReadResult,
        key: str,
        label: str,
        is_demo: bool,
        published: Published | None = None,
    ):
        self.result, self.key, self.label, self.is_demo = result, key, label, is_demo
        self.published = published

    def open_reports(self) -> dict[str, str]:
        """clinic id -> date of its oldest open report (read fresh: reports keep arriving)."""
        if self.published is None:
            return {}
        try:
            with open_workspace(self.published.workspace) as store:
                return store.open_report_dates(self.published.list_name)
        except ClinicCompareError:
            return {}

    @property
    def table(self) -> pd.DataFrame:
        return self.result.table

    def names(self) -> dict[str, str]:
        """clinic id -> name, built once per directory (not on every rerun)."""
        return _names(self.table, self.key)

    def located(self) -> pd.DataFrame:
        """The table with ZIP/city centroids for clinics without coordinates (loads place data,
        so only pages that measure distances ask for it)."""
        return _located(self.result.table, self.key)

    def ranked(
        self,
        c: Choices | None = None,
        located: bool = False,
        columns: Sequence[str] | None = None,
        ids: Collection[str] | None = None,
    ) -> pd.DataFrame:
        """Clinics meeting the must-haves, best first, with `columns` (all by default); only
        the clinics in `ids` when given (their ranks stay those of the whole ranking)."""
        c = c or choices()
        table = self.located() if located else self.table
        key, today = f"{self.key}|located={located}", dt.date.today()
        # A ranking is one sort (milliseconds at 10k clinics): not worth memory in a cache.
        ranking = _basis(table, key, today).rank(dict(c.weights), c.must_haves)
        if ids is not None:
            ranking = ranking.only(table["id"].isin(list(ids)).to_numpy())
        if columns is not None:
            columns = [name for name in columns if name in table.columns]
        return ranking.frame(table, columns)


@st.cache_resource(show_spinner="Reading the published list...", max_entries=4)
def _read_published(
    _workspace: Path | DatabaseUrl, where: str, list_name: str, digest: str
) -> ReadResult:
    """One parse per snapshot content: a new publication has a new digest, so patients see it
    at once (ids would not do: a workspace restored from a backup numbers them afresh).
    Cached by `where` (the address without its password), not by the address itself."""
    with open_workspace(_workspace) as store:
        result, _ = published_directory(store, list_name)
    return result


def published(config: Settings, list_name: str) -> Directory | None:
    """The live snapshot of a workspace list (CLINIC_COMPARE_DIRECTORY=workspace:LIST)."""
    where = config.workspace
    try:
        if where is None or (isinstance(where, Path) and not where.exists()):
            raise WorkspaceError("the workspace file does not exist yet")
        with open_workspace(where) as store:
            history = store.snapshots(list_name)  # newest (the live one) first
        if history.empty:
            say("info", "The list {} has not been published yet; please come back later.",
                list_name)  # fmt: skip
            return None
        row = history.iloc[0]
        live, at, digest = int(row["id"]), str(row["published_at"]), str(row["digest"])
        result = _read_published(where, str(where), list_name, digest)
    except ClinicCompareError as exc:
        say("error", "The published list {} cannot be shown: {}", list_name, exc)
        return None
    on = at[:10]
    label = f"the list {list_name}, published on {on}"
    return Directory(result, f"published:{digest}", label, False,
                     Published(where, list_name, on, live))  # fmt: skip


def directory() -> Directory | None:
    """The uploaded file if any, else CLINIC_COMPARE_DIRECTORY (a file or a published list),
    else the fictional demo."""
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
    if config.published_list is not None:
        return published(config, config.published_list)
    source = config.directory
    try:
        mtime = 0.0 if source == DEMO else os.path.getmtime(source)
        result = _read_file(source, mtime)
    except (DirectoryError, OSError) as exc:
        say("error", "The directory '{}' cannot be read: {}", source, exc)
        return None
    label = "the demo list of made-up clinics" if source == DEMO else os.path.basename(source)
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
    if d is not None and d.published is not None:
        say("info", "Published on {} by {}'s curators. Something wrong or out of date? Tell "
            "them from the clinic's page.", d.published.published_on,
            d.published.list_name)  # fmt: skip
    return d
