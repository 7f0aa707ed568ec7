"""For advocates, before curation is open: sign in, or why curation is off on this server.

This is the only advocates' page registered for a visitor who may not curate (see `app.py`),
so no curation page, form or workflow can be reached from here without signing in.
"""

from __future__ import annotations

import streamlit as st

from ui.advocates import gate
from ui.text import say


def render() -> None:
    st.title("For advocates")
    st.write(
        "Advocates build, check and publish the clinic lists patients see here. Patients do "
        "not need an account: everything on the left under *Compare clinics* is open to all."
    )
    found = gate.access()
    if found.mode == "sign-in":
        st.write("Curating lists needs a sign-in, so that every change is logged under a name.")
        if st.button("Sign in", type="primary", key="w.sign_in"):
            st.login()
    elif found.mode == "not-editor":
        say("warning", "{}", found.reason)
        if st.button("Sign out", key="w.sign_out"):
            st.logout()
    else:  # "off" (or a decision that changed since navigation was built: say it as it is)
        say("info", "{}", found.reason)


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
