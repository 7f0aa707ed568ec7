"""A deliberately plain, clinic-by-clinic implementation of the scoring rules.

It is what one would write first: a loop over records with ordinary Python arithmetic. It
serves two purposes. The benchmark compares the vectorised engine against it (the speed-up
is what the column-wise design buys), and its agreement with `scoring.engine.compute_scores`
on synthetic tables is an independent check that the vectorised code applies the published
rules. It must implement the same rules, not reuse the engine's helpers.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from scoring.checklist import Checklist, default_checklist
from scoring.engine import Weights, check_weights

SCORE_FIELDS = ("overall", "completeness", "unknowns", "stale")


def _missing(value: Any) -> bool:
    """None, NaN, NaT and pd.NA: every way a record can hold 'no value'."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _as_date(value: Any) -> dt.date | None:
    if _missing(value):
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def score_record(
    record: dict[str, Any], weights: dict[str, float], today: dt.date, checklist: Checklist
) -> dict[str, Any]:
    """The score fields of one clinic, computed from its record alone."""
    model = checklist.reviews_model
    rating = record["reviews_rating"]
    count = record["reviews_count"]
    count = 0.0 if _missing(count) else max(float(count), 0.0)
    out: dict[str, Any] = {}
    known = 0
    stale = False
    for criterion in checklist.criteria:
        earned = 0.0
        for item in criterion.items:
            if item.kind == "rating":
                if _missing(rating):
                    continue
                known += 1
                total = model.prior_weight + count
                if total > 0:  # no prior and no reviews: the engine's 0/0 earns nothing
                    shrunk = (model.prior_weight * model.prior_mean + count * float(rating)) / total
                    share = (shrunk - model.floor) / (5.0 - model.floor)
                    earned += item.points * min(max(share, 0.0), 1.0)
                continue
            state = str(record[item.column]).lower()
            if state not in ("yes", "no"):
                state = "unknown"
                if item.implied_by and not _missing(record.get(item.implied_by)):
                    state = "yes"
            if state != "unknown":
                known += 1
            if state == "yes":
                earned += item.points
        out[criterion.key] = 100.0 * earned / criterion.points
        verified = _as_date(record[criterion.verified_column])
        if verified is None or (today - verified).days > checklist.stale_after_days:
            stale = True
    total_weight = sum(weights.values())
    out["overall"] = sum(out[key] * weights[key] for key in checklist.keys) / total_weight
    total_items = len(checklist.items)
    out["completeness"] = 100.0 * known / total_items
    out["unknowns"] = total_items - known
    out["stale"] = stale
    return out


def baseline_scores(
    table: pd.DataFrame,
    weights: Weights | None = None,
    today: dt.date | None = None,
    checklist: Checklist | None = None,
) -> pd.DataFrame:
    """Criterion scores, overall, completeness, unknowns and stale, aligned with `table`."""
    checklist = checklist or default_checklist()
    checked = check_weights(weights, checklist)
    today = today or dt.date.today()
    scores = [score_record(r, checked, today, checklist) for r in table.to_dict("records")]
    columns = [*checklist.keys, *SCORE_FIELDS]
    return pd.DataFrame(scores, index=table.index, columns=columns)


def baseline_rank(
    table: pd.DataFrame,
    weights: Weights | None = None,
    today: dt.date | None = None,
    checklist: Checklist | None = None,
) -> list[dict[str, Any]]:
    """Every clinic's record with its scores and `rank`, best first (ties: completeness, name).

    The plain-Python counterpart of `scoring.engine.rank_clinics` without must-haves: a list
    of dictionaries rather than a DataFrame, because that is what a loop naturally produces.
    """
    checklist = checklist or default_checklist()
    checked = check_weights(weights, checklist)
    today = today or dt.date.today()
    scored = []
    for record in table.to_dict("records"):
        record.update(score_record(record, checked, today, checklist))
        scored.append(record)
    ranked = sorted(
        scored, key=lambda r: (-round(r["overall"], 9), -round(r["completeness"], 9), r["name"])
    )
    for position, record in enumerate(ranked, start=1):
        record["rank"] = position
    return ranked
