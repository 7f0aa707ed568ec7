"""Monkey tests of `clinic-compare`: random and hostile settings, arguments and files.

Whatever it is given, the CLI ends with exit code 0, 1 or 2 and a message on stderr, never a
traceback. Commands run in-process (`cli.main`), so an exception escaping `main` fails the test
just as a traceback would fail a user. Nothing leaves the machine: the geocoder and the NPI
registry are pointed at a closed port on 127.0.0.1 (connection refused at once, no retries), and
any name look-up of another host fails the test.

`MONKEY_EXAMPLES=2000 pytest tests/test_cli_monkey.py` runs a longer search.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from contextlib import chdir, contextmanager
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import cli
from providers.settings import KNOWN, PREFIX, Settings, SettingsError
from scoring import default_checklist
from tests.conftest import csv_of, full_clinic

EXAMPLES = int(os.environ.get("MONKEY_EXAMPLES", "0")) or None
CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens, connections are refused
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
SAFE_ENV = {
    PREFIX + "GEOCODER": "offline",
    PREFIX + "NOMINATIM_URL": CLOSED,
    PREFIX + "NPI_URL": CLOSED + "/api/",
}
CHECKLIST = default_checklist()
KEYS = list(CHECKLIST.keys)
ITEMS = [item.column for item in CHECKLIST.tristate_items]
NO_NPI = csv_of([full_clinic(id="a", name="A", postal_code="85251", city="Scottsdale")])
ONE_NPI = csv_of([full_clinic(id="b", name="B", npi="1234567893", address="1 Main St")])


def monkey_settings(default: int):
    return settings(
        max_examples=EXAMPLES or default,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


# --- running the CLI in-process, offline -------------------------------------------------------


class _Kept(io.BytesIO):
    def close(self) -> None:  # `main` closes stderr on a broken pipe; keep what was written
        pass


@contextmanager
def offline() -> Iterator[list[str]]:
    """Fast clients (no retries, no pacing) and a guard: only loopback names may be resolved."""
    from providers.geo import OnlineGeocoder
    from providers.sources import NpiRegistry

    asked: list[str] = []
    resolve = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        if str(host) not in LOCAL_HOSTS:
            asked.append(str(host))
            raise socket.gaierror(socket.EAI_NONAME, "the monkey tests stay offline")
        return resolve(host, *args, **kwargs)

    fast_geocoder = functools.partial(
        OnlineGeocoder, timeout=2, min_interval=0, max_retries=0, sleep=lambda s: None
    )
    fast_registry = functools.partial(
        NpiRegistry, timeout=2, min_interval=0, max_retries=0, backoff=0
    )
    with (
        mock.patch("socket.getaddrinfo", guarded),
        mock.patch("providers.geo.OnlineGeocoder", fast_geocoder),
        mock.patch("providers.sources.NpiRegistry", fast_registry),
    ):
        yield asked


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `clinic-compare argv` with exactly these settings.

    It runs in an empty temporary folder that is also HOME, so that files the settings name
    (a geocode cache called 'demo', say) never land in the repository or the real home.

    stdout is strict UTF-8 and stderr escapes what it cannot encode, as for a real terminal.
    """
    out, err = _Kept(), _Kept()
    stdout = io.TextIOWrapper(out, encoding="utf-8", errors="strict", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", write_through=True)
    settings_env = SAFE_ENV | (env or {})
    with (
        tempfile.TemporaryDirectory() as home,  # relative and default paths land in here
        chdir(home),
        mock.patch.dict(os.environ, {"HOME": home, "XDG_CACHE_HOME": "", "XDG_DATA_HOME": ""}),
        mock.patch.dict(os.environ, settings_env),
        offline() as asked,
    ):
        for name in [k for k in os.environ if k.upper().startswith(PREFIX)]:
            if name not in settings_env:
                del os.environ[name]
        with mock.patch.object(sys, "stdout", stdout), mock.patch.object(sys, "stderr", stderr):
            try:
                code = cli.main(argv)
            except SystemExit as exc:  # argparse: usage errors (2) and --help (0)
                code = exc.code if isinstance(exc.code, int) else 2
            stdout.flush()
            stderr.flush()
    assert not asked, f"tried to reach {asked}"
    return code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8", "replace")


def check_outcome(argv: list[str], code: int, err: str) -> None:
    """Exit code 0, 1 or 2; on failure a message on stderr; never a traceback."""
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    if code == 0:
        return
    lines = err.splitlines()
    assert lines, (argv, code)
    said = any(line.startswith("clinic-compare") for line in lines)
    if code == 1 and argv[0] == "validate":
        said = said or "rows rejected" in lines[-1]
    if code == 1 and argv[0] == "verify-npi":
        said = said or lines[-1].endswith("NPIs checked")
    assert said, (argv, code, err)


# --- settings: every variable, any value --------------------------------------------------------

SETTING_VALUES = st.one_of(
    st.text(),
    st.text(min_size=150, max_size=3000),
    st.binary().map(lambda b: b.decode("utf-8", "surrogateescape")),
    st.sampled_from(["", "0", "1", "true", "nominatim", "offline", "demo", "~", "9" * 30]),
    st.builds(
        "".join,
        st.tuples(
            st.sampled_from(["http://", "https://", "ftp://", "http:", "", CLOSED, CLOSED + "/"]),
            st.text(max_size=20),
        ),
    ),
    st.sampled_from(["http://", "http://[", "http://127.0.0.1:99999", "http://127.0.0.1:9?x#y"]),
).map(lambda text: text.replace("\x00", ""))


def settable(text: str) -> bool:
    try:
        os.fsencode(text)
    except UnicodeError:
        return False
    return "\x00" not in text and "=" not in text


SETTING_NAMES = st.one_of(
    st.sampled_from(KNOWN),
    st.sampled_from(["CLINIC_COMPARE_GEOCODR", "clinic_compare_geocoder", "CLINIC_COMPARE_X"]),
    st.text(min_size=1, max_size=20).map(lambda suffix: PREFIX + suffix),
).filter(settable)


def safe_directory(env: dict[str, str], folder: Path) -> tuple[dict[str, str], Path]:
    """Settings and an NPI directory that cannot reach anything but the closed local port."""
    try:
        config = Settings.from_env(SAFE_ENV | env)
    except SettingsError:
        return env, folder / "one.csv"
    if urlsplit(config.nominatim_url).hostname not in LOCAL_HOSTS:
        env = env | {PREFIX + "GEOCODER": "offline"}
    if urlsplit(config.npi_url).hostname not in LOCAL_HOSTS:
        return env, folder / "none.csv"  # no NPI, so no request
    return env, folder / "one.csv"


@monkey_settings(default=40)
@given(
    name=SETTING_NAMES,
    value=SETTING_VALUES.filter(settable),
    command=st.sampled_from(["score", "score-online", "geocode", "verify-npi", "reports"]),
    nominatim=st.booleans(),
)
def test_fuzz_settings_never_end_in_a_traceback(name, value, command, nominatim):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "one.csv").write_bytes(ONE_NPI)
        (folder / "none.csv").write_bytes(NO_NPI)
        env = {name: value}
        if nominatim and name != PREFIX + "GEOCODER":
            env[PREFIX + "GEOCODER"] = "nominatim"
            env.setdefault(PREFIX + "GEOCODE_CACHE", str(folder / "cache.sqlite"))
        env, npi_directory = safe_directory(env, folder)
        out = folder / "out.csv"
        argv = {
            "score": ["score", "demo", "--near", "85251", "--top", "3", "--out", str(out)],
            "score-online": ["score", "demo", "--near", "Nowhere Town, AZ", "--online"],
            "geocode": ["geocode", str(folder / "none.csv"), "--out", str(out)],
            "verify-npi": ["verify-npi", str(npi_directory), "--out", str(out)],
            "reports": ["reports", "Arizona"],
        }[command]
        code, _, err = run(argv, env)
        check_outcome(argv, code, err)
        try:
            Settings.from_env(SAFE_ENV | env)
        except SettingsError:
            assert code == 2 and err.startswith("clinic-compare: error: "), err
            assert "Traceback" not in err


def test_a_bad_setting_is_exit_2_for_every_command_that_reads_settings(tmp_path):
    (tmp_path / "d.csv").write_bytes(NO_NPI)
    bad = {PREFIX + "GEOCODER": "nominatim", PREFIX + "NOMINATIM_URL": "http://"}
    for argv in (
        ["geocode", "demo", "--out", str(tmp_path / "x.csv")],
        ["verify-npi", str(tmp_path / "d.csv"), "--out", str(tmp_path / "y.csv")],
        ["score", "demo", "--near", "85251"],
        ["reports", "Arizona"],
    ):
        code, out, err = run(argv, bad)
        assert code == 2 and out == "", argv
        assert err == (
            "clinic-compare: error: CLINIC_COMPARE_NOMINATIM_URL must be a web address like "
            "https://host[:port]/path, not 'http://'\n"
        )
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "y.csv").exists()


def test_commands_without_settings_ignore_them(tmp_path):
    bad = {PREFIX + "GEOCODR": "nominatim"}
    for argv in (["method"], ["template"], ["validate", "demo"], ["score", "demo", "--top", "1"]):
        code, _, err = run(argv, bad)
        assert code == 0, (argv, err)


def test_verify_npi_against_a_closed_port_is_a_data_error_not_a_traceback(tmp_path):
    (tmp_path / "d.csv").write_bytes(ONE_NPI)
    argv = ["verify-npi", str(tmp_path / "d.csv"), "--out", str(tmp_path / "out.csv")]
    code, _, err = run(argv)
    assert code == 1 and "Traceback" not in err
    assert "did not answer" in err and err.splitlines()[-1] == "0 of 1 NPIs checked"
    assert (tmp_path / "out.csv").exists()


def test_online_geocoding_against_a_closed_port_falls_back_to_offline(tmp_path):
    (tmp_path / "d.csv").write_bytes(ONE_NPI)
    env = {PREFIX + "GEOCODER": "nominatim", PREFIX + "GEOCODE_CACHE": str(tmp_path / "c.db")}
    code, _, err = run(["geocode", str(tmp_path / "d.csv"), "--out", str(tmp_path / "o.csv")], env)
    assert code == 0 and "offline centroids were used instead" in err


# --- arguments and files: every command, random and hostile -------------------------------------

TEXT = st.text(max_size=40).map(lambda text: text.replace("\x00", ""))
ODD_TEXT = st.one_of(
    TEXT,
    st.binary(max_size=20).map(lambda b: b.decode("utf-8", "surrogateescape").replace("\x00", "")),
    st.text(min_size=300, max_size=3000).map(lambda text: text.replace("\x00", "")),
)
NUMBER = st.one_of(
    st.integers(-10, 1000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e999", "-0", "0x10", "½", "٣", "1_000", ""]),
)
WEIGHTS_PLAUSIBLE = st.lists(
    st.tuples(st.sampled_from(KEYS), st.integers(0, 5)), max_size=len(KEYS)
).map(lambda pairs: ",".join(f"{k}={v}" for k, v in pairs))
WEIGHTS_HOSTILE = st.one_of(
    st.lists(
        st.tuples(st.one_of(st.sampled_from(KEYS), TEXT), st.sampled_from(["=", ":", ""]), NUMBER),
        max_size=len(KEYS) + 2,
    ).map(lambda pairs: ",".join(f"{k}{sep}{v}" for k, sep, v in pairs)),
    ODD_TEXT,
)
REQUIRE = st.one_of(
    st.lists(st.one_of(st.sampled_from(ITEMS), TEXT), max_size=6).map(",".join),
    ODD_TEXT,
)
PLACE_NAMES = [
    "85251",
    "02139",
    "Toronto, ON",
    "Portland",
    "Portland, OR",
    "Scotsdale, AZ",
    "Mesa, AZ",
    "Thunder Bay, ON",
    "33.5,-111.9",
    "43.65, -79.38",
]
PLACES = st.one_of(
    st.sampled_from(
        [
            "85251",
            "02139",
            "00000",
            "Toronto, ON",
            "Portland",
            "Scotsdale, AZ",
            "Mesa, AZ",
            "Thunder Bay, ON",
            "0,0",
            "91,0",
            "0,181",
            "nan,nan",
            "inf,-inf",
            "1e308,1e308",
            "-90,-180",
            "33.5,-111.9",
            ",",
            "",
            " ",
            "K1A 0B1",
            "ON",
            "AZ",
        ]
    ),
    st.tuples(st.floats(), st.floats()).map(lambda p: f"{p[0]},{p[1]}"),
    ODD_TEXT,
)
RADII = st.one_of(
    st.sampled_from(
        [
            "50mi",
            "80km",
            "0mi",
            "0km",
            "-5km",
            "nanmi",
            "infkm",
            "1e309km",
            "50",
            "mi",
            "50 MI",
            "1e-300km",
            "99999999999999999999mi",
        ]
    ),
    st.tuples(st.floats(), st.sampled_from(["mi", "km", "", "miles", " km"])).map(
        lambda r: f"{r[0]}{r[1]}"
    ),
    ODD_TEXT,
)
DATES = st.one_of(
    st.dates().map(str),
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "20261121", ""]),
    ODD_TEXT,
)
IDS = st.one_of(st.sampled_from(["demo-001", "demo-060", "a", "b", "", "full"]), ODD_TEXT)

# Directory files: (file name, content)
FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", '=HYPERLINK("http://x")', "\t=1"]
CSV_CONTENT_ROWS = st.lists(
    st.fixed_dictionaries(
        {"id": TEXT, "name": st.one_of(TEXT, st.sampled_from(FORMULAS))},
        optional={
            column: st.one_of(TEXT, NUMBER, st.sampled_from([*FORMULAS, "yes", "no"]))
            for column in [
                "website",
                "npi",
                "postal_code",
                "city",
                "region",
                "country",
                "latitude",
                "longitude",
                "price_per_session",
                "reviews_count",
                "reviews_rating",
                "address",
                ITEMS[0],
                ITEMS[-1],
                f"{KEYS[0]}.verified_on",
                f"{KEYS[0]}.source",
                "unexpected column",
            ]
        },
    ),
    max_size=6,
).map(csv_of)
CSV_CONTENT = st.one_of(
    CSV_CONTENT_ROWS,
    st.lists(
        st.fixed_dictionaries({"name": st.just("Big"), "notes": st.just("x" * 200_000)}),
        min_size=1,
        max_size=1,
    ).map(csv_of),
    st.builds(lambda row: csv_of([row]), st.just(full_clinic())),
    st.sampled_from(
        [
            b"",
            b"\xef\xbb\xbf",
            b"name\n",
            b"name,name\n",
            b"\xff\xfe\x00\x00garbage",
            "name\nCaf\u00e9\n".encode("utf-16"),
            b"name;city\nA;Mesa\n",
            b'"unclosed\n',
            b"name\n" + b"A\n" * 5000,
            b"\x00" * 100,
        ]
    ),
    st.binary(max_size=3000),
)
JSON_JUNK = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "name", "npi", "x", *ITEMS[:2]]), inner, max_size=4
        )
    ),
    max_leaves=20,
)
JSON_CONTENT = st.one_of(
    JSON_JUNK.map(lambda data: json.dumps(data).encode()),
    st.lists(st.dictionaries(st.sampled_from(["id", "name", "city", "npi"]), TEXT), max_size=4).map(
        lambda rows: json.dumps(rows).encode()
    ),
    st.sampled_from([b"[", b"{}", b"[1,2]", b'[{"name": NaN}]', b"[" * 5000 + b"]" * 5000]),
)
FILES = st.one_of(
    st.tuples(st.sampled_from(["d.csv", "d.CSV", "d.txt", "d"]), CSV_CONTENT),
    st.tuples(st.sampled_from(["d.json", "d.JSON"]), JSON_CONTENT),
    st.tuples(st.sampled_from(["d.csv", "d.json"]), st.binary(max_size=2000)),
)


PLAUSIBLE_FILES = st.one_of(
    st.tuples(st.just("d.csv"), CSV_CONTENT_ROWS),
    st.tuples(st.just("d.csv"), st.lists(st.just(full_clinic()), max_size=3).map(csv_of)),
    st.tuples(
        st.just("d.json"),
        st.lists(
            st.dictionaries(st.sampled_from(["id", "name", "city", "npi"]), TEXT), max_size=4
        ).map(lambda rows: json.dumps(rows).encode()),
    ),
)


@st.composite
def directories(draw, folder: Path, hostile: bool) -> str:
    """'demo' or a file; when hostile also junk files, a folder, a missing path or random text."""
    kinds = ["demo", "file"] + (["junk", "junk", "folder", "missing", "text"] if hostile else [])
    kind = draw(st.sampled_from(kinds))
    if kind in ("file", "junk"):
        name, content = draw(PLAUSIBLE_FILES if kind == "file" else FILES)
        (folder / name).write_bytes(content)
        return str(folder / name)
    return {
        "demo": "demo",
        "folder": str(folder),
        "missing": str(folder / "missing.csv"),
        "text": draw(ODD_TEXT.filter(lambda t: t != "demo")),  # relative to an empty folder
    }.get(kind, "demo")


def outputs(folder: Path) -> tuple[st.SearchStrategy[str], st.SearchStrategy[str]]:
    """Files to write: (plausible, hostile: in a missing folder, a folder, odd names...)."""
    (folder / "a file").write_bytes(b"x")
    names = ["out.csv", "out.json", "out", "OUT.JSON"]
    plausible = st.sampled_from([str(folder / name) for name in names])
    odd_name = TEXT.map(lambda t: t.replace("/", "_").strip(".") or "x")
    hostile = st.one_of(
        st.sampled_from(
            [
                str(folder / "missing" / "out.csv"),
                str(folder),
                str(folder / "a file" / "x"),
                str(folder / ("n" * 300 + ".csv")),
                str(folder / "a file"),
            ]
        ),
        odd_name.map(lambda name: str(folder / name)),
    )
    return plausible, hostile


Pools = dict[str, tuple[st.SearchStrategy[str], st.SearchStrategy[str]]]
FLAG: st.SearchStrategy[str] = st.just("")


def options(draw, table: Pools, hostile: bool) -> list[str]:
    """Some of the options, each with a plausible value (or, when hostile, either kind)."""
    chosen = draw(st.lists(st.sampled_from(sorted(table)), unique=True, max_size=len(table)))
    argv: list[str] = []
    for option in chosen:
        plausible, odd = table[option]
        if plausible is FLAG:
            argv.append(option)
        else:
            argv += [option, draw(st.one_of(plausible, odd) if hostile else plausible)]
    return argv


@st.composite
def command_lines(draw, folder: Path) -> list[str]:
    command = draw(
        st.sampled_from(
            [
                "template",
                "validate",
                "score",
                "score",
                "explain",
                "geocode",
                "verify-npi",
                "reports",
                "method",
            ]
        )
    )
    hostile = draw(st.booleans())
    out = outputs(folder)
    formats = (st.sampled_from(["csv", "json"]), st.sampled_from(["xml", "CSV", "", "-"]))
    weights = (WEIGHTS_PLAUSIBLE, WEIGHTS_HOSTILE)
    today = (st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)).map(str), DATES)
    directory = draw(directories(folder, hostile))
    if command == "template":
        argv = ["template", *options(draw, {"--format": formats, "--out": out}, hostile)]
    elif command == "validate":
        argv = ["validate", directory]
    elif command == "score":
        table = {
            "--weights": weights,
            "--require": (st.lists(st.sampled_from(ITEMS), max_size=3).map(",".join), REQUIRE),
            "--top": (st.integers(1, 70).map(str), NUMBER),
            "--format": formats,
            "--out": out,
            "--today": today,
            "--near": (st.sampled_from(PLACE_NAMES), PLACES),
            "--radius": (st.sampled_from(["50mi", "80km", "5mi", "1000km"]), RADII),
            "--sort": (st.sampled_from(["score", "distance"]), TEXT),
            "--online": (FLAG, FLAG),
        }
        argv = ["score", directory, *options(draw, table, hostile)]
    elif command == "explain":
        ids = (st.integers(1, 61).map(lambda n: f"demo-{n:03}") | st.sampled_from("ab"), IDS)
        clinic = draw(st.one_of(*ids) if hostile else ids[0])
        table = {"--weights": weights, "--today": today}
        argv = ["explain", directory, clinic, *options(draw, table, hostile)]
    elif command in ("geocode", "verify-npi"):
        where = draw(st.one_of(*out) if hostile else out[0])
        must = [] if hostile and draw(st.integers(0, 9)) == 0 else ["--out", where]
        argv = [command, directory, *must, *options(draw, {"--format": formats}, hostile)]
    elif command == "reports":
        lists = (st.sampled_from(["Arizona", "Nowhere", "arizona"]), ODD_TEXT)
        table = {
            "--status": (st.sampled_from(["open", "resolved", "dismissed", "all"]), TEXT),
            "--format": (st.sampled_from(["text", "csv"]), st.sampled_from(["json", "CSV", ""])),
        }
        name = draw(st.one_of(*lists) if hostile else lists[0])
        argv = ["reports", name, *options(draw, table, hostile)]
    else:
        argv = ["method"]
    if hostile and draw(st.integers(0, 9)) == 0:  # now and then, something extra anywhere
        argv.insert(draw(st.integers(0, len(argv))), draw(ODD_TEXT))
    return argv


def reported_workspace(folder: Path) -> str:
    """A workspace whose list 'Arizona' has hostile reports, open and closed."""
    from providers.curation import SqliteStore, report_fields, submit_report
    from providers.directory import read_directory

    path = folder / "workspace.sqlite"
    with SqliteStore.open(path) as ws:
        ws.create_list("Arizona", "ana")
        ws.import_table("Arizona", read_directory("demo").table, "ana", "demo")
        fields = list(report_fields(CHECKLIST, ws.schema))
        now = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)
        for n, text in enumerate([*FORMULAS, "\x1b[2J\u202eline\nbreak", "x" * 1000]):
            found = submit_report(ws, "Arizona", f"demo-{n + 1:03}", fields[n * 3 % len(fields)],
                                  text, "a@b.org" if n % 2 else None, session_count=0,
                                  now=now, allowed_fields=fields)  # fmt: skip
            if n % 3 == 1:
                ws.close_report("Arizona", found, "dismissed", "ana", text)
    return str(path)


@monkey_settings(default=60)
@given(data=st.data())
def test_monkey_every_command_with_hostile_arguments_and_files(data):
    with tempfile.TemporaryDirectory() as tmp:
        argv = data.draw(command_lines(Path(tmp)), label="argv")
        env = {PREFIX + "WORKSPACE": reported_workspace(Path(tmp))} if "reports" in argv else {}
        code, _, err = run(argv, env)
        check_outcome(argv, code, err)
        last = (err.strip().splitlines()[-1:] or [""])[0].replace(tmp, "")
        event(ascii(f"{argv[0][:12]} -> {code}: {last[:40]}"))  # --hypothesis-show-statistics
