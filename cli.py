"""`clinic-compare`: the terminal face of Ketamine Clinic Compare (a thin layer over the core).

Exit codes: 0 ok, 1 data errors (rejected rows, unreadable file), 2 usage errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scoring import (
    DEFAULT_RADIUS_MI,
    UNIT_CHOICES,
    ClinicCompareError,
    UsageError,
    default_checklist,
)

if TYPE_CHECKING:  # each command imports what it needs, so `method` never loads the network
    import pandas as pd

    from providers.directory import ReadResult
    from providers.geo import Place
    from providers.settings import DatabaseUrl, Settings
    from scoring import DistanceUnit

OK, DATA_ERROR, USAGE_ERROR = 0, 1, 2


# Staleness is judged in pandas, whose timestamps end in 1677 and 2262; no real question needs
# dates beyond these.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def _date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date as YYYY-MM-DD") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise argparse.ArgumentTypeError(f"'{text}' is not between {FIRST_DAY} and {LAST_DAY}")
    return day


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _text(text: str) -> str:
    """Text for the core: a name, place or list; bytes that are not UTF-8 cannot be one."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        shown = text.encode("utf-8", "backslashreplace").decode("utf-8")
        raise argparse.ArgumentTypeError(f"'{shown}' is not valid UTF-8 text") from None
    return text


NO_LIMIT = "any"


def _radius(text: str) -> float:
    """A radius in km from '50mi' / '80km' (math.inf for 'any'); a bare number is refused."""
    from providers.geo import PlaceError, parse_radius

    cleaned = _text(text).strip().lower()
    if cleaned == NO_LIMIT:
        return math.inf
    try:
        return parse_radius(cleaned)
    except PlaceError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (or '{NO_LIMIT}' for no limit)") from None


def build_parser() -> argparse.ArgumentParser:
    checklist = default_checklist()
    first, last = checklist.criteria[0], checklist.criteria[-1]
    example_item = checklist.tristate_items[0].column
    parser = argparse.ArgumentParser(
        prog="clinic-compare",
        description=f"Compare ketamine-therapy clinics against a transparent checklist of "
        f"{len(checklist.criteria)} criteria. DIRECTORY is a CSV or JSON file, or 'demo' for "
        "the bundled fictional demo.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    template = sub.add_parser("template", help="write an empty directory with every column")
    template.add_argument("--format", choices=("csv", "json"), default="csv")
    template.add_argument("--out", type=Path, help="file to write (default: standard output)")

    validate = sub.add_parser("validate", help="list every problem in a directory file")
    validate.add_argument("directory")

    score = sub.add_parser("score", help="rank clinics and write the shortlist")
    score.add_argument("directory")
    score.add_argument(
        "--weights",
        type=_text,
        default="",
        help=f"e.g. {first.key}=3,{last.key}=1 (0-5, default 1)",
    )
    score.add_argument(
        "--require", type=_text, default="", help=f"must-have items, e.g. {example_item}"
    )
    score.add_argument("--top", type=_positive, help="keep only the N best clinics")
    score.add_argument(
        "--format",
        choices=("table", "csv", "json", "xlsx"),
        default=None,
        help="default: a table on a terminal, CSV when piped or written with --out "
        "(a spreadsheet when --out ends in .xlsx)",
    )
    score.add_argument("--out", type=Path, help="file to write (default: standard output)")
    score.add_argument("--today", type=_date, help="judge staleness as of this date (YYYY-MM-DD)")
    score.add_argument(
        "--near", type=_text, metavar="PLACE", help="ZIP, 'City, ST', 'City, Province' or 'lat,lon'"
    )
    score.add_argument(
        "--radius",
        type=_radius,
        default=None,
        help=f"with --near: e.g. 50mi or 80km, or {NO_LIMIT} (default: the app's "
        f"{DEFAULT_RADIUS_MI} miles)",
    )
    score.add_argument("--sort", choices=("score", "distance"), default="score")
    score.add_argument(
        "--units",
        choices=UNIT_CHOICES,
        default=UNIT_CHOICES[0],
        help="distances in the table: auto (km for a Canadian place, miles otherwise)",
    )
    score.add_argument(
        "--show-closed",
        action="store_true",
        help="keep clinics listed as closed (hidden by default)",
    )
    score.add_argument(
        "--online",
        action="store_true",
        help="allow sending the --near place to the online geocoder, if one is configured",
    )

    geocode = sub.add_parser("geocode", help="fill in clinic coordinates and their precision")
    geocode.add_argument("directory")
    geocode.add_argument("--out", type=Path, required=True, help="directory file to write")
    geocode.add_argument(
        "--format", choices=("csv", "json"), default=None, help="default: from the --out file name"
    )

    why = sub.add_parser("explain", help="show why one clinic scores what it does")
    why.add_argument("directory")
    why.add_argument("clinic_id", type=_text)
    why.add_argument("--weights", type=_text, default="")
    why.add_argument("--today", type=_date)

    npi = sub.add_parser("verify-npi", help="check clinics' NPI numbers against the NPI registry")
    npi.add_argument("directory")
    npi.add_argument("--out", type=Path, required=True, help="directory file to write")
    npi.add_argument("--format", choices=("csv", "json"), default=None)

    reports = sub.add_parser(
        "reports", help="list patients' problem reports about a workspace list"
    )
    reports.add_argument("list_name", type=_text, metavar="LIST")
    reports.add_argument(
        "--status", choices=("open", "resolved", "dismissed", "all"), default="open"
    )
    reports.add_argument("--format", choices=("text", "csv"), default="text")

    hsds_out = sub.add_parser(
        "export-hsds", help="write a directory as an Open Referral HSDS 3.0 package"
    )
    hsds_out.add_argument("directory")
    hsds_out.add_argument(
        "--out", type=Path, required=True, help="a folder to create, or a FILE.zip"
    )
    hsds_out.add_argument(
        "--list-name",
        type=_text,
        help="the name the package's ids derive from (default: the file's name); keep it the "
        "same so that a re-export updates rather than duplicates",
    )
    hsds_in = sub.add_parser(
        "import-hsds", help="read an HSDS 3.0 package (folder, .zip or JSON) as a directory"
    )
    hsds_in.add_argument("package", type=Path)
    hsds_in.add_argument("--out", type=Path, required=True, help="directory file to write")
    hsds_in.add_argument("--format", choices=("csv", "json"), default=None)

    sub.add_parser("method", help="print the scoring method (Markdown)")
    _add_workspace_parser(sub)
    return parser


# --- `workspace copy`: moving the advocates' workspace between SQLite and PostgreSQL ---------


def _add_workspace_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    workspace = sub.add_parser("workspace", help="manage the advocates' workspace")
    actions = workspace.add_subparsers(dest="workspace_command", required=True, metavar="ACTION")
    copy = actions.add_parser(
        "copy",
        help="copy a whole workspace (lists, clinics, change log, snapshots, reports) into an "
        "empty one: SQLite file to PostgreSQL or back",
        description="Copy every list, clinic, change, published snapshot and report from SRC "
        "into the empty workspace DST, each table counted on both sides; on any problem "
        "nothing is written. SRC and DST are file paths (SQLite) or postgresql:// addresses.",
    )
    copy.add_argument("source", type=_text, metavar="SRC")
    copy.add_argument("target", type=_text, metavar="DST")


def _workspace_location(text: str, role: str, must_exist: bool) -> Path | DatabaseUrl:
    """A workspace argument: a PostgreSQL address or a SQLite file path."""
    from providers.settings import DatabaseUrl, Settings, SettingsError

    try:
        where = Settings.from_env({"CLINIC_COMPARE_WORKSPACE": text}).workspace
    except SettingsError as exc:
        raise UsageError(str(exc).replace("CLINIC_COMPARE_WORKSPACE", role, 1)) from None
    if isinstance(where, DatabaseUrl):
        return where
    assert where is not None
    if must_exist and not where.is_file():
        raise UsageError(f"{role}: there is no workspace file at {where}")
    if not must_exist and where.is_dir():
        raise UsageError(f"{role}: {where} is a folder; give the workspace file to create")
    return where


def cmd_workspace(args: argparse.Namespace) -> int:
    from providers.curation import copy_workspace, open_workspace

    source = _workspace_location(args.source, "SRC", must_exist=True)
    target = _workspace_location(args.target, "DST", must_exist=False)
    created = isinstance(target, Path) and not target.exists()
    try:
        with open_workspace(source) as src, open_workspace(target) as dst:
            counts = copy_workspace(src, dst)
    except BaseException:
        if created and isinstance(target, Path):  # leave no empty workspace file behind
            for leftover in (target, *target.parent.glob(target.name + "-*")):
                leftover.unlink(missing_ok=True)
        raise
    shown = ", ".join(f"{n:,} {table}" for table, n in counts.items())
    print(f"copied {shown} from {source} to {target}; every table counted on both sides")
    return OK


def _emit(data: bytes, out: Path | None) -> None:
    from providers.directory import write_atomic

    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    if not out.parent.is_dir():
        raise UsageError(f"folder does not exist: {out.parent}")
    if out.is_dir():
        raise UsageError(f"{out} is a folder; give the file to write, e.g. {out / 'out.csv'}")
    write_atomic(out, data)
    print(f"wrote {out}", file=sys.stderr)


def _encode(frame: pd.DataFrame, fmt: str, to_file: bool) -> bytes:
    from providers.directory import csv_bytes, json_bytes, xlsx_bytes

    if fmt == "json":
        return json_bytes(frame)
    if fmt == "xlsx":
        return xlsx_bytes(frame)
    data = csv_bytes(frame)
    return data if to_file else data.removeprefix(b"\xef\xbb\xbf")


def _read(directory: str) -> ReadResult:
    from providers.directory import DEMO, read_directory

    if directory != DEMO and not Path(directory).exists():
        raise UsageError(f"no such file: {directory} (use 'demo' for the bundled demo directory)")
    return read_directory(directory)


def _summary(result: ReadResult) -> str:
    warnings = int((result.problems["severity"] == "warning").sum())
    return f"{len(result.table)} clinics read, {result.rejected} rows rejected, {warnings} warnings"


def _out_format(args: argparse.Namespace) -> str:
    return args.format or ("json" if args.out.suffix.lower() == ".json" else "csv")


def cmd_template(args: argparse.Namespace) -> int:
    from providers.directory import template_frame

    _emit(_encode(template_frame(), args.format, args.out is not None), args.out)
    return OK


def _print_problems(problems: pd.DataFrame, file=None) -> None:
    """One line per problem: severity, where, the value (cut short) and what is wrong."""
    for p in problems.itertuples(index=False):
        where = "file" if p.row is None or str(p.row) in ("<NA>", "nan", "") else f"row {p.row}"
        column = f", column '{p.column}'" if p.column else ""
        value = f", value {str(p.value)[:80]!r}" if p.value else ""
        print(f"{p.severity}: {where}{column}{value}: {p.message}", file=file)


def cmd_validate(args: argparse.Namespace) -> int:
    result = _read(args.directory)
    _print_problems(result.problems)
    print(_summary(result), file=sys.stderr)
    return DATA_ERROR if result.rejected else OK


def _settings() -> Settings:
    from providers.settings import Settings

    return Settings.from_env(os.environ)


def _place(args: argparse.Namespace, settings: Settings) -> Place:
    from providers.geo import default_gazetteer, resolve_place, with_region

    gazetteer = default_gazetteer()
    geocoder = settings.online_geocoder() if args.online else None
    found = resolve_place(args.near, gazetteer, geocoder, opted_in=args.online)
    if found.notice:
        print(f"note: {found.notice}", file=sys.stderr)
    if found.ambiguous:
        options = "; ".join(p.label for p in found.candidates)
        raise UsageError(f"'{args.near}' is ambiguous; be more specific, e.g. one of: {options}")
    if found.place is None:
        raise UsageError(found.message)
    return with_region(found.place, gazetteer)


def cmd_score(args: argparse.Namespace) -> int:
    from scoring import (
        Filters,
        check_requirements,
        closed_note,
        parse_weights,
        rank_clinics,
        shortlist_frame,
    )

    checklist = default_checklist()
    weights = parse_weights(args.weights, checklist)
    require = check_requirements(args.require.split(","), checklist)
    if (args.radius is not None or args.sort == "distance") and not args.near:
        raise UsageError("--radius and --sort distance need --near PLACE")
    fmt = args.format or ("table" if args.out is None and sys.stdout.isatty() else "csv")
    if args.format is None and args.out is not None and args.out.suffix.lower() == ".xlsx":
        fmt = "xlsx"
    if fmt == "table" and args.out is not None:
        raise UsageError("--format table is for the terminal; write csv or json with --out")
    if fmt == "xlsx" and args.out is None and sys.stdout.isatty():
        raise UsageError("--format xlsx writes a spreadsheet file: add --out FILE.xlsx")
    place, radius_km = None, None
    if args.near:
        from providers.geo import KM_PER_MILE, default_gazetteer, locate_clinics, nearby

        place = _place(args, _settings())
        radius_km = args.radius
        if radius_km is None:
            radius_km = DEFAULT_RADIUS_MI * KM_PER_MILE
            print(
                f"note: no --radius given: using the app's default of {DEFAULT_RADIUS_MI} mi "
                f"({radius_km:.0f} km); e.g. --radius 80km, or --radius {NO_LIMIT} for no limit",
                file=sys.stderr,
            )
    result = _read(args.directory)
    if len(result.problems):
        print(
            f"note: {_summary(result)}; run 'clinic-compare validate' for details", file=sys.stderr
        )
    table = result.table
    filters = Filters(show_closed=args.show_closed)
    note = closed_note(filters.hidden_closed(table), "add --show-closed")
    if note:
        print(f"note: {note}", file=sys.stderr)
    table = filters.apply(table)
    if place is not None:
        table, _ = locate_clinics(table, default_gazetteer())
        print(f"note: distances from {place.label} ({place.precision})", file=sys.stderr)
    ranked = rank_clinics(table, weights, require, args.today, None, checklist)
    if place is not None:
        limit = None if radius_km == math.inf else radius_km
        ranked = nearby(ranked, place, limit, args.sort)
    if args.top:
        ranked = ranked.head(args.top)
    frame = shortlist_frame(ranked, checklist, today=args.today, question_lists=fmt == "json")
    if fmt == "table":
        _print_table(frame, _unit(place, args.units))
    else:
        _emit(_encode(frame, fmt, args.out is not None), args.out)
    if ranked.empty:
        why = "within the radius" if place is not None else "that meets every must-have item"
        print(f"no clinic {why}; try a larger radius or fewer must-haves", file=sys.stderr)
    return OK


def _unit(place: Place | None, choice: str) -> DistanceUnit:
    from providers.geo import distance_unit

    return distance_unit(place, choice)


def _print_table(frame: pd.DataFrame, unit: DistanceUnit) -> None:
    """The shortlist as an aligned table for a person at a terminal (rich), every figure by
    the one display rule; clinic text is shown as plain text, never as rich markup."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from scoring import distance_text, number_text

    located = f"distance_{unit}" in frame.columns
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False)
    headers = ["#", "clinic", "city", *(["distance"] if located else []), "score", "known",
               "first year (estimate)"]  # fmt: skip
    # The columns that may wrap (at word breaks), with their least width; figures never do.
    wraps = {"clinic": 12, "city": 8, "first year (estimate)": 10}
    for header in headers:
        numeric = header in ("#", "distance", "score", "known")
        table.add_column(
            header,
            justify="right" if numeric else "left",
            no_wrap=header not in wraps,
            min_width=wraps.get(header),
        )
    for row in frame.to_dict("records"):
        where = ", ".join(_printable(row[c]) for c in ("city", "region") if row.get(c))
        # A clinic that is not open says so under its name (open and unknown say nothing).
        status = str(row.get("status") or "unknown")
        flag = f" ({status})" if status not in ("open", "unknown") else ""
        cells = [
            str(row["rank"]),
            _printable(row["name"]) + flag,
            where or "unknown",
            *([distance_text(row[f"distance_{unit}"], unit)] if located else []),
            number_text(row["overall"]),
            f"{number_text(row['completeness'])}%",
            _printable(row.get("first_year_cost") or "not listed"),
        ]
        table.add_row(*(Text(cell) for cell in cells))
    Console(highlight=False, soft_wrap=False).print(table)


def cmd_geocode(args: argparse.Namespace) -> int:
    from providers.directory import directory_frame
    from providers.geo import default_gazetteer, locate_clinics

    settings = _settings()
    fmt = _out_format(args)
    result = _read(args.directory)
    geocoder = settings.online_geocoder()

    def progress(done: int, total: int, name: str) -> None:
        print(f"geocoding {done}/{total}: {name}", file=sys.stderr)

    located, report = locate_clinics(result.table, default_gazetteer(), geocoder, progress)
    _emit(_encode(directory_frame(located), fmt, True), args.out)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(report.by_precision.items()))
    print(f"location precision: {counts}", file=sys.stderr)
    if report.notice:
        print(f"note: {report.notice}", file=sys.stderr)
    return OK


def cmd_explain(args: argparse.Namespace) -> int:
    from scoring import explain, parse_weights

    weights = parse_weights(args.weights)
    table = _read(args.directory).table
    match = table[table["id"] == args.clinic_id]
    if match.empty:
        raise UsageError(f"no clinic with id '{args.clinic_id}'{_valid_ids(table, args.clinic_id)}")
    for line in explain(match.iloc[0], weights, args.today).lines():
        print(line)
    return OK


def _valid_ids(table: pd.DataFrame, wrong: str, most: int = 20) -> str:
    """Close ids, then the valid ones (the first `most` of a long directory)."""
    import difflib

    ids = table["id"].astype("str").tolist()
    close = difflib.get_close_matches(wrong, ids, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    shown = ", ".join(_printable(i) for i in ids[:most])
    more = f" and {len(ids) - most} more (see the id column)" if len(ids) > most else ""
    return f"{hint}; the ids are: {shown}{more}" if ids else "; the directory has no clinics"


def cmd_verify_npi(args: argparse.Namespace) -> int:
    from providers.curation import apply_changes, check_npis, clinics_to_check
    from providers.directory import directory_frame, to_plain
    from providers.sources import NpiRegistry

    settings = _settings()
    checklist = default_checklist()
    fmt = _out_format(args)
    frame = to_plain(directory_frame(_read(args.directory).table))
    todo = clinics_to_check(frame, checklist)
    registry = NpiRegistry(settings.npi_url)
    changes, failures = {}, 0
    checks = check_npis(todo, registry, checklist, dt.date.today())
    for done, check in enumerate(checks, start=1):
        failures += check.verification is None
        changes[check.clinic_id] = check.changes
        print(f"{done}/{len(todo)} {check.clinic_id} NPI {check.npi}: {check.summary}",
              file=sys.stderr)  # fmt: skip
    _emit(_encode(apply_changes(frame, changes), fmt, True), args.out)
    print(f"{len(todo) - failures} of {len(todo)} NPIs checked", file=sys.stderr)
    return DATA_ERROR if failures else OK


REPORT_COLUMNS = (
    "id", "created_at", "status", "clinic_id", "clinic_name", "field", "field_label",
    "current_value", "evidence_date", "description", "contact_email", "closed_by", "closed_at",
    "closing_note", "change_id",
)  # fmt: skip


def _printable(text: object) -> str:
    """Stored text as a terminal shows it: control characters (escape codes) dropped."""
    import unicodedata

    return "".join(c for c in str(text) if c == "\n" or not unicodedata.category(c).startswith("C"))


def _report_lines(report: dict[str, object]) -> list[str]:
    """One report as a block of plain text (continuation lines indented)."""
    say = {key: _printable(value) for key, value in report.items()}
    lines = [
        f"Report {say['id']} ({say['status']}), {say['created_at'][:10]}: "
        f"{say['clinic_id']} {say['clinic_name']}",
        f"  about: {say['field_label']}",
    ]
    if say["current_value"] or say["evidence_date"]:
        now = say["current_value"] or "(blank)"
        checked = f" (evidence checked {say['evidence_date']})" if say["evidence_date"] else ""
        lines.append(f"  now: {now}{checked}")
    lines.append("  says: " + say["description"].replace("\n", "\n        "))
    if report["contact_email"]:
        lines.append(f"  contact: {say['contact_email']}")
    if report["status"] != "open":
        change = f", change {say['change_id']}" if isinstance(report["change_id"], int) else ""
        lines.append(
            f"  {say['status']} by {say['closed_by']} on {say['closed_at'][:10]}{change}: "
            + say["closing_note"].replace("\n", "\n    ")
        )
    return lines


def cmd_reports(args: argparse.Namespace) -> int:
    from providers.curation import WorkspaceError, open_workspace, report_details

    path = _settings().workspace
    if path is None or (isinstance(path, Path) and not path.is_file()):
        raise WorkspaceError(
            f"there is no workspace at {path}; set CLINIC_COMPARE_WORKSPACE to the advocates' "
            "workspace file"
        )
    status = None if args.status == "all" else args.status
    with open_workspace(path) as store:
        found = report_details(store, args.list_name, default_checklist(), status)
    if args.format == "csv":
        _emit(_encode(found[list(REPORT_COLUMNS)], "csv", False), None)
        return OK
    if found.empty:
        which = "" if status is None else f"{status} "
        print(f"No {which}reports for {_printable(args.list_name)}.")
        return OK
    blocks = ["\n".join(_report_lines(r)) for r in found.to_dict("records")]
    print("\n\n".join(blocks))
    return OK


def cmd_export_hsds(args: argparse.Namespace) -> int:
    from providers.directory import DEMO
    from providers.hsds import export_hsds, write_hsds

    result = _read(args.directory)
    default = "demo" if args.directory == DEMO else Path(args.directory).stem
    list_name = args.list_name or default
    files = export_hsds(result.table, list_name=list_name)
    written = write_hsds(files, args.out)
    print(f"wrote {written}: HSDS 3.0, {len(result.table)} clinics ({_summary(result)})",
          file=sys.stderr)  # fmt: skip
    return OK


def cmd_import_hsds(args: argparse.Namespace) -> int:
    from providers.directory import directory_frame
    from providers.hsds import read_hsds

    if not args.package.exists():
        raise UsageError(f"no such file or folder: {args.package}")
    found = read_hsds(args.package)
    result = found.result
    _emit(_encode(directory_frame(result.table), _out_format(args), True), args.out)
    _print_problems(found.problems, sys.stderr)
    _print_problems(result.problems, sys.stderr)
    for row in found.set_aside.itertuples(index=False):
        print(f"set aside: {row.rows} {row.what} ({row.table})", file=sys.stderr)
    print(f"{_summary(result)}; {len(found.set_aside)} kinds of data set aside", file=sys.stderr)
    return OK if len(result.table) else DATA_ERROR


def cmd_method(args: argparse.Namespace) -> int:
    from scoring import method_markdown

    print(method_markdown())
    return OK


COMMANDS = {
    "template": cmd_template,
    "validate": cmd_validate,
    "score": cmd_score,
    "explain": cmd_explain,
    "geocode": cmd_geocode,
    "verify-npi": cmd_verify_npi,
    "reports": cmd_reports,
    "export-hsds": cmd_export_hsds,
    "import-hsds": cmd_import_hsds,
    "method": cmd_method,
    "workspace": cmd_workspace,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ClinicCompareError as exc:  # every failure we raise on purpose, in one place
        print(f"clinic-compare: {exc.summary}: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        sys.stderr.close()  # the reader stopped early (e.g. `| head`); nothing to report
        return OK
    except OSError as exc:  # e.g. a file name too long, a full disk, no permission
        where = f": {exc.filename}" if exc.filename else ""
        print(f"clinic-compare: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return DATA_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
