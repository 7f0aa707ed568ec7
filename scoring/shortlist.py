"""The shortlist: ranked clinics with contact details, scores and the questions to ask."""

from __future__ import annotations

import pandas as pd

from scoring.checklist import Checklist, default_checklist
from scoring.engine import QUESTION_SEPARATOR, questions

CONTACT_COLUMNS = (
    "id",
    "name",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
    "website",
    "routes",
    "telehealth",
    "price_per_session",
    "currency",
)
TAIL_COLUMNS = (
    "completeness",
    "unknowns",
    "stale",
    "stale_criteria",
    "last_verified",
    "reviews_rating",
    "reviews_count",
    "reviews_shrunk",
    "few_reviews",
    "questions",
    "rubric_version",
)


def shortlist_frame(
    ranked: pd.DataFrame,
    checklist: Checklist | None = None,
    extra: tuple[str, ...] = (),
    question_lists: bool = False,
) -> pd.DataFrame:
    """Columns for export from a `rank_clinics` result; scores rounded to one decimal.

    `extra` adds columns (e.g. distance) after the location; `question_lists` keeps the
    questions as lists (for JSON) instead of one ' | '-separated string (for CSV).
    """
    checklist = checklist or default_checklist()
    out = ranked.copy()
    out["questions"] = questions(ranked, checklist)
    if question_lists:
        out["questions"] = [q.split(QUESTION_SEPARATOR) if q else [] for q in out["questions"]]
    out["rubric_version"] = checklist.version
    for name in ("overall", "completeness", *checklist.keys):
        out[name] = out[name].astype("float64").round(1)
    for name in ("reviews_shrunk", "distance_km", "distance_mi"):
        if name in out.columns:
            out[name] = out[name].astype("float64").round(2)
    columns = [
        "rank",
        *CONTACT_COLUMNS,
        *[c for c in extra if c in out.columns],
        "overall",
        *checklist.keys,
        *TAIL_COLUMNS,
    ]
    return out[[c for c in columns if c in out.columns]]
