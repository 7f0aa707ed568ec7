"""Read and validate clinic directories (CSV and JSON).

Reading is forgiving about encodings, delimiters and value spellings, and strict about what
it accepts: every problem comes back as a row of the `problems` table (row, column, value,
severity, message). Only a file that cannot be read at all raises `DirectoryError`.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import json
import os
import re
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from providers.directory.formulas import unguard_series
from providers.directory.schema import (
    Column,
    Schema,
    default_schema,
    distinct_codes,
    empty_value,
    message_for,
    parser_for,
)
from scoring.checklist import Checklist
from scoring.errors import ClinicCompareError, Severity

DEMO = "demo"
DEMO_FILE = "demo_clinics.csv"
PROBLEM_COLUMNS = ("row", "column", "value", "severity", "message")
_DELIMITERS = (",", ";", "\t")
_ALIASES = {
    "state": "region",
    "province": "region",
    "zip": "postal_code",
    "zip_code": "postal_code",
    "zipcode": "postal_code",
    "postcode": "postal_code",
    "lat": "latitude",
    "lon": "longitude",
    "lng": "longitude",
    "url": "website",
    "price": "price_per_session",
    "rating": "reviews_rating",
}
_SLUG = re.compile(r"[^a-z0-9]+")
_NAME_SLUG_MAX = 48  # with a postal code, a made id is at most 59 characters (plus any suffix)
# Letters that NFKD does not take apart into an ASCII letter and an accent.
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ı": "i",
    }
)


class DirectoryError(ClinicCompareError):
    """The file cannot be read as a directory at all (the message says why)."""

    summary = "cannot read the directory"


@dataclass
class ReadResult:
    """A validated clinic table plus every problem found on the way."""

    table: pd.DataFrame
    problems: pd.DataFrame
    format: str = "csv"
    encoding: str = "utf-8"
    notes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """Rows that were dropped (no name, malformed record)."""
        return int((self.problems["severity"] == "error").sum())


def no_problems() -> pd.DataFrame:
    """An empty problem table with the right columns (nothing was wrong)."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in PROBLEM_COLUMNS})


def problem_frame(rows, column, values, severity: Severity, message) -> pd.DataFrame:
    """Problem rows (row, column, value, severity, message): the one shape every reader uses."""
    rows = np.asarray(rows)
    return pd.DataFrame(
        {
            "row": rows,
            "column": column,
            "value": np.asarray(values, dtype=object),
            "severity": severity,
            "message": message,
        }
    )


def _file_problem(
    message: str, column: str = "", value: str = "", severity: Severity = "warning"
) -> pd.DataFrame:
    return problem_frame([None], column, [value], severity, message)


# --- decoding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    """The file's bytes made parseable: BOM gone, NULs gone, UTF-16 turned into UTF-8.

    The bytes are kept (not decoded into one big string) so that a large file is parsed
    straight from them without a second, four-times-larger copy in memory.
    """

    data: bytes
    encoding: str
    notes: tuple[str, ...] = ()

    def head(self, size: int = 1 << 20) -> str:
        return self.data[:size].decode(self.encoding, errors="replace")

    def text(self) -> str:
        return self.data.decode(self.encoding, errors="replace")


def _is_utf8(data: bytes, chunk: int = 1 << 23) -> bool:
    """Validate UTF-8 in chunks, so no decoded copy of a large file is ever held."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), chunk):
            decoder.decode(data[start : start + chunk])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def decode(data: bytes) -> Payload:
    """Work out how to read the bytes, refusing what is clearly not a text file."""
    notes: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                data = data[2:].decode(name).encode("utf-8")
            except UnicodeDecodeError as exc:
                raise DirectoryError("the file says it is UTF-16 but is not valid UTF-16") from exc
            notes.append("The file is UTF-16; it was read, but please save directories as UTF-8.")
            break
    nul = data.count(b"\x00")
    if nul:
        if nul > max(8, len(data) // 100):
            raise DirectoryError(
                "this does not look like a text file (it contains many NUL bytes): "
                "save the directory as CSV (UTF-8) or JSON"
            )
        data = data.replace(b"\x00", b"")
        notes.append(f"{nul} NUL byte(s) were removed from the file.")
    encoding = "utf-8"
    if not _is_utf8(data):
        encoding = "cp1252"
        notes.append("The file is not UTF-8; it was read as Windows-1252. Please check accents.")
    payload = Payload(data, encoding, tuple(notes))
    sample = payload.head(65536)
    controls = sum(sample.count(chr(c)) for c in range(32) if chr(c) not in "\t\r\n")
    if controls > max(32, len(sample) // 20):
        raise DirectoryError(
            "this does not look like a text file (too many control characters): "
            "save the directory as CSV (UTF-8) or JSON"
        )
    return payload


# --- CSV --------------------------------------------------------------------------------------


def _header(head: str) -> tuple[list[str], str]:
    """The header cells and the delimiter, chosen as the one that splits the header most."""
    first = head.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first.count)
    try:
        header = next(csv.reader(io.StringIO(head), delimiter=delimiter), [])
    except csv.Error as exc:
        raise DirectoryError(f"the header row cannot be read: {exc}") from exc
    return header, delimiter


def _header_name(cell: str) -> str:
    """The column a header cell means: trimmed, lower-case, common aliases mapped."""
    name = cell.strip().lstrip("\ufeff").strip().lower()
    return _ALIASES.get(name, name)


def user_headers(cells: list[str]) -> dict[str, str]:
    """column -> the header the user wrote, for the columns they spelled differently, so that
    problems name the column as it appears in their own file."""
    out: dict[str, str] = {}
    for cell in cells:
        shown = cell.strip().lstrip("\ufeff").strip()
        name = _header_name(cell)
        if shown and shown != name:
            out.setdefault(name, shown)
    return out


def normalise_headers(header: list[str]) -> list[str]:
    """Lower-case, trimmed header names with common aliases mapped; blanks/duplicates fail."""
    names = []
    for position, cell in enumerate(header, start=1):
        name = _header_name(cell)
        if not name:
            raise DirectoryError(
                f"column {position} of the header row is blank: every column needs a name"
            )
        names.append(name)
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name in seen:
            raise DirectoryError(
                f"the header row names column '{name}' twice (columns {seen[name]} and "
                f"{position}): remove or rename one of them"
            )
        seen[name] = position
    return names


# pandas' own string dtype ("str"), so Arrow's columns come out as pandas' C reader gives them.
_STR = pd.StringDtype("pyarrow", na_value=np.nan)


class _Joined(io.RawIOBase):
    """The file's bytes followed by a few more, read without copying the file into a new
    bytes object (which would double a large upload in memory)."""

    def __init__(self, *parts: bytes) -> None:
        super().__init__()
        self._parts = [memoryview(p) for p in parts]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._parts and not len(self._parts[0]):
            self._parts.pop(0)
        if not self._parts:
            return 0
        size = min(len(buffer), len(self._parts[0]))
        buffer[:size] = self._parts[0][:size]
        self._parts[0] = self._parts[0][size:]
        return size


# Appended to a file for Arrow: a record of its own if the file ends outside quotes, swallowed
# into a field if a quote is left open (which the C reader reports; Arrow would not).
_SENTINEL = "\x01end of file\x01"


def _read_arrow(data: bytes, delimiter: str, width: int) -> pd.DataFrame | None:
    """The cells as pandas' C reader gives them, read by Arrow's faster CSV reader.

    Only for well-formed UTF-8 files: Arrow refuses a record with the wrong number of fields
    (and invalid UTF-8) where the C reader skips it with a warning, so on any refusal, and on
    a quote left open at the end, this returns None and the C reader reads the file instead,
    reporting what it skipped. On the files Arrow accepts, both read the same cells
    (tests/directory/test_reader_fast.py checks this on hostile files). One thread: the
    server shares its cores between sessions.
    """
    if width == 0:
        return None
    names = [f"f{i}" for i in range(width)]
    sentinel = b'"' in data
    source: io.RawIOBase | pa.BufferReader = pa.BufferReader(data)
    if sentinel:
        lead = "" if data.endswith((b"\n", b"\r")) else "\n"
        source = _Joined(data, (lead + _SENTINEL + delimiter * (width - 1) + "\n").encode())
    try:
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(
                use_threads=False, column_names=names, block_size=1 << 24
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowException:
        return None
    if table.num_columns != width or table.num_rows == 0:
        return None
    if sentinel:
        last = [table.column(i)[-1].as_py() for i in range(width)]
        if last != [_SENTINEL] + [""] * (width - 1) or table.num_rows < 2:
            return None
        table = table.slice(0, table.num_rows - 1)
    # The header row is read as the first record (so that Arrow parses it the same way as the
    # data), then dropped; `width` fields in every record means it agreed with our header.
    return table.slice(1).to_pandas(
        types_mapper={pa.string(): _STR, pa.large_string(): _STR}.get, use_threads=False
    )


def _parse_csv(
    payload: Payload, fast: bool = True
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Raw string cells, their spreadsheet row numbers, and the records that were skipped.

    `fast` tries Arrow's reader first (see `_read_arrow`); `fast=False` is the C reader only.
    """
    if not payload.data or payload.data.isspace():
        raise DirectoryError("the file is empty")
    header, delimiter = _header(payload.head())
    names = normalise_headers(header)
    skipped = no_problems()
    if fast and payload.encoding == "utf-8":
        cells = _read_arrow(payload.data, delimiter, len(names))
        if cells is not None:
            cells.columns = pd.Index(names)
            blank = (cells == "").all(axis=1).to_numpy()
            rows = np.arange(2, len(cells) + 2)
            return cells[~blank], rows[~blank], skipped
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            raw = pd.read_csv(
                io.BytesIO(payload.data),
                encoding=payload.encoding,
                encoding_errors="replace",
                sep=delimiter,
                header=0,
                names=names,
                dtype="str",
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                on_bad_lines="warn",
                engine="c",
            )
        bad_lines = [
            (int(m.group(1)), m.group(2))
            for w in caught
            for m in re.finditer(
                r"Skipping line (\d+): (expected \d+ fields, saw \d+)", str(w.message)
            )
        ]
    except (pd.errors.ParserError, ValueError, csv.Error, OverflowError) as exc:
        return _parse_csv_slowly(payload.text(), names, delimiter, str(exc))
    except MemoryError as exc:
        raise DirectoryError("the file is too large to read on this machine") from exc
    if bad_lines:
        lines = np.array([line for line, _ in bad_lines])
        skipped = problem_frame(
            lines,
            "",
            [""] * len(lines),
            "error",
            [f"row rejected: {why} (check quotes and delimiters)" for _, why in bad_lines],
        )
    blank = (raw == "").all(axis=1).to_numpy()
    total = len(raw) + len(bad_lines) + 1
    rows = np.setdiff1d(np.arange(2, total + 1), [line for line, _ in bad_lines])
    rows = rows[: len(raw)]
    return raw[~blank], rows[~blank], skipped


def _parse_csv_slowly(text: str, names: list[str], delimiter: str, why: str):
    """Record-by-record fallback for files the fast parser gives up on (e.g. a lone quote)."""
    csv.field_size_limit(1 << 30)
    records, rows, problems = [], [], []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=False)
    try:
        next(reader)
        for number, record in enumerate(reader, start=2):
            if len(record) > len(names) or any(len(cell) > 1_000_000 for cell in record):
                problems.append(
                    problem_frame(
                        [number],
                        "",
                        [""],
                        "error",
                        "row rejected: too many "
                        "fields or a cell over 1,000,000 characters (check quotes)",
                    )
                )
                continue
            records.append(record + [""] * (len(names) - len(record)))
            rows.append(number)
    except csv.Error as exc:
        problems.append(_file_problem(f"reading stopped: {exc}", severity="error"))
    if ("EOF inside string" in why or "unexpected end of data" in why) and records:
        # The last record swallowed the rest of the file after an unmatched quote.
        records.pop()
        problems.append(
            problem_frame(
                [rows.pop()],
                "",
                [""],
                "error",
                "row rejected: a quote is "
                "opened here but never closed, so the rest of the file was lost",
            )
        )
    raw = (
        pd.DataFrame(records, columns=names, dtype="str")
        if records
        else pd.DataFrame({n: pd.Series(dtype="str") for n in names})
    )
    found = pd.concat(problems, ignore_index=True) if problems else no_problems()
    return raw, np.array(rows, dtype=np.int64), found


# --- JSON -------------------------------------------------------------------------------------


# JSON can spell half a surrogate pair ("\ud800"), which no UTF-8 text (nor Arrow) can hold.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value):
    """`value` with every half surrogate pair in its strings replaced by U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict | list):
        raise TypeError("nested values are not allowed here")
    return str(value)


def _flatten(item: dict, prefix: str = "") -> dict:
    """{"criterion": {"item": "yes"}} -> {"criterion.item": "yes"}."""
    flat = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def _parse_json(text: str) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, dict[str, str]]:
    try:
        data = json.loads(text)
        if _SURROGATE_ESCAPE.search(text):  # rare: only then walk the values
            data = _without_lone_surrogates(data)
    except json.JSONDecodeError as exc:
        raise DirectoryError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    except RecursionError as exc:
        raise DirectoryError("the JSON is nested too deeply") from exc
    if isinstance(data, dict) and isinstance(data.get("clinics"), list):
        data = data["clinics"]
    if not isinstance(data, list):
        raise DirectoryError(
            'a JSON directory must be a list of clinic objects (or {"clinics": [...]})'
        )
    records, rows, problems = [], [], []
    keys: dict[str, None] = {}
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            problems.append(
                problem_frame(
                    [number], "", [str(item)[:80]], "error", "row rejected: not an object"
                )
            )
            continue
        flat = _flatten(item)
        record = {}
        keys.update(dict.fromkeys(map(str, flat)))
        for key, value in flat.items():
            name = _header_name(str(key))
            try:
                record[name] = _cell(value)
            except TypeError as exc:
                problems.append(
                    problem_frame([number], name, [str(value)[:80]], "warning", str(exc))
                )
        records.append(record)
        rows.append(number)
    raw = pd.DataFrame.from_records(records).fillna("").astype("str") if records else pd.DataFrame()
    found = pd.concat(problems, ignore_index=True) if problems else no_problems()
    return raw, np.array(rows, dtype=np.int64), found, user_headers(list(keys))


# --- validation -------------------------------------------------------------------------------


def _read_column(column: Column, raw: pd.Series) -> tuple[pd.Series, np.ndarray, pd.Series]:
    """Parsed values, the mask of values refused, and the unguarded text (for the report)."""
    values = unguard_series(raw)
    parsed, bad = parser_for(column)(values)
    return parsed, np.asarray(bad, dtype=bool), values


def read_column(
    column: Column, raw: pd.Series, fast: bool = True
) -> tuple[pd.Series, np.ndarray, pd.Series]:
    """One column of raw strings: parsed values, mask of values refused, and those values.

    Every step is a function of the cell alone, so a column with few distinct values (yes/no
    items, country, currency, routes, dates) is parsed once per distinct value and mapped back
    by position: the same answer, from a fraction of the string work. `fast=False` parses
    every cell.
    """
    raw = raw.reset_index(drop=True)
    found = distinct_codes(raw) if fast else None
    if found is None:
        parsed, bad, values = _read_column(column, raw)
        return parsed, bad, values[bad]
    codes, distinct = found
    parsed, bad, values = _read_column(column, distinct)
    refused = values.iloc[codes[bad[codes]]]
    return parsed.iloc[codes].reset_index(drop=True), bad[codes], refused


_EMPTY_DTYPES = {"count": "Int64", "number": "float64", "date": "datetime64[ns]"}


def validate(
    raw: pd.DataFrame, rows: np.ndarray, schema: Schema | None = None, *, fast: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse every known column of a table of raw strings into the clinic table.

    `fast=False` parses every cell (see `read_column`); the answer is the same.
    """
    schema = schema or default_schema()
    found: list[pd.DataFrame] = []
    unknown = [c for c in raw.columns if c not in schema.names]
    for name in unknown:
        close = difflib.get_close_matches(name, schema.names, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        found.append(_file_problem(f"unknown column, ignored{hint}", column=name))
    if "name" not in raw.columns:
        raise DirectoryError("the directory has no 'name' column; every clinic needs a name")
    raw = raw.reset_index(drop=True)
    rows = np.asarray(rows)
    table = {}
    for column in schema.columns:
        if column.name not in raw.columns:
            # A column the file does not have (an older directory, say) reads as unknown, with
            # the dtype a blank column of the file would get.
            table[column.name] = pd.Series(
                [empty_value(column)] * len(raw), dtype=_EMPTY_DTYPES.get(column.kind)
            )
            continue
        parsed, bad, refused = read_column(column, raw[column.name].astype("str").fillna(""), fast)
        if bad.any() and column.kind != "required":
            found.append(
                problem_frame(
                    rows[bad],
                    column.name,
                    refused.str.slice(0, 200).to_numpy(),
                    "warning",
                    message_for(column) + "; treated as unknown"
                    if column.kind not in ("text", "region")
                    else message_for(column),
                )
            )
        table[column.name] = parsed.reset_index(drop=True)
    table = pd.DataFrame(table)
    for column in schema.columns:
        if column.kind == "tristate":
            table[column.name] = (
                table[column.name]
                .astype("category")
                .cat.set_categories(["no", "unknown", "yes"], ordered=True)
                .fillna("unknown")
            )
    nameless = (table["name"] == "").to_numpy()
    if nameless.any():
        found.append(
            problem_frame(
                rows[nameless],
                "name",
                [""] * int(nameless.sum()),
                "error",
                "row rejected: the clinic has no name",
            )
        )
    found.extend(_cross_checks(table, rows, schema.checklist))
    keep = ~nameless
    table, rows = table[keep].reset_index(drop=True), rows[keep]
    table["id"], id_problems = _ids(table, rows)
    found.append(id_problems)
    problems = (
        pd.concat([f for f in found if len(f)], ignore_index=True)
        if any(len(f) for f in found)
        else no_problems()
    )
    return table, problems


def _cross_checks(
    table: pd.DataFrame, rows: np.ndarray, checklist: Checklist
) -> list[pd.DataFrame]:
    found = []
    one_coordinate = table["latitude"].isna() != table["longitude"].isna()
    if one_coordinate.any():
        mask = one_coordinate.to_numpy()
        found.append(
            problem_frame(
                rows[mask],
                "latitude",
                [""] * int(mask.sum()),
                "warning",
                "only one of latitude/longitude given; both treated as unknown",
            )
        )
        table.loc[one_coordinate, ["latitude", "longitude"]] = np.nan
    # Coordinates without a stated precision are exact; no coordinates means no location yet.
    has_point = table["latitude"].notna()
    stated = table["location_precision"]
    unstated = (stated == "") | (stated == "none")
    table["location_precision"] = stated.mask(has_point & unstated, "exact").where(
        has_point, "none"
    )
    no_currency = (
        table["price_per_session"].notna() & (table["currency"] == "") & (table["country"] != "")
    )
    if no_currency.any():
        mask = no_currency.to_numpy()
        guess = np.where(table.loc[no_currency, "country"] == "CA", "CAD", "USD")
        table.loc[no_currency, "currency"] = guess
        found.append(
            problem_frame(
                rows[mask],
                "currency",
                [""] * int(mask.sum()),
                "warning",
                [f"currency missing: assumed {g} from the country" for g in guess],
            )
        )
    no_count = table["reviews_rating"].notna() & table["reviews_count"].isna()
    if no_count.any():
        mask = no_count.to_numpy()
        table.loc[no_count, "reviews_count"] = 1
        found.append(
            problem_frame(
                rows[mask],
                "reviews_count",
                [""] * int(mask.sum()),
                "warning",
                "rating without a review count: counted as a single review",
            )
        )
    # Where the rating was read is the evidence source of the criterion that scores it.
    rating = checklist.rating_criterion
    if rating is not None and rating.source_column in table.columns:
        source = rating.source_column
        fill = (table[source] == "") & (table["reviews_source"] != "")
        table.loc[fill, source] = table.loc[fill, "reviews_source"]
    return found


def _digest(text: str) -> str:
    """A short hash that is the same on every machine and every run (unlike `hash()`)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def slugs(values: pd.Series) -> pd.Series:
    """Lower-case ASCII slugs: accents folded away (`Clínica Niño` -> `clinica-nino`), every
    other run of non-letters and non-digits one hyphen. Letters with no ASCII form vanish."""
    folded = (
        values.astype("str")
        .str.translate(_FOLD)
        .str.normalize("NFKD")
        .str.encode("ascii", "ignore")
        .str.decode("ascii")
    )
    return folded.str.lower().str.replace(_SLUG.pattern, "-", regex=True).str.strip("-")


def content_ids(names: pd.Series, postal_codes: pd.Series) -> pd.Series:
    """The id a clinic gets from its content: `slug(name)-slug(postal code)`.

    A name with no slug (only punctuation, or a script with no ASCII form) is `clinic-` and a
    hash of the name; a long slug is cut and ends in a hash of the whole slug, so the id stays
    readable and two long names stay apart. The result never holds `--` (see `_ids`).
    """
    name = slugs(names)
    nameless = name == ""
    if nameless.any():
        name = name.mask(nameless, "clinic-" + names[nameless].astype("str").map(_digest))
    long = name.str.len() > _NAME_SLUG_MAX
    if long.any():
        cut = name[long].str.slice(0, _NAME_SLUG_MAX - 9).str.rstrip("-")
        name = name.mask(long, cut + "-" + name[long].map(_digest))
    postal = slugs(postal_codes)
    return name.where(postal == "", name + "-" + postal)


def _arrow_text(values: pd.Series) -> pa.ChunkedArray:
    """A text column as Arrow strings, without a Python object per cell."""
    found = pa.array(values.astype("str"))
    chunks = found.chunks if isinstance(found, pa.ChunkedArray) else [found]
    return pa.chunked_array(chunks, type=found.type).cast(pa.large_string())


def _isin(values: pd.Series, taken: list[pd.Series]) -> pd.Series:
    """Whether each value is one of the ids `taken` (columns of ids), inside Arrow.

    The ids stay Arrow columns: a Python set of them, and pandas' `isin` (which turns every
    member into an Arrow scalar one by one), took most of the validation time of a 100k-row
    directory.
    """
    chunks = [chunk for ids in taken for chunk in _arrow_text(ids).chunks]
    members = pa.chunked_array(chunks, type=pa.large_string()).combine_chunks()
    found = pc.is_in(_arrow_text(values), value_set=members).to_numpy(zero_copy_only=False)
    return pd.Series(found.astype(bool), index=values.index)


def _suffixed(stems: pd.Series, separator: str, taken: list[pd.Series]) -> pd.Series:
    """`stem<separator>2`, `3`, ... in file order within each stem, skipping ids taken."""
    number = stems.groupby(stems, sort=False).cumcount() + 2
    while True:
        out = stems + separator + number.astype("str")
        clash = _isin(out, taken)
        if not clash.any():
            return out
        # Move the clashing id and every later one of its stem up by one (order is kept).
        number = number + clash.astype(int).groupby(stems, sort=False).cumsum()


def _ids(table: pd.DataFrame, rows: np.ndarray) -> tuple[pd.Series, pd.DataFrame]:
    """Blank ids are made from the content; a repeated id gets a suffix.

    An id must not move when a row is added or removed elsewhere (shortlists and share links
    hold ids), so nothing here depends on row positions. Given ids come first and keep their
    value; a blank id becomes `content_ids` unless that is given or taken by an earlier row of
    the same content, in which case it gets `--2`, `--3`, ... in file order. Content ids never
    hold `--`, so these never collide with another clinic's content id: adding a clinic with
    other content changes no other id. A repeated given id is renamed `-2`, `-3`, ... (with a
    warning), after every other id, so it never takes an id that one of them would have.
    """
    ids = table["id"].astype("str")
    given = (ids != "").to_numpy()
    repeat = given & ids.duplicated(keep="first").to_numpy()
    taken = [ids[given & ~repeat]]
    if not given.all():
        made = content_ids(table.loc[~given, "name"], table.loc[~given, "postal_code"])
        first = ~made.duplicated(keep="first") & ~_isin(made, taken)
        taken.append(made[first])
        if not first.all():
            made = made.mask(~first, _suffixed(made[~first], "--", taken))
            taken.append(made[~first])
        ids = ids.mask(~given, made)
    if not repeat.any():
        return ids, no_problems()
    original = ids[repeat]
    ids = ids.mask(repeat, _suffixed(original, "-", taken))
    return ids, problem_frame(
        rows[repeat],
        "id",
        original.to_numpy(),
        "warning",
        [f"id used by an earlier row: renamed to {new}" for new in ids[repeat]],
    )


# --- public entry points ----------------------------------------------------------------------


def looks_like_json(text: str, filename: str | None) -> bool:
    if filename:
        suffix = Path(filename).suffix.lower()
        if suffix == ".json":
            return True
        if suffix in (".csv", ".tsv", ".txt"):
            return False
    return text.lstrip()[:1] in ("[", "{")


def parse_directory(
    data: bytes,
    filename: str | None = None,
    schema: Schema | None = None,
    max_bytes: int | None = None,
    *,
    fast: bool = True,
) -> ReadResult:
    """Read a directory from bytes (an upload, a download or a file's content).

    `fast=False` reads with pandas' C reader and parses every cell: the same answer, slower
    (kept to check the fast path against, in the tests and the benchmark).
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise DirectoryError(
            f"the file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB"
        )
    payload = decode(data)
    del data
    if looks_like_json(payload.head(4096), filename):
        raw, rows, found, headers = _parse_json(payload.text())
        fmt = "json"
        if raw.empty and not len(found):
            raise DirectoryError("the JSON directory has no clinics")
    else:
        raw, rows, found = _parse_csv(payload, fast)
        headers = user_headers(_header(payload.head())[0])
        fmt = "csv"
    if "name" not in raw.columns and fmt == "json":
        raw["name"] = ""
    table, problems = validate(raw, rows, schema, fast=fast)
    file_notes = [_file_problem(note) for note in payload.notes]
    problems = pd.concat([*file_notes, found, problems], ignore_index=True)
    if headers:  # name each column as the user's own header does
        problems["column"] = problems["column"].map(headers).fillna(problems["column"])
    problems = problems.astype({"row": "Int64"}).sort_values(
        "row", kind="stable", na_position="first"
    )
    encoding = "utf-16" if any("UTF-16" in n for n in payload.notes) else payload.encoding
    notes = list(payload.notes)
    del raw, payload
    # Arrow's allocator keeps the memory of the text it parsed for reuse; a server holds the
    # table for hours, so give it back (300k clinics: 850 MB resident -> 430 MB).
    pa.default_memory_pool().release_unused()
    return ReadResult(table, problems.reset_index(drop=True), fmt, encoding, notes)


def read_directory(
    source: str | os.PathLike, schema: Schema | None = None, max_bytes: int | None = None
) -> ReadResult:
    """Read a directory file, or the bundled fictional demo when `source` is "demo"."""
    if str(source) == DEMO:
        data = resources.files("providers.directory").joinpath("data", DEMO_FILE).read_bytes()
        return parse_directory(data, DEMO_FILE, schema)
    path = Path(source)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise DirectoryError(f"no such file: {path}") from exc
    except IsADirectoryError as exc:
        raise DirectoryError(f"{path} is a folder, not a directory file") from exc
    except OSError as exc:
        raise DirectoryError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return parse_directory(data, path.name, schema, max_bytes)
