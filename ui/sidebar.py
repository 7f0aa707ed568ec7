"""The sidebar on every page: which directory, how much each criterion matters and the
unit distances are shown in; plus the cost and closed-clinic filters the Find page places."""

from __future__ import annotations

from types import ModuleType

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from providers.geo import Place, distance_unit
from scoring import UNIT_CHOICES, DistanceUnit, default_checklist
from ui import state
from ui.share import MAX_COST
from ui.text import say

UNIT_LABELS = {"auto": "Automatic (km in Canada)", "mi": "Miles", "km": "Kilometres"}


def _apply_preset(prefix: str) -> None:
    """Set the sliders from the chosen preset; clearing the box keeps them as they are."""
    chosen = st.session_state.get(f"{prefix}.preset")
    preset = next((p for p in default_checklist().presets if p.label == chosen), None)
    if preset is None:
        return
    for key, weight in preset.weights:
        st.session_state[f"{prefix}.weight.{key}"] = int(weight)


def weights(prefix: str = "w") -> None:
    """How much each criterion matters: in the sidebar (prefix "w"), or on the Find page
    itself (a phone hides the sidebar).

    Each place has its own widget keys, seeded from the choices: a widget keeps its value only
    where it was drawn (Streamlit ties it to the page script that drew it), so one set of keys
    shared by the sidebar and a page would fall back to 0 on the next page.
    """
    checklist = default_checklist()
    stored = dict(state.choices().weights)
    # Slider values this run (a preset callback may just have changed them), else the choices.
    current = {k: float(st.session_state.get(f"{prefix}.weight.{k}", v)) for k, v in stored.items()}
    labels = [p.label for p in checklist.presets]
    matching = [p.label for p in checklist.presets if dict(p.weights) == current]
    st.session_state[f"{prefix}.preset"] = matching[0] if matching else None
    st.selectbox(
        "Start from a preset",
        labels,
        key=f"{prefix}.preset",
        index=None,
        placeholder="Custom weights",
        on_change=_apply_preset,
        args=(prefix,),
    )
    chosen = []
    for criterion in checklist.criteria:
        key = state.seed(f"{prefix}.weight.{criterion.key}", int(current.get(criterion.key, 1)))
        value = st.slider(
            criterion.label,
            0,
            5,
            key=key,
            help=f"{criterion.summary} 0 leaves it out of the overall score.",
        )
        chosen.append((criterion.key, float(value)))
    state.update(weights=tuple(chosen))


def units() -> None:
    """Distances in kilometres for a Canadian place and miles otherwise, unless changed."""
    c = state.choices()
    chosen = st.radio(
        "Distances in",
        UNIT_CHOICES,
        format_func=UNIT_LABELS.__getitem__,
        key=state.seed("w.units", c.units),
        help="Automatic uses km if your place is in Canada, and miles if not.",
    )
    state.update(units=chosen)


def unit(place: Place | None) -> DistanceUnit:
    """The unit to show distances from `place` in (the patient's choice, or its country's)."""
    return distance_unit(place, state.choices().units)


def cost_and_status_filters(where: DeltaGenerator | None = None) -> tuple[float | None, bool]:
    """The maximum first-year cost and "show closed clinics" widgets, for the Find page's
    filters: returns (max_first_year_cost, show_closed) for `scoring.Filters`."""
    area = where if where is not None else st
    c = state.choices()
    most = money_limit(
        area,
        "Maximum first-year cost (estimate)",
        "w.max_cost",
        c.max_cost,
        MAX_COST,
        500,
        help="Keeps a clinic when the top of its first-year estimate is at most this amount. "
        "The amount is in each clinic's own currency: 8000 means 8,000 USD for a US clinic "
        "and 8,000 CAD for a Canadian one. Nothing is converted. Clinics with unknown prices "
        "have wide estimates. Clinics that list no cost at all are left out.",
    )
    show = area.checkbox(
        "Show closed clinics",
        key=state.seed("w.show_closed", c.show_closed),
        help="Clinics listed as closed are hidden unless you tick this.",
    )
    state.update(max_cost=most, show_closed=show)
    return most, show


def money_limit(
    area: DeltaGenerator | ModuleType,
    label: str,
    key: str,
    current: float | None,
    most: int,
    step: int,
    help: str | None = None,
) -> float | None:
    """A "maximum amount" box (blank: no limit), seeded from the patient's choice."""
    value = area.number_input(
        label,
        min_value=0,
        max_value=most,
        step=step,
        value=None,
        key=state.seed(key, None if current is None else int(current)),
        placeholder="no limit",
        help=help,
    )
    return None if value is None else float(value)


def directory_source() -> None:
    st.subheader("Directory")
    config = state.settings()
    limit = config.max_upload_mb if config else 20
    file = st.file_uploader(
        f"Use your own directory (CSV or JSON, up to {limit} MB)",
        type=["csv", "json", "tsv", "txt"],
        key="w.upload",
        help="Make one with the command `clinic-compare template`. The README explains each "
        "column.",
    )
    state.set_upload(None)
    if file is None:
        return
    if file.size > limit * 1024 * 1024:
        say("error", "That file is {} MB; the limit is {} MB.", f"{file.size / 1e6:.1f}", limit)
        return
    state.set_upload((file.getvalue(), file.name))


def render(with_weights: bool = True) -> None:
    """The sidebar; `with_weights=False` on a page that shows the weights itself."""
    with st.sidebar:
        if with_weights:
            st.subheader("What matters to you")
            weights()
        units()
        directory_source()
        st.caption("Not medical advice: use this to prepare questions for your own doctor.")
