"""The shortlist: ranked clinics with contact details, scores and the questions to ask."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from scoring.checklist import Checklist, default_checklist
from scoring.cost import COST_COLUMNS, CURRENCY, HIGH, LOW, QUESTIONS, cost_texts, with_cost
from scoring.display import DistanceUnit, Quantity, distance_text, money_text, number_text, rounded
from scoring.engine import QUESTION_SEPARATOR, questions

CONTACT_COLUMNS = (
    "id",
    "name",
    "status",
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
    "consultation_fee",
    "series_sessions",
    "booster_price",
    "booster_interval_months",
)
# The first-year cost estimate: numbers for spreadsheets, and the same as a person reads it.
COST_TEXT = "first_year_cost"
ESTIMATE_COLUMNS = (LOW, HIGH, CURRENCY, COST_TEXT)
# Added when the clinics were located from a place (the CLI's --near, the app's Find page).
LOCATION_COLUMNS = (
    "distance_km",
    "distance_mi",
    "reach",
    "latitude",
    "longitude",
    "location_precision",
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
    "exported_on",
)
NOTES_COLUMN = "my_notes"
DISPLAY_ROUNDING: tuple[tuple[str, Quantity], ...] = (
    ("reviews_shrunk", "rating"),
    ("distance_km", "distance"),
    ("distance_mi", "distance"),
)


def _refund_columns(checklist: Checklist) -> tuple[str, ...]:
    model = checklist.cost_model
    return () if model is None else (model.refund_item,)


def shortlist_columns(
    checklist: Checklist | None = None, located: bool = False, with_notes: bool = False
) -> list[str]:
    """The shortlist's columns, in order: the one list the CLI and the app both write."""
    checklist = checklist or default_checklist()
    return [
        "rank",
        *CONTACT_COLUMNS,
        *(LOCATION_COLUMNS if located else ()),
        *((NOTES_COLUMN,) if with_notes else ()),
        "overall",
        *checklist.keys,
        *ESTIMATE_COLUMNS,
        *_refund_columns(checklist),
        *TAIL_COLUMNS,
    ]


def shortlist_frame(
    ranked: pd.DataFrame,
    checklist: Checklist | None = None,
    *,
    notes: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    question_lists: bool = False,
) -> pd.DataFrame:
    """The shortlist export from a `rank_clinics` result (the CLI's `score`, the app's download).

    Location columns come along when the table was located from a place; `notes` (the
    patient's own, app only) adds `my_notes`. Numbers follow `scoring.display`'s one rule.
    `question_lists` keeps the questions as lists (for JSON) instead of one ' | '-separated
    string (for CSV).
    """
    checklist = checklist or default_checklist()
    out = with_cost(ranked, checklist) if checklist.cost_model else ranked.copy()
    out["questions"] = _all_questions(questions(ranked, checklist), out.get(QUESTIONS))
    if checklist.cost_model:
        out[COST_TEXT] = cost_texts(out)
    if question_lists:
        out["questions"] = [q.split(QUESTION_SEPARATOR) if q else [] for q in out["questions"]]
    out["rubric_version"] = checklist.version
    out["exported_on"] = (today or dt.date.today()).isoformat()
    if notes is not None:
        out[NOTES_COLUMN] = [notes.get(str(i), "") for i in out["id"]]
    for name in ("overall", "completeness", *checklist.keys):
        out[name] = rounded(out[name], "score")
    for name, quantity in DISPLAY_ROUNDING:
        if name in out.columns:
            out[name] = rounded(out[name], quantity)
    columns = shortlist_columns(checklist, "distance_km" in out.columns, notes is not None)
    return out.reindex(columns=[c for c in columns if c in out.columns or c not in COST_COLUMNS])


def _all_questions(asked: pd.Series, about_cost: pd.Series | None) -> pd.Series:
    """The checklist's questions, then the cost questions not already among them."""
    if about_cost is None:
        return asked
    both = (
        QUESTION_SEPARATOR.join(dict.fromkeys(q for q in (*a.split(QUESTION_SEPARATOR),
                                                          *b.split(QUESTION_SEPARATOR)) if q))
        for a, b in zip(asked, about_cost.astype("str"), strict=True)
    )  # fmt: skip
    return pd.Series(list(both), index=asked.index, dtype="str")


def printable_html(
    frame: pd.DataFrame,
    notes: Mapping[str, str],
    title: str,
    data_note: str,
    unit: DistanceUnit = "mi",
    checklist: Checklist | None = None,
) -> str:
    """A self-contained printable page; every value is escaped, links are not made live.

    Distances read in `unit` first ("mi" or "km"), the other in brackets.
    """
    from html import escape

    checklist = checklist or default_checklist()
    refund = _refund_columns(checklist)

    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.4}"
        "h2{border-top:1px solid #999;padding-top:.5em}li{margin:.2em 0}</style></head><body>",
        f"<h1>{escape(title)}</h1><p>{escape(data_note)}</p>",
    ]
    for row in frame.to_dict("records"):
        parts.append(f"<h2>{escape(str(row.get('rank', '')))}. {escape(str(row['name']))}</h2>")
        where = ", ".join(str(row[c]) for c in ("address", "city", "region") if row.get(c))
        facts = [
            f"Overall score {number_text(row['overall'])}/100, "
            f"{number_text(row['completeness'])}% of items known",
            f"Status: {row.get('status') or 'unknown'}",
            f"Phone: {row.get('phone') or 'unknown'}",
            f"Website: {row.get('website') or 'unknown'}",
            f"Address: {where or 'unknown'}",
            f"Price per session: {money_text(row.get('price_per_session'), row.get('currency'))}",
        ]
        if COST_TEXT in row:
            facts.append(f"First-year cost (estimate): {row[COST_TEXT]}")
        for column in refund:
            item = checklist.item(column)
            state = str(row.get(column, "unknown"))
            shown = (
                checklist.criterion(item.criterion).unknown_label if state == "unknown" else state
            )
            facts.append(f"{item.label}: {shown}")
        if pd.notna(row.get("distance_mi")):
            other: DistanceUnit = "km" if unit == "mi" else "mi"
            first, second = (distance_text(row[f"distance_{u}"], u) for u in (unit, other))
            facts.append(f"Distance: {first} ({second})")
        parts.append("<ul>" + "".join(f"<li>{escape(f)}</li>" for f in facts) + "</ul>")
        note = notes.get(str(row["id"]), "").strip()
        if note:
            parts.append(f"<p><b>My notes:</b> {escape(note)}</p>")
        asked = [q for q in str(row.get("questions", "")).split(QUESTION_SEPARATOR) if q]
        if asked:
            parts.append("<p><b>Questions to ask:</b></p><ol>")
            parts.extend(f"<li>{escape(q)}</li>" for q in asked)
            parts.append("</ol>")
    parts.append(
        "<p><i>Not medical advice. Discuss ketamine treatment, and in particular pregnancy, "
        "substance use and heart conditions, with your own doctor.</i></p></body></html>"
    )
    return "".join(parts)
