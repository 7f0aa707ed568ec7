"""Trust: a clinic's rank depends only on its checklist evidence and the patient's choices.

No clinic can buy placement: the order of rows in the directory, and every column outside
the checklist (ids, notes, website, phone), never change anyone's rank.
"""

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.directory import read_directory
from scoring import default_checklist, rank_clinics
from tests.conftest import TODAY

DEMO = read_directory("demo").table
# Columns the checklist does not read (name orders a tie's display; it is not in this list).
FREE = ("id", "notes", "website", "phone", "address")
SIZE = len(default_checklist().keys)


def ranks(table: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    ranked = rank_clinics(table, weights, today=TODAY)
    return ranked.set_index("row")["rank"].sort_index()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    weights=st.lists(st.integers(0, 5), min_size=SIZE, max_size=SIZE).filter(any),
    duplicate=st.booleans(),
    filler=st.sampled_from(["", "Sponsored! Best clinic", "zzz", "=1+1", "0"]),
)
def test_row_order_and_non_checklist_columns_never_change_a_rank(seed, weights, duplicate, filler):
    table = DEMO.assign(row=np.arange(len(DEMO)))
    if duplicate:  # an exact copy of a clinic under another id ties with it, whatever the order
        table = pd.concat([table, table.iloc[[0]].assign(id="copy", row=len(table))])
        table = table.reset_index(drop=True)
    chosen = dict(zip(default_checklist().keys, map(float, weights), strict=True))
    before = ranks(table, chosen)
    rng = np.random.default_rng(seed)
    shuffled = table.iloc[rng.permutation(len(table))].reset_index(drop=True)
    for column in FREE:
        if column == "id":
            shuffled["id"] = [f"x{n}" for n in rng.permutation(len(shuffled))]
        else:
            shuffled[column] = filler
    after = ranks(shuffled, chosen)
    pd.testing.assert_series_equal(before, after)
    if duplicate:
        assert before[0] == before[len(table) - 1]  # the copy shares its original's rank


def test_the_method_says_no_clinic_pays_for_placement():
    from scoring import method_markdown

    text = method_markdown()
    assert "No clinic pays for placement" in text and "share a rank" in text


def test_equal_clinics_share_a_rank_after_filtering_and_near_a_place(monkeypatch, tmp_path):
    """The app renumbered ranks after filters and the radius: twins showed as 28 and 29."""
    from streamlit.testing.v1 import AppTest

    from providers.geo import Place, default_gazetteer, locate_clinics, nearby
    from scoring import rerank

    twins = pd.concat([DEMO, DEMO.iloc[[5]].assign(id="twin")]).reset_index(drop=True)
    ranked = rank_clinics(twins, today=TODAY)
    twin_rank = ranked.loc[ranked["id"] == "twin", "rank"].iloc[0]
    original = ranked.loc[ranked["id"] == DEMO["id"].iloc[5], "rank"].iloc[0]
    assert twin_rank == original
    kept = ranked[ranked["id"] != ranked["id"].iloc[0]].reset_index(drop=True)
    assert len(set(rerank(kept))) == len(kept) - 1  # still one shared rank after a filter
    located, _ = locate_clinics(ranked, default_gazetteer())
    here = located.dropna(subset=["latitude"]).iloc[0]
    place = Place("here", float(here["latitude"]), float(here["longitude"]), "exact")
    near = nearby(located, place, None, "score")
    pair = near.loc[near["id"].isin(["twin", DEMO["id"].iloc[5]]), "rank"]
    assert pair.nunique() == 1
    directory = tmp_path / "twins.csv"
    directory.write_bytes(twins.to_csv(index=False).encode())
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", str(directory))
    at = AppTest.from_file(str(Path(__file__).parents[2] / "app.py"), default_timeout=60).run()
    while more := [b for b in at.button if b.key == "find.more"]:  # every row
        more[0].click().run()
    at.toggle(key="w.every_detail").set_value(True).run()  # every column, the rank among them
    shown = at.dataframe[0].value
    assert shown.loc[shown["id"].isin(["twin", DEMO["id"].iloc[5]]), "rank"].nunique() == 1
