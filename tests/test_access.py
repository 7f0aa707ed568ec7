"""Who may curate: the one rule, over every combination of its inputs."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.access import Editors, EditorsError, decide_access, is_loopback
from providers.settings import Settings, SettingsError

EDITORS = Editors.parse(["ana@group.org", "@advocates.example"])


@pytest.mark.parametrize(
    "address, loopback",
    [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("0.0.0.0", False), ("", False), (None, False), ("::", False),
     ("192.168.1.4", False), ("example.org", False)],
)  # fmt: skip
def test_only_loopback_addresses_count_as_local(address, loopback):
    assert is_loopback(address) is loopback


@pytest.mark.parametrize(
    "email, allowed",
    [("ana@group.org", True), ("ANA@Group.org", True), ("bob@group.org", False),
     ("zoe@advocates.example", True), ("zoe@evil-advocates.example", False),
     ("zoe@advocates.example.evil.org", False), ("", False), (None, False),
     ("ana@group.org ", True), ("not an address", False)],
)  # fmt: skip
def test_the_allow_list_matches_addresses_and_whole_domains(email, allowed):
    assert EDITORS.allows(email) is allowed


def test_bad_allow_list_entries_are_refused_with_the_entry_named():
    with pytest.raises(EditorsError, match=r"'group\.org'"):
        Editors.parse(["group.org"])
    assert not Editors.parse(["", "  "])


def test_without_sign_in_curation_is_local_only():
    local = decide_access(
        auth_configured=False, listen_address="127.0.0.1", user=None, editors=Editors()
    )
    assert local.can_curate and local.mode == "local"
    public = decide_access(auth_configured=False, listen_address=None, user=None, editors=EDITORS)
    assert not public.can_curate and "every network interface" in public.reason
    assert "[auth]" in public.reason


def test_with_sign_in_only_listed_verified_editors_curate_even_on_loopback():
    def access(user):
        return decide_access(
            auth_configured=True, listen_address="127.0.0.1", user=user, editors=EDITORS
        )

    assert access(None).mode == "sign-in" and not access(None).can_curate
    editor = access({"email": "Ana@Group.org", "email_verified": True, "is_logged_in": True})
    assert editor.can_curate and editor.identity == "ana@group.org"
    # Without the provider's word that the address is verified, it does not count (some
    # providers let an account claim any address).
    for claim in ({}, {"email_verified": None}, {"email_verified": "FALSE"}, {"email_verified": 0}):
        assert not access({"email": "ana@group.org", **claim}).can_curate
    stranger = access({"email": "bob@group.org", "email_verified": True})
    assert stranger.mode == "not-editor" and "bob@group.org" in stranger.reason
    unverified = access({"email": "ana@group.org", "email_verified": False})
    assert not unverified.can_curate and "verified" in unverified.reason
    nobody = decide_access(
        auth_configured=True, listen_address="0.0.0.0", user={"email": "a@b.co"},
        editors=Editors(),
    )  # fmt: skip
    assert not nobody.can_curate and "No editors" in nobody.reason


@given(
    auth=st.booleans(),
    address=st.sampled_from([None, "", "0.0.0.0", "127.0.0.1", "::1", "10.0.0.2"]),
    user=st.one_of(st.none(), st.fixed_dictionaries(
        {"email": st.sampled_from(["", "ana@group.org", "x@y.z", "zoe@advocates.example"])},
        optional={"email_verified": st.booleans()},
    )),
)  # fmt: skip
def test_curation_is_never_open_to_an_unlisted_visitor_on_a_reachable_address(auth, address, user):
    access = decide_access(auth_configured=auth, listen_address=address, user=user, editors=EDITORS)
    if access.can_curate:
        listed = user is not None and EDITORS.allows(str(user["email"]))
        verified = user is not None and user.get("email_verified") is True
        assert (not auth and is_loopback(address)) or (auth and listed and verified)


def test_editors_come_from_the_variable_and_the_file(tmp_path):
    listing = tmp_path / "editors.txt"
    listing.write_text("# curators\nzoe@b.org  # lead\n@group.org\n", "utf-8")
    settings = Settings.from_env(
        {
            "CLINIC_COMPARE_EDITORS": "ana@a.org, bob@a.org",
            "CLINIC_COMPARE_EDITORS_FILE": str(listing),
        }
    )
    assert {"ana@a.org", "bob@a.org", "zoe@b.org"} <= settings.editors.addresses
    assert settings.editors.allows("kim@group.org")


def test_a_bad_published_list_name_is_a_clear_error():
    with pytest.raises(SettingsError, match="must name a list"):
        Settings.from_env({"CLINIC_COMPARE_DIRECTORY": "workspace:  "})


@pytest.mark.parametrize(
    "env, message",
    [({"CLINIC_COMPARE_EDITORS": "ana@group.org, ana.smith@group"}, "ana.smith@group"),
     ({"CLINIC_COMPARE_EDITORS_FILE": "/nonexistent/x"}, "cannot be read")],
)  # fmt: skip
def test_a_bad_editors_list_turns_curation_off_not_the_patient_pages(env, message):
    """It is kept for the log (never shown to visitors) and nobody may curate."""
    settings = Settings.from_env(env)
    assert message in (settings.editors_problem or "") and not settings.editors


def test_an_editors_file_with_a_byte_order_mark_or_invisible_characters(tmp_path):
    listing = tmp_path / "editors.txt"
    listing.write_bytes("\ufeff@group.org\n".encode())
    assert Settings.from_env({"CLINIC_COMPARE_EDITORS_FILE": str(listing)}).editors.allows(
        "kim@group.org"
    )
    with pytest.raises(EditorsError, match="u200b"):
        Editors.parse(["ana\u200b@group.org"])


@pytest.mark.parametrize(
    "host, forwarded, local",
    [(None, False, True), ("127.0.0.1:8501", False, True), ("localhost:8501", False, True),
     ("[::1]:8501", False, True), ("127.0.0.1:8501", True, False),
     ("clinics.example.org", False, False), ("abc.ngrok.app", False, False)],
)  # fmt: skip
def test_a_proxy_or_tunnel_in_front_of_a_loopback_server_closes_curation(host, forwarded, local):
    access = decide_access(
        auth_configured=False, listen_address="127.0.0.1", user=None, editors=Editors(),
        request_host=host, forwarded=forwarded,
    )  # fmt: skip
    assert access.can_curate is local


def test_a_published_list_is_named_by_the_directory_setting():
    assert Settings.from_env({"CLINIC_COMPARE_DIRECTORY": "workspace:Arizona"}).published_list == (
        "Arizona"
    )
    assert Settings.from_env({}).published_list is None
