"""Shared by the page tests: the app runs as `make run` starts it, listening on 127.0.0.1."""

from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def listen_address():
    """Set the server address AppTest's app sees (curation needs a loopback address without
    sign-in); a test may call it again with another address. Restored afterwards."""
    before = config.get_option("server.address")

    def set_address(address: str | None) -> None:
        config.set_option("server.address", address)

    set_address("127.0.0.1")
    yield set_address
    set_address(before)


@pytest.fixture
def app(monkeypatch):
    """The app on the bundled demo directory, run once, as a patient first sees it."""
    monkeypatch.delenv("CLINIC_COMPARE_DIRECTORY", raising=False)
    monkeypatch.delenv("CLINIC_COMPARE_GEOCODER", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at
