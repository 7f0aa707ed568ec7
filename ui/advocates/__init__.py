"""The advocates' pages: lists and import, clinics, checks, history, publish."""
