"""Export a clinic list as an HSDS 3.0 tabular package (datapackage.json plus CSV files).

Each clinic becomes an organization with one service; its place a location (with an address
when the address is complete enough for HSDS) linked by a service_at_location; its phone,
NPI and price go where HSDS keeps them; everything else travels as attributes of our own
taxonomies (see `vocabulary`). Every file is the specification's table with every field in
order, written by the product's one CSV writer (`csv_bytes`: formula guard, quoted text).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from providers.directory import (
    Schema,
    csv_bytes,
    default_schema,
    directory_frame,
    to_plain,
    write_atomic,
)
from providers.hsds.errors import HsdsError
from providers.hsds.spec import DATAPACKAGE, descriptor_bytes, table, tables
from providers.hsds.vocabulary import ADDRESS_PARTS, NPI_TYPE, Vocabulary, uuids, vocabulary

# The change-log columns `export_hsds` needs (those of `WorkspaceStore.history`, plus the
# clinic id); `id` (the change number) is used when present, for stable metadata ids.
CHANGE_COLUMNS = ("clinic_id", "field", "old_value", "new_value", "who", "at")
# The `field` the workspace change log gives a newly added clinic (`curation.CREATED`).
CREATED_FIELD = "*created*"
# HSDS requires every metadata value; an empty one (a field that was blank) is written so.
BLANK = "(blank)"
PRICE_OPTION = "Price per session"
# Our clinic status as HSDS's service status. HSDS has no "unknown": a listed clinic whose
# status is not known is exported as active, as before statuses existed; the exact status also
# travels as an attribute, so our own packages read it back exactly.
SERVICE_STATUS = {
    "open": "active",
    "temporarily closed": "temporarily closed",
    "closed": "defunct",
    "unknown": "active",
}
# HSDS service statuses as ours, for packages made elsewhere ("inactive": not available now).
STATUS_OF_SERVICE = {
    "active": "open",
    "inactive": "temporarily closed",
    "temporarily closed": "temporarily closed",
    "defunct": "closed",
}


def _texts(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the text a directory CSV holds ("" for missing): numbers as Python
    writes them, so that they read back exactly."""
    plain = to_plain(frame)
    out = {}
    for name in plain.columns:
        column = plain[name]
        if pd.api.types.is_numeric_dtype(column.dtype):
            out[name] = column.astype("str").where(column.notna(), "")
        else:
            out[name] = column.astype("str").fillna("")
    return pd.DataFrame(out, index=frame.index)


def _join(parts: list[pd.Series], separator: str = " ") -> pd.Series:
    """Join text columns, skipping blanks, without a Python loop over rows."""
    out = parts[0]
    for part in parts[1:]:
        gap = np.where((out != "") & (part != ""), separator, "")
        out = out + gap + part
    return out


def _service_description(text: pd.DataFrame) -> pd.Series:
    """A sentence or two for people reading the package: routes, telehealth, conditions.

    Only what the directory says; the exact values travel as attributes."""
    blank = pd.Series("", index=text.index, dtype="str")

    def listed(column: str, lead: str) -> pd.Series:
        if column not in text:
            return blank
        values = text[column]
        return (lead + values.str.replace(";", ", ", regex=False) + ".").where(values != "", "")

    def answered(column: str, yes: str, no: str) -> pd.Series:
        if column not in text:
            return blank
        values = text[column]
        return pd.Series(
            np.select([values == "yes", values == "no"], [yes, no], ""), index=text.index
        )

    return _join(
        [
            listed("routes", "Ketamine treatment routes: "),
            answered(
                "telehealth",
                "Offers telehealth or at-home care.",
                "Does not offer telehealth or at-home care.",
            ),
            listed("conditions", "Conditions treated: "),
        ]
    )


def _framed(name: str, columns: Mapping[str, object], index: pd.Index) -> pd.DataFrame:
    """A table of the specification with the given columns filled and the rest blank."""
    spec = table(name)
    frame = pd.DataFrame(dict(columns), index=index)
    return frame.reindex(columns=list(spec.fields), fill_value="").reset_index(drop=True)


def _attributes(text: pd.DataFrame, vocab: Vocabulary, service_ids: pd.Series) -> pd.DataFrame:
    """One attribute per clinic and carried column: every item (unknown included), and the
    other columns where they hold something HSDS has no field for."""
    columns = list(vocab.attribute_columns)
    if text.empty or not columns:
        return _framed("attribute", {}, pd.RangeIndex(0))
    complete = (text[list(ADDRESS_PARTS)] != "").all(axis=1)
    long = (
        text[columns]
        .assign(_row=np.arange(len(text)))
        .melt(id_vars="_row", var_name="column", value_name="value")
    )
    is_item = long["column"].isin(vocab.item_columns)
    in_address = long["column"].isin(ADDRESS_PARTS)
    address_done = complete.to_numpy()[long["_row"].to_numpy()]
    keep = is_item | ((long["value"] != "") & ~(in_address & address_done))
    long = long[keep.to_numpy()].sort_values(["_row"], kind="stable")
    links = service_ids.to_numpy()[long["_row"].to_numpy()]
    link = pd.Series(links, index=long.index, dtype="str")
    return _framed(
        "attribute",
        {
            "id": uuids(link + "\x1fattribute\x1f" + long["column"]),
            "link_id": link,
            "taxonomy_term_id": long["column"].map(vocab.term_ids()),
            "link_entity": "service",
            "value": long["value"],
        },
        long.index,
    )


def _metadata(changes: pd.DataFrame, list_name: str) -> pd.DataFrame:
    """The change log as HSDS metadata rows about each clinic's service."""
    missing = [c for c in CHANGE_COLUMNS if c not in changes.columns]
    if missing:
        raise ValueError(
            f"The change log has no column(s) {', '.join(missing)}; it needs "
            f"{', '.join(CHANGE_COLUMNS)}."
        )
    changes = changes.reset_index(drop=True)
    at = pd.to_datetime(changes["at"].astype("str"), utc=True, errors="coerce", format="ISO8601")
    changes = changes[at.notna().to_numpy()]
    at = at[at.notna()]
    clinic = changes["clinic_id"].astype("str")
    field = changes["field"].astype("str")

    def value(column: str) -> pd.Series:
        text = changes[column].astype("str").where(changes[column].notna(), "")
        return text.where(text.str.strip() != "", BLANK)

    number = (
        changes["id"].astype("str")
        if "id" in changes.columns
        else pd.Series(np.arange(len(changes)).astype("str"), index=changes.index)
    )
    services = uuids(list_name + "\x1f" + clinic + "\x1fservice")
    return _framed(
        "metadata",
        {
            "id": uuids(list_name + "\x1f" + clinic + "\x1fchange\x1f" + number),
            "resource_id": services,
            "resource_type": "service",
            "last_action_date": at.dt.strftime("%Y-%m-%d"),
            "last_action_type": np.where(field == CREATED_FIELD, "create", "update"),
            "field_name": field,
            "previous_value": value("old_value"),
            "replacement_value": value("new_value"),
            "updated_by": value("who"),
        },
        changes.index,
    )


def hsds_tables(
    clinics: pd.DataFrame,
    *,
    list_name: str,
    changes: pd.DataFrame | None = None,
    schema: Schema | None = None,
) -> dict[str, pd.DataFrame]:
    """The HSDS tables of a clinic table, by resource name (every table of the specification,
    most of them empty)."""
    schema = schema or default_schema()
    vocab = vocabulary(schema)
    frame = directory_frame(clinics, schema).reset_index(drop=True)
    text = _texts(frame)
    index = text.index
    key = list_name + "\x1f" + text["id"] + "\x1f"
    org_id, service_id = uuids(key + "organization"), uuids(key + "service")
    location_id = uuids(key + "location")
    notes = text["notes"]
    out = {name: spec.empty() for name, spec in tables().items()}
    fallback = f"A clinic in the list '{list_name}' of Ketamine Clinic Compare."
    out["organization"] = _framed(
        "organization",
        {
            "id": org_id,
            "name": text["name"],
            "description": notes.where(notes != "", fallback),
            "website": text["website"],
        },
        index,
    )
    verified = frame[list(vocab.verified_columns)].max(axis=1)
    out["service"] = _framed(
        "service",
        {
            "id": service_id,
            "organization_id": org_id,
            "name": text["name"],
            "description": _service_description(text),
            "status": text["status"].map(SERVICE_STATUS).fillna("active"),
            "assured_date": verified.dt.strftime("%Y-%m-%d").fillna("").astype("str"),
        },
        index,
    )
    has_point = frame["latitude"].notna() & frame["longitude"].notna()
    placed = has_point | (text[list(ADDRESS_PARTS)] != "").any(axis=1)
    out["location"] = _framed(
        "location",
        {
            "id": location_id,
            "location_type": "physical",
            "organization_id": org_id,
            "name": text["name"],
            "latitude": frame["latitude"],
            "longitude": frame["longitude"],
        },
        index,
    )[placed.to_numpy()]
    out["service_at_location"] = _framed(
        "service_at_location",
        {
            "id": uuids(key + "service_at_location"),
            "service_id": service_id,
            "location_id": location_id,
        },
        index,
    )[placed.to_numpy()]
    complete = (text[list(ADDRESS_PARTS)] != "").all(axis=1).to_numpy()
    out["address"] = _framed(
        "address",
        {
            "id": uuids(key + "address"),
            "location_id": location_id,
            "address_1": text["address"],
            "city": text["city"],
            "state_province": text["region"],
            "postal_code": text["postal_code"],
            "country": text["country"],
            "address_type": "physical",
        },
        index,
    )[complete]
    out["phone"] = _framed(
        "phone",
        {"id": uuids(key + "phone"), "service_id": service_id, "number": text["phone"]},
        index,
    )[(text["phone"] != "").to_numpy()]
    out["organization_identifier"] = _framed(
        "organization_identifier",
        {
            "id": uuids(key + "npi"),
            "organization_id": org_id,
            "identifier_type": NPI_TYPE,
            "identifier": text["npi"],
        },
        index,
    )[(text["npi"] != "").to_numpy()]
    priced = frame["price_per_session"].notna() | (text["currency"] != "")
    out["cost_option"] = _framed(
        "cost_option",
        {
            "id": uuids(key + "cost_option"),
            "service_id": service_id,
            "option": PRICE_OPTION,
            "currency": text["currency"],
            "amount": frame["price_per_session"],
        },
        index,
    )[priced.to_numpy()]
    out["taxonomy"] = _framed("taxonomy", vocab.taxonomies(), pd.RangeIndex(2))
    terms = vocab.term_frame()
    out["taxonomy_term"] = _framed("taxonomy_term", terms, terms.index)
    out["attribute"] = _attributes(text, vocab, service_id)
    if changes is not None:
        out["metadata"] = _metadata(changes, list_name)
    return {name: frame.reset_index(drop=True) for name, frame in out.items()}


def export_hsds(
    table: pd.DataFrame,
    *,
    list_name: str,
    changes: pd.DataFrame | None = None,
    schema: Schema | None = None,
) -> dict[str, bytes]:
    """The files of an HSDS 3.0 package of the clinics (file name -> content).

    `changes` is an optional change log (`CHANGE_COLUMNS`, e.g. the workspace history of
    each clinic with its `clinic_id`), written as HSDS metadata rows.
    """
    frames = hsds_tables(table, list_name=list_name, changes=changes, schema=schema)
    files = {DATAPACKAGE: descriptor_bytes()}
    for name, spec in tables().items():
        files[spec.path] = csv_bytes(frames[name])
    return files


# --- writing --------------------------------------------------------------------------------


def _check_names(files: Mapping[str, bytes]) -> None:
    for name in files:
        if not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
            raise ValueError(f"not a plain file name: {name!r}")


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """The package as a .zip, built in memory (so a failure leaves no partial file)."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _ours(names: set[str]) -> set[str]:
    """File names an HSDS package of ours may hold (what a re-export may replace)."""
    return names | {spec.path for spec in tables().values()} | {DATAPACKAGE}


def _write_folder(files: Mapping[str, bytes], path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise HsdsError(f"{path} is a file, not a folder: choose a folder or a .zip name")
    if path.is_dir():
        foreign = sorted(p.name for p in path.iterdir() if p.name not in _ours(set(files)))
        if foreign:
            raise HsdsError(
                f"The folder {path} holds other files (for example {foreign[0]}); "
                "choose an empty folder or a new name, so nothing of yours is replaced."
            )
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    old: Path | None = None
    try:
        staging.chmod(0o755)  # a folder like any other, not mkdtemp's private one
        for name, data in files.items():
            with open(staging / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        if path.is_dir():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
            os.replace(path, old / "package")
        os.replace(staging, path)
    except BaseException:
        if old is not None and (old / "package").exists() and not path.exists():
            os.replace(old / "package", path)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def write_hsds(files: Mapping[str, bytes], path: str | os.PathLike) -> Path:
    """Write a package to a .zip file or a folder, never half-written.

    A .zip is built in memory and renamed into place. A folder is written beside its target
    and renamed into place; an existing folder is replaced only if it holds nothing but an
    HSDS package's files. Returns the path written.
    """
    _check_names(files)
    path = Path(path)
    if not path.parent.is_dir():
        raise HsdsError(f"The folder {path.parent} does not exist.")
    try:
        if path.suffix.lower() == ".zip":
            if path.is_dir():
                raise HsdsError(f"{path} is a folder; choose a file name for the .zip.")
            write_atomic(path, zip_bytes(files))
        else:
            _write_folder(files, path)
    except OSError as exc:
        raise HsdsError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    return path
