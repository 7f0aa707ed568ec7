"""The workspace store suite runs on both backends: every test taking `ws` or `new_store` runs
once on a SQLite file and once on a fresh PostgreSQL database (tests/pgserver.py)."""

from collections.abc import Callable

import pytest

from providers.curation import SqliteStore, WorkspaceStore, open_workspace
from providers.directory import read_directory

BACKENDS = ("sqlite", "postgresql")
NewStore = Callable[..., WorkspaceStore]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def location(backend, tmp_path, request) -> str:
    """This test's workspace: a file path, or the address of a fresh PostgreSQL database."""
    if backend == "sqlite":
        return str(tmp_path / "ws" / "workspace.sqlite")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def new_store(location) -> NewStore:
    """Open (again) this test's workspace: the same file, or the same database, each call."""
    return lambda schema=None: open_workspace(location, schema)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_store(request, tmp_path_factory):
    """One empty workspace per backend for a whole module: property tests make a list per
    example in it instead of a workspace per example."""
    if request.param == "sqlite":
        with SqliteStore.open(tmp_path_factory.mktemp("shared") / "w.sqlite") as store:
            yield store
        return
    from providers.curation.postgres import close_pools

    server = request.getfixturevalue("postgres_server")
    url = server.database()
    with open_workspace(url) as store:
        yield store
    close_pools(url)
    server.drop(url)


@pytest.fixture
def ws(new_store):
    """A workspace with the demo directory imported as the list 'Arizona'."""
    with new_store() as workspace:
        workspace.create_list("Arizona", "ana")
        workspace.import_table("Arizona", read_directory("demo").table, "ana", "demo")
        yield workspace


def scalar(store: WorkspaceStore, sql: str, *params: object) -> object:
    """One value from a statement (`?` placeholders) on either backend, for assertions."""
    return store.run(sql, params).fetchone()[0]  # type: ignore[attr-defined]
