"""The stored form of a clinic: one text cell per directory column, as a CSV file holds it.

Typed clinic tables (categories, floats, dates) become text here, free text is formula-guarded,
and a value typed by an advocate is parsed with the directory's own rules and stored in its
canonical form (so a workspace holds only what a directory file could hold).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from providers.directory import (
    FREE_TEXT_KINDS,
    NUMERIC_KINDS,
    Column,
    ColumnKind,
    Schema,
    guard_series,
    message_for,
    parser_for,
    unguard_series,
)
from scoring.errors import ClinicCompareError


class WorkspaceError(ClinicCompareError):
    """The workspace cannot be used or refused a change (the message says why and what to do)."""


# Stored formula-guarded, as a CSV file holds them: free text, and URLs (they may hold `;=`,
# which a spreadsheet using `;` as its separator would cut into a formula). The other kinds
# are canonical shapes that cannot start a formula.
GUARDED_KINDS: tuple[ColumnKind, ...] = (*FREE_TEXT_KINDS, "url")


def column_texts(column: Column, values: pd.Series) -> list[str]:
    """One typed column as stored cell texts (formula-guarded where free text or a URL)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        labels = np.array([*map(str, values.cat.categories), ""], dtype=object)
        codes = values.cat.codes.to_numpy()
        return labels[np.where(codes < 0, len(labels) - 1, codes)].tolist()
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.dt.strftime("%Y-%m-%d").fillna("").tolist()
    if column.kind in NUMERIC_KINDS:
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(numbers)
        if column.kind == "count":
            text = np.where(missing, 0, numbers).astype(np.int64).astype(str)
        else:
            text = numbers.astype(str)
        return np.where(missing, "", text).tolist()
    text = values.astype("str").fillna("")
    if column.kind in GUARDED_KINDS:
        text = guard_series(text)
    return text.tolist()


def table_texts(table: pd.DataFrame, schema: Schema) -> dict[str, list[str]]:
    """Each directory column of a validated table as a list of cell texts (what SQL binds).

    Built straight from the typed columns into Python lists, without a table of strings.
    """
    blank = [""] * len(table)
    return {
        c.name: column_texts(c, table[c.name]) if c.name in table.columns else blank
        for c in schema.columns
    }


def text_cells(table: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """The stored text cells of every clinic of a validated table."""
    return pd.DataFrame(table_texts(table, schema), index=table.index, dtype="str")


def canonical_cell(schema: Schema, field: str, value: object) -> str:
    """The stored text for a value typed into one field, or `WorkspaceError` saying why not.

    The value is parsed with the directory's rules and stored in its parsed form: an NPI typed
    with dashes or a leading tab is stored as its ten digits, never as typed.
    """
    column = schema.column(field)
    text = "" if value is None else str(value)
    parsed, bad = parser_for(column)(pd.Series([text], dtype="str"))
    if bool(np.asarray(bad)[0]):
        why = "a clinic needs a name" if column.kind == "required" else message_for(column)
        raise WorkspaceError(f"{field}: '{text[:80]}' not saved: {why}")
    if column.kind == "tristate":
        parsed = parsed.astype(pd.CategoricalDtype(["no", "unknown", "yes"], ordered=True))
    return column_texts(column, parsed)[0]


def editable(cells: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Stored cells as an editor shows them: plain (unguarded) text, numbers as numbers."""
    out = cells.apply(unguard_series)
    for column in schema.columns:
        if column.kind in NUMERIC_KINDS:
            out[column.name] = pd.to_numeric(out[column.name], errors="coerce")
    return out


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def edits_between(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, dict[str, str]]:
    """clinic id -> {field: new text} for every cell an editor changed (whole columns at once)."""
    if before.empty:
        return {}
    old = before.map(_text)
    new = after.reindex(index=before.index, columns=before.columns).map(_text)
    changed = (old != new).drop(columns=["id"], errors="ignore")
    rows, cols = np.nonzero(changed.to_numpy())
    changes: dict[str, dict[str, str]] = {}
    for r, c in zip(rows, cols, strict=True):
        name = changed.columns[c]
        changes.setdefault(str(old["id"].iloc[r]), {})[name] = new[name].iloc[r]
    return changes
