"""Plain language on every patient page: each text a patient reads is at grade 9 or below
(Flesch-Kincaid) and free of jargon. The texts are gathered by tests/ui/readability.py, which
also prints the report (`python -m tests.ui.readability`)."""

from __future__ import annotations

import pytest
from streamlit import config

from scoring import default_checklist, method_markdown
from tests.ui.readability import (
    CORE,
    MAX_GRADE,
    PAGES,
    Text,
    collect,
    grade,
    jargon,
    readable,
)

# Enough texts from each source that an empty or broken collector cannot pass.
AT_LEAST = {
    "find": 60, "detail": 40, "compare": 12, "shortlist": 5, "method": 8, "sidebar": 6,
    "checklist": 90, "cost": 6, "method text": 25,
}  # fmt: skip


@pytest.fixture(scope="module")
def texts():
    """One AppTest run per page for the whole module (the collector takes a few seconds)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CLINIC_COMPARE_DIRECTORY", raising=False)
        mp.delenv("CLINIC_COMPARE_GEOCODER", raising=False)
        before = config.get_option("server.address")
        config.set_option("server.address", "127.0.0.1")
        try:
            yield collect()
        finally:
            config.set_option("server.address", before)


def _where(text: Text) -> str:
    return f"[{text.source}: {text.where}] {readable(text.text)}"


def test_every_patient_text_reads_at_grade_9_or_below(texts):
    hard = [t for t in texts if t.measured and t.grade > MAX_GRADE]
    assert not hard, "Above grade 9:\n" + "\n".join(f"{t.grade:.1f} {_where(t)}" for t in hard)


def test_no_patient_text_uses_jargon(texts):
    flagged = []
    for text in texts:
        found = jargon(text.text)
        if found:
            flagged.append(f"{_where(text)} -> {', '.join(found)}")
    assert not flagged, "Jargon on patient pages:\n" + "\n".join(flagged)


def test_the_collector_covers_every_patient_page_and_the_core(texts, checklist):
    counts = {source: sum(t.source == source for t in texts) for source in (*PAGES, *CORE)}
    assert {s: n for s, n in counts.items() if n < AT_LEAST[s]} == {}, counts
    assert sum(t.measured for t in texts) >= 120
    seen = {readable(t.text) for t in texts}
    for item in checklist.items:  # every question and explanation, whatever page shows it
        assert readable(item.question) in seen and readable(item.evidence) in seen
    # Our words only: no clinic name from the directory is measured.
    assert not [t for t in texts if "(demo)" in t.text]


@pytest.mark.parametrize(
    "text, kind",
    [
        ("counted as 4.55 after shrinking toward the prior", "statistics"),
        ("a Bayesian average", "statistics"),
        ("How the scores are made (rubric version 2026.12-1)", "insider word"),
        ("Completeness is the share of items known", "insider word"),
        ("Known items %", "known items %"),
        ("Follow-up support (`follow_up`, 6 points)", "raw key"),
        ("asks for a refund policy (pricing.refund_policy)", "raw key"),
        ("Price: None", "missing value"),
        ("Score: nan", "missing value"),
    ],
)
def test_the_jargon_check_catches_what_it_is_meant_to(text, kind):
    assert any(found.startswith(kind) for found in jargon(text)), jargon(text)


def test_plain_text_passes_and_the_grade_tells_hard_from_easy():
    assert jargon("Checklist answers known: 80%. Follow-up support (6 points).") == []
    easy = "Will I meet the clinician who prescribes before my first session?"
    # The checklist's wording before it was rewritten:
    hard = "Counselling, psychotherapy or ketamine-assisted psychotherapy is offered or arranged."
    assert grade(easy) <= MAX_GRADE < grade(hard)


def test_the_method_text_names_no_raw_keys():
    text = method_markdown()
    assert not [c.column for c in default_checklist().items if c.column in text]
    assert not [k for k in default_checklist().keys if f"`{k}`" in text]
