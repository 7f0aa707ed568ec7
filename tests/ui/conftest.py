"""Shared by the page tests: the app runs as `make run` starts it, listening on 127.0.0.1."""

import pytest
from streamlit import config


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
