"""The load benchmark's pure helpers: percentiles, memory arithmetic, the expected answers."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from benchmarks.bench_load import (
    CAPTION,
    DISTANCES,
    ORDER,
    PLACES,
    WARM_UP_PLACE,
    Expected,
    Move,
    candidate_moves,
    descendants,
    expectations,
    foreign,
    per_session_mb,
    percentile,
    tree_rss_mb,
    verdict,
    vmrss_kb,
)


def test_percentile_interpolates_between_ranks_like_numpy():
    assert percentile([3.0], 95) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([4.0, 1.0, 3.0, 2.0], 0) == 1.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 100) == 4.0
    assert percentile([0.0, 10.0], 95) == pytest.approx(9.5)
    with pytest.raises(ValueError):
        percentile([], 50)


def test_vmrss_is_read_from_proc_status_text():
    status = "Name:\tpython\nVmPeak:\t  900 kB\nVmRSS:\t  123456 kB\nThreads:\t7\n"
    assert vmrss_kb(status) == 123456
    assert vmrss_kb("Name:\tzombie\nState:\tZ (zombie)\n") == 0


def test_descendants_follow_the_whole_tree_and_nothing_else():
    parents = {2: 1, 3: 2, 4: 3, 5: 1, 6: 99, 7: 6}
    assert descendants(1, parents) == [2, 3, 4, 5]
    assert descendants(6, parents) == [7]
    assert descendants(4, parents) == []
    assert descendants(1, {1: 1, 2: 1}) == [2]  # a process listed as its own parent


def test_tree_rss_of_this_process_is_positive():
    assert tree_rss_mb(os.getpid()) > 1


def test_per_session_memory_is_the_growth_over_one_session():
    assert per_session_mb({1: 200.0, 5: 240.0, 10: 290.0, 20: 390.0}) == {
        5: 10.0,
        10: 10.0,
        20: 10.0,
    }
    assert per_session_mb({5: 240.0}) == {}
    assert per_session_mb({1: 200.0}) == {}


def test_verdict_is_pass_at_the_goal():
    assert verdict(250.0, 250.0) == "PASS"
    assert verdict(250.1, 250.0) == "MISS"


def test_moves_start_at_the_sessions_own_criterion_and_cover_every_step():
    criteria = [("a", "A"), ("b", "B"), ("c", "C")]
    moves = candidate_moves(criteria, 4)
    assert [(m.key, m.arrow) for m in moves[:2]] == [("b", "ArrowRight"), ("b", "ArrowLeft")]
    assert len(moves) == 6 and {m.key for m in moves} == {"a", "b", "c"}
    assert Move("a", "A", "ArrowRight").weight == 2.0
    assert Move("a", "A", "ArrowLeft").weight == 0.0
    assert Move("a", "A", "ArrowLeft").back == "ArrowRight"


def test_the_benchmark_places_are_distinct_and_enough_for_twenty_sessions():
    assert len(set(PLACES)) == len(PLACES) >= 20
    assert WARM_UP_PLACE not in PLACES


def _expected(place: str, label: str) -> Expected:
    move = Move("a", "A", "ArrowRight")
    return Expected(place, DISTANCES.format(label), "1 clinics from x.csv", "C1", move, "C2")


def test_foreign_names_the_other_session_whose_place_is_shown():
    mine = _expected("85251", "Scottsdale, AZ 85251")
    other = _expected("78701", "Austin, TX 78701")
    shown = {"captions": ["Distances from Austin, TX 78701 (ZIP centre)."], "top": "C1"}
    assert foreign(shown, mine, [mine, other]) == ["78701"]
    assert foreign({"captions": [mine.distances]}, mine, [mine, other]) == []
    assert foreign({"captions": None}, mine, [mine, other]) == []


@pytest.fixture(scope="module")
def small_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from benchmarks.synthetic import synthetic_raw

    path = tmp_path_factory.mktemp("bench_load") / "clinics.csv"
    synthetic_raw(2000).to_csv(path, index=False)
    return path


def test_expectations_match_the_core_for_each_place(small_directory):
    from providers.directory import read_directory
    from providers.geo import (
        KM_PER_MILE,
        default_gazetteer,
        locate_clinics,
        nearby,
        resolve_place,
        with_region,
    )
    from scoring import default_checklist, rank_clinics

    today = dt.date(2026, 6, 1)
    places = ["85251", "Boulder, CO", "02108"]
    found = expectations(small_directory, places, today)
    assert [e.place for e in found] == places
    assert len({e.distances for e in found}) == len(places)
    assert found[0].distances == "Distances from Scottsdale, AZ 85251"

    gazetteer = default_gazetteer()
    table, _ = locate_clinics(read_directory(small_directory).table, gazetteer)
    for e in found:
        found_place = resolve_place(e.place, gazetteer).place
        assert found_place is not None
        place = with_region(found_place, gazetteer)
        near = nearby(rank_clinics(table, None, (), today), place, 50 * KM_PER_MILE)
        assert e.caption == CAPTION.format(len(near), "clinics.csv", ORDER["score"])
        assert e.top == near["name"].iloc[0]
        weights = {k: 1.0 for k in default_checklist().keys} | {e.move.key: e.move.weight}
        moved = nearby(rank_clinics(table, weights, (), today), place, 50 * KM_PER_MILE)
        assert e.moved_top == moved["name"].iloc[0]
        assert e.moved_top != e.top  # the move was chosen so that the first row changes


def test_expectations_refuse_a_place_the_gazetteer_does_not_know(small_directory):
    with pytest.raises(ValueError, match="does not resolve"):
        expectations(small_directory, ["Qqqzzz Nowhere, ZZ"])
