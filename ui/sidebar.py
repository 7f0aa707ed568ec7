"""The sidebar on every page: which directory, and how much each criterion matters."""

from __future__ import annotations

import streamlit as st

from scoring import default_checklist
from ui import state
from ui.text import say


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


def directory_source() -> None:
    st.subheader("Directory")
    config = state.settings()
    limit = config.max_upload_mb if config else 20
    file = st.file_uploader(
        f"Use your own directory (CSV or JSON, up to {limit} MB)",
        type=["csv", "json", "tsv", "txt"],
        key="w.upload",
        help="Build one with `clinic-compare template`; the README explains every column.",
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
        directory_source()
        st.caption("Not medical advice: use this to prepare questions for your own doctor.")
