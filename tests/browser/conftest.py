"""Real-browser fixtures: Debian's Chromium driven by Playwright against a live Streamlit server.

Playwright's own browser download is never used: the browser is launched from the system
Chromium (`apt-get install -y chromium`). Without it the browser tests are skipped, except
under CI (CI=true), where they fail so that they can never be skipped silently.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
from playwright.sync_api import Browser, Dialog, Page, expect, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_MISSING = (
    "Chromium not found: install Debian's chromium (apt-get install -y chromium) "
    "to run browser tests"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SERVER_START_TIMEOUT_S = 60
# A loaded 2-core CI machine can take longer than Playwright's 5 s default to redraw.
expect.set_options(timeout=15_000)
# The longest a script run may take: the first place look-up loads the offline place index,
# which took over 30 s once with the machine's 2 cores loaded five times over.
APP_RUN_TIMEOUT_MS = 60_000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: real-browser tests (Playwright + Chromium)")


def find_chromium() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(CHROMIUM_MISSING, pytrace=False)
        pytest.skip(CHROMIUM_MISSING)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


def free_port(address: str = "127.0.0.1") -> int:
    """A TCP port free on `address` now (choose it before writing a secrets file naming it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def _tail(path: Path, limit: int = 4000) -> str:
    text = path.read_text("utf-8", errors="replace")
    return text[-limit:] if text.strip() else "(empty)"


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def streamlit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """Start `streamlit run app.py` on a free port; returns its base URL (always 127.0.0.1).

    Call it as `streamlit_server()` for the bundled demo, or with extra environment variables,
    e.g. `streamlit_server({"CLINIC_COMPARE_DIRECTORY": str(path)})`. Keyword arguments:

    - `args`: extra `streamlit run` options, e.g. `["--secrets.files", str(secrets_toml)]`;
      without `--secrets.files` the server reads an empty secrets file (so no [auth]),
      never a developer's own ~/.streamlit/secrets.toml or .streamlit/secrets.toml;
    - `port`: the port to listen on (from `free_port()`, e.g. when [auth]'s redirect_uri
      must name it); a free one by default;
    - `address`: the address to listen on, 127.0.0.1 by default; "0.0.0.0" listens on every
      interface (the browser still connects to 127.0.0.1).

    Every server started is stopped when the test ends.
    """
    started: list[subprocess.Popen] = []
    logs = tmp_path_factory.mktemp("streamlit")
    no_secrets = logs / "no-secrets.toml"
    no_secrets.write_text("", "utf-8")

    def start(
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = (),
        *,
        port: int | None = None,
        address: str = "127.0.0.1",
    ) -> str:
        port = free_port(address) if port is None else port
        full_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("CLINIC_COMPARE_", "STREAMLIT_"))
        }
        full_env.update(env or {})
        stdout = logs / f"{port}.out"
        stderr = logs / f"{port}.err"
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.port",
            str(port),
            "--server.address",
            address,
            # Edits to the sources while the tests run must not change what the page shows.
            "--server.fileWatcherType",
            "none",
            *([] if "--secrets.files" in args else ["--secrets.files", str(no_secrets)]),
            *args,
        ]
        with stdout.open("wb") as out, stderr.open("wb") as err:
            process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=full_env,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
            )
        started.append(process)
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"Streamlit exited early with code {process.returncode}; stderr:\n"
                    f"{_tail(stderr)}\nstdout:\n{_tail(stdout)}",
                    pytrace=False,
                )
            try:
                if requests.get(f"{base_url}/_stcore/health", timeout=1).text == "ok":
                    return base_url
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                _stop(process)
                pytest.fail(
                    f"Streamlit did not answer {base_url}/_stcore/health within "
                    f"{SERVER_START_TIMEOUT_S} s; stderr:\n{_tail(stderr)}",
                    pytrace=False,
                )
            time.sleep(0.2)

    yield start
    for process in started:
        _stop(process)
    # Shown by pytest only when the test failed: what the server said.
    for err in sorted(logs.glob("*.err")):
        print(f"--- Streamlit stderr ({err.stem}) ---\n{_tail(err)}", file=sys.stderr)


@pytest.fixture(scope="session")
def oidc_issuer() -> Iterator[str]:
    """A real OpenID Connect provider (oidc-provider-mock) on 127.0.0.1, served in a thread.

    It accepts any client id and secret. Its sign-in form asks for a subject ("sub"); give a
    subject its claims first with `set_oidc_user`. The issuer is derived from each request's
    Host header, so the app and the browser must both use 127.0.0.1, as here.
    """
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def set_oidc_user(issuer: str, sub: str, **claims: object) -> None:
    """Give the provider's subject `sub` these claims (e.g. email=..., name=...)."""
    answer = requests.put(f"{issuer}/users/{quote(sub, safe='')}", json=claims, timeout=10)
    assert answer.status_code == 204, (answer.status_code, answer.text)


def write_auth_secrets(path: Path, app_port: int, issuer: str) -> Path:
    """A secrets.toml whose [auth] signs in through `issuer` for an app on 127.0.0.1:app_port;
    pass it with `streamlit_server(env, args=["--secrets.files", str(path)], port=app_port)`.
    The cookie secret is fresh for every file."""
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "clinic-compare-tests"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
        "utf-8",
    )
    return path


@pytest.fixture
def dialogs() -> list[str]:
    """Every alert / confirm / prompt / beforeunload the page opened (each is dismissed)."""
    return []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Remember each phase's report on the test item (the page fixture keeps a failure's trace)."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser: Browser, dialogs: list[str], request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh desktop-sized page; with BROWSER_TRACES=DIR a failing test leaves a Playwright
    trace there (`playwright show-trace FILE`) to see what the page did at the failed step."""
    traces = os.environ.get("BROWSER_TRACES")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    if traces:
        context.tracing.start(screenshots=True, snapshots=True)
    page = context.new_page()

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        yield page
    finally:
        if traces:
            report = getattr(request.node, "report_call", None)
            failed = report is None or report.failed
            name = request.node.name.replace("/", "_")
            path = Path(traces) / f"{name}-{time.time_ns()}.zip" if failed else None
            context.tracing.stop(path=path)
        context.close()


def wait_for_app(page: Page, timeout: int = APP_RUN_TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected and the script has finished running.

    Streamlit publishes its state on the root element, as its own e2e tests use:
    `data-test-connection-state` becomes CONNECTED, `data-test-script-state` goes
    initial -> running -> notRunning on every run. Then no element may still be a loading
    skeleton and the status widget ("Running...") must be gone.
    """
    app = page.locator("[data-testid='stApp']")
    app.wait_for(state="attached", timeout=timeout)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout
    )
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout)
    expect(page.get_by_test_id("stStatusWidget")).not_to_be_visible(timeout=timeout)


def open_app(page: Page, base_url: str, path: str = "") -> Page:
    """Load a page of the app and wait until its script has run."""
    page.goto(f"{base_url}/{path}", wait_until="domcontentloaded")
    wait_for_app(page)
    return page


@pytest.fixture(scope="session")
def screenshot_dir() -> Path | None:
    """docs/screenshots when UPDATE_SCREENSHOTS=1 (created), else None: no screenshots."""
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        return None
    path = REPO_ROOT / "docs" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
