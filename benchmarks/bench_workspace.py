"""SqliteStore benchmark: import + validate 100k clinics into a list, save one edit in a 5k list,
export a 100k list. Each on a fresh SQLite file in a temporary folder."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

ROWS = 100_000
SMALL = 5_000
TARGETS = {"import": 5.0, "edit": 0.1, "export": 3.0}


def main() -> None:
    from benchmarks.synthetic import synthetic_raw
    from providers.curation import SqliteStore
    from providers.directory import parse_directory

    data = synthetic_raw(ROWS).to_csv(index=False).encode()
    small = parse_directory(synthetic_raw(SMALL, seed=1).to_csv(index=False).encode(), "s.csv")
    with (
        tempfile.TemporaryDirectory(prefix="bench_ws_") as folder,
        SqliteStore.open(Path(folder) / "w.sqlite") as ws,
    ):
        ws.create_list("big", "bench")
        start = time.perf_counter()
        table = parse_directory(data, "big.csv").table
        ws.import_table("big", table, "bench", "big.csv")
        import_s = time.perf_counter() - start

        ws.create_list("small", "bench")
        ws.import_table("small", small.table, "bench", "s.csv")
        versions = ws.load("small")[1]
        ids = list(versions)[:20]
        edits = []
        for i, clinic_id in enumerate(ids):
            start = time.perf_counter()
            ws.save_clinic("small", clinic_id, {"phone": f"555-{i:04d}"}, versions[clinic_id], "b")
            edits.append(time.perf_counter() - start)
        edit_s = statistics.median(edits)

        start = time.perf_counter()
        out = ws.export_csv("big")
        export_s = time.perf_counter() - start
    figures = {"import": import_s, "edit": edit_s, "export": export_s}
    verdict = {True: "PASS", False: "MISS"}
    print(f"bench_workspace: {ROWS:,}-clinic CSV ({len(data) / 1e6:.0f} MB), {SMALL:,}-clinic list")
    print(f"  import + validate {ROWS:,}: {import_s:.2f} s; save one edit in {SMALL:,}: "
          f"median {edit_s * 1000:.1f} ms; export {ROWS:,} as CSV: {export_s:.2f} s "
          f"({len(out) / 1e6:.0f} MB)")  # fmt: skip
    print("targets: " + "; ".join(
        f"{k} < {v:g} s: {verdict[figures[k] < v]}" for k, v in TARGETS.items()))  # fmt: skip


if __name__ == "__main__":
    main()
