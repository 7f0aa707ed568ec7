"""The directory, its located copy and the score basis are cached as shared objects (no pickled
copy per rerun), so no page may change them: every page runs on them, then they must equal
what a fresh read computes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from providers.directory import DEMO, read_directory
from providers.geo import default_gazetteer, locate_clinics
from scoring import score_basis
from ui import state

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ("find", "detail", "compare", "shortlist", "method")


def test_no_page_changes_the_cached_directory_or_scores(monkeypatch):
    monkeypatch.delenv("CLINIC_COMPARE_DIRECTORY", raising=False)
    fresh = read_directory(DEMO).table
    located, _ = locate_clinics(fresh, default_gazetteer())
    at = AppTest.from_file(APP, default_timeout=60)
    ids = fresh["id"].head(3).tolist()
    at.query_params.update(
        {"near": "85251", "routes": "IV", "list": ",".join(ids),
         "clinic": ids[0], "w": "monitoring:5,pricing:0"}
    )  # fmt: skip
    at.run()
    for name in PAGES:
        at.switch_page(f"ui/{name}.py").run()
        assert not at.exception, (name, [e.value for e in at.exception])
    at.switch_page("ui/find.py").run()
    at.slider(key="w.find.weight.pricing").set_value(4).run()  # a second ranking from one basis
    assert not at.exception

    cached = state._read_file(DEMO, 0.0).table
    pd.testing.assert_frame_equal(cached, fresh)
    key = f"{DEMO}@0.0|located=True"
    cached_located = state._located(cached, f"{DEMO}@0.0")
    pd.testing.assert_frame_equal(cached_located, located)
    today = dt.date.today()
    basis, straight = state._basis(cached_located, key, today), score_basis(located, today)
    for field in ("criteria", "states", "completeness", "position", "tie_group", "stale_code"):
        assert np.array_equal(getattr(basis, field), getattr(straight, field)), field
