"""Location benchmark: radius filter + sort over many clinics, and offline place look-ups.

Figures: the vectorised `providers.geo.nearby` over 1M clinics against a per-row loop of
geopy's geodesic distance on the same rows (run on a 100k slice, the loop being slow, and on
the full table only as a labelled estimate); cold and warm offline place look-ups, the cold
ones in a fresh process.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
ROWS = 1_000_000
LOOP_ROWS = 100_000
RADIUS_KM = 80.0
TARGET_FILTER_S = 0.1
TARGET_RATIO = 100.0
QUERIES = (
    "85251",
    "02139",
    "Scottsdale, AZ",
    "Toronto, ON",
    "Thunder Bay, Ontario",
    "33.49,-111.92",
)


def clinic_points(n: int, seed: int = 0) -> pd.DataFrame:
    """Clinics scattered over the US and southern Canada, a tenth of them offering telehealth."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "rank": np.arange(1, n + 1),
            "row": np.arange(n),
            "latitude": rng.uniform(25.0, 55.0, n),
            "longitude": rng.uniform(-125.0, -65.0, n),
            "telehealth": pd.Categorical(
                np.where(rng.random(n) < 0.1, "yes", "unknown"), categories=["no", "unknown", "yes"]
            ),
            "region": pd.Series(rng.choice(["AZ", "CA", "NY", "ON", "TX"], n), dtype="str"),
        }
    )


def _median(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def geopy_loop(table: pd.DataFrame, origin: tuple[float, float], radius_km: float) -> list[int]:
    """The straightforward way: one geodesic per clinic, then a Python sort."""
    from geopy.distance import geodesic

    kept = []
    for i, (lat, lon) in enumerate(zip(table["latitude"], table["longitude"], strict=True)):
        km = geodesic(origin, (lat, lon)).km
        if km <= radius_km:
            kept.append((km, i))
    return [i for _, i in sorted(kept)]


def cold_lookups() -> dict[str, float]:
    """First ZIP and first city look-up in a brand-new process (pays for loading the data)."""
    code = (
        "import json, time\n"
        "from providers.geo import default_gazetteer\n"
        "g = default_gazetteer(); out = {}\n"
        "t = time.perf_counter(); g.resolve('85251'); out['zip'] = time.perf_counter() - t\n"
        "t = time.perf_counter(); g.resolve('Toronto, ON'); out['city'] = time.perf_counter() - t\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def main() -> None:
    from providers.geo import Place, default_gazetteer, nearby

    place = Place("Scottsdale, AZ", 33.4942, -111.9261, "city", "US", "AZ")
    table = clinic_points(ROWS)
    fast_s = _median(lambda: nearby(table, place, RADIUS_KM, sort="distance"), 5)
    kept = len(nearby(table, place, RADIUS_KM, sort="distance"))
    part = table.iloc[:LOOP_ROWS]
    fast_part_s = _median(lambda: nearby(part, place, RADIUS_KM, sort="distance"), 5)
    loop_part_s = _median(lambda: geopy_loop(part, (place.latitude, place.longitude), RADIUS_KM), 1)
    same = geopy_loop(part, (place.latitude, place.longitude), RADIUS_KM)
    ours = nearby(part, place, RADIUS_KM, sort="distance")
    agree = same == ours[ours["reach"] == "in person"]["row"].tolist()
    ratio = loop_part_s / fast_part_s
    gaz = default_gazetteer()
    cold = cold_lookups()
    for q in QUERIES:
        gaz.resolve(q)
    warm = []
    for _ in range(2000):
        for q in QUERIES:
            start = time.perf_counter()
            gaz.resolve(q)
            warm.append(time.perf_counter() - start)
    print(f"bench_location: radius {RADIUS_KM:g} km around {place.label}, sorted by distance")
    print(
        f"  {ROWS:,} clinics: nearby() median {fast_s * 1000:.1f} ms ({kept:,} kept); "
        f"geopy loop est. {loop_part_s * ROWS / LOOP_ROWS:.0f} s (scaled from {LOOP_ROWS:,})"
    )
    print(
        f"  {LOOP_ROWS:,} clinics: nearby() {fast_part_s * 1000:.1f} ms vs geopy geodesic loop "
        f"{loop_part_s:.2f} s = {ratio:.0f}x; same clinics kept: {'yes' if agree else 'NO'}"
    )
    print(
        f"  offline look-ups: cold ZIP {cold['zip'] * 1000:.0f} ms, "
        f"cold city {cold['city'] * 1000:.0f} ms "
        f"(fresh process); warm median {statistics.median(warm) * 1e6:.1f} us, "
        f"p99 {np.percentile(warm, 99) * 1e6:.1f} us over {len(warm):,} look-ups"
    )
    verdict = {True: "PASS", False: "MISS"}  # keyed by plain bools (numpy ones are cast)
    print(
        f"targets: radius filter + sort 1M < {TARGET_FILTER_S * 1000:.0f} ms: "
        f"{verdict[fast_s < TARGET_FILTER_S]} ({fast_s * 1000:.1f} ms); ratio vs geopy >= "
        f"{TARGET_RATIO:.0f}x: {verdict[ratio >= TARGET_RATIO]} ({ratio:.0f}x); "
        "warm look-up p99 < 1 ms: "
        f"{verdict[bool(np.percentile(warm, 99) < 1e-3)]}"
    )


if __name__ == "__main__":
    main()
