"""Shortlist: the chosen clinics, the patient's notes, downloads and a share link."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from providers.directory import csv_bytes
from providers.geo import nearby
from scoring import (
    CLOSED,
    cost_texts,
    date_span,
    default_checklist,
    number_text,
    printable_html,
    shortlist_frame,
    with_cost,
)
from ui import state
from ui.share import to_params
from ui.sidebar import unit
from ui.text import plain, say

MAX_DOWNLOAD_ROWS = 50


def export_frame(ranked: pd.DataFrame, ids: tuple[str, ...], notes: dict[str, str]) -> pd.DataFrame:
    """The shortlist rows in the patient's order: the CLI's shortlist columns plus notes."""
    chosen = ranked.set_index("id").reindex(list(ids)).dropna(subset=["name"]).reset_index()
    chosen["rank"] = range(1, len(chosen) + 1)
    return shortlist_frame(chosen, default_checklist(), notes=notes)


def share_link(params: dict[str, str]) -> str:
    base = (st.context.url or "").split("?")[0]
    query = urlencode(params)
    return f"{base}?{query}" if query else base


def render() -> None:
    d = state.page("Your shortlist")
    if d is None:
        return
    c = state.choices()
    place = state.place()
    # Every shortlisted clinic stays listed whatever the must-haves; only they are gathered.
    ranked = d.ranked(replace(c, must_haves=()), located=place is not None, ids=c.shortlist)
    if place is not None:
        ranked = nearby(ranked, place, radius_km=None)
    ids = tuple(i for i in c.shortlist if i in set(ranked["id"]))[:MAX_DOWNLOAD_ROWS]
    if not ids:
        st.info("Your shortlist is empty. Add clinics on the Find clinics page or a clinic's page.")
        return
    notes = dict(c.notes)
    costs = cost_texts(with_cost(ranked)).set_axis(ranked["id"])
    for clinic_id in ids:
        row = ranked[ranked["id"] == clinic_id].iloc[0]
        with st.container(border=True):
            st.subheader(plain(row["name"]))
            st.write(
                f"Overall {number_text(row['overall'])}/100 - "
                f"{number_text(row['completeness'])}% of items known - "
                f"{plain(row['city']) or 'city unknown'} - "
                f"first-year cost (estimate) {plain(costs[clinic_id])}"
            )
            if row["status"] in (CLOSED, "temporarily closed"):
                say("warning", "Listed as {}.", row["status"])
            notes[clinic_id] = st.text_area(
                "My notes",
                key=state.seed(f"w.note.{clinic_id}", notes.get(clinic_id, "")),
                max_chars=2000,
            )
            if st.button("Remove", key=f"w.remove.{clinic_id}"):
                state.set_shortlist(tuple(i for i in c.shortlist if i != clinic_id))
                st.rerun()
    state.update(notes=notes)
    frame = export_frame(ranked, ids, notes)
    st.subheader("Take it with you")
    left, right = st.columns(2)
    left.download_button(
        "Download CSV",
        csv_bytes(frame),
        file_name="ketamine-clinic-shortlist.csv",
        mime="text/csv",
        key="w.download_csv",
    )
    span = date_span(frame["last_verified"])
    data_note = (
        f"From {d.label}; evidence checked {span}. " if span else f"From {d.label}. "
    ) + f"Rubric version {default_checklist().version}; exported {dt.date.today().isoformat()}."
    right.download_button(
        "Download printable page",
        printable_html(frame, notes, "My ketamine clinic shortlist", data_note, unit(place)).encode(
            "utf-8"
        ),
        file_name="ketamine-clinic-shortlist.html",
        mime="text/html",
        key="w.download_html",
    )
    st.subheader("Share")
    link = share_link(to_params(c))
    st.code(link, language=None, wrap_lines=True)  # no sideways scrolling on a phone
    st.caption(
        "The link restores your weights, filters, shortlist and selected clinic. Your notes "
        "are never put in it; your place only if you ticked the box on the Find page."
    )


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
