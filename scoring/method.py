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
        "Most people pay for ketamine for pain themselves, and it comes as a series of "
        "sessions. So the price of one session tells you little. The **first-year cost** adds "
        "up:",
        "",
        "> consultation fee + sessions in the first series x price per session + boosters x "
        "booster price",
        "",
        f"The first series counts as {model.series_months:g} month. Then comes one booster "
        f"every booster interval, over the other {after:g} months (whole boosters only). A "
        "booster costs the same as a session, unless the clinic lists a booster price. A free "
        "consultation costs 0.",
        "",
        "Some facts may be missing from the directory. Then we use typical figures instead: "
        f"a consultation of {span('consultation_fee')} (many are free), "
        f"{span('series_sessions')} sessions in a first series, {span('price_per_session')} "
        f"per session, and a booster every {span('booster_interval_months')} months. The "
        "estimate then becomes a range, from the lowest to the highest of these. Each missing "
        "fact also becomes a question to ask the clinic. A clinic that lists none of these "
        "facts has no estimate (*not listed*).",
        "",
        "It is an **estimate**, not a quote. The real cost depends on the clinic's own "
        "prices, your plan and how you respond.",
        "",
        "Amounts are in the clinic's own money (US or Canadian dollars). They are **never "
        "converted**. The typical figures are the same numbers in either currency.",
        "",
        "The *maximum first-year cost* filter keeps a clinic when the top of its range is at "
        "or below your amount, in the clinic's own currency. Clinics with no estimate are left "
        "out.",
        "",
        "Some chains have closed and left patients with sessions they had paid for. So the "
        f"pricing part of the checklist also asks for a **{refund.label.lower()}**. Lists "
        "made for an older version of the checklist still work; the items they lack are "
        "unknown.",
        "",
    ]


def method_markdown(checklist: Checklist | None = None) -> str:
    """The published method: checklist version, every item and its points, unknowns, reviews."""
    c = checklist or default_checklist()
    m = c.reviews_model
    one = (m.prior_weight * m.prior_mean + 1 * 5.0) / (m.prior_weight + 1)
    many = (m.prior_weight * m.prior_mean + 200 * 4.8) / (m.prior_weight + 200)
    lo, hi = WEIGHT_RANGE
    n = len(c.criteria)
    parts = [
        f"### How the scores are made (checklist version {c.version})",
        "",
        f"Each clinic is checked against {n} criteria: the parts of the checklist. Every item is "
        "answered **yes**, **no** or **unknown**. Each answer comes with the web page or "
        "paper that shows it, and the date someone checked it.",
        "",
        "- A **yes** earns the item's points. A **no** or an **unknown** earns none. So a "
        "clinic never gains by hiding something, and a yes never scores below an unknown.",
        "- Each criterion gets a score from 0 to 100: the points it earned out of the points "
        "it could earn.",
        f"- The **overall** score is the weighted average of the {n} criterion scores. Weights run "
        f"from {lo:g} to {hi:g} (all {1:g} at first). A criterion with weight 0 does not count "
        "at all.",
        "- **Must-have** items take clinics off the list. They never change a score.",
        "- **No clinic pays for placement.** The order depends only on the checklist and on "
        "your own choices (weights, filters, must-haves, place). There are no paid spots or "
        "paid badges. Nothing outside the checklist moves a clinic up or down: not the order "
        "of rows in the file, not ids, notes or websites. Clinics share a rank when their "
        "scores, their answers known and their names are all the same.",
        "- **Answers known** is the share of checklist items that have an answer. If few "
        "answers are known, the score rests on little evidence: ask the clinic.",
        f"- {rounding_rule()}",
        f"- Evidence is **old** when a criterion was last checked more than {c.stale_after_days} "
        "days ago, or has no date.",
        "- For **pricing**, an item with no answer counts as *not disclosed*. Not telling "
        "patients the price is itself a lack of openness. If the directory lists a price per "
        "session, the price counts as published. If it gives the number of sessions in a "
        "first series, that counts as stated.",
        "",
        "#### Patient reviews",
        "",
        "An average of just a few reviews says little, so a few reviews count less than many. "
        f"For the score, every clinic starts as if it had {m.prior_weight:g} reviews of "
        f"{m.prior_mean:g} stars. Its own reviews are then added:",
        "",
        f"> rating used = ({m.prior_weight:g} x {m.prior_mean:g} + count x average) / "
        f"({m.prior_weight:g} + count)",
        "",
        f"So one 5-star review gives {one:.2f}, while 200 reviews with an average of 4.8 give "
        f"{many:.2f}. The rating item then earns part of its points: {m.floor:g} star or less "
        f"earns none, and 5 stars earn all. Ratings from fewer than {m.few_reviews} reviews are "
        "marked *few reviews*. The real average and the count are always shown.",
        "",
        *_cost_section(c),
        "#### Closed clinics",
        "",
        "Each clinic is listed as open, temporarily closed, closed or unknown. Clinics listed "
        "as **closed** are hidden at first, and the page says how many. You can choose to "
        "show them. Temporarily closed clinics stay on the list, with a mark.",
        "",
        "#### The checklist",
        "",
    ]
    for criterion in c.criteria:
        parts.extend([f"**{criterion.label}** ({_points(criterion.points)} points)", ""])
        parts.extend([criterion.summary, ""])
        parts.append("| item | points | what counts as evidence | question to ask |")
        parts.append("|---|---|---|---|")
        for item in criterion.items:
            parts.append(
                f"| {item.label} | {_points(item.points)} | {item.evidence} | {item.question} |"
            )
        parts.append("")
    if c.npi_registry is not None:
        npi = c.item(c.npi_registry.item)
        parts.append(
            f"The NPI registry check answers the item *{npi.label}*. The answer is yes for an "
            "active record with one of these codes, and no if not:"
        )
        parts.append("")
        parts.extend(f"- {code} {desc}" for code, desc in c.npi_registry.taxonomies)
        parts.append("")
    parts.append(
        "This is not medical advice. The scores show how much a clinic has made known about "
        "its care. They do not say whether ketamine is right for you: talk it over with your "
        "own doctor."
    )
    return "\n".join(parts)
