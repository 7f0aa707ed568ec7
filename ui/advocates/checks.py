"""Checks (for advocates): NPI numbers against the registry, and coordinates for the map and
distances. Both save each result as it comes, so an interrupted run resumes where it stopped."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from providers.curation import (
    check_npis,
    clinics_to_check,
    fill_coordinates,
    missing_coordinates,
    save_changes,
)
from providers.sources import NpiRegistry
from ui import state
from ui.advocates.common import Desk, desk, show_outcome, snapshot
from ui.text import say


def npi_section(d: Desk) -> None:
    st.subheader("NPI numbers (US)")
    checklist = d.store.schema.checklist
    cells, versions = snapshot(d.store, d.list_name)
    say("write", "{} clinic(s) in this list have an NPI.", len(clinics_to_check(cells, checklist)))
    only_new = st.checkbox("Only clinics not checked yet", value=True, key="w.curate.verify_new")
    todo = clinics_to_check(cells, checklist, only_unchecked=only_new)
    if not len(todo) or not st.button(
        f"Check {len(todo)} against the NPI registry", key="w.curate.verify"
    ):
        return
    registry = NpiRegistry(d.config.npi_url)
    bar = st.progress(0.0, text="Checking...")
    for done, check in enumerate(check_npis(todo, registry, checklist, dt.date.today()), 1):
        if check.changes:
            source = check.verification.source if check.verification else "registry"
            outcome = save_changes(d.store, d.list_name, {check.clinic_id: check.changes},
                                   versions, d.who, source)  # fmt: skip
            show_outcome(outcome)
        if check.verification is None:
            say("error", "{}: {}", check.clinic_id, check.summary)
        else:
            say("write", "{}: {}", check.clinic_id, check.summary)
        bar.progress(done / len(todo), text=f"Checked {done} of {len(todo)}")
    snapshot(d.store, d.list_name, refresh=True)


def coordinates_section(d: Desk) -> None:
    """Fill in coordinates (offline centroids, or the online geocoder when it is switched on)."""
    st.subheader("Coordinates")
    cells, _ = snapshot(d.store, d.list_name)
    missing = missing_coordinates(cells)
    geocoder = state.online_geocoder(d.config)
    how = (
        "the online geocoder (each address once, cached)"
        if geocoder
        else "offline ZIP and city centres"
    )
    say("write", "{} clinic(s) have no coordinates; they can be filled from {}.", len(missing), how)
    if missing.empty or not st.button("Fill in coordinates", key="w.curate.locate"):
        return
    bar = st.progress(0.0, text="Locating...")

    def progress(done: int, total: int, clinic: str) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"Located {done} of {total} {clinic}")

    result = fill_coordinates(d.store, d.list_name, state.gazetteer(), geocoder, d.who, progress)
    for notice in result.notices:
        say("warning", "{}", notice)
    snapshot(d.store, d.list_name, refresh=True)
    show_outcome(result.outcome, "Located")
    if not result.outcome.refused:
        say("success", "Saved coordinates for {} clinic(s).", result.located)


def render() -> None:
    with desk("Checks", "For advocates: check NPIs and fill in coordinates.") as d:
        if d is not None:
            npi_section(d)
            coordinates_section(d)


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
