"""Streamlit pages: thin wiring between widgets and the core (`providers`, `scoring`)."""
