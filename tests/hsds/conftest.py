"""HSDS fixtures: the specification's example package, validation with frictionless (offline),
and small directories to export."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from providers.directory import parse_directory
from tests.conftest import csv_of, full_clinic

SPEC_EXAMPLE = Path(__file__).parent / "spec_example"
# The specification's datapackage.json (the example package holds a copy of the top-level one).
SPEC_DESCRIPTOR = SPEC_EXAMPLE / "datapackage.json"

# Text made to break things: formulas, markup, quotes, line breaks, odd and huge unicode.
HOSTILE_TEXTS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2+3;=cmd|' /C calc'!A0",
    "@SUM(A1)",
    "\t=1",
    "<script>alert('x')</script> <b>bold</b> [link](javascript:alert(1))",
    "He said \"hello\", then 'bye'",
    "line one\nline two\r\nline three",
    "Zalgo: Z̷̡̛a̵͎͑l̸̰̾g̶̣̈́o̸̤͊ 診療所 🧪💉 \u202eRTL\u202c \u200b\u2028x",
    "x" * 1990,
    "ﬁ ﬂ Ⅻ ＝1 ＋2",
    "'=already guarded",
    "a;b|c\td",
]


def validation_errors(folder: Path) -> list[str]:
    """Every error frictionless finds in the package in `folder`, checked against the
    specification's own datapackage.json (types, required fields, primary and foreign keys)."""
    from frictionless import Package

    descriptor = json.loads(SPEC_DESCRIPTOR.read_text("utf-8"))
    report = Package(descriptor, basepath=str(folder)).validate()
    errors = [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors]
    errors += [error.message for error in report.errors]
    assert report.stats["tasks"] == len(descriptor["resources"])
    return errors


@pytest.fixture
def offline(monkeypatch):
    """No network: any attempt to connect fails the test loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError("the HSDS validation tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def directory(*rows: dict) -> object:
    """A validated clinic table from rows (problems allowed: the table is what counts)."""
    return parse_directory(csv_of(rows), "t.csv").table


def hostile_rows() -> list[dict]:
    rows = []
    for n, text in enumerate(HOSTILE_TEXTS):
        rows.append(
            full_clinic(
                id=f"h{n}" if n % 3 else text[:40],
                name=text if text.strip() else "x",
                address=text,
                city=text[:50],
                phone=text[:30],
                notes=text,
                conditions=text,
                website="https://example.org/" + "".join(text.split())[:80],
            )
        )
    rows.append({"id": "bare", "name": "Bare minimum"})
    return rows
