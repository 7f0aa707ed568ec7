"""Trust: a clinic's rank depends only on its checklist evidence and the patient's choices.

No clinic can buy placement: the order of rows in the directory, and every column outside
the checklist (ids, notes, website, phone), never change anyone's rank.
"""

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
