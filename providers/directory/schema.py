"""Directory columns and vectorised value parsing, derived from the checklist.

Every parser takes a column of raw strings and returns the parsed column plus a mask of the
values it could not accept (those become unknown/blank and are reported by the reader).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd

from providers.directory.formulas import WHITESPACE
from scoring.checklist import Checklist, default_checklist

TRISTATE = pd.CategoricalDtype(["no", "unknown", "yes"], ordered=True)
ROUTES = ("IV", "IM", "intranasal", "oral")
CURRENCIES = ("USD", "CAD")
MAX_TEXT = 2000

_YES = ("yes", "y", "true", "t", "1", "x")
_NO = ("no", "n", "false", "f", "0")
_UNKNOWN = ("", "unknown", "u", "?", "n/a", "na", "not known", "not disclosed", "none")
_ROUTE_ALIASES = {
    "IV": ("iv", "i.v.", "intravenous", "infusion"),
    "IM": ("im", "i.m.", "intramuscular", "injection"),
    "intranasal": ("intranasal", "nasal", "esketamine", "spravato"),
    "oral": ("oral", "sublingual", "lozenge", "lozenges", "troche", "troches", "tablet"),
}
_COUNTRY_ALIASES = {
    "US": ("us", "usa", "u.s.", "u.s.a.", "united states", "united states of america"),
    "CA": ("ca", "can", "canada"),
}
# Whether the clinic is open. Separators are read as spaces first ("temporarily_closed").
STATUSES = ("open", "temporarily closed", "closed", "unknown")
_STATUS_ALIASES = {
    "open": ("open", "active", "operating", "open now"),
    "temporarily closed": (
        "temporarily closed", "temporary closed", "temp closed", "closed temporarily", "paused",
        "on hold", "suspended", "inactive",
    ),
    "closed": (
        "closed", "permanently closed", "closed permanently", "defunct", "out of business",
        "shut down", "shut",
    ),
    "unknown": ("", "unknown", "u", "?", "n/a", "na", "not known"),
}  # fmt: skip
_CURRENCY_ALIASES = {"USD": ("usd", "us$", "$", "us"), "CAD": ("cad", "c$", "ca$", "can$")}
# No \s or \S here: spelled-out classes keep these patterns inside Arrow's fast regex engine.
_HOST = f"[^{WHITESPACE}/?#]+"
_REST = f"(?:[/?#][^{WHITESPACE}]*)?"
_URL = f"^https?://{_HOST}\\.{_HOST}{_REST}$|^https?://localhost(?::[0-9]+)?{_REST}$"
_BARE_DOMAIN = f"^(?:www\\.)?[a-z0-9-]+(?:\\.[a-z0-9-]+)+(?:/[^{WHITESPACE}]*)?$"
_US_ZIP = r"^\d{5}(?:-\d{4})?$"
_CA_POSTAL = r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$"

Parser = Callable[[pd.Series], tuple[pd.Series, pd.Series]]


ColumnKind = Literal[
    "id",
    "required",
    "text",
    "region",
    "postal_code",
    "country",
    "number",
    "count",
    "precision",
    "url",
    "npi",
    "routes",
    "tristate",
    "currency",
    "date",
    "status",
]
# Free text is the only kind that can start like a spreadsheet formula: the other kinds are
# validated into shapes that cannot.
FREE_TEXT_KINDS: tuple[ColumnKind, ...] = ("id", "required", "text", "region")
NUMERIC_KINDS: tuple[ColumnKind, ...] = ("number", "count")


@dataclass(frozen=True)
class Column:
    """One directory column: its name, how its values are read, and what it means."""

    name: str
    kind: ColumnKind
    description: str
    low: float | None = None
    high: float | None = None
    message: str = ""


BASE_COLUMNS: tuple[Column, ...] = (
    Column("id", "id", "Stable identifier, unique in the file. Generated from the name if blank."),
    Column("name", "required", "Clinic name. A row without a name is rejected."),
    Column("address", "text", "Street address."),
    Column("city", "text", "City or town."),
    Column("region", "region", "State or province, preferably as its two-letter code (AZ, ON)."),
    Column(
        "postal_code",
        "postal_code",
        "US ZIP (`02139`, `85251-1234`) or Canadian postal code (`M5V 2T6`), kept as text.",
        message="not a US ZIP or Canadian postal code",
    ),
    Column("country", "country", "`US` or `CA` (United States, USA, Canada are accepted)."),
    Column("latitude", "number", "Latitude in decimal degrees.", -90, 90),
    Column("longitude", "number", "Longitude in decimal degrees.", -180, 180),
    Column(
        "location_precision",
        "precision",
        "How exact the coordinates are: `exact`, `postal_code`, `city` or `none`. "
        "Filled by `clinic-compare geocode`; blank means exact when coordinates are given.",
    ),
    Column("phone", "text", "Phone number as written."),
    Column("website", "url", "Clinic website; http:// or https:// only."),
    Column(
        "status",
        "status",
        "Whether the clinic is `open`, `temporarily closed` or `closed` (blank: `unknown`). "
        "Closed clinics are hidden from patients unless they ask to see them.",
    ),
    Column(
        "npi",
        "npi",
        "US National Provider Identifier (10 digits, check digit verified).",
        message="not a valid 10-digit NPI (check digit does not match)",
    ),
    Column("routes", "routes", "Any of `IV`, `IM`, `intranasal`, `oral`, separated by `;`."),
    Column("telehealth", "tristate", "Offers telehealth or at-home care: yes / no / unknown."),
    Column("conditions", "text", "Conditions treated, separated by `;` (e.g. fibromyalgia)."),
    Column(
        "price_per_session",
        "number",
        "Price of one session in `currency` (e.g. 450). A `$` or thousands comma is accepted.",
        0,
        100_000,
    ),
    Column("currency", "currency", "`USD` or `CAD`. Inferred from `country` when blank."),
    Column(
        "consultation_fee",
        "number",
        "Price of the first consultation in `currency` (0 if free).",
        0,
        100_000,
    ),
    Column(
        "series_sessions",
        "count",
        "Number of sessions in a first series (a whole number from 1 to 50).",
        1,
        50,
    ),
    Column(
        "booster_price",
        "number",
        "Price of one booster session in `currency`. Blank: the same as `price_per_session`.",
        0,
        100_000,
    ),
    Column(
        "booster_interval_months",
        "number",
        "Months between booster sessions after the first series (0.5 to 24).",
        0.5,
        24,
    ),
    Column(
        "free_consultation", "tristate", "Offers a free first consultation: yes / no / unknown."
    ),
    Column("accepts_insurance", "tristate", "Bills insurance directly: yes / no / unknown."),
    Column("reviews_rating", "number", "Average patient rating, 0 to 5 stars.", 0, 5),
    Column("reviews_count", "count", "Number of reviews behind the rating.", 0, 10_000_000),
    Column("reviews_source", "url", "Where the rating was read (URL)."),
    Column("notes", "text", "Free text for the reader of the directory."),
)

_MESSAGES = {
    "tristate": "expected yes / no / unknown (true/false, y/n, 1/0 also work)",
    "url": "only http:// and https:// links are accepted",
    "date": "expected a date as YYYY-MM-DD between 1900 and 2199",
    "count": "expected a whole number",
    "routes": "unknown route (expected IV, IM, intranasal or oral)",
    "country": "only US and CA are supported",
    "currency": "expected USD or CAD",
    "precision": "expected exact, postal_code, city or none",
    "status": "expected open, temporarily closed, closed or unknown",
    "text": f"longer than {MAX_TEXT} characters: cut short",
    "region": f"longer than {MAX_TEXT} characters: cut short",
}


@dataclass(frozen=True)
class Schema:
    """All directory columns for one checklist, in file order."""

    checklist: Checklist
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def build_schema(checklist: Checklist) -> Schema:
    """Base columns, then per criterion: one column per yes/no item, its source and date."""
    columns = list(BASE_COLUMNS)
    for criterion in checklist.criteria:
        for item in criterion.items:
            if item.kind == "tristate":
                columns.append(Column(item.column, "tristate", f"{criterion.label}: {item.label}."))
        columns.append(Column(criterion.source_column, "url", f"{criterion.label}: evidence URL."))
        columns.append(
            Column(criterion.verified_column, "date", f"{criterion.label}: date verified.")
        )
    return Schema(checklist, tuple(columns))


@cache
def default_schema() -> Schema:
    return build_schema(default_checklist())


# --- parsing on distinct values ---------------------------------------------------------------

# A column is parsed on its distinct values when at most this share of a sample of its first
# cells is distinct: yes/no items, country, currency, routes and dates, but not names or URLs,
# whose hashing would cost more than it saves.
DISTINCT_SHARE = 0.5
DISTINCT_SAMPLE = 4096
DISTINCT_MIN_ROWS = 64


def distinct_codes(values: pd.Series) -> tuple[np.ndarray, pd.Series] | None:
    """(position of each cell's value in `distinct`, `distinct`), or None for a column of
    mostly different values (or a short one), which is cheaper to parse cell by cell.

    Missing values count as a value of their own, so mapping back restores them too.
    """
    if len(values) < DISTINCT_MIN_ROWS:
        return None
    head = values.iloc[:DISTINCT_SAMPLE]
    if head.nunique(dropna=False) > DISTINCT_SHARE * len(head):
        return None
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(codes, dtype=np.intp), pd.Series(uniques, dtype=values.dtype)


# --- parsers: raw strings in, (parsed values, bad mask) out ---------------------------------


def _lookup(
    tokens: pd.Series, table: Mapping[str, tuple[str, ...]]
) -> tuple[np.ndarray, np.ndarray]:
    """Map tokens to canonical values through alias lists, vectorised via a hash index."""
    aliases = pd.Index([alias for names in table.values() for alias in names])
    canon = np.array([key for key, names in table.items() for _ in names], dtype=object)
    codes = aliases.get_indexer(tokens)
    known = codes >= 0
    out = np.where(known, canon[np.where(known, codes, 0)], "")
    return out, known


def parse_tristate(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    # `isin` runs inside Arrow, and the categorical is built from codes: no Python strings.
    tokens = raw.str.strip().str.lower()
    yes = tokens.isin(_YES).to_numpy(dtype=bool)
    no = tokens.isin(_NO).to_numpy(dtype=bool)
    unknown = tokens.isin(_UNKNOWN).to_numpy(dtype=bool)
    codes = np.where(yes, 2, np.where(no, 0, 1)).astype(np.int8)
    values = pd.Series(pd.Categorical.from_codes(codes, dtype=TRISTATE), index=raw.index)
    return values, pd.Series(~(yes | no | unknown), index=raw.index)


def parse_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = raw.str.strip()
    bad = text.str.len() > MAX_TEXT
    if bad.any():
        text = text.where(~bad, text.str.slice(0, MAX_TEXT))
    return text, bad


def parse_required(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text, _ = parse_text(raw)
    return text, text == ""


def parse_url(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = raw.str.strip()
    lower = text.str.lower()
    # Only a cell without ":" can be a bare domain: one cheap substring scan spares most
    # cells the regex (links written in full all have a scheme).
    bare = ~lower.str.contains(":", regex=False) & (text != "")
    if bare.any():
        bare[bare] = lower[bare].str.match(_BARE_DOMAIN)
    if bare.any():
        text = text.where(~bare, "https://" + text)
        lower = text.str.lower()
    # Matched on the lower-cased text: a case-insensitive flag would push Arrow's regex engine
    # back to a cell-by-cell Python loop.
    ok = lower.str.match(_URL) | (text == "")
    return (text if ok.all() else text.where(ok, "")), ~ok


def parse_number(raw: pd.Series, low: float, high: float) -> tuple[pd.Series, pd.Series]:
    text = raw.str.strip().str.replace(
        f"^(?:US|CA|C|CAN)?\\$|[,{WHITESPACE}]|(?:USD|CAD)$", "", regex=True
    )
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    bad = (text != "") & (values.isna() | (values < low) | (values > high))
    return values.where(~bad), bad


def parse_count(raw: pd.Series, low: float, high: float) -> tuple[pd.Series, pd.Series]:
    values, bad = parse_number(raw, low, high)
    fractional = values.notna() & (values != np.floor(values))
    bad = bad | fractional
    return values.where(~bad).astype("Int64"), bad


# Check dates outside these years are typing mistakes (and pandas' nanosecond dates end in
# 2262): they are reported and read as unknown, like any value that is not a date.
FIRST_DATE, LAST_DATE = pd.Timestamp("1900-01-01"), pd.Timestamp("2199-12-31")


def parse_date(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = raw.str.strip()
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    dates = dates.where((dates >= FIRST_DATE) & (dates <= LAST_DATE))
    bad = (text != "") & dates.isna()
    return dates.astype("datetime64[ns]"), bad


def parse_routes(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    # Wrap every token in ";" so an alias only matches a whole token (no look-around needed,
    # which keeps the patterns inside what Arrow's regex engine accepts).
    wrapped = (
        ";"
        + raw.str.strip()
        .str.lower()
        .str.replace(f"[{WHITESPACE}]*[;,/|][{WHITESPACE}]*", ";;", regex=True)
        + ";"
    )
    out = pd.Series("", index=raw.index, dtype="str")
    leftover = wrapped
    for route in ROUTES:
        pattern = ";(?:" + "|".join(re.escape(a) for a in _ROUTE_ALIASES[route]) + ");"
        out = out + np.where(wrapped.str.contains(pattern, regex=True), route + ";", "")
        leftover = leftover.str.replace(pattern, "", regex=True)
    bad = leftover.str.replace(";", "", regex=False) != ""
    return out.str.rstrip(";"), bad


def parse_country(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    tokens = raw.str.strip().str.lower()
    out, known = _lookup(tokens, _COUNTRY_ALIASES)
    bad = ~known & (tokens != "").to_numpy()
    return pd.Series(out, index=raw.index, dtype="str"), pd.Series(bad, index=raw.index)


def parse_currency(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    tokens = raw.str.strip().str.lower()
    out, known = _lookup(tokens, _CURRENCY_ALIASES)
    bad = ~known & (tokens != "").to_numpy()
    return pd.Series(out, index=raw.index, dtype="str"), pd.Series(bad, index=raw.index)


PRECISIONS = ("exact", "postal_code", "city", "none")


def parse_precision(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    tokens = raw.str.strip().str.lower().str.replace(" ", "_")
    ok = tokens.isin(PRECISIONS) | (tokens == "")
    return tokens.where(ok, ""), ~ok


def parse_status(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    tokens = raw.str.strip().str.lower().str.replace(f"[_{WHITESPACE}-]+", " ", regex=True)
    out, known = _lookup(tokens, _STATUS_ALIASES)
    out = np.where(known, out, "unknown")
    return pd.Series(out, index=raw.index, dtype="str"), pd.Series(~known, index=raw.index)


def parse_region(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text, bad = parse_text(raw)
    short = text.str.len() == 2
    return text.where(~short, text.str.upper()), bad


def parse_postal_code(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = raw.str.strip().str.upper()
    # A US ZIP that lost its leading zeros in a spreadsheet (2139 for 02139) is restored.
    short_zip = text.str.fullmatch(r"\d{3,4}")
    text = text.where(~short_zip, text.str.pad(5, fillchar="0"))
    canadian = text.str.match(_CA_POSTAL)
    text = text.where(
        ~canadian,
        text.str.replace(" ", "").str.slice(0, 3) + " " + text.str.replace(" ", "").str.slice(3),
    )
    ok = (text == "") | text.str.match(_US_ZIP) | canadian
    return text.where(ok, ""), ~ok


def npi_check_digit_ok(digits: pd.Series) -> np.ndarray:
    """Luhn check of 10-digit NPIs (with the 80840 prefix), vectorised over the column."""
    values = digits.to_numpy(dtype=object)
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    matrix = (np.frombuffer("".join(values).encode("ascii"), dtype=np.uint8) - 48).reshape(-1, 10)
    base = matrix[:, :9].astype(np.int64)
    doubled = base[:, 0::2] * 2
    doubled = doubled // 10 + doubled % 10
    total = 24 + doubled.sum(axis=1) + base[:, 1::2].sum(axis=1)
    return (10 - total % 10) % 10 == matrix[:, 9]


def parse_npi(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = raw.str.strip().str.replace(f"[{WHITESPACE}-]", "", regex=True)
    ok = text == ""
    shaped = text.str.fullmatch(r"\d{10}")
    if shaped.any():
        ok = ok.copy()
        ok.loc[shaped] = npi_check_digit_ok(text[shaped])
    return text.where(ok, ""), ~ok


def parser_for(column: Column) -> Parser:
    kind = column.kind
    if kind in ("number", "count"):
        fn = parse_number if kind == "number" else parse_count
        low = -np.inf if column.low is None else column.low
        high = np.inf if column.high is None else column.high
        return lambda raw: fn(raw, low, high)
    return {
        "id": parse_text,
        "text": parse_text,
        "required": parse_required,
        "url": parse_url,
        "tristate": parse_tristate,
        "date": parse_date,
        "routes": parse_routes,
        "country": parse_country,
        "currency": parse_currency,
        "region": parse_region,
        "postal_code": parse_postal_code,
        "npi": parse_npi,
        "precision": parse_precision,
        "status": parse_status,
    }[kind]


def message_for(column: Column) -> str:
    if column.message:
        return column.message
    if column.kind in ("number", "count"):
        extra = "a whole number " if column.kind == "count" else "a number "
        return f"expected {extra}from {column.low:g} to {column.high:g}"
    return _MESSAGES.get(column.kind, "invalid value")


def empty_value(column: Column):
    """What a missing value of this column holds in the clinic table."""
    return {
        "tristate": "unknown",
        "number": np.nan,
        "count": pd.NA,
        "date": pd.NaT,
        "status": "unknown",
    }.get(column.kind, "")
