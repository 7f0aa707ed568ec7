"""Finding the same clinic twice, and merging two records of it.

Two records are the same clinic when they share an NPI, or when their names are similar
(rapidfuzz token-set ratio) and they share a postal code or a phone number. Candidate pairs
come from joins on those keys, so the fuzzy comparison runs only on the few pairs that could
match, never on every pair.

A merge keeps, criterion by criterion, the evidence that was verified most recently, and
fills the kept record's blank facts from the other one; the result is a set of field changes
that the workspace saves (and logs) like any edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz

from providers.directory import Schema, default_schema, unguard_text

NAME_THRESHOLD = 88.0
_NOISE = re.compile(r"\b(?:the|llc|inc|pllc|pc|ltd|clinic|center|centre|of|and)\b|[^a-z0-9 ]")


@dataclass(frozen=True)
class Match:
    existing_id: str
    incoming_id: str
    reason: str
    score: float


def _name_key(names: pd.Series) -> pd.Series:
    return names.str.lower().str.replace(_NOISE.pattern, " ", regex=True).str.split().str.join(" ")


def _phone_key(phones: pd.Series) -> pd.Series:
    return phones.str.replace(r"[^0-9]", "", regex=True).str.slice(-10)


def _keys(table: pd.DataFrame) -> pd.DataFrame:
    """The matching keys of every clinic: id, NPI, postal code, phone digits, name words."""
    text = {c: table[c].astype("str") for c in ("id", "npi", "postal_code", "phone", "name")}
    return pd.DataFrame(
        {
            "id": text["id"],
            "npi": text["npi"],
            "postal": text["postal_code"],
            "phone": _phone_key(text["phone"]),
            "name": _name_key(text["name"]),
        }
    )


def find_duplicates(
    existing: pd.DataFrame, incoming: pd.DataFrame, threshold: float = NAME_THRESHOLD
) -> list[Match]:
    """Pairs (existing, incoming) that look like the same clinic, best evidence first."""
    left, right = _keys(existing), _keys(incoming)
    found: dict[tuple[str, str], Match] = {}
    same_npi = left[left["npi"] != ""].merge(right[right["npi"] != ""], on="npi")
    for row in same_npi.itertuples(index=False):
        found[(row.id_x, row.id_y)] = Match(row.id_x, row.id_y, f"same NPI {row.npi}", 100.0)
    for key, label in (("postal", "postal code"), ("phone", "phone")):
        pairs = left[left[key].str.len() >= 5].merge(right[right[key].str.len() >= 5], on=key)
        for row in pairs.itertuples(index=False):
            if (row.id_x, row.id_y) in found:
                continue
            score = fuzz.token_set_ratio(row.name_x, row.name_y)
            if score >= threshold:
                value = getattr(row, key)
                reason = f"similar name ({score:.0f}%) and same {label} {value}"
                found[(row.id_x, row.id_y)] = Match(row.id_x, row.id_y, reason, float(score))
    return sorted(found.values(), key=lambda m: (-m.score, m.existing_id, m.incoming_id))


def merge_changes(
    kept: pd.Series, other: pd.Series, schema: Schema | None = None
) -> dict[str, str]:
    """Field changes that turn `kept` into the merged record.

    Both are rows of stored cells (`WorkspaceStore.cells` / `text_cells`); the changes are plain
    text, ready for `WorkspaceStore.save_clinic`.

    Per criterion the evidence (its items, source and date) comes from whichever record was
    verified more recently; other blank fields of `kept` are filled from `other`.
    """
    schema = schema or default_schema()
    changes: dict[str, str] = {}
    evidence_columns: set[str] = set()
    for criterion in schema.checklist.criteria:
        columns = [i.column for i in criterion.items if i.kind == "tristate"]
        columns += [criterion.source_column, criterion.verified_column]
        evidence_columns.update(columns)
        mine, theirs = str(kept[criterion.verified_column]), str(other[criterion.verified_column])
        if theirs and (not mine or theirs > mine):  # ISO dates compare as text
            changes.update({c: str(other[c]) for c in columns if str(other[c]) != str(kept[c])})
    for name in schema.names:
        if name in evidence_columns or name == "id":
            continue
        if not str(kept[name]) and str(other[name]):
            changes[name] = str(other[name])
    return {name: unguard_text(value) for name, value in changes.items()}
