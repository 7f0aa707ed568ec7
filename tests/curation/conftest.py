"""A workspace with the demo directory imported as the list 'Arizona'."""

import pytest

from providers.curation import SqliteStore
from providers.directory import read_directory


@pytest.fixture
def ws(tmp_path):
    with SqliteStore.open(tmp_path / "ws" / "workspace.sqlite") as workspace:
        workspace.create_list("Arizona", "ana")
        workspace.import_table("Arizona", read_directory("demo").table, "ana", "demo")
        yield workspace
