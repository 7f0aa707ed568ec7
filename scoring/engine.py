"""The scoring engine: checklist answers in, transparent 0-100 scores out.

Rules (published by `scoring.method`):
- every item earns its points for yes and nothing for no or unknown, so yes >= unknown >= no;
- a criterion scores (points earned) / (points available) * 100;
- the rating item earns a share of its points from the shrunk rating (`scoring.reviews`);
- overall is the weighted mean of the criterion scores (weights 0-5, weight 0 leaves it out);
- must-have requirements filter clinics out; they never change a score.
All of it runs over whole columns (numpy), never clinic by clinic.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.checklist import Checklist, Criterion, Item, default_checklist
from scoring.display import number_text
from scoring.errors import UsageError
from scoring.reviews import few_reviews, rating_share, shrunk_rating

NO, UNKNOWN, YES = 0, 1, 2
STATE_NAMES = ("no", "unknown", "yes")
WEIGHT_RANGE = (0.0, 5.0)
QUESTION_SEPARATOR = " | "
# Columns the engine adds to a clinic table.
SCORE_COLUMNS_TAIL = (
    "overall",
    "completeness",
    "unknowns",
    "stale",
    "stale_criteria",
    "last_verified",
    "reviews_shrunk",
    "few_reviews",
)


class ScoringError(UsageError):
    """Bad weights or requirements (the message says which and why)."""


Weights = Mapping[str, float]


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def check_weights(weights: Weights | None, checklist: Checklist | None = None) -> dict[str, float]:
    """All criterion weights (default 1), each within 0-5, not all zero."""
    checklist = checklist or default_checklist()
    out = dict.fromkeys(checklist.keys, 1.0)
    for key, value in (weights or {}).items():
        if key not in out:
            raise ScoringError(f"unknown criterion '{key}'{_suggest(key, out)}")
        value = float(value)
        if not (math.isfinite(value) and WEIGHT_RANGE[0] <= value <= WEIGHT_RANGE[1]):
            raise ScoringError(f"weight for '{key}' must be between 0 and 5, not {value:g}")
        out[key] = value
    if not any(out.values()):
        raise ScoringError("at least one criterion needs a weight above 0")
    return out


def parse_weights(text: str, checklist: Checklist | None = None) -> dict[str, float]:
    """'expertise=3,pricing=1' -> checked weights (unnamed criteria keep weight 1)."""
    pairs = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep:
            raise ScoringError(f"'{part}' is not of the form criterion=weight")
        try:
            pairs[key.strip()] = float(value)
        except ValueError:
            raise ScoringError(f"weight for '{key.strip()}' is not a number: '{value}'") from None
    return check_weights(pairs, checklist)


def check_requirements(
    require: Iterable[str], checklist: Checklist | None = None
) -> tuple[str, ...]:
    """Must-have item ids (`criterion.item`, yes/no items only), checked against the checklist."""
    checklist = checklist or default_checklist()
    valid = [item.column for item in checklist.tristate_items]
    out = []
    for key in require:
        key = key.strip()
        if not key:
            continue
        if key not in valid:
            raise ScoringError(f"unknown checklist item '{key}'{_suggest(key, valid)}")
        out.append(key)
    return tuple(dict.fromkeys(out))


def item_states(table: pd.DataFrame, item: Item) -> np.ndarray:
    """0 no / 1 unknown / 2 yes for one item over the whole table."""
    if item.kind == "rating":
        known = table["reviews_rating"].notna().to_numpy()
        return np.where(known, YES, UNKNOWN).astype(np.int8)
    column = table[item.column]
    if isinstance(column.dtype, pd.CategoricalDtype) and list(column.cat.categories) == list(
        STATE_NAMES
    ):
        codes = column.cat.codes.to_numpy()
        states = np.where(codes < 0, UNKNOWN, codes).astype(np.int8)
    else:
        text = column.astype("str").str.lower().to_numpy()
        states = np.select([text == "yes", text == "no"], [YES, NO], UNKNOWN).astype(np.int8)
    if item.implied_by and item.implied_by in table.columns:
        implied = table[item.implied_by].notna().to_numpy()
        states = np.where((states == UNKNOWN) & implied, YES, states).astype(np.int8)
    return states


def scoring_columns(checklist: Checklist | None = None) -> tuple[str, ...]:
    """The directory columns the engine reads: enough to score and rank, nothing else."""
    checklist = checklist or default_checklist()
    columns = ["id", "name", "reviews_rating", "reviews_count"]
    for criterion in checklist.criteria:
        columns.extend(item.column for item in criterion.items if item.kind == "tristate")
        columns.extend(item.implied_by for item in criterion.items if item.implied_by)
        columns.append(criterion.verified_column)
    return tuple(dict.fromkeys(columns))


def _earned(table: pd.DataFrame, item: Item, states: np.ndarray, share: np.ndarray) -> np.ndarray:
    if item.kind == "rating":
        return item.points * share
    return np.where(states == YES, item.points, 0.0)


def compute_scores(
    table: pd.DataFrame,
    weights: Weights | None = None,
    today: dt.date | None = None,
    checklist: Checklist | None = None,
) -> pd.DataFrame:
    """Score columns for every clinic, aligned with `table`'s index."""
    checklist = checklist or default_checklist()
    weights = check_weights(weights, checklist)
    today = pd.Timestamp(today or dt.date.today())
    n = len(table)
    model = checklist.reviews_model
    rating = table["reviews_rating"].to_numpy(dtype="float64", na_value=np.nan)
    count = table["reviews_count"].to_numpy(dtype="float64", na_value=np.nan)
    shrunk = shrunk_rating(rating, count, model)
    share = rating_share(shrunk, model)
    out: dict[str, np.ndarray] = {}
    known_items = np.zeros(n, dtype=np.int32)
    stale_code = np.zeros(n, dtype=np.int64)  # bit i set: criterion i is stale
    newest = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    for index, criterion in enumerate(checklist.criteria):
        earned = np.zeros(n)
        for item in criterion.items:
            states = item_states(table, item)
            earned += _earned(table, item, states, share)
            known_items += states != UNKNOWN
        out[criterion.key] = 100.0 * earned / criterion.points
        verified = pd.to_datetime(table[criterion.verified_column], errors="coerce")
        age = (today - verified).dt.days.to_numpy(dtype="float64", na_value=np.nan)
        stale = np.isnan(age) | (age > checklist.stale_after_days)
        stale_code |= stale.astype(np.int64) << index
        newest = np.fmax(newest, verified.to_numpy(dtype="datetime64[ns]"))  # NaT-aware max
    total_items = len(checklist.items)
    weight_vector = np.array([weights[k] for k in checklist.keys])
    matrix = np.column_stack([out[k] for k in checklist.keys])
    out["overall"] = matrix @ weight_vector / weight_vector.sum()
    out["completeness"] = 100.0 * known_items / total_items
    out["unknowns"] = total_items - known_items
    out["stale"] = stale_code != 0
    out["stale_criteria"] = _stale_labels(checklist.keys)[stale_code]
    out["last_verified"] = newest
    out["reviews_shrunk"] = shrunk
    out["few_reviews"] = ~np.isnan(rating) & few_reviews(np.nan_to_num(count, nan=0.0), model)
    return pd.DataFrame(out, index=table.index, copy=False)


@functools.cache
def _stale_labels(keys: tuple[str, ...]) -> np.ndarray:
    """Every combination of stale criteria as text, indexed by its bit pattern."""
    labels = [
        ";".join(k for i, k in enumerate(keys) if code >> i & 1) for code in range(1 << len(keys))
    ]
    return np.array(labels, dtype=object)


def requirement_mask(
    table: pd.DataFrame, require: Iterable[str], checklist: Checklist | None = None
) -> np.ndarray:
    """True for clinics whose every must-have item is yes."""
    checklist = checklist or default_checklist()
    mask = np.ones(len(table), dtype=bool)
    for key in check_requirements(require, checklist):
        mask &= item_states(table, checklist.item(key)) == YES
    return mask


def rank_clinics(
    table: pd.DataFrame,
    weights: Weights | None = None,
    require: Iterable[str] = (),
    today: dt.date | None = None,
    top: int | None = None,
    checklist: Checklist | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The table with score columns, filtered by must-haves, best first, with a `rank`.

    `columns` chooses which directory columns travel with the scores (all by default). Over a
    very large table, ranking just `id` and `name` and fetching details for the rows actually
    shown keeps memory to a fraction, since only the chosen columns are reordered and copied.
    """
    checklist = checklist or default_checklist()
    require = check_requirements(require, checklist)
    keep = requirement_mask(table, require, checklist)
    kept = table if keep.all() else table[keep]
    scores = compute_scores(kept, weights, today, checklist)
    keys = _ranking_keys(kept["name"], scores["completeness"], scores["overall"])
    order = np.lexsort(keys)
    rank = _shared_ranks([k[order] for k in keys])
    if top is not None:
        order, rank = order[: max(top, 0)], rank[: max(top, 0)]
    carried = kept if columns is None else kept[list(columns)]
    ranked = pd.concat([carried.iloc[order], scores.iloc[order]], axis=1)
    ranked.insert(0, "rank", rank)
    return ranked.reset_index(drop=True)


def rerank(ranked: pd.DataFrame) -> np.ndarray:
    """Ranks for rows still in ranking order after some were filtered out (1, 2, 2, 4...)."""
    return _shared_ranks(_ranking_keys(ranked["name"], ranked["completeness"], ranked["overall"]))


def _ranking_keys(
    names: pd.Series, completeness: pd.Series, overall: pd.Series
) -> tuple[np.ndarray, ...]:
    """np.lexsort keys, last first: overall, then completeness (both best first), then name.
    Scores are rounded so that values equal on paper tie whatever the float noise."""
    name_order, _ = pd.factorize(names, sort=True)  # ints, not a million str objects
    return (
        name_order,
        -np.round(completeness.to_numpy(dtype="float64"), 9),
        -np.round(overall.to_numpy(dtype="float64"), 9),
    )


def _shared_ranks(sorted_keys: Sequence[np.ndarray]) -> np.ndarray:
    """1, 2, 2, 4...: clinics equal on every ranking key share a rank, so that the order of
    rows in the file (or an id, a note, a website) can never put one above the other."""
    n = len(sorted_keys[0]) if sorted_keys else 0
    if n == 0:
        return np.arange(1, 1, dtype="int64")
    starts = np.ones(n, dtype=bool)
    for key in sorted_keys:
        starts[1:] &= key[1:] == key[:-1]
    starts = ~starts
    starts[0] = True
    return np.maximum.accumulate(np.where(starts, np.arange(1, n + 1), 0))


def questions(table: pd.DataFrame, checklist: Checklist | None = None) -> pd.Series:
    """The questions to ask each clinic (items that are unknown or no), joined by ' | '."""
    checklist = checklist or default_checklist()
    text = np.full(len(table), "", dtype=object)
    for item in checklist.items:
        states = item_states(table, item)
        text = text + np.where(states != YES, item.question + QUESTION_SEPARATOR, "")
    return pd.Series(text, index=table.index, dtype="str").str.removesuffix(QUESTION_SEPARATOR)


# --- explanations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemResult:
    item: Item
    state: str
    earned: float
    note: str = ""


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    score: float
    earned: float
    items: tuple[ItemResult, ...]
    source: str
    verified_on: dt.date | None
    stale: bool

    def state_label(self, state: str) -> str:
        return self.criterion.unknown_label if state == "unknown" else state


@dataclass(frozen=True)
class Explanation:
    clinic_id: str
    name: str
    overall: float
    completeness: float
    unknowns: int
    criteria: tuple[CriterionResult, ...]
    questions: tuple[str, ...]
    reviews_mean: float | None
    reviews_count: int | None
    reviews_shrunk: float | None
    few_reviews: bool
    rubric_version: str

    def lines(self) -> list[str]:
        """A plain-text account of the score, criterion by criterion."""
        out = [
            f"{self.name}: overall {number_text(self.overall)}/100, "
            f"{number_text(self.completeness)}% of items known"
        ]
        for c in self.criteria:
            when = c.verified_on.isoformat() if c.verified_on else "no date"
            flag = " (stale)" if c.stale else ""
            out.append(
                f"{c.criterion.label}: {number_text(c.score)}/100 "
                f"({c.earned:g} of {c.criterion.points:g} "
                f"points); source {c.source or 'none'}, verified {when}{flag}"
            )
            for r in c.items:
                note = f" - {r.note}" if r.note else ""
                out.append(f"  [{c.state_label(r.state)}] {r.item.label}: +{r.earned:g}{note}")
        return out


def _none_if_nan(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def explain(
    clinic: pd.Series | Mapping,
    weights: Weights | None = None,
    today: dt.date | None = None,
    checklist: Checklist | None = None,
) -> Explanation:
    """Why one clinic scores what it does; the numbers come from `compute_scores` itself."""
    checklist = checklist or default_checklist()
    row = pd.DataFrame([dict(clinic)])
    scores = compute_scores(row, weights, today, checklist).iloc[0]
    share = rating_share(np.array([scores["reviews_shrunk"]]), checklist.reviews_model)
    results = []
    for criterion in checklist.criteria:
        items = []
        earned_total = 0.0
        for item in criterion.items:
            states = item_states(row, item)
            state = STATE_NAMES[int(states[0])]
            earned = float(_earned(row, item, states, share)[0])
            note = ""
            if item.kind == "rating" and state == "yes":
                stars, count = row["reviews_rating"].iloc[0], int(row["reviews_count"].iloc[0])
                shrunk = scores["reviews_shrunk"]
                note = (
                    f"{stars:.1f} stars from {count} reviews, adjusted to "
                    f"{number_text(shrunk, 'rating')}"
                )
            elif item.implied_by and state == "yes" and str(row[item.column].iloc[0]) != "yes":
                note = f"implied by {item.implied_by}"
            earned_total += earned
            items.append(ItemResult(item, state, round(earned, 2), note))
        verified = pd.to_datetime(row[criterion.verified_column].iloc[0], errors="coerce")
        results.append(
            CriterionResult(
                criterion=criterion,
                score=float(scores[criterion.key]),
                earned=round(earned_total, 2),
                items=tuple(items),
                source=str(row[criterion.source_column].iloc[0] or ""),
                verified_on=None if pd.isna(verified) else verified.date(),
                stale=criterion.key in str(scores["stale_criteria"]).split(";"),
            )
        )
    asked = questions(row, checklist).iloc[0]
    reviews = _none_if_nan(row["reviews_count"].iloc[0])
    return Explanation(
        clinic_id=str(row["id"].iloc[0]),
        name=str(row["name"].iloc[0]),
        overall=float(scores["overall"]),
        completeness=float(scores["completeness"]),
        unknowns=int(scores["unknowns"]),
        criteria=tuple(results),
        questions=tuple(asked.split(QUESTION_SEPARATOR)) if asked else (),
        reviews_mean=_none_if_nan(row["reviews_rating"].iloc[0]),
        reviews_count=None if reviews is None else int(reviews),
        reviews_shrunk=_none_if_nan(scores["reviews_shrunk"]),
        few_reviews=bool(scores["few_reviews"]),
        rubric_version=checklist.version,
    )
