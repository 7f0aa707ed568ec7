"""The shortlist: ranked clinics with contact details, scores and the questions to ask."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from html import escape

import pandas as pd

from scoring.checklist import Checklist, default_checklist
from scoring.cost import COST_COLUMNS, CURRENCY, HIGH, LOW, QUESTIONS, cost_texts, with_cost
from scoring.display import (
    DistanceUnit,
    Quantity,
    distance_text,
    money_text,
    number_text,
    rounded,
    tel_uri,
)
from scoring.engine import QUESTION_SEPARATOR, WEIGHT_RANGE, questions
from scoring.filters import CLOSED

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


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def weights_text(weights: Mapping[str, float], checklist: Checklist | None = None) -> str:
    """The weights behind the scores, in words with the checklist's own labels (for the
    shortlist page and the printable page: a score means little without them)."""
    checklist = checklist or default_checklist()
    chosen = {k: float(weights.get(k, 1.0)) for k in checklist.keys}
    preset = next((p.label for p in checklist.presets if dict(p.weights) == chosen), None)
    named = f" (the {preset} choice)" if preset else ""
    if len(set(chosen.values())) == 1:
        return f"Every part of the checklist counted the same{named}."
    low, high = WEIGHT_RANGE
    parts = [f"{checklist.criterion(k).label} {w:g}" for k, w in chosen.items()]
    return (
        f"How much each part of the checklist counted{named}, from {low:g} (not at all) to "
        f"{high:g} (the most): {', '.join(parts)}."
    )


def known_text(unknowns: object, checklist: Checklist | None = None) -> str:
    """How many checklist answers are known, in words ("17 of 29 checklist answers known")."""
    checklist = checklist or default_checklist()
    total = len(checklist.items)
    try:
        known = total - int(unknowns)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "checklist answers known: unknown"
    return f"{known} of {total} checklist answers known"


def stale_text(stale_criteria: object, checklist: Checklist | None = None) -> str | None:
    """A warning when some of a clinic's evidence is old or undated, naming those parts of
    the checklist; None when all of it is recent."""
    checklist = checklist or default_checklist()
    keys = [k for k in str(stale_criteria or "").split(";") if k in checklist.keys]
    if not keys:
        return None
    days = checklist.stale_after_days
    age = "a year" if days == 365 else f"{days} days"
    ask = "Ask the clinic if they are still true."
    if len(keys) == len(checklist.keys):
        return f"All facts may be out of date: last checked more than {age} ago, or never. {ask}"
    labels = _and([checklist.criterion(k).label for k in keys])
    return (
        f"Some facts may be out of date. {labels}: last checked more than {age} ago, or "
        f"never. {ask}"
    )


def http_url(url: object) -> str | None:
    """The address if it is http(s): no other kind of link is ever made live."""
    text = str(url or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else None


NOT_ADVICE = (
    "This is not medical advice. Talk with your own doctor before you start ketamine "
    "treatment, and tell them about pregnancy, drug or alcohol use and heart problems."
)
_PRINT_CSS = (
    "body{font-family:sans-serif;max-width:50em;margin:2em auto;padding:0 1em;line-height:1.4}"
    "h2{border-top:1px solid #999;padding-top:.5em}li{margin:.2em 0}"
    ".note{white-space:pre-wrap}.stale,.status{font-weight:bold}"
    "@media print{body{margin:0;max-width:none;font-size:11pt}a{color:inherit}"
    "section{break-inside:avoid-page}h2{break-after:avoid}}"
)


def printable_html(
    frame: pd.DataFrame,
    notes: Mapping[str, str],
    title: str,
    data_note: str,
    unit: DistanceUnit = "mi",
    checklist: Checklist | None = None,
    *,
    weights: Mapping[str, float] | None = None,
    today: dt.date | None = None,
) -> str:
    """A self-contained page to print or save as PDF; every value is escaped.

    The only live links are the phone (`tel:`, digits only) and an http(s) website (opened in
    a new tab). Distances read in `unit` first ("mi" or "km"), the other in brackets. The
    footer gives the date, the `weights` in words and the not-medical-advice note.
    """
    checklist = checklist or default_checklist()
    refund = _refund_columns(checklist)
    day = (today or dt.date.today()).isoformat()

    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{escape(title)}</title><style>{_PRINT_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1><p>{escape(data_note)}</p>",
    ]
    for row in frame.to_dict("records"):
        parts.append("<section>")
        parts.append(f"<h2>{escape(str(row.get('rank', '')))}. {escape(str(row['name']))}</h2>")
        status = str(row.get("status") or "unknown")
        if status in (CLOSED, "temporarily closed"):
            parts.append(f"<p class='status'>Listed as {escape(status)}.</p>")
        stale = stale_text(row.get("stale_criteria"), checklist)
        if stale:
            parts.append(f"<p class='stale'>{escape(stale)}</p>")
        where = ", ".join(str(row[c]) for c in ("address", "city", "region") if row.get(c))
        phone = str(row.get("phone") or "")
        tel = tel_uri(phone)
        website = str(row.get("website") or "")
        url = http_url(website)
        facts = [
            escape(
                f"Overall score {number_text(row['overall'])}/100, "
                f"{known_text(row.get('unknowns'), checklist)}"
            ),
            escape(f"Status: {status}"),
            "Phone: "
            + (
                f"<a href='{escape(tel)}'>{escape(phone)}</a>"
                if tel
                else escape(phone or "unknown")
            ),
            "Website: "
            + (
                f"<a href='{escape(url)}' target='_blank' rel='noopener'>{escape(url)}</a>"
                if url
                else escape(website or "unknown")
            ),
            escape(f"Address: {where or 'unknown'}"),
            escape(
                f"Price per session: "
                f"{money_text(row.get('price_per_session'), row.get('currency'))}"
            ),
        ]
        if COST_TEXT in row:
            facts.append(escape(f"First-year cost (estimate): {row[COST_TEXT]}"))
        for column in refund:
            item = checklist.item(column)
            state = str(row.get(column, "unknown"))
            shown = (
                checklist.criterion(item.criterion).unknown_label if state == "unknown" else state
            )
            facts.append(escape(f"{item.label}: {shown}"))
        if pd.notna(row.get("distance_mi")):
            other: DistanceUnit = "km" if unit == "mi" else "mi"
            first, second = (distance_text(row[f"distance_{u}"], u) for u in (unit, other))
            facts.append(escape(f"Distance: {first} ({second})"))
        parts.append("<ul>" + "".join(f"<li>{f}</li>" for f in facts) + "</ul>")
        note = notes.get(str(row["id"]), "").strip()
        if note:
            parts.append(f"<p class='note'><b>My notes:</b> {escape(note)}</p>")
        asked = [q for q in str(row.get("questions", "")).split(QUESTION_SEPARATOR) if q]
        if asked:
            parts.append("<p><b>Questions to ask:</b></p><ol>")
            parts.extend(f"<li>{escape(q)}</li>" for q in asked)
            parts.append("</ol>")
        parts.append("</section>")
    parts.append("<footer><hr>")
    if weights is not None:
        parts.append(f"<p>{escape(weights_text(weights, checklist))}</p>")
    parts.append(f"<p>Made on {escape(day)}.</p><p><i>{escape(NOT_ADVICE)}</i></p>")
    parts.append("</footer></body></html>")
    return "".join(parts)
