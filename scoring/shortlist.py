"""The shortlist: ranked clinics with contact details, scores and the questions to ask."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from scoring.checklist import Checklist, default_checklist
from scoring.display import Quantity, number_text, rounded
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
    out = ranked.copy()
    out["questions"] = questions(ranked, checklist)
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
    return out.reindex(columns=columns)


def printable_html(
    frame: pd.DataFrame, notes: Mapping[str, str], title: str, data_note: str
) -> str:
    """A self-contained printable page; every value is escaped, links are not made live."""
    from html import escape

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
            f"Phone: {row.get('phone') or 'unknown'}",
            f"Website: {row.get('website') or 'unknown'}",
            f"Address: {where or 'unknown'}",
        ]
        if pd.notna(row.get("distance_mi")):
            miles, km = (number_text(row[c], "distance") for c in ("distance_mi", "distance_km"))
            facts.append(f"Distance: {miles} mi ({km} km)")
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
