"""Clinic detail: every checklist answer with its source and date, and why the score."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from scoring import (
    CLOSED,
    NOT_LISTED,
    CostSummary,
    cost_summary,
    explain,
    money_text,
    number_text,
    round_half_up,
    tel_uri,
)
from ui import state
from ui.report import report_form, thanks
from ui.text import plain, safe_url, say

STATE_LABEL = {"yes": "Yes", "no": "No", "unknown": "Unknown"}


def pick_clinic(d: state.Directory) -> pd.Series | None:
    c = state.choices()
    table = d.table
    names = d.names()
    if not names:
        st.info("The directory has no clinics.")
        return None
    on_list, results = set(c.shortlist), state.last_results()
    ids = state.patients_clinics_first(names, c.shortlist, results)
    place = {clinic: n for n, clinic in enumerate(results, start=1)}

    def label(clinic: str) -> str:
        if clinic in on_list:
            return f"{names[clinic]} (on your shortlist)"
        if clinic in place:
            return f"{names[clinic]} (result {place[clinic]})"
        return names[clinic]

    default = c.selected if c.selected in names else ids[0]
    chosen = st.selectbox(
        "Clinic",
        ids,
        format_func=label,
        key=state.seed("w.clinic", default),
        help="Your shortlist comes first, then the clinics you last saw on Find clinics.",
    )
    state.update(selected=chosen)
    return table[table["id"] == chosen].iloc[0]


def phone_link(phone: object) -> str:
    """A listed phone number as a Markdown `tel:` link (shown escaped), else plain text."""
    text = str(phone or "").strip()
    uri = tel_uri(text)
    if uri is None:
        return plain(text) if text else NOT_LISTED
    return f"[{plain(text)}]({uri})"


def chart_text(scores: pd.DataFrame) -> str:
    """The bar chart in words (its text alternative): each criterion and its score."""
    parts = [
        f"{c}: {number_text(v)}." for c, v in zip(scores["criterion"], scores["score"], strict=True)
    ]
    return " ".join(["Scores out of 100.", *parts])


def cost_section(cost: CostSummary, asked: tuple[str, ...]) -> None:
    """The facts behind the first-year estimate, and what to ask to narrow it."""
    st.subheader("What the first year may cost")
    kind = "" if cost.exact else " (a range: some prices are not listed)"
    st.write(f"Estimate: {plain(cost.text)}{kind}. It is an estimate, not a quote (see Method).")
    facts = pd.DataFrame(
        {"Cost": [f for f, _ in cost.facts], "As listed": [v for _, v in cost.facts]}
    )
    st.dataframe(facts, hide_index=True, width="stretch")
    more = [q for q in cost.questions if q not in asked]
    if more:
        st.markdown("Ask the clinic about cost:\n\n" + "\n".join(f"1. {plain(q)}" for q in more))


def render() -> None:
    d = state.page("Clinic detail")
    if d is None:
        return
    clinic = pick_clinic(d)
    if clinic is None:
        return
    c = state.choices()
    why = explain(clinic, dict(c.weights))
    st.header(plain(why.name))
    status = str(clinic.get("status", "unknown"))
    if status == CLOSED:
        st.error("This clinic is listed as closed. Check with the clinic before you contact it.")
    elif status == "temporarily closed":
        st.warning("This clinic is listed as closed for now: ask when it will open again.")
    reported = d.open_reports().get(str(clinic["id"]))
    if reported:
        say("info", "A reader reported a problem on {}; the list's curators are reviewing it.",
            reported)  # fmt: skip
    if d.published is not None:
        thanks()
        with st.popover("Something wrong or out of date?", icon=":material/flag:"):
            report_form(d, clinic, "clinic")
    where = ", ".join(
        str(clinic[k]) for k in ("address", "city", "region", "postal_code") if clinic[k]
    )
    st.markdown(
        f"- {plain(where) or 'Address not listed'}\n- Phone: {phone_link(clinic['phone'])}\n"
        f"- Status: {plain(status or 'unknown')}"
    )
    url = safe_url(clinic["website"])
    if url:
        st.link_button("Clinic website (opens in a new tab)", url)
    cost = cost_summary(clinic)
    top = st.columns(5)
    top[0].metric("Overall score", f"{number_text(why.overall)} / 100")
    top[1].metric(
        "Checklist answers known",
        f"{number_text(why.completeness)}%",
        help=f"{why.unknowns} checklist answers are unknown",
    )
    top[2].metric("Price per session", money_text(clinic["price_per_session"], clinic["currency"]))
    top[3].metric(
        "First-year cost (estimate)",
        cost.text,
        help="Consultation, the first series and boosters up to month 12, in the clinic's own "
        "currency. A range when some prices are unknown (see Method).",
    )
    shortlisted = clinic["id"] in c.shortlist
    if top[4].button(
        "Remove from shortlist" if shortlisted else "Add to shortlist", key="w.detail_toggle"
    ):
        new = (
            tuple(i for i in c.shortlist if i != clinic["id"])
            if shortlisted
            else (*c.shortlist, clinic["id"])
        )
        state.set_shortlist(new)
        st.rerun()
    scores = pd.DataFrame(
        {
            "criterion": [r.criterion.label for r in why.criteria],
            "score": round_half_up([r.score for r in why.criteria]),
        }
    )
    st.subheader("Scores by criterion")
    chart = (
        alt.Chart(scores)
        .mark_bar()
        .encode(
            y=alt.Y("criterion:N", sort=None, title=None),
            x=alt.X("score:Q", scale=alt.Scale(domain=[0, 100]), title="score (0-100)"),
            tooltip=["criterion:N", alt.Tooltip("score:Q", format=".0f")],
        )
        .properties(height=240)
    )
    st.altair_chart(chart, width="stretch", alt=chart_text(scores))
    st.caption(chart_text(scores))  # the chart's text alternative, visible to everyone
    cost_section(cost, why.questions)
    st.subheader("Patient reviews")
    if why.reviews_mean is None:
        st.write("No rating is recorded for this clinic.")
    else:
        caution = " Few reviews: use with caution." if why.few_reviews else ""
        st.write(
            f"{why.reviews_mean:.1f} stars from {why.reviews_count} reviews. The score counts "
            f"this as {number_text(why.reviews_shrunk, 'rating')}, because a few reviews count "
            f"less than many (see Method).{caution}"
        )
    st.subheader("The checklist, item by item")
    for result in why.criteria:
        verified = result.verified_on.isoformat() if result.verified_on else "no date"
        stale = " - old evidence" if result.stale else ""
        with st.expander(
            f"{result.criterion.label}: {number_text(result.score)} / 100 "
            f"(checked: {verified}{stale})"
        ):
            rows = pd.DataFrame(
                {
                    "Item": [r.item.label for r in result.items],
                    "Answer": [result.state_label(r.state) for r in result.items],
                    "Points": [f"{r.earned:g} of {r.item.points:g}" for r in result.items],
                    "Note": [r.note for r in result.items],
                }
            )
            st.dataframe(rows, hide_index=True, width="stretch")
            source = safe_url(result.source)
            if source:
                st.link_button("Evidence source", source)
            else:
                st.caption("No source recorded for this criterion.")
            if d.published is not None:
                with st.popover("Something wrong or out of date here?"):
                    items = tuple(r.item.column for r in result.items)
                    report_form(d, clinic, result.criterion.key, only=items)
    st.subheader("Questions to ask this clinic")
    if why.questions:
        st.markdown("\n".join(f"1. {plain(q)}" for q in why.questions))
    else:
        st.write("Every checklist item is answered yes.")
    with st.expander("Why this score (plain text)"):
        st.text("\n".join(why.lines()))


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
