import re
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.share import MAX_PRICE, RADII, Choices, from_params, to_params
from ui.text import plain, safe_url


def base(checklist) -> Choices:
    return Choices(weights=tuple((k, 1.0) for k in checklist.keys))


def test_choices_survive_a_link_round_trip(checklist):
    chosen = Choices(
        weights=tuple((k, 5.0 if k == "monitoring" else 1.0) for k in checklist.keys),
        routes=("IV", "oral"),
        telehealth_only=True,
        accepts_insurance=True,
        max_price=600.0,
        must_haves=("monitoring.vital_signs",),
        shortlist=("a", "b"),
        selected="b",
        compare=("a", "b"),
        place="85251",
        radius_mi=25,
        sort="distance",
        share_place=True,
        notes={"a": "private"},
    )
    back = from_params(to_params(chosen), checklist, base(checklist))
    assert back == Choices(**{**chosen.__dict__, "notes": {}})  # notes never travel


def test_the_place_stays_out_unless_shared(checklist):
    params = to_params(Choices(weights=base(checklist).weights, place="85251", share_place=False))
    assert "near" not in params
    assert to_params(base(checklist)) == {}


@given(
    radius=st.sampled_from(RADII),
    share_place=st.booleans(),
    place=st.sampled_from(["", "85251", "Toronto, ON"]),
    sort=st.sampled_from(["score", "distance"]),
)
def test_the_radius_comes_back_whether_or_not_the_place_is_shared(
    checklist, radius, share_place, place, sort
):
    """Defect 12: 25 miles came back as 50 when the place was not in the link."""
    chosen = replace(
        base(checklist), radius_mi=radius, share_place=share_place, place=place, sort=sort
    )
    back = from_params(to_params(chosen), checklist, base(checklist))
    assert back.radius_mi == radius and back.sort == sort
    assert back.place == (place if share_place else "")


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "w",
                "routes",
                "tele",
                "max",
                "must",
                "list",
                "clinic",
                "cmp",
                "sort",
                "near",
                "radius",
                "zzz",
            ]
        ),
        st.text(max_size=60),
    )
)
def test_any_link_gives_valid_choices_and_never_fails(checklist, params):
    c = from_params(params, checklist, base(checklist))
    assert [k for k, _ in c.weights] == list(checklist.keys)
    assert all(0 <= w <= 5 for _, w in c.weights)
    assert set(c.routes) <= {"IV", "IM", "intranasal", "oral"}
    assert set(c.must_haves) <= {i.column for i in checklist.tristate_items}
    assert c.radius_mi in RADII and c.sort in ("score", "distance")
    assert c.max_price is None or 0 <= c.max_price <= MAX_PRICE
    assert len(c.compare) <= 4 and len(c.shortlist) <= 50


def test_plain_makes_markdown_inert_and_urls_are_checked():
    assert (
        plain("[click](https://evil.example)") == "\\[click\\]\\(https\\:\u2060//evil\\.example\\)"
    )
    assert plain("![x](http://t/p.png) **b**").count("\\") >= 8
    assert plain("<img src=x onerror=alert(1)>").startswith("\\<img")
    assert safe_url("javascript:alert(1)") is None and safe_url("https://a.org") == "https://a.org"


def test_shortlist_export_has_scores_notes_questions_and_is_formula_safe(checklist):
    import csv
    import io

    from providers.directory import csv_bytes, read_directory
    from scoring import rank_clinics
    from tests.conftest import TODAY
    from ui.shortlist import export_frame

    ranked = rank_clinics(read_directory("demo").table, today=TODAY)
    frame = export_frame(ranked, ("demo-041", "demo-027"), {"demo-041": '=HYPERLINK("x")'})
    rows = list(csv.DictReader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == ["demo-041", "demo-027"]  # the patient's order
    assert rows[0]["my_notes"] == '\'=HYPERLINK("x")'
    assert rows[0]["questions"] and rows[0]["rubric_version"] == checklist.version
    assert {"overall", "completeness", "exported_on", "phone", *checklist.keys} <= set(rows[0])


def test_the_app_and_the_cli_write_one_shortlist_format(capsys, tmp_path):
    """The CLI's `score --near` and the app's shortlist download: the same columns, in the same
    order; the app adds only the patient's notes."""
    import csv
    import io

    from cli import main
    from providers.directory import csv_bytes, read_directory
    from providers.geo import default_gazetteer, locate_clinics, nearby, resolve_place
    from scoring import rank_clinics
    from scoring.shortlist import NOTES_COLUMN
    from ui.shortlist import export_frame

    assert main(["score", "demo", "--near", "85251", "--out", str(tmp_path / "s.csv")]) == 0
    cli_header = next(csv.reader(io.StringIO((tmp_path / "s.csv").read_text("utf-8-sig"))))
    table, _ = locate_clinics(read_directory("demo").table, default_gazetteer())
    place = resolve_place("85251", default_gazetteer()).place
    ranked = nearby(rank_clinics(table), place, None)
    frame = export_frame(ranked, ("demo-001",), {"demo-001": "call Monday"})
    app_header = next(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"))))
    assert [c for c in app_header if c != NOTES_COLUMN] == cli_header
    assert NOTES_COLUMN in app_header and NOTES_COLUMN not in cli_header


@pytest.mark.parametrize("text", ["1e400", "inf", "-inf", "nan", "-1", "100001", "1e9"])
def test_a_maximum_price_outside_the_widget_range_is_ignored(checklist, text):
    """1e400 reads as infinity, which crashed the Find page's price box."""
    assert from_params({"max": text}, checklist, base(checklist)).max_price is None


def test_a_maximum_price_inside_the_range_is_kept(checklist):
    assert from_params({"max": "600"}, checklist, base(checklist)).max_price == 600


# The patterns GitHub-flavoured Markdown links in text after escapes are resolved
# (mdast-util-gfm-autolink-literal): bare web addresses and e-mail addresses.
GFM_AUTOLINKS = re.compile(r"(https?://|www(?=\.))[-.\w]+|[-.\w+]+@[-\w]+(\.[-\w]+)+", re.I)


@given(st.text(max_size=30), st.sampled_from(["https://evil.example", "WWW.evil.example",
                                              "bob@evil.example", "mailto:a@b.co"]))  # fmt: skip
def test_plain_text_never_becomes_an_autolink(prefix, address):
    """Escaping cannot stop GFM's bare-address links; the page showed a live evil.example."""
    shown = re.sub(r"\\(.)", r"\1", plain(prefix + " " + address))  # what Markdown reads
    assert not GFM_AUTOLINKS.search(shown)
    assert shown.replace("\u2060", "").endswith(address)  # reads the same
