# ruff: noqa: E501  (the expected problem sentences are kept whole)
"""The stack file as `pulumi` leaves it on disk and the sections that name people and tags: every way the
file cannot be read gives one sentence naming the file, and duplicate principals, tag values and number
bounds give the exact sentence the operator reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.config import ConfigError, load_stack_config, read_stack_file
from infra.config_reader import Reader
from tests.infra.test_config_edges import MINIMAL, TODAY

GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
OTHER = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def problems(change: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_stack_config({**MINIMAL, **change}, "dev", today=TODAY)
    return list(caught.value.problems)


def test_a_principal_is_named_once_and_listed_once_whatever_the_case_of_its_id() -> None:
    users = [
        {"name": "ci", "principalId": GUID},
        {"name": "ci", "principalId": GUID.upper()},
        {"name": "ops", "principalId": OTHER},
        {"name": "ops-2", "principalId": OTHER},
    ]
    assert problems({"access": {"openAiUsers": users}}) == [
        "imagegate:access.openAiUsers[1].name: 'ci' is used twice; accepted: a unique name per principal.",
        "imagegate:access.openAiUsers[1].principalId: '0F8FAD5B-D9CB-469F-A165-70867728950E' is listed twice; accepted: each principal once.",
        "imagegate:access.openAiUsers[3].principalId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' is listed twice; accepted: each principal once.",
    ]
    assert problems({"access": {"openAiUsers": "ci"}}) == [
        "imagegate:access.openAiUsers: 'ci' is not a list; accepted: a list of principals."
    ]


def test_tag_values_are_strings_of_at_most_256_characters_and_every_bad_tag_is_named() -> None:
    tags = {"bad/name": "x", "list": ["x"], "long": "x" * 257, "none": None}
    assert problems({"tags": tags}) == [
        "imagegate:tags.bad/name: 'bad/name' is not a valid tag name; accepted: 1-512 characters without < > % & \\ ? /.",
        'imagegate:tags.list: ["x"] is not a valid tag value; accepted: a string of at most 256 characters.',
        f"imagegate:tags.long: '{'x' * 257}' is not a valid tag value; accepted: a string of at most 256 characters.",
        "imagegate:tags.none: (missing) is not a valid tag value; accepted: a string of at most 256 characters.",
    ]
    config = load_stack_config(
        {**MINIMAL, "tags": {"flag": True, "off": False, "n": 5, "f": 1.5, "max": "y" * 256}},
        "dev",
        today=TODAY,
    )
    assert config.tags == {"flag": "true", "off": "false", "n": "5", "f": "1.5", "max": "y" * 256}


def test_a_number_without_a_default_is_required_and_its_bounds_are_as_written() -> None:
    r = Reader()
    assert r.number("x", None, None, low=0, high=10) == 10
    assert r.problems == ["imagegate:x: (missing) is required; accepted: a number from 0 to 10."]
    closed = Reader()
    assert (closed.number("x", 0, None, low=0, high=10), closed.number("x", 10, None, low=0, high=10)) == (
        0,
        10,
    )
    assert closed.problems == []
    open_low = Reader()
    open_low.number("x", 0, None, low=0, high=10, low_open=True)
    open_low.number("x", 0.001, None, low=0, high=10, low_open=True)
    assert open_low.problems == ["imagegate:x: 0 is out of range; accepted: a number above 0 up to 10."]


def test_whole_number_bounds_are_written_without_a_decimal_point() -> None:
    r = Reader()
    r.number("x", "many", None, low=0.0, high=100.0, low_open=True)
    r.number("y", "many", None, low=1.0, high=2.5)
    assert r.problems == [
        "imagegate:x: 'many' is not a number; accepted: a number above 0 up to 100.",
        "imagegate:y: 'many' is not a number; accepted: a number from 1 to 2.5.",
    ]


def test_a_string_names_its_choices_or_says_what_it_accepts() -> None:
    r = Reader()
    r.string("a", None, choices=("Low", "High"))
    r.string("b", 5, choices=("Low", "High"))
    r.string("c", 5)
    assert r.problems == [
        "imagegate:a: (missing) is required; accepted: Low, High.",
        "imagegate:b: 5 is not a non-empty string; accepted: Low, High.",
        "imagegate:c: 5 is not a non-empty string; accepted: a non-empty string.",
    ]


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("Pulumi.missing.yaml", None, "{path} does not exist; create it with `pulumi stack init`."),
        (
            "Pulumi.bad.yaml",
            b"config:\n  imagegate:x: [1\n",
            "{path} is not valid YAML (line 3, column 1: expected ',' or ']', but got '<stream end>'); fix the file.",
        ),
        (
            "Pulumi.bell.yaml",
            b"config:\n  imagegate:x: a\x07b\n",
            "{path} is not valid YAML (unreadable); fix the file.",
        ),
        (
            "Pulumi.latin.yaml",
            b"config:\n  imagegate:x: \xe9\n",
            "{path} is not UTF-8 text; save it as UTF-8.",
        ),
        (
            "Pulumi.deep.yaml",
            b"[" * 5000 + b"]" * 5000,
            "{path} is nested too deeply to be a stack file; fix the file.",
        ),
        ("Pulumi.dir.yaml", b"", "{path} cannot be read (Is a directory); check the path."),
    ],
    ids=["missing", "not-yaml", "control-character", "not-utf8", "too-deep", "directory"],
)
def test_a_stack_file_that_cannot_be_read_names_itself_and_why(
    tmp_path: Path, name: str, content: bytes | None, problem: str
) -> None:
    path = tmp_path / name
    if name == "Pulumi.dir.yaml":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        read_stack_file(path)
    assert (list(caught.value.problems), caught.value.source) == ([problem.format(path=path)], str(path))


def test_a_stack_file_without_a_config_object_has_no_values(tmp_path: Path) -> None:
    assert read_stack_file(write(tmp_path, "a.yaml", b"- a\n")) == {}
    assert read_stack_file(write(tmp_path, "b.yaml", b"config: 5\n")) == {}
    assert read_stack_file(
        write(tmp_path, "c.yaml", b"config:\n  imagegate:location: eastus2\n  other:x: 1\n")
    ) == {"location": "eastus2"}
