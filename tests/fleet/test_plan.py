"""`imagegate fleet plan` as a user runs it in a project folder: the waves in order, each stack read through
the stack model, the matrix a workflow takes with fromJSON, and every bad input reported at once, exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imagegate.cli import main
from tests.fleet.project import (
    NEW,
    OLD,
    SIX_STACKS,
    THREE_WAVES,
    catalog_with_new_version,
    project,
    stack_values,
    write_stack,
)

TARGET = f"gpt-image-1.5@{NEW}"
MATRIX_KEYS = {
    "stack",
    "wave",
    "environment",
    "githubEnvironment",
    "location",
    "accountName",
    "deployment",
    "current",
    "target",
    "change",
}


@pytest.fixture
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    catalog = catalog_with_new_version(tmp_path.parent / f"{tmp_path.name}-catalog.json")
    monkeypatch.setenv("IMAGEGATE_CATALOG", str(catalog))
    return project(tmp_path, SIX_STACKS, THREE_WAVES)


def plan_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["fleet", "plan", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_waves_come_in_the_fleet_file_order_with_every_stack_and_its_change(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_stack(
        fleet.parent,
        "prod-asia",
        stack_values(location="westus3", environment="prod", namePrefix="fleet-prod-asia", version=NEW),
    )
    plan = plan_json(capsys, "--to", TARGET)
    assert plan["fleet"] == "fleet.yaml" and plan["target"] == TARGET
    assert [(w["index"], w["name"], w["githubEnvironment"], w["maxParallel"]) for w in plan["waves"]] == [
        (1, "dev", "dev", 1),
        (2, "staging", "staging", 2),
        (3, "production", "production", 2),
    ]
    stacks = {s["stack"]: s for w in plan["waves"] for s in w["stacks"]}
    assert [s["stack"] for w in plan["waves"] for s in w["stacks"]] == [
        "dev",
        "staging-eu",
        "staging-us",
        "prod-eu",
        "prod-us",
        "prod-asia",
    ]
    assert stacks["staging-eu"] == {
        "stack": "staging-eu",
        "wave": "staging",
        "environment": "staging-eu",
        "githubEnvironment": "staging",
        "location": "swedencentral",
        "accountName": "fleet-stg-eu",
        "deployment": "gpt-image",
        "current": f"gpt-image-1.5@{OLD}",
        "deployments": {"gpt-image": f"gpt-image-1.5@{OLD}"},
        "target": TARGET,
        "change": "version",
    }
    # Defaults come from the stack model: environment = the stack name unless the file says otherwise.
    assert (stacks["staging-us"]["environment"], stacks["prod-us"]["environment"]) == ("staging", "prod")
    assert stacks["prod-us"]["githubEnvironment"] == "production-us"  # the per-stack override
    assert stacks["prod-asia"]["change"] == "nothing"
    production = plan["waves"][2]["matrix"]["include"]
    assert [e["stack"] for e in production] == ["prod-eu", "prod-us"]  # nothing to do for prod-asia


def test_each_wave_matrix_is_what_a_workflow_strategy_takes(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = plan_json(capsys, "--to", "gpt-image-2@2026-04-21")
    for wave in plan["waves"]:
        assert set(wave["matrix"]) == {"include"}
        for entry in wave["matrix"]["include"]:
            # Flat strings: `matrix.<key>` in the workflow, no nested object to unpack.
            assert set(entry) == MATRIX_KEYS and all(isinstance(v, str) for v in entry.values())
            assert entry["change"] == "model" and entry["target"] == "gpt-image-2@2026-04-21"
            assert entry["wave"] == wave["name"]


def test_the_github_output_lines_carry_one_wave_each(
    fleet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "github-output"
    out.write_text("earlier=1\n")
    plan = plan_json(capsys, "--to", TARGET, "--github-output", str(out), "--wave-jobs", "4")
    lines = out.read_text().splitlines()
    assert lines[0] == "earlier=1"  # appended, as $GITHUB_OUTPUT is
    values = dict(line.split("=", 1) for line in lines[1:])
    assert list(values) == ["plan", "waves", "wave1", "wave2", "wave3", "wave4"]
    assert json.loads(values["plan"]) == plan and values["waves"] == "3"
    assert [json.loads(values[f"wave{i}"]) for i in (1, 2, 3)] == plan["waves"]
    assert values["wave4"] == ""  # that wave job is skipped
    assert all("\n" not in v for v in values.values())


def test_without_a_target_the_plan_shows_what_each_stack_serves(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "plan"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Fleet plan (fleet.yaml)"
    assert out[1] == "wave 1 'dev': GitHub environment dev, up to 1 at a time"
    assert out[2] == f"  dev (dev, eastus2, account fleet-dev): gpt-image serves gpt-image-1.5@{OLD}"
    assert len(out) == 1 + 3 + 6


def test_more_waves_than_the_workflow_has_jobs_is_refused(
    fleet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "github-output"
    assert main(["fleet", "plan", "--to", TARGET, "--github-output", str(out), "--wave-jobs", "2"]) == 2
    assert problems(capsys) == [
        "fleet.yaml has 3 waves but the workflow has jobs for 2; add a wave job to the workflow "
        "(docs/fleet.md) or merge waves."
    ]
    assert not out.exists()


def problems(capsys: pytest.CaptureFixture[str]) -> list[str]:
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert "nothing was run" in lines[0]
    return [line.removeprefix("  - ") for line in lines[1:]]


def _no_wave(folder: Path) -> None:
    write_stack(folder, "qa", stack_values(namePrefix="fleet-qa"))


def _unknown(folder: Path) -> None:
    _edit_fleet(folder, lambda waves: waves[1]["stacks"].append("staging-ap"))


def _shared_account(folder: Path) -> None:
    write_stack(
        folder,
        "prod-asia",
        stack_values(
            environment="prod", namePrefix="fleet-prod-asia", account={"customSubdomain": "fleet-prod-eu"}
        ),
    )


def _empty_wave(folder: Path) -> None:
    _edit_fleet(folder, lambda waves: waves.insert(1, {"name": "canary", "stacks": []}))


def _all_there(folder: Path) -> None:
    for name in ("staging-eu", "staging-us"):
        values = {**SIX_STACKS[name]}
        values["deployments"] = [{**values["deployments"][0], "version": NEW}]
        write_stack(folder, name, values)


def _twice(folder: Path) -> None:
    _edit_fleet(folder, lambda waves: waves[2]["stacks"].append("dev"))


def _bad_stack_file(folder: Path) -> None:
    write_stack(
        folder, "prod-eu", stack_values(location="swedencentral", namePrefix="fleet-prod-eu", protect="maybe")
    )


def _unfinished(folder: Path) -> None:
    write_stack(
        folder,
        "dev",
        stack_values(
            namePrefix="fleet-dev",
            candidate={"deployment": "gpt-image", "model": "gpt-image-1.5", "version": NEW, "capacity": 1},
        ),
    )


def _bad_wave_keys(folder: Path) -> None:
    def edit(waves: list[dict[str, Any]]) -> None:
        waves[0]["maxParallel"] = 0
        waves[0]["approvers"] = ["me"]

    _edit_fleet(folder, edit)


def _edit_fleet(folder: Path, change: Any) -> None:
    import yaml

    path = folder / "fleet.yaml"
    document = yaml.safe_load(path.read_text())
    change(document["waves"])
    path.write_text(yaml.safe_dump(document, sort_keys=False))


BAD_INPUT = {
    "stack-in-no-wave": (
        _no_wave,
        [
            "fleet.yaml: stack 'qa' (Pulumi.qa.yaml) is in no wave; add it to one of the waves "
            "(dev, staging, production)."
        ],
    ),
    "unknown-stack": (
        _unknown,
        [
            "fleet.yaml: wave 'staging' names stack 'staging-ap', but there is no "
            "Pulumi.staging-ap.yaml; known stacks: dev, prod-asia, prod-eu, prod-us, staging-eu, staging-us."
        ],
    ),
    "shared-account-name": (
        _shared_account,
        [
            "stacks 'prod-asia' and 'prod-eu' share the account name 'fleet-prod-eu' "
            "(imagegate:account.customSubdomain, default the namePrefix); give each stack its own."
        ],
    ),
    "wave-without-stacks": (
        _empty_wave,
        ["fleet.yaml: wave 'canary' has nothing to do: it lists no stacks."],
    ),
    "wave-already-at-the-target": (
        _all_there,
        [
            "fleet.yaml: wave 'staging' has nothing to do: every stack in it already serves "
            f"gpt-image-1.5@{NEW}."
        ],
    ),
    "stack-in-two-waves": (
        _twice,
        ["fleet.yaml: stack 'dev' is in waves 'dev' and 'production'; a stack belongs to one wave."],
    ),
    "stack-file-with-problems": (
        _bad_stack_file,
        ["Pulumi.prod-eu.yaml: imagegate:protect: 'maybe' is not a boolean; accepted: true or false."],
    ),
    "unfinished-rollout": (
        _unfinished,
        [
            "Pulumi.dev.yaml has imagegate:candidate: a rollout of stack 'dev' is unfinished; "
            "finish it or run `imagegate rollout abort --stack dev` first."
        ],
    ),
    "bad-wave-keys": (
        _bad_wave_keys,
        [
            "fleet.yaml: waves[0].approvers: 'approvers' is not a known key; "
            "accepted: name, environment, maxParallel, stacks.",
            "fleet.yaml: waves[0].maxParallel: 0 is not a whole number in range; "
            "accepted: 1 to 256 (default 1).",
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_one_sentence_per_problem_and_exit_2(
    case: str, fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit, expected = BAD_INPUT[case]
    edit(fleet.parent)
    before = {p.name: p.read_bytes() for p in fleet.parent.iterdir()}
    assert main(["fleet", "plan", "--to", TARGET, "--json"]) == 2
    assert problems(capsys) == expected
    assert {p.name: p.read_bytes() for p in fleet.parent.iterdir()} == before  # nothing changed


def test_every_problem_is_reported_at_once(fleet: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("stack-in-no-wave", "unknown-stack", "shared-account-name", "wave-without-stacks"):
        BAD_INPUT[name][0](fleet.parent)
    assert main(["fleet", "plan", "--to", "not-a-target"]) == 2
    found = problems(capsys)
    assert found[0] == "--to 'not-a-target' is not MODEL@VERSION; pass e.g. --to gpt-image-1.5@2026-03-10."
    assert sorted(found[1:]) == sorted(
        [
            "fleet.yaml: stack 'qa' (Pulumi.qa.yaml) is in no wave; add it to one of the waves "
            "(dev, canary, staging, production).",
            BAD_INPUT["unknown-stack"][1][0].replace("prod-us, staging", "prod-us, qa, staging"),
            *BAD_INPUT["shared-account-name"][1],
            *BAD_INPUT["wave-without-stacks"][1],
        ]
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "fleet.yaml: the file holds no `waves:` list; see docs/fleet.md."),
        (
            "waves: {}\n",
            "fleet.yaml: waves: {} is not a list of waves; accepted: a non-empty list, in rollout order.",
        ),
        ("waves: [\n", "fleet.yaml is not valid YAML (line 2, column 1); fix the file."),
        (
            "waves:\n  - stacks: [dev]\n",
            "fleet.yaml: waves[0].name: (missing) is required; accepted: 1-31 lowercase letters, digits or "
            "hyphens, starting with a letter.",
        ),
    ],
    ids=["empty", "not-a-list", "not-yaml", "no-name"],
)
def test_a_broken_fleet_file_is_named(
    text: str, expected: str, fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet.write_text(text)
    assert main(["fleet", "plan"]) == 2
    assert problems(capsys) == [expected]


def test_a_missing_fleet_file_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["fleet", "plan", "--fleet", "fleets/none.yaml"]) == 2
    assert problems(capsys) == [
        "fleets/none.yaml does not exist; write it (docs/fleet.md) or pass --fleet FILE."
    ]


def test_the_repository_fleet_plans(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The shipped fleet.yaml covers the shipped stacks (a new Pulumi.<stack>.yaml must join a wave)."""
    from tests.fleet.project import REPO

    monkeypatch.chdir(REPO)
    plan = plan_json(capsys, "--to", TARGET)
    assert [(w["name"], [s["stack"] for s in w["stacks"]]) for w in plan["waves"]] == [
        ("dev", ["dev"]),
        ("production", ["prod"]),
    ]
