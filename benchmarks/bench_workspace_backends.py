"""The workspace on SQLite and on PostgreSQL, side by side, the same work on each:

- one edit saved in a 5,000-clinic list (median of 20);
- importing and exporting 100,000 clinics (a validated table in; the directory CSV out);
- reading the published list of 10,000 clinics as a patient's page does (open the
  workspace, fetch the live snapshot, parse it; median of 5);
- 20 editors saving different clinics at once, each with its own connection (saves per
  second, and the 95th percentile of one save).

PostgreSQL is a throwaway local server (tests/pgserver.py: Debian's binaries, a unix socket,
durability settings relaxed as in the tests); without its binaries it is skipped with a
message. BENCH_WORKSPACE_ROWS scales the 100k import/export down (e.g. 20000 on a laptop).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROWS = int(os.environ.get("BENCH_WORKSPACE_ROWS", "100000"))
SMALL, PUBLISHED, EDITORS, SAVES_EACH = 5_000, 10_000, 20, 10
#: Goals (seconds), the same for both backends.
GOALS = {"edit": 0.1, "import": 5.0, "export": 3.0, "read published": 1.0, "editors p95": 0.25}

Opener = Callable[[], object]


def _measure(open_store: Callable[[], object]) -> dict[str, float]:
    from benchmarks.synthetic import synthetic_table
    from providers.curation import published_directory

    figures: dict[str, float] = {}
    big, small = synthetic_table(ROWS), synthetic_table(SMALL, seed=1)
    published = synthetic_table(PUBLISHED, seed=2)
    with open_store() as ws:  # type: ignore[attr-defined]
        ws.create_list("big", "bench")
        start = time.perf_counter()
        ws.import_table("big", big, "bench", "big.csv")
        figures["import"] = time.perf_counter() - start
        start = time.perf_counter()
        ws.export_csv("big")
        figures["export"] = time.perf_counter() - start

        ws.create_list("small", "bench")
        ws.import_table("small", small, "bench", "s.csv")
        versions = ws.load("small")[1]
        times = []
        for i, clinic_id in enumerate(list(versions)[:20]):
            start = time.perf_counter()
            ws.save_clinic("small", clinic_id, {"phone": f"555-{i:04d}"}, versions[clinic_id], "b")
            times.append(time.perf_counter() - start)
        figures["edit"] = statistics.median(times)

        ws.create_list("live", "bench")
        ws.import_table("live", published, "bench", "p.csv")
        ws.publish_snapshot("live", "bench")
    reads = []
    for _ in range(5):
        start = time.perf_counter()
        with open_store() as ws:  # type: ignore[attr-defined]
            result, _ = published_directory(ws, "live")
        reads.append(time.perf_counter() - start)
        assert len(result.table) == PUBLISHED
    figures["read published"] = statistics.median(reads)

    ids = list(versions)[100 : 100 + EDITORS * SAVES_EACH]
    latencies: list[float] = []
    lock, errors = threading.Lock(), []

    def editor(mine: list[str]) -> None:
        try:
            for clinic_id in mine:
                begun = time.perf_counter()
                with open_store() as store:  # type: ignore[attr-defined]
                    store.save_clinic("small", clinic_id, {"notes": "checked"},
                                      versions[clinic_id], "editor")  # fmt: skip
                with lock:
                    latencies.append(time.perf_counter() - begun)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=editor, args=(ids[n::EDITORS],)) for n in range(EDITORS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    figures["editors saves/s"] = len(latencies) / elapsed
    figures["editors p95"] = statistics.quantiles(latencies, n=20)[-1]
    return figures


def _postgres(folder: Path) -> tuple[Callable[[], object], Callable[[], None]] | str:
    """An opener on a fresh PostgreSQL database and its clean-up, or why there is none."""
    try:
        from tests.pgserver import MISSING, TempPostgres, find_bin
    except ImportError as exc:  # an installed copy without the tests folder
        return f"tests/pgserver.py is not available ({exc})"
    bin_dir = find_bin()
    if bin_dir is None:
        return MISSING
    from providers.curation import open_workspace
    from providers.curation.postgres import close_pools

    server = TempPostgres(bin_dir).start()
    url = server.database()

    def done() -> None:
        close_pools()
        server.stop()

    return (lambda: open_workspace(url)), done


def main() -> None:
    from providers.curation import open_workspace

    print(f"bench_workspace_backends: SQLite and PostgreSQL side by side ({ROWS:,} clinics "
          f"imported/exported, one edit in {SMALL:,}, the published list of {PUBLISHED:,}, "
          f"{EDITORS} editors x {SAVES_EACH} saves)")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench_backends_") as folder:
        path = Path(folder) / "w.sqlite"
        results = {"SQLite": _measure(lambda: open_workspace(path))}
        postgres = _postgres(Path(folder))
        if isinstance(postgres, str):
            print(f"  PostgreSQL skipped: {postgres}")
        else:
            opener, done = postgres
            try:
                results["PostgreSQL"] = _measure(opener)
            finally:
                done()
    names = list(results)
    print("  " + f"{'':<22}" + "".join(f"{n:>14}" for n in names)
          + ("   PostgreSQL/SQLite" if len(names) == 2 else "") + "   goal")  # fmt: skip
    for key in ("edit", "import", "export", "read published", "editors saves/s", "editors p95"):
        values = [results[n][key] for n in names]
        rate = key.endswith("/s")
        shown = [f"{v:>12.0f}/s" if rate else _time(v) for v in values]
        ratio = f"{values[1] / values[0]:>20.2f}x" if len(values) == 2 else ""
        goal = GOALS.get(key)
        verdicts = "" if goal is None else (
            f"   < {_time(goal).strip()}: "
            + ", ".join("PASS" if v < goal else "MISS" for v in values)
        )  # fmt: skip
        print(f"  {key:<22}" + "".join(shown) + ratio + verdicts)


def _time(seconds: float) -> str:
    return f"{seconds * 1000:>11.1f} ms" if seconds < 1 else f"{seconds:>12.2f} s"


if __name__ == "__main__":
    main()
