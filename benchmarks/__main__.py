"""`python -m benchmarks`: run every benchmark module in turn and print its figures.

Each module exposes `main()`; add new ones to BENCHES and they run in the listed order.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks import (
    bench_app,
    bench_core,
    bench_limits,
    bench_load,
    bench_location,
    bench_startup,
    bench_workspace,
    bench_workspace_backends,
)

BENCHES: tuple[Callable[[], None], ...] = (
    bench_startup.main,
    bench_core.main,
    bench_location.main,
    bench_app.main,
    bench_workspace.main,
    bench_workspace_backends.main,  # SQLite and PostgreSQL side by side
    bench_limits.main,
    bench_load.main,  # the slowest: 1-20 concurrent Chromium sessions
)


def run_all() -> None:
    for index, bench in enumerate(BENCHES):
        if index:
            print()
        bench()


if __name__ == "__main__":
    run_all()
