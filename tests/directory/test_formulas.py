import csv
import io

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from providers.directory import csv_bytes, parse_directory
from providers.directory.formulas import (
    TRIGGERS,
    guard_series,
    guard_text,
    unguard_series,
    unguard_text,
)

# Text that is likely to hit the edge cases: triggers, apostrophes, white space.
EDGY = st.text(alphabet=st.sampled_from([*TRIGGERS, "'", " ", "\t", "\r", "\n", "a", "1", "é"]))
# Control characters other than tab/CR/LF are left out: a file full of them is refused as
# binary by design (see test_directory), which is not what these tests are about.
PRINTABLE = st.text(st.characters(exclude_categories=("Cc", "Cs"), include_characters="\t\r\n"))
ANY_TEXT = st.one_of(EDGY, st.text())
FILE_TEXT = st.one_of(EDGY, PRINTABLE)


def starts_with_trigger(cell: str) -> bool:
    stripped = cell.lstrip()
    return (cell[:1] in "\t\r\n" and cell != "") or (stripped[:1] != "" and stripped[0] in TRIGGERS)


@given(ANY_TEXT)
def test_guard_is_reversible_and_leaves_no_trigger_first(text):
    guarded = guard_text(text)
    assert unguard_text(guarded) == text
    assert not starts_with_trigger(guarded)


@given(st.lists(ANY_TEXT, max_size=20))
def test_vectorised_guard_matches_the_scalar_one(texts):
    series = pd.Series(texts, dtype="str")
    guarded = guard_series(series)
    assert guarded.tolist() == [guard_text(t) for t in texts]
    assert unguard_series(guarded).tolist() == texts


def test_known_attacks_are_neutralised():
    for attack in [
        '=HYPERLINK("http://x")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "  =1",
        "＝1",
        "\n=1",
    ]:
        assert guard_text(attack).startswith("'")
    for harmless in ["Clinic", "O'Brien", "a=b", "(555) 0100"]:
        assert guard_text(harmless) == harmless


NAME = PRINTABLE.filter(lambda s: s.strip() != "")


@given(
    names=st.lists(NAME, min_size=1, max_size=8), notes=st.lists(FILE_TEXT, min_size=8, max_size=8)
)
def test_directory_export_then_import_gives_the_original_text(names, notes):
    # The reader trims and drops characters a CSV cannot carry; compare what it accepted.
    rows = pd.DataFrame(
        {
            "id": [f"c{i}" for i in range(len(names))],
            "name": [n.replace("\x00", "").strip()[:2000] or "x" for n in names],
            "notes": [t.replace("\x00", "").strip()[:2000] for t in notes[: len(names)]],
            "price_per_session": [-1.0 if i == 0 else 300.5 for i in range(len(names))],
        }
    )
    data = csv_bytes(rows)
    cells = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header, body = cells[0], cells[1:]
    for record in body:
        for name, cell in zip(header, record, strict=True):
            if name != "price_per_session":
                assert not starts_with_trigger(cell), cell
    prices = [record[header.index("price_per_session")] for record in body]
    assert prices[0] == "-1.0"  # numbers stay numbers, even negative ones
    back = parse_directory(data, "x.csv").table
    assert back["name"].tolist() == rows["name"].tolist()
    assert back["notes"].tolist() == rows["notes"].tolist()
