"""Patient filters over the clinic table (route, telehealth, insurance, price), vectorised.

`explain_empty` says which filter emptied the list, so the app can tell people what to relax.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Filters:
    routes: tuple[str, ...] = ()
    telehealth_only: bool = False
    accepts_insurance: bool = False
    max_price: float | None = None

    def masks(self, table: pd.DataFrame) -> dict[str, np.ndarray]:
        """One boolean mask per active filter, named for the message that relaxes it."""
        out: dict[str, np.ndarray] = {}
        if self.routes:
            wrapped = ";" + table["routes"].astype("str") + ";"
            out["route"] = np.zeros(len(table), dtype=bool)
            for route in set(self.routes):
                out["route"] |= wrapped.str.contains(f";{route};", regex=False).to_numpy()
        if self.telehealth_only:
            out["telehealth"] = (table["telehealth"] == "yes").to_numpy()
        if self.accepts_insurance:
            out["insurance"] = (table["accepts_insurance"] == "yes").to_numpy()
        if self.max_price is not None:
            price = table["price_per_session"].to_numpy(dtype="float64")
            out["price"] = ~np.isnan(price) & (price <= self.max_price)
        return out

    def apply(self, table: pd.DataFrame) -> pd.DataFrame:
        masks = self.masks(table)
        if not masks:
            return table
        keep = np.logical_and.reduce(list(masks.values()))
        return table[keep]


RELAX = {
    "route": "choose more treatment routes",
    "telehealth": "untick 'telehealth or at-home only'",
    "insurance": "untick 'bills insurance'",
    "price": "raise the maximum price (clinics that do not publish a price are left out by it)",
    "radius": "widen the search radius",
    "must_haves": "drop a must-have item",
}


def explain_empty(blockers: Iterable[str]) -> str:
    """A sentence naming what to relax, from the filters that removed clinics."""
    hints = [RELAX[b] for b in blockers if b in RELAX]
    if not hints:
        return "No clinics in this directory match."
    return "No clinic matches all your choices. Try to " + "; or ".join(hints) + "."
