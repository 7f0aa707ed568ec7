"""The README is the user's manual: it must keep up with the columns, commands and settings."""

from pathlib import Path

README = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")


def test_every_directory_column_is_documented(schema):
    for name in schema.names:
        if name.endswith((".source", ".verified_on")):
            continue  # documented once as <criterion>.source / <criterion>.verified_on
        assert f"`{name}`" in README, name


def test_the_two_commands_come_first():
    quick_start = README.index("## Quick start")
    assert README.index("make run", quick_start) < README.index("make test", quick_start)
    assert README.index("make run") > quick_start


def test_every_cli_command_and_setting_is_documented():
    from cli import COMMANDS

    for command in COMMANDS:
        assert f"clinic-compare {command}" in README, command
    for variable in ("CLINIC_COMPARE_DIRECTORY", "CLINIC_COMPARE_MAX_UPLOAD_MB"):
        assert variable in README
