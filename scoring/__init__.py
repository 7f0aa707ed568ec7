"""The checklist (the ground floor), the scoring engine, the patient's filters and the shortlist.

Plain Python + pandas: no Streamlit, no environment, no network. Everything here is derived
from `checklist.toml`.
"""

from scoring.checklist import (
    Checklist,
    ChecklistError,
    Criterion,
    Item,
    NpiRegistryRule,
    default_checklist,
    load_checklist,
)
from scoring.cost import (
    COST_COLUMNS,
    CostSummary,
    cost_summary,
    cost_text,
    cost_texts,
    fact_questions,
    first_year_cost,
    with_cost,
)
from scoring.display import (
    NOT_LISTED,
    UNIT_CHOICES,
    DistanceUnit,
    date_span,
    distance_text,
    money_text,
    number_text,
    round_half_up,
    rounded,
    rounding_rule,
)
from scoring.engine import (
    Explanation,
    Ranking,
    ScoreBasis,
    ScoringError,
    check_requirements,
    check_weights,
    compute_scores,
    explain,
    parse_weights,
    questions,
    rank_clinics,
    rerank,
    score_basis,
)
from scoring.errors import ClinicCompareError, Severity, UsageError
from scoring.filters import CLOSED, DEFAULT_RADIUS_MI, Filters, closed_note, explain_empty
from scoring.method import method_markdown
from scoring.shortlist import printable_html, shortlist_frame

__all__ = [
    "CLOSED",
    "COST_COLUMNS",
    "DEFAULT_RADIUS_MI",
    "NOT_LISTED",
    "UNIT_CHOICES",
    "Checklist",
    "ChecklistError",
    "ClinicCompareError",
    "CostSummary",
    "Criterion",
    "DistanceUnit",
    "Explanation",
    "Filters",
    "Item",
    "NpiRegistryRule",
    "Ranking",
    "ScoreBasis",
    "ScoringError",
    "Severity",
    "UsageError",
    "check_requirements",
    "check_weights",
    "closed_note",
    "compute_scores",
    "cost_summary",
    "cost_text",
    "cost_texts",
    "date_span",
    "default_checklist",
    "distance_text",
    "explain",
    "explain_empty",
    "fact_questions",
    "first_year_cost",
    "load_checklist",
    "method_markdown",
    "money_text",
    "number_text",
    "parse_weights",
    "printable_html",
    "questions",
    "rank_clinics",
    "rerank",
    "round_half_up",
    "rounded",
    "rounding_rule",
    "score_basis",
    "shortlist_frame",
    "with_cost",
]
