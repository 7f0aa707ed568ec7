"""Writing directories: formula-safe CSV and spreadsheets, JSON, and files that are never
half-written."""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import tempfile
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

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


# Excel's own limits: text per cell, and the longest address a hyperlink may hold.
XLSX_MAX_TEXT = 32_767
XLSX_MAX_URL = 2_079
XLSX_MAX_WIDTH = 50  # characters: wider columns are cut on screen, the text stays whole


def xlsx_bytes(
    frame: pd.DataFrame, sheet: str = "Shortlist", links: Collection[str] = ("website",)
) -> bytes:
    """The table as an .xlsx workbook whose cells have types, and never a formula.

    Numbers (already rounded by the caller, as for CSV) are numbers; every text cell is
    written as a string, so text such as `=HYPERLINK(...)` or `02139` stays exactly that (no
    apostrophe is needed: a string cell is never evaluated). True/False read `yes`/`no`, a
    missing value is an empty cell (`unknown` for a yes/no column), dates are ISO text as in
    the CSV. Cells of the `links` columns are hyperlinks only when they are http(s)
    addresses. The header row is bold, frozen and carries a filter.
    """
    plain = to_plain(frame)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    ws = book.add_worksheet(sheet[:31])
    header = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    link = book.get_default_url_format()
    widths = []
    for col, name in enumerate(plain.columns):
        title = _xlsx_text(name)
        ws.write_string(0, col, title, header)
        column = plain[name]
        flags = pd.api.types.is_bool_dtype(column.dtype)
        width = len(title)
        for row, value in enumerate(column.tolist(), start=1):
            text = _xlsx_cell(ws, row, col, value, flags, link if name in links else None)
            width = max(width, len(text))
        widths.append(min(max(width, 6), XLSX_MAX_WIDTH) + 2)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.freeze_panes(1, 0)
    if len(plain.columns):
        ws.autofilter(0, 0, len(plain), len(plain.columns) - 1)
    book.close()
    return buffer.getvalue()


def _xlsx_text(value: object) -> str:
    return str(value)[:XLSX_MAX_TEXT]


def _xlsx_cell(ws, row: int, col: int, value: object, flags: bool, link) -> str:
    """Write one cell by its type; returns its text, for the column width."""
    if value is None or value is pd.NA or value is pd.NaT:
        if flags:
            ws.write_string(row, col, "unknown")
            return "unknown"
        return ""
    if isinstance(value, bool | np.bool_):
        word = "yes" if value else "no"
        ws.write_string(row, col, word)
        return word
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if not math.isfinite(number):
            return ""
        shown: int | float = int(value) if isinstance(value, int | np.integer) else number
        ws.write_number(row, col, shown)
        return str(shown)
    text = _xlsx_text(value)
    if not text:
        return ""
    if (
        link is not None
        and text.lower().startswith(("http://", "https://"))
        and len(text) <= XLSX_MAX_URL
        and ws.write_url(row, col, text, link, text) == 0
    ):
        return text
    ws.write_string(row, col, text)
    return text


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
