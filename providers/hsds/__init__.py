"""Open Referral HSDS 3.0: export a clinic list as an HSDS tabular package, and import one.

`export_hsds` makes the package's files (datapackage.json, the specification's own, and one
CSV per HSDS table, formula-guarded like every CSV we write); `write_hsds` writes them to a
folder or a .zip, never half-written; `read_hsds` reads a folder, a .zip or the JSON form into
an `HsdsImport`: the clinics as a validated directory (`.result`), what HSDS held that a
clinic has no place for (`.set_aside`) and problems of the package (`.problems`). Our
checklist travels as taxonomies of our own, derived from the checklist (see `vocabulary`).
"""

from providers.hsds.errors import HsdsError
from providers.hsds.export import CHANGE_COLUMNS, export_hsds, hsds_tables, write_hsds, zip_bytes
from providers.hsds.importer import SET_ASIDE_COLUMNS, HsdsImport, read_hsds
from providers.hsds.package import (
    DEFAULT_LIMITS,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    Limits,
)
from providers.hsds.vocabulary import CHECKLIST_TAXONOMY, DETAILS_TAXONOMY

__all__ = [
    "CHANGE_COLUMNS",
    "CHECKLIST_TAXONOMY",
    "DEFAULT_LIMITS",
    "DETAILS_TAXONOMY",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_TOTAL_BYTES",
    "SET_ASIDE_COLUMNS",
    "HsdsError",
    "HsdsImport",
    "Limits",
    "export_hsds",
    "hsds_tables",
    "read_hsds",
    "write_hsds",
    "zip_bytes",
]
