import tomllib
from importlib import resources

import pytest

from providers.directory import build_schema, parse_directory
from scoring import ChecklistError, load_checklist, rank_clinics
from scoring.checklist import parse_checklist
from scoring.method import method_markdown
from tests.conftest import TODAY, csv_of


def test_bundled_checklist_has_its_fixed_criteria(checklist):
    assert checklist.keys == tuple(_raw_checklist()["fixed_criteria"])
    assert checklist.version
    for criterion in checklist.criteria:
        assert criterion.items, criterion.key
        for item in criterion.items:
            assert item.points > 0
            assert item.question.endswith("?"), item.column
            assert item.evidence and item.label


def test_item_columns_are_unique_and_dotted(checklist):
    columns = [item.column for item in checklist.items]
    assert len(columns) == len(set(columns))
    assert all(c.split(".")[0] in checklist.keys for c in columns)


def _raw_checklist() -> dict:
    text = resources.files("scoring").joinpath("checklist.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_adding_an_item_to_the_data_needs_no_code_change(tmp_path):
    raw = _raw_checklist()
    monitoring = next(c for c in raw["criteria"] if c["key"] == "monitoring")
    monitoring["items"].append(
        {
            "key": "naloxone_ready",
            "label": "Reversal medicine ready",
            "points": 4,
            "evidence": "Stated on the website.",
            "question": "Which reversal medicines do you keep ready?",
        }
    )
    checklist = parse_checklist(raw)
    schema = build_schema(checklist)
    assert "monitoring.naloxone_ready" in schema.names
    rows = [{"id": "a", "name": "A", "monitoring.naloxone_ready": "yes"}, {"id": "b", "name": "B"}]
    table = parse_directory(csv_of(rows), "x.csv", schema).table
    ranked = rank_clinics(table, today=TODAY, checklist=checklist).set_index("id")
    points = sum(i.points for i in checklist.criterion("monitoring").items)
    assert ranked.loc["a", "monitoring"] == pytest.approx(100 * 4 / points)
    assert ranked.loc["b", "monitoring"] == 0
    assert "Which reversal medicines do you keep ready?" in method_markdown(checklist)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda raw: raw.pop("version"), "version"),
        (lambda raw: raw["criteria"].pop(), "exactly"),
        (lambda raw: raw["criteria"][0]["items"][0].update(points=0), "positive"),
        (lambda raw: raw["criteria"][0]["items"][0].update(kind="stars"), "kind"),
        (
            lambda raw: raw["criteria"][0]["items"].append(dict(raw["criteria"][0]["items"][0])),
            "unique",
        ),
        (lambda raw: raw["criteria"][0]["items"][0].update(points="3"), "wrong type"),
    ],
)
def test_malformed_checklists_are_refused_with_a_reason(mutate, message):
    raw = _raw_checklist()
    mutate(raw)
    with pytest.raises(ChecklistError, match=message):
        parse_checklist(raw)


def test_a_checklist_file_that_is_not_toml_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("version = ")
    with pytest.raises(ChecklistError, match="not valid TOML"):
        load_checklist(path)


def test_the_npi_rule_is_data_and_its_evidence_text_names_every_counted_specialty(checklist):
    rule = checklist.npi_registry
    assert rule is not None and checklist.npi_item.column == rule.item
    evidence = checklist.npi_item.evidence.lower()
    groups = {"anesthesiology", "pain medicine", "psychiatry", "physical medicine"}
    for code, description in rule.taxonomies:
        named = [g for g in groups if g in description.lower()]
        assert named and all(g in evidence for g in named), (code, description)
    assert not any("emergency" in d.lower() for _, d in rule.taxonomies)
    method = method_markdown(checklist)
    assert all(code in method for code, _ in rule.taxonomies)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda raw: raw["npi_registry"].update(item="expertise.nope"), "not a yes/no item"),
        (lambda raw: raw["npi_registry"].update(taxonomies={}), "taxonomies"),
        (lambda raw: raw["npi_registry"].pop("item"), "item"),
        (lambda raw: raw.update(fixed_criteria=["expertise"]), "exactly"),
    ],
)
def test_a_broken_npi_rule_or_fixed_list_is_refused(mutate, message):
    raw = _raw_checklist()
    mutate(raw)
    with pytest.raises(ChecklistError, match=message):
        parse_checklist(raw)
