import pandas as pd
import pytest

from providers.curation import find_duplicates, merge_changes, text_cells
from providers.directory import parse_directory
from providers.directory.schema import default_schema
from tests.conftest import csv_of

EXISTING = [
    {
        "id": "e1",
        "name": "Desert Relief Infusions LLC",
        "postal_code": "85251",
        "npi": "1234567893",
        "phone": "(480) 555-0100",
    },
    {
        "id": "e2",
        "name": "Sonoran Ketamine Clinic",
        "postal_code": "85004",
        "phone": "602-555-0111",
    },
    {"id": "e3", "name": "Harbour Pain Care", "postal_code": "M5V 2T6", "country": "CA"},
]
INCOMING = [
    {"id": "i1", "name": "Totally Different Name", "npi": "1234567893"},  # same NPI
    {"id": "i2", "name": "The Sonoran Ketamine Clinic, Inc.", "postal_code": "85004"},  # name+ZIP
    {"id": "i3", "name": "Sonoran Ketamine", "phone": "+1 602 555 0111"},  # name + phone
    {"id": "i4", "name": "Harbour Pain Care", "postal_code": "85251"},  # same name, other place
    {"id": "i5", "name": "Desert Bloom Wellness", "postal_code": "85251"},  # same ZIP, other name
]


def table(rows):
    return parse_directory(csv_of(rows), "x.csv").table


def test_duplicates_by_npi_or_similar_name_with_shared_zip_or_phone():
    matches = find_duplicates(table(EXISTING), table(INCOMING))
    pairs = {(m.existing_id, m.incoming_id): m.reason for m in matches}
    assert set(pairs) == {("e1", "i1"), ("e2", "i2"), ("e2", "i3")}
    assert pairs[("e1", "i1")] == "same NPI 1234567893"
    assert "same postal code 85004" in pairs[("e2", "i2")]
    assert "same phone 6025550111" in pairs[("e2", "i3")]
    assert matches[0].reason.startswith("same NPI")  # strongest evidence first


def test_merge_keeps_the_most_recently_verified_evidence_and_fills_blanks():
    old = {
        "id": "k",
        "name": "Kept",
        "phone": "",
        "website": "https://old.example.org",
        "monitoring.vital_signs": "no",
        "monitoring.source": "https://old.example.org/m",
        "monitoring.verified_on": "2024-01-01",
        "pricing.payment_options": "yes",
        "pricing.source": "https://old.example.org/p",
        "pricing.verified_on": "2026-06-01",
    }
    new = {
        "id": "o",
        "name": "Other",
        "phone": "(480) 555-0199",
        "website": "https://new.example.org",
        "monitoring.vital_signs": "yes",
        "monitoring.source": "https://new.example.org/m",
        "monitoring.verified_on": "2026-10-01",
        "pricing.payment_options": "no",
        "pricing.source": "https://new.example.org/p",
        "pricing.verified_on": "2025-01-01",
    }
    both = text_cells(table([old, new]), default_schema())
    changes = merge_changes(both.iloc[0], both.iloc[1])
    assert changes["monitoring.vital_signs"] == "yes"  # newer monitoring evidence wins
    assert changes["monitoring.verified_on"] == "2026-10-01"
    assert changes["monitoring.source"] == "https://new.example.org/m"
    assert "pricing.payment_options" not in changes  # kept's pricing evidence is newer
    assert changes["phone"] == "(480) 555-0199"  # blank filled
    assert "website" not in changes and "name" not in changes and "id" not in changes


def test_a_merge_in_the_workspace_is_logged(new_store):
    with new_store() as ws:
        ws.create_list("L", "ana")
        ws.import_table("L", table(EXISTING), "ana", "t")
        incoming = text_cells(table(INCOMING), ws.schema).set_index("id", drop=False)
        assert ws.merge_into("L", "e2", incoming.loc["i3"], "ana", "import of list.csv") == 1
        incoming.loc["i2", "expertise.verified_on"] = "2026-10-01"
        incoming.loc["i2", "expertise.physician_led"] = "yes"
        assert ws.merge_into("L", "e2", incoming.loc["i2"], "ana", "import of list.csv") == 2
        log = ws.history("L", "e2")
        assert set(log[log["version"] == 2]["source"]) == {"merge: import of list.csv"}
        result = ws.load("L")[0].table.set_index("id")
        assert str(result.loc["e2", "expertise.physician_led"]) == "yes"


@pytest.mark.parametrize("rows", [[], [{"id": "x", "name": "Only"}]])
def test_nothing_to_match(rows):
    empty = pd.DataFrame(
        {c: pd.Series(dtype="str") for c in ("id", "npi", "postal_code", "phone", "name")}
    )
    assert find_duplicates(table(EXISTING), empty if not rows else table(rows)) == []
