"""Ketamine Clinic Compare: the browser face. Navigation only; pages live in `ui/`."""

import streamlit as st

from ui import find, method

st.set_page_config(page_title="Ketamine Clinic Compare", page_icon=":hospital:", layout="wide")
page = st.navigation(
    [
        st.Page(find.render, title="Find clinics", url_path="find", default=True),
        st.Page(method.render, title="Method", url_path="method"),
    ]
)
page.run()
