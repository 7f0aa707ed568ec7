"""Taking the shortlist along: the .xlsx workbook, the saved-shortlist file and the printable
page, each with hostile text from the directory and from the patient."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import sys
import zipfile
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli import main
from providers.directory import xlsx_bytes
from scoring import (
    MAX_SAVED_BYTES,
    ClinicCompareError,
    SavedShortlistError,
    known_text,
    printable_html,
    rank_clinics,
    read_saved_shortlist,
    saved_shortlist_bytes,
    saved_shortlist_name,
    shortlist_frame,
    stale_text,
    tel_uri,
    weights_text,
)
from scoring.saved import MAX_CLINICS, MAX_ID, MAX_NAME, MAX_NOTE
from tests.conftest import TODAY, full_clinic, table_of

FORMULA = '=HYPERLINK("https://evil.example","click")'
HOSTILE_NOTE = "+cmd|' /C calc'!A0\n@SUM(1+1)\t-2+3 <script>alert(1)</script>"


def frame_of(*rows: dict, notes: dict[str, str] | None = None) -> pd.DataFrame:
    """The app's shortlist export for these clinics (ranked as of the fixed test date)."""
    return shortlist_frame(rank_clinics(table_of(*rows), today=TODAY), notes=notes, today=TODAY)


@pytest.fixture
def shortlist() -> pd.DataFrame:
    """A good clinic with a ZIP starting with 0, and a hostile one with little evidence."""
    return frame_of(
        full_clinic(
            id="good",
            name="Good Care",
            postal_code="02139",
            phone="+1 (617) 555-0100",
            website="https://good.example.org/a?b=(1)",
        ),
        {
            "id": "@evil",
            "name": FORMULA,
            "city": "-Springfield",
            "address": "=1+1",
            "phone": "=2+2",
            "reviews_rating": 4.456,
            "reviews_count": 3,
        },
        notes={"good": HOSTILE_NOTE, "@evil": "=IMPORTXML(A1)"},
    )


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def records(sheet) -> list[dict[str, object]]:
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    return [{h: c for h, c in zip(header, row, strict=True)} for row in rows[1:]]


# --- the .xlsx workbook ---------------------------------------------------------------------


def test_the_workbook_keeps_types_and_never_holds_a_formula(shortlist):
    data = xlsx_bytes(shortlist)
    sheet = workbook(data)
    assert [c.value for c in next(sheet.iter_rows())] == list(shortlist.columns)
    assert sheet.freeze_panes == "A2"  # the header stays in view
    assert sheet.auto_filter.ref is not None
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml
    good, evil = records(sheet)
    assert good["postal_code"].value == "02139" and good["postal_code"].data_type == "s"
    assert good["phone"].value == "+1 (617) 555-0100"
    assert good["my_notes"].value == HOSTILE_NOTE  # text, exactly, without an apostrophe
    assert evil["name"].value == FORMULA and evil["id"].value == "@evil"
    assert evil["address"].value == "=1+1" and evil["city"].value == "-Springfield"
    assert evil["my_notes"].value == "=IMPORTXML(A1)"
    assert evil["phone"].value == "=2+2"


def test_the_workbook_has_numbers_words_and_links(shortlist):
    good, evil = records(workbook(xlsx_bytes(shortlist)))
    expected = shortlist.set_index("id")
    for column in ("rank", "overall", "completeness", "unknowns", "price_per_session"):
        assert isinstance(good[column].value, int | float), column
        assert good[column].value == expected.loc["good", column]
    assert evil["reviews_shrunk"].value == expected.loc["@evil", "reviews_shrunk"]  # rounded
    assert isinstance(good["reviews_count"].value, int)
    assert evil["price_per_session"].value is None  # not listed: an empty cell, never "nan"
    assert good["stale"].value == "no" and evil["stale"].value == "yes"
    assert evil["few_reviews"].value == "yes"
    assert good["telehealth"].value in ("yes", "no", "unknown")
    assert good["last_verified"].value == "2026-10-01"  # ISO text, as in the CSV
    assert good["website"].hyperlink.target == "https://good.example.org/a?b=(1)"
    assert good["website"].value == "https://good.example.org/a?b=(1)"
    assert evil["website"].value is None and evil["website"].hyperlink is None


def test_only_http_addresses_become_links(shortlist):
    frame = shortlist.copy()
    frame["website"] = ["javascript:alert(1)", "HTTP://OLD.EXAMPLE/"]
    good, evil = records(workbook(xlsx_bytes(frame)))
    assert good["website"].value == "javascript:alert(1)" and good["website"].hyperlink is None
    assert evil["website"].hyperlink.target == "HTTP://OLD.EXAMPLE/"


printable = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"),
    max_size=40,
)


@given(text=st.one_of(printable, st.builds("".join, st.lists(st.sampled_from(
    ["=", "+", "-", "@", "\uff1d", "'", "\t", "\n", ";", "|", "A1", "cmd", "(", ")", '"']
), max_size=12))))  # fmt: skip
def test_any_text_comes_back_as_the_same_text(text):
    sheet = workbook(xlsx_bytes(pd.DataFrame({"note": pd.Series([text], dtype="str")})))
    cell = sheet["A2"]
    assert cell.data_type != "f"
    assert (cell.value or "") == text


# --- the saved shortlist file ----------------------------------------------------------------


def test_a_saved_shortlist_opens_again_with_every_note():
    notes = {"a": "Call Monday\nAsk about <b>boosters</b>", "c": "=1+1 ünïcode 💊"}
    names = {"a": "A Clinic", "b": "[B](https://evil.example)", "c": "C"}
    data = saved_shortlist_bytes(["a", "b", "c"], notes, names, "the demo", TODAY)
    saved = read_saved_shortlist(data)
    assert saved.ids == ("a", "b", "c")
    assert saved.notes == notes  # clinics without a note have none
    assert [c.name for c in saved.clinics] == ["A Clinic", "[B](https://evil.example)", "C"]
    assert saved.saved_on == TODAY and saved.directory == "the demo"
    raw = json.loads(data)
    assert raw["format"] == "ketamine-clinic-compare shortlist" and raw["version"] == 1
    assert set(raw) == {"format", "version", "saved_on", "directory", "clinics"}
    assert saved_shortlist_name(TODAY) == "ketamine-clinic-shortlist-2026-11-21.json"


def test_the_largest_file_that_can_be_saved_can_be_opened():
    """Every limit at once, with characters JSON writes as six-byte escapes."""
    ids = [f"{n:02d}" + "\x01" * (MAX_ID - 2) for n in range(MAX_CLINICS + 5)]
    long = "\x02" * (MAX_NOTE + 100)
    data = saved_shortlist_bytes(
        ids, dict.fromkeys(ids, long), dict.fromkeys(ids, long), "x" * 1000, TODAY
    )
    assert len(data) <= MAX_SAVED_BYTES
    saved = read_saved_shortlist(data)
    assert len(saved.clinics) == MAX_CLINICS  # what the shortlist page keeps
    assert {len(c.note) for c in saved.clinics} == {MAX_NOTE}
    assert {len(c.name) for c in saved.clinics} == {MAX_NAME}


def good_file(**changes: object) -> dict:
    data = json.loads(saved_shortlist_bytes(["a", "b"], {"a": "hi"}, {}, "demo", TODAY))
    data.update(changes)
    return data


def encoded(value: object) -> bytes:
    return json.dumps(value).encode("utf-8")


def one_clinic(**fields: object) -> bytes:
    return encoded(good_file(clinics=[{"id": "a", "name": "A", "note": "", **fields}]))


BAD_FILES = {
    "too big": (b" " * (MAX_SAVED_BYTES + 1), "at most"),
    "not text": (b"\xff\xfe\x00binary", "not a text file"),
    "not JSON": (b"id,name\na,A\n", "not a JSON file"),
    "a list": (b"[1, 2]", "not a shortlist saved by this app"),
    "another format": (encoded(good_file(format="something else")), "not a shortlist saved"),
    "nested too deep": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "a field twice": (b'{"format": "x", "format": "y"}', "appears twice"),
    "NaN": (encoded(good_file(version=float("nan"))), "not a value"),
    "an extra field": (encoded(good_file(extra=1)), "does not know: 'extra'"),
    "a missing field": (
        encoded({k: v for k, v in good_file().items() if k != "clinics"}),
        "lacks the field",
    ),
    "a newer version": (encoded(good_file(version=2)), "newer version"),
    "a huge version": (
        encoded(good_file(version=1)).replace(b'"version": 1', b'"version": ' + b"9" * 5000),
        "too big to read",
    ),
    "a very large version": (encoded(good_file(version=10**100)), "newer version"),
    "version zero": (encoded(good_file(version=0)), "not one this app has written"),
    "version as text": (encoded(good_file(version="1")), "whole number, but it is text"),
    "version true": (encoded(good_file(version=True)), "but it is true/false"),
    "a bad date": (encoded(good_file(saved_on="2026-13-01")), "is not a date"),
    "a date as a number": (encoded(good_file(saved_on=20261121)), "should be text"),
    "a long label": (encoded(good_file(directory="x" * 301)), "longer than 300"),
    "clinics not a list": (encoded(good_file(clinics={"a": 1})), "should be a list"),
    "too many clinics": (
        encoded(good_file(clinics=[{"id": str(n), "name": "", "note": ""} for n in range(51)])),
        "at most 50",
    ),
    "a clinic as text": (encoded(good_file(clinics=["a"])), "group of fields"),
    "an id as a number": (one_clinic(id=7), "the id of clinic 1 should be text"),
    "an empty id": (one_clinic(id="  "), "the id of clinic 1 is empty"),
    "a long id": (one_clinic(id="x" * (MAX_ID + 1)), "longer than 2,000"),
    "a note too long": (one_clinic(note="x" * (MAX_NOTE + 1)), "the note on clinic 1 is longer"),
    "a note as a list": (one_clinic(note=["x"]), "should be text, but it is a list"),
    "a name that is null": (one_clinic(name=None), "but it is null"),
    "an unknown clinic field": (one_clinic(phone="1"), "does not know: 'phone'"),
    "a clinic twice": (
        encoded(good_file(clinics=[{"id": "a", "name": "", "note": ""}] * 2)),
        "listed twice",
    ),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_every_bad_file_is_one_plain_sentence(name):
    data, words = BAD_FILES[name]
    with pytest.raises(SavedShortlistError) as caught:
        read_saved_shortlist(data)
    message = str(caught.value)
    assert words in message
    assert len(message) < 200 and "\n" not in message and "Traceback" not in message
    assert isinstance(caught.value, ClinicCompareError) and isinstance(caught.value, ValueError)


@given(st.binary(max_size=300))
def test_random_bytes_are_refused_politely(data):
    with contextlib.suppress(SavedShortlistError):  # and nothing else
        read_saved_shortlist(data)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["id", "name", "note", "x"]), inner,
                                      max_size=3), max_leaves=10))  # fmt: skip
def test_wrong_shapes_of_clinics_are_refused_politely(clinics):
    with contextlib.suppress(SavedShortlistError):  # and nothing else
        read_saved_shortlist(encoded(good_file(clinics=clinics)))


# --- the words on the page -------------------------------------------------------------------


def test_weights_known_answers_staleness_and_phone_links_in_words(checklist):
    first, second = checklist.criteria[0], checklist.criteria[1]
    assert weights_text({}, checklist).startswith("Every part of the checklist counted the same")
    custom = {first.key: 0, second.key: 2.5}
    text = weights_text(custom, checklist)
    assert f"{first.label} 0" in text and f"{second.label} 2.5" in text
    assert "0 (not at all) to 5 (the most)" in text
    preset = checklist.presets[1]
    assert f"the {preset.label} choice" in weights_text(dict(preset.weights), checklist)
    total = len(checklist.items)
    assert known_text(3, checklist) == f"{total - 3} of {total} checklist answers known"
    assert stale_text("", checklist) is None
    warning = stale_text(f"{first.key};{second.key}", checklist)
    assert warning and f"{first.label} and {second.label}" in warning and "a year" in warning
    every = stale_text(";".join(checklist.keys), checklist)
    assert every and every.startswith("All facts may be out of date")
    assert tel_uri("+1 (303) 555-0126 ext. 4") == "tel:+13035550126"
    assert tel_uri("(303) 555-0126") == "tel:3035550126"
    assert tel_uri('"><script>alert(1)</script>') is None
    assert tel_uri("call us") is None and tel_uri(None) is None


# --- the printable page ---------------------------------------------------------------------


class Tags(HTMLParser):
    """Every start tag of a page with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(page)
    return parser.tags


def test_the_printable_page_has_everything_to_take_to_a_doctor(shortlist, checklist):
    first = checklist.criteria[0]
    weights = {first.key: 4.0}
    page = printable_html(
        shortlist, {"good": "Call on Monday"}, "Mine", "From the demo.", weights=weights,
        today=dt.date(2026, 12, 1),
    )  # fmt: skip
    text = re.sub(r"<[^>]+>", " ", page)
    assert "Price per session: 450 USD" in text and "Price per session: not listed" in text
    estimate = shortlist.set_index("id").loc["good", "first_year_cost"]
    assert re.fullmatch(r"[\d,]+ USD", estimate)
    assert f"First-year cost (estimate): {estimate}" in text
    total = len(checklist.items)
    assert f"of {total} checklist answers known" in text and "% of items known" not in text
    assert "All facts may be out of date" in text  # the clinic with no evidence dates
    assert f"{first.label} 4" in text and "Made on 2026-12-01." in text
    assert "not medical advice" in text and "Call on Monday" in text
    assert "Questions to ask:" in text
    links = [attrs for tag, attrs in tags_of(page) if tag == "a"]
    assert {"href": "tel:+16175550100"} in links
    assert {
        "href": "https://good.example.org/a?b=(1)", "target": "_blank", "rel": "noopener"
    } in links  # fmt: skip
    assert "@media print" in page


def test_the_printable_page_escapes_hostile_text_and_makes_only_safe_links(shortlist):
    frame = shortlist.copy()
    frame["phone"] = ["\"'><script>alert(1)</script>", "555-0100<img src=x onerror=alert(1)>"]
    frame["website"] = ["javascript:alert(1)", "https://x.example/'\"><script>alert(2)</script>"]
    notes = {"good": "<b>ring</b> them", "@evil": "</p><script>alert(3)</script>"}
    page = printable_html(frame, notes, "My <list>", "<i>data</i>")
    found = tags_of(page)
    assert {tag for tag, _ in found} <= {"html", "head", "meta", "title", "style", "body", "h1",
                                         "p", "section", "h2", "ul", "li", "a", "b", "ol",
                                         "footer", "hr", "i"}  # fmt: skip
    links = [attrs["href"] or "" for tag, attrs in found if tag == "a"]
    assert links == ["tel:5550100", "https://x.example/'\"><script>alert(2)</script>"]
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page and "&lt;b&gt;ring" in page
    assert "javascript:alert(1)</li>" in page  # shown as text, not as a link
    assert "My &lt;list&gt;" in page and "&lt;i&gt;data&lt;/i&gt;" in page
    assert not re.search(r"\b(None|nan|NaN|NaT|<NA>)\b", re.sub(r"<[^>]+>", " ", page))


# --- the same workbook from the command line -------------------------------------------------


def test_score_writes_the_workbook_to_a_file_and_refuses_a_terminal(tmp_path, capsys,
                                                                     monkeypatch):  # fmt: skip
    out = tmp_path / "shortlist.xlsx"
    assert main(["score", "demo", "--top", "3", "--out", str(out), "--today", "2026-11-21"]) == 0
    rows = records(workbook(out.read_bytes()))
    assert [r["rank"].value for r in rows] == [1, 2, 3]
    assert all(r["postal_code"].data_type == "s" for r in rows)
    capsys.readouterr()
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["score", "demo", "--format", "xlsx"]) == 2
    assert "--out FILE.xlsx" in capsys.readouterr().err
