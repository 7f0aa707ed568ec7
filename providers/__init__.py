"""Clinic directories: the data model, reading and writing, places and distances."""

from providers.directory import (
    DEMO,
    DirectoryError,
    ReadResult,
    csv_bytes,
    directory_frame,
    json_bytes,
    parse_directory,
    read_directory,
    template_frame,
    write_atomic,
)
from providers.formulas import guard_text, unguard_text
from providers.schema import Column, Schema, build_schema, default_schema

__all__ = [
    "DEMO",
    "Column",
    "DirectoryError",
    "ReadResult",
    "Schema",
    "build_schema",
    "csv_bytes",
    "default_schema",
    "directory_frame",
    "guard_text",
    "json_bytes",
    "parse_directory",
    "read_directory",
    "template_frame",
    "unguard_text",
    "write_atomic",
]
