"""'Something wrong or out of date?': a patient tells a published list's curators.

Only a published list takes reports (they go to its workspace). The form asks what is wrong, a
description, and an e-mail address only when the patient ticks that they may be contacted.
Nothing else about the patient is stored (never their place). Session keys owned here:
`report.sent` (how many this page session has sent, for the per-session limit) and
`report.thanks` (the thank-you shown once after a report is stored).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from providers.curation import (
    ReportLimits,
    ReportRefused,
    open_workspace,
    report_fields,
    submit_report,
)
from providers.directory import default_schema
from scoring import ClinicCompareError, default_checklist
from ui.state import Directory
from ui.text import fill, say

SENT = "report.sent"
THANKS = "report.thanks"
LIMITS = ReportLimits()


def report_form(d: Directory, clinic: pd.Series, key: str, only: tuple[str, ...] = ()) -> None:
    """The report form for one clinic; `only` narrows the choice of what is wrong (e.g. to one
    criterion's items), keeping 'closed' and 'something else'."""
    if d.published is None:
        return
    fields = report_fields(default_checklist(), default_schema())
    if only:
        fields = {k: v for k, v in fields.items() if k in only or k in ("closed", "other")}
    form = f"w.report.{key}"
    # Not cleared on submit: a refused report (a typo in the address, a limit) keeps its text.
    with st.form(form, border=False):
        field = st.selectbox("What is wrong?", list(fields), format_func=fields.__getitem__,
                             key=f"{form}.field")  # fmt: skip
        text = st.text_area(
            "What should it say instead, or what did you find?",
            max_chars=LIMITS.max_description,
            placeholder="e.g. The price went up to $600 in March; their site says so.",
            key=f"{form}.text",
        )
        contact = st.checkbox("You may contact me about this report", key=f"{form}.contact")
        email = st.text_input("E-mail (only if you ticked the box above)", max_chars=254,
                              key=f"{form}.email")  # fmt: skip
        sent = st.form_submit_button("Send to the list's curators")
    if sent and send(d, str(clinic["id"]), field, text, email if contact else None, fields):
        for part in ("text", "contact", "email"):  # a stored report empties its form
            st.session_state.pop(f"{form}.{part}", None)
        st.rerun()


def thanks() -> None:
    """The thank-you for the report just stored, shown once at the top of the page."""
    if message := st.session_state.pop(THANKS, None):
        st.success(message)


def send(d: Directory, clinic_id: str, field: str, text: str, email: str | None,
         fields: dict[str, str]) -> bool:  # fmt: skip
    """Store the report (True), or say why not (False)."""
    assert d.published is not None
    count = int(st.session_state.get(SENT, 0))
    try:
        with open_workspace(d.published.workspace) as store:
            submit_report(
                store, d.published.list_name, clinic_id, field, text, email,
                session_count=count, now=dt.datetime.now(dt.UTC), limits=LIMITS,
                allowed_fields=fields,
            )  # fmt: skip
    except ReportRefused as exc:
        say("warning", "Not sent: {}.", exc)
        return False
    except ClinicCompareError as exc:
        say("error", "Not sent: {}", exc)
        return False
    st.session_state[SENT] = count + 1
    st.session_state[THANKS] = fill(
        "Thank you: the curators of {} will look at it.{}", d.published.list_name,
        "" if email else " (No e-mail address was kept.)",
    )  # fmt: skip
    return True
