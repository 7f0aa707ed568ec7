"""Load benchmark: 1, 5, 10 and 20 concurrent Chromium sessions against one `streamlit run`.

One server on 127.0.0.1 serves a synthetic 10k-clinic directory; one Chromium (Debian's, driven
by Playwright's async API) opens one context per session, and the sessions of a level run at the
same time. Each session opens the Find page, types its own place and presses Enter, moves one
weight (in the page's own weights box) with the keyboard, then moves it back. Every action is
timed from the key press until the rerun it started has finished and the page shows that
session's expected answer, computed beforehand with the core's own functions (the count caption,
"Distances from ...", and the top clinic of the table for those weights): waits are keyed on the
app's own state attributes and on that text, never on sleeps. The server's resident memory
(VmRSS of it and any child process) is read after start-up, and at each level while all its
sessions are connected.

Everything is bounded: each wait has a timeout, the whole run has a deadline after which the
remaining levels are skipped, and the server is stopped in `finally`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from playwright.async_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parent.parent
CLINICS = 10_000
LEVELS = (1, 5, 10, 20)
# Places the offline gazetteer resolves, near the synthetic directory's US cities; session i
# types PLACES[i], so every concurrent session asks something different.
PLACES = (
    "85251", "78701", "80202", "02108", "98101", "33131", "60601", "97201",
    "Tempe, AZ", "Round Rock, TX", "Boulder, CO", "Cambridge, MA", "Bellevue, WA",
    "Fort Lauderdale, FL", "Evanston, IL", "Beaverton, OR", "Mesa, AZ", "Aurora, CO",
    "Tacoma, WA", "Naperville, IL",
)  # fmt: skip
# The unmeasured first patient, who warms the server's caches (place data, located directory).
WARM_UP_PLACE = "Chandler, AZ"
# What the Find page shows (ui/find.py, ui/sidebar.py).
PLACE_LABEL = "Where are you? ZIP code, city (e.g. Toronto, ON) or coordinates"
DISTANCES = "Distances from {}"
CAPTION = "{} clinics from {}, {}"
ORDER = {"score": "best overall score first", "distance": "nearest first"}
WEIGHTS_BOX = "What matters to you"
NAME_HEADER = "Clinic"  # the results table's header over the clinic's name
# Goals from the performance issue.
GOAL_ONE_SESSION_MB = 250.0
GOAL_PER_SESSION_MB = 15.0
GOAL_VISIBLE_S = 1.5
WARM_LOADS = 5
# Streamlit's own floor, served beside the app in the same run (a title, a box, a table).
FLOOR_APP = "benchmarks/floor_app.py"
# Bounds: any single wait, the grace for the answer to be drawn once a rerun has finished, the
# server's start-up, and the whole run (levels not started by then are skipped).
WAIT_S = 240.0
GRACE_MS = 20_000
# Checks of the page run on a timer, not on animation frames: with 20 windows in one headless
# Chromium, frames (and so "raf" polling) stalled for minutes in some of them in one run.
POLL_MS = 50
SERVER_START_S = 90.0
BUDGET_S = 1200.0
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
]

# --- pure helpers -------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def vmrss_kb(status: str) -> int:
    """VmRSS in kB from the text of /proc/<pid>/status (0 when absent, e.g. a zombie)."""
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def descendants(pid: int, parents: Mapping[int, int]) -> list[int]:
    """Every process below `pid`, given each process's parent (child pid -> parent pid)."""
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found: list[int] = []
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        if child in found or child == pid:
            continue
        found.append(child)
        todo.extend(children.get(child, []))
    return sorted(found)


def per_session_mb(rss_mb: Mapping[int, float]) -> dict[int, float]:
    """Memory per extra session: (RSS at N sessions - RSS at 1) / (N - 1), for each N > 1."""
    if 1 not in rss_mb:
        return {}
    return {n: (mb - rss_mb[1]) / (n - 1) for n, mb in sorted(rss_mb.items()) if n > 1}


def verdict(value: float, goal: float) -> str:
    return "PASS" if value <= goal else "MISS"


@dataclass(frozen=True)
class Move:
    """One weight moved by one keyboard step from its default of 1."""

    key: str
    label: str
    arrow: str  # "ArrowRight" (1 -> 2) or "ArrowLeft" (1 -> 0)

    @property
    def weight(self) -> float:
        return 2.0 if self.arrow == "ArrowRight" else 0.0

    @property
    def back(self) -> str:
        return "ArrowLeft" if self.arrow == "ArrowRight" else "ArrowRight"


def candidate_moves(criteria: Sequence[tuple[str, str]], index: int) -> list[Move]:
    """Every single-step move, starting from the criterion `index` points at (so concurrent
    sessions move different sliders), each criterion up before down."""
    n = len(criteria)
    rotated = [criteria[(index + i) % n] for i in range(n)]
    return [Move(k, label, arrow) for k, label in rotated for arrow in ("ArrowRight", "ArrowLeft")]


@dataclass(frozen=True)
class Expected:
    """What one session types and what the page must then show."""

    place: str
    distances: str  # "Distances from Scottsdale, AZ 85251"
    caption: str  # "870 clinics from clinics.csv, best overall score first"
    top: str  # the first row's clinic with the default weights
    move: Move
    moved_top: str  # the first row's clinic after the move


def expectations(path: Path, places: Sequence[str], today: dt.date | None = None) -> list[Expected]:
    """Each place's answer on the Find page, computed with the core's own functions (the
    default choices: no filters, the default radius and sort, every weight 1)."""
    from providers.directory import read_directory
    from providers.geo import (
        KM_PER_MILE,
        default_gazetteer,
        locate_clinics,
        nearby,
        resolve_place,
        with_region,
    )
    from scoring import Filters, default_checklist, rank_clinics
    from ui.share import Choices

    gazetteer = default_gazetteer()
    table, _ = locate_clinics(read_directory(path).table, gazetteer)
    checklist = default_checklist()
    defaults = Choices()
    radius_km = defaults.radius_mi * KM_PER_MILE if defaults.radius_mi else None
    base = {k: 1.0 for k in checklist.keys}
    ranked: dict[tuple[tuple[str, float], ...], pd.DataFrame] = {}

    def shown(weights: dict[str, float]) -> pd.DataFrame:
        key = tuple(weights.items())
        if key not in ranked:
            ranked[key] = Filters().apply(rank_clinics(table, weights, (), today))
        return ranked[key]

    criteria = [(c.key, c.label) for c in checklist.criteria]
    out = []
    for index, text in enumerate(places):
        found = resolve_place(text, gazetteer).place
        if found is None:
            raise ValueError(f"the offline gazetteer does not resolve {text!r}")
        place = with_region(found, gazetteer)
        near = nearby(shown(base), place, radius_km, defaults.sort)
        if near.empty:
            raise ValueError(f"no clinic within the default radius of {text!r}")
        top = str(near["name"].iloc[0])
        caption = CAPTION.format(len(near), path.name, ORDER[defaults.sort])
        moves = candidate_moves(criteria, index)
        chosen, moved_top = moves[0], top
        for move in moves:  # the first move that changes the first row, so it can be seen
            after = nearby(shown({**base, move.key: move.weight}), place, radius_km, defaults.sort)
            if str(after["name"].iloc[0]) != top:
                chosen, moved_top = move, str(after["name"].iloc[0])
                break
        out.append(Expected(text, DISTANCES.format(place.label), caption, top, chosen, moved_top))
    return out


def foreign(shown: Mapping[str, Any], mine: Expected, everyone: Iterable[Expected]) -> list[str]:
    """The other sessions' places whose answer this page shows instead of its own."""
    captions = [str(c) for c in shown.get("captions") or []]
    return [
        other.place
        for other in everyone
        if other.place != mine.place and any(other.distances in c for c in captions)
    ]


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree_rss_mb(pid: int, proc: Path = Path("/proc")) -> float:
    """Resident memory of `pid` and every process below it, in MB (10^6 bytes)."""
    parents: dict[int, int] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    total_kb = 0
    for member in (pid, *descendants(pid, parents)):
        with contextlib.suppress(OSError):
            total_kb += vmrss_kb((proc / str(member) / "status").read_text())
    return total_kb * 1024 / 1e6


def _tail(path: Path, limit: int = 3000) -> str:
    text = path.read_text("utf-8", errors="replace") if path.exists() else ""
    return text[-limit:] if text.strip() else "(empty)"


def start_server(
    directory: Path,
    folder: Path,
    extra_env: Mapping[str, str] | None = None,
    script: str = "app.py",
) -> tuple[subprocess.Popen[bytes], str, Path]:
    """`streamlit run app.py` (or `script`) on a free loopback port; returns it, its URL and
    its log."""
    import requests

    port = free_port()
    no_secrets = folder / "no-secrets.toml"  # never a developer's own [auth]
    no_secrets.write_text("", "utf-8")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("CLINIC_COMPARE_", "STREAMLIT_"))
    }
    env.update(extra_env or {})
    env["CLINIC_COMPARE_DIRECTORY"] = str(directory)
    log = folder / f"streamlit-{port}.log"
    command = [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        # Edits to the sources while the benchmark runs must not restart the sessions' scripts.
        "--server.fileWatcherType", "none",
        "--secrets.files", str(no_secrets),
    ]  # fmt: skip
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_S
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.returncode}:\n{_tail(log)}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/_stcore/health", timeout=1).text == "ok":
                return server, url, log
        if time.monotonic() > deadline:
            stop(server)
            raise RuntimeError(f"streamlit did not answer in {SERVER_START_S:g} s:\n{_tail(log)}")
        time.sleep(0.2)


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


# --- the browser sessions -----------------------------------------------------------------------

# Before each action: note every rerun the app starts from now on (Streamlit publishes the
# script's state on its root element: running, then notRunning when the run is over).
ARM_JS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  window.__benchRan = false;
  window.__benchDoneAt = null;
  if (!window.__benchObserver && app) {
    // Records batch up: a run that started and ended between two callbacks shows as an old
    // value of "running".
    window.__benchObserver = new MutationObserver((records) => {
      if (app.getAttribute("data-test-script-state") === "running"
          || records.some((r) => r.oldValue === "running")) window.__benchRan = true;
    });
    window.__benchObserver.observe(app, {
      attributes: true, attributeOldValue: true, attributeFilter: ["data-test-script-state"]});
  }
}"""
# What the page shows: its captions, the first row's clinic, whether the table is visible.
SHOWN_JS = """(column) => {
  const captions = Array.from(
    document.querySelectorAll("[data-testid='stCaptionContainer']"), (e) => e.innerText.trim());
  const grid = document.querySelector("[data-testid='stDataFrame']");
  let top = null;
  if (grid) {
    const head = Array.from(grid.querySelectorAll("th[role='columnheader']"))
      .find((th) => th.innerText.trim() === column);
    const at = head && head.getAttribute("aria-colindex");
    const cell = at && grid.querySelector(`tr[aria-rowindex='2'] td[aria-colindex='${at}']`);
    if (cell) top = cell.innerText.trim();
  }
  const visible = !!grid && grid.getBoundingClientRect().height > 0;
  const exception = Array.from(
    document.querySelectorAll("[data-testid='stException']"), (e) => e.innerText.slice(0, 300));
  return {captions, top, visible, exception};
}"""
# Truthy once a rerun has started and finished since ARM_JS and the page shows `want`; or, if
# it still does not GRACE_MS after that run finished (or the script raised), what it shows.
DONE_JS = (
    """(want) => {
  const shownNow = """
    + SHOWN_JS
    + """;
  const app = document.querySelector("[data-testid='stApp']");
  const idle = app && app.getAttribute("data-test-script-state") === "notRunning"
    && app.getAttribute("data-test-connection-state") === "CONNECTED"
    && !document.querySelector("[data-testid='stSkeleton']");
  if (!window.__benchRan || !idle) { window.__benchDoneAt = null; return null; }
  const now = performance.now();
  if (window.__benchDoneAt === null) window.__benchDoneAt = now;
  const s = shownNow(want.column);
  s.ok = s.visible && s.exception.length === 0
    && want.texts.every((t) => s.captions.some((c) => c.includes(t)))
    && (want.top === null || s.top === want.top);
  return s.ok || s.exception.length || now - window.__benchDoneAt > want.grace ? s : null;
}"""
)
FOCUS_JS = "() => document.activeElement?.getAttribute('role') === 'slider'"
# The first run after navigating is over and the table is drawn.
READY_JS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  const grid = document.querySelector("[data-testid='stDataFrame']");
  return !!app && app.getAttribute("data-test-script-state") === "notRunning"
    && app.getAttribute("data-test-connection-state") === "CONNECTED"
    && !document.querySelector("[data-testid='stSkeleton']")
    && !!grid && grid.getBoundingClientRect().height > 0;
}"""


class DeadlineHit(Exception):
    pass


@dataclass
class Clock:
    """The run's deadline; every wait is bounded by WAIT_S and by what is left of the run."""

    deadline: float

    def left_s(self) -> float:
        return self.deadline - time.monotonic()

    def timeout_ms(self) -> float:
        left = self.left_s()
        if left <= 0:
            raise DeadlineHit
        return min(WAIT_S, left) * 1000


@dataclass
class Session:
    expected: Expected
    open_s: float | None = None
    times: list[float] = field(default_factory=list)
    error: str | None = None  # first thing that went wrong (a wrong answer or a timeout)
    others: list[str] = field(default_factory=list)  # other sessions' places it showed

    @property
    def correct(self) -> bool:
        return self.error is None and len(self.times) == 3


async def _new_page(browser: Browser) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    return context, await context.new_page()


async def _act(
    page: Page,
    clock: Clock,
    session: Session,
    everyone: Sequence[Expected],
    what: str,
    action: Callable[[], Awaitable[Any]],
    texts: Sequence[str],
    top: str,
) -> bool:
    """Do `action`, wait for its rerun and the expected answer; record the time or the error."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    await page.evaluate(ARM_JS)
    want = {"texts": list(texts), "top": top, "column": NAME_HEADER, "grace": GRACE_MS}
    start = time.perf_counter()
    await action()
    try:
        handle = await page.wait_for_function(
            DONE_JS, arg=want, polling=POLL_MS, timeout=clock.timeout_ms()
        )
    except PlaywrightTimeout:
        state = await page.evaluate(
            "() => [window.__benchRan, document.querySelector(\"[data-testid='stApp']\")"
            "?.getAttribute('data-test-script-state')]"
        )
        session.error = (
            f"{what}: no answer within the wait (rerun seen: {state[0]}, script state: "
            f"{state[1]}, focus on the slider: {await page.evaluate(FOCUS_JS)})"
        )
        raise
    elapsed = time.perf_counter() - start
    shown = await handle.json_value()
    if shown.get("ok"):
        session.times.append(elapsed)
        return True
    session.others = foreign(shown, session.expected, everyone)
    exception = shown.get("exception") or []
    session.error = (
        f"{what}: expected {list(texts)} and top {top!r}; page showed "
        f"captions {shown.get('captions')}, top {shown.get('top')!r}"
        + (f", exception {exception[0]!r}" if exception else "")
    )
    return False


async def run_session(
    browser: Browser,
    url: str,
    session: Session,
    everyone: Sequence[Expected],
    clock: Clock,
    contexts: list[BrowserContext],
) -> None:
    """One patient: open, type the place, move a weight, move it back (the context stays open
    until the level's memory is read)."""
    from playwright.async_api import Error as PlaywrightError

    exp = session.expected
    try:
        context, page = await _new_page(browser)
        contexts.append(context)
        start = time.perf_counter()
        await page.goto(f"{url}/", wait_until="commit", timeout=clock.timeout_ms())
        await page.wait_for_function(READY_JS, polling=POLL_MS, timeout=clock.timeout_ms())
        session.open_s = time.perf_counter() - start

        box = page.get_by_label(PLACE_LABEL)
        await box.fill(exp.place, timeout=clock.timeout_ms())
        texts = (exp.distances, exp.caption)
        if not await _act(page, clock, session, everyone, f"place {exp.place!r}",
                          lambda: box.press("Enter"), texts, exp.top):  # fmt: skip
            return
        # The weights sit in the Find page's own "What matters to you" box (ui/find.py).
        await (
            page.get_by_test_id("stExpander")
            .filter(has_text=WEIGHTS_BOX)
            .locator("summary")
            .click(timeout=clock.timeout_ms())
        )
        slider = (
            page.get_by_test_id("stExpander")
            .filter(has_text=WEIGHTS_BOX)
            .get_by_test_id("stSlider")
            .filter(has_text=exp.move.label)
            .get_by_role("slider")
            .first
        )
        await slider.focus(timeout=clock.timeout_ms())
        weight = f"weight {exp.move.label} {exp.move.weight:g}"
        if not await _act(page, clock, session, everyone, weight,
                          lambda: page.keyboard.press(exp.move.arrow), texts,
                          exp.moved_top):  # fmt: skip
            return
        await slider.focus(timeout=clock.timeout_ms())  # the rerun may have moved the focus
        await _act(page, clock, session, everyone, f"weight {exp.move.label} back to 1",
                   lambda: page.keyboard.press(exp.move.back), texts, exp.top)  # fmt: skip
    except DeadlineHit:
        session.error = session.error or "the run's deadline passed"
    except PlaywrightError as exc:  # a timeout, or the page went away
        session.error = session.error or f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


async def _sample_peak(pid: int, peak: list[float], stop_event: asyncio.Event) -> None:
    while not stop_event.is_set():
        peak[0] = max(peak[0], tree_rss_mb(pid))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop_event.wait(), 0.25)


async def run_level(
    browser: Browser, url: str, pid: int, expected: Sequence[Expected], clock: Clock
) -> dict[str, Any]:
    """`len(expected)` sessions at once; their times, correctness and the server's memory."""
    sessions = [Session(e) for e in expected]
    contexts: list[BrowserContext] = []
    before = tree_rss_mb(pid)
    peak = [before]
    stop_event = asyncio.Event()
    sampler = asyncio.create_task(_sample_peak(pid, peak, stop_event))
    start = time.perf_counter()
    try:
        await asyncio.gather(
            *(run_session(browser, url, s, expected, clock, contexts) for s in sessions)
        )
        wall = time.perf_counter() - start
        rss = tree_rss_mb(pid)  # every session still connected
    finally:
        stop_event.set()
        await sampler
        await asyncio.gather(*(c.close() for c in contexts), return_exceptions=True)
    times = [t for s in sessions for t in s.times]
    opens = [s.open_s for s in sessions if s.open_s is not None]
    return {
        "sessions": len(sessions),
        "correct": sum(s.correct for s in sessions),
        "actions": len(times),
        "p50_s": percentile(times, 50) if times else None,
        "p95_s": percentile(times, 95) if times else None,
        "open_p50_s": statistics.median(opens) if opens else None,
        "open_s": opens[0] if opens else None,
        "times": times,
        "rss_before_mb": before,
        "rss_mb": rss,
        "peak_rss_mb": max(peak[0], rss),
        "wall_s": wall,
        "errors": {s.expected.place: s.error for s in sessions if s.error},
        "showed_others": {s.expected.place: s.others for s in sessions if s.others},
    }


async def warm_loads(browser: Browser, url: str, clock: Clock, loads: int) -> list[float]:
    """Seconds from navigation until the results table is visible, one fresh page at a time."""
    times = []
    for _ in range(loads):
        context, page = await _new_page(browser)
        try:
            start = time.perf_counter()
            await page.goto(f"{url}/", wait_until="commit", timeout=clock.timeout_ms())
            await page.get_by_test_id("stDataFrame").first.wait_for(
                state="visible", timeout=clock.timeout_ms()
            )
            times.append(time.perf_counter() - start)
        finally:
            await context.close()
    return times


async def _measure(
    chromium: str, url: str, pid: int, expected: Sequence[Expected], warm_up: Expected,
    levels: Sequence[int], clock: Clock, figures: dict[str, Any],
) -> None:  # fmt: skip
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            # The first patient pays for loading place data and locating the directory; that
            # run is reported on its own, and the levels measure a warm server.
            print("bench_load: first patient (warm-up) ...", file=sys.stderr, flush=True)
            figures["cold"] = await run_level(browser, url, pid, [warm_up], clock)
            for n in levels:
                if clock.left_s() <= 0:
                    figures["not_run"].append(n)
                    continue
                print(f"bench_load: {n} concurrent session(s) ...", file=sys.stderr, flush=True)
                figures["levels"][n] = await run_level(browser, url, pid, expected[:n], clock)
                if "warm_loads_s" not in figures:  # once, on a server that has served a patient
                    with contextlib.suppress(DeadlineHit, PlaywrightError):
                        figures["warm_loads_s"] = await warm_loads(browser, url, clock, WARM_LOADS)
        finally:
            await browser.close()


async def _measure_floor(
    chromium: str, url: str, pid: int, clock: Clock, figures: dict[str, Any]
) -> None:
    """The same warm loads against Streamlit's floor (floor_app.py), and its memory after."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            with contextlib.suppress(DeadlineHit, PlaywrightError):
                await warm_loads(browser, url, clock, 1)  # its first session, as the app's
                figures["floor_loads_s"] = await warm_loads(browser, url, clock, WARM_LOADS)
                figures["floor_rss_mb"] = tree_rss_mb(pid)
        finally:
            await browser.close()


def measure(
    levels: Sequence[int] = LEVELS,
    budget_s: float = BUDGET_S,
    server_env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run the load benchmark; every figure in a dict ({"skipped": why} without Chromium).

    `server_env` adds variables to the server's environment (e.g. {"MALLOC_ARENA_MAX": "2"}
    to see how much of the resident memory is the allocator's per-thread arenas)."""
    from benchmarks.synthetic import synthetic_raw

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return {"skipped": "no Chromium installed"}
    levels = sorted(set(levels))
    if not levels or levels[0] < 1 or levels[-1] > len(PLACES):
        raise ValueError(f"levels must lie between 1 and {len(PLACES)}")
    began = time.monotonic()
    clock = Clock(began + budget_s)
    figures: dict[str, Any] = {"clinics": CLINICS, "levels": {}, "not_run": []}
    with tempfile.TemporaryDirectory(prefix="bench_load_") as folder:
        path = Path(folder) / "clinics.csv"
        synthetic_raw(CLINICS).to_csv(path, index=False)
        *expected, warm_up = expectations(path, (*PLACES[: levels[-1]], WARM_UP_PLACE))
        figures["moved_top_changes"] = sum(e.moved_top != e.top for e in expected)
        server, url, log = start_server(path, Path(folder), server_env)
        figures["server_env"] = dict(server_env or {})
        try:
            figures["rss_startup_mb"] = tree_rss_mb(server.pid)
            work = _measure(chromium, url, server.pid, expected, warm_up, levels, clock, figures)
            try:
                asyncio.run(asyncio.wait_for(work, timeout=budget_s + 120))
            except TimeoutError:  # a wait that ignored its own timeout: report what was measured
                figures["not_run"].append("the rest (the run was stopped at its deadline)")
            if server.poll() is not None:
                figures["server_exit"] = f"code {server.returncode}: {_tail(log, 800)}"
        finally:
            stop(server)
        if "warm_loads_s" in figures and clock.left_s() > 0:
            floor, floor_url, _ = start_server(path, Path(folder), server_env, FLOOR_APP)
            try:
                work = _measure_floor(chromium, floor_url, floor.pid, clock, figures)
                with contextlib.suppress(TimeoutError):
                    asyncio.run(asyncio.wait_for(work, timeout=WAIT_S))
            finally:
                stop(floor)
    rss = {n: level["rss_mb"] for n, level in figures["levels"].items()}
    figures["per_session_mb"] = per_session_mb(rss)
    figures["elapsed_s"] = time.monotonic() - began
    return figures


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def report(figures: Mapping[str, Any]) -> None:
    if "skipped" in figures:
        print(f"bench_load: skipped ({figures['skipped']})")
        return
    levels: dict[int, dict[str, Any]] = figures["levels"]
    per_session: dict[int, float] = figures["per_session_mb"]
    print(
        f"bench_load: concurrent Chromium sessions on one `streamlit run`, "
        f"{figures['clinics']:,} clinics (place, weight, weight back per session)"
        + (f"; server env {figures['server_env']}" if figures.get("server_env") else "")
    )
    print(
        "  sessions  actions  p50 s  p95 s  open p50 s  server RSS MB  peak MB  "
        "MB/extra session  (in level)  correct"
    )
    for n, level in sorted(levels.items()):
        extra = f"{per_session[n]:.1f}" if n in per_session else "-"
        # What this level's own sessions added, over what the server held before it began.
        in_level = (level["rss_mb"] - level["rss_before_mb"]) / n
        print(
            f"  {n:8d}  {level['actions']:7d}  {_s(level['p50_s']):>5}  {_s(level['p95_s']):>5}"
            f"  {_s(level['open_p50_s']):>10}  {level['rss_mb']:13.0f}  "
            f"{level['peak_rss_mb']:7.0f}  {extra:>16}  {in_level:11.1f}  "
            f"{level['correct']:3d}/{level['sessions']}"
        )
    print(f"  server RSS after start-up, before any session: {figures['rss_startup_mb']:.0f} MB")
    cold = figures.get("cold")
    if cold:
        times = ", ".join(f"{t:.2f}" for t in cold["times"]) or "-"
        print(
            f"  first patient on a cold server (not in the levels): table visible "
            f"{_s(cold['open_s'])} s after navigating; place, weight, weight back: {times} s; "
            f"RSS {cold['rss_mb']:.0f} MB (peak {cold['peak_rss_mb']:.0f})"
        )
    named = [(f"{n} sessions", level) for n, level in sorted(levels.items())]
    for name, level in [*named, *([("first patient", cold)] if cold else [])]:
        for place, error in level["errors"].items():
            print(f"  ! {name}, {place}: {error}")
        for place, others in level["showed_others"].items():
            print(f"  ! {name}, {place} showed the answer for {', '.join(others)}")
    if figures["not_run"]:
        skipped = ", ".join(str(n) for n in figures["not_run"])
        print(f"  levels not run (the run's deadline passed): {skipped}")
    if "server_exit" in figures:
        print(f"  ! the server stopped during the run: {figures['server_exit']}")
    rows: list[tuple[str, str, str, str]] = []
    if 1 in levels:
        one = levels[1]["rss_mb"]
        goal = f"<= {GOAL_ONE_SESSION_MB:.0f} MB"
        name = "`streamlit run` serving one patient, 10k clinics"
        rows.append((name, f"{one:.0f} MB", goal, verdict(one, GOAL_ONE_SESSION_MB)))
    if per_session:
        n, worst = max(per_session.items(), key=lambda item: item[1])
        rows.append((f"each extra concurrent patient session (worst: {n} sessions)",
                     f"{worst:.1f} MB", f"<= {GOAL_PER_SESSION_MB:g} MB",
                     verdict(worst, GOAL_PER_SESSION_MB)))  # fmt: skip
    loads = figures.get("warm_loads_s")
    floor = figures.get("floor_loads_s")
    if loads:
        median = statistics.median(loads)
        rows.append((f"results table visible after navigating, warm (median of {len(loads)})",
                     f"{median:.2f} s", f"<= {GOAL_VISIBLE_S:g} s",
                     verdict(median, GOAL_VISIBLE_S)))  # fmt: skip
    if loads and floor:
        ratio = statistics.median(loads) / statistics.median(floor)
        print(
            f"  Streamlit's floor in the same run (floor_app.py: a title, a box, a 25-row "
            f"table): table visible {statistics.median(floor):.2f} s (median of {len(floor)}), "
            f"server {figures['floor_rss_mb']:.0f} MB with one session; the app takes "
            f"{ratio:.2f}x the floor's time"
        )
    correct = sum(level["correct"] for level in levels.values())
    total = sum(level["sessions"] for level in levels.values())
    rows.append(("every session shows its own correct answer", f"{correct}/{total}", "all",
                 "PASS" if correct == total else "MISS"))  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print("goals:")
    for name, measured, goal, result in rows:
        print(f"  {name:<{width}}  {measured:>9}  {goal:<10}  {result}")
    print(f"  full run {figures['elapsed_s']:.0f} s")


def main(levels: Sequence[int] = LEVELS) -> None:
    report(measure(levels))


if __name__ == "__main__":
    main()
