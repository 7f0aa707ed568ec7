"""Find clinics: place, radius, filters, must-haves; results as a table and a map."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from providers.directory import ROUTES
from providers.geo import (
    KM_PER_MILE,
    MapBox,
    Place,
    borders_in_view,
    map_box,
    nearby,
    region_names,
    resolve_place,
    with_region,
)
from scoring import (
    UNKNOWN,
    DistanceUnit,
    Filters,
    closed_note,
    cost_texts,
    default_checklist,
    distance_text,
    explain_empty,
    money_text,
    number_text,
    rerank,
    rounded,
    with_cost,
)
from ui import sidebar, state
from ui.share import MAX_PRICE, RADII
from ui.text import fill, say

PICK_OPTIONS = 100  # the shortlist box offers the top results, not every clinic in the file
FIND_WEIGHTS = "w.find"  # the weights' widget keys on this page (ui/sidebar.weights)
PAGE_ROWS = 25  # results sent to the browser at first; "Show more" adds as many again
# The directory columns this page reads (display, filters, distances); scores come on top.
NEEDED_COLUMNS = list(dict.fromkeys([
    "id", "name", "city", "region", "price_per_session", "currency", "website", "latitude",
    "longitude", "location_precision", *Filters.COLUMNS,
]))  # fmt: skip
# Phone first: what fits a 390 px screen without scrolling sideways, in reading order.
COMPACT_COLUMNS = ["name", "overall", "distance", "price", "evidence", "first_year"]
# "Show every detail" adds these (and a column per criterion).
DETAIL_COLUMNS = [
    "rank", "city", "region", "reach", "completeness", "routes", "telehealth", "website",
    "location_precision",
]  # fmt: skip


def column_config(unit: str) -> dict:
    """Headers and formats; narrow columns first so a phone shows the five that matter."""
    checklist = default_checklist()
    cc = st.column_config
    months = round(checklist.stale_after_days / 30.4)
    config = {
        "name": cc.TextColumn("Clinic", width=122, pinned=True),
        "overall": cc.NumberColumn(
            "Score", format="%d", width=50, help="Overall score out of 100 for your weights"
        ),
        "distance": cc.NumberColumn(
            unit, format="%.1f", width=52, help=f"Distance in {UNIT_WORDS[unit]}"
        ),
        "price": cc.TextColumn("Price", width=70, help="Price of one session, as listed"),
        "first_year": cc.TextColumn(
            "First year (estimate)",
            width=150,
            help="Consultation, a first series and boosters for the rest of the year, in the "
            "clinic's own currency. A range when some prices are not listed (see Method).",
        ),
        "evidence": cc.TextColumn(
            "Evidence",
            width=64,
            help=f"'old' when some of the clinic's evidence is more than {months} months old",
        ),
        "completeness": cc.ProgressColumn(
            "Answers known",
            min_value=0,
            max_value=100,
            format="%d%%",
            help="How much of the checklist the clinic has answered",
        ),
        "rank": cc.NumberColumn("Rank", format="%d", help="Clinics with equal scores share a rank"),
        "reach": cc.TextColumn("How"),
        "city": cc.TextColumn("City"),
        "region": cc.TextColumn("State or province"),
        "routes": cc.TextColumn("Routes", help="How the ketamine is given"),
        "telehealth": cc.TextColumn("Telehealth"),
        "website": cc.LinkColumn("Website", display_text="open"),
        "location_precision": cc.TextColumn("Location is"),
    }
    for c in checklist.criteria:
        config[c.key] = cc.NumberColumn(c.label, format="%d", help=c.summary)
    return config


UNIT_WORDS = {"mi": "miles", "km": "kilometres"}


def for_display(frame: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The rows shown (a page of them), in words and numbers a patient reads: scores and
    distances rounded by the one rule, prices and the first-year estimate with their currency,
    "not listed" for what the clinic does not say."""
    scores = ["overall", "completeness", *default_checklist().keys]
    out = frame.assign(**{c: rounded(frame[c], "score") for c in scores if c in frame.columns})
    if "distance_km" in out.columns:
        far = out["distance_km"] if unit == "km" else out["distance_mi"]
        out["distance"] = rounded(far, "distance")
    rows = zip(out["price_per_session"], out["currency"], strict=True)
    out["price"] = pd.Series([money_text(v, c) for v, c in rows], index=out.index, dtype="str")
    out["first_year"] = cost_texts(with_cost(out))
    out["evidence"] = np.where(out["stale"], "old", "")
    if "location_precision" in out.columns:
        precision = out["location_precision"].astype("str")
        out["location_precision"] = precision.map(PRECISION_WORDS).fillna(UNKNOWN)
    return out


# How a clinic's place was found, in words (the CSV keeps the codes).
PRECISION_WORDS = {
    "exact": "exact address",
    "coordinates": "exact address",
    "postal_code": "ZIP or postal code area",
    "city": "city centre",
    "region": "state or province",
    "none": UNKNOWN,
}


def _radius_label(miles: int) -> str:
    return "any distance" if miles == 0 else f"{miles} miles ({miles * KM_PER_MILE:.0f} km)"


def place_controls() -> tuple[Place | None, float | None]:
    """The patient's place (resolved offline unless they opt in) and the radius in km."""
    c = state.choices()
    left, middle, right = st.columns([3, 2, 2])
    query = left.text_input(
        "Where are you? ZIP code, city (e.g. Toronto, ON) or coordinates",
        key=state.seed("w.place", c.place),
        placeholder="e.g. 85251 or Scottsdale, AZ",
    )
    radius = middle.selectbox(
        "Within", RADII, format_func=_radius_label, key=state.seed("w.radius", c.radius_mi)
    )
    sort = right.radio(
        "Sort by", ("score", "distance"), horizontal=True, key=state.seed("w.sort", c.sort)
    )
    share = st.checkbox(
        "Put my place in the share link", key=state.seed("w.share_place", c.share_place)
    )
    state.update(place=query.strip(), radius_mi=int(radius), sort=sort, share_place=share)
    if not query.strip():
        state.remember_place(None)
        return None, None
    config = state.settings()
    geocoder = state.online_geocoder(config) if config else None
    opted_in = False
    if geocoder is not None:
        opted_in = st.checkbox(
            "Look my place up online if it is not found offline (sends what you typed to the "
            "geocoding service; nothing is stored)",
            key="w.online",
        )
    found = resolve_place(query, state.gazetteer(), geocoder, opted_in)
    if found.notice:
        say("info", "{}", found.notice)
    place = found.place
    if found.ambiguous:
        labels = [p.label for p in found.candidates]
        pick = st.selectbox(fill("Which {}?", query.strip()), labels, key="w.place_pick")
        place = found.candidates[labels.index(pick)]
    elif place is None:
        say("error", "{}", found.message)
        state.remember_place(None)
        return None, None
    place = with_region(place, state.gazetteer())
    state.remember_place(place)
    note = {"postal_code": "ZIP centre", "city": "city centre", "exact": "exact point"}
    say(
        "caption",
        "Distances from {} ({}).",
        place.label,
        note.get(place.precision, place.precision),
    )
    return place, None if radius == 0 else radius * KM_PER_MILE


def filter_controls() -> Filters:
    c = state.choices()
    checklist = default_checklist()
    # Open when the session began with filters (e.g. from a share link), then kept as it was:
    # an `expanded` that flips when a filter is picked rebuilds the expander and its widgets
    # under the patient's click, and the pick can be lost.
    opened = st.session_state.setdefault("find.filters_open", bool(c.routes or c.must_haves))
    with st.expander("Filters and must-haves", expanded=opened):
        a, b = st.columns(2)
        routes = a.multiselect(
            "Treatment route", ROUTES, key=state.seed("w.routes", list(c.routes))
        )
        price = sidebar.money_limit(
            b, "Maximum price per session", "w.max_price", c.max_price, MAX_PRICE, 50
        )
        tele = a.checkbox("Telehealth or at-home only", key=state.seed("w.tele", c.telehealth_only))
        insurance = b.checkbox("Bills insurance", key=state.seed("w.ins", c.accepts_insurance))
        items = {i.column: f"{checklist.criterion(i.criterion).label}: {i.label}"
                 for i in checklist.tristate_items}  # fmt: skip
        max_cost, show_closed = sidebar.cost_and_status_filters(a)
        must = st.multiselect(
            "Must-have checklist items (clinics must answer yes)",
            list(items),
            format_func=items.__getitem__,
            key=state.seed("w.must", list(c.must_haves)),
        )
    state.update(
        routes=tuple(routes),
        max_price=price,
        telehealth_only=tele,
        accepts_insurance=insurance,
        must_haves=tuple(must),
    )
    return Filters(tuple(routes), tele, insurance, price, max_cost, show_closed)


def results_map(shown: pd.DataFrame, place: Place | None, unit: DistanceUnit) -> None:
    """The shown clinics (and "You") over offline state and province borders, with a text
    alternative; a street map only when the patient opts in, as it loads a third party's tiles.

    The Vega-Lite spec is written directly: building it through Altair validated the whole
    chart against its schema on every rerun, which cost more than drawing it.
    """
    points = shown.dropna(subset=["latitude", "longitude"])
    if points.empty:
        return
    data = map_points(points, place, unit)
    fitted = map_box(data["latitude"], data["longitude"])
    assert fitted is not None  # the points have coordinates
    # Room above the points for the label a tap shows.
    box = fitted._replace(north=fitted.north + LABEL_ROOM * (fitted.north - fitted.south))
    described = map_description(shown, points, place, unit)
    # `alt` becomes the chart's description, its accessible name (Streamlit warns when the
    # spec sets one as well).
    st.vega_lite_chart(data, map_spec(box, place is not None), width="stretch", alt=described)
    say("caption", "{} The table above lists the same clinics.", described)
    st.caption(
        "The street map loads map pictures from CARTO (made from OpenStreetMap data), a "
        "company outside this app. CARTO will see the area you look at, which may show "
        "where you are. The map above works without it."
    )
    if st.checkbox("Show a street map", key="w.street_map"):
        street = data[["latitude", "longitude"]].assign(
            color=np.where(data["kind"] == "You", "#c62828", "#1f5fa8")
        )
        st.map(street, latitude="latitude", longitude="longitude", color="color", size=300)


def map_points(points: pd.DataFrame, place: Place | None, unit: DistanceUnit) -> pd.DataFrame:
    """One row per point with its texts: name, score by the one rounding rule ("unknown" when
    missing), the distance in the patient's unit, and both in one line (`about`) for the
    label a tap shows and for screen readers."""
    score = points["overall"].map(number_text).astype("str")
    data = pd.DataFrame(
        {
            "name": points["name"].astype("str"),
            "kind": "Clinic",
            "score": score,
            "about": "Score " + score,
            "latitude": points["latitude"].astype("float64"),
            "longitude": points["longitude"].astype("float64"),
        }
    )
    if place is not None and "distance" in points.columns:
        data["distance"] = points["distance"].map(lambda v: distance_text(v, unit)).astype("str")
        data["about"] += ", " + data["distance"] + " away"
        you = {"name": place.label, "kind": "You", "score": "", "distance": "",
               "about": "Your place", "latitude": place.latitude,
               "longitude": place.longitude}  # fmt: skip
        # First, so it is drawn under a clinic at the same place (a ZIP centre).
        data = pd.concat([pd.DataFrame([you]), data], ignore_index=True)
    return data.reset_index(drop=True)


def map_description(
    shown: pd.DataFrame, points: pd.DataFrame, place: Place | None, unit: DistanceUnit
) -> str:
    """The map in words (screen readers get it as the chart's label; everyone as a caption):
    how many clinics, in which states or provinces, and the nearest one."""
    clinics = "clinic" if len(shown) == 1 else "clinics"
    text = f"Map of the {len(shown)} {clinics} shown"
    if len(points) < len(shown):
        missing = len(shown) - len(points)
        text = (
            f"Map of {len(points)} of the {len(shown)} clinics shown ({missing} with no location)"
        )
    regions = points["region"].map(region_names()) if "region" in points else pd.Series(dtype="str")
    names = list(regions.value_counts().index)
    if len(names) > 3:
        names = [*names[:3], f"{len(names) - 3} other states or provinces"]
    if names:
        text += ", in " + (
            names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        )
    if place is not None and "distance" in points.columns and points["distance"].notna().any():
        nearest = points.loc[points["distance"].idxmin()]
        text += f". Nearest: {nearest['name']}, {distance_text(nearest['distance'], unit)}"
    return text + "."


def map_spec(box: MapBox, located: bool) -> dict:
    """Layers: the borders near the points (light fill, thin outline), the clinics and "You"
    (another colour and shape), and the label of the point last tapped or clicked (a phone has
    no hover, so tooltips alone would never show there). The view fits the points' box."""
    tooltip = [
        {"field": "name", "type": "nominal", "title": "Clinic"},
        {"field": "score", "type": "nominal", "title": "Score"},
        *([{"field": "distance", "type": "nominal", "title": "Distance"}] if located else []),
    ]
    legend = {"title": None, "orient": "bottom", "symbolSize": 140} if located else None
    points = {
        "params": [{"name": "picked", "select": {"type": "point", "on": "click", "toggle": False}}],
        "mark": {"type": "point", "filled": True, "opacity": 0.9, "stroke": "white",
                 "strokeWidth": 1, "cursor": "pointer"},
        "encoding": {
            **POSITION,
            "color": {"field": "kind", "type": "nominal", "legend": legend,
                      "scale": {"domain": ["Clinic", "You"], "range": ["#1f5fa8", "#c62828"]}},
            "shape": {"field": "kind", "type": "nominal", "legend": legend,
                      "scale": {"domain": ["Clinic", "You"], "range": ["circle", "diamond"]}},
            "size": {"condition": {"test": "datum.kind === 'You'", "value": 260}, "value": 180},
            "tooltip": tooltip,
            "description": {"field": "spoken"},
        },
        "transform": [{"calculate": "datum.name + ': ' + datum.about", "as": "spoken"}],
    }  # fmt: skip
    return {
        **MAP_SPEC,
        "projection": {"type": "mercator", "fit": box.corners()},
        "layer": [
            {**BORDER_LAYER, "data": {"values": borders_in_view(box)}},
            points,
            *PICKED_LAYERS,
        ],
    }


LABEL_ROOM = 0.3  # share of the points' height kept free above them for the tapped label
MAP_SPEC: dict[str, Any] = {"height": 320, "config": {"view": {"stroke": None}}}
POSITION = {
    "longitude": {"field": "longitude", "type": "quantitative"},
    "latitude": {"field": "latitude", "type": "quantitative"},
}
BORDER_LAYER = {
    "mark": {"type": "geoshape", "fill": "#eef0f3", "stroke": "#7c828c", "strokeWidth": 0.7,
             "clip": True, "tooltip": None, "aria": False},
}  # fmt: skip
# The picked point's name and facts in the top left corner, on a white halo for contrast.
_PICKED = {
    "transform": [
        {"filter": {"param": "picked", "empty": False}},
        {"calculate": "[datum.name, datum.about]", "as": "label"},
    ],
    "encoding": {
        "x": {"value": 6},
        "y": {"value": 6},
        "text": {"field": "label"},
    },
}
PICKED_LAYERS = [
    {**_PICKED, "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 14,
                         "lineHeight": 18, "limit": 340, "aria": False, "stroke": "white",
                         "strokeWidth": 4, "strokeJoin": "round"}},
    {**_PICKED, "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 14,
                         "lineHeight": 18, "limit": 340, "aria": False, "fill": "#1a1a1a"}},
]  # fmt: skip


def shortlist_picker(shown: pd.DataFrame, names: dict[str, str]) -> None:
    """Add clinics from the top results (a box of 10,000 names helps nobody and costs every
    rerun); clinics already on the shortlist stay offered wherever they rank."""
    c = state.choices()
    top = shown["id"].head(PICK_OPTIONS).tolist()
    options = list(dict.fromkeys([*c.shortlist, *top]))
    picked = st.multiselect(
        "Your shortlist (add clinics from the results)",
        options,
        help=f"Offers the top {PICK_OPTIONS} results as they are sorted now. To reach others, "
        "narrow the results with your place or the filters, or use a clinic's own page.",
        format_func=lambda i: names.get(i, i),
        key=state.seed("w.shortlist", [i for i in c.shortlist if i in names]),
        max_selections=50,
    )
    state.update(shortlist=tuple(picked))


def _show_more() -> None:
    st.session_state["find.rows"] = st.session_state.get("find.rows", PAGE_ROWS) + PAGE_ROWS


def _tapped(key: str, ids: list[str]) -> None:
    """A tapped clinic opens its page: remembered here, the page switches in the next run
    (a callback may not switch pages)."""
    cells = st.session_state[key].selection.cells
    if cells:
        st.session_state["find.open"] = ids[cells[0][0]]


def open_tapped_clinic() -> None:
    """Go to the clinic the patient tapped in the results, if they just tapped one."""
    clinic = st.session_state.pop("find.open", None)
    if clinic is None:
        return
    state.update(selected=clinic)
    st.session_state["w.clinic"] = clinic
    # A new table key next time: the old table's selection would not fire again on a re-tap.
    st.session_state["find.table"] = st.session_state.get("find.table", 0) + 1
    st.switch_page("ui/detail.py")


def results_table(frame: pd.DataFrame, unit: str, located: bool) -> None:
    """The results, phone first: name, score, distance, price and an old-evidence flag fit a
    390 px screen; "Show every detail" adds the rest. Tapping a clinic opens its page."""
    every = st.session_state.get("w.every_detail", False)  # the toggle sits under the table
    columns = COMPACT_COLUMNS + ([*DETAIL_COLUMNS, *default_checklist().keys] if every else [])
    columns = [c for c in columns if c in frame.columns]  # distance and reach need a place
    key = f"results.{st.session_state.get('find.table', 0)}"
    st.dataframe(
        frame[["id", *columns]],
        column_order=columns,
        column_config=column_config(unit),
        hide_index=True,
        width="stretch",
        height=min(len(frame), PAGE_ROWS) * 35 + 38,
        key=key,
        on_select=lambda: _tapped(key, frame["id"].tolist()),
        selection_mode="single-cell",
        placeholder="unknown",
        alt=f"Results: {len(frame)} clinics. Tap a clinic to open its page.",
    )
    st.toggle("Show every detail", key="w.every_detail")
    located_note = " Distances from a ZIP or city centre are approximate." if located else ""
    st.caption(
        "Tap a clinic to open its page. Scores run 0-100; unknown answers earn no points."
        + located_note
    )


def render() -> None:
    open_tapped_clinic()
    d = state.page("Find ketamine clinics")
    if d is None:
        return
    place, radius_km = place_controls()
    filters = filter_controls()
    with st.expander("What matters to you", icon=":material/tune:"):
        sidebar.weights(prefix=FIND_WEIGHTS)
    c = state.choices()
    if not any(w for _, w in c.weights):
        st.error("Give at least one criterion a weight above 0 (What matters to you).")
        return
    ranked = d.ranked(c, located=place is not None, columns=NEEDED_COLUMNS)
    blockers = []
    if c.must_haves and len(ranked) == 0:
        blockers.append("must_haves")
    shown = filters.apply(ranked)
    for name, mask in filters.masks(ranked).items():
        if len(ranked) and not mask.any():
            blockers.append(name)
    if place is not None:
        near = nearby(shown, place, radius_km, c.sort)
        if near.empty and len(shown):
            blockers.append("radius")
        shown = near
    else:
        shown = shown.assign(rank=rerank(shown))
    names = d.names()
    if shown.empty:
        st.warning(explain_empty(blockers or list(filters.masks(ranked))))
        shortlist_picker(shown.assign(id=pd.Series(dtype="str")), names)
        return
    unit = sidebar.unit(place)
    limit = st.session_state.setdefault("find.rows", PAGE_ROWS)
    frame = for_display(shown.head(limit), unit)
    state.remember_results(frame["id"])
    order = "best overall score first" if c.sort == "score" or place is None else "nearest first"
    say("caption", "{} clinics from {}, {}", len(shown), d.label, order)
    if note := closed_note(filters.hidden_closed(ranked)):
        st.caption(note)
    results_table(frame, unit, place is not None)
    if len(shown) > limit:
        more = min(PAGE_ROWS, len(shown) - limit)
        st.button(
            f"Show {more} more (showing {limit} of {len(shown)})",
            on_click=_show_more, key="find.more",
        )  # fmt: skip
    shortlist_picker(shown, names)
    results_map(frame, place, unit)
    if len(d.result.problems):
        with st.expander(f"{len(d.result.problems)} problem(s) found while reading the directory"):
            st.dataframe(d.result.problems, hide_index=True, width="stretch")


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
