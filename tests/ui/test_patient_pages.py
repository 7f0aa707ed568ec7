"""The patient app through AppTest: every page, the share link, uploads, polite failures."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from providers.directory import read_directory
from tests.conftest import csv_of, full_clinic

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def results(at, detail=False):
    """The Find page's results: every row ("Show more" until all are shown) and, with
    `detail`, every column ("Show every detail")."""
    while more := [b for b in at.button if b.key == "find.more"]:
        more[0].click().run()
    if detail and not at.toggle(key="w.every_detail").value:
        at.toggle(key="w.every_detail").set_value(True).run()
    return at.dataframe[0].value


def page(at, name):
    at.switch_page(f"ui/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- Find ------------------------------------------------------------------------------------


def test_find_shows_the_demo_scored_with_a_fictional_banner(app):
    assert "fictional demo data" in app.warning[0].value
    captions = " ".join(c.value for c in app.caption)
    assert "59 clinics from" in captions  # the demo's one closed clinic is hidden, and said so
    assert "1 clinic is listed as closed and hidden" in captions
    assert len(app.dataframe[0].value) == 25  # a page of results at first
    table = results(app)
    assert len(table) == 59
    assert table["overall"].is_monotonic_decreasing
    # No place yet, so no distance.
    assert list(table.columns) == ["id", "name", "overall", "price", "evidence", "first_year"]


def test_a_zip_and_radius_give_nearby_clinics_with_distances(app):
    app.text_input(key="w.place").set_value("85251").run()
    app.selectbox(key="w.radius").set_value(25).run()
    table = results(app, detail=True)
    in_person = table[table["reach"] == "in person"]
    assert len(in_person) > 0 and (in_person["distance"] <= 25).all()  # miles for a US place
    remote = table[table["reach"] == "telehealth"]
    assert (remote["region"] == "AZ").all()
    assert "Scottsdale, AZ 85251" in " ".join(c.value for c in app.caption)
    app.radio(key="w.sort").set_value("distance").run()
    assert results(app)["distance"].is_monotonic_increasing


def test_an_ambiguous_place_offers_candidates_and_an_unknown_one_explains(app):
    app.text_input(key="w.place").set_value("Portland").run()
    pick = app.selectbox(key="w.place_pick")
    assert pick.options[:2] == ["Portland, OR", "Portland, ME"]
    pick.set_value("Portland, ME").run()
    assert "Portland, ME" in " ".join(c.value for c in app.caption)
    app.text_input(key="w.place").set_value("Scotsdale, AZ").run()
    assert "Did you mean Scottsdale, AZ?" in app.error[0].value


def test_filters_and_must_haves_narrow_the_results(app):
    app.multiselect(key="w.routes").set_value(["IM"]).run()
    table = results(app, detail=True)
    assert len(table) < 60 and table["routes"].str.contains("IM").all()
    app.number_input(key="w.max_price").set_value(500).run()
    demo = read_directory("demo").table.set_index("id")
    assert (demo.loc[results(app)["id"], "price_per_session"] <= 500).all()
    app.multiselect(key="w.must").set_value(["monitoring.vital_signs"]).run()
    assert len(results(app)) >= 1


def test_empty_results_say_what_to_relax(app):
    app.number_input(key="w.max_price").set_value(1).run()
    assert "raise the maximum price" in app.warning[-1].value
    assert not app.dataframe


def test_presets_and_weights_change_the_ranking(app):
    before = results(app)["id"].tolist()
    app.selectbox(key="w.find.preset").set_value("Cost-conscious").run()
    assert app.slider(key="w.find.weight.pricing").value == 5
    assert results(app)["id"].tolist() != before
    for slider in app.slider:
        slider.set_value(0)
    app.run()
    assert "at least one criterion" in app.error[0].value


def test_shortlist_add_on_find_then_notes_and_remove_on_the_shortlist_page(app):
    top = results(app)["id"].tolist()[:2]
    app.multiselect(key="w.shortlist").set_value(top).run()
    page(app, "shortlist")
    assert len(app.text_area) == 2
    app.text_area(key=f"w.note.{top[0]}").set_value("Call on Monday").run()
    page(app, "find")
    page(app, "shortlist")
    assert app.text_area(key=f"w.note.{top[0]}").value == "Call on Monday"
    app.button(key=f"w.remove.{top[1]}").click().run()
    assert len(app.text_area) == 1
    assert app.session_state["choices"].shortlist == (top[0],)
    assert "list=" + top[0] in app.code[0].value  # the share link
    assert "Call on Monday" not in app.code[0].value  # notes never go into links


# --- Detail and compare ------------------------------------------------------------------------


def test_detail_shows_items_sources_reviews_and_questions(app, checklist):
    page(app, "detail")
    app.selectbox(key="w.clinic").set_value("demo-041").run()  # a sparse profile
    assert len(app.expander) >= len(checklist.criteria)
    questions = app.markdown[-1].value
    assert checklist.item("monitoring.vital_signs").question.split(",")[0].replace(
        "?", ""
    ) in questions.replace("\\", "")
    assert any("Overall score" in m.label for m in app.metric)
    app.button(key="w.detail_toggle").click().run()
    assert "demo-041" in app.session_state["choices"].shortlist


def test_compare_marks_differences(app):
    page(app, "compare")
    assert "at least two" in app.info[0].value
    app.multiselect(key="w.compare").set_value(["demo-027", "demo-041"]).run()
    table = app.dataframe[0].value
    assert "differs" in table.columns
    assert (table["differs"] == "differs").any()


# --- Share links, method, directories --------------------------------------------------------


def test_a_share_link_restores_weights_filters_shortlist_and_clinic(monkeypatch):
    monkeypatch.delenv("CLINIC_COMPARE_DIRECTORY", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(
        {
            "w": "monitoring:5,pricing:0",
            "routes": "IV",
            "list": "demo-027,demo-005",
            "clinic": "demo-005",
            "near": "85251",
            "radius": "25",
        }
    )
    at.run()
    assert at.slider(key="w.find.weight.monitoring").value == 5
    assert at.multiselect(key="w.routes").value == ["IV"]
    assert at.multiselect(key="w.shortlist").value == ["demo-027", "demo-005"]
    assert at.text_input(key="w.place").value == "85251"
    assert at.checkbox(key="w.share_place").value is True
    page(at, "detail")
    assert at.selectbox(key="w.clinic").value == "demo-005"


def test_the_place_is_left_out_of_links_unless_the_patient_agrees(app):
    app.text_input(key="w.place").set_value("85251").run()
    assert "near" not in app.query_params
    app.checkbox(key="w.share_place").check().run()
    assert app.query_params["near"] == ["85251"] or app.query_params["near"] == "85251"


def test_method_page_is_rendered_from_the_checklist(app, checklist):
    page(app, "method")
    text = "\n".join(m.value for m in app.markdown)
    assert checklist.version in text and "not medical advice" in text.lower()
    for item in checklist.items:
        assert item.question in text
    for topic in ("pregnancy", "substance use", "heart"):
        assert topic in text


def test_an_uploaded_directory_replaces_the_demo_and_lists_its_problems(app):
    data = csv_of(
        [
            full_clinic(),
            {"id": "bad", "name": "Bad Site", "website": "javascript:alert(1)"},
            {"id": "", "name": ""},
        ]
    )
    app.sidebar.file_uploader[0].set_value(("mine.csv", data, "text/csv")).run()
    assert not app.exception and not app.warning
    assert sorted(results(app)["id"]) == ["bad", "full"]
    assert "problem(s)" in app.expander[-1].label


def test_an_unreadable_upload_is_a_message_not_a_traceback(app):
    app.sidebar.file_uploader[0].set_value(("broken.csv", b"name,name\n", "text/csv")).run()
    assert not app.exception
    assert "cannot be used" in app.error[0].value and "twice" in app.error[0].value


def test_a_configured_directory_and_an_unreadable_one(monkeypatch, tmp_path):
    good = tmp_path / "mine.csv"
    good.write_text("name,website\nReal Clinic,javascript:alert(1)\n")
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", str(good))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.warning
    assert results(at, detail=True)["website"].tolist() == [""]
    bad = tmp_path / "broken.csv"
    bad.write_bytes(b"name,name\n")
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", str(bad))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and "cannot be read" in at.error[0].value


def test_clinics_without_verification_dates_on_the_shortlist_and_method(monkeypatch, tmp_path):
    """A shortlist of clinics with no evidence dates crashed (NaT has no strftime)."""
    bare = tmp_path / "bare.csv"
    bare.write_bytes(csv_of([{"id": "a", "name": "A Clinic"}, {"id": "b", "name": "B Clinic"}]))
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", str(bare))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["list"] = "a,b"
    at.run()
    page(at, "shortlist")
    assert "Take it with you" in [h.value for h in at.subheader]  # drawn to the end
    page(at, "method")
    assert any("No verification dates recorded" in m.value for m in at.markdown)


def test_an_upload_over_the_configured_limit_is_refused(monkeypatch):
    monkeypatch.delenv("CLINIC_COMPARE_DIRECTORY", raising=False)
    monkeypatch.setenv("CLINIC_COMPARE_MAX_UPLOAD_MB", "1")
    at = AppTest.from_file(APP, default_timeout=60).run()
    big = b"name\n" + b"A clinic\n" * 200_000
    at.sidebar.file_uploader[0].set_value(("big.csv", big, "text/csv")).run()
    assert not at.exception
    assert "the limit is 1 MB" in at.error[0].value
    assert "fictional demo data" in at.warning[0].value  # the demo is still shown


@pytest.mark.parametrize("name", ["find", "detail", "compare", "shortlist"])
def test_every_weight_at_zero_is_a_message_on_every_page_never_a_crash(
    monkeypatch, checklist, name
):
    """A failure meant for a person (here bad weights) is caught in one place, app.py."""
    monkeypatch.delenv("CLINIC_COMPARE_DIRECTORY", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(
        {"w": ",".join(f"{k}:0" for k in checklist.keys), "list": "demo-027,demo-005",
         "cmp": "demo-027,demo-005"}
    )  # fmt: skip
    at.run()
    page(at, name)
    assert any("weight above 0" in e.value for e in at.error), [e.value for e in at.error]


def test_clearing_the_preset_box_keeps_the_weights_and_breaks_nothing(app, checklist):
    preset = checklist.presets[0]
    app.selectbox(key="w.find.preset").set_value(preset.label).run()
    chosen = {k: app.slider(key=f"w.find.weight.{k}").value for k in checklist.keys}
    assert chosen == {k: int(v) for k, v in preset.weights}
    before = results(app)["id"].tolist()
    app.selectbox(key="w.find.preset").set_value(None).run()
    assert not app.exception
    assert {k: app.slider(key=f"w.find.weight.{k}").value for k in checklist.keys} == chosen
    assert results(app)["id"].tolist() == before


def test_compare_shows_a_clinic_that_lacks_a_must_have_and_says_so(app, checklist):
    item = checklist.tristate_items[1].column
    app.multiselect(key="w.must").set_value([item]).run()
    kept = set(results(app)["id"])
    page(app, "compare")
    lacking = sorted(set(read_directory("demo").table["id"]) - kept)
    assert lacking and kept
    app.multiselect(key="w.compare").set_value([sorted(kept)[0], lacking[0]]).run()
    assert not app.exception
    assert any("must-have" in i.value for i in app.info)


HOSTILE_LINK = "Foo, [Click me](https://evil.example) **bold** :skull: $x$"


def _live_markdown(text: str) -> bool:
    """True when Markdown would render a link, emphasis, emoji or maths from `text`."""
    import re

    return bool(
        re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(|(?<!\\)\*\*|(?<!\\):skull(?<!\\):|(?<!\\)\$", text)
    )


def test_a_hostile_place_in_a_share_link_is_shown_as_plain_text(monkeypatch):
    monkeypatch.delenv("CLINIC_COMPARE_DIRECTORY", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"near": HOSTILE_LINK, "radius": "25"})
    at.run()
    assert not at.exception
    shown = [e.value for e in [*at.error, *at.caption, *at.markdown, *at.info]]
    assert any("Click me" in text for text in shown)
    assert not [text for text in shown if _live_markdown(text)]


def test_a_hostile_upload_name_and_headers_are_shown_as_plain_text(app):
    hostile = b"name,[x](https://evil.example)\n" + b"A,1\n"
    app.file_uploader(key="w.upload").set_value(
        ("[evil](https://evil.example).csv", hostile, "text/csv")
    ).run()
    shown = [e.value for e in [*app.error, *app.caption, *app.markdown, *app.warning]]
    assert any("evil" in text for text in shown)
    assert not [text for text in shown if _live_markdown(text)]


def test_picking_a_filter_does_not_rebuild_the_filters_box(app):
    """An `expanded` that flipped on the first pick rebuilt the box under the click, and the
    browser journey lost the pick now and then (the flaky IV step)."""

    def box_open() -> bool:
        box = next(e for e in app.expander if "Filters and must-haves" in e.label)
        return bool(box.proto.expanded)

    assert not box_open()
    app.multiselect(key="w.routes").set_value(["IV"]).run()
    app.checkbox(key="w.tele").check().run()  # the next click anywhere used to flip it
    assert not box_open() and app.multiselect(key="w.routes").value == ["IV"]


def test_distances_in_km_for_a_canadian_place_and_miles_for_a_us_one(app):
    app.text_input(key="w.place").set_value("Toronto, ON").run()
    assert app.dataframe[0].value.columns[3] == "distance"
    assert "km" in str(app.dataframe[0].proto.columns)  # the header says the unit
    km = results(app).set_index("id")["distance"]
    app.sidebar.radio(key="w.units").set_value("mi").run()
    miles = results(app).set_index("id")["distance"]
    known = km[km > 1].index  # (at-home programs are 0 away)
    assert len(known) and ((km[known] / miles[known] - 1.609344).abs() < 0.05).all()


def test_prices_read_with_their_currency_or_not_listed_never_none(monkeypatch, tmp_path):
    rows = [
        {**full_clinic(), "id": "us", "name": "US Clinic", "price_per_session": "450"},
        {**full_clinic(), "id": "ca", "name": "CA Clinic", "price_per_session": "1250",
         "currency": "CAD"},
        {"id": "none", "name": "Quiet Clinic"},
    ]  # fmt: skip
    path = tmp_path / "mine.csv"
    path.write_bytes(csv_of(rows))
    monkeypatch.setenv("CLINIC_COMPARE_DIRECTORY", str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    prices = results(at, detail=True).set_index("id")["price"]
    assert prices.to_dict() == {"us": "450 USD", "ca": "1,250 CAD", "none": "not listed"}
    shown = results(at, detail=True).astype(str)
    assert not shown.isin(["None", "nan", "NaN", "<NA>"]).any().any()
