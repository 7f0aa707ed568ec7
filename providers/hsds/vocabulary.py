"""Our own HSDS taxonomies, derived from the checklist and the directory schema.

HSDS has fields for a clinic's name, place, phone, website, identifiers and prices, but none
for a yes/no checklist, its evidence or the other facts patients compare clinics on. Those
travel as HSDS `attribute` rows whose `taxonomy_term` is one of ours:

- the checklist taxonomy (its `version` is the rubric version): one term per criterion, and
  under it one term per yes/no item and one each for the criterion's evidence URL and date;
- the clinic-details taxonomy: one term per directory column that HSDS has no field for
  (and the address parts, used only when an address is too incomplete for an HSDS address).

A term's `code` is the directory column it carries, so reading them back needs no table.
Ids are name-based UUIDs (UUID5), so every export of the same clinic and term has the same ids.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from providers.directory import Schema

# The namespace of every UUID we make (fixed forever: changing it changes every id).
NAMESPACE = uuid.UUID("368edd3c-2607-4bc5-85d2-c84c2e279a9d")
CHECKLIST_TAXONOMY = "Ketamine Clinic Compare checklist"
DETAILS_TAXONOMY = "Ketamine Clinic Compare clinic details"
# Directory columns that always have a field of HSDS's own (see `export`).
NATIVE = (
    "name",
    "latitude",
    "longitude",
    "phone",
    "website",
    "npi",
    "price_per_session",
    "currency",
)
# An HSDS address needs every one of these; a partial address travels as attributes.
ADDRESS_PARTS = ("address", "city", "region", "postal_code", "country")
# How the NPI is named in `organization_identifier` (org-id.guide lists no NPI scheme, so the
# specification asks for a human-readable `identifier_type` instead).
NPI_TYPE = "National Provider Identifier (NPI)"


def uuids(keys: pd.Series) -> pd.Series:
    """UUID5 of each key in our namespace (the same as `uuid.uuid5`, but total: a string that
    cannot be UTF-8 encoded is hashed with its surrogates kept, never refused)."""
    prefix = NAMESPACE.bytes
    values = [
        str(
            uuid.UUID(
                bytes=hashlib.sha1(
                    prefix + k.encode("utf-8", "surrogatepass"), usedforsecurity=False
                ).digest()[:16],
                version=5,
            )
        )
        for k in keys.astype("str")
    ]
    return pd.Series(values, index=keys.index, dtype="str")


def one_uuid(key: str) -> str:
    return str(uuids(pd.Series([key])).iloc[0])


def taxonomy_id(name: str) -> str:
    return one_uuid(f"taxonomy\x1f{name}")


@dataclass(frozen=True)
class Vocabulary:
    """Our taxonomies and terms for one schema (that is, one checklist)."""

    schema: Schema
    terms: pd.DataFrame  # code, name, description, parent_code, taxonomy, column

    @property
    def item_columns(self) -> tuple[str, ...]:
        return tuple(item.column for item in self.schema.checklist.tristate_items)

    @property
    def evidence_columns(self) -> tuple[str, ...]:
        checklist = self.schema.checklist
        return tuple(
            column for c in checklist.criteria for column in (c.source_column, c.verified_column)
        )

    @property
    def verified_columns(self) -> tuple[str, ...]:
        return tuple(c.verified_column for c in self.schema.checklist.criteria)

    @property
    def base_columns(self) -> tuple[str, ...]:
        """The directory columns that are not derived from the checklist."""
        derived = set(self.item_columns) | set(self.evidence_columns)
        return tuple(n for n in self.schema.names if n not in derived)

    @property
    def detail_columns(self) -> tuple[str, ...]:
        return tuple(n for n in self.base_columns if n not in NATIVE)

    @property
    def attribute_columns(self) -> tuple[str, ...]:
        """Every directory column an attribute can carry, in file order."""
        carried = set(self.terms["column"]) - {""}
        return tuple(n for n in self.schema.names if n in carried)

    def taxonomies(self) -> pd.DataFrame:
        version = self.schema.checklist.version
        return pd.DataFrame(
            {
                "id": [taxonomy_id(CHECKLIST_TAXONOMY), taxonomy_id(DETAILS_TAXONOMY)],
                "name": [CHECKLIST_TAXONOMY, DETAILS_TAXONOMY],
                "description": [
                    "The checklist Ketamine Clinic Compare scores clinics on: each criterion, "
                    "its yes / no / unknown items, and the evidence URL and date of each "
                    "criterion. The version is the checklist version.",
                    "Facts about a clinic that HSDS has no field for (treatment routes, "
                    "telehealth, conditions treated, reviews, notes), as Ketamine Clinic "
                    "Compare records them.",
                ],
                "version": [version, version],
            },
            dtype="str",
        )

    def term_frame(self) -> pd.DataFrame:
        """The `taxonomy_term` rows: ids from codes, parents resolved."""
        terms = self.terms
        ids = uuids("term\x1f" + terms["code"])
        by_code = dict(zip(terms["code"], ids, strict=True))
        parent = terms["parent_code"].map(by_code).fillna("")
        return pd.DataFrame(
            {
                "id": ids,
                "code": terms["code"],
                "name": terms["name"],
                "description": terms["description"],
                "parent_id": parent,
                "taxonomy": terms["taxonomy"],
                "language": "en",
                "taxonomy_id": terms["taxonomy"].map(taxonomy_id),
            }
        )

    def term_ids(self) -> dict[str, str]:
        """Term id by directory column."""
        frame = self.term_frame()
        carried = self.terms["column"] != ""
        return dict(zip(self.terms["column"][carried], frame["id"][carried], strict=True))


def _nonblank(values: list[str], fallback: list[str]) -> list[str]:
    """HSDS requires a term's name and description: an empty one falls back."""
    return [v.strip() or f.strip() or "-" for v, f in zip(values, fallback, strict=True)]


@cache
def vocabulary(schema: Schema) -> Vocabulary:
    checklist = schema.checklist
    rows: list[tuple[str, str, str, str, str, str]] = []
    for criterion in checklist.criteria:
        rows.append((criterion.key, criterion.label, criterion.summary, "", CHECKLIST_TAXONOMY, ""))
        for item in criterion.items:
            if item.kind == "tristate":
                rows.append(
                    (
                        item.column,
                        item.label,
                        item.evidence,
                        criterion.key,
                        CHECKLIST_TAXONOMY,
                        item.column,
                    )
                )
        for name in (criterion.source_column, criterion.verified_column):
            text = schema.column(name).description.rstrip(".")
            rows.append((name, text, text, criterion.key, CHECKLIST_TAXONOMY, name))
    derived = {r[5] for r in rows}
    for column in schema.columns:
        if column.name in derived or column.name in NATIVE:
            continue
        label = column.name.replace("_", " ").capitalize()
        rows.append((column.name, label, column.description, "", DETAILS_TAXONOMY, column.name))
    frame = pd.DataFrame(
        rows, columns=["code", "name", "description", "parent_code", "taxonomy", "column"]
    ).astype("str")
    frame["name"] = _nonblank(frame["name"].tolist(), frame["code"].tolist())
    frame["description"] = _nonblank(frame["description"].tolist(), frame["name"].tolist())
    if frame["code"].duplicated().any():
        raise ValueError("two checklist or directory columns share a name: cannot export")
    return Vocabulary(schema, frame)


def our_taxonomy_ids() -> np.ndarray:
    return np.array([taxonomy_id(CHECKLIST_TAXONOMY), taxonomy_id(DETAILS_TAXONOMY)])
