import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import (
    ScoringError,
    check_requirements,
    compute_scores,
    default_checklist,
    explain,
    parse_weights,
    questions,
    rank_clinics,
)
from tests.conftest import TODAY, full_clinic, table_of


def test_a_complete_clinic_scores_full_marks_in_every_criterion_but_reviews(checklist):
    scores = compute_scores(table_of(full_clinic()), today=TODAY).iloc[0]
    for key in checklist.keys:
        assert scores[key] == pytest.approx(100.0, abs=0.01), key
    assert scores["completeness"] == 100 and scores["unknowns"] == 0 and not scores["stale"]


def test_an_empty_profile_scores_zero_is_all_unknown_and_stale(checklist):
    scores = compute_scores(table_of({"id": "e", "name": "Empty"}), today=TODAY).iloc[0]
    assert scores["overall"] == 0 and scores["completeness"] == 0
    assert scores["unknowns"] == len(checklist.items)
    assert scores["stale"] and scores["stale_criteria"] == ";".join(checklist.keys)


STATES = st.sampled_from(["yes", "no", ""])


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_yes_never_scores_below_unknown_and_unknown_never_below_no(checklist, data):
    item = data.draw(st.sampled_from(checklist.tristate_items))
    base = {i.column: data.draw(STATES) for i in checklist.tristate_items}
    base.update(name="X", id="x")
    rows = [
        dict(base, **{item.column: value}, id=value or "unknown") for value in ("no", "", "yes")
    ]
    scores = compute_scores(table_of(*rows), today=TODAY)
    for column in [*checklist.keys, "overall"]:
        no, unknown, yes = scores[column]
        assert no <= unknown <= yes, column


def test_pricing_not_disclosed_earns_nothing_and_a_listed_price_counts_as_published(checklist):
    silent, priced = compute_scores(
        table_of(
            {"name": "Silent"}, {"name": "Priced", "price_per_session": "$500", "country": "US"}
        ),
        today=TODAY,
    )["pricing"]
    points = checklist.criterion("pricing").points
    assert silent == 0
    assert priced == pytest.approx(100 * checklist.item("pricing.price_published").points / points)


def test_one_perfect_review_counts_for_less_than_two_hundred_very_good_ones():
    table = table_of(
        {"id": "one", "name": "One", "reviews_rating": 5, "reviews_count": 1},
        {"id": "many", "name": "Many", "reviews_rating": 4.8, "reviews_count": 200},
    )
    scores = compute_scores(table, today=TODAY).set_axis(table["id"])
    assert scores.loc["one", "reviews"] < scores.loc["many", "reviews"]
    assert scores.loc["one", "reviews_shrunk"] == pytest.approx((10 * 3.5 + 5) / 11)
    assert scores["few_reviews"].tolist() == [True, False]


def test_weights_change_the_overall_and_weight_zero_removes_a_criterion():
    table = table_of(
        {
            "id": "safe",
            "name": "Safe",
            **{
                f"monitoring.{k}": "yes"
                for k in (
                    "vital_signs",
                    "recovery_observation",
                    "emergency_equipment",
                    "emergency_training",
                    "pre_screening",
                )
            },
        },
        {
            "id": "cheap",
            "name": "Cheap",
            "price_per_session": 300,
            "country": "US",
            "pricing.sessions_stated": "yes",
            "pricing.payment_options": "yes",
            "pricing.reimbursement_help": "yes",
            "pricing.refund_policy": "yes",
        },
    )
    safety_first = rank_clinics(table, parse_weights("monitoring=5"), today=TODAY)
    assert safety_first["id"].tolist() == ["safe", "cheap"]
    only_price = {
        k: 0
        for k in (
            "expertise",
            "monitoring",
            "personalization",
            "follow_up",
            "mental_health",
            "reviews",
        )
    }
    ranked = rank_clinics(table, {**only_price, "pricing": 1}, today=TODAY).set_index("id")
    assert ranked.loc["cheap", "overall"] == 100 and ranked.loc["safe", "overall"] == 0


@pytest.mark.parametrize(
    "text, message",
    [
        ("expertize=2", "did you mean expertise"),
        ("pricing=6", "between 0 and 5"),
        ("pricing", "criterion=weight"),
        ("pricing=x", "not a number"),
        (
            ",".join(
                f"{k}=0"
                for k in (
                    "expertise",
                    "monitoring",
                    "personalization",
                    "follow_up",
                    "mental_health",
                    "pricing",
                    "reviews",
                )
            ),
            "above 0",
        ),
    ],
)
def test_bad_weights_are_explained(text, message):
    with pytest.raises(ScoringError, match=message):
        parse_weights(text)


def test_must_haves_filter_and_unknown_items_are_refused():
    table = table_of(
        {"id": "a", "name": "A", "monitoring.vital_signs": "yes"},
        {"id": "b", "name": "B", "monitoring.vital_signs": ""},
        {"id": "c", "name": "C", "monitoring.vital_signs": "no"},
    )
    assert rank_clinics(table, require=["monitoring.vital_signs"], today=TODAY)["id"].tolist() == [
        "a"
    ]
    with pytest.raises(ScoringError, match=r"did you mean monitoring\.vital_signs"):
        check_requirements(["monitoring.vitals"])


def test_stale_flags_follow_the_twelve_month_rule():
    table = table_of(
        full_clinic(**{"expertise.verified_on": "2025-11-20"}),
        full_clinic(id="fresh", **{"expertise.verified_on": "2025-11-22"}),
    )
    scores = compute_scores(table, today=dt.date(2026, 11, 21))
    assert scores["stale_criteria"].tolist() == ["expertise", ""]
    assert scores["stale"].tolist() == [True, False]


def test_ranking_breaks_ties_by_completeness_then_name():
    table = table_of(
        {"id": "b", "name": "Bravo"},
        {"id": "a", "name": "Alpha"},
        {"id": "c", "name": "Charlie", "expertise.physician_led": "no"},
    )
    ranked = rank_clinics(table, today=TODAY)
    assert ranked["id"].tolist() == ["c", "a", "b"]
    assert ranked["rank"].tolist() == [1, 2, 3]


def test_questions_cover_unknown_and_no_items_only(checklist):
    table = table_of(full_clinic(**{"monitoring.vital_signs": "no", "follow_up.booster_plan": ""}))
    asked = questions(table).iloc[0].split(" | ")
    assert asked == [
        checklist.item("monitoring.vital_signs").question,
        checklist.item("follow_up.booster_plan").question,
    ]


def test_explanation_agrees_with_the_engine_and_names_sources_and_dates(checklist):
    row = full_clinic(**{"monitoring.vital_signs": "no", "pricing.verified_on": "2020-01-01"})
    table = table_of(row)
    why = explain(table.iloc[0], today=TODAY)
    scores = compute_scores(table, today=TODAY).iloc[0]
    assert why.overall == pytest.approx(scores["overall"])
    monitoring = next(c for c in why.criteria if c.criterion.key == "monitoring")
    assert monitoring.score == pytest.approx(scores["monitoring"])
    assert monitoring.earned == pytest.approx(sum(r.earned for r in monitoring.items))
    assert monitoring.items[0].state == "no"
    pricing = next(c for c in why.criteria if c.criterion.key == "pricing")
    assert pricing.stale and pricing.verified_on == dt.date(2020, 1, 1)
    assert pricing.source == "https://example.org/pricing"
    assert why.questions == (checklist.item("monitoring.vital_signs").question,)
    assert why.reviews_count == 100000 and why.rubric_version == checklist.version
    text = "\n".join(why.lines())
    assert "[no] Vital signs monitored: +0" in text and "(old evidence)" in text


def test_vectorised_engine_matches_the_straightforward_per_row_implementation():
    from benchmarks.baseline import baseline_scores
    from benchmarks.synthetic import synthetic_table

    table = synthetic_table(3000, seed=7)
    weights = {"expertise": 3, "pricing": 0.5, "reviews": 0}
    fast = compute_scores(table, weights, today=TODAY)
    slow = baseline_scores(table, weights, today=TODAY)
    for column in slow.columns:
        np.testing.assert_allclose(
            fast[column].astype(float), slow[column].astype(float), atol=1e-9, err_msg=column
        )


def test_scores_are_added_as_new_columns_and_the_directory_is_untouched():
    table = table_of(full_clinic())
    before = table.copy()
    rank_clinics(table, today=TODAY)
    pd.testing.assert_frame_equal(table, before)


def test_printable_shortlist_escapes_everything_and_keeps_notes():
    from scoring.shortlist import printable_html, shortlist_frame

    table = table_of(full_clinic(name="<script>alert(1)</script>", website="https://a.org/x"))
    frame = shortlist_frame(rank_clinics(table, today=TODAY))
    page = printable_html(frame, {"full": "<b>ring</b> them"}, "My <list>", "data note")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;ring&lt;/b&gt; them" in page
    links = re.findall(r"<a [^>]*href='([^']*)'", page)
    assert links and all(h == "https://a.org/x" or h.startswith("tel:") for h in links)
    assert page.count("<a ") == len(links)  # no other link of any kind
    assert "My &lt;list&gt;" in page


def straight_ranking(table: pd.DataFrame, weights, require) -> list[tuple[int, int]]:
    """(row, rank) best first, the plain way: a Python sort on the published keys."""
    from scoring.engine import YES, item_states

    scores = compute_scores(table, weights, today=TODAY)
    keep = np.ones(len(table), dtype=bool)
    for key in require:  # every must-have item answered yes, item by item
        keep &= item_states(table, default_checklist().item(key)) == YES
    keys = {
        row: (-round(scores["overall"].iloc[row], 9), -round(scores["completeness"].iloc[row], 9),
              table["name"].iloc[row])
        for row in range(len(table)) if keep[row]
    }  # fmt: skip
    order = sorted(keys, key=lambda row: (keys[row], row))  # ties keep the file's order
    out, rank = [], 0
    for place, row in enumerate(order, start=1):
        if place == 1 or keys[row] != keys[order[place - 2]]:
            rank = place
        out.append((row, rank))
    return out


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    weights=st.lists(st.integers(0, 5), min_size=7, max_size=7).filter(any),
    must=st.lists(st.integers(0, 5), max_size=2),
)
def test_the_one_key_sort_ranks_exactly_as_a_plain_sort_on_the_published_keys(
    checklist, seed, weights, must
):
    from benchmarks.synthetic import synthetic_table

    table = synthetic_table(60, seed=seed)
    rng = np.random.default_rng(seed)
    table["name"] = rng.choice(["Alpha", "Beta", "Gamma"], len(table))  # many name ties
    table = pd.concat([table, table.iloc[: len(table) // 3]], ignore_index=True)  # exact copies
    chosen = dict(zip(checklist.keys, map(float, weights), strict=True))
    must = [checklist.tristate_items[i * 3].column for i in must]
    ranked = rank_clinics(table.assign(row=np.arange(len(table))), chosen, must, today=TODAY)
    assert list(zip(ranked["row"], ranked["rank"], strict=True)) == straight_ranking(
        table, chosen, must
    )


def test_both_forms_of_the_order_key_sort_alike():
    from scoring.engine import order_key

    rng = np.random.default_rng(3)
    level = rng.integers(0, 100 * 10**9, 5000) // 10**8 * 10**8  # many equal scores
    position = rng.permutation(5000)
    one = np.argsort(order_key(level, position, single=True))
    places = np.argsort(order_key(level, position, single=False))
    assert np.array_equal(one, places)
    assert np.array_equal(one, np.lexsort((position, -level)))


def test_an_item_answered_by_a_listed_fact_says_so_in_words(checklist):
    implied = [i for i in checklist.items if i.implied_by]
    assert implied
    row = full_clinic(**{i.column: "" for i in implied})  # the facts listed, the items blank
    notes = {r.item.column: r.note for c in explain(row).criteria for r in c.items}
    for item in implied:
        assert notes[item.column] == item.implied_note
        assert item.implied_by not in item.implied_note  # words, not a column name
