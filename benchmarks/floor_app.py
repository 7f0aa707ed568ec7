"""Streamlit's own floor for the load benchmark: a title, a text box and a 25-row table.

`bench_load` serves this beside the app in the same run, so the time until a table is visible
and the resident memory of one session can be read against what Streamlit itself costs here.
"""

import pandas as pd
import streamlit as st

st.title("Find ketamine clinics")
st.text_input("Where are you?")
st.dataframe(
    pd.DataFrame({"Clinic": [f"Clinic {i}" for i in range(25)], "Score": range(100, 75, -1)}),
    hide_index=True,
)
