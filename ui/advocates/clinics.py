"""Clinics (for advocates): edit a list's clinics in a table and save, without overwriting
anyone; mark evidence as stale."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from providers.curation import Conflict, editable, edits_between, save_changes
from providers.directory import NUMERIC_KINDS, Schema
from ui.advocates.common import Desk, act, desk, finish, generation, snapshot, take_focus
from ui.text import say

ALL = ""  # the "every clinic" choice of the Show box (no clinic id is blank)


def column_config(schema: Schema) -> dict[str, Any]:
    """Editor columns derived from the directory schema (and so from the checklist)."""
    cc = st.column_config
    config: dict[str, Any] = {"id": cc.TextColumn("id", disabled=True)}
    for column in schema.columns:
        if column.kind == "tristate":
            config[column.name] = cc.SelectboxColumn(column.name, options=["yes", "no", "unknown"])
        elif column.kind in NUMERIC_KINDS:
            config[column.name] = cc.NumberColumn(
                column.name, min_value=column.low, max_value=column.high,
                step=1 if column.kind == "count" else None,
            )  # fmt: skip
        elif column.kind == "url":
            config[column.name] = cc.TextColumn(column.name, validate=r"^(https?://\S+)?$")
        elif column.kind == "date":
            config[column.name] = cc.TextColumn(column.name, validate=r"^(\d{4}-\d{2}-\d{2})?$")
    return config


def pending_key(d: Desk) -> str:
    return f"curate.conflicts.{d.list_name}"


def save(d: Desk, changes: dict[str, dict[str, str]], versions: dict[str, int],
         source: str = "edit") -> None:  # fmt: skip
    """Save edits; a refusal is kept as a conflict for the editor to resolve, never retried."""
    if not changes:
        st.info("Nothing changed.")
        return
    bar = st.progress(0.0, text="Saving...")

    def progress(done: int, total: int, _clinic: str) -> None:
        bar.progress(done / total, text=f"Checking and saving {done} of {total}")

    outcome = save_changes(d.store, d.list_name, changes, versions, d.who, source, progress)
    bar.empty()
    snapshot(d.store, d.list_name, refresh=True)
    if outcome.conflicts:
        # The rerun shows the conflicts above a reloaded grid; what else happened is said there.
        st.session_state[pending_key(d)] = outcome.conflicts
        if outcome.saved or outcome.errors:
            not_saved = "; ".join(outcome.errors)
            finish("Saved changes to {} clinic(s). {}", len(outcome.saved),
                   f"Not saved: {not_saved}" if not_saved else "")  # fmt: skip
        st.rerun()
    if not outcome.refused:
        message = "Saved changes to {} clinic(s)." if outcome.saved else "Nothing changed."
        finish(message, len(outcome.saved))
    if outcome.saved:
        say("success", "Saved changes to {} clinic(s).", len(outcome.saved))
    for error in outcome.errors:
        say("error", "{}", error)


def resolve_conflicts(d: Desk) -> bool:
    """Show each refused save side by side; True while some are still to be resolved."""
    conflicts: list[Conflict] = st.session_state.get(pending_key(d), [])
    if not conflicts:
        return False
    st.warning(
        "Someone else saved these clinics after you opened the list, so your changes to them "
        "were not saved. Compare the values and choose for each clinic."
    )
    for index, conflict in enumerate(conflicts):
        with st.container(border=True):
            say("markdown", "**{}** (now at version {})", conflict.clinic_id,
                conflict.current_version)  # fmt: skip
            st.dataframe(
                pd.DataFrame(conflict.fields, columns=["field", "saved by them", "yours"]),
                hide_index=True, width="stretch",
            )  # fmt: skip
            theirs, mine = st.columns(2)
            if theirs.button("Keep theirs", key=f"w.curate.theirs.{index}"):
                _settle(d, index)
                finish("Kept the saved values of {}.", conflict.clinic_id)
            if mine.button("Keep mine (overwrite theirs)", key=f"w.curate.mine.{index}"):
                _settle(d, index)
                keep_mine(d, conflict)
    return True


def keep_mine(d: Desk, conflict: Conflict) -> None:
    """A deliberate overwrite of the newer save, logged as such."""
    changes = {field: yours for field, _, yours in conflict.fields}
    source = f"overwrite after conflict with version {conflict.current_version}"

    def overwrite() -> None:
        d.store.save_clinic(
            d.list_name, conflict.clinic_id, changes, conflict.current_version, d.who, source
        )

    act(d, overwrite, "Saved your values of {} over theirs (logged).", conflict.clinic_id)


def _settle(d: Desk, index: int) -> None:
    left = [c for i, c in enumerate(st.session_state.get(pending_key(d), [])) if i != index]
    st.session_state[pending_key(d)] = left


def clinics_table(d: Desk) -> None:
    cells, versions = snapshot(d.store, d.list_name)
    if cells.empty:
        st.info("This list has no clinics yet: add some on the Lists and import page.")
        return
    unresolved = resolve_conflicts(d)
    schema = d.store.schema
    ids = cells["id"].tolist()
    focused = take_focus(d.list_name)
    names = dict(zip(cells["id"], cells["name"], strict=True))
    focus = st.selectbox(
        "Show", [ALL, *ids], index=ids.index(focused) + 1 if focused in ids else 0,
        format_func=lambda i: "every clinic" if i == ALL else f"{names.get(i) or i} ({i})",
        key="w.curate.focus",
    )  # fmt: skip
    before = editable(cells if focus == ALL else cells[cells["id"] == focus], schema)
    st.caption(
        "Edit answers (yes / no / unknown), sources (http/https links) and check dates "
        "(YYYY-MM-DD) per criterion, then save. Every change is logged."
    )
    after = st.data_editor(
        before, column_config=column_config(schema), hide_index=True, num_rows="fixed",
        key=f"w.editor.{d.list_name}.{generation(d.list_name)}.{focus}", height=420,
    )  # fmt: skip
    left, right = st.columns(2)
    save_help = "Resolve the conflicts above first." if unresolved else None
    if left.button("Save changes", key="w.curate.save", type="primary", disabled=unresolved,
                   help=save_help):  # fmt: skip
        save(d, edits_between(before, after), versions)
    if right.button("Reload the list", key="w.curate.reload"):
        snapshot(d.store, d.list_name, refresh=True)
        st.rerun()
    with st.expander("Mark evidence as stale"):
        checklist = schema.checklist
        clinic = st.selectbox("Clinic", ids, key="w.curate.stale_clinic")
        labels = {c.key: c.label for c in checklist.criteria}
        criterion = st.selectbox("Criterion", list(labels), format_func=labels.__getitem__,
                                 key="w.curate.stale_crit")  # fmt: skip
        clear = st.button("Clear its check date (it will show as stale)", key="w.curate.stale")
        if clear and clinic is not None and criterion is not None:
            column = checklist.criterion(criterion).verified_column
            save(d, {clinic: {column: ""}}, versions, "marked stale")


def render() -> None:
    with desk("Clinics", "For advocates: check and edit every clinic of a list.") as d:
        if d is not None:
            clinics_table(d)


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
