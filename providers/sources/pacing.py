"""Keeping to a request rate: one clock, shared by every thread that holds the same Pacer."""

from __future__ import annotations

import threading
import time


class Pacer:
    """Spaces calls at least `min_interval` seconds apart across threads."""

    def __init__(self, min_interval: float = 0.0):
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._last = float("-inf")

    def wait(self, min_interval: float | None = None) -> None:
        """Block until the next call may go out, then claim that slot."""
        interval = self.min_interval if min_interval is None else min_interval
        with self._lock:
            delay = self._last + interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._last = time.monotonic()
