"""`CLINIC_COMPARE_*` settings: every variable checked in one place, a clear message or a value.

Whatever text a variable holds, `Settings.from_env` returns settings or raises `SettingsError`
(exit code 2 in the CLI, an error box in the app); never any other exception.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from unittest import mock

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.settings import (
    KNOWN,
    NOMINATIM_URL,
    NPI_REGISTRY_URL,
    PREFIX,
    USER_AGENT,
    Settings,
    SettingsError,
)
from scoring.errors import UsageError

REPO = Path(__file__).resolve().parent.parent
P = PREFIX


def refused(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)
    assert info.value.exit_code == 2 and isinstance(info.value, UsageError)
    return str(info.value)


def test_defaults():
    s = Settings.from_env({"HOME": "/home/ana"})
    assert (s.directory, s.max_upload_mb, s.geocoder) == ("demo", 20, "offline")
    assert (s.nominatim_url, s.npi_url, s.user_agent) == (
        NOMINATIM_URL,
        NPI_REGISTRY_URL,
        USER_AGENT,
    )
    assert s.allow_private_urls is False
    assert str(s.geocode_cache) == "/home/ana/.cache/ketamine-clinic-compare/geocode.sqlite"
    assert str(s.workspace) == "/home/ana/.local/share/ketamine-clinic-compare/workspace.sqlite"


def test_blank_values_mean_the_default():
    blank = Settings.from_env({name: "  " for name in KNOWN} | {"HOME": "/h"})
    assert blank == Settings.from_env({"HOME": "/h"})


# --- one variable at a time: good values, bad values, and the message names the variable ------

GOOD = [
    ("DIRECTORY", "demo", "directory", "demo"),
    ("DIRECTORY", " /data/clinics.csv ", "directory", "/data/clinics.csv"),
    ("DIRECTORY", "mes cliniques é.json", "directory", "mes cliniques é.json"),
    ("MAX_UPLOAD_MB", "1", "max_upload_mb", 1),
    ("MAX_UPLOAD_MB", " 200 ", "max_upload_mb", 200),
    ("GEOCODER", "offline", "geocoder", "offline"),
    ("GEOCODER", "Nominatim", "geocoder", "nominatim"),
    ("NOMINATIM_URL", "http://127.0.0.1:9", "nominatim_url", "http://127.0.0.1:9"),
    ("NOMINATIM_URL", "https://geo.example.org/n/", "nominatim_url", "https://geo.example.org/n/"),
    ("NOMINATIM_URL", "http://[::1]:8080", "nominatim_url", "http://[::1]:8080"),
    ("NPI_URL", "http://localhost:5000/api/", "npi_url", "http://localhost:5000/api/"),
    ("USER_AGENT", "my-clinic-site/1.0 (admin@example.org)", "user_agent",
     "my-clinic-site/1.0 (admin@example.org)"),
    ("GEOCODE_CACHE", "/tmp/c.sqlite", "geocode_cache", Path("/tmp/c.sqlite")),
    ("GEOCODE_CACHE", "~/c.sqlite", "geocode_cache", Path("/home/ana/c.sqlite")),
    ("WORKSPACE", "/x/w.db", "workspace", Path("/x/w.db")),
    ("WORKSPACE", "ws dir/w.db", "workspace", Path("ws dir/w.db")),
    ("ALLOW_PRIVATE_URLS", "1", "allow_private_urls", True),
    ("ALLOW_PRIVATE_URLS", "TRUE", "allow_private_urls", True),
    ("ALLOW_PRIVATE_URLS", "yes", "allow_private_urls", True),
    ("ALLOW_PRIVATE_URLS", "0", "allow_private_urls", False),
    ("ALLOW_PRIVATE_URLS", "False", "allow_private_urls", False),
    ("ALLOW_PRIVATE_URLS", "no", "allow_private_urls", False),
]  # fmt: skip


@pytest.mark.parametrize("name, value, field, expected", GOOD)
def test_good_values(name, value, field, expected):
    assert getattr(Settings.from_env({P + name: value, "HOME": "/home/ana"}), field) == expected


BAD = [
    ("DIRECTORY", "clinics\x00.csv", "control characters"),
    ("DIRECTORY", "clinics\n.csv", "U+000A"),
    ("DIRECTORY", "a\u202ecsv.exe", "U+202E"),
    ("DIRECTORY", "x" * 5000, "too long"),
    ("MAX_UPLOAD_MB", "lots", "whole number"),
    ("MAX_UPLOAD_MB", "0", "between 1 and 200"),
    ("MAX_UPLOAD_MB", "201", "between 1 and 200"),
    ("MAX_UPLOAD_MB", "-5", "whole number"),
    ("MAX_UPLOAD_MB", "2.5", "whole number"),
    ("MAX_UPLOAD_MB", "９", "whole number"),
    ("MAX_UPLOAD_MB", "9" * 5000, "whole number"),
    ("GEOCODER", "google", "'offline' or 'nominatim'"),
    ("NOMINATIM_URL", "http://", "web address"),
    ("NOMINATIM_URL", "http://[", "web address"),
    ("NOMINATIM_URL", "http://[zz]/", "web address"),
    ("NOMINATIM_URL", "ftp://example.org", "web address"),
    ("NOMINATIM_URL", "example.org", "web address"),
    ("NOMINATIM_URL", "http://example.org:99999", "Port out of range"),
    ("NOMINATIM_URL", "http://example.org:http", "web address"),
    ("NOMINATIM_URL", "http://exa mple.org", "without spaces"),
    ("NOMINATIM_URL", "http://exa\tmple.org", "control characters"),
    ("NOMINATIM_URL", "http://example.org/\nx", "control characters"),
    ("NOMINATIM_URL", "http://bücher.example", "ASCII"),
    ("NOMINATIM_URL", "http://a..b", "not a host name"),
    ("NOMINATIM_URL", "http://-a.org", "not a host name"),
    ("NOMINATIM_URL", "http://a.org/search?q=x", "without '?query'"),
    ("NOMINATIM_URL", "http://[::]0", "not a host name"),
    ("NOMINATIM_URL", "http://user:secret@example.org", "not a host name"),
    ("NOMINATIM_URL", "http://" + "a" * 3000, "at most"),
    ("NPI_URL", "http://", "web address"),
    ("NPI_URL", "https://npiregistry.cms.hhs.gov/api/?version=2.1", "without '?query'"),
    ("NPI_URL", "javascript:alert(1)", "web address"),
    ("USER_AGENT", "bad\nagent", "printable ASCII"),
    ("USER_AGENT", "agent ☃", "printable ASCII"),
    ("USER_AGENT", "a" * 201, "at most 200"),
    ("GEOCODE_CACHE", "/tmp/a\x00b", "U+0000"),
    ("GEOCODE_CACHE", "/tmp/a\udcffb", "U+DCFF"),
    ("GEOCODE_CACHE", "/" + "a" * 5000, "too long"),
    ("WORKSPACE", "w\x1b[31m.db", "U+001B"),
    ("WORKSPACE", "w\u2028.db", "U+2028"),
    ("ALLOW_PRIVATE_URLS", "on", "one of 1, 0, true, false, yes, no"),
    ("ALLOW_PRIVATE_URLS", "2", "one of 1, 0, true, false, yes, no"),
]


@pytest.mark.parametrize("name, value, message", BAD)
def test_bad_values_are_refused_with_a_message_naming_the_variable(name, value, message):
    text = refused({P + name: value})
    assert text.startswith(P + name + " "), text
    assert message in text
    assert len(text) < 400  # a long value is cut, not repeated in full
    assert "\x00" not in text and "\n" not in text and "\x1b" not in text


def test_every_bad_variable_is_reported_at_once():
    text = refused({P + "MAX_UPLOAD_MB": "0", P + "GEOCODER": "google", P + "NPI_URL": "x"})
    for name in ("MAX_UPLOAD_MB", "GEOCODER", "NPI_URL"):
        assert P + name in text


@pytest.mark.parametrize(
    "name, suggestion",
    [
        ("CLINIC_COMPARE_GEOCODR", "CLINIC_COMPARE_GEOCODER"),
        ("CLINIC_COMPARE_NPI_ULR", "CLINIC_COMPARE_NPI_URL"),
        ("clinic_compare_directory", "CLINIC_COMPARE_DIRECTORY"),
        ("CLINIC_COMPARE_MAX_UPLOAD", "CLINIC_COMPARE_MAX_UPLOAD_MB"),
        ("CLINIC_COMPARE_WORKSPACES", "CLINIC_COMPARE_WORKSPACE"),
    ],
)
def test_an_unknown_name_is_refused_with_a_suggestion(name, suggestion):
    text = refused({name: "1"})
    assert f"'{name}' is not a setting (did you mean {suggestion}?)" in text
    assert all(known in text for known in KNOWN)


def test_an_unrelated_unknown_name_lists_the_settings_without_a_guess():
    text = refused({"CLINIC_COMPARE_COLOUR": "blue"})
    assert "is not a setting" in text and "did you mean" not in text
    assert "the settings are " + ", ".join(KNOWN) in text


def test_other_variables_are_ignored():
    assert Settings.from_env({"PATH": "/bin", "CLINIC_COMPAREX": "1", "HOME": "/h"}) == (
        Settings.from_env({"HOME": "/h"})
    )


def repository_files() -> list[Path]:
    """The project's own text files: code, tests, docs and configuration (no venv, caches)."""
    kept = {".streamlit", ".github", ".ci"}
    skipped = {"node_modules", "build", "dist", "__pycache__"}
    files = []
    for folder, subfolders, names in os.walk(REPO):
        subfolders[:] = [
            d
            for d in subfolders
            if (not d.startswith(".") or d in kept)
            and d not in skipped
            and not d.endswith(".egg-info")
        ]
        for name in names:
            if Path(name).suffix in {".py", ".md", ".toml", ".yml", ".yaml", ".cfg", ""}:
                files.append(Path(folder) / name)
    return files


def test_every_setting_used_or_documented_in_the_repository_is_known():
    """No CLINIC_COMPARE_ name in the code, tests, docs or config that the check would refuse."""
    used: set[str] = set()
    for path in repository_files():
        if path.name in ("test_settings.py", "test_cli_monkey.py"):
            continue  # they misspell names on purpose
        text = path.read_text("utf-8", errors="replace")
        used |= set(re.findall(r"\bCLINIC_COMPARE_[A-Z][A-Z_]*[A-Z]\b", text))
    assert len(used) >= 5, "the search found too little; is the repository where it should be?"
    assert used <= set(KNOWN), used - set(KNOWN)
    readme = (REPO / "README.md").read_text("utf-8")
    assert all(f"`{name}`" in readme for name in KNOWN)


# --- fuzz: any text in any variable is settings or a SettingsError ------------------------------

HOSTILE_TEXT = st.one_of(
    st.text(),
    st.text(st.characters(codec="ascii")),
    st.text(min_size=190, max_size=5000),
    st.binary().map(lambda b: b.decode("utf-8", "surrogateescape")),
    st.sampled_from(["0", "1", "20", "200", "201", "nominatim", "offline", "demo", "~", "~/x"]),
    st.builds(
        lambda scheme, rest: scheme + rest,
        st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "http:", "//", ""]),
        st.text(),
    ),
    st.builds(
        lambda host, port, path: f"http://{host}{port}{path}",
        st.sampled_from(["127.0.0.1", "[::1]", "[", "[zz]", "localhost", "a..b", "", "-x", "h_"]),
        st.sampled_from(["", ":", ":9", ":0", ":65536", ":-1", ":x", ":9:9"]),
        st.text(st.characters(codec="ascii")),
    ),
)
NAMES = st.one_of(
    st.sampled_from(KNOWN),
    st.text(max_size=30).map(lambda suffix: PREFIX + suffix),
    st.text(max_size=30).map(lambda suffix: PREFIX.lower() + suffix),
)


@settings(max_examples=400, deadline=None)
@given(name=NAMES, value=HOSTILE_TEXT)
def test_fuzz_any_value_is_settings_or_a_settings_error(name, value):
    try:
        config = Settings.from_env({name: value})
    except SettingsError as exc:
        message = str(exc)
        assert message and len(message) < 2000
        assert name in message or repr(name[:60])[1:-1] in message
        return
    assert isinstance(config, Settings)


@settings(max_examples=300, deadline=None)
@given(
    env=st.dictionaries(st.sampled_from(KNOWN), HOSTILE_TEXT, max_size=len(KNOWN)),
    home=st.text(),
)
def test_fuzz_several_variables_at_once(env, home):
    try:
        Settings.from_env(env | {"HOME": home})
    except SettingsError as exc:
        assert any(name in str(exc) for name in env)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(name=st.sampled_from([P + "NOMINATIM_URL", P + "NPI_URL"]), value=HOSTILE_TEXT)
def test_fuzz_an_accepted_address_is_usable_by_the_clients(name, value):
    """Whatever URL settings accept, the geocoder and the registry client accept too (they
    would otherwise fail later, with a less clear message or a traceback)."""
    try:
        config = Settings.from_env({name: value, P + "GEOCODER": "nominatim"})
    except SettingsError:
        return
    from providers.geo import OnlineGeocoder
    from providers.sources import NpiRegistry

    geocoder = OnlineGeocoder(config.nominatim_url, config.user_agent)  # no UsageError
    assert geocoder.base_url == config.nominatim_url
    for url in (NpiRegistry(config.npi_url).url(number="1234567893"), config.nominatim_url):
        prepared = requests.Request("GET", url).prepare()  # no InvalidURL, no UnicodeError
        assert prepared.url


def test_online_geocoder_for_an_accepted_configuration(tmp_path):
    online = Settings.from_env(
        {
            P + "GEOCODER": "nominatim",
            P + "NOMINATIM_URL": "http://127.0.0.1:9/nominatim/",
            P + "USER_AGENT": "tester/1",
            P + "GEOCODE_CACHE": str(tmp_path / "c.sqlite"),
        }
    ).online_geocoder()
    assert online is not None and online.user_agent == "tester/1"


# --- at app start: a bad setting is an error box, never an exception ----------------------------


def app_errors(env: dict[str, str]) -> list[str]:
    """The error boxes of the app's first page run with exactly these settings."""
    from streamlit.testing.v1 import AppTest

    with mock.patch.dict(os.environ, env):
        for name in [k for k in os.environ if k.upper().startswith(P) and k not in env]:
            del os.environ[name]
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return [e.value for e in at.error]


def test_app_start_with_bad_settings_shows_one_clear_message():
    errors = app_errors(
        {
            P + "MAX_UPLOAD_MB": "lots",
            P + "NOMINATIM_URL": "http://[",
            P + "WORKSPACE": "w\x1b.db",
            P + "GEOCODR": "nominatim",
        }
    )
    assert len(errors) == 1 and errors[0].startswith("Configuration problem: ")  # shown once
    shown = errors[0].replace("\\", "")  # the box may escape Markdown (CLINIC\_COMPARE)
    for part in ("MAX_UPLOAD_MB", "NOMINATIM_URL", "WORKSPACE", "did you mean"):
        assert part in shown


def settable(text: str) -> bool:
    """Whether a real environment can hold the text (no NUL, encodable as the OS's bytes)."""
    try:
        os.fsencode(text)
    except UnicodeError:
        return False
    return "\x00" not in text


ENV_NAMES = NAMES.filter(lambda name: settable(name) and "=" not in name)
ENV_VALUES = HOSTILE_TEXT.map(lambda text: text.replace("\x00", "")).filter(settable)


@settings(max_examples=int(os.environ.get("MONKEY_EXAMPLES", "0")) or 12, deadline=None)
@given(name=ENV_NAMES, value=ENV_VALUES)
def test_fuzz_app_start_never_shows_a_traceback(name, value):
    errors = app_errors({name: value})
    try:
        Settings.from_env({name: value})
    except SettingsError:
        assert errors and errors[0].startswith("Configuration problem: ")


# --- the workspace: a file (SQLite) or a PostgreSQL address, its password never shown -------


@pytest.mark.parametrize(
    "value",
    [
        "postgresql://ana@db.example.org/clinics",
        "postgres://ana:pw@10.0.0.5:5432/clinics?sslmode=require",
        "postgresql:///clinics?host=/var/run/postgresql",
        "POSTGRESQL://[::1]:5432/clinics",
    ],
)
def test_a_postgresql_address_selects_postgresql(value):
    from providers.settings import DatabaseUrl

    workspace = Settings.from_env({P + "WORKSPACE": f" {value} "}).workspace
    assert isinstance(workspace, DatabaseUrl) and workspace.url == value


@pytest.mark.parametrize(
    "value, message",
    [
        ("postgresql://ana:s3cret@db:99999/c", "Port out of range"),
        ("postgresql://ana:s3cret@bad host/c", "without spaces"),
        ("postgresql://ana:s3cret@db/c#x", "without '#fragment'"),
        ("postgresql://ana:s3cret@db_/c\u00e9", "plain ASCII"),
        ("mysql://ana:s3cret@db/c", "is not a workspace backend"),
        ("sqlite:///w.db", "is not a workspace backend"),
    ],
)
def test_a_bad_workspace_address_is_refused_without_its_password(value, message):
    text = refused({P + "WORKSPACE": value})
    assert text.startswith(P + "WORKSPACE ") and message in text
    assert "s3cret" not in text


def test_the_password_of_a_workspace_address_is_never_printed():
    from providers.settings import redact_url

    workspace = Settings.from_env(
        {P + "WORKSPACE": "postgresql://ana:s3cret@db/c?password=other&sslmode=require"}
    ).workspace
    whole = Settings(workspace=workspace)
    for shown in (str(workspace), repr(workspace), f"{workspace}", repr(whole)):
        assert "s3cret" not in shown and "other" not in shown, shown
    assert str(workspace) == "postgresql://ana:***@db/c?password=***&sslmode=require"
    assert redact_url("postgresql://db/c") == "postgresql://db/c"
