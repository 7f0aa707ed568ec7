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
from typing import Any

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


def _suggest(word: str, choices: Iterable[str], what: str = "") -> str:
    """' (did you mean ...?)' for close names; with `what`, also every valid name."""
    names = list(choices)
    close = difflib.get_close_matches(word, names, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return hint + (f"; the {what} are: {', '.join(names)}" if what else "")


def check_weights(weights: Weights | None, checklist: Checklist | None = None) -> dict[str, float]:
    """All criterion weights (default 1), each within 0-5, not all zero."""
    checklist = checklist or default_checklist()
    out = dict.fromkeys(checklist.keys, 1.0)
    for key, value in (weights or {}).items():
        if key not in out:
            raise ScoringError(f"unknown criterion '{key}'{_suggest(key, out, 'criteria')}")
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
            raise ScoringError(
                f"unknown checklist item '{key}'{_suggest(key, valid, 'yes/no items')}"
            )
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


@dataclass(frozen=True, eq=False)
class ScoreBasis:
    """Everything about a table's scores that the weights do not change.

    Built once per table and day (`score_basis`); after that a weight change costs one
    matrix product and one sort (`rank`), and must-haves one look at the item states. Arrays
    are aligned with the table's rows (positions, not labels).
    """

    checklist: Checklist
    index: pd.Index
    criteria: np.ndarray  # criteria x rows, 0-100 each (row-major: a weighted sum is one gemv)
    states: np.ndarray  # rows x items (criterion by criterion), NO / UNKNOWN / YES as int8
    completeness: np.ndarray
    unknowns: np.ndarray
    stale_code: np.ndarray  # bit i set: criterion i is stale
    last_verified: np.ndarray
    reviews_shrunk: np.ndarray
    few_reviews: np.ndarray
    position: np.ndarray  # each row's place when sorted by completeness (best first), then name
    tie_group: np.ndarray  # rows equal on completeness and name share a number

    def __len__(self) -> int:
        return len(self.index)

    def overall(self, weights: Weights | None = None, rows: np.ndarray | None = None) -> np.ndarray:
        """The weighted mean of the criterion scores (weights checked: 0-5, not all 0)."""
        checked = check_weights(weights, self.checklist)
        vector = np.array([checked[k] for k in self.checklist.keys])
        matrix = self.criteria if rows is None else self.criteria[:, rows]
        # einsum's own loop, not BLAS: its threads cost more than this sum on a busy machine.
        return np.einsum("k,kn->n", vector, matrix) / vector.sum()

    def requirement_mask(self, require: Iterable[str] = ()) -> np.ndarray:
        """True for rows whose every must-have item is yes."""
        keys = check_requirements(require, self.checklist)
        mask = np.ones(len(self), dtype=bool)
        items = (item for criterion in self.checklist.criteria for item in criterion.items)
        positions = {item.column: i for i, item in enumerate(items)}  # the `states` columns
        for key in keys:
            mask &= self.states[:, positions[key]] == YES
        return mask

    def frame(self, weights: Weights | None = None, rows: np.ndarray | None = None) -> pd.DataFrame:
        """The score columns (`SCORE_COLUMNS`) for all rows, or for `rows` in that order."""
        pick = slice(None) if rows is None else rows
        criteria = self.criteria if rows is None else self.criteria[:, rows]  # one gather
        out: dict[str, Any] = {key: criteria[i] for i, key in enumerate(self.checklist.keys)}
        code = self.stale_code[pick]
        out["overall"] = self.overall(weights, rows)
        out["completeness"] = self.completeness[pick]
        out["unknowns"] = self.unknowns[pick]
        out["stale"] = code != 0
        # Codes into the 2^criteria labels: no text made per clinic.
        out["stale_criteria"] = pd.Categorical.from_codes(code, _stale_labels(self.checklist.keys))
        out["last_verified"] = self.last_verified[pick]
        out["reviews_shrunk"] = self.reviews_shrunk[pick]
        out["few_reviews"] = self.few_reviews[pick]
        index = self.index if rows is None else self.index[rows]
        return pd.DataFrame(out, index=index, copy=False)

    def rank(self, weights: Weights | None = None, require: Iterable[str] = ()) -> Ranking:
        """Clinics meeting the must-haves, best first: overall, then completeness, then name.

        Equal on all three, clinics share a rank and keep their order in the file. The
        completeness-then-name order is sorted once (`position`), so a weight change sorts
        one integer key: the rounded overall score with that position in its low bits.
        """
        keep = self.requirement_mask(require)
        overall = self.overall(weights)
        # Scores equal on paper tie whatever the float noise: compared at 9 decimals.
        level = np.rint(np.nan_to_num(overall) * 1e9).astype(np.int64)
        key = order_key(level, self.position)
        kept = None if keep.all() else np.flatnonzero(keep)
        rows = np.argsort(key) if kept is None else kept[np.argsort(key[kept])]
        rank = _shared_ranks((level[rows], self.tie_group[rows]))
        return Ranking(self, rows, rank, overall[rows], weights)


_SCORE_BITS = 37  # 100 * 1e9 < 2^37
_SCORE_TOP = np.int64(100 * 10**9)


def order_key(level: np.ndarray, position: np.ndarray, single: bool | None = None) -> np.ndarray:
    """Distinct int64 keys whose ascending order is: highest `level` first, then `position`.

    Distinct keys make the fast (unstable) argsort deterministic. One key holds both when they
    fit in 63 bits (up to 2^25 rows); beyond that, the keys are the lexsorted places.
    """
    shift = max(len(position), 1).bit_length()
    if single if single is not None else shift + _SCORE_BITS < 63:
        return ((_SCORE_TOP - level) << shift) | position
    places = np.empty(len(position), dtype=np.int64)
    places[np.lexsort((position, -level))] = np.arange(len(position))
    return places


@dataclass(frozen=True, eq=False)
class Ranking:
    """A ranking as positions into the table: pages gather only the rows and columns they
    show, instead of every column of every clinic being reordered on each change."""

    basis: ScoreBasis
    rows: np.ndarray  # table row positions, best first
    rank: np.ndarray  # 1, 2, 2, 4...
    overall: np.ndarray  # aligned with rows
    weights: Weights | None

    def __len__(self) -> int:
        return len(self.rows)

    def only(self, keep: np.ndarray) -> Ranking:
        """The rows of the table where `keep` is true, in ranking order with their ranks."""
        mask = keep[self.rows]
        return Ranking(self.basis, self.rows[mask], self.rank[mask], self.overall[mask],
                       self.weights)  # fmt: skip

    def frame(
        self, table: pd.DataFrame, columns: Sequence[str] | None = None, top: int | None = None
    ) -> pd.DataFrame:
        """`rank`, the chosen directory columns (all by default) and the score columns."""
        rows, rank = self.rows, self.rank
        if top is not None:
            rows, rank = rows[: max(top, 0)], rank[: max(top, 0)]
        carried = table if columns is None else table[list(columns)]
        scores = self.basis.frame(self.weights, rows)
        ranked = pd.concat([carried.iloc[rows], scores], axis=1)
        ranked.insert(0, "rank", rank)
        return ranked.reset_index(drop=True)


def score_basis(
    table: pd.DataFrame, today: dt.date | None = None, checklist: Checklist | None = None
) -> ScoreBasis:
    """The weight-free part of every clinic's scores (see `ScoreBasis`)."""
    checklist = checklist or default_checklist()
    today = pd.Timestamp(today or dt.date.today())
    n = len(table)
    model = checklist.reviews_model
    rating = table["reviews_rating"].to_numpy(dtype="float64", na_value=np.nan)
    count = table["reviews_count"].to_numpy(dtype="float64", na_value=np.nan)
    shrunk = shrunk_rating(rating, count, model)
    share = rating_share(shrunk, model)
    criteria = np.zeros((len(checklist.criteria), n))
    states = np.empty((n, len(checklist.items)), dtype=np.int8)
    stale_code = np.zeros(n, dtype=np.int64)
    newest = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    column = 0
    for index, criterion in enumerate(checklist.criteria):
        earned = np.zeros(n)
        for item in criterion.items:
            states[:, column] = item_states(table, item)
            earned += _earned(table, item, states[:, column], share)
            column += 1
        criteria[index] = 100.0 * earned / criterion.points
        verified = pd.to_datetime(table[criterion.verified_column], errors="coerce")
        age = (today - verified).dt.days.to_numpy(dtype="float64", na_value=np.nan)
        stale = np.isnan(age) | (age > checklist.stale_after_days)
        stale_code |= stale.astype(np.int64) << index
        newest = np.fmax(newest, verified.to_numpy(dtype="datetime64[ns]"))  # NaT-aware max
    total_items = len(checklist.items)
    known_items = (states != UNKNOWN).sum(axis=1)
    completeness = 100.0 * known_items / total_items
    name_order, _ = pd.factorize(table["name"], sort=True)  # ints, not a million str objects
    level = np.rint(completeness * 1e9).astype(np.int64)
    presorted = np.lexsort((name_order, -level))  # stable: then the order in the file
    position = np.empty(n, dtype=np.int64)
    position[presorted] = np.arange(n)
    changes = np.ones(n, dtype=bool)
    changes[1:] = (np.diff(level[presorted]) != 0) | (np.diff(name_order[presorted]) != 0)
    tie_group = np.empty(n, dtype=np.int64)
    tie_group[presorted] = np.cumsum(changes)
    return ScoreBasis(
        checklist=checklist,
        index=table.index,
        criteria=criteria,
        states=states,
        completeness=completeness,
        unknowns=total_items - known_items,
        stale_code=stale_code,
        last_verified=newest,
        reviews_shrunk=shrunk,
        few_reviews=~np.isnan(rating) & few_reviews(np.nan_to_num(count, nan=0.0), model),
        position=position,
        tie_group=tie_group,
    )


def compute_scores(
    table: pd.DataFrame,
    weights: Weights | None = None,
    today: dt.date | None = None,
    checklist: Checklist | None = None,
) -> pd.DataFrame:
    """Score columns for every clinic, aligned with `table`'s index."""
    checklist = checklist or default_checklist()
    check_weights(weights, checklist)  # bad weights fail before any work
    return score_basis(table, today, checklist).frame(weights)


@functools.cache
def _stale_labels(keys: tuple[str, ...]) -> np.ndarray:
    """Every combination of stale criteria as text, indexed by its bit pattern."""
    labels = [
        ";".join(k for i, k in enumerate(keys) if code >> i & 1) for code in range(1 << len(keys))
    ]
    return np.array(labels, dtype=object)


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
    A caller that ranks the same table again and again keeps `score_basis(table)` instead.
    """
    checklist = checklist or default_checklist()
    check_weights(weights, checklist)
    check_requirements(require, checklist)
    ranking = score_basis(table, today, checklist).rank(weights, require)
    return ranking.frame(table, columns, top)


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
            f"{number_text(self.completeness)}% of checklist answers known"
        ]
        for c in self.criteria:
            when = c.verified_on.isoformat() if c.verified_on else "no date"
            flag = " (old evidence)" if c.stale else ""
            out.append(
                f"{c.criterion.label}: {number_text(c.score)}/100 "
                f"({c.earned:g} of {c.criterion.points:g} "
                f"points); source {c.source or 'not recorded'}, checked {when}{flag}"
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
                note = item.implied_note
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
