# ruff: noqa: E501  (the expected problem sentences are kept whole, one per line)
"""The fleet file and the fleet plan in process: ``parse_fleet`` and ``build_plan`` on documents and stack
configs written here, every problem in its sentence, and the plan's JSON and ``$GITHUB_OUTPUT`` lines as a
workflow reads them. (tests/fleet/test_plan.py drives the same through ``imagegate fleet plan``.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from catalog import load_catalog
from fleet.errors import FleetInputError
from fleet.fleet_file import FleetFile, FleetStack, Wave, parse_fleet, read_fleet_file
from fleet.plan import Target, build_plan, github_outputs, parse_target, plan_to_dict
from infra.config import StackConfig, load_stack_config
from tests.fleet.project import NEW, OLD, catalog_with_new_version, stack_values

TODAY = date(2026, 11, 25)
SRC = "fleet.yaml"
WAVE_NAME = "1-31 lowercase letters, digits or hyphens, starting with a letter"
WAVE_ENV = "a GitHub environment name (letters, digits, '.', '_', '-'); default the wave name"
STACK = "a Pulumi stack name (letters, digits, '_', '.', '-')"


def refused(document: Any) -> list[str]:
    with pytest.raises(FleetInputError) as raised:
        parse_fleet(document, SRC)
    return raised.value.problems


def test_a_fleet_file_with_every_default() -> None:
    document = {
        "waves": [
            {"name": "dev", "stacks": ["dev"]},
            {
                "name": "production",
                "environment": "prod-approval",
                "maxParallel": 256,
                "stacks": ["prod-eu", {"stack": "prod-us", "environment": "prod-us-approval"}, {"stack": "prod-x"}],
            },
            {"name": "w" * 31},
        ]
    }
    assert parse_fleet(document, SRC) == FleetFile(
        SRC,
        (
            Wave("dev", "dev", 1, (FleetStack("dev", "dev"),)),
            Wave(
                "production",
                "prod-approval",
                256,
                (
                    FleetStack("prod-eu", "prod-approval"),
                    FleetStack("prod-us", "prod-us-approval"),
                    FleetStack("prod-x", "prod-approval"),
                ),
            ),
            Wave("w" * 31, "w" * 31, 1, ()),
        ),
    )


@pytest.mark.parametrize(
    ("document", "problems"),
    [
        ("waves: []", [f"{SRC}: the file holds no `waves:` list; see docs/fleet.md."]),
        (None, [f"{SRC}: the file holds no `waves:` list; see docs/fleet.md."]),
        ({}, [f"{SRC}: waves: (missing) is not a list of waves; accepted: a non-empty list, in rollout order."]),
        ({"waves": []}, [f"{SRC}: waves: [] is not a list of waves; accepted: a non-empty list, in rollout order."]),
        (
            {"waves": "dev", "order": 1},
            [
                f"{SRC}: order: 'order' is not a known key; accepted: waves.",
                f"{SRC}: waves: 'dev' is not a list of waves; accepted: a non-empty list, in rollout order.",
            ],
        ),
        (
            {"waves": ["dev", {"name": "ok"}]},
            [f"{SRC}: waves[0]: 'dev' is not a wave; accepted: a mapping with name, environment, maxParallel, stacks."],
        ),
        ({"waves": [{"stacks": ["dev"]}]}, [f"{SRC}: waves[0].name: (missing) is required; accepted: {WAVE_NAME}."]),
        ({"waves": [{"name": "Dev"}]}, [f"{SRC}: waves[0].name: 'Dev' is not a valid name; accepted: {WAVE_NAME}."]),
        ({"waves": [{"name": "w" * 32}]}, [f"{SRC}: waves[0].name: '{'w' * 32}' is not a valid name; accepted: {WAVE_NAME}."]),
        ({"waves": [{"name": 7}]}, [f"{SRC}: waves[0].name: 7 is not a valid name; accepted: {WAVE_NAME}."]),
        (
            {"waves": [{"name": "dev", "environment": "bad env"}]},
            [f"{SRC}: waves[0].environment: 'bad env' is not a valid name; accepted: {WAVE_ENV}."],
        ),
        *(
            (
                {"waves": [{"name": "dev", "maxParallel": value}]},
                [f"{SRC}: waves[1].maxParallel: {shown} is not a whole number in range; accepted: 1 to 256 (default 1).".replace("[1]", "[0]")],
            )
            for value, shown in ((0, "0"), (257, "257"), (True, "True"), ("2", "'2'"), (1.5, "1.5"))
        ),
        (
            {"waves": [{"name": "dev", "stacks": "dev"}]},
            [f"{SRC}: waves[0].stacks: 'dev' is not a list; accepted: a list of stack names."],
        ),
        (
            {"waves": [{"name": "dev", "stacks": ["a b", None, {"environment": "e"}, {"stack": "s", "env": "x"}]}]},
            [
                f"{SRC}: waves[0].stacks[0]: 'a b' is not a valid name; accepted: {STACK}, or a mapping with stack and environment.",
                f"{SRC}: waves[0].stacks[1]: (missing) is required; accepted: {STACK}, or a mapping with stack and environment.",
                f"{SRC}: waves[0].stacks[2].stack: (missing) is required; accepted: {STACK}.",
                f"{SRC}: waves[0].stacks[3].env: 'env' is not a known key; accepted: stack, environment.",
            ],
        ),
        (
            {"waves": [{"name": "dev", "stacks": [{"stack": "s", "environment": "bad env"}]}]},
            [f"{SRC}: waves[0].stacks[0].environment: 'bad env' is not a valid name; accepted: a GitHub environment name; default the wave's environment."],
        ),
        # a wave without a name has no default environment to report as well, and its stacks are still read
        (
            {"waves": [{"stacks": ["a b"]}]},
            [
                f"{SRC}: waves[0].name: (missing) is required; accepted: {WAVE_NAME}.",
                f"{SRC}: waves[0].stacks[0]: 'a b' is not a valid name; accepted: {STACK}, or a mapping with stack and environment.",
            ],
        ),
    ],
)
def test_a_fleet_file_refused_with_every_problem_in_its_sentence(document: Any, problems: list[str]) -> None:
    assert refused(document) == problems


def test_reading_a_fleet_file(tmp_path: Path) -> None:
    path = tmp_path / "fleet.yaml"
    with pytest.raises(FleetInputError) as raised:
        read_fleet_file(path)
    assert raised.value.problems == [f"{path} does not exist; write it (docs/fleet.md) or pass --fleet FILE."]
    path.write_text("waves:\n  - name: dev\n    stacks: [dev\n", encoding="utf-8")
    with pytest.raises(FleetInputError) as raised:
        read_fleet_file(path)
    assert raised.value.problems == [f"{path} is not valid YAML (line 4, column 1); fix the file."]
    path.write_bytes(b"waves: [\xff]")
    with pytest.raises(FleetInputError) as raised:
        read_fleet_file(path)
    assert raised.value.problems[0].startswith(f"{path} cannot be read (")
    assert raised.value.problems[0].endswith("); check the path.")
    path.write_text("waves:\n  - name: dev\n    stacks: [dev]\n", encoding="utf-8")
    assert read_fleet_file(path) == FleetFile(str(path), (Wave("dev", "dev", 1, (FleetStack("dev", "dev"),)),))


@pytest.mark.parametrize(
    ("text", "target"),
    [("gpt-image-1.5@2026-03-10", Target("gpt-image-1.5", "2026-03-10")), ("  m@v1 ", Target("m", "v1"))],
)
def test_a_target(text: str, target: Target) -> None:
    assert parse_target(text) == target
    assert str(target) == f"{target.model}@{target.version}"


@pytest.mark.parametrize("text", ["gpt-image-1.5", "@v", "m@", "m@v@w", "-m@v", "m@-v", "m v@x"])
def test_a_target_that_is_not_model_at_version(text: str) -> None:
    with pytest.raises(FleetInputError) as raised:
        parse_target(text)
    assert raised.value.problems == [f"--to {text!r} is not MODEL@VERSION; pass e.g. --to gpt-image-1.5@2026-03-10."]


Config = Callable[..., StackConfig]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """A single-region stack's config, read against the packaged catalog plus the target version."""
    catalog = load_catalog(catalog_with_new_version(tmp_path_factory.mktemp("catalog") / "catalog.json"))

    def make(name: str, **values: Any) -> StackConfig:
        return load_stack_config(
            stack_values(namePrefix=f"fleet-{name}", **values), name, today=TODAY, catalog=catalog
        )

    return make


def fleet(*waves: tuple[str, list[str]]) -> FleetFile:
    return parse_fleet({"waves": [{"name": n, "stacks": s} for n, s in waves]}, SRC)


def plan_problems(fleet_file: FleetFile, configs: dict[str, StackConfig], target: Target | None, **kw: Any) -> list[str]:
    with pytest.raises(FleetInputError) as raised:
        build_plan(fleet_file, configs, target, **kw)
    return raised.value.problems


TO_NEW = Target("gpt-image-1.5", NEW)


def test_the_plan_of_two_waves_and_its_documents(config: Config) -> None:
    configs = {
        "dev": config("dev", version=NEW),
        "staging": config("staging"),
        "prod-eu": config("prod-eu", location="swedencentral", environment="prod"),
        "prod-us": config("prod-us", model="gpt-image-2", version="2026-04-21"),
    }
    plan = build_plan(fleet(("dev", ["dev", "staging"]), ("production", ["prod-eu", "prod-us"])), configs, TO_NEW)
    assert [(w.name, w.index, w.github_environment, w.max_parallel) for w in plan.waves] == [
        ("dev", 1, "dev", 1),
        ("production", 2, "production", 1),
    ]
    dev, prod = plan.waves
    assert [(s.stack, s.current, s.change, s.rolls) for s in (*dev.stacks, *prod.stacks)] == [
        ("dev", f"gpt-image-1.5@{NEW}", "nothing", False),
        ("staging", f"gpt-image-1.5@{OLD}", "version", True),
        ("prod-eu", f"gpt-image-1.5@{OLD}", "version", True),
        ("prod-us", "gpt-image-2@2026-04-21", "model", True),
    ]
    eu = prod.stacks[0]
    assert eu.matrix_entry() == {
        "stack": "prod-eu",
        "wave": "production",
        "environment": "prod",
        "githubEnvironment": "production",
        "location": "swedencentral",
        "accountName": "fleet-prod-eu",
        "deployment": "gpt-image",
        "current": f"gpt-image-1.5@{OLD}",
        "target": f"gpt-image-1.5@{NEW}",
        "change": "version",
    }
    document = plan_to_dict(plan)
    assert (document["fleet"], document["target"]) == (SRC, f"gpt-image-1.5@{NEW}")
    assert document["waves"][0]["matrix"] == {"include": [dev.stacks[1].matrix_entry()]}
    assert document["waves"][1]["matrix"] == {"include": [s.matrix_entry() for s in prod.stacks]}
    assert document["waves"][1]["stacks"][0] == {
        **eu.matrix_entry(),
        "deployments": {"gpt-image": f"gpt-image-1.5@{OLD}"},
        "target": f"gpt-image-1.5@{NEW}",
        "change": "version",
    }
    assert {k: document["waves"][1][k] for k in ("name", "index", "githubEnvironment", "maxParallel")} == {
        "name": "production",
        "index": 2,
        "githubEnvironment": "production",
        "maxParallel": 1,
    }
    lines = github_outputs(plan, 3)
    assert [line.split("=", 1)[0] for line in lines] == ["plan", "waves", "wave1", "wave2", "wave3"]
    assert json.loads(lines[0].split("=", 1)[1]) == document
    assert lines[1] == "waves=2"
    assert json.loads(lines[3].split("=", 1)[1]) == document["waves"][1]
    assert lines[4] == "wave3="
    assert all("\n" not in line and ": " not in line for line in lines), "compact JSON, one line each"
    with pytest.raises(FleetInputError) as raised:
        github_outputs(plan, 1)
    assert raised.value.problems == [
        f"{SRC} has 2 waves but the workflow has jobs for 1; add a wave job to the workflow (docs/fleet.md) or merge waves."
    ]
    assert len(github_outputs(plan, 2)) == 4


def test_without_a_target_every_stack_is_shown_and_none_changes(config: Config) -> None:
    plan = build_plan(fleet(("dev", ["dev"])), {"dev": config("dev")}, None)
    (stack,) = plan.waves[0].stacks
    assert (plan.target, stack.target, stack.change, stack.rolls) == (None, None, None, True)
    assert (stack.matrix_entry()["target"], stack.matrix_entry()["change"]) == ("", "")


def test_every_problem_of_the_plan_at_once(config: Config) -> None:
    configs = {
        "dev": config("dev"),
        "qa": config("qa", account={"customSubdomain": "fleet-dev"}),
        "ops": config("ops", account={"customSubdomain": "fleet-dev"}),
        "lost": config("lost"),
        "open": config("open", candidate={"deployment": "gpt-image", "model": "gpt-image-1.5", "version": NEW, "capacity": 1}),
    }
    fleet_file = fleet(("dev", ["dev", "qa", "ops", "open"]), ("empty", []), ("dev", ["dev", "ghost", "broken"]))
    assert plan_problems(fleet_file, configs, None, invalid=["broken"], problems=["Pulumi.broken.yaml: bad."]) == [
        "Pulumi.broken.yaml: bad.",
        f"{SRC}: wave 'empty' has nothing to do: it lists no stacks.",
        f"{SRC}: stack 'dev' is in waves 'dev' and 'dev'; a stack belongs to one wave.",
        f"{SRC}: wave 'dev' names stack 'ghost', but there is no Pulumi.ghost.yaml; known stacks: broken, dev, lost, open, ops, qa.",
        f"{SRC}: stack 'lost' (Pulumi.lost.yaml) is in no wave; add it to one of the waves (dev, empty, dev).",
        f"{SRC}: wave 'dev' is listed twice; give each wave its own name.",
        "stacks 'dev', 'ops' and 'qa' share the account name 'fleet-dev' (imagegate:account.customSubdomain, default the namePrefix); give each stack its own.",
        "Pulumi.open.yaml has imagegate:candidate: a rollout of stack 'open' is unfinished; finish it or run `imagegate rollout abort --stack open` first.",
    ]


def test_unknown_stacks_with_no_stack_files_at_all() -> None:
    assert plan_problems(fleet(("dev", ["dev"])), {}, None) == [
        f"{SRC}: wave 'dev' names stack 'dev', but there is no Pulumi.dev.yaml; known stacks: none."
    ]


def test_two_stacks_sharing_an_account_are_named_as_a_pair(config: Config) -> None:
    configs = {"a": config("a", account={"customSubdomain": "shared"}), "b": config("b", account={"customSubdomain": "shared"})}
    assert plan_problems(fleet(("dev", ["a", "b"])), configs, None) == [
        "stacks 'a' and 'b' share the account name 'shared' (imagegate:account.customSubdomain, default the namePrefix); give each stack its own."
    ]


def test_a_wave_at_the_target_has_nothing_to_do_unless_one_of_its_stacks_is_unreadable(config: Config) -> None:
    configs = {"dev": config("dev", version=NEW), "qa": config("qa")}
    assert plan_problems(fleet(("dev", ["dev"]), ("qa", ["qa"])), configs, TO_NEW) == [
        f"{SRC}: wave 'dev' has nothing to do: every stack in it already serves gpt-image-1.5@{NEW}."
    ]
    # With a stack of the wave unreadable the problem is that stack's, not the wave's.
    assert plan_problems(
        fleet(("dev", ["dev", "broken"]), ("qa", ["qa"])), configs, TO_NEW, invalid=["broken"], problems=["bad"]
    ) == ["bad"]


def test_a_wave_key_that_is_not_known_and_a_date_where_a_number_belongs() -> None:
    # YAML reads an unquoted 2026-01-01 as a date: it is shown as written, not as Python's repr.
    assert refused({"waves": [{"name": "dev", "approvers": ["me"], "maxParallel": date(2026, 1, 1)}]}) == [
        f"{SRC}: waves[0].approvers: 'approvers' is not a known key; accepted: name, environment, maxParallel, stacks.",
        f"{SRC}: waves[0].maxParallel: 2026-01-01 is not a whole number in range; accepted: 1 to 256 (default 1).",
    ]


def test_a_fleet_file_with_a_character_yaml_does_not_allow(tmp_path: Path) -> None:
    # The YAML reader refuses control characters before parsing: there is no line and column to name.
    path = tmp_path / "fleet.yaml"
    path.write_text("waves: \x07\n", encoding="utf-8")
    with pytest.raises(FleetInputError) as raised:
        read_fleet_file(path)
    assert raised.value.problems == [f"{path} is not valid YAML; fix the file."]
