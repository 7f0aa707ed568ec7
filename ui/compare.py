"""Compare 2-4 clinics side by side, item by item, differences marked."""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import pandas as pd
import streamlit as st

from scoring import cost_summary, default_checklist, explain, number_text, rounded
from ui import state
from ui.text import plain


def comparison_table(clinics: list[pd.Series], weights: dict) -> pd.DataFrame:
    """One row per checklist item (and per criterion score), one column per clinic."""
    explained = [explain(c, weights) for c in clinics]
    names = [f"{e.name} ({e.clinic_id})" for e in explained]
    costs = [cost_summary(c) for c in clinics]

    def row(label: str, values: list[str]) -> dict[str, str]:
        return {"item": label, **dict(zip(names, values, strict=True))}

    rows = [
        row("Status", [str(c.get("status", "unknown")) for c in clinics]),
        row("First-year cost (estimate)", [k.text for k in costs]),
        *(row(f"  {label}", [k.facts[j][1] for k in costs])
          for j, (label, _) in enumerate(costs[0].facts)),
    ]  # fmt: skip
    for i, criterion in enumerate(default_checklist().criteria):
        scores = [number_text(e.criteria[i].score) for e in explained]
        rows.append(row(f"{criterion.label} (score)", scores))
        for j, item in enumerate(criterion.items):
            answers = [e.criteria[i].state_label(e.criteria[i].items[j].state) for e in explained]
            rows.append(row(f"  {item.label}", answers))
    table = pd.DataFrame(rows)
    values = table[names]
    table.insert(1, "differs", values.nunique(axis=1).gt(1).map({True: "differs", False: ""}))
    return table


def render() -> None:
    d = state.page("Compare clinics")
    if d is None:
        return
    c = state.choices()
    table = d.table
    names = dict(zip(table["id"], table["name"], strict=True))
    default = [i for i in (c.compare or c.shortlist[:4]) if i in names]
    picked = st.multiselect(
        "Choose 2 to 4 clinics",
        state.patients_clinics_first(names, c.shortlist, state.last_results()),
        format_func=names.__getitem__,
        max_selections=4,
        key=state.seed("w.compare", default),
    )
    state.update(compare=tuple(picked))
    if len(picked) < 2:
        st.info("Pick at least two clinics (your shortlist is offered first, then your results).")
        return
    rows = [table[table["id"] == i].iloc[0] for i in picked]
    compared = comparison_table(rows, dict(c.weights))
    styled = compared.style.apply(
        lambda r: ["background-color: #fff3cd" if r["differs"] else "" for _ in r], axis=1
    )
    st.caption(
        "Rows where the clinics' answers differ are marked *differs* and highlighted. Costs are "
        "in each clinic's own currency, never converted; the first-year cost is an estimate "
        "(see Method)."
    )
    st.dataframe(styled, hide_index=True, width="stretch", height=min(40 + 35 * len(compared), 900))
    # Compared clinics are shown whatever the must-haves; the patient is told which lack one.
    ranked = d.ranked(replace(c, must_haves=()), columns=["id"]).set_index("id").loc[picked]
    if c.must_haves:
        meeting = set(d.ranked(c, columns=["id"])["id"])
        lacking = [names[i] for i in picked if i not in meeting]
        if lacking:
            st.info(
                f"{len(lacking)} of these clinics do not answer yes to every must-have item you "
                f"chose: {plain(', '.join(lacking))}."
            )
    score_chart(ranked, picked, names)


def score_chart(ranked: pd.DataFrame, picked: list[str], names: dict[str, str]) -> None:
    """The criterion scores as bars, with a text alternative: every number in the chart's
    accessible name, and a caption pointing to the table rows that hold the same numbers."""
    checklist = default_checklist()
    labels = {c.key: c.label for c in checklist.criteria}
    long = (
        ranked[list(checklist.keys)]
        .reset_index()
        .melt(id_vars="id", var_name="criterion", value_name="score")
    )
    long["clinic"] = long["id"].map(names)
    long["criterion"] = long["criterion"].map(labels)
    long["score"] = rounded(long["score"], "score")
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("criterion:N", sort=list(labels.values()), title=None),
            yOffset="clinic:N",
            x=alt.X("score:Q", scale=alt.Scale(domain=[0, 100]), title="score (0-100)"),
            color=alt.Color("clinic:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=["clinic:N", "criterion:N", alt.Tooltip("score:Q", format=".0f")],
        )
        .properties(height=360)
    )
    st.altair_chart(chart, width="stretch", alt=scores_in_words(long, [names[i] for i in picked]))
    st.caption(
        "The chart shows each clinic's score out of 100. The same numbers are in the table "
        "above, in the rows marked (score)."
    )


def scores_in_words(long: pd.DataFrame, clinics: list[str]) -> str:
    """The chart as a sentence per criterion, for screen readers: "Safety: A 80, B 60."."""
    parts = [f"Bar chart of criterion scores out of 100 for {', '.join(clinics)}."]
    for criterion, rows in long.groupby("criterion", sort=False):
        scores = ", ".join(
            f"{c} {number_text(v)}" for c, v in zip(rows["clinic"], rows["score"], strict=True)
        )
        parts.append(f"{criterion}: {scores}.")
    return " ".join(parts)


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
