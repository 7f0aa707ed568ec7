"""Import an HSDS 3.0 package as a clinic directory, from us or from anyone.

Every service at a location becomes a clinic row (a service without a location, or an
organization without services, one row too). HSDS fields with a place in our directory fill
it; attributes of our own taxonomies fill the rest exactly; everything else is counted in
`set_aside` rather than dropped silently. The rows then go through the directory's own
validation (`validate`), so every rule of a directory file applies to them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from providers.directory import (
    ReadResult,
    Schema,
    default_schema,
    guard_series,
    no_problems,
    parser_for,
    validate,
)
from providers.hsds.export import PRICE_OPTION, STATUS_OF_SERVICE
from providers.hsds.package import DEFAULT_LIMITS, Limits, RawPackage, problem, read_package
from providers.hsds.spec import table, tables
from providers.hsds.vocabulary import (
    CHECKLIST_TAXONOMY,
    DETAILS_TAXONOMY,
    Vocabulary,
    taxonomy_id,
    vocabulary,
)

SET_ASIDE_COLUMNS = ("table", "what", "rows")
# The tables a clinic is made of; every other table of HSDS is set aside whole.
MAPPED = (
    "organization",
    "service",
    "service_at_location",
    "location",
    "address",
    "phone",
    "organization_identifier",
    "cost_option",
    "attribute",
    "taxonomy_term",
    "taxonomy",
)
# Fields a clinic row is made from (the ids and links included).
USED: dict[str, tuple[str, ...]] = {
    "organization": ("id", "name", "description", "website"),
    "service": ("id", "organization_id", "name", "description", "url", "status"),
    "service_at_location": ("id", "service_id", "location_id"),
    "location": ("id", "organization_id", "location_type", "latitude", "longitude"),
    "address": (
        "id",
        "location_id",
        "address_1",
        "address_2",
        "city",
        "region",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ),
    "phone": (
        "id",
        "location_id",
        "service_id",
        "organization_id",
        "contact_id",
        "service_at_location_id",
        "number",
        "extension",
    ),
    "organization_identifier": (
        "id",
        "organization_id",
        "identifier_scheme",
        "identifier_type",
        "identifier",
    ),
    "cost_option": ("id", "service_id", "currency", "amount"),
}
# Fields we write ourselves from other columns: not set aside for clinics of ours.
DERIVED = {"service": ("assured_date",), "location": ("name",), "cost_option": ("option",)}
_PHONE_LEVELS = (
    ("service_at_location_id", "sal_id"),
    ("service_id", "service_id"),
    ("location_id", "location_id"),
    ("organization_id", "organization_id"),
)


@dataclass
class HsdsImport:
    """The clinics of a package as a validated directory, and what could not come along.

    `result` is the directory (its `problems` are the directory's validation rules);
    `set_aside` counts what HSDS held that a clinic row has no place for (table, what,
    rows); `problems` are problems of the package itself (missing files, broken links,
    unreadable members), in the directory's problem shape; `tables` are the tables as read.
    """

    result: ReadResult
    set_aside: pd.DataFrame
    problems: pd.DataFrame
    kind: str = "folder"
    checklist_version: str | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


class _Aside:
    """Collects set-aside counts."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, int]] = []

    def add(self, table_name: str, what: str, count: int | np.integer) -> None:
        if int(count) > 0:
            self.rows.append((table_name, what, int(count)))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(SET_ASIDE_COLUMNS)).astype(
            {"table": "str", "what": "str", "rows": "int64"}
        )


def _prepare(
    name: str, frame: pd.DataFrame | None, found: list[pd.DataFrame], aside: _Aside
) -> pd.DataFrame:
    """Every field of the table present, ids trimmed, rows without an id or with a repeated
    one set aside (reported), fields the specification does not have counted."""
    spec = table(name)
    if frame is None or frame.empty:
        return spec.empty()
    frame = frame.copy()
    for column in frame.columns:
        if column not in spec.fields:
            aside.add(name, f"field {column} (not in HSDS 3.0)", (frame[column] != "").sum())
    frame = frame.reindex(columns=list(spec.fields), fill_value="").astype("str")
    links = [f for f in spec.fields if f == "id" or f.endswith("_id")]
    frame[links] = frame[links].apply(lambda c: c.str.strip())
    blank = frame["id"] == ""
    if blank.any():
        found.append(
            problem(
                f"{spec.path}: the row has no id, so nothing can point at it; it was set aside.",
                column=f"{name}.id",
                rows=frame.index[blank.to_numpy()],
                severity="error",
            )
        )
    repeated = frame["id"].duplicated() & ~blank
    if repeated.any():
        found.append(
            problem(
                f"{spec.path}: the id is used by an earlier row; this row was set aside.",
                column=f"{name}.id",
                value=frame.loc[repeated, "id"].str.slice(0, 200).to_numpy(),
                rows=frame.index[repeated.to_numpy()],
                severity="error",
            )
        )
    return frame[~(blank | repeated).to_numpy()]


def _dangling(
    frame: pd.DataFrame,
    column: str,
    known: pd.Series,
    name: str,
    found: list[pd.DataFrame],
    required: bool = True,
) -> pd.Series:
    """Rows whose link in `column` points at nothing in the package (reported)."""
    value = frame[column]
    bad = ~value.isin(known) & ((value != "") | required)
    if bad.any():
        target = {f: t for f, t in table(name).foreign_keys}.get(column, column)
        found.append(
            problem(
                f"{table(name).path}: {column} points at a {target} that is not in the package.",
                column=f"{name}.{column}",
                value=value[bad].str.slice(0, 200).to_numpy(),
                rows=frame.index[bad.to_numpy()],
            )
        )
    return bad


def _join(parts: list[pd.Series], separator: str) -> pd.Series:
    out = parts[0]
    for part in parts[1:]:
        out = out + np.where((out != "") & (part != ""), separator, "") + part
    return out


def _mapped(keys: pd.Series, values: pd.Series) -> pd.Series:
    """`keys.map(values)` as text, "" where there is no value (whatever the dtypes)."""
    found = keys.map(values).astype("object")
    return pd.Series(found.where(found.notna(), "").to_numpy(), dtype="str")


def _first_per(frame: pd.DataFrame, key: str, aside: _Aside, table_name: str, what: str):
    """The first row per key (file order); the others counted as set aside."""
    first = ~frame[key].duplicated()
    aside.add(table_name, what, (~first).sum())
    return frame[first.to_numpy()].set_index(key)


def _ours(
    t: dict[str, pd.DataFrame],
    vocab: Vocabulary,
    found: list[pd.DataFrame],
    aside: _Aside,
    schema: Schema,
) -> tuple[pd.DataFrame, str | None]:
    """Our attributes as a table (service id x directory column), and the package's
    checklist version."""
    taxonomies, terms, attributes = t["taxonomy"], t["taxonomy_term"], t["attribute"]
    names = (CHECKLIST_TAXONOMY, DETAILS_TAXONOMY)
    own = taxonomies["name"].isin(names) | taxonomies["id"].isin([taxonomy_id(n) for n in names])
    ours_ids = set(taxonomies.loc[own, "id"]) | {taxonomy_id(n) for n in names}
    aside.add("taxonomy", "other taxonomies", (~own).sum())
    checklist_row = taxonomies[
        (taxonomies["name"] == CHECKLIST_TAXONOMY)
        | (taxonomies["id"] == taxonomy_id(CHECKLIST_TAXONOMY))
    ]
    version = str(checklist_row["version"].iloc[0]) if len(checklist_row) else None
    if version and version != schema.checklist.version:
        found.append(
            problem(
                f"The checklist answers were made with checklist version {version}; this app "
                f"uses {schema.checklist.version}. Answers to items both versions have were "
                "imported.",
                column="taxonomy.version",
                value=version,
            )
        )
    term_ours = terms["taxonomy_id"].isin(ours_ids) | terms["taxonomy"].isin(names)
    aside.add("taxonomy_term", "terms of other taxonomies", (~term_ours).sum())
    _dangling(
        terms[terms["taxonomy_id"] != ""], "taxonomy_id", taxonomies["id"], "taxonomy_term", found
    )
    bad = _dangling(attributes, "taxonomy_term_id", terms["id"], "attribute", found)
    aside.add("attribute", "pointing at a missing taxonomy term", bad.sum())
    code = attributes["taxonomy_term_id"].map(
        terms.loc[term_ours.to_numpy()].set_index("id")["code"]
    )
    mine = code.notna()
    aside.add("attribute", "terms of other taxonomies", (~mine & ~bad).sum())
    known = code.isin(vocab.attribute_columns)
    aside.add(
        "attribute", "terms of our taxonomies this checklist version lacks", (mine & ~known).sum()
    )
    on_service = attributes["link_entity"].isin(["service", ""]) & attributes["link_id"].isin(
        t["service"]["id"]
    )
    aside.add(
        "attribute",
        "our terms linked to something other than a service",
        (known & ~on_service).sum(),
    )
    keep = (known & on_service).to_numpy()
    used = attributes[keep].assign(code=code[keep].to_numpy())
    twice = used.duplicated(subset=["link_id", "code"])
    aside.add("attribute", "repeated answers (the first was used)", twice.sum())
    used = used[~twice.to_numpy()]
    wide = used.pivot(index="link_id", columns="code", values="value") if len(used) else None
    if wide is None:
        wide = pd.DataFrame(index=pd.Index([], dtype="str"))
    return wide, version


def _count_unused(t: dict[str, pd.DataFrame], ours: dict[str, pd.Series], aside: _Aside) -> None:
    """Fields with something in them that no clinic column takes."""
    for name, used in USED.items():
        frame = t[name]
        if frame.empty:
            continue
        mask = ours[name]
        for column in table(name).fields:
            if column in used:
                continue
            filled = frame[column] != ""
            if column in DERIVED.get(name, ()):
                filled = filled & ~mask
            aside.add(name, f"field {column}", filled.sum())


def _dates_in_range(out: pd.DataFrame, schema: Schema, found: list[pd.DataFrame]) -> None:
    """Blank dates that a clinic table cannot hold (before 1678 or after 2261), reported."""
    for column in schema.columns:
        if column.kind != "date":
            continue
        year = pd.to_numeric(out[column.name].str.extract(r"^\s*(\d+)-", expand=False))
        far = ((year < 1678) | (year > 2261)).fillna(False).to_numpy(dtype=bool)
        if far.any():
            found.append(
                problem(
                    "The date is out of the range a clinic list can hold; it was set aside.",
                    column=column.name,
                    value=out.loc[far, column.name].str.slice(0, 200).to_numpy(),
                    rows=np.flatnonzero(far) + 1,
                )
            )
            out.loc[far, column.name] = ""


def import_package(package: RawPackage, schema: Schema | None = None) -> HsdsImport:
    """Clinic rows from the tables of a package (see the module docstring)."""
    schema = schema or default_schema()
    vocab = vocabulary(schema)
    found: list[pd.DataFrame] = list(package.problems)
    aside = _Aside()
    for name in package.unknown_files:
        aside.add("(files)", f"{name} (not a table of HSDS 3.0)", 1)
    for name, fields in package.unknown_fields.items():
        for column in fields:
            aside.add(name, f"JSON property {column} (not a field of HSDS 3.0)", 1)
    t = {name: _prepare(name, package.tables.get(name), found, aside) for name in tables()}
    for name in tables():
        if name not in MAPPED:
            aside.add(name, "all rows (no place in a clinic directory)", len(t[name]))

    orgs, services, sal, locations = (
        t["organization"],
        t["service"],
        t["service_at_location"],
        t["location"],
    )
    _dangling(services, "organization_id", orgs["id"], "service", found)
    bad = _dangling(sal, "service_id", services["id"], "service_at_location", found)
    bad |= _dangling(sal, "location_id", locations["id"], "service_at_location", found)
    aside.add("service_at_location", "pointing at a missing service or location", bad.sum())
    sal = sal[~bad.to_numpy()]

    wide, version = _ours(t, vocab, found, aside, schema)
    ours_services = services["id"].isin(wide.index)

    # One row per service at a location, in file order; a service without a location and an
    # organization without a service are one row each.
    rows = services[["id", "organization_id"]].rename(columns={"id": "service_id"})
    rows = rows.merge(
        sal[["id", "service_id", "location_id"]].rename(columns={"id": "sal_id"}),
        on="service_id",
        how="left",
    )
    lonely = orgs.loc[~orgs["id"].isin(services["organization_id"]), ["id"]]
    rows = pd.concat(
        [rows, lonely.rename(columns={"id": "organization_id"})], ignore_index=True
    ).fillna("")
    rows = rows.astype("str")

    def lookup(frame: pd.DataFrame, key: str, column: str) -> pd.Series:
        values = frame.set_index("id")[column] if len(frame) else pd.Series(dtype="str")
        return _mapped(rows[key], values)

    org_name = lookup(orgs, "organization_id", "name")
    service_name = lookup(services, "service_id", "name")
    services_per_org = services["organization_id"].value_counts()
    several = rows["organization_id"].map(services_per_org).fillna(0).to_numpy() > 1
    name = org_name.where(~several | (service_name == ""), org_name + " – " + service_name)
    name = name.where(org_name != "", service_name)

    out = pd.DataFrame({c: pd.Series([""] * len(rows), dtype="str") for c in schema.names})
    out["name"] = name

    addresses = t["address"]
    dangling = _dangling(addresses, "location_id", locations["id"], "address", found)
    aside.add("address", "pointing at a missing location", dangling.sum())
    ranked = addresses[~dangling.to_numpy()].assign(
        _rank=addresses["address_type"].map({"physical": 0, "postal": 1}).fillna(2)
    )
    ranked = ranked.sort_values("_rank", kind="stable")
    chosen = _first_per(ranked, "location_id", aside, "address", "more than one per location")
    at = rows["location_id"]

    def place(column: str) -> pd.Series:
        return _mapped(at, chosen[column])

    out["address"] = _join([place("address_1"), place("address_2")], ", ")
    out["city"] = place("city")
    state = place("state_province")
    out["region"] = state.where(state != "", place("region"))
    out["postal_code"] = place("postal_code")
    out["country"] = place("country")
    out["latitude"] = lookup(locations, "location_id", "latitude")
    out["longitude"] = lookup(locations, "location_id", "longitude")

    phones = t["phone"]
    text = _join([phones["number"], phones["extension"]], " ext. ") if len(phones) else None
    linked = pd.Series(False, index=phones.index)
    phone = pd.Series([""] * len(rows), dtype="str")
    for link, key in _PHONE_LEVELS:
        if text is None:
            break
        has = phones[link] != ""
        linked |= has
        numbers = text[has.to_numpy()].groupby(phones.loc[has, link], sort=False).agg("; ".join)
        found_here = _mapped(rows[key], numbers)
        phone = phone.where(phone != "", found_here)
    aside.add("phone", "linked to nothing", (~linked).sum())
    out["phone"] = phone

    service_url = lookup(services, "service_id", "url")
    out["website"] = service_url.where(
        service_url != "", lookup(orgs, "organization_id", "website")
    )

    identifiers = t["organization_identifier"]
    dangling = _dangling(
        identifiers, "organization_id", orgs["id"], "organization_identifier", found
    )
    identifiers = identifiers[~dangling.to_numpy()]
    kind = (identifiers["identifier_type"] + " " + identifiers["identifier_scheme"]).str.lower()
    is_npi = kind.str.contains("npi") | kind.str.contains("national provider identifier")
    aside.add("organization_identifier", "identifiers other than the NPI", (~is_npi).sum())
    npis = _first_per(
        identifiers[is_npi.to_numpy()], "organization_id", aside, "organization_identifier",
        "more than one NPI per organization",
    )  # fmt: skip
    out["npi"] = _mapped(rows["organization_id"], npis["identifier"])

    costs = t["cost_option"]
    dangling = _dangling(costs, "service_id", services["id"], "cost_option", found)
    costs = costs[~dangling.to_numpy()]
    priced = costs[((costs["amount"] != "") | (costs["currency"] != "")).to_numpy()]
    aside.add("cost_option", "without an amount or currency", len(costs) - len(priced))
    price = _first_per(priced, "service_id", aside, "cost_option", "more than one per service")
    # A price in a currency the directory does not know is set aside, not relabelled.
    unknown = parser_for(schema.column("currency"))(price["currency"])[1].to_numpy()
    if unknown.any():
        aside.add(
            "cost_option", "prices in a currency the directory does not support", unknown.sum()
        )
        found.append(
            problem(
                "The price is in a currency the directory does not support (USD or CAD); it "
                "was set aside.",
                column="cost_option.currency",
                value=price.loc[unknown, "currency"].str.slice(0, 200).to_numpy(),
            )
        )
        price = price[~unknown]
    out["price_per_session"] = _mapped(rows["service_id"], price["amount"])
    out["currency"] = _mapped(rows["service_id"], price["currency"])
    foreign_option = ~price["option"].isin(["", PRICE_OPTION]) if len(price) else None
    if foreign_option is not None and foreign_option.any():
        found.append(
            problem(
                "A service has prices for specific cases (cost_options.option); the first "
                "one was taken as the price per session. Please check it.",
                column="cost_option.option",
                value=price.loc[foreign_option, "option"].str.slice(0, 200).to_numpy(),
            )
        )

    # Notes: ours from the attribute; anyone else's from the descriptions.
    service_text = lookup(services, "service_id", "description")
    org_text = lookup(orgs, "organization_id", "description")
    ours_row = pd.Series(rows["service_id"].isin(wide.index).to_numpy())
    foreign_notes = service_text.where(service_text != "", org_text)
    aside.add(
        "organization",
        "field description (the service's description was used)",
        ((service_text != "") & (org_text != "") & ~ours_row).sum(),
    )
    out["notes"] = foreign_notes.where(~ours_row, "")

    status = lookup(services, "service_id", "status")
    out["status"] = status.str.strip().str.lower().map(STATUS_OF_SERVICE).fillna("")
    for column in wide.columns:
        values = rows["service_id"].map(wide[column]).to_numpy()
        present = pd.notna(values)
        out[column] = out[column].where(~present, pd.Series(values, dtype="object").fillna(""))
    made_id = rows["sal_id"]
    made_id = made_id.where(made_id != "", rows["service_id"])
    made_id = made_id.where(made_id != "", rows["organization_id"])
    out["id"] = out["id"].where(out["id"] != "", made_id)

    # Statuses HSDS defines map to ours (and closed clinics are hidden from patients); only a
    # status nobody defined needs a person to look.
    known = status.str.strip().str.lower().isin(list(STATUS_OF_SERVICE))
    odd = ~known & (status.str.strip() != "") & ~ours_row
    if odd.any():
        found.append(
            problem(
                "The service's status is not one HSDS defines (active, inactive, "
                "temporarily closed, defunct); the clinic was imported with status unknown.",
                column="service.status",
                value=status[odd].to_numpy(),
                rows=np.flatnonzero(odd.to_numpy()) + 1,
            )
        )

    ours_org = services.loc[ours_services.to_numpy(), "organization_id"]
    ours_location = sal.loc[sal["service_id"].isin(wide.index), "location_id"]
    ours = {
        "organization": orgs["id"].isin(ours_org),
        "service": ours_services,
        "service_at_location": sal["service_id"].isin(wide.index),
        "location": locations["id"].isin(ours_location),
        "address": t["address"]["location_id"].isin(ours_location),
        "phone": t["phone"]["service_id"].isin(wide.index),
        "organization_identifier": t["organization_identifier"]["organization_id"].isin(ours_org),
        "cost_option": t["cost_option"]["service_id"].isin(wide.index),
    }
    t_counted = {**t, "service_at_location": sal}
    _count_unused(t_counted, ours, aside)

    _dates_in_range(out, schema, found)
    raw = out.apply(guard_series)
    numbers = np.arange(1, len(raw) + 1)
    table_, problems = validate(raw, numbers, schema)
    result = ReadResult(
        table_,
        problems.astype({"row": "Int64"}).reset_index(drop=True),
        "hsds",
        "utf-8",
        [
            "Row numbers count the clinics made from the HSDS package, in its order: one per "
            "service at a location."
        ],
    )
    package_problems = (
        pd.concat([f for f in found if len(f)], ignore_index=True)
        if any(len(f) for f in found)
        else no_problems()
    )
    package_problems["row"] = package_problems["row"].astype("Int64")
    return HsdsImport(
        result,
        aside.frame(),
        package_problems.reset_index(drop=True),
        package.kind,
        version,
        dict(package.tables),
    )


def read_hsds(
    source: str | os.PathLike | bytes,
    *,
    schema: Schema | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> HsdsImport:
    """Read an HSDS 3.0 package (a folder, a .zip of it, or the JSON form; a path or the
    bytes) as a clinic directory. Raises `HsdsError` only for input that is not a package."""
    return import_package(read_package(source, limits), schema)
