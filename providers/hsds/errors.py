"""The one error of the HSDS exchange: input that cannot be read as a package at all."""

from __future__ import annotations

from scoring.errors import ClinicCompareError


class HsdsError(ClinicCompareError):
    """The HSDS package cannot be read or written at all (the message says why and what to
    do). Problems with parts of a package are reported as values instead."""

    summary = "cannot use the HSDS package"
