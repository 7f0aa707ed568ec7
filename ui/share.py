"""Share links: the patient's choices <-> URL query parameters (pure functions, no Streamlit).

The place is only put in the link when the patient ticks the box that allows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from scoring import DEFAULT_RADIUS_MI, UNIT_CHOICES
from scoring.checklist import Checklist

SORTS = ("score", "distance")
RADII = (10, 25, 50, 100, 250, 0)  # miles; 0 means any distance
MAX_PRICE = 100_000  # the highest "maximum price per session" a person (or a link) can set
MAX_COST = 1_000_000  # the highest "maximum first-year cost" a person (or a link) can set


@dataclass(frozen=True)
class Choices:
    """Everything the patient chose that a link should restore."""

    weights: tuple[tuple[str, float], ...] = ()
    routes: tuple[str, ...] = ()
    telehealth_only: bool = False
    accepts_insurance: bool = False
    max_price: float | None = None
    max_cost: float | None = None  # maximum first-year cost, in each clinic's own currency
    show_closed: bool = False
    must_haves: tuple[str, ...] = ()
    shortlist: tuple[str, ...] = ()
    selected: str = ""
    compare: tuple[str, ...] = ()
    place: str = ""
    radius_mi: int = DEFAULT_RADIUS_MI
    sort: str = "score"
    units: str = "auto"  # distances in: "auto" (km in Canada, miles in the US), "mi", "km"
    share_place: bool = False
    notes: dict[str, str] = field(default_factory=dict)


def _csv(values) -> str:
    return ",".join(str(v) for v in values)


def to_params(c: Choices) -> dict[str, str]:
    """Query parameters for a share link (notes stay private: they are never put in a link)."""
    params: dict[str, str] = {}
    default = {k: 1.0 for k, _ in c.weights}
    if dict(c.weights) != default:
        params["w"] = _csv(f"{k}:{v:g}" for k, v in c.weights)
    if c.routes:
        params["routes"] = _csv(c.routes)
    if c.telehealth_only:
        params["tele"] = "1"
    if c.accepts_insurance:
        params["ins"] = "1"
    if c.max_price is not None:
        params["max"] = f"{c.max_price:g}"
    if c.max_cost is not None:
        params["maxcost"] = f"{c.max_cost:g}"
    if c.show_closed:
        params["closed"] = "1"
    if c.units != Choices.units:
        params["units"] = c.units
    if c.must_haves:
        params["must"] = _csv(c.must_haves)
    if c.shortlist:
        params["list"] = _csv(c.shortlist)
    if c.selected:
        params["clinic"] = c.selected
    if c.compare:
        params["cmp"] = _csv(c.compare)
    if c.sort != "score":
        params["sort"] = c.sort
    if c.radius_mi != Choices.radius_mi:  # not private: the reader's own place uses it too
        params["radius"] = str(c.radius_mi)
    if c.share_place and c.place:
        params["near"] = c.place
    return params


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split(",") if p.strip())


def from_params(params: Mapping[str, str], checklist: Checklist, base: Choices) -> Choices:
    """Choices from a link; anything malformed or unknown is ignored, never an error."""
    weights = dict(base.weights)
    for pair in _split(params.get("w")):
        key, _, value = pair.partition(":")
        try:
            number = float(value)
        except ValueError:
            continue
        if key in weights and 0 <= number <= 5:
            weights[key] = number
    items = {i.column for i in checklist.tristate_items}
    try:
        max_price = float(params["max"]) if "max" in params else None
    except ValueError:
        max_price = None
    try:
        max_cost = float(params["maxcost"]) if "maxcost" in params else None
    except ValueError:
        max_cost = None
    try:
        radius = int(params.get("radius", base.radius_mi))
    except ValueError:
        radius = base.radius_mi
    return replace(
        base,
        weights=tuple(weights.items()),
        routes=tuple(
            r for r in _split(params.get("routes")) if r in ("IV", "IM", "intranasal", "oral")
        ),
        telehealth_only=params.get("tele") == "1",
        accepts_insurance=params.get("ins") == "1",
        max_price=max_price if max_price is not None and 0 <= max_price <= MAX_PRICE else None,
        max_cost=max_cost if max_cost is not None and 0 <= max_cost <= MAX_COST else None,
        show_closed=params.get("closed") == "1",
        units=params["units"] if params.get("units") in UNIT_CHOICES else base.units,
        must_haves=tuple(m for m in _split(params.get("must")) if m in items),
        shortlist=_split(params.get("list"))[:50],
        selected=params.get("clinic", "")[:100],
        compare=_split(params.get("cmp"))[:4],
        sort=str(params.get("sort")) if params.get("sort") in SORTS else base.sort,
        place=params.get("near", "")[:200],
        radius_mi=radius if radius in RADII else base.radius_mi,
        share_place="near" in params,
    )
