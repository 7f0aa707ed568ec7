"""The directory format: its columns (derived from the checklist), reading and validation,
writing, and the spreadsheet-formula guard.

A directory is one clinic per row. Reading returns the validated clinic table plus a table of
problems (row, column, value, severity, message); only a file that cannot be read at all raises
`DirectoryError`. Every file written goes through the formula guard and an atomic rename.
"""

from providers.directory.formulas import guard_series, guard_text, unguard_series, unguard_text
from providers.directory.reader import (
    DEMO,
    PROBLEM_COLUMNS,
    DirectoryError,
    ReadResult,
    no_problems,
    parse_directory,
    problem_frame,
    read_directory,
    validate,
)
from providers.directory.schema import (
    FREE_TEXT_KINDS,
    NUMERIC_KINDS,
    ROUTES,
    Column,
    ColumnKind,
    Schema,
    build_schema,
    default_schema,
    message_for,
    parser_for,
)
from providers.directory.writer import (
    csv_bytes,
    directory_frame,
    json_bytes,
    template_frame,
    to_plain,
    write_atomic,
    xlsx_bytes,
)

__all__ = [
    "DEMO",
    "FREE_TEXT_KINDS",
    "NUMERIC_KINDS",
    "PROBLEM_COLUMNS",
    "ROUTES",
    "Column",
    "ColumnKind",
    "DirectoryError",
    "ReadResult",
    "Schema",
    "build_schema",
    "csv_bytes",
    "default_schema",
    "directory_frame",
    "guard_series",
    "guard_text",
    "json_bytes",
    "message_for",
    "no_problems",
    "parse_directory",
    "parser_for",
    "problem_frame",
    "read_directory",
    "template_frame",
    "to_plain",
    "unguard_series",
    "unguard_text",
    "validate",
    "write_atomic",
    "xlsx_bytes",
]
