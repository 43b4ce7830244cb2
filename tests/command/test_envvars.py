# ruff: noqa: E501  (the expected problem sentences are kept whole, one per line)
"""The environment variables behind the options, in process: the new name wins, an old spelling still works
for one release with its warning, and an empty value counts as unset (docs/cli.md)."""

from __future__ import annotations

import pytest

from clikit.envvars import RENAMED, deprecation, from_old_names, lookup

# docs/cli.md's "old name" column: the new name, then the spelling it replaced.
RENAMES = [
    ("IMAGEGATE_CA_BUNDLE", "SMOKE_CA_BUNDLE"),
    ("AZURE_SUBSCRIPTION_ID", "IMAGEGATE_SUBSCRIPTION_ID"),
    ("IMAGEGATE_AUTH", "SMOKE_AUTH"),
    ("IMAGEGATE_SCOPE", "SMOKE_SCOPE"),
    ("IMAGEGATE_CHECK_TIMEOUT", "SMOKE_CHECK_TIMEOUT"),
    ("IMAGEGATE_RPM_PER_CAPACITY_UNIT", "SMOKE_RPM_PER_CAPACITY_UNIT"),
]


def test_the_renamed_variables_are_the_documented_ones() -> None:
    assert dict(RENAMED) == {new: (old,) for new, old in RENAMES}


def test_the_deprecation_sentence() -> None:
    assert deprecation("SMOKE_AUTH", "IMAGEGATE_AUTH") == (
        "warning: SMOKE_AUTH is deprecated; set IMAGEGATE_AUTH instead (the old name goes in the next release)."
    )


@pytest.mark.parametrize(("new", "old"), RENAMES)
@pytest.mark.parametrize(
    ("environ", "value", "warns"),
    [
        ({"NEW": "n"}, "n", False),  # the new name alone
        ({"NEW": "n", "OLD": "o"}, "n", False),  # both: the new one, and no warning
        ({"NEW": "", "OLD": "o"}, "o", True),  # the new one empty counts as unset
        ({"OLD": "o"}, "o", True),  # only the old spelling: read, with the warning
        ({"OLD": ""}, None, False),  # an empty old spelling is unset too
        ({}, None, False),
    ],
)
def test_lookup(new: str, old: str, environ: dict[str, str], value: str | None, warns: bool) -> None:
    env = {new if key == "NEW" else old: v for key, v in environ.items()}
    warned: list[str] = []
    assert lookup(new, env, warned.append) == value
    assert warned == ([deprecation(old, new)] if warns else [])


def test_a_name_never_renamed_has_no_old_spelling() -> None:
    warned: list[str] = []
    assert lookup("IMAGEGATE_REPORTS", {"IMAGEGATE_REPORTS": "out"}, warned.append) == "out"
    assert lookup("IMAGEGATE_REPORTS", {"SMOKE_REPORTS": "out"}, warned.append) is None
    assert from_old_names("IMAGEGATE_REPORTS", {"SMOKE_REPORTS": "out"}, warned.append) is None
    assert warned == []


def test_from_old_names_reads_only_the_old_spelling() -> None:
    warned: list[str] = []
    env = {"IMAGEGATE_AUTH": "key"}
    assert from_old_names("IMAGEGATE_AUTH", env, warned.append) is None
    env["SMOKE_AUTH"] = "entra"
    assert from_old_names("IMAGEGATE_AUTH", env, warned.append) == "entra"
    assert warned == [deprecation("SMOKE_AUTH", "IMAGEGATE_AUTH")]


def test_without_a_mapping_the_process_environment_is_read_and_the_warning_goes_to_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("IMAGEGATE_SCOPE", raising=False)
    monkeypatch.setenv("SMOKE_SCOPE", "https://example.test/.default")
    assert lookup("IMAGEGATE_SCOPE") == "https://example.test/.default"
    assert from_old_names("IMAGEGATE_SCOPE") == "https://example.test/.default"
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (deprecation("SMOKE_SCOPE", "IMAGEGATE_SCOPE") + "\n") * 2
    monkeypatch.setenv("IMAGEGATE_SCOPE", "api://new/.default")
    assert lookup("IMAGEGATE_SCOPE") == "api://new/.default"
    assert capsys.readouterr().err == ""
