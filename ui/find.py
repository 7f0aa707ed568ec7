"""Find clinics: the scored directory as a table (the full patient journey builds on this)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from scoring import default_checklist
from scoring.shortlist import shortlist_frame
from ui import state

DEMO_BANNER = (
    "You are looking at **fictional demo data**: these clinics do not exist. "
    "Load a real directory to compare real clinics."
)


def score_columns() -> dict:
    checklist = default_checklist()
    progress = {
        c.key: st.column_config.ProgressColumn(c.label, min_value=0, max_value=100, format="%.0f")
        for c in checklist.criteria
    }
    return {
        "overall": st.column_config.ProgressColumn(
            "Overall", min_value=0, max_value=100, format="%.0f"
        ),
        "completeness": st.column_config.NumberColumn("Known items %", format="%.0f"),
        "website": st.column_config.LinkColumn("Website"),
        "stale": st.column_config.CheckboxColumn("Stale evidence"),
        **progress,
    }


def render() -> None:
    st.title("Find ketamine clinics")
    result, key, is_demo = state.current_directory()
    if result is None:
        return
    if is_demo:
        st.warning(DEMO_BANNER)
    checklist = default_checklist()
    with st.sidebar:
        st.subheader("What matters to you")
        weights = tuple(
            (c.key, float(st.slider(c.label, 0, 5, 1, key=f"weight.{c.key}")))
            for c in checklist.criteria
        )
    if not any(w for _, w in weights):
        st.error("Give at least one criterion a weight above 0.")
        return
    table = state.ranked(result, key, weights, (), dt.date.today())
    shown = shortlist_frame(table, checklist)
    st.caption(
        f"{len(shown)} clinics, best overall score first. Scores are 0-100; "
        "unknown answers earn no points. See the Method page for how scores are made."
    )
    st.dataframe(
        shown.drop(columns=["questions", "rubric_version"]),
        column_config=score_columns(),
        hide_index=True,
        width="stretch",
    )
    if len(result.problems):
        with st.expander(f"{len(result.problems)} problems found while reading the directory"):
            st.dataframe(result.problems, hide_index=True, width="stretch")
