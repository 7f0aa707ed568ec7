"""Lists and import (for advocates): create lists; add clinics from a file, a web address or
the NPI registry, with duplicates offered as merges."""

from __future__ import annotations

import streamlit as st

from providers.curation import Match, apply_import, clinics_from_registry, plan_import
from providers.directory import DirectoryError, ReadResult
from providers.sources import FetchError, NpiRegistry, RegistryError, fetch_directory
from scoring import ClinicCompareError
from ui import state
from ui.advocates.common import Desk, act, desk, finish, snapshot
from ui.text import fill, say

FETCHED = "curate.fetched"
FOUND = "curate.npi_found"
ROUND = "curate.import_round"


def import_section(d: Desk) -> None:
    st.subheader("From a file or a web address")
    # A finished import starts the next one afresh: new widget keys drop the file and address.
    round_ = int(st.session_state.get(ROUND, 0))
    hsds = st.radio("The file is", ("a directory file", "an HSDS 3.0 package"), horizontal=True,
                    key="w.curate.kind",
                    help="HSDS: Open Referral's Human Services Data Specification, the format "
                    "211 lines and community directories exchange (a .zip of CSV files with "
                    "datapackage.json, or its JSON form).") == "an HSDS 3.0 package"  # fmt: skip
    types = ["zip", "json"] if hsds else ["csv", "json", "tsv", "txt"]
    label = "HSDS package (.zip or JSON)" if hsds else "Directory file (CSV or JSON)"
    upload = st.file_uploader(label, type=types, key=f"w.curate.upload.{round_}.{hsds}")
    url = st.text_input("...or a web address (http/https)", key=f"w.curate.url.{round_}")
    data, label = None, ""
    if upload is not None:
        data, label = upload.getvalue(), upload.name
    elif url.strip() and st.button("Fetch", key="w.curate.fetch"):
        try:
            got = fetch_directory(url.strip(), max_bytes=d.config.max_upload_bytes,
                                  address_allowed=d.config.url_address_allowed())  # fmt: skip
        except FetchError as exc:
            say("error", "Not fetched: {}", exc)
            return
        st.session_state[FETCHED] = (got.data, got.filename)
    if data is None and FETCHED in st.session_state and url.strip():
        data, label = st.session_state[FETCHED]
    if data is not None:
        review_import(d, data, label, hsds)


def merge_box(m: Match) -> bool:
    label = fill("Merge {} into {}: {}", m.incoming_id, m.existing_id, m.reason)
    return st.checkbox(label, value=True, key=f"w.curate.merge.{m.existing_id}.{m.incoming_id}")


def read_hsds_package(d: Desk, data: bytes, label: str) -> ReadResult | None:
    """The clinics of an HSDS package, with what it held that a clinic has no place for."""
    try:
        found = state.read_hsds_upload(data, d.config.max_upload_bytes)
    except ClinicCompareError as exc:
        say("error", "{} cannot be used: {}", label, exc)
        return None
    if found.checklist_version:
        say("caption", "Made with our checklist, version {}.", found.checklist_version)
    if len(found.problems):
        say("warning", "{} problem(s) in the package; the clinics that could be read are kept.",
            len(found.problems))  # fmt: skip
        st.dataframe(found.problems, hide_index=True, width="stretch")
    if len(found.set_aside):
        say("info", "Kept aside (a clinic has no place for it): {} kind(s) of data.",
            len(found.set_aside))  # fmt: skip
        st.dataframe(found.set_aside, hide_index=True, width="stretch")
    return found.result


def review_import(d: Desk, data: bytes, label: str, hsds: bool = False) -> None:
    if hsds:
        read = read_hsds_package(d, data, label)
        if read is None:
            return
        result = read
    else:
        try:
            result, _ = state.read_upload(data, label, d.config.max_upload_bytes)
        except DirectoryError as exc:
            say("error", "{} cannot be used: {}", label, exc)
            return
    say(
        "write", "{}: {} clinics read, {} rows rejected.", label, len(result.table), result.rejected
    )
    if len(result.problems):
        st.dataframe(result.problems, hide_index=True, width="stretch")
    plan = plan_import(d.store, d.list_name, result.table)
    if plan.unchanged:
        say("caption", "{} clinic(s) are already in the list, unchanged.", len(plan.unchanged))
    merges = [m for m in plan.matches if merge_box(m)]
    clashes = plan.clashes(merges)
    if clashes:
        say("warning", "{} id(s) already in the list and not merged are skipped: {}",
            len(clashes), ", ".join(clashes[:5]))  # fmt: skip
    fresh = plan.fresh(merges)
    if not len(fresh) and not merges:
        st.info("Nothing to import: every clinic in this file is already in the list.")
        return
    if st.button(fill("Import {} new and merge {} into '{}'", len(fresh), len(merges), d.list_name),
                 key="w.curate.import"):  # fmt: skip
        bar = st.progress(0.0, text="Merging...")

        def progress(done: int, total: int, _clinic: str) -> None:
            bar.progress(done / max(total, 1), text=f"Merged {done} of {total}")

        try:
            done = apply_import(d.store, d.list_name, plan, merges, d.who, label, progress)
        except ClinicCompareError as exc:
            say("error", "{}", exc)
            return
        snapshot(d.store, d.list_name, refresh=True)
        st.session_state.pop(FETCHED, None)
        st.session_state[ROUND] = int(st.session_state.get(ROUND, 0)) + 1
        finish("Imported {} clinic(s) and merged {}.", done.imported, done.merged)


def registry_section(d: Desk) -> None:
    st.subheader("From the NPI registry (US organisations)")
    a, b = st.columns(2)
    org = a.text_input("Organisation name (use * as a wildcard)", key="w.curate.npi_name",
                       placeholder="ketamine*")  # fmt: skip
    region = b.text_input("State (two letters)", key="w.curate.npi_state", max_chars=2)
    if st.button("Search the registry", key="w.curate.npi_search"):
        try:
            found = NpiRegistry(d.config.npi_url).search(
                name=org.strip(), state=region.strip().upper()
            )
        except RegistryError as exc:
            say("error", "Registry search failed: {}", exc)
            return
        st.session_state[FOUND] = found
    found = st.session_state.get(FOUND, [])
    if not found:
        return
    labels = {r.number: f"{r.name} - {r.city}, {r.state} (NPI {r.number})" for r in found}
    chosen = st.multiselect("Add these organisations (their evidence starts unknown)", list(labels),
                            format_func=labels.__getitem__, key="w.curate.npi_pick")  # fmt: skip
    if chosen and st.button(
        fill("Add {} to '{}'", len(chosen), d.list_name), key="w.curate.npi_add"
    ):
        table = clinics_from_registry(r for r in found if r.number in chosen)
        act(d, lambda: d.store.import_table(d.list_name, table, d.who, d.config.npi_url),
            "Added {} clinic(s).", len(table))  # fmt: skip


def render() -> None:
    with desk(
        "Lists and import",
        "For advocates: create provider lists and add clinics to them.",
        with_create=True,
    ) as d:
        if d is None:
            return
        import_section(d)
        registry_section(d)


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
