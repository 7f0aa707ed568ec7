"""Writing directories: formula-safe CSV, JSON, and files that are never half-written."""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
from pathlib import Path

import pandas as pd

from providers.directory.formulas import guard_frame, guard_text
from providers.directory.schema import Schema, default_schema


def to_plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text, categories as text: the form that CSV and JSON files hold."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            out[name] = column.dt.strftime("%Y-%m-%d").fillna("").astype("str")
        elif isinstance(column.dtype, pd.CategoricalDtype):
            out[name] = column.astype("str")
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Formula-safe CSV (UTF-8 with BOM, so spreadsheets pick the right encoding).

    The header row is the plain column names. Below it every text cell is quoted (an empty one
    as `""`) and numbers stay bare numbers. Text is formula-guarded at its start and after every
    separator or line break inside it (see `formulas`): a spreadsheet whose list separator is
    not the comma cuts quoted cells at its own separator, and no such cut may start a formula.
    """
    header = io.StringIO()
    csv.writer(header, lineterminator="\r\n").writerow(guard_text(str(c)) for c in frame.columns)
    body = guard_frame(to_plain(frame)).to_csv(
        index=False, header=False, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC
    )
    text = header.getvalue() + body
    return codecs.BOM_UTF8 + text.encode("utf-8")


def json_bytes(frame: pd.DataFrame) -> bytes:
    plain = to_plain(frame)
    return (
        plain.to_json(orient="records", indent=1, force_ascii=False, double_precision=10) + "\n"
    ).encode("utf-8")


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: never a half-written file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def directory_frame(table: pd.DataFrame, schema: Schema | None = None) -> pd.DataFrame:
    """Only the directory columns of a (possibly scored) clinic table, in file order."""
    schema = schema or default_schema()
    return table.reindex(columns=list(schema.names))


def template_frame(schema: Schema | None = None) -> pd.DataFrame:
    schema = schema or default_schema()
    return pd.DataFrame({name: pd.Series(dtype="str") for name in schema.names})
