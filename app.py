"""Ketamine Clinic Compare: the browser face. Navigation and the shared sidebar only."""

import streamlit as st

from ui import sidebar

st.set_page_config(page_title="Ketamine Clinic Compare", page_icon=":hospital:", layout="wide")
PAGES = [
    st.Page(
        "ui/find.py", title="Find clinics", url_path="find", default=True, icon=":material/search:"
    ),
    st.Page(
        "ui/detail.py", title="Clinic detail", url_path="clinic", icon=":material/local_hospital:"
    ),
    st.Page("ui/compare.py", title="Compare", url_path="compare", icon=":material/compare_arrows:"),
    st.Page(
        "ui/shortlist.py", title="Shortlist", url_path="shortlist", icon=":material/checklist:"
    ),
    st.Page("ui/method.py", title="Method", url_path="method", icon=":material/menu_book:"),
]
page = st.navigation(PAGES)
sidebar.render()
page.run()
