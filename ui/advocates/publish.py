"""Publish (for advocates): download a list in the directory format, ready to share."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from providers.curation import open_workspace, publish_csv, publish_json
from ui.advocates.common import Desk, desk


def publish_section(d: Desk) -> None:
    stamp = dt.date.today().isoformat()
    st.write("Download the list in the directory format, ready to share or load in the app.")
    location, schema, name = d.store.location, d.store.schema, d.list_name

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


def render() -> None:
    with desk("Publish", "For advocates: share a list as a directory file.") as d:
        if d is not None:
            publish_section(d)


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
