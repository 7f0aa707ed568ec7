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


def printable_html(frame: pd.DataFrame, notes: dict[str, str], title: str, data_note: str) -> str:
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
            f"Overall score {row['overall']:.0f}/100, {row['completeness']:.0f}% of items known",
            f"Phone: {row.get('phone') or 'unknown'}",
            f"Website: {row.get('website') or 'unknown'}",
            f"Address: {where or 'unknown'}",
        ]
        if pd.notna(row.get("distance_mi")):
            facts.append(f"Distance: {row['distance_mi']:.1f} mi ({row['distance_km']:.1f} km)")
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
