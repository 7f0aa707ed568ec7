"""Shortlist: the chosen clinics, the patient's notes, downloads, a saved file and a share link.

Nothing about the patient is stored on the server: the shortlist and notes live in the session
(and the link), and "Save my shortlist" hands them over as a small file the patient keeps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import replace
from urllib.parse import quote, urlencode

import pandas as pd
import streamlit as st

from providers.directory import csv_bytes, xlsx_bytes
from providers.geo import nearby
from scoring import (
    CLOSED,
    MAX_SAVED_BYTES,
    NOT_ADVICE,
    SavedShortlistError,
    date_span,
    default_checklist,
    known_text,
    money_text,
    number_text,
    printable_html,
    read_saved_shortlist,
    saved_shortlist_bytes,
    saved_shortlist_name,
    shortlist_frame,
    stale_text,
    tel_uri,
    weights_text,
)
from ui import state
from ui.share import to_params
from ui.sidebar import unit
from ui.text import plain, safe_url, say

MAX_DOWNLOAD_ROWS = 50
OPENER = "w.open_saved"
# The digest of the saved file last opened, so that it is applied once, not on every rerun
# while it stays in the file box (the patient then edits notes and removes clinics freely).
OPENED = "shortlist.opened"
# What opening a file did, shown once at the top of the page after the rerun that follows.
REPORT = "shortlist.report"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_frame(
    ranked: pd.DataFrame, ids: tuple[str, ...], notes: dict[str, str], question_lists: bool = False
) -> pd.DataFrame:
    """The shortlist rows in the patient's order: the CLI's shortlist columns plus notes."""
    chosen = ranked.set_index("id").reindex(list(ids)).dropna(subset=["name"]).reset_index()
    chosen["rank"] = range(1, len(chosen) + 1)
    return shortlist_frame(chosen, default_checklist(), notes=notes, question_lists=question_lists)


def share_link(params: dict[str, str]) -> str:
    base = (st.context.url or "").split("?")[0]
    query = urlencode(params)
    return f"{base}?{query}" if query else base


# A name made only of letters, digits, spaces and , . ' ( ) & / - cannot form Markdown in the
# middle of a label (no link, emphasis, code, emoji, maths or entity can start), except a bare
# www. address, which GitHub-flavoured Markdown turns into a link.
_SIMPLE_NAME = re.compile(r"[^\W_](?:[^\W_]|[ ,.'()&/-])*")


def label_name(name: object) -> str:
    """A clinic name for the middle of a widget label. Streamlit shows a label as Markdown but
    also uses it, unrendered, as the box's accessible name: a plain name is kept as it is (a
    screen reader then reads no backslashes), anything else is escaped by `plain`."""
    text = " ".join(str(name).split())
    if _SIMPLE_NAME.fullmatch(text) and "www." not in text.lower():
        return text
    return plain(text)


def link_target(url: str) -> str:
    """A link address that cannot end a Markdown link early (brackets, spaces are encoded)."""
    return quote(url, safe="/:?#[]@!$&'*+,;=%~")


def open_saved(d: state.Directory) -> None:
    """The "Open a saved shortlist" box: a file read in the core, applied once per file."""
    file = st.file_uploader(
        "Open a saved shortlist",
        type=["json"],
        key=OPENER,
        max_upload_size=max(1, MAX_SAVED_BYTES // 1_000_000),  # MB; the core checks exactly
        help="Choose a file you saved with Save my shortlist. It replaces the shortlist you "
        "have now.",
    )
    if file is None:
        st.session_state.pop(OPENED, None)
        return
    data = file.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if st.session_state.get(OPENED) == digest:
        return
    try:
        saved = read_saved_shortlist(data)
    except SavedShortlistError as exc:
        say("error", "This file cannot be opened: {}", exc)
        return
    names = d.names()
    found = tuple(i for i in saved.ids if i in names)
    missing = [c.name or c.id for c in saved.clinics if c.id not in names]
    state.set_shortlist(found)
    state.update(notes=saved.notes)
    for key in [k for k in st.session_state if str(k).startswith("w.note.")]:
        del st.session_state[key]  # re-seeded from the restored notes on the rerun
    st.session_state[OPENED] = digest
    st.session_state[REPORT] = (len(found), saved.saved_on.isoformat(), missing)
    st.rerun()


def show_report() -> None:
    """Say, once, what opening a saved file did."""
    report = st.session_state.pop(REPORT, None)
    if report is None:
        return
    count, saved_on, missing = report
    clinics = "clinic" if count == 1 else "clinics"
    say("success", "Opened your shortlist saved on {}: {} {} and your notes.", saved_on, count,
        clinics)  # fmt: skip
    if missing:
        say("warning", "{} saved {} not in this directory, so {} not shown: {}.",
            len(missing), "clinic is" if len(missing) == 1 else "clinics are",
            "it is" if len(missing) == 1 else "they are", "; ".join(missing))  # fmt: skip


def keep_section(d: state.Directory, ids: tuple[str, ...], notes: dict[str, str]) -> None:
    """Save the shortlist as a file, and open one again; nothing is kept on the server."""
    st.subheader("Keep your shortlist")
    today = dt.date.today()
    if ids:
        st.download_button(
            "Save my shortlist",
            saved_shortlist_bytes(ids, notes, d.names(), d.label, today),
            file_name=saved_shortlist_name(today),
            mime="application/json",
            key="w.download_saved",
            icon=":material/save:",
        )
    open_saved(d)
    st.caption(
        "The saved file holds your clinics and your notes. Keep it on your phone or computer "
        "and open it here next time. This app does not store your shortlist or notes on its "
        "server: they last only while this page is open."
    )


def clinic_card(row: dict, notes: dict[str, str], shortlist: tuple[str, ...]) -> None:
    """One clinic: score, what is known, prices, contact, warnings, questions and notes."""
    checklist = default_checklist()
    clinic_id = str(row["id"])
    with st.container(border=True):
        st.subheader(plain(row["name"]))
        st.write(
            f"Overall score {number_text(row['overall'])}/100 - "
            f"{plain(known_text(row['unknowns'], checklist))} - "
            f"{plain(row['city']) or 'city unknown'}"
        )
        st.write(
            f"Price per session {plain(money_text(row['price_per_session'], row['currency']))} "
            f"- first-year cost (estimate) {plain(row.get('first_year_cost', 'not listed'))}"
        )
        contact = []
        tel = tel_uri(row["phone"])
        if tel:
            contact.append(f"Phone: [{plain(row['phone'])}]({tel})")
        else:
            contact.append(f"Phone: {plain(row['phone'] or 'not listed')}")
        url = safe_url(row["website"])
        contact.append(f"[Clinic website]({link_target(url)})" if url else "Website: not listed")
        st.markdown(" - ".join(contact))
        if row["status"] in (CLOSED, "temporarily closed"):
            say("warning", "Listed as {}.", row["status"])
        stale = stale_text(row["stale_criteria"], checklist)
        if stale:
            say("warning", "{}", stale)
        asked = list(row.get("questions") or [])
        if asked:
            with st.expander(f"Questions to ask this clinic ({len(asked)})"):
                st.markdown("\n".join(f"{n}. {plain(q)}" for n, q in enumerate(asked, 1)))
        notes[clinic_id] = st.text_area(
            f"My notes on {label_name(row['name'])}",
            key=state.seed(f"w.note.{clinic_id}", notes.get(clinic_id, "")),
            max_chars=2000,
        )
        if st.button("Remove", key=f"w.remove.{clinic_id}"):
            state.set_shortlist(tuple(i for i in shortlist if i != clinic_id))
            st.rerun()


def render() -> None:
    d = state.page("Your shortlist")
    if d is None:
        return
    show_report()
    c = state.choices()
    place = state.place()
    # Every shortlisted clinic stays listed whatever the must-haves; only they are gathered.
    ranked = d.ranked(replace(c, must_haves=()), located=place is not None, ids=c.shortlist)
    if place is not None:
        ranked = nearby(ranked, place, radius_km=None)
    ids = tuple(i for i in c.shortlist if i in set(ranked["id"]))[:MAX_DOWNLOAD_ROWS]
    if not ids:
        st.info("Your shortlist is empty. Add clinics on the Find clinics page or a clinic's page.")
        keep_section(d, ids, dict(c.notes))
        return
    notes = dict(c.notes)
    for row in export_frame(ranked, ids, {}, question_lists=True).to_dict("records"):
        clinic_card(row, notes, c.shortlist)
    state.update(notes=notes)
    frame = export_frame(ranked, ids, notes)
    today = dt.date.today()
    st.subheader("Take it with you")
    left, middle, right = st.columns(3)
    left.download_button(
        "Download CSV",
        csv_bytes(frame),
        file_name="ketamine-clinic-shortlist.csv",
        mime="text/csv",
        key="w.download_csv",
    )
    middle.download_button(
        "Download spreadsheet (.xlsx)",
        xlsx_bytes(frame),
        file_name="ketamine-clinic-shortlist.xlsx",
        mime=XLSX,
        key="w.download_xlsx",
    )
    span = date_span(frame["last_verified"])
    data_note = (
        f"From {d.label}; evidence checked {span}. " if span else f"From {d.label}. "
    ) + f"Checklist version {default_checklist().version}; exported {today.isoformat()}."
    page = printable_html(
        frame,
        notes,
        "My ketamine clinic shortlist",
        data_note,
        unit(place),
        weights=dict(c.weights),
        today=today,
    )
    right.download_button(
        "Download printable page",
        page.encode("utf-8"),
        file_name="ketamine-clinic-shortlist.html",
        mime="text/html",
        key="w.download_html",
    )
    keep_section(d, ids, notes)
    st.subheader("Share")
    link = share_link(to_params(c))
    st.code(link, language=None, wrap_lines=True)  # no sideways scrolling on a phone
    st.caption(
        "The link restores your weights, filters, shortlist and selected clinic. Your notes "
        "are never put in it; your place only if you ticked the box on the Find page."
    )
    st.divider()
    say("caption", "Scores as of {}, with your weights. {}", today.isoformat(),
        weights_text(dict(c.weights)))  # fmt: skip
    say("caption", "{}", NOT_ADVICE)  # here too, not only in the sidebar a phone hides


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
