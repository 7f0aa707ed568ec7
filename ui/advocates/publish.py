"""Publish (for advocates): make a list live for patients (a frozen snapshot), or download it
in the directory format, ready to share."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from providers.curation import open_workspace, publish_csv, publish_hsds, publish_json
from ui.advocates.common import Desk, act, desk
from ui.text import say


def live_section(d: Desk) -> None:
    """Publishing freezes the list as it is now: later edits reach patients only when the
    list is published again, so half-finished work never does."""
    st.subheader("Publish to patients")
    config = d.config
    if config.published_list == d.list_name:
        st.write("Patients on this site see the list's live snapshot below.")
    else:
        say("caption", "This site shows patients {}; another site (or this one, with "
            "CLINIC_COMPARE_DIRECTORY=workspace:{}) shows this list once it is published.",
            config.published_list or "another directory", d.list_name)  # fmt: skip
    snapshots = d.store.snapshots(d.list_name)
    if st.button("Publish the list as it is now", key="w.curate.publish", type="primary"):
        act(d, lambda: d.store.publish_snapshot(d.list_name, d.who),
            "Published {}: patients now see it as it is now.", d.list_name)  # fmt: skip
    if snapshots.empty:
        st.info("Not published yet: patients do not see this list.")
    else:
        st.dataframe(snapshots.drop(columns="digest"), hide_index=True, width="stretch")


def publish_section(d: Desk) -> None:
    stamp = dt.date.today().isoformat()
    st.subheader("Download")
    st.write("Download the list in the directory format, ready to share or load in the app.")
    # Where this run's store was opened (a file, or the address with its password).
    location, schema, name = d.config.workspace, d.store.schema, d.list_name
    assert location is not None

    # Built only when clicked (this run's workspace is closed by then): a large list is not
    # exported on every rerun of the page.
    def as_csv() -> bytes:
        with open_workspace(location, schema) as store:
            return publish_csv(store, name)

    def as_json() -> bytes:
        with open_workspace(location, schema) as store:
            return publish_json(store, name)

    st.download_button("Download CSV", as_csv, file_name=f"{name}-{stamp}.csv",
                       mime="text/csv", key="w.curate.csv")  # fmt: skip
    st.download_button("Download JSON", as_json, file_name=f"{name}-{stamp}.json",
                       mime="application/json", key="w.curate.json")  # fmt: skip

    st.subheader("Publish as HSDS")
    st.write(
        "An Open Referral HSDS 3.0 package (a .zip of CSV files with its datapackage.json), "
        "the format 211 lines and community directories exchange: each clinic with its "
        "address, phone, NPI and price, and every checklist answer with its source and date."
    )
    with_changes = st.checkbox(
        "Include the change log (who changed what, and when; it names the editors)",
        key="w.curate.hsds_changes",
    )

    def as_hsds() -> bytes:
        with open_workspace(location, schema) as store:
            return publish_hsds(store, name, with_changes)

    st.download_button("Download HSDS package", as_hsds, file_name=f"{name}-{stamp}-hsds.zip",
                       mime="application/zip", key="w.curate.hsds")  # fmt: skip


def render() -> None:
    with desk("Publish", "For advocates: make a list live for patients, or download it.") as d:
        if d is not None:
            live_section(d)
            publish_section(d)


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
