"""Spreadsheet-formula neutralising for every CSV the product writes, and its exact inverse.

A text cell that a spreadsheet would run as a formula (it starts, possibly after white space,
with `=`, `+`, `-`, `@`, or their full-width and small forms, or starts with a tab, CR or LF) is
written with a leading apostrophe. Reading our own file back removes exactly that apostrophe,
so export then import returns the original text.

Quoting a cell does not keep it whole in every spreadsheet: one whose list separator is `;`,
tab or `|` reads our comma-separated file with that separator, and quotes only count at the
start of a field, so it cuts a cell at every such separator (and at every line break) and
starts a new cell there. (Commas are safe: a spreadsheet that splits at commas reads quotes.)
Inside a cell, such a separator or line break followed (after white space and quotes) by a
trigger therefore gets an apostrophe right after it too, and the reader removes exactly those
apostrophes again: `x;=cmd` is written `x;'=cmd` and read back as `x;=cmd`.
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
# Where a spreadsheet may start a new cell inside one of ours: the list separators other than
# the comma (semicolon, tab, bar) and line breaks. A spreadsheet that splits at commas reads
# our quotes, so a comma inside a quoted cell never starts a cell.
SEPARATORS = ";|\t\r\n"
# White space that is not itself a separator (the run after a separator stops at the next one,
# so that each separator's guard depends only on the text up to the next separator).
_INLINE_WHITESPACE = (
    "\x0b\x0c\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
_TRIGGER_CLASS = re.escape(TRIGGERS)
# Leading apostrophes are part of the pattern so that text which already starts with an
# apostrophe before a trigger is guarded too; that is what makes the guard reversible.
NEEDS_GUARD = re.compile(f"^'*(?:[\t\r\n]|[{WHITESPACE}]*[{_TRIGGER_CLASS}])")
# A separator inside a cell followed by what would start a formula in the cell it begins
# (quotes included: a cell that starts with a quote is read as quoted). The same apostrophe
# rule as at the start: existing apostrophes belong to the match, so the guard is reversible.
_SEPARATOR_CLASS = SEPARATORS  # no character in it is special inside [...]
_AFTER = f"'*[{_INLINE_WHITESPACE}\"]*[{_TRIGGER_CLASS}]"
INNER_NEEDS_GUARD = re.compile(f"([{_SEPARATOR_CLASS}])({_AFTER})")
INNER_GUARDED = re.compile(f"([{_SEPARATOR_CLASS}]){GUARD}({_AFTER})")
# The same without groups, for the fast whole-column scans.
_INNER_SCAN = f"[{_SEPARATOR_CLASS}]{_AFTER}"
_GUARDED_SCAN = f"[{_SEPARATOR_CLASS}]{GUARD}{_AFTER}"
_INNER_GUARD = f"\\1{GUARD}\\2"
_INNER_UNGUARD = "\\1\\2"


def needs_guard(text: str) -> bool:
    return bool(NEEDS_GUARD.match(text))


def guard_text(text: str) -> str:
    """The cell text to write for `text`."""
    text = INNER_NEEDS_GUARD.sub(_INNER_GUARD, text)
    return GUARD + text if needs_guard(text) else text


def unguard_text(text: str) -> str:
    """The original text of a cell written by `guard_text` (its steps undone in reverse)."""
    if text.startswith(GUARD) and needs_guard(text[1:]):
        text = text[1:]
    if GUARD in text:
        text = INNER_GUARDED.sub(_INNER_UNGUARD, text)
    return text


def guard_series(values: pd.Series) -> pd.Series:
    """Vectorised `guard_text` over a column of strings."""
    inner = values.str.contains(_INNER_SCAN, regex=True).fillna(False).astype(bool)
    if inner.any():
        values = values.mask(
            inner, values[inner].str.replace(INNER_NEEDS_GUARD.pattern, _INNER_GUARD, regex=True)
        )
    mask = values.str.match(NEEDS_GUARD.pattern)
    if not mask.any():
        return values
    return values.where(~mask, GUARD + values)


def unguard_series(values: pd.Series) -> pd.Series:
    """Vectorised `unguard_text` over a column of strings."""
    quoted = values.str.contains(GUARD, regex=False).fillna(False).astype(bool)
    if not quoted.any():  # the usual case, decided by one fast scan
        return values
    leading = values.str.startswith(GUARD).fillna(False).astype(bool)
    if leading.any():
        rest = values[leading].str.slice(1)
        mask = rest.str.match(NEEDS_GUARD.pattern)
        guarded = leading & mask.reindex(values.index, fill_value=False)
        values = values.mask(guarded, rest.reindex(values.index))
    inner = values.str.contains(_GUARDED_SCAN, regex=True).fillna(False).astype(bool)
    if inner.any():
        values = values.mask(
            inner, values[inner].str.replace(INNER_GUARDED.pattern, _INNER_UNGUARD, regex=True)
        )
    return values


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text columns are guarded; numeric columns stay numbers."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_string_dtype(column.dtype) or column.dtype == object:
            out[name] = guard_series(column.astype("str").fillna(""))
    return out
