"""One rounding rule for every number a person reads: screen, CSV, print and terminal.

Numbers are rounded half up from the exact value, once, to a fixed number of places per kind
of quantity (scores to whole numbers, so 99.5 reads 100 everywhere and 99.49 reads 99), and
a missing value reads "unknown", never "nan" or "None". The method page states the rule.
"""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pandas as pd

Quantity = Literal["score", "distance", "rating", "money"]
PLACES: dict[Quantity, int] = {"score": 0, "distance": 1, "rating": 2, "money": 0}
UNKNOWN = "unknown"
NOT_LISTED = "not listed"  # a fact the clinic has not published (a price, a fee)
DistanceUnit = Literal["mi", "km"]
# How a patient may ask for distances: "auto" is km for a place in Canada, miles otherwise.
UNIT_CHOICES = ("auto", "mi", "km")


def round_half_up(values: object, places: int = 0) -> np.ndarray:
    """Half-up rounding (NaN stays NaN). Float noise below 1e-9 is ignored first, so a score
    that is 62.5 on paper rounds to 63 even when it was computed as 62.49999999999."""
    x = np.asarray(values, dtype="float64")
    scale = 10.0**places
    return np.floor(np.round(x * scale, 6) + 0.5) / scale


def rounded(values: pd.Series, quantity: Quantity) -> pd.Series:
    """A column rounded by the rule for its quantity (whole scores stay floats for NaN)."""
    return pd.Series(round_half_up(values, PLACES[quantity]), index=values.index)


def number_text(value: object, quantity: Quantity = "score", missing: str = UNKNOWN) -> str:
    """One number as a person reads it: rounded by the rule (money with thousands commas),
    or `missing` ("unknown" unless told)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return missing
    if np.isnan(number):
        return missing
    places = PLACES[quantity]
    group = "," if quantity == "money" else ""
    return f"{float(round_half_up(number, places)):{group}.{places}f}"


def money_text(value: object, currency: object = "") -> str:
    """An amount in the clinic's own currency as given ("450 USD"), or "not listed"."""
    text = number_text(value, "money", NOT_LISTED)
    if text == NOT_LISTED:
        return text
    return f"{text} {currency}" if currency else f"{text} (currency not listed)"


def distance_text(value: object, unit: DistanceUnit) -> str:
    """A distance already in `unit` ("12.3 mi", "19.8 km"), or "unknown"."""
    text = number_text(value, "distance")
    return text if text == UNKNOWN else f"{text} {unit}"


def tel_uri(phone: object) -> str | None:
    """A `tel:` address for a listed phone number: digits and a leading + only (nothing else
    from the directory reaches the link), an extension left off; None when it cannot be
    dialled."""
    text = _PHONE_END.split(str(phone or ""), maxsplit=1)[0].strip()
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
    if not 7 <= len(digits) <= 15:  # E.164 allows at most 15 digits
        return None
    return f"tel:{'+' if text.startswith('+') else ''}{digits}"


# Where the dialled part of a listed number ends: "ext. 4", "x4", ";ext=4", "#4", ", press 2".
_PHONE_END = re.compile(r"[A-Za-z;,#]")


def rounding_rule() -> str:
    """The rule in words, for the method page."""
    return (
        "Scores are shown as whole numbers, rounded half up from the exact score (62.5 shows "
        "as 63, 62.49 as 62); distances to one decimal, the adjusted rating to two and money "
        "(prices, fees and the first-year cost estimate) to whole units, by the same rule. "
        "The screen, the downloads, the printable page and the command line all show the "
        "same figures; a missing figure reads unknown, or not listed for a price the clinic "
        "has not published."
    )


def date_span(values: pd.Series) -> str | None:
    """'first to last' over the readable dates in `values`, or None when there are none."""
    dates = pd.to_datetime(values, errors="coerce").dropna()
    if dates.empty:
        return None
    return f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}"
