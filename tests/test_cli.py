import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cli import main
from tests.conftest import csv_of, full_clinic

REPO = Path(__file__).resolve().parent.parent


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_template_has_every_column(capsys, schema):
    code, out, _ = run(capsys, "template")
    assert code == 0
    assert out.splitlines()[0].split(",") == list(schema.names)


def test_template_to_a_file(tmp_path, capsys, schema):
    code, _, err = run(capsys, "template", "--out", tmp_path / "t.csv")
    assert code == 0 and "wrote" in err
    assert (tmp_path / "t.csv").read_bytes().startswith(b"\xef\xbb\xbfid,name,")


def test_score_demo_writes_the_shortlist_columns(capsys, checklist):
    code, out, _ = run(capsys, "score", "demo", "--top", "5", "--today", "2026-11-21")
    assert code == 0
    rows = rows_of(out)
    assert len(rows) == 5
    for column in [
        "id",
        "name",
        "phone",
        "overall",
        *checklist.keys,
        "completeness",
        "unknowns",
        "stale",
        "questions",
        "rubric_version",
    ]:
        assert column in rows[0], column
    overall = [float(r["overall"]) for r in rows]
    assert overall == sorted(overall, reverse=True)
    assert {r["rubric_version"] for r in rows} == {checklist.version}


def test_score_with_weights_requirements_and_json(tmp_path, capsys):
    directory = tmp_path / "d.csv"
    directory.write_bytes(
        csv_of(
            [
                full_clinic(),
                full_clinic(id="novitals", name="No Vitals", **{"monitoring.vital_signs": "no"}),
            ]
        )
    )
    out_file = tmp_path / "out.json"
    code, _, _ = run(
        capsys,
        "score",
        directory,
        "--weights",
        "monitoring=5",
        "--require",
        "monitoring.vital_signs",
        "--format",
        "json",
        "--out",
        out_file,
    )
    assert code == 0
    data = json.loads(out_file.read_text())
    assert [d["id"] for d in data] == ["full"]
    assert data[0]["questions"] == []


def test_validate_reports_every_problem_and_exits_1_on_rejected_rows(tmp_path, capsys):
    directory = tmp_path / "d.csv"
    directory.write_bytes(
        csv_of([{"name": "A", "website": "javascript:alert(1)"}, {"name": "", "city": "Mesa"}])
    )
    code, out, err = run(capsys, "validate", directory)
    assert code == 1
    assert "row 2, column 'website', value 'javascript:alert(1)'" in out
    assert "row 3, column 'name'" in out and "rejected" in out
    assert "1 clinics read, 1 rows rejected, 1 warnings" in err


def test_validate_demo_is_clean(capsys):
    code, out, _ = run(capsys, "validate", "demo")
    assert code == 0 and out == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["score", "demo", "--weights", "expertize=3"], "did you mean expertise"),
        (["score", "demo", "--require", "monitoring.vitals"], "unknown checklist item"),
        (["score", "nope.csv"], "no such file"),
        (["explain", "demo", "no-such-id"], "no clinic with id"),
    ],
)
def test_usage_errors_exit_2_with_a_message(capsys, args, message):
    code, _, err = run(capsys, *args)
    assert code == 2 and message in err


def test_argparse_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["score", "demo", "--top", "0"])
    assert exit_info.value.code == 2


def test_an_unreadable_directory_exits_1(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_bytes(b"name,name\n")
    code, _, err = run(capsys, "score", path)
    assert code == 1 and "twice" in err


def test_explain_and_method(capsys, checklist):
    code, out, _ = run(capsys, "explain", "demo", "demo-001", "--today", "2026-11-21")
    assert code == 0 and "overall" in out and "Medical expertise" in out
    code, out, _ = run(capsys, "method")
    assert code == 0 and checklist.version in out


def test_installed_console_script_never_shows_a_traceback(tmp_path):
    script = Path(sys.executable).with_name("clinic-compare")
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"\xff\xfe\x00\x00garbage" * 100)
    for args in (
        ["score", str(broken)],
        ["validate", str(broken)],
        ["score", "demo", "--weights", "x"],
    ):
        done = subprocess.run(
            [str(script), *args], capture_output=True, text=True, cwd=REPO, timeout=120
        )
        assert done.returncode in (1, 2), done
        assert "Traceback" not in done.stderr and done.stderr.startswith("clinic-compare")


def test_score_near_a_zip_adds_distance_columns_and_filters_by_radius(capsys):
    code, out, err = run(
        capsys, "score", "demo", "--near", "85251", "--radius", "50mi", "--today", "2026-11-21"
    )
    assert code == 0 and "distances from Scottsdale, AZ 85251" in err
    rows = rows_of(out)
    assert rows and {
        "distance_km",
        "distance_mi",
        "latitude",
        "longitude",
        "location_precision",
        "reach",
    } <= set(rows[0])
    for row in rows:
        if row["reach"] == "in person":
            assert float(row["distance_mi"]) <= 50
        else:
            assert (
                row["reach"] == "telehealth"
                and row["region"] == "AZ"
                and row["telehealth"] == "yes"
            )


def test_score_near_sorted_by_distance(capsys):
    code, out, _ = run(
        capsys, "score", "demo", "--near", "Toronto, ON", "--radius", "80km", "--sort", "distance"
    )
    assert code == 0
    km = [float(r["distance_km"]) for r in rows_of(out)]
    assert km == sorted(km) and km


@pytest.mark.parametrize(
    "args, message",
    [
        (["--near", "Portland"], "ambiguous"),
        (["--near", "Portland"], "Portland, ME"),
        (["--near", "Scotsdale, AZ"], "Did you mean Scottsdale, AZ?"),
        (["--radius", "50mi"], "need --near"),
    ],
)
def test_bad_places_are_usage_errors(capsys, args, message):
    code, out, err = run(capsys, "score", "demo", *args)
    assert code == 2 and message in err and out == ""


@pytest.mark.parametrize(
    "radius, message",
    [
        ("far", "not like 50mi or 80km"),
        ("50", "'50' has no unit"),
        ("50", "50mi"),
        ("80", "80km"),
        ("0mi", "must be above 0"),
    ],
)
def test_a_radius_needs_a_unit_and_is_an_argparse_usage_error(capsys, radius, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["score", "demo", "--near", "85251", "--radius", radius])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and message in err and "usage: clinic-compare score" in err


def test_near_without_a_radius_uses_the_apps_default_and_says_so(capsys):
    from scoring import DEFAULT_RADIUS_MI

    code, out, err = run(capsys, "score", "demo", "--near", "85251", "--sort", "distance")
    assert code == 0
    assert f"using the app's default of {DEFAULT_RADIUS_MI} mi" in err
    rows = [r for r in rows_of(out) if r["reach"] == "in person"]
    assert rows and max(float(r["distance_mi"]) for r in rows) <= DEFAULT_RADIUS_MI
    code, out, err = run(capsys, "score", "demo", "--near", "85251", "--radius", "any")
    assert code == 0 and "default" not in err
    assert max(float(r["distance_mi"]) for r in rows_of(out) if r["distance_mi"]) > 1000


def test_closed_clinics_are_left_out_unless_asked_for(capsys, wide):
    code, out, err = run(capsys, "score", "demo")
    assert code == 0 and "1 clinic is listed as closed and hidden; add --show-closed" in err
    assert "closed" not in {r["status"] for r in rows_of(out)}
    code, out, err = run(capsys, "score", "demo", "--show-closed")
    assert "closed" in {r["status"] for r in rows_of(out)} and "hidden" not in err
    _, out, _ = run(capsys, "score", "demo", "--show-closed", "--format", "table")
    assert "(demo) (closed)" in out and "(demo) (temporarily closed)" in out


def test_score_writes_the_estimate_status_and_refund_item(capsys, checklist):
    code, out, _ = run(capsys, "score", "demo")
    assert code == 0
    rows = rows_of(out)
    refund = checklist.cost_model.refund_item
    for column in ("status", "first_year_low", "first_year_high", "first_year_cost", refund):
        assert column in rows[0], column
    for row in rows:
        assert row["first_year_cost"] == "not listed" or row["first_year_cost"].endswith(
            (" USD", " CAD")
        )
        assert "None" not in row.values() and "nan" not in row.values()


@pytest.fixture
def wide(monkeypatch):
    """A wide terminal for the table (rich reads COLUMNS), so long names stay on one line."""
    monkeypatch.setenv("COLUMNS", "200")


def test_a_terminal_gets_an_aligned_table_and_a_pipe_gets_csv(capsys, monkeypatch, wide):
    code, out, _ = run(capsys, "score", "demo", "--top", "3", "--format", "table")
    assert code == 0 and "first year (estimate)" in out and "score" in out
    assert not out.startswith("rank,")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, _ = run(capsys, "score", "demo", "--top", "3")
    assert "score" in out and not out.startswith("rank,")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    code, out, _ = run(capsys, "score", "demo", "--top", "3")
    assert out.startswith("rank,")


def test_the_table_shows_clinic_text_as_text_never_as_markup(tmp_path, capsys, wide):
    directory = tmp_path / "d.csv"
    directory.write_bytes(csv_of([full_clinic(name="[bold red]Loud[/] \x1b[31mred")]))
    code, out, _ = run(capsys, "score", directory, "--format", "table")
    assert code == 0 and "[bold red]Loud[/]" in out and "\x1b" not in out


def test_distances_in_km_for_a_canadian_place_unless_switched(capsys, wide):
    code, out, _ = run(capsys, "score", "demo", "--near", "Toronto, ON", "--format", "table")
    assert code == 0 and " km" in out and " mi " not in out
    _, out, _ = run(
        capsys, "score", "demo", "--near", "Toronto, ON", "--format", "table", "--units", "mi"
    )
    assert " mi" in out


def test_unknown_criteria_items_and_ids_list_the_valid_ones(capsys, checklist):
    _, _, err = run(capsys, "score", "demo", "--weights", "cost=2")
    assert "the criteria are: " + ", ".join(checklist.keys) in err
    _, _, err = run(capsys, "score", "demo", "--require", "pricing.refund")
    assert checklist.cost_model.refund_item in err and "the yes/no items are" in err
    _, _, err = run(capsys, "explain", "demo", "demo-0001")
    assert "did you mean demo-001" in err and "the ids are: demo-001, demo-002" in err


def test_validate_names_the_column_as_the_user_wrote_it(tmp_path, capsys):
    directory = tmp_path / "d.csv"
    directory.write_bytes(
        b"Name,Price,Clinic Status,Series_Sessions\nA,lots,maybe,2.5\nB,300,open,4\n"
    )
    code, out, err = run(capsys, "validate", directory)
    assert code == 0 and "column 'Price', value 'lots'" in out
    assert "column 'Series_Sessions', value '2.5'" in out
    assert "column 'clinic status'" in out.lower()  # unknown column, named as written
    assert "2 clinics read, 0 rows rejected" in err


def test_geocode_fills_coordinates_and_precision(tmp_path, capsys):
    directory = tmp_path / "d.csv"
    directory.write_bytes(
        csv_of(
            [
                {"id": "z", "name": "Zip Only", "postal_code": "02139", "country": "US"},
                {"id": "c", "name": "City Only", "city": "Thunder Bay", "region": "ON"},
            ]
        )
    )
    code, _, err = run(capsys, "geocode", directory, "--out", tmp_path / "located.csv")
    assert code == 0 and "city 1, postal_code 1" in err
    rows = {r["id"]: r for r in rows_of((tmp_path / "located.csv").read_text("utf-8-sig"))}
    assert rows["z"]["location_precision"] == "postal_code" and float(
        rows["z"]["latitude"]
    ) == pytest.approx(42.36, abs=0.05)
    assert rows["c"]["location_precision"] == "city"


def test_bulk_geocode_online_shows_progress_and_resumes_from_the_cache(
    tmp_path, capsys, monkeypatch, httpserver
):
    answer = [
        {
            "lat": "33.5",
            "lon": "-111.9",
            "display_name": "somewhere",
            "addresstype": "building",
            "address": {"country_code": "us"},
        }
    ]
    httpserver.expect_request("/search").respond_with_json(answer)
    monkeypatch.setenv("CLINIC_COMPARE_GEOCODER", "nominatim")
    monkeypatch.setenv("CLINIC_COMPARE_NOMINATIM_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("CLINIC_COMPARE_GEOCODE_CACHE", str(tmp_path / "cache.sqlite"))
    directory = tmp_path / "d.csv"
    directory.write_bytes(
        csv_of(
            [
                {"id": "a", "name": "A", "address": "1 Main St", "city": "Mesa", "region": "AZ"},
                {"id": "b", "name": "B", "address": "2 Main St", "city": "Mesa", "region": "AZ"},
            ]
        )
    )
    code, _, err = run(capsys, "geocode", directory, "--out", tmp_path / "out.csv")
    assert code == 0 and "geocoding 1/2: A" in err and "geocoding 2/2: B" in err
    assert "exact 2" in err and len(httpserver.log) == 2
    code, _, _ = run(capsys, "geocode", directory, "--out", tmp_path / "again.csv")
    assert code == 0 and len(httpserver.log) == 2  # resumed from the cache: no new requests


@pytest.mark.parametrize("args", [["method"], ["template"], ["validate", "demo"]])
def test_light_commands_never_load_the_network_libraries(args):
    """`method`, `template` and `validate` import only what they need (start-up time)."""
    probe = (
        "import sys, cli\n"
        f"code = cli.main({args!r})\n"
        "heavy = ('geopy', 'requests', 'providers.sources.registry', 'providers.geo',\n"
        "         'streamlit')\n"
        "loaded = [m for m in heavy if m in sys.modules]\n"
        "sys.stderr.write(repr(loaded))\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith("[]"), done.stderr


def test_help_names_criteria_and_items_from_the_checklist(capsys, checklist):
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    out = capsys.readouterr().out
    assert f"{checklist.criteria[0].key}=3" in out
    assert checklist.tristate_items[0].column in out


@pytest.mark.parametrize("url", ["http://", "http://[", "http://example.org:99999", "ftp://x"])
def test_a_bad_setting_is_a_message_and_exit_2_not_a_traceback(tmp_path, url):
    """Issue "Unbreakable journeys", item 7: this ended in a ValueError traceback."""
    script = Path(sys.executable).with_name("clinic-compare")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINIC_COMPARE_")}
    env |= {"CLINIC_COMPARE_GEOCODER": "nominatim", "CLINIC_COMPARE_NOMINATIM_URL": url}
    done = subprocess.run(
        [str(script), "geocode", "demo", "--out", str(tmp_path / "x.csv")],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2, done
    assert done.stderr.startswith("clinic-compare: error: CLINIC_COMPARE_NOMINATIM_URL must be")
    assert "Traceback" not in done.stderr and not (tmp_path / "x.csv").exists()


def test_a_misspelt_setting_is_refused_with_a_suggestion(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("CLINIC_COMPARE_" + "GEOCODR", "nominatim")  # sic
    code, _, err = run(capsys, "geocode", "demo", "--out", tmp_path / "x.csv")
    assert code == 2 and "did you mean CLINIC_COMPARE_GEOCODER?" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["score", "demo", "--today", "0001-01-01"], "is not between 1900-01-01 and 2199-12-31"),
        (["explain", "demo", "demo-001", "--today", "9999-12-31"], "is not between"),
        (["explain", "demo", "\udc80"], "is not valid UTF-8 text"),
        (["score", "demo", "--near", "\udcff"], "is not valid UTF-8 text"),
    ],
)
def test_arguments_the_core_cannot_take_are_argparse_errors(capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_out_must_be_a_file_in_an_existing_folder(tmp_path, capsys):
    (tmp_path / "a file").write_bytes(b"x")
    code, _, err = run(capsys, "template", "--out", tmp_path)
    assert code == 2 and f"{tmp_path} is a folder" in err
    code, _, err = run(capsys, "score", "demo", "--out", tmp_path / "a file" / "x.csv")
    assert code == 2 and "folder does not exist" in err
    code, _, err = run(capsys, "geocode", "demo", "--out", tmp_path / ("n" * 300 + ".csv"))
    assert code == 1 and err.startswith("clinic-compare: error: File name too long: ")


# --- reports: patients' problem reports about a workspace list ------------------------------


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A workspace with the demo list 'Arizona' as the configured one (and no other setting)."""
    from providers.curation import SqliteStore
    from providers.directory import read_directory

    for name in [k for k in os.environ if k.upper().startswith("CLINIC_COMPARE_")]:
        monkeypatch.delenv(name)
    path = tmp_path / "workspace.sqlite"
    monkeypatch.setenv("CLINIC_COMPARE_WORKSPACE", str(path))
    with SqliteStore.open(path) as ws:
        ws.create_list("Arizona", "ana")
        ws.import_table("Arizona", read_directory("demo").table, "ana", "demo")
        yield ws


def report(ws, clinic_id, field, description, email=None, minutes=0):
    import datetime as dt

    from providers.curation import report_fields, submit_report
    from scoring import default_checklist

    fields = report_fields(default_checklist(), ws.schema)
    now = dt.datetime(2026, 11, 21, 9, minutes, tzinfo=dt.UTC)
    return submit_report(ws, "Arizona", clinic_id, field, description, email, session_count=0,
                         now=now, allowed_fields=fields)  # fmt: skip


def test_reports_lists_the_open_reports_as_text(workspace, capsys, checklist):
    item = checklist.tristate_items[0]
    criterion = checklist.criterion(item.criterion)
    clinic = workspace.load("Arizona")[0].table.set_index("id").loc["demo-001"]
    first = report(workspace, "demo-001", item.column, "They stopped this.\nSince May.",
                   "pat@example.org")  # fmt: skip
    second = report(workspace, "demo-002", "closed", "Shut for good", minutes=5)
    code, out, err = run(capsys, "reports", "Arizona")
    assert code == 0 and err == ""
    blocks = out.strip().split("\n\n")
    assert len(blocks) == 2
    assert blocks[0].startswith(f"Report {second} (open), 2026-11-21: demo-002 ")  # newest first
    assert "The clinic has closed" in blocks[0] and "Shut for good" in blocks[0]
    assert "contact" not in blocks[0]
    text = blocks[1]
    assert text.startswith(f"Report {first} (open), 2026-11-21: demo-001 {clinic['name']}")
    assert f"about: {criterion.label}: {item.label}" in text
    verified = clinic[criterion.verified_column].date().isoformat()
    assert f"now: {clinic[item.column]} (evidence checked {verified})" in text
    assert "says: They stopped this.\n        Since May." in text
    assert "contact: pat@example.org" in text


def test_reports_with_none_open(workspace, capsys):
    code, out, _ = run(capsys, "reports", "Arizona")
    assert code == 0 and out == "No open reports for Arizona.\n"
    gone = report(workspace, "demo-003", "other", "Moved")
    workspace.close_report("Arizona", gone, "dismissed", "ana", "Not moved")
    code, out, _ = run(capsys, "reports", "Arizona")
    assert code == 0 and out == "No open reports for Arizona.\n"
    code, out, _ = run(capsys, "reports", "Arizona", "--status", "dismissed")
    assert code == 0 and f"Report {gone} (dismissed)" in out
    assert "dismissed by ana on " in out and ": Not moved" in out
    code, out, _ = run(capsys, "reports", "Arizona", "--status", "resolved")
    assert code == 0 and out == "No resolved reports for Arizona.\n"


def test_reports_status_all_and_the_fixing_change(workspace, capsys):
    fixed = report(workspace, "demo-004", "phone", "Wrong number")
    still = report(workspace, "demo-005", "website", "Dead link", minutes=1)
    workspace.save_clinic("Arizona", "demo-004", {"phone": "555-0100"}, 1, "ana")
    change = int(workspace.history("Arizona", "demo-004")["id"].iloc[-1])
    workspace.close_report("Arizona", fixed, "resolved", "ana", "Called them", change)
    code, out, _ = run(capsys, "reports", "Arizona", "--status", "all")
    assert code == 0
    assert out.index(f"Report {still} (open)") < out.index(f"Report {fixed} (resolved)")
    assert "resolved by ana on " in out and f", change {change}: Called them" in out
    assert "now: 555-0100" in out  # the value as it is now


def test_reports_as_csv_are_quoted_and_formula_safe(workspace, capsys):
    from tests.directory.test_formulas import assert_no_cell_starts_a_formula

    report(workspace, "demo-006", "name", '=HYPERLINK("http://evil.example")', "a@b.org")
    report(workspace, "demo-007", "other", "+1 call them", minutes=1)
    code, out, _ = run(capsys, "reports", "Arizona", "--format", "csv")
    assert code == 0 and not out.startswith("\ufeff")
    rows = rows_of(out)
    assert [r["clinic_id"] for r in rows] == ["demo-007", "demo-006"]
    assert rows[1]["description"] == '\'=HYPERLINK("http://evil.example")'
    assert rows[0]["description"] == "'+1 call them"
    assert rows[1]["contact_email"] == "a@b.org" and rows[1]["field_label"] == "Clinic name"
    assert_no_cell_starts_a_formula(out.encode())
    # Every text cell is quoted: read as "unquoted means a number", only ids are numbers.
    body = out.split("\n", 1)[1]
    for record in csv.reader(io.StringIO(body), quoting=csv.QUOTE_NONNUMERIC):
        assert isinstance(record[0], float)
        assert all(isinstance(cell, str) for cell in record[1:]), record


def test_reports_csv_with_none_is_the_header_only(workspace, capsys):
    code, out, _ = run(capsys, "reports", "Arizona", "--format", "csv")
    assert code == 0 and out.splitlines() == [out.splitlines()[0]]
    assert out.startswith("id,created_at,status,clinic_id,clinic_name,field,")


def test_reports_of_an_unknown_list_is_a_workspace_error(workspace, capsys):
    from providers.curation import WorkspaceError

    code, out, err = run(capsys, "reports", "Nowhere")
    assert code == WorkspaceError.exit_code == 1 and out == ""
    assert err == "clinic-compare: error: there is no list called 'Nowhere'\n"


def test_reports_without_a_workspace_file_creates_none(tmp_path, monkeypatch, capsys):
    for name in [k for k in os.environ if k.upper().startswith("CLINIC_COMPARE_")]:
        monkeypatch.delenv(name)
    missing = tmp_path / "missing.sqlite"
    monkeypatch.setenv("CLINIC_COMPARE_WORKSPACE", str(missing))
    code, _, err = run(capsys, "reports", "Arizona")
    assert code == 1 and f"there is no workspace at {missing}" in err
    assert not missing.exists()


def test_reports_options_are_checked_by_argparse(workspace, capsys):
    for args in (["reports"], ["reports", "Arizona", "--status", "closed"],
                 ["reports", "Arizona", "--format", "json"]):  # fmt: skip
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        assert exit_info.value.code == 2


def test_export_hsds_then_import_hsds_gives_back_the_directory(tmp_path, capsys):
    from providers.directory import read_directory

    assert main(["export-hsds", "demo", "--out", str(tmp_path / "demo.zip")]) == 0
    assert "HSDS 3.0, 60 clinics" in capsys.readouterr().err
    assert (
        main(["import-hsds", str(tmp_path / "demo.zip"), "--out", str(tmp_path / "back.csv")]) == 0
    )
    assert "0 kinds of data set aside" in capsys.readouterr().err
    back = read_directory(str(tmp_path / "back.csv")).table
    pd.testing.assert_frame_equal(back, read_directory("demo").table, check_dtype=False)
    assert main(["export-hsds", "demo", "--out", str(tmp_path / "folder")]) == 0
    assert (tmp_path / "folder" / "datapackage.json").exists()


def test_import_hsds_refuses_what_is_not_a_package(tmp_path, capsys):
    assert main(["import-hsds", str(tmp_path / "none"), "--out", str(tmp_path / "x.csv")]) == 2
    (tmp_path / "g.zip").write_bytes(b"not a zip")
    assert main(["import-hsds", str(tmp_path / "g.zip"), "--out", str(tmp_path / "x.csv")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "neither a .zip" in err
    assert not (tmp_path / "x.csv").exists()
