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
from scoring.display import date_span, number_text, round_half_up, rounded, rounding_rule
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
from scoring.filters import Filters, explain_empty
from scoring.method import method_markdown
from scoring.shortlist import printable_html, shortlist_frame

__all__ = [
    "Checklist",
    "ChecklistError",
    "ClinicCompareError",
    "Criterion",
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
    "compute_scores",
    "date_span",
    "default_checklist",
    "explain",
    "explain_empty",
    "load_checklist",
    "method_markdown",
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
]
