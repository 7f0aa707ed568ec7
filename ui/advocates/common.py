"""What every advocates' page shares: the workspace, the chosen list, who is editing, messages.

Session keys owned here (no other module writes them): `curate.list` (the chosen list),
`curate.who` (the name for the change log), `curate.flash` (the last action's message) and
`curate.snapshot.<list>` (the list as this editor last read it, for conflict checks),
`curate.generation.<list>` (bumped on every reread, so the table editor starts afresh) and
`curate.focus` (the clinic the Clinics page shows alone, set from a report).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from providers.curation import SaveOutcome, WorkspaceError, WorkspaceStore, open_workspace
from providers.settings import Settings
from scoring import ClinicCompareError
from ui import state
from ui.advocates import gate
from ui.text import fill, say

LIST = "curate.list"
WHO = "curate.who"
FLASH = "curate.flash"
FOCUS = "curate.focus"


@dataclass
class Desk:
    """An advocates' page's working context for one run."""

    store: WorkspaceStore
    list_name: str
    who: str
    config: Settings


def focus_clinic(list_name: str, clinic_id: str) -> None:
    """Ask the Clinics page to show this clinic's row (e.g. from a report)."""
    st.session_state[FOCUS] = (list_name, clinic_id)
    st.session_state.pop("w.curate.focus", None)  # the Clinics page re-seeds its box


def take_focus(list_name: str) -> str | None:
    """The clinic a report asked the Clinics page to show, once (then the box is the editor's)."""
    found = st.session_state.pop(FOCUS, None)
    return found[1] if isinstance(found, tuple) and found[0] == list_name else None


def finish(template: str, *values: object) -> None:
    """Show a message (values escaped) after a rerun, so the page redraws from saved data."""
    st.session_state[FLASH] = fill(template, *values)
    st.rerun()


def snapshot(store: WorkspaceStore, name: str, refresh: bool = False):
    """The list as it was when this editor last read it (so saves can detect others' changes)."""
    key = f"curate.snapshot.{name}"
    if refresh or key not in st.session_state:
        st.session_state[key] = store.cells(name)
        # A new editor widget: the grid redraws from the saved data, not the old edits.
        st.session_state[f"curate.generation.{name}"] = generation(name) + 1
    cells: pd.DataFrame
    versions: dict[str, int]
    cells, versions = st.session_state[key]
    return cells, versions


def act(d: Desk, action: Callable[[], object], template: str, *values: object) -> None:
    """Run one change; on success reread the list and say so, else say why not."""
    try:
        action()
    except ClinicCompareError as exc:
        say("error", "{}", exc)
        return
    snapshot(d.store, d.list_name, refresh=True)
    finish(template, *values)


def generation(name: str) -> int:
    """How many times this editor has reread the list (part of the table editor's key)."""
    return int(st.session_state.get(f"curate.generation.{name}", 0))


def show_outcome(outcome: SaveOutcome, what: str = "Saved changes to") -> None:
    """Refusals first, each with its reason; a success message only for what was saved."""
    for conflict in outcome.conflicts:
        say("error", "{}", conflict)
    for error in outcome.errors:
        say("error", "{}", error)
    if outcome.refused and outcome.saved:
        say(
            "warning",
            what + " {} clinic(s); {} were not saved.",
            len(outcome.saved),
            outcome.refused,
        )


def list_picker(store: WorkspaceStore, lists: list[str]) -> str | None:
    """The chosen list, kept across the advocates' pages."""
    if not lists:
        st.info("Create a list on the Lists and import page to start.")
        return None
    current = st.session_state.get(LIST)
    chosen = st.selectbox(
        "List",
        lists,
        index=lists.index(current) if current in lists else 0,
        key="w.curate.list",
    )
    st.session_state[LIST] = chosen
    return chosen


def who_field() -> str:
    who = st.text_input(
        "Your name, for the change log",
        value=st.session_state.get(WHO, "advocate"),
        key="w.curate.who",
    )
    st.session_state[WHO] = who.strip() or "advocate"
    return st.session_state[WHO]


@contextmanager
def workspace() -> Iterator[WorkspaceStore | None]:
    """The configured workspace for this run (closed afterwards), or None with a message.

    Every advocates' page runs inside this block, so a workspace that cannot be opened (a
    PostgreSQL server that is down) or that fails during the run (a connection lost in the
    middle of a save, which rolls it back) is one clear message here, never a traceback.
    """
    config = state.settings()
    if config is None or config.workspace is None:
        yield None
        return
    try:
        store = open_workspace(config.workspace)
    except WorkspaceError as exc:
        say("error", "The workspace cannot be opened: {}", exc)
        yield None
        return
    with store:
        try:
            yield store
        except WorkspaceError as exc:
            say("error", "The workspace could not finish this: {}", exc)


def create_list(store: WorkspaceStore, who: str) -> None:
    """A new list, which becomes the chosen one."""
    with st.expander("Create a new list", expanded=not store.lists()):
        new = st.text_input("New list name", key="w.curate.new")
        if st.button("Create list", key="w.curate.create") and new.strip():
            try:
                store.create_list(new, who)
            except WorkspaceError as exc:
                say("error", "{}", exc)
            else:
                st.session_state[LIST] = new.strip()
                st.session_state.pop("w.curate.list", None)


def editor() -> str | None:
    """Who the change log names: the signed-in editor, or a typed name in local use; None
    (with the reason shown) when this visitor may not curate at all."""
    found = gate.access(state.settings())
    if not found.can_curate:
        say("error", "{}", found.reason)
        return None
    if found.mode == "editor" and found.identity:
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.caption(fill("Signed in as {}; every change is logged under this address.",
                          found.identity))  # fmt: skip
        if right.button("Sign out", key="w.curate.sign_out"):
            st.logout()
        return found.identity
    return who_field()


@contextmanager
def desk(title: str, caption: str, with_create: bool = False) -> Iterator[Desk | None]:
    """The common top of an advocates' page: who may curate, title, last message, workspace,
    list, editor. Nothing below it runs for a visitor who may not curate."""
    st.title(title)
    who = editor()
    if who is None:
        yield None
        return
    st.caption(caption)
    if flash := st.session_state.get(FLASH):
        st.success(flash)
    config = state.settings()
    with workspace() as store:
        if store is None or config is None:
            yield None
            return
        if with_create:
            create_list(store, who)
        name = list_picker(store, store.lists())
        if name is None:
            yield None
            return
        yield Desk(store, name, who, config)
