"""The HSDS 3.0 tabular profile, read from the vendored specification file.

Table names, file names, field order, required fields and foreign keys all come from
`data/datapackage.json` (Open Referral, CC BY-SA 4.0; see `data/NOTICE.md`), so what we
write and what we expect to read is the specification's, not a copy typed out here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

DATAPACKAGE = "datapackage.json"

# Where a nested object of the JSON form belongs: property name -> table (resource) name.
# Read off the specification's JSON Schemas (schema/*.json `$ref`s) and the compiled
# organization, which nests its services.
NESTED: dict[str, str] = {
    "organization": "organization",
    "services": "service",
    "program": "program",
    "programs": "program",
    "locations": "location",
    "location": "location",
    "service_at_locations": "service_at_location",
    "phones": "phone",
    "contacts": "contact",
    "addresses": "address",
    "schedules": "schedule",
    "funding": "funding",
    "service_areas": "service_area",
    "required_documents": "required_document",
    "languages": "language",
    "accessibility": "accessibility",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy",
    "metadata": "metadata",
    "cost_options": "cost_option",
    "organization_identifiers": "organization_identifier",
    "attributes": "attribute",
}


@dataclass(frozen=True)
class Table:
    """One HSDS table: its resource name, CSV file, fields in order and constraints."""

    name: str
    path: str
    fields: tuple[str, ...]
    required: tuple[str, ...]
    numeric: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str], ...]  # (field, referenced table); always its `id`

    def empty(self, rows: int = 0) -> pd.DataFrame:
        """A table of empty text cells in the specification's field order."""
        return pd.DataFrame({f: pd.Series([""] * rows, dtype="str") for f in self.fields})


@cache
def descriptor_bytes() -> bytes:
    """The specification's datapackage.json, byte for byte."""
    return resources.files("providers.hsds").joinpath("data", DATAPACKAGE).read_bytes()


@cache
def tables() -> dict[str, Table]:
    """Every table of the specification by resource name, in the specification's order."""
    data = json.loads(descriptor_bytes())
    out: dict[str, Table] = {}
    for resource in data["resources"]:
        schema = resource["schema"]
        fields = schema["fields"]
        out[resource["name"]] = Table(
            name=resource["name"],
            path=resource["path"],
            fields=tuple(f["name"] for f in fields),
            required=tuple(f["name"] for f in fields if f.get("constraints", {}).get("required")),
            numeric=tuple(f["name"] for f in fields if f.get("type") in ("number", "integer")),
            foreign_keys=tuple(
                (fk["fields"], fk["reference"]["resource"]) for fk in schema.get("foreignKeys", [])
            ),
        )
    return out


def table(name: str) -> Table:
    return tables()[name]


def version() -> str:
    return str(json.loads(descriptor_bytes()).get("version", ""))
