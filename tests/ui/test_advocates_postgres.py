"""The pages on a PostgreSQL workspace (AppTest): a server that is down is a message on the
advocates' and the patients' pages, never a traceback, and connections the server dropped
(a restart, an administrator) are replaced at the next page run."""

from __future__ import annotations

import psycopg
import pytest

from tests.ui.test_advocates import APP, curate, go, ok

DOWN = "postgresql://ana:s3cret-pw@/clinics?host=/nonexistent-socket-dir&port=5999"


@pytest.fixture
def env(monkeypatch):
    for name in ("CLINIC_COMPARE_DIRECTORY", "CLINIC_COMPARE_ALLOW_PRIVATE_URLS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_server_that_is_down_is_a_message_on_every_page(env):
    from streamlit.testing.v1 import AppTest

    env.setenv("CLINIC_COMPARE_WORKSPACE", DOWN)
    at = curate(with_list=False)
    errors = [e.value for e in at.error]
    assert any("cannot be reached" in e and "is PostgreSQL running" in e for e in errors), errors
    assert not any("s3cret-pw" in e for e in errors)
    env.setenv("CLINIC_COMPARE_DIRECTORY", "workspace:Arizona")
    at = ok(AppTest.from_file(APP, default_timeout=60).run())
    errors = [e.value for e in at.error]
    assert any("cannot be shown" in e and "cannot be reached" in e for e in errors), errors
    assert not any("s3cret-pw" in e for e in errors)


def test_connections_the_server_dropped_are_replaced_at_the_next_run(env, postgres_url):
    env.setenv("CLINIC_COMPARE_WORKSPACE", postgres_url)
    at = curate()  # makes the list 'Arizona' through the page, over pooled connections
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
    assert ended >= 1
    go(at, "clinics")
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="w.curate.list").value == "Arizona"
