"""History (for advocates): every change to a clinic, and undoing one as a new change."""

from __future__ import annotations

import streamlit as st

from ui.advocates.common import Desk, act, desk, snapshot


def history_section(d: Desk) -> None:
    cells, _ = snapshot(d.store, d.list_name)
    if cells.empty:
        st.info("This list has no clinics yet.")
        return
    clinic = st.selectbox("Clinic", cells["id"].tolist(), key="w.curate.history_clinic")
    log = d.store.history(d.list_name, clinic)
    st.dataframe(log, hide_index=True, width="stretch")
    restorable = log[log["field"] != "*created*"]["id"].tolist()
    if not restorable:
        return
    change = st.selectbox("Change to undo", restorable, key="w.curate.restore_id",
                          format_func=lambda i: f"#{i}")  # fmt: skip
    if st.button("Restore the value before this change", key="w.curate.restore"):
        act(d, lambda: d.store.restore(d.list_name, int(change), d.who),
            "Restored (change #{} undone as a new change).", change)  # fmt: skip


def snapshots_section(d: Desk) -> None:
    st.subheader("Published snapshots")
    snapshots = d.store.snapshots(d.list_name)
    if snapshots.empty:
        st.caption("Not published yet.")
    else:
        st.caption("The live one is what patients see; publish again on the Publish page.")
        st.dataframe(snapshots.drop(columns="digest"), hide_index=True, width="stretch")


def render() -> None:
    with desk("History", "For advocates: who changed what, when, and from which source.") as d:
        if d is not None:
            history_section(d)
            snapshots_section(d)


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
