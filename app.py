"""Ketamine Clinic Compare: the browser face. Navigation and the shared sidebar only."""

import streamlit as st

from ui import sidebar

st.set_page_config(page_title="Ketamine Clinic Compare", page_icon=":hospital:", layout="wide")
Page = st.Page
PAGES = {
    "Compare clinics": [
        Page(
            "ui/find.py",
            title="Find clinics",
            url_path="find",
            default=True,
            icon=":material/search:",
        ),
        Page(
            "ui/detail.py",
            title="Clinic detail",
            url_path="clinic",
            icon=":material/local_hospital:",
        ),
        Page(
            "ui/compare.py", title="Compare", url_path="compare", icon=":material/compare_arrows:"
        ),
        Page(
            "ui/shortlist.py", title="Shortlist", url_path="shortlist", icon=":material/checklist:"
        ),
        Page("ui/method.py", title="Method", url_path="method", icon=":material/menu_book:"),
    ],
    "For advocates": [
        Page("ui/curate.py", title="Curate lists", url_path="curate", icon=":material/edit_note:"),
    ],
}
page = st.navigation(PAGES)
sidebar.render()
page.run()
