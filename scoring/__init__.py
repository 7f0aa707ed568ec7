"""The checklist and the scoring engine (plain Python + pandas, no UI)."""

from scoring.checklist import (
    Checklist,
    ChecklistError,
    Criterion,
    Item,
    default_checklist,
    load_checklist,
)
from scoring.engine import (
    Explanation,
    ScoringError,
    check_requirements,
    check_weights,
    compute_scores,
    explain,
    parse_weights,
    questions,
    rank_clinics,
)
from scoring.method import method_markdown

__all__ = [
    "Checklist",
    "ChecklistError",
    "Criterion",
    "Explanation",
    "Item",
    "ScoringError",
    "check_requirements",
    "check_weights",
    "compute_scores",
    "default_checklist",
    "explain",
    "load_checklist",
    "method_markdown",
    "parse_weights",
    "questions",
    "rank_clinics",
]
