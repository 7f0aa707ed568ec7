"""The Shortlist page through AppTest: what each clinic's card shows, the downloads, and keeping
the shortlist in a saved file that is opened again (applied once, never stored on the server)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from scoring import default_checklist, saved_shortlist_bytes
from tests.conftest import TODAY, csv_of, full_clinic

APP = str(Path(__file__).resolve().parents[2] / "app.py")
HOSTILE = "[Click me](https://evil.example) **bold** <b>x</b>"


@pytest.fixture
def clinics(monkeypatch, tmp_path, checklist):
    """A clinic with every fact and fresh evidence, one with nothing (so no evidence dates), a
    closed one and one whose texts are hostile Markdown."""
    path = tmp_path / "clinics.csv"
    path.write_bytes(
        csv_of(
            [
                full_clinic(
                    id="full",
                    name="Full Facts",
                    city="Boston",
                    phone="+1 (617) 555-0100",
                    website="https://full.example.org/care",
                    **{c.verified_column: dt.date.today().isoformat() for c in checklist.criteria},
                ),
                {"id": "bare", "name": "Bare Clinic"},
                {"id": "shut", "name": "Shut Clinic", "status": "closed"},
                {"id": "evil", "name": HOSTILE, "city": HOSTILE, "phone": "[call](javascript:x)"},
            ]
        )
    )
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", str(path))
    monkeypatch.delenv("CLINIC_COMPARE_GEOCODER", raising=False)


def shortlist_page(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    at.run()
    at.switch_page("ui/shortlist.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def text_of(at: AppTest) -> str:
    parts = [*markdown(at), *(e.value for e in [*at.warning, *at.info, *at.caption, *at.error,
                                                *at.success, *at.subheader])]  # fmt: skip
    return " ".join(str(p) for p in parts)


def unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


def link_targets(at: AppTest) -> list[str]:
    """Every Markdown link target the page shows (an escaped bracket starts no link)."""
    return [m for text in markdown(at) for m in re.findall(r"(?<!\\)\]\(([^)]*)\)", text)]


def test_each_card_has_what_a_patient_takes_to_the_clinic(clinics):
    checklist = default_checklist()
    at = shortlist_page(list="full,bare,shut")
    text = unescaped(text_of(at))
    total = len(checklist.items)
    assert f"{total} of {total} checklist answers known" in text
    assert f"0 of {total} checklist answers known" in text  # the bare clinic
    assert "% of items known" not in text
    assert "Price per session 450 USD" in text and "Price per session not listed" in text
    assert "first-year cost (estimate)" in text
    assert "Listed as closed." in text
    assert sum("facts may be out of date" in w.value for w in at.warning) == 2
    assert set(link_targets(at)) == {"tel:+16175550100", "https://full.example.org/care"}
    assert "Phone: not listed" in text and "Website: not listed" in text
    asked = [e for e in at.expander if e.label.startswith("Questions to ask")]
    assert len(asked) >= 2  # the bare and the closed clinic at least
    for box in asked:
        count = int(re.fullmatch(r"Questions to ask this clinic \((\d+)\)", box.label)[1])
        assert len(re.findall(r"^\d+\. ", box.markdown[0].value, re.M)) == count
    assert [t.label for t in at.text_area] == [
        "My notes on Full Facts", "My notes on Bare Clinic", "My notes on Shut Clinic"
    ]  # fmt: skip
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download spreadsheet (.xlsx)", "Download printable page",
                      "Save my shortlist"]  # fmt: skip
    captions = unescaped(" ".join(c.value for c in at.caption))
    assert "Scores as of" in captions and "Every part of the checklist counted the same" in captions
    assert "not medical advice" in captions
    assert "does not store your shortlist or notes" in captions


def test_hostile_clinic_text_on_a_card_stays_plain(clinics):
    at = shortlist_page(list="evil")
    assert "Click me" in unescaped(text_of(at))
    assert link_targets(at) == []  # neither the name's link nor the phone's javascript: link
    assert not [t for t in markdown(at) if re.search(r"(?<!\\)\*\*", t)]
    label = at.text_area[0].label
    assert "Click me" in label and not re.search(r"(?<!\\)\[", label)


def saved_file(ids, notes=None, names=None) -> bytes:
    return saved_shortlist_bytes(ids, notes or {}, names or {}, "a test directory", TODAY)


def test_a_saved_shortlist_is_opened_once_then_edited_freely(clinics):
    at = shortlist_page()
    assert "Your shortlist is empty" in at.info[0].value
    assert not at.get("download_button")  # nothing to save yet, but a file can be opened
    data = saved_file(["bare", "full", "gone"], {"full": "Call on Monday", "gone": "x"},
                      {"gone": HOSTILE})  # fmt: skip
    at.file_uploader(key="w.open_saved").set_value(("mine.json", data, "application/json"))
    at.run()
    assert not at.exception
    assert at.session_state["choices"].shortlist == ("bare", "full")
    assert "Opened your shortlist saved on 2026-11-21: 2 clinics" in unescaped(at.success[0].value)
    missing = [w.value for w in at.warning if "not in this directory" in w.value]
    assert len(missing) == 1 and "Click me" in unescaped(missing[0])
    assert not re.search(r"(?<!\\)\[", missing[0])  # the saved name is shown as plain text
    assert at.text_area(key="w.note.full").value == "Call on Monday"
    assert at.text_area(key="w.note.bare").value == ""
    # The file stays in the box; edits and removals are not undone on the next run.
    at.text_area(key="w.note.full").set_value("Called: call back Friday").run()
    at.button(key="w.remove.bare").click().run()
    assert at.session_state["choices"].shortlist == ("full",)
    assert at.text_area(key="w.note.full").value == "Called: call back Friday"
    assert at.session_state["choices"].notes["full"] == "Called: call back Friday"
    assert not at.success  # the message was shown once


def test_opening_a_file_replaces_the_shortlist_and_its_notes(clinics):
    at = shortlist_page(list="shut,full")
    at.text_area(key="w.note.full").set_value("old note").run()
    data = saved_file(["full"], {"full": "new note"})
    at.file_uploader(key="w.open_saved").set_value(("mine.json", data, "application/json")).run()
    assert at.session_state["choices"].shortlist == ("full",)
    assert at.text_area(key="w.note.full").value == "new note"
    assert "list=full" in at.code[0].value  # the share link follows
    assert "new note" not in at.code[0].value


@pytest.mark.parametrize(
    "data, words",
    [
        (b"not a shortlist", "not a JSON file"),
        (b'{"format": "ketamine-clinic-compare shortlist", "version": 9}', "newer version"),
        (b"\xff" * 10, "not a text file"),
    ],
)
def test_a_bad_saved_file_is_a_plain_message_and_changes_nothing(clinics, data, words):
    at = shortlist_page(list="full")
    at.file_uploader(key="w.open_saved").set_value(("bad.json", data, "application/json")).run()
    assert not at.exception
    assert words in at.error[0].value and "cannot be opened" in at.error[0].value
    assert at.session_state["choices"].shortlist == ("full",)
    at.run()  # still said while the file stays in the box
    assert words in at.error[0].value


@pytest.mark.parametrize(
    "name, shown",
    [
        ("Columbine Ridge Infusions (demo)", "Columbine Ridge Infusions (demo)"),
        ("St. Mary's Pain & Spine - Unit 2/3", "St. Mary's Pain & Spine - Unit 2/3"),
        ("Visit www.evil.example", None),
        ("[x](https://evil.example)", None),
        ("_under_ *star* `code` :skull: $x$", None),
        ("1. listed", "1. listed"),  # in the middle of a label, not the start of a list
    ],
)
def test_a_plain_clinic_name_is_labelled_without_backslashes(name, shown):
    """The label is also the notes box's accessible name, read out as written."""
    from ui.shortlist import label_name
    from ui.text import plain

    assert label_name(name) == (shown if shown is not None else plain(name))
