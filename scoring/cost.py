"""The first-year cost estimate: consultation, the first series, then boosters to month 12.

Patients pay out of pocket and commit to a series, so the price of one session says little on
its own. The estimate adds up what the directory says about a clinic's prices; a fact it does
not give is replaced by the published figures for scale in `checklist.toml` (`[cost_model]`),
which turns the estimate into a range (low, high) and the missing fact into a question to ask.
Amounts stay in the clinic's own currency: nothing is ever converted. Vectorised over the
whole table; amounts are rounded by `scoring.display`'s one rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.checklist import Checklist, CostModel, default_checklist
from scoring.display import NOT_LISTED, money_text, number_text, round_half_up
from scoring.engine import QUESTION_SEPARATOR

# The directory facts the estimate reads (amounts in the clinic's `currency`).
FACTS = (
    "consultation_fee",
    "series_sessions",
    "price_per_session",
    "booster_price",
    "booster_interval_months",
)
# Every directory column the estimate needs (a page that gathers few columns asks for these).
INPUT_COLUMNS = (*FACTS, "currency", "country", "free_consultation")
LOW, HIGH, CURRENCY, QUESTIONS = (
    "first_year_low",
    "first_year_high",
    "first_year_currency",
    "cost_questions",
)
COST_COLUMNS = (LOW, HIGH, CURRENCY, QUESTIONS)
FACT_LABELS = {
    "consultation_fee": "Consultation fee",
    "series_sessions": "Sessions in a first series",
    "price_per_session": "Price per session",
    "booster_price": "Booster session price",
    "booster_interval_months": "A booster every",
}
MONTHS = 12
_CURRENCY_OF_COUNTRY = {"US": "USD", "CA": "CAD"}


def _model(checklist: Checklist | None) -> CostModel:
    model = (checklist or default_checklist()).cost_model
    if model is None:
        raise ValueError("the checklist has no [cost_model] for the cost estimate")
    return model


def _fact(table: pd.DataFrame, name: str) -> np.ndarray:
    """A fact as floats, NaN where unknown (or where the table has no such column)."""
    if name not in table.columns:
        return np.full(len(table), np.nan)
    return pd.to_numeric(table[name], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _span(values: np.ndarray, bound: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    unknown = np.isnan(values)
    return np.where(unknown, bound[0], values), np.where(unknown, bound[1], values)


def boosters(months_left: float, interval: np.ndarray) -> np.ndarray:
    """How many boosters fit in `months_left` at one every `interval` months (none at 0)."""
    return np.floor(months_left / interval + 1e-9)


def estimate_currency(table: pd.DataFrame) -> np.ndarray:
    """The currency the clinic's amounts are in: as given, else its country's, else ""."""
    blank = pd.Series("", index=table.index, dtype="str")
    given = table.get("currency", blank).astype("str").fillna("")
    country = table.get("country", blank).astype("str").map(_CURRENCY_OF_COUNTRY).fillna("")
    return given.where(given != "", country).to_numpy(dtype=str)


def fact_questions(checklist: Checklist | None = None) -> dict[str, str]:
    """fact -> what to ask when it is missing: the pricing item's question for a fact that an
    item is implied by (the price, the sessions), so no question is asked twice."""
    checklist = checklist or default_checklist()
    asked = dict(_model(checklist).questions)
    for item in checklist.items:
        if item.implied_by in FACTS:
            asked.setdefault(item.implied_by, item.question)
    return asked


def first_year_cost(table: pd.DataFrame, checklist: Checklist | None = None) -> pd.DataFrame:
    """`first_year_low`, `first_year_high`, `first_year_currency` and `cost_questions` for
    every clinic, aligned with `table`'s index.

    Cost = consultation + sessions x price + boosters x booster price, boosters falling every
    interval over the months after the first series. Unknown facts take the model's (low,
    high) figures; an unknown booster price is the session price; a free consultation costs 0.
    A clinic that gives none of the facts has no estimate (NaN): it reads "not listed".
    """
    checklist = checklist or default_checklist()
    model = _model(checklist)
    fee = _fact(table, "consultation_fee")
    if "free_consultation" in table.columns:
        free = (table["free_consultation"].astype("str") == "yes").to_numpy()
        fee = np.where(np.isnan(fee) & free, 0.0, fee)
    sessions = _fact(table, "series_sessions")
    price = _fact(table, "price_per_session")
    booster = _fact(table, "booster_price")
    interval = _fact(table, "booster_interval_months")
    fee_lo, fee_hi = _span(fee, model.bound("consultation_fee"))
    n_lo, n_hi = _span(sessions, model.bound("series_sessions"))
    p_lo, p_hi = _span(price, model.bound("price_per_session"))
    b_lo, b_hi = (
        np.where(np.isnan(booster), p_lo, booster),
        np.where(np.isnan(booster), p_hi, booster),
    )
    i_lo, i_hi = _span(interval, model.bound("booster_interval_months"))
    left = MONTHS - model.series_months
    low = fee_lo + n_lo * p_lo + boosters(left, i_hi) * b_lo
    high = fee_hi + n_hi * p_hi + boosters(left, i_lo) * b_hi
    facts = np.column_stack([fee, sessions, price, booster, interval])
    listed = (~np.isnan(facts)).any(axis=1)
    text = np.full(len(table), "", dtype=object)
    for fact, question in fact_questions(checklist).items():
        missing = np.isnan(facts[:, FACTS.index(fact)])
        text = text + np.where(missing, question + QUESTION_SEPARATOR, "")
    return pd.DataFrame(
        {
            LOW: round_half_up(np.where(listed, low, np.nan)),
            HIGH: round_half_up(np.where(listed, high, np.nan)),
            CURRENCY: estimate_currency(table),
            QUESTIONS: pd.Series(text, dtype="str").str.removesuffix(QUESTION_SEPARATOR).array,
        },
        index=table.index,
    )


def with_cost(table: pd.DataFrame, checklist: Checklist | None = None) -> pd.DataFrame:
    """`table` with the estimate's columns added (replacing any from before)."""
    return table.drop(columns=list(COST_COLUMNS), errors="ignore").join(
        first_year_cost(table, checklist)
    )


def cost_text(low: object, high: object, currency: object = "") -> str:
    """One estimate as a person reads it: "4,650 USD", "3,200 to 9,800 CAD" or "not listed"."""
    lo, hi = number_text(low, "money", NOT_LISTED), number_text(high, "money", NOT_LISTED)
    if NOT_LISTED in (lo, hi):
        return NOT_LISTED
    amount = lo if lo == hi else f"{lo} to {hi}"
    return f"{amount} {currency}" if currency else f"{amount} (currency not listed)"


def cost_texts(frame: pd.DataFrame) -> pd.Series:
    """`cost_text` of every row of a frame holding the estimate's columns."""
    rows = zip(frame[LOW], frame[HIGH], frame[CURRENCY], strict=True)
    return pd.Series([cost_text(*row) for row in rows], index=frame.index, dtype="str")


def within_budget(frame: pd.DataFrame, most: float) -> np.ndarray:
    """Clinics whose whole estimate (its high end) is at most `most` in their own currency.

    A clinic with no estimate is left out, as the price filter leaves out unpublished prices.
    """
    high = frame[HIGH] if HIGH in frame.columns else first_year_cost(frame)[HIGH]
    values = high.to_numpy(dtype="float64", na_value=np.nan)
    return ~np.isnan(values) & (values <= most)


def _months(value: float) -> str:
    return f"{value:g} month" + ("" if value == 1 else "s")


@dataclass(frozen=True)
class CostSummary:
    """One clinic's estimate as a person reads it, the facts behind it and what to ask."""

    text: str  # "4,650 USD", "3,200 to 9,800 CAD" or "not listed"
    exact: bool  # every fact known: a single figure, not a range
    facts: tuple[tuple[str, str], ...]  # (label, value as read), "not listed" when unknown
    questions: tuple[str, ...]


def cost_summary(clinic: pd.Series, checklist: Checklist | None = None) -> CostSummary:
    """The estimate of one clinic (a row of the clinic table), for its page and comparisons."""
    row = clinic.to_frame().T
    found = first_year_cost(row, checklist).iloc[0]
    currency = found[CURRENCY]
    facts = _fact(row, "consultation_fee")
    free = str(clinic.get("free_consultation", "")) == "yes"
    fee = "free" if np.isnan(facts[0]) and free else money_text(facts[0], currency)
    booster = money_text(clinic.get("booster_price"), currency)
    if booster == NOT_LISTED:
        booster = "not listed (counted as the session price)"
    months = number_text(clinic.get("booster_interval_months"), "rating", NOT_LISTED)
    shown = {
        "consultation_fee": fee,
        "series_sessions": number_text(clinic.get("series_sessions"), "score", NOT_LISTED),
        "price_per_session": money_text(clinic.get("price_per_session"), currency),
        "booster_price": booster,
        "booster_interval_months": months if months == NOT_LISTED else _months(float(months)),
    }
    asked = str(found[QUESTIONS])
    return CostSummary(
        text=cost_text(found[LOW], found[HIGH], currency),
        exact=bool(found[LOW] == found[HIGH]),
        facts=tuple((FACT_LABELS[f], shown[f]) for f in FACTS),
        questions=tuple(asked.split(QUESTION_SEPARATOR)) if asked else (),
    )
