"""The floor plan holds: the core stays plain, the faces use public surfaces, and the checklist
is the only place criteria and items are written down."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from scoring import default_checklist

REPO = Path(__file__).resolve().parent.parent
CORE = sorted([*(REPO / "providers").rglob("*.py"), *(REPO / "scoring").rglob("*.py")])
FACES = sorted([REPO / "app.py", REPO / "cli.py", *(REPO / "ui").rglob("*.py")])
SUBPACKAGES = ("directory", "geo", "curation", "sources")


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text("utf-8"), str(path))


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(REPO)))
def test_the_core_never_imports_streamlit_nor_reads_the_environment(path):
    assert not [m for m in _imports(path) if m.split(".")[0] == "streamlit"]
    reads = [
        ast.unparse(node)
        for node in ast.walk(_tree(path))
        if (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"))
        or (isinstance(node, ast.Name) and node.id in ("environ", "getenv"))
    ]
    assert reads == [], f"{path.name} reads the environment: {reads}"


@pytest.mark.parametrize("path", FACES, ids=lambda p: str(p.relative_to(REPO)))
def test_the_faces_import_only_the_public_surface_of_each_subpackage(path):
    inner = [
        m
        for m in _imports(path)
        if m.startswith("providers.") and m.split(".")[1] in SUBPACKAGES and m.count(".") > 1
    ]
    assert inner == [], f"{path.name} reaches inside a sub-package: {inner}"


def _strings(path: Path) -> list[str]:
    return [
        node.value
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


@pytest.mark.parametrize("path", CORE + FACES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_criterion_or_item_key_and_no_criteria_count_outside_the_checklist(path):
    checklist = default_checklist()
    keys = set(checklist.keys)
    columns = {item.column for item in checklist.items}
    columns |= {c.source_column for c in checklist.criteria}
    columns |= {c.verified_column for c in checklist.criteria}
    found = []
    for text in _strings(path):
        if text in keys or any(column in text for column in columns):
            found.append(text)
        if re.search(rf"\b{_number_word(len(checklist.criteria))}\b", text, re.IGNORECASE):
            found.append(text)
    assert found == [], f"{path.name} names the checklist itself: {found}"


def _number_word(n: int) -> str:
    words = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
    ]
    return words[n] if n < len(words) else str(n)
