"""'Something wrong or out of date?': a patient tells a published list's curators.

Only a published list takes reports (they go to its workspace). The form asks what is wrong, a
description, and an e-mail address only when the patient ticks that they may be contacted.
Nothing else about the patient is stored (never their place). Session key `report.sent`
(how many this session has sent, for the per-session limit) is owned here.
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
from ui.text import say

SENT = "report.sent"
LIMITS = ReportLimits()


def report_form(d: Directory, clinic: pd.Series, key: str, only: tuple[str, ...] = ()) -> None:
    """The report form for one clinic; `only` narrows the choice of what is wrong (e.g. to one
    criterion's items), keeping 'closed' and 'something else'."""
    if d.published is None:
        return
    fields = report_fields(default_checklist(), default_schema())
    if only:
        fields = {k: v for k, v in fields.items() if k in only or k in ("closed", "other")}
    with st.form(f"w.report.{key}", clear_on_submit=True, border=False):
        field = st.selectbox("What is wrong?", list(fields), format_func=fields.__getitem__)
        text = st.text_area(
            "What should it say instead, or what did you find?",
            max_chars=LIMITS.max_description,
            placeholder="e.g. The price went up to $600 in March; their site says so.",
        )
        contact = st.checkbox("You may contact me about this report")
        email = st.text_input("E-mail (only if you ticked the box above)", max_chars=254)
        sent = st.form_submit_button("Send to the list's curators")
    if sent:
        send(d, str(clinic["id"]), field, text, email if contact else None, fields)


def send(d: Directory, clinic_id: str, field: str, text: str, email: str | None,
         fields: dict[str, str]) -> None:  # fmt: skip
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
        return
    except ClinicCompareError as exc:
        say("error", "Not sent: {}", exc)
        return
    st.session_state[SENT] = count + 1
    say("success", "Thank you: the curators of {} will look at it.{}", d.published.list_name,
        "" if email else " (No e-mail address was kept.)")  # fmt: skip
