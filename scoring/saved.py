"""Keeping a shortlist without the server: a small JSON file the patient saves and opens again.

The file holds the clinics (id and name), the patient's notes, the directory they came from and
the date; nothing of it is kept on the server. Weights and filters are not in it (the share link
carries those). Reading is strict because the file comes from outside: size, encoding, format,
version, counts, lengths and types are all checked, and each problem is one plain sentence.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scoring.errors import SavedShortlistError

FORMAT = "ketamine-clinic-compare shortlist"
VERSION = 1
MAX_CLINICS = 50  # the most the shortlist page keeps
MAX_NOTE = 2000  # the notes box's own limit
MAX_ID = 2000  # the longest text a directory cell may hold, so any clinic id fits
MAX_NAME = 200  # names are only a reminder of a clinic that is no longer listed
MAX_LABEL = 300
# Large enough for the largest file `saved_shortlist_bytes` can write (50 clinics whose id,
# name and note are at their limits, each character written as a six-byte escape), small
# enough to read at once.
MAX_SAVED_BYTES = 2_000_000
_KEYS = ("format", "version", "saved_on", "directory", "clinics")
_CLINIC_KEYS = ("id", "name", "note")


@dataclass(frozen=True)
class SavedClinic:
    """One clinic of a saved shortlist: its id in the directory, its name then, the note."""

    id: str
    name: str
    note: str


@dataclass(frozen=True)
class SavedShortlist:
    """A saved shortlist as read back: every field already checked."""

    saved_on: dt.date
    directory: str
    clinics: tuple[SavedClinic, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.clinics)

    @property
    def notes(self) -> dict[str, str]:
        """clinic id -> note, for the clinics that have one."""
        return {c.id: c.note for c in self.clinics if c.note}


def saved_shortlist_name(today: dt.date) -> str:
    """The file name the app offers, dated so that several saves do not overwrite each other."""
    return f"ketamine-clinic-shortlist-{today.isoformat()}.json"


def saved_shortlist_bytes(
    ids: Sequence[str],
    notes: Mapping[str, str],
    names: Mapping[str, str],
    directory_label: str,
    today: dt.date,
) -> bytes:
    """The shortlist as the small JSON file the patient keeps (UTF-8).

    At most `MAX_CLINICS` clinics; names, notes and the label are cut to the limits the reader
    checks, so every file written here can be opened again.
    """
    clinics = [
        {
            "id": str(i),
            "name": str(names.get(i, ""))[:MAX_NAME],
            "note": str(notes.get(i, ""))[:MAX_NOTE],
        }
        for i in list(dict.fromkeys(ids))[:MAX_CLINICS]
    ]
    data = {
        "format": FORMAT,
        "version": VERSION,
        "saved_on": today.isoformat(),
        "directory": directory_label[:MAX_LABEL],
        "clinics": clinics,
    }
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _refuse(message: str) -> SavedShortlistError:
    return SavedShortlistError(message)


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [k for k, _ in pairs]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise _refuse(f"the field {_short(twice[0])} appears twice in one place.")
    return dict(pairs)


def _no_constant(name: str) -> object:
    raise _refuse(f"the file holds {name}, which is not a value a saved shortlist has.")


def _short(text: object, limit: int = 40) -> str:
    shown = str(text)
    return repr(shown if len(shown) <= limit else shown[:limit] + "...")


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    if value is None:
        return "null"
    return "text"


def _text(value: object, where: str, limit: int, empty_ok: bool = True) -> str:
    if not isinstance(value, str):
        raise _refuse(f"{where} should be text, but it is {_kind(value)}.")
    if len(value) > limit:
        raise _refuse(f"{where} is longer than {limit:,} characters.")
    if not empty_ok and not value.strip():
        raise _refuse(f"{where} is empty.")
    return value


def _fields(value: object, expected: tuple[str, ...], where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise _refuse(f"{where} should be a group of fields, but it is {_kind(value)}.")
    unknown = [k for k in value if k not in expected]
    if unknown:
        raise _refuse(f"{where} has a field this app does not know: {_short(unknown[0])}.")
    missing = [k for k in expected if k not in value]
    if missing:
        raise _refuse(f"{where} lacks the field {_short(missing[0])}.")
    return value


def read_saved_shortlist(data: bytes) -> SavedShortlist:
    """A saved shortlist from the bytes of an uploaded file, or `SavedShortlistError` saying,
    in one sentence, why the file cannot be used."""
    if len(data) > MAX_SAVED_BYTES:
        raise _refuse(
            f"the file is {len(data) / 1000:,.0f} KB; a saved shortlist is at most "
            f"{MAX_SAVED_BYTES / 1000:,.0f} KB."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse("it is not a saved shortlist (it is not a text file).") from None
    try:
        raw = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise _refuse(
            f"it is not a saved shortlist (it is not a JSON file; first problem on line "
            f"{exc.lineno})."
        ) from None
    except RecursionError:
        raise _refuse("it is not a saved shortlist (it is nested too deeply).") from None
    except SavedShortlistError:  # from the hooks: a field twice, NaN
        raise
    except ValueError:  # e.g. a number too long to read
        raise _refuse("it is not a saved shortlist (it holds a value too big to read).") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise _refuse("it is not a shortlist saved by this app.")
    # The version first: a newer file may have other fields, and should say so.
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _refuse(f"its version should be a whole number, but it is {_kind(version)}.")
    if version > VERSION:
        raise _refuse(
            f"it was saved by a newer version of the app (file version {_short(version, 8)}); "
            f"this app reads version {VERSION}."
        )
    if version < 1:
        raise _refuse(f"its version ({_short(version, 8)}) is not one this app has written.")
    fields = _fields(raw, _KEYS, "the file")
    day = _text(fields["saved_on"], "the date it was saved", 10)
    try:
        saved_on = dt.date.fromisoformat(day)
    except ValueError:
        raise _refuse(
            f"the date it was saved ({_short(day)}) is not a date (YYYY-MM-DD)."
        ) from None
    directory = _text(fields["directory"], "the directory's name", MAX_LABEL)
    listed = fields["clinics"]
    if not isinstance(listed, list):
        raise _refuse(f"its clinics should be a list, but they are {_kind(listed)}.")
    if len(listed) > MAX_CLINICS:
        raise _refuse(f"it lists {len(listed)} clinics; a shortlist holds at most {MAX_CLINICS}.")
    clinics: list[SavedClinic] = []
    seen: set[str] = set()
    for number, entry in enumerate(listed, start=1):
        where = f"clinic {number}"
        one = _fields(entry, _CLINIC_KEYS, where)
        clinic_id = _text(one["id"], f"the id of {where}", MAX_ID, empty_ok=False)
        if clinic_id in seen:
            raise _refuse(f"the clinic {_short(clinic_id)} is listed twice.")
        seen.add(clinic_id)
        name = _text(one["name"], f"the name of {where}", MAX_NAME)
        note = _text(one["note"], f"the note on {where}", MAX_NOTE)
        clinics.append(SavedClinic(clinic_id, name, note))
    return SavedShortlist(saved_on, directory, tuple(clinics))
