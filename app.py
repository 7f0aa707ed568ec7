"""Ketamine Clinic Compare: the browser face. Navigation, the shared sidebar, and the one place
where a failure meant for a person becomes an error box instead of a traceback."""

import streamlit as st

from scoring import ClinicCompareError
from ui import sidebar, state
from ui.advocates import gate
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
        ("ui/advocates/reports.py", "Reports", "reports", "flag"),
    ],
}
# What a visitor who may not curate gets instead of the advocates' pages (see ui/advocates/gate).
SIGN_IN = [("ui/advocates/signin.py", "Sign in", "advocates", "login")]
if problem := state.settings_problem():
    say("error", "Configuration problem: {}", problem)
# Curation pages are registered only for a visitor who may curate: any other visitor typing
# their address gets "page not found", and their scripts never run.
may_curate = gate.access(state.settings()).can_curate
PAGES = {
    section: [
        st.Page(script, title=t, url_path=url, icon=f":material/{icon}:", default=url == "find")
        for script, t, url, icon in (pages if may_curate or section != "For advocates" else SIGN_IN)
    ]
    for section, pages in SECTIONS.items()
}
page = st.navigation(PAGES)
# The Find page shows the weights on the page itself (a phone hides the sidebar).
find_page = PAGES["Compare clinics"][0]
sidebar.render(with_weights=page is not find_page)
try:
    page.run()
except ClinicCompareError as exc:  # every failure raised on purpose, shown the same way
    say("error", "{}", exc)
