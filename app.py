"""Ketamine Clinic Compare: the browser face. Navigation, the shared sidebar, and the one place
where a failure meant for a person becomes an error box instead of a traceback."""

import streamlit as st

from scoring import ClinicCompareError
from ui import sidebar
from ui.text import say

st.set_page_config(page_title="Ketamine Clinic Compare", page_icon=":hospital:", layout="wide")
# (script, title, URL path, icon) per page, by section; the first page is the default.
SECTIONS = {
    "Compare clinics": [
        ("ui/find.py", "Find clinics", "find", "search"),
        ("ui/detail.py", "Clinic detail", "clinic", "local_hospital"),
        ("ui/compare.py", "Compare", "compare", "compare_arrows"),
        ("ui/shortlist.py", "Shortlist", "shortlist", "checklist"),
        ("ui/method.py", "Method", "method", "menu_book"),
    ],
    "For advocates": [
        ("ui/advocates/lists.py", "Lists and import", "lists", "playlist_add"),
        ("ui/advocates/clinics.py", "Clinics", "clinics", "edit_note"),
        ("ui/advocates/checks.py", "Checks", "checks", "fact_check"),
        ("ui/advocates/history.py", "History", "history", "history"),
        ("ui/advocates/publish.py", "Publish", "publish", "publish"),
    ],
}
PAGES = {
    section: [
        st.Page(script, title=t, url_path=url, icon=f":material/{icon}:", default=url == "find")
        for script, t, url, icon in pages
    ]
    for section, pages in SECTIONS.items()
}
page = st.navigation(PAGES)
sidebar.render()
try:
    page.run()
except ClinicCompareError as exc:  # every failure raised on purpose, shown the same way
    say("error", "{}", exc)
