"""Spreadsheet-formula neutralising for every CSV the product writes, and its exact inverse.

A text cell that a spreadsheet would run as a formula (it starts, possibly after white space,
with `=`, `+`, `-`, `@`, or their full-width and small forms, or starts with a tab, CR or LF) is
written with a leading apostrophe. Reading our own file back removes exactly that apostrophe,
so export then import returns the original text.
"""

from __future__ import annotations

import re

import pandas as pd

# ASCII triggers, full-width (U+FF1D, U+FF0B, U+FF0D, U+FF20), small forms (U+FE66, U+FE62,
# U+FE63, U+FE6B) and the minus sign (U+2212), which some spreadsheets also treat as a sign.
TRIGGERS = "=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b\u2212"
GUARD = "'"
# Every character Python counts as white space, spelled out (rather than \s) so that the same
# pattern runs inside Arrow's regex engine on whole columns, not cell by cell in Python.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
_TRIGGER_CLASS = re.escape(TRIGGERS)
# Leading apostrophes are part of the pattern so that text which already starts with an
# apostrophe before a trigger is guarded too; that is what makes the guard reversible.
NEEDS_GUARD = re.compile(f"^'*(?:[\t\r\n]|[{WHITESPACE}]*[{_TRIGGER_CLASS}])")


def needs_guard(text: str) -> bool:
    return bool(NEEDS_GUARD.match(text))


def guard_text(text: str) -> str:
    """The cell text to write for `text`."""
    return GUARD + text if needs_guard(text) else text


def unguard_text(text: str) -> str:
    """The original text of a cell written by `guard_text`."""
    if text.startswith(GUARD) and needs_guard(text[1:]):
        return text[1:]
    return text


def guard_series(values: pd.Series) -> pd.Series:
    """Vectorised `guard_text` over a column of strings."""
    mask = values.str.match(NEEDS_GUARD.pattern)
    if not mask.any():
        return values
    return values.where(~mask, GUARD + values)


def unguard_series(values: pd.Series) -> pd.Series:
    """Vectorised `unguard_text` over a column of strings."""
    quoted = values.str.startswith(GUARD).fillna(False)
    if not quoted.any():  # the usual case, decided by one fast scan
        return values
    rest = values[quoted].str.slice(1)
    mask = rest.str.match(NEEDS_GUARD.pattern)
    guarded = quoted & mask.reindex(values.index, fill_value=False)
    return values.mask(guarded, rest.reindex(values.index))


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text columns are guarded; numeric columns stay numbers."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_string_dtype(column.dtype) or column.dtype == object:
            out[name] = guard_series(column.astype("str").fillna(""))
    return out
