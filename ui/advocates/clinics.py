"""Clinics (for advocates): edit a list's clinics in a table and save, without overwriting
anyone; mark evidence as stale."""

from __future__ import annotations

from typing import Any

import streamlit as st

from providers.curation import editable, edits_between, save_changes
from providers.directory import NUMERIC_KINDS, Schema
from ui.advocates.common import Desk, desk, finish, show_outcome, snapshot


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


def save(d: Desk, changes: dict[str, dict[str, str]], versions: dict[str, int],
         source: str = "edit") -> None:  # fmt: skip
    if not changes:
        st.info("Nothing changed.")
        return
    bar = st.progress(0.0, text="Saving...")

    def progress(done: int, total: int, _clinic: str) -> None:
        bar.progress(done / total, text=f"Saved {done} of {total}")

    outcome = save_changes(d.store, d.list_name, changes, versions, d.who, source, progress)
    snapshot(d.store, d.list_name, refresh=True)
    if not outcome.refused:
        finish("Saved changes to {} clinic(s).", len(outcome.saved)) if outcome.saved else finish(
            "Nothing changed."
        )
    show_outcome(outcome)


def clinics_table(d: Desk) -> None:
    cells, versions = snapshot(d.store, d.list_name)
    if cells.empty:
        st.info("This list has no clinics yet: add some on the Lists and import page.")
        return
    schema = d.store.schema
    before = editable(cells, schema)
    st.caption(
        "Edit answers (yes / no / unknown), sources (http/https links) and check dates "
        "(YYYY-MM-DD) per criterion, then save. Every change is logged."
    )
    after = st.data_editor(
        before, column_config=column_config(schema), hide_index=True,
        num_rows="fixed", key=f"w.editor.{d.list_name}", height=420,
    )  # fmt: skip
    left, right = st.columns(2)
    if left.button("Save changes", key="w.curate.save", type="primary"):
        save(d, edits_between(before, after), versions)
    if right.button("Reload the list", key="w.curate.reload"):
        snapshot(d.store, d.list_name, refresh=True)
        st.rerun()
    with st.expander("Mark evidence as stale"):
        checklist = schema.checklist
        clinic = st.selectbox("Clinic", before["id"].tolist(), key="w.curate.stale_clinic")
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
