"""Shared fixtures: the bundled checklist, small directories built in the test, a fixed date."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping

import pytest
from hypothesis import settings

from providers.directory import default_schema, parse_directory
from scoring import default_checklist

TODAY = dt.date(2026, 11, 21)

# No property test is a timing test: on a shared 2-core machine one example can take 10x
# another, and speed is judged by the benchmarks. Every test runs without a deadline.
settings.register_profile("untimed", deadline=None)
settings.load_profile("untimed")


def csv_of(rows: Iterable[Mapping[str, object]], delimiter: str = ",") -> bytes:
    """A CSV (UTF-8) with the union of the rows' keys as header."""
    rows = list(rows)
    header: list[str] = []
    for row in rows:
        header.extend(k for k in row if k not in header)
    out = io.StringIO()
    writer = csv.DictWriter(out, header, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def table_of(*rows: Mapping[str, object]):
    """A validated clinic table from dictionaries (asserting they parse without problems)."""
    result = parse_directory(csv_of(rows), "t.csv")
    assert result.rejected == 0, result.problems
    return result.table


@pytest.fixture(scope="session")
def checklist():
    return default_checklist()


@pytest.fixture(scope="session")
def schema():
    return default_schema()


@pytest.fixture
def today():
    return TODAY


def full_clinic(**overrides) -> dict[str, object]:
    """A clinic that answers yes to every item, with fresh evidence and many good reviews."""
    checklist = default_checklist()
    row: dict[str, object] = {
        "id": "full",
        "name": "Complete Care",
        "country": "US",
        "price_per_session": 450,
        "currency": "USD",
        "consultation_fee": 200,
        "series_sessions": 6,
        "booster_price": 400,
        "booster_interval_months": 2,
        "status": "open",
        "reviews_rating": 5,
        "reviews_count": 100000,
    }
    for item in checklist.tristate_items:
        row[item.column] = "yes"
    for criterion in checklist.criteria:
        row[criterion.source_column] = f"https://example.org/{criterion.key}"
        row[criterion.verified_column] = "2026-10-01"
    row.update(overrides)
    return row


def published_workspace(path):
    """A workspace file at `path` with the list 'Arizona' (az-1 Desert Clinic at 450 a session,
    az-2 Mesa Clinic), published once: what a deployment shows patients."""
    from providers.curation import SqliteStore

    rows = [full_clinic(id="az-1", name="Desert Clinic", price_per_session=450),
            full_clinic(id="az-2", name="Mesa Clinic")]  # fmt: skip
    with SqliteStore.open(path) as ws:
        ws.create_list("Arizona", "ana@group.org")
        ws.import_table("Arizona", parse_directory(csv_of(rows), "az.csv").table, "ana", "az")
        ws.publish_snapshot("Arizona", "ana@group.org")
    return path


# --- a real PostgreSQL server for the workspace tests (tests/pgserver.py) -------------------


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway server per test session; skipped without PostgreSQL, failed under CI."""
    import os

    from tests.pgserver import MISSING, TempPostgres, find_bin

    bin_dir = find_bin()
    if bin_dir is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    server = TempPostgres(bin_dir).start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server):
    """The address of a fresh, empty database on the session's server (dropped afterwards)."""
    from providers.curation.postgres import close_pools

    url = postgres_server.database()
    yield url
    close_pools(url)
    postgres_server.drop(url)
