"""Patients' problem reports ("Something wrong or out of date?"): checked, rate-limited, listed.

A report names a clinic, what is wrong (a field a patient can see, a checklist item, "closed"
or "other") and a plain-text description; an e-mail address only when the patient chose to give
one. Nothing else about the reporter is kept. Limits per page session, per clinic and for the
whole workspace keep a flood from burying the advocates' queue.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

from providers.curation.cells import WorkspaceError
from providers.curation.store import WorkspaceStore
from providers.directory import Schema, unguard_series
from scoring.checklist import Checklist
from scoring.errors import ClinicCompareError

CLOSED, OTHER = "closed", "other"
HOUR = dt.timedelta(hours=1)
MAX_EMAIL = 254  # the longest address SMTP can carry

# The directory's facts a patient sees, with the words a patient would use (in schema order
# when offered). Coordinates, ids, currency and evidence columns are the advocates' business.
PATIENT_FIELDS = {
    "name": "Clinic name",
    "address": "Street address",
    "city": "City",
    "region": "State or province",
    "postal_code": "ZIP or postal code",
    "phone": "Phone number",
    "website": "Website",
    "routes": "How ketamine is given (IV, IM, nasal, oral)",
    "telehealth": "Telehealth or at-home care",
    "conditions": "Conditions treated",
    "price_per_session": "Price per session",
    "free_consultation": "Free first consultation",
    "accepts_insurance": "Accepts insurance",
    "reviews_rating": "Patient rating",
    "reviews_count": "Number of reviews",
}


class ReportRefused(ClinicCompareError):
    """A problem report was not stored; the message tells the patient why and what to do."""

    summary = "report not sent"


@dataclass(frozen=True)
class ReportLimits:
    """How much one report may say, and how many may arrive (per page session, per hour)."""

    max_description: int = 1000
    per_session: int = 3
    per_clinic_per_hour: int = 5
    global_per_hour: int = 100


def report_fields(checklist: Checklist, schema: Schema) -> dict[str, str]:
    """What a patient may say is wrong, field value -> label, in the order a form shows them."""
    fields = {CLOSED: "The clinic has closed"}
    fields |= {name: PATIENT_FIELDS[name] for name in schema.names if name in PATIENT_FIELDS}
    for criterion in checklist.criteria:
        for item in criterion.items:
            if item.column in schema.names:  # a rating item reads the review columns instead
                fields[item.column] = f"{criterion.label}: {item.label}"
    fields[OTHER] = "Something else"
    return fields


def clean_description(text: str) -> str:
    """The description as stored: control characters (but line breaks) removed, then stripped."""
    # Also invisible format characters (a right-to-left override can disguise the text).
    kept = (c for c in text if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf", "Cs"))
    return "".join(kept).strip()


def _email(text: str | None) -> str | None:
    """The address as stored, None when none was given, or `ReportRefused` if it is not one."""
    address = (text or "").strip()
    if not address:
        return None
    local, at, domain = address.partition("@")
    odd = any(c.isspace() or unicodedata.category(c).startswith("C") for c in address)
    labels = domain.split(".")
    if len(address) > MAX_EMAIL or not at or "@" in domain or not local or odd:
        raise ReportRefused("That e-mail address does not look right; check it or leave it out")
    if len(labels) < 2 or not all(labels):
        raise ReportRefused("That e-mail address does not look right; check it or leave it out")
    return address


def submit_report(
    store: WorkspaceStore,
    list_name: str,
    clinic_id: str,
    field: str,
    description: str,
    contact_email: str | None,
    *,
    session_count: int,
    now: dt.datetime,
    limits: ReportLimits = ReportLimits(),
    allowed_fields: Collection[str],
) -> int:
    """Check a patient's report, apply the rate limits, store it; the report's id.

    Every refusal is a `ReportRefused` with a message for the patient, and nothing is stored.
    `session_count` is how many reports this page session has sent already.
    """
    text = clean_description(description)
    if not text:
        raise ReportRefused("Please say what is wrong or out of date")
    if len(text) > limits.max_description:
        raise ReportRefused(
            f"Please keep the description to {limits.max_description} characters "
            f"(it has {len(text)})"
        )
    if field not in allowed_fields:
        raise ReportRefused("Please choose what is wrong from the list")
    address = _email(contact_email)
    try:
        _, versions = store.cells(list_name)
    except WorkspaceError:
        raise ReportRefused(f"The list '{list_name}' is not available; reload the page") from None
    if clinic_id not in versions:
        raise ReportRefused("This clinic is not in the list any more; reload the page")
    if session_count >= limits.per_session:
        raise ReportRefused(
            f"This page has sent {session_count} reports already; thank you — please try "
            "again later"
        )
    hour_ago = now - HOUR
    if store.count_reports_since(list_name, clinic_id, hour_ago) >= limits.per_clinic_per_hour:
        raise ReportRefused(
            "This clinic has had many reports in the last hour; the advocates will look at "
            "them — please try again in an hour"
        )
    if store.count_reports_since(list_name, None, hour_ago) >= limits.global_per_hour:
        raise ReportRefused("Too many reports are arriving right now; please try again in an hour")
    return store.add_report(list_name, clinic_id, field, text, address, now)


def report_details(
    store: WorkspaceStore, list_name: str, checklist: Checklist, status: str | None = "open"
) -> pd.DataFrame:
    """A list's reports (one status, None for all; newest first) with what an advocate needs
    beside each: clinic_name, field_label, current_value and evidence_date.

    current_value is the clinic's text cell for the field as typed (unguarded), "" for
    "closed"/"other"; evidence_date is the check date of the item's criterion, "" otherwise.
    """
    found = store.reports(list_name, status)
    cells, _ = store.cells(list_name)
    labels = report_fields(checklist, store.schema)
    evidence = {
        item.column: c.verified_column
        for c in checklist.criteria
        for item in c.items
        if item.column in cells.columns and c.verified_column in cells.columns
    }
    clinics = cells[cells["id"].isin(found["clinic_id"])].apply(unguard_series)
    long = clinics.melt(id_vars="id", var_name="_field", value_name="_value")
    out = found.assign(
        field_label=found["field"].map(labels).fillna(found["field"]).astype("str"),
        _evidence=found["field"].map(evidence),
    )
    out = out.merge(
        clinics[["id", "name"]].rename(columns={"id": "clinic_id", "name": "clinic_name"}),
        on="clinic_id",
        how="left",
    )
    out = out.merge(
        long.rename(columns={"id": "clinic_id", "_field": "field", "_value": "current_value"}),
        on=["clinic_id", "field"],
        how="left",
    )
    out = out.merge(
        long.rename(columns={"id": "clinic_id", "_field": "_evidence", "_value": "evidence_date"}),
        on=["clinic_id", "_evidence"],
        how="left",
    )
    for name in ("clinic_name", "current_value", "evidence_date"):
        out[name] = out[name].fillna("").astype("str")
    return out.drop(columns="_evidence")


def open_reports(store: WorkspaceStore, list_name: str, checklist: Checklist) -> pd.DataFrame:
    """The open reports of a list, newest first, with their clinic and field in context."""
    return report_details(store, list_name, checklist, "open")
