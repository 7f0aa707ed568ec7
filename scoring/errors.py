"""The one error base of the product: every error raised on purpose derives from it.

Its message is written for a person (what happened, what to do). The faces catch
`ClinicCompareError` in one place: `cli.main` turns it into a message and an exit code, `app.py`
into an error box. Low-level failures (sqlite3, geopy, requests, ValueError) are wrapped into a
subclass at the boundary where they happen, so nothing else has to know about them.
"""

from __future__ import annotations

from typing import Literal

Severity = Literal["error", "warning"]


class ClinicCompareError(Exception):
    """A failure a person can act on; `str(error)` says what happened and what to do."""

    #: The CLI's exit code for this kind of failure: 1 data errors, 2 usage errors.
    exit_code: int = 1
    #: What kind of failure, as the start of a message ("cannot read the directory: ...").
    summary: str = "error"


class UsageError(ClinicCompareError):
    """What was asked for cannot be done as asked (bad option, weight, place, setting)."""

    exit_code = 2


class SavedShortlistError(ClinicCompareError, ValueError):
    """A saved-shortlist file that cannot be opened; the message says what is wrong with it."""

    summary = "cannot open the saved shortlist"
