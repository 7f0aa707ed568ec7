"""The scoring method as Markdown, rendered from the checklist so it can never drift from it."""

from __future__ import annotations

from scoring.checklist import Checklist, default_checklist
from scoring.cost import MONTHS
from scoring.display import rounding_rule
from scoring.engine import WEIGHT_RANGE


def _points(value: float) -> str:
    return f"{value:g}"


def _cost_section(c: Checklist) -> list[str]:
    """How the first-year cost estimate is made, from the checklist's cost model."""
    model = c.cost_model
    if model is None:
        return []

    def span(fact: str) -> str:
        low, high = model.bound(fact)
        return f"{low:,.0f} to {high:,.0f}"

    after = MONTHS - model.series_months
    refund = c.item(model.refund_item)
    return [
        "#### First-year cost (an estimate)",
        "",
        "Ketamine for pain is usually paid out of pocket and given as a series, so the price "
        "of one session says little on its own. The **first-year cost** adds up:",
        "",
        "> consultation fee + sessions in the first series x price per session + boosters x "
        "booster price",
        "",
        f"counting the first series as {model.series_months:g} month and one booster every "
        f"booster interval over the remaining {after:g} months (whole boosters only). A "
        "booster costs the session price unless the clinic lists a booster price; a free "
        "consultation costs 0.",
        "",
        "When the directory does not give a fact, published figures for scale stand in for "
        f"it: a consultation {span('consultation_fee')} (many are free), "
        f"{span('series_sessions')} sessions in a first series, {span('price_per_session')} "
        "per session and a booster every "
        f"{span('booster_interval_months')} months. The estimate then becomes a range from "
        "the cheapest to the dearest of these, and each missing fact becomes a question to "
        "ask the clinic. A clinic that lists none of these facts has no estimate (*not "
        "listed*).",
        "",
        "It is an **estimate**, not a quote: the clinic's own figures, your plan and how you "
        "respond decide the real cost. Amounts are in the clinic's own currency (US or "
        "Canadian dollars) and are **never converted**; the published figures are used as "
        "the same numbers in either currency. The *maximum first-year cost* filter keeps the "
        "clinics whose whole range (its high end) is at or below your amount in their own "
        "currency, and leaves out clinics without an estimate.",
        "",
        f"Because chains have closed and left patients with sessions paid in advance, the "
        f"pricing criterion also asks for a **{refund.label.lower()}** (`{refund.column}`). "
        f"Directories written for an earlier version of the checklist still read; the items "
        f"they do not have are unknown.",
        "",
    ]


def method_markdown(checklist: Checklist | None = None) -> str:
    """The published method: rubric version, every item and its points, unknowns, reviews."""
    c = checklist or default_checklist()
    m = c.reviews_model
    one = (m.prior_weight * m.prior_mean + 1 * 5.0) / (m.prior_weight + 1)
    many = (m.prior_weight * m.prior_mean + 200 * 4.8) / (m.prior_weight + 200)
    lo, hi = WEIGHT_RANGE
    n = len(c.criteria)
    parts = [
        f"### How the scores are made (rubric version {c.version})",
        "",
        f"Each clinic is checked against {n} criteria. Every checklist item is answered "
        "**yes**, **no** or **unknown**, with the web page or document that shows it and the "
        "date someone checked it.",
        "",
        "- A **yes** earns the item's points. A **no** or an **unknown** earns none, so a "
        "clinic never gains by hiding something, and a yes never scores below an unknown.",
        "- Each criterion is scored from 0 to 100: the points earned divided by the points "
        "available.",
        f"- The **overall** score is the weighted average of the {n} criterion scores. "
        f"Weights run from {lo:g} to {hi:g} (all {1:g} by default); a criterion with weight 0 "
        "does not count at all.",
        "- **Must-have** items filter clinics out of the list; they never change a score.",
        "- **No clinic pays for placement.** The order depends only on the checklist evidence "
        "and your own choices (weights, filters, must-haves, place). There is no sponsored "
        "slot or paid badge, and nothing outside the checklist (the order of rows in the file, "
        "ids, notes, websites) moves a clinic up or down. Clinics equal on score, completeness "
        "and name share a rank.",
        "- **Completeness** is the share of checklist items whose answer is known. A low "
        "completeness means the score rests on little evidence: ask the clinic.",
        f"- {rounding_rule()}",
        f"- Evidence is **stale** when a criterion's check is older than "
        f"{c.stale_after_days} days or has no date.",
        "- For **pricing**, an unanswered item counts as *not disclosed*: not telling patients "
        "the price is itself a lack of transparency. A directory row that lists a price per "
        "session counts as a published price, and one that gives the number of sessions in a "
        "first series counts as stating it.",
        "",
        "#### Patient reviews",
        "",
        f"A raw average from a handful of reviews says little. The rating used for scoring is "
        f"shrunk toward {m.prior_mean:g} stars as if every clinic started with "
        f"{m.prior_weight:g} reviews of {m.prior_mean:g} stars:",
        "",
        f"> shrunk = ({m.prior_weight:g} x {m.prior_mean:g} + count x average) / "
        f"({m.prior_weight:g} + count)",
        "",
        f"So one 5-star review gives {one:.2f}, while 200 reviews averaging 4.8 give "
        f"{many:.2f}. The rating item then earns its points in proportion: {m.floor:g} star "
        f"or less earns nothing, 5 stars earn all. Ratings from fewer than {m.few_reviews} "
        "reviews are marked *few reviews*; the raw average and the count are always shown.",
        "",
        *_cost_section(c),
        "#### Closed clinics",
        "",
        "Each clinic's status is open, temporarily closed, closed or unknown. Clinics listed "
        "as **closed** are hidden by default, and the page says how many were hidden; you can "
        "choose to show them. Temporarily closed clinics stay listed and are marked.",
        "",
        "#### The checklist",
        "",
    ]
    for criterion in c.criteria:
        parts.append(
            f"**{criterion.label}** (`{criterion.key}`, {_points(criterion.points)} points): "
            f"{criterion.summary}"
        )
        parts.append("")
        parts.append("| item | points | what counts as evidence | question to ask |")
        parts.append("|---|---|---|---|")
        for item in criterion.items:
            parts.append(
                f"| `{item.column}` {item.label} | {_points(item.points)} | "
                f"{item.evidence} | {item.question} |"
            )
        parts.append("")
    if c.npi_registry is not None:
        codes = "; ".join(f"{code} {desc}" for code, desc in c.npi_registry.taxonomies)
        parts.extend(
            [
                f"The NPI registry check answers `{c.npi_registry.item}`: yes for an active "
                f"record with one of these taxonomies ({codes}), no otherwise.",
                "",
            ]
        )
    parts.append(
        "This is not medical advice. The scores show how much a clinic has made known about "
        "its care, not whether ketamine is right for you: talk it over with your own doctor."
    )
    return "\n".join(parts)
