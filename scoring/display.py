"""One rounding rule for every number a person reads: screen, CSV, print and terminal.

Numbers are rounded half up from the exact value, once, to a fixed number of places per kind
of quantity (scores to whole numbers, so 99.5 reads 100 everywhere and 99.49 reads 99), and
a missing value reads "unknown", never "nan" or "None". The method page states the rule.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

Quantity = Literal["score", "distance", "rating"]
PLACES: dict[Quantity, int] = {"score": 0, "distance": 1, "rating": 2}
UNKNOWN = "unknown"


def round_half_up(values: object, places: int = 0) -> np.ndarray:
    """Half-up rounding (NaN stays NaN). Float noise below 1e-9 is ignored first, so a score
    that is 62.5 on paper rounds to 63 even when it was computed as 62.49999999999."""
    x = np.asarray(values, dtype="float64")
    scale = 10.0**places
    return np.floor(np.round(x * scale, 6) + 0.5) / scale


def rounded(values: pd.Series, quantity: Quantity) -> pd.Series:
    """A column rounded by the rule for its quantity (whole scores stay floats for NaN)."""
    return pd.Series(round_half_up(values, PLACES[quantity]), index=values.index)


def number_text(value: object, quantity: Quantity = "score") -> str:
    """One number as a person reads it: rounded by the rule, or "unknown"."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return UNKNOWN
    if np.isnan(number):
        return UNKNOWN
    places = PLACES[quantity]
    return f"{float(round_half_up(number, places)):.{places}f}"


def rounding_rule() -> str:
    """The rule in words, for the method page."""
    return (
        "Scores are shown as whole numbers, rounded half up from the exact score (62.5 shows "
        "as 63, 62.49 as 62); distances to one decimal and the adjusted rating to two, by the "
        "same rule. The screen, the downloads, the printable page and the command line all "
        "show the same figures."
    )


def date_span(values: pd.Series) -> str | None:
    """'first to last' over the readable dates in `values`, or None when there are none."""
    dates = pd.to_datetime(values, errors="coerce").dropna()
    if dates.empty:
        return None
    return f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}"
