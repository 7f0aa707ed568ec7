"""Reports (for advocates): problems patients reported on a published list, newest first;
resolve one (with a note and the change that fixed it) or dismiss it (with a reason)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from providers.curation import open_reports
from scoring import default_checklist
from ui.advocates.common import Desk, act, desk, focus_clinic
from ui.text import say

SHOWN = 30  # reports drawn per page run; the rest wait (and the CLI lists them all)


def _fixes(d: Desk, clinic_id: str, since: str) -> dict[int | None, str]:
    """Changes to the clinic made since the report, to link a resolution to."""
    log = d.store.history(d.list_name, clinic_id)
    recent = log[log["at"].astype(str) >= since].iloc[::-1]
    choices: dict[int | None, str] = {None: "No change needed (or made elsewhere)"}
    for change in recent.itertuples():  # option labels are plain text, never Markdown
        choices[int(change.id)] = f"#{change.id} {change.field}: {change.new_value} by {change.who}"
    return choices


def report_card(d: Desk, report: pd.Series) -> None:
    rid = int(report["id"])
    with st.container(border=True):
        say("markdown", "**{}** ({}): {}", report["clinic_name"] or report["clinic_id"],
            report["clinic_id"], report["field_label"])  # fmt: skip
        say("caption", "Reported {}. In the list now (patients see it once published): {}; "
            "evidence checked: {}.",
            str(report["created_at"])[:10], report["current_value"] or "(blank)",
            report["evidence_date"] or "no date")  # fmt: skip
        st.text(report["description"])  # plain text: never Markdown, never HTML
        if report["contact_email"]:  # as text, so that it copies exactly
            st.text(f"The reader agreed to be contacted at {report['contact_email']}")
        edit, resolve, dismiss = st.columns(3)
        if edit.button("Edit this clinic", key=f"w.report.edit.{rid}"):
            focus_clinic(d.list_name, str(report["clinic_id"]))
            st.switch_page("ui/advocates/clinics.py")
        with resolve.popover("Resolve"):
            fixes = _fixes(d, str(report["clinic_id"]), str(report["created_at"]))
            fix = st.selectbox(
                "The change that fixed it", list(fixes), format_func=fixes.__getitem__,
                key=f"w.report.fix.{rid}",
            )  # fmt: skip
            note = st.text_input("Note", key=f"w.report.note.{rid}", max_chars=500)
            if st.button("Resolve", key=f"w.report.resolve.{rid}", type="primary"):
                act(d, lambda: d.store.close_report(d.list_name, rid, "resolved", d.who, note, fix),
                    "Report {} resolved. Publish the list (Publish page) so that patients see "
                    "the fix.", rid)  # fmt: skip
        with dismiss.popover("Dismiss"):
            reason = st.text_input("Reason", key=f"w.report.reason.{rid}", max_chars=500)
            if st.button("Dismiss", key=f"w.report.dismiss.{rid}"):
                act(d, lambda: d.store.close_report(d.list_name, rid, "dismissed", d.who, reason),
                    "Report {} dismissed.", rid)  # fmt: skip


def reports_section(d: Desk) -> None:
    reports = open_reports(d.store, d.list_name, default_checklist())
    if reports.empty:
        say("success", "No open reports for {}.", d.list_name)
        return
    say("write", "{} open report(s), newest first.", len(reports))
    for _, report in reports.head(SHOWN).iterrows():
        report_card(d, report)
    if len(reports) > SHOWN:
        say("caption", "{} more are not shown; `clinic-compare reports` lists them all.",
            len(reports) - SHOWN)  # fmt: skip


def render() -> None:
    with desk("Reports", "For advocates: problems readers reported on the published list.") as d:
        if d is not None:
            reports_section(d)


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
