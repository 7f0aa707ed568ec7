"""Start-up: `clinic-compare method` against `python -c "import pandas"` in the same venv.

The CLI imports lazily what a command does not need, so a command that only prints the method
should cost little more than importing pandas (which the scoring engine needs). Each figure is
the median of several fresh processes; the ratio is what the goal judges (absolute times drift
on a shared machine).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 7
GOAL_RATIO = 1.3


def _median_seconds(command: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cli_command() -> list[str]:
    """The installed console script when there is one, else the module, run the same way."""
    script = Path(sys.executable).with_name("clinic-compare")
    return [str(script), "method"] if script.exists() else [sys.executable, "cli.py", "method"]


def main() -> None:
    baseline = _median_seconds([sys.executable, "-c", "import pandas"])
    method = _median_seconds(cli_command())
    ratio = method / baseline
    print("start-up (median of 7 fresh processes)")
    print(f"  python -c 'import pandas'   {baseline * 1000:7.0f} ms  (baseline)")
    print(f"  clinic-compare method       {method * 1000:7.0f} ms")
    verdict = "PASS" if ratio <= GOAL_RATIO else "MISS"
    print(f"  ratio {ratio:.2f}x, goal <= {GOAL_RATIO}x: {verdict}")


if __name__ == "__main__":
    main()
