"""The checklist data file loaded into typed, frozen dataclasses.

`checklist.toml` is the one place the criteria and their items are defined, with the NPI
registry rule (which item it answers, which taxonomies count); every other module (directory
columns, validation, scoring, explanations, questions, the method page, the registry check)
asks this module instead of naming criteria or items itself.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from scoring.errors import ClinicCompareError

ItemKind = Literal["tristate", "rating"]
ITEM_KINDS: tuple[ItemKind, ...] = ("tristate", "rating")


class ChecklistError(ClinicCompareError):
    """The checklist data file is malformed."""


@dataclass(frozen=True)
class Item:
    criterion: str
    key: str
    label: str
    points: float
    evidence: str
    question: str
    kind: ItemKind = "tristate"
    implied_by: str | None = None
    # Why a listed fact answers the item (shown beside the answer instead of a column name).
    implied_note: str = ""

    @property
    def column(self) -> str:
        """The directory column (and the public id) of this item: `criterion.item`."""
        return f"{self.criterion}.{self.key}"


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    summary: str
    unknown_label: str
    items: tuple[Item, ...]

    @property
    def points(self) -> float:
        return sum(item.points for item in self.items)

    @property
    def source_column(self) -> str:
        return f"{self.key}.source"

    @property
    def verified_column(self) -> str:
        return f"{self.key}.verified_on"


@dataclass(frozen=True)
class ReviewsModel:
    prior_mean: float
    prior_weight: float
    few_reviews: int
    floor: float


@dataclass(frozen=True)
class Preset:
    """A named set of criterion weights (unnamed criteria weigh 1)."""

    key: str
    label: str
    weights: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class NpiRegistryRule:
    """Which yes/no item the NPI registry check answers, and which taxonomies count for it."""

    item: str
    taxonomies: tuple[tuple[str, str], ...]  # (taxonomy code, description)

    @property
    def codes(self) -> dict[str, str]:
        return dict(self.taxonomies)


@dataclass(frozen=True)
class CostModel:
    """The figures the first-year cost estimate falls back on, and the refund-policy item.

    `bounds` maps a cost fact (a directory column) to the (low, high) published figure used
    when the directory does not give it; `questions` maps a fact to what to ask about it.
    """

    refund_item: str
    series_months: float
    bounds: tuple[tuple[str, tuple[float, float]], ...]
    questions: tuple[tuple[str, str], ...]

    def bound(self, fact: str) -> tuple[float, float]:
        return dict(self.bounds)[fact]


@dataclass(frozen=True)
class Checklist:
    version: str
    stale_after_days: int
    reviews_model: ReviewsModel
    criteria: tuple[Criterion, ...]
    presets: tuple[Preset, ...] = ()
    npi_registry: NpiRegistryRule | None = None
    cost_model: CostModel | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.criteria)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for c in self.criteria for item in c.items)

    @property
    def tristate_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.kind == "tristate")

    def criterion(self, key: str) -> Criterion:
        for c in self.criteria:
            if c.key == key:
                return c
        raise KeyError(key)

    def item(self, column: str) -> Item:
        for item in self.items:
            if item.column == column:
                return item
        raise KeyError(column)

    @property
    def rating_criterion(self) -> Criterion | None:
        """The criterion whose rating item reads the directory's review columns, if any."""
        return next((c for c in self.criteria if any(i.kind == "rating" for i in c.items)), None)

    @property
    def npi_item(self) -> Item | None:
        """The item the NPI registry check answers (None: no registry check)."""
        return None if self.npi_registry is None else self.item(self.npi_registry.item)


def _require(table: dict, name: str, kind: type | tuple[type, ...], where: str):
    if name not in table:
        raise ChecklistError(f"{where}: missing '{name}'")
    value = table[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ChecklistError(f"{where}: '{name}' has the wrong type ({type(value).__name__})")
    return value


def parse_checklist(data: dict) -> Checklist:
    """Build a Checklist from parsed TOML, checking the things scoring relies on."""
    version = _require(data, "version", str, "checklist")
    stale = _require(data, "stale_after_days", int, "checklist")
    rm = _require(data, "reviews_model", dict, "checklist")
    model = ReviewsModel(
        prior_mean=float(_require(rm, "prior_mean", (int, float), "reviews_model")),
        prior_weight=float(_require(rm, "prior_weight", (int, float), "reviews_model")),
        few_reviews=int(_require(rm, "few_reviews", int, "reviews_model")),
        floor=float(_require(rm, "floor", (int, float), "reviews_model")),
    )
    if not 0 <= model.floor < 5 or model.prior_weight < 0:
        raise ChecklistError("reviews_model: floor must be in [0, 5) and prior_weight >= 0")
    criteria = []
    for raw in _require(data, "criteria", list, "checklist"):
        key = _require(raw, "key", str, "criterion")
        items = []
        for raw_item in _require(raw, "items", list, f"criterion {key}"):
            where = f"item in {key}"
            item = Item(
                criterion=key,
                key=_require(raw_item, "key", str, where),
                label=_require(raw_item, "label", str, where),
                points=float(_require(raw_item, "points", (int, float), where)),
                evidence=_require(raw_item, "evidence", str, where),
                question=_require(raw_item, "question", str, where),
                kind=raw_item.get("kind", "tristate"),
                implied_by=raw_item.get("implied_by"),
                implied_note=raw_item.get("implied_note", "Yes, from a fact the clinic lists."),
            )
            if item.kind not in ITEM_KINDS:
                raise ChecklistError(f"{item.column}: unknown kind '{item.kind}'")
            if item.points <= 0:
                raise ChecklistError(f"{item.column}: points must be positive")
            if not item.key.isidentifier():
                raise ChecklistError(f"{item.column}: key must be a plain identifier")
            items.append(item)
        if not items:
            raise ChecklistError(f"criterion {key}: has no items")
        criteria.append(
            Criterion(
                key=key,
                label=_require(raw, "label", str, f"criterion {key}"),
                summary=_require(raw, "summary", str, f"criterion {key}"),
                unknown_label=raw.get("unknown_label", "unknown"),
                items=tuple(items),
            )
        )
    keys = tuple(c.key for c in criteria)
    fixed = tuple(_require(data, "fixed_criteria", list, "checklist"))
    if keys != fixed:
        raise ChecklistError(f"criteria must be exactly {', '.join(map(str, fixed))} in order")
    columns = [item.column for c in criteria for item in c.items]
    if len(set(columns)) != len(columns):
        raise ChecklistError("item keys must be unique within a criterion")
    presets = []
    for key, raw in data.get("presets", {}).items():
        label = _require(raw, "label", str, f"preset {key}")
        weights = {k: v for k, v in raw.items() if k != "label"}
        for name, value in weights.items():
            if name not in keys or isinstance(value, bool) or not isinstance(value, int | float):
                raise ChecklistError(f"preset {key}: '{name}' is not a criterion with a number")
            if not 0 <= value <= 5:
                raise ChecklistError(f"preset {key}: weights run from 0 to 5")
        full = tuple((k, float(weights.get(k, 1))) for k in keys)
        presets.append(Preset(key, label, full))
    checklist = Checklist(version, stale, model, tuple(criteria), tuple(presets))
    return replace(
        checklist,
        npi_registry=_npi_registry(data.get("npi_registry"), checklist),
        cost_model=_cost_model(data.get("cost_model"), checklist),
    )


def _cost_model(raw: object, checklist: Checklist) -> CostModel | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ChecklistError("cost_model must be a table")
    refund = _require(raw, "refund_item", str, "cost_model")
    if refund not in {i.column for i in checklist.tristate_items}:
        raise ChecklistError(f"cost_model: '{refund}' is not a yes/no item of the checklist")
    months = float(_require(raw, "series_months", (int, float), "cost_model"))
    if not 0 <= months < 12:
        raise ChecklistError("cost_model: series_months must be from 0 to under 12")
    questions = _require(raw, "questions", dict, "cost_model")
    if not all(isinstance(v, str) and v for v in questions.values()):
        raise ChecklistError("cost_model: every question must be text")
    bounds = []
    for fact, pair in raw.items():
        if fact in ("refund_item", "series_months", "questions"):
            continue
        ok = isinstance(pair, list) and len(pair) == 2
        ok = ok and all(isinstance(v, int | float) and not isinstance(v, bool) for v in pair)
        if not ok or not 0 <= pair[0] <= pair[1]:
            raise ChecklistError(f"cost_model: '{fact}' must be [low, high] with 0 <= low <= high")
        bounds.append((fact, (float(pair[0]), float(pair[1]))))
    return CostModel(refund, months, tuple(bounds), tuple(questions.items()))


def _npi_registry(raw: object, checklist: Checklist) -> NpiRegistryRule | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ChecklistError("npi_registry must be a table")
    column = _require(raw, "item", str, "npi_registry")
    if column not in {i.column for i in checklist.tristate_items}:
        raise ChecklistError(f"npi_registry: '{column}' is not a yes/no item of the checklist")
    codes = _require(raw, "taxonomies", dict, "npi_registry")
    if not codes or not all(isinstance(v, str) and v for v in codes.values()):
        raise ChecklistError("npi_registry: taxonomies must map codes to descriptions")
    return NpiRegistryRule(column, tuple((str(k), v) for k, v in codes.items()))


def load_checklist(path: str | Path | None = None) -> Checklist:
    """Load a checklist file; the bundled one when no path is given."""
    if path is None:
        text = resources.files("scoring").joinpath("checklist.toml").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistError(f"checklist is not valid TOML: {exc}") from exc
    return parse_checklist(data)


@cache
def default_checklist() -> Checklist:
    """The bundled checklist, parsed once per process."""
    return load_checklist()
