"""Patient filters over the clinic table (route, telehealth, insurance, price, first-year
cost, closed clinics), vectorised.

`explain_empty` says which filter emptied the list, so the app can tell people what to relax;
closed clinics are hidden unless asked for, and `closed_note` says how many were hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.cost import INPUT_COLUMNS, within_budget

CLOSED = "closed"  # the `status` that hides a clinic from patients by default
# The radius the app starts with, and the one `clinic-compare score --near` uses unless told.
DEFAULT_RADIUS_MI = 50


@dataclass(frozen=True)
class Filters:
    routes: tuple[str, ...] = ()
    telehealth_only: bool = False
    accepts_insurance: bool = False
    max_price: float | None = None
    # The most the first year may cost (the estimate's high end), in each clinic's own
    # currency: 5000 means 5,000 USD for a US clinic and 5,000 CAD for a Canadian one.
    max_first_year_cost: float | None = None
    show_closed: bool = False

    # The directory columns `masks` reads (a page that gathers few columns adds these).
    COLUMNS = (
        "routes", "telehealth", "accepts_insurance", "price_per_session", "status",
        *INPUT_COLUMNS,
    )  # fmt: skip

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
        if self.max_first_year_cost is not None:
            out["first_year_cost"] = within_budget(table, self.max_first_year_cost)
        if not self.show_closed and "status" in table.columns:
            out["closed"] = (table["status"] != CLOSED).to_numpy()
        return out

    def hidden_closed(self, table: pd.DataFrame) -> int:
        """How many closed clinics these filters hide from `table`."""
        if self.show_closed or "status" not in table.columns:
            return 0
        return int((table["status"] == CLOSED).sum())

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
    "first_year_cost": "raise the maximum first-year cost (clinics with unknown prices have "
    "wide estimates, and clinics without any price are left out by it)",
    "closed": "tick 'Show closed clinics'",
    "radius": "widen the search radius",
    "must_haves": "drop a must-have item",
}


def explain_empty(blockers: Iterable[str]) -> str:
    """A sentence naming what to relax, from the filters that removed clinics."""
    hints = [RELAX[b] for b in blockers if b in RELAX]
    if not hints:
        return "No clinics in this directory match."
    return "No clinic matches all your choices. Try to " + "; or ".join(hints) + "."


def closed_note(hidden: int, how: str = "tick 'Show closed clinics'") -> str | None:
    """The note under the results when closed clinics were hidden (None when none were);
    `how` says how to show them on this face."""
    if hidden <= 0:
        return None
    clinics = "clinic is" if hidden == 1 else "clinics are"
    return f"{hidden} {clinics} listed as closed and hidden; {how} to see them."
