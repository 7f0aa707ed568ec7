"""Reading an HSDS 3.0 package into tables of text: a folder of CSV files, a .zip of one, or
the JSON form (an organization or service with its related objects nested inside).

Nothing is ever extracted to disk: a .zip is read member by member in memory, each member
checked against the size caps both as declared and as actually read, and members whose
path would leave the package are set aside. Every problem is a value (a row of
`problems`); only input that is not a package at all raises `HsdsError`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from providers.directory import problem_frame, unguard_series
from providers.hsds.errors import HsdsError
from providers.hsds.spec import DATAPACKAGE, NESTED, tables
from providers.hsds.vocabulary import one_uuid

# Caps (the defaults of `Limits`; a deployment passes its own settings).
MAX_FILE_BYTES = 100_000_000  # one CSV file, or the JSON document
MAX_TOTAL_BYTES = 300_000_000  # all the files of a package together, as read
MAX_MEMBERS = 200  # entries in a .zip
MAX_RATIO = 200  # a member that inflates more than this is treated as a zip bomb
MAX_DEPTH = 40  # nesting of the JSON form
# Without at least one of these tables there is nothing to make clinics from.
CORE_TABLES = ("organization", "service")


@dataclass(frozen=True)
class Limits:
    """Size caps for reading a package."""

    max_file_bytes: int = MAX_FILE_BYTES
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_members: int = MAX_MEMBERS
    max_ratio: int = MAX_RATIO
    max_depth: int = MAX_DEPTH


DEFAULT_LIMITS = Limits()


@dataclass
class RawPackage:
    """Every table read (by resource name, text cells, the index is the row in the file),
    what was read from (`folder`, `zip` or `json`), problems and files that are not HSDS."""

    tables: dict[str, pd.DataFrame]
    kind: str
    problems: list[pd.DataFrame] = field(default_factory=list)
    unknown_files: list[str] = field(default_factory=list)
    unknown_fields: dict[str, list[str]] = field(default_factory=dict)


def problem(
    message: str,
    column: str = "",
    value: str = "",
    rows: object = None,
    severity: str = "warning",
) -> pd.DataFrame:
    """Problem rows in the shape of the directory reader's (row, column, value, ...)."""
    row_values = np.atleast_1d(np.asarray([None] if rows is None else rows, dtype=object))
    values = (
        value if isinstance(value, list | np.ndarray | pd.Series) else [value] * len(row_values)
    )
    return problem_frame(row_values, column, values, severity, message)  # type: ignore[arg-type]


# --- CSV ---------------------------------------------------------------------------------------


def _decode(data: bytes, name: str, found: list[pd.DataFrame]) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    if b"\x00" in data:
        found.append(problem(f"{name} holds NUL bytes; they were removed.", column=name))
        data = data.replace(b"\x00", b"")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        found.append(
            problem(
                f"{name} is not UTF-8, as HSDS requires; it was read as Windows-1252. "
                "Please check accents.",
                column=name,
            )
        )
        return data.decode("cp1252", errors="replace")


def _records(text: str, name: str, found: list[pd.DataFrame]) -> list[list[str]]:
    """The CSV records (Python's C parser, which keeps quoted line breaks); a file that ends
    inside an unclosed quote loses only the record that swallowed the rest of the file."""
    try:
        return list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        unclosed = "unexpected end of data" in str(exc)
    records = list(csv.reader(io.StringIO(text, newline=""), strict=False))
    if unclosed and records:
        records.pop()
        found.append(
            problem(
                f"{name}: a quote is opened but never closed; the rows from there to the end "
                "were set aside.",
                column=name,
                severity="error",
            )
        )
    elif not unclosed:
        found.append(
            problem(f"{name}: some quotes are malformed; please check the file.", column=name)
        )
    return records


def read_csv(data: bytes, name: str, found: list[pd.DataFrame]) -> pd.DataFrame:
    """A CSV file as text cells (formula guards removed), indexed by its row in the file."""
    text = _decode(data, name, found)
    if not text.strip():
        found.append(problem(f"{name} is empty.", column=name))
        return pd.DataFrame()
    csv.field_size_limit(1 << 30)
    records = _records(text, name, found)
    if not records:
        return pd.DataFrame()
    header = [cell.strip().lstrip("\ufeff").strip().lower() for cell in records[0]]
    width = len(header)
    lengths = np.fromiter((len(r) for r in records), dtype=np.int64, count=len(records))
    longest = int(lengths.max())
    if (lengths != longest).any():  # short rows (spreadsheets drop trailing blanks) padded
        records = [r + [""] * (longest - len(r)) for r in records]
    body = pd.DataFrame(records[1:], columns=range(longest), dtype="object")
    body.index = np.arange(2, len(body) + 2)
    if body.shape[1] > width:
        ragged = (body.iloc[:, width:] != "").any(axis=1).to_numpy()
        if ragged.any():
            found.append(
                problem(
                    f"{name}: the row has more cells than the header; it was set aside.",
                    column=name,
                    rows=body.index[ragged],
                    severity="error",
                )
            )
        body = body[~ragged]
    body = body.reindex(columns=range(width)).fillna("").astype("str")
    if len(body):
        body = body[~(body == "").all(axis=1).to_numpy()]
    columns: dict[str, pd.Series] = {}
    for position, column in enumerate(header):
        if not column or column in columns:
            found.append(
                problem(
                    f"{name}: column {position + 1} of the header is blank or repeated; "
                    "it was set aside.",
                    column=name,
                    value=column,
                )
            )
            continue
        columns[column] = unguard_series(body[position])
    return pd.DataFrame(columns, index=body.index)


# --- sources -----------------------------------------------------------------------------------


def _safe_relative(name: str) -> PurePosixPath | None:
    """The member path if it stays inside the package, else None."""
    text = name.replace("\\", "/")
    path = PurePosixPath(text)
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text) or ".." in path.parts:
        return None
    return path


def _paths(descriptor: bytes | None, found: list[pd.DataFrame]) -> dict[str, str]:
    """File name per table: the package's own datapackage.json where it names safe local
    paths, the specification's names otherwise."""
    paths = {name: spec.path for name, spec in tables().items()}
    if descriptor is None:
        return paths
    try:
        data = json.loads(descriptor.decode("utf-8-sig"))
        resources = data.get("resources", []) if isinstance(data, dict) else []
        for resource in resources:
            name, path = resource.get("name"), resource.get("path")
            if name in paths and isinstance(path, str) and _safe_relative(path) is not None:
                if "://" in path:
                    continue
                paths[name] = str(_safe_relative(path))
    except (ValueError, AttributeError, TypeError, RecursionError):
        found.append(
            problem(
                "datapackage.json cannot be read; the specification's file names were used.",
                column=DATAPACKAGE,
            )
        )
    return paths


def _from_files(
    files: dict[str, bytes], kind: str, found: list[pd.DataFrame], other: list[str]
) -> RawPackage:
    """Tables from a mapping of relative path -> bytes (the package root already chosen)."""
    paths = _paths(files.get(DATAPACKAGE), found)
    raw: dict[str, pd.DataFrame] = {}
    used = {DATAPACKAGE}
    for name, path in paths.items():
        if path in files:
            raw[name] = read_csv(files[path], path, found)
            used.add(path)
    other = other + sorted(p for p in files if p not in used)
    if not any(name in raw for name in CORE_TABLES):
        raise HsdsError(
            "This is not an HSDS package: it has neither organizations.csv nor services.csv."
        )
    for name in CORE_TABLES:
        if name not in raw:
            found.append(
                problem(
                    f"The package has no {tables()[name].path}; clinics were made from "
                    "what it has.",
                    column=tables()[name].path,
                )
            )
    return RawPackage(raw, kind, found, other)


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, found: list[pd.DataFrame]
) -> bytes | None:
    name = info.filename
    if info.file_size > limits.max_file_bytes:
        found.append(
            problem(
                f"{name} is {info.file_size / 1e6:.1f} MB unpacked; the limit is "
                f"{limits.max_file_bytes / 1e6:.0f} MB. It was set aside.",
                column=name,
                severity="error",
            )
        )
        return None
    inflates = info.compress_size and info.file_size / info.compress_size > limits.max_ratio
    if inflates and info.file_size > 1_000_000:
        found.append(
            problem(
                f"{name} unpacks to more than {limits.max_ratio} times its packed size "
                "(a 'zip bomb'); it was set aside.",
                column=name,
                severity="error",
            )
        )
        return None
    try:
        with archive.open(info) as handle:
            data = handle.read(limits.max_file_bytes + 1)
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError) as exc:
        found.append(problem(f"{name} cannot be unpacked ({exc}); it was set aside.", column=name))
        return None
    if len(data) > limits.max_file_bytes:
        found.append(
            problem(
                f"{name} is larger than the limit of {limits.max_file_bytes / 1e6:.0f} MB; "
                "it was set aside.",
                column=name,
                severity="error",
            )
        )
        return None
    return data


def _root(paths: list[PurePosixPath]) -> PurePosixPath:
    """The folder of the package inside a .zip: where datapackage.json (or else the
    organizations or services file) sits nearest the top."""
    markers = {DATAPACKAGE} | {tables()[n].path for n in CORE_TABLES}
    candidates = sorted((p for p in paths if p.name in markers), key=lambda p: len(p.parts))
    return candidates[0].parent if candidates else PurePosixPath(".")


def read_zip(data: bytes, limits: Limits = DEFAULT_LIMITS) -> RawPackage:
    found: list[pd.DataFrame] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError) as exc:
        raise HsdsError(f"This is not a readable .zip file ({exc}).") from exc
    if len(infos) > limits.max_members:
        raise HsdsError(f"The .zip holds {len(infos)} entries; the limit is {limits.max_members}.")
    safe: list[tuple[PurePosixPath, zipfile.ZipInfo]] = []
    for info in infos:
        if info.is_dir():
            continue
        path = _safe_relative(info.filename)
        if path is None:
            found.append(
                problem(
                    "A file in the .zip has a path that leads outside the package; "
                    "it was set aside.",
                    column=".zip",
                    value=info.filename[:200],
                    severity="error",
                )
            )
            continue
        safe.append((path, info))
    root = _root([p for p, _ in safe])
    files: dict[str, bytes] = {}
    other: list[str] = []
    total = 0
    for path, info in safe:
        try:
            relative = path.relative_to(root)
        except ValueError:
            other.append(str(path))
            continue
        if len(relative.parts) != 1:
            other.append(str(path))
            continue
        content = _read_member(archive, info, limits, found)
        if content is None:
            continue
        total += len(content)
        if total > limits.max_total_bytes:
            raise HsdsError(
                f"The package unpacks to more than {limits.max_total_bytes / 1e6:.0f} MB, "
                "the limit."
            )
        files[str(relative)] = content
    return _from_files(files, "zip", found, other)


def read_folder(path: Path, limits: Limits = DEFAULT_LIMITS) -> RawPackage:
    found: list[pd.DataFrame] = []
    descriptor = path / DATAPACKAGE
    names: dict[str, bytes] = {}
    total = 0
    wanted = set(_paths(_read_small(descriptor, limits), found).values()) | {DATAPACKAGE}
    root = path.resolve()
    present = sorted(p.name for p in path.iterdir() if p.is_file())
    for name in sorted(wanted):
        file = path / name
        if not file.is_file():
            continue
        if root not in file.resolve().parents:
            found.append(
                problem(
                    f"{name} leads outside the folder; it was set aside.",
                    column=name,
                    severity="error",
                )
            )
            continue
        size = file.stat().st_size
        if size > limits.max_file_bytes:
            found.append(
                problem(
                    f"{name} is {size / 1e6:.1f} MB; the limit is "
                    f"{limits.max_file_bytes / 1e6:.0f} MB. It was set aside.",
                    column=name,
                    severity="error",
                )
            )
            continue
        total += size
        if total > limits.max_total_bytes:
            raise HsdsError(
                f"The package is larger than {limits.max_total_bytes / 1e6:.0f} MB, the limit."
            )
        names[name] = file.read_bytes()[: limits.max_file_bytes + 1]
    other = [n for n in present if n not in wanted and not n.startswith(".")]
    return _from_files(names, "folder", found, other)


def _read_small(path: Path, limits: Limits) -> bytes | None:
    try:
        if path.is_file() and path.stat().st_size <= limits.max_file_bytes:
            return path.read_bytes()
    except OSError:
        return None
    return None


# --- the JSON form -----------------------------------------------------------------------------


def _cell(value: object) -> str | None:
    """A scalar as its text; None for what is not a scalar (or a list of scalars)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ";".join(str(v) for v in value)
    return None


# Nested single objects that the object points at (its own `<name>_id` field).
_UPWARD = {
    "organization": "organization_id",
    "program": "program_id",
    "location": "location_id",
    "taxonomy_term": "taxonomy_term_id",
    "taxonomy_detail": "taxonomy_id",
}


def _top_table(item: dict) -> str:
    """A top-level object of the JSON form is a service or an organization."""
    if "services" in item or "organization_identifiers" in item:
        return "organization"
    service_like = ("status", "organization", "organization_id", "service_at_locations")
    return "service" if any(k in item for k in service_like) else "organization"


def _walk(
    top: list[dict], limits: Limits, found: list[pd.DataFrame]
) -> tuple[dict[str, list[dict[str, str]]], dict[str, set[str]]]:
    """Flatten nested objects into rows per table, filling the links the nesting implies."""
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in tables()}
    unknown: dict[str, set[str]] = {}
    Stack = list[tuple[dict, str, str, str, int, str]]
    stack: Stack = [(item, _top_table(item), "", "", 0, f"{n}") for n, item in enumerate(top)]
    stack.reverse()
    deep = False
    while stack:
        item, name, parent, parent_id, depth, where = stack.pop()
        if depth > limits.max_depth:
            deep = True
            continue
        spec = tables()[name]
        record: dict[str, str] = {}
        children: Stack = []
        for key, value in item.items():
            key = str(key)
            child = NESTED.get(key)
            if child is not None and isinstance(value, dict | list):
                items = value if isinstance(value, list) else [value]
                for position, sub in enumerate(items):
                    if isinstance(sub, dict):
                        children.append(
                            (sub, child, name, key, depth + 1, f"{where}.{key}{position}")
                        )
                continue
            text = _cell(value)
            if text is None or key not in spec.fields:
                unknown.setdefault(name, set()).add(key)
                continue
            record[key] = text
        if not record.get("id"):
            record["id"] = one_uuid(f"json\x1f{name}\x1f{where}")
        own = record["id"]
        if parent:
            link = f"{parent}_id"
            if name == "attribute":
                record.setdefault("link_id", parent_id)
                record.setdefault("link_entity", parent)
            elif name == "metadata":
                record.setdefault("resource_id", parent_id)
                record.setdefault("resource_type", parent)
            elif link in spec.fields and not record.get(link):
                record[link] = parent_id
        rows[name].append(record)
        for sub, child, _, key, sub_depth, sub_where in reversed(children):
            upward = _UPWARD.get(key)
            if upward is not None and upward in spec.fields:
                sub_id = sub.get("id")
                if not sub_id:
                    sub_id = one_uuid(f"json\x1f{child}\x1f{sub_where}")
                    sub = {**sub, "id": sub_id}
                if not record.get(upward):
                    record[upward] = str(sub_id)
                stack.append((sub, child, "", "", sub_depth, sub_where))
            else:
                stack.append((sub, child, name, own, sub_depth, sub_where))
    if deep:
        found.append(
            problem(
                f"The JSON is nested more than {limits.max_depth} levels deep; the deeper "
                "objects were set aside.",
                column="JSON",
            )
        )
    return rows, unknown


def read_json(data: bytes, limits: Limits = DEFAULT_LIMITS) -> RawPackage:
    found: list[pd.DataFrame] = []
    if len(data) > limits.max_file_bytes:
        raise HsdsError(
            f"The JSON is {len(data) / 1e6:.1f} MB; the limit is "
            f"{limits.max_file_bytes / 1e6:.0f} MB."
        )
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise HsdsError("The JSON is not UTF-8 text, as JSON must be.") from exc
    except json.JSONDecodeError as exc:
        raise HsdsError(
            f"This is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc
    except RecursionError as exc:
        raise HsdsError("The JSON is nested too deeply to read.") from exc
    if isinstance(document, dict) and "resources" in document and "id" not in document:
        raise HsdsError(
            "This is a datapackage.json on its own: give the folder or .zip that holds it "
            "together with its CSV files."
        )
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        document = document["contents"]
    items = document if isinstance(document, list) else [document]
    objects = [item for item in items if isinstance(item, dict)]
    if len(objects) < len(items):
        found.append(
            problem(
                f"{len(items) - len(objects)} item(s) of the JSON are not objects; "
                "they were set aside.",
                column="JSON",
            )
        )
    if not objects:
        raise HsdsError("The JSON holds no HSDS organization or service.")
    rows, unknown = _walk(objects, limits, found)
    raw: dict[str, pd.DataFrame] = {}
    for name, records in rows.items():
        if not records:
            continue
        frame = pd.DataFrame.from_records(records).fillna("").astype("str")
        frame = frame.drop_duplicates(subset="id", keep="first")
        frame.index = np.arange(1, len(frame) + 1)
        raw[name] = frame
    package = RawPackage(raw, "json", found)
    package.unknown_fields = {k: sorted(v) for k, v in unknown.items()}
    return package


# --- entry ---------------------------------------------------------------------------------


def _sniff(data: bytes) -> str:
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        return "zip"
    head = data[:64].lstrip(codecs.BOM_UTF8).lstrip()
    if head[:1] in (b"{", b"["):
        return "json"
    return "unknown"


def read_package(source: str | os.PathLike | bytes, limits: Limits = DEFAULT_LIMITS) -> RawPackage:
    """Read a package from a folder, a .zip or JSON file, or the bytes of either of those."""
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        path = Path(source)
        if path.is_dir():
            try:
                return read_folder(path, limits)
            except OSError as exc:
                raise HsdsError(f"Cannot read the folder {path}: {exc.strerror or exc}.") from exc
        try:
            size = path.stat().st_size
            if size > max(limits.max_total_bytes, limits.max_file_bytes):
                raise HsdsError(
                    f"{path.name} is {size / 1e6:.1f} MB; the limit is "
                    f"{max(limits.max_total_bytes, limits.max_file_bytes) / 1e6:.0f} MB."
                )
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise HsdsError(f"There is no file or folder {path}.") from exc
        except OSError as exc:
            raise HsdsError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    kind = _sniff(data)
    if kind == "zip":
        return read_zip(data, limits)
    if kind == "json":
        return read_json(data, limits)
    raise HsdsError(
        "This is neither a .zip of an HSDS package nor HSDS JSON. Give the package's "
        "folder, a .zip of it, or the JSON of an organization or service."
    )
