"""The pipeline's security rules (docs/ci.md "Pipeline security"), read from the workflow files as GitHub
reads them: every action pinned to a commit, credentials never persisted, each job granted only the
permissions its steps use, and no expression expanded inside a shell script."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
PIN = re.compile(r"^(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40}) # (?P<version>v\d+\.\d+\.\d+)$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>.+?)\s*$")


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the bare key `on` as True.
    document["on"] = document.pop(True, document.get("on"))
    return document


def steps(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, job in load(path)["jobs"].items():
        for step in job.get("steps", []):
            yield name, step


def uses(step: dict[str, Any], action: str) -> bool:
    return str(step.get("uses", "")).startswith(f"{action}@")


def test_there_are_workflows_to_check() -> None:
    assert [p.name for p in WORKFLOWS] == ["deploy.yml", "fleet.yml", "rollout.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version_in_a_comment(path: Path) -> None:
    """A tag can be moved to other code; a commit SHA cannot. The comment is what Dependabot updates."""
    refs = [m["ref"] for line in path.read_text().splitlines() if (m := USES_LINE.match(line))]
    assert len(refs) == sum(1 for _, step in steps(path) if "uses" in step) > 0
    unpinned = [ref for ref in refs if not PIN.match(ref)]
    assert unpinned == []


def test_one_action_one_pin_across_the_pipeline() -> None:
    """Two SHAs (or two version comments) for one action mean a half-done bump."""
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in WORKFLOWS:
        for line in path.read_text().splitlines():
            if (m := USES_LINE.match(line)) and (pin := PIN.match(m["ref"])):
                pins.setdefault(pin["action"], set()).add((pin["sha"], pin["version"]))
    assert {action: len(found) for action, found in pins.items() if len(found) != 1} == {}
    assert set(pins) == {
        "actions/checkout",
        "actions/setup-python",
        "actions/upload-artifact",
        "actions/download-artifact",
        "azure/login",
        "mikepenz/action-junit-report",
        "pulumi/actions",
        "peter-evans/create-pull-request",
    }


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkouts_never_persist_the_token(path: Path) -> None:
    """A persisted token sits in .git/config, where any later step or uploaded artifact can read it."""
    checkouts = [step for _, step in steps(path) if uses(step, "actions/checkout")]
    assert checkouts and all(step.get("with", {}).get("persist-credentials") is False for step in checkouts)


def needed_permissions(job: dict[str, Any]) -> dict[str, str]:
    """What a job's steps use, by the table below; a job must be granted exactly this."""
    table: list[tuple[str, str, Any]] = [
        # (permission, level, the steps that need it)
        ("contents", "read", lambda s: uses(s, "actions/checkout")),
        ("contents", "write", lambda s: uses(s, "peter-evans/create-pull-request")),  # pushes the branch
        ("pull-requests", "write", lambda s: uses(s, "peter-evans/create-pull-request")),
        ("id-token", "write", lambda s: uses(s, "azure/login")),  # OIDC token exchanged for Azure tokens
        ("checks", "write", lambda s: uses(s, "mikepenz/action-junit-report")),
        # Another run's artifact (a journal to resume); this run's own artifacts need no permission.
        ("actions", "read", lambda s: uses(s, "actions/download-artifact") and "run-id" in s.get("with", {})),
    ]
    granted: dict[str, str] = {}
    for permission, level, needs in table:
        if any(needs(step) for step in job["steps"]) and granted.get(permission) != "write":
            granted[permission] = level
    return granted


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_granted_per_job_and_only_what_its_steps_use(path: Path) -> None:
    document = load(path)
    assert document["permissions"] == {}, "the workflow grants nothing; each job asks for its own"
    granted = {name: job.get("permissions") for name, job in document["jobs"].items()}
    assert granted == {name: needed_permissions(job) for name, job in document["jobs"].items()}


def test_the_permission_table_gives_what_the_issue_expects() -> None:
    """The table itself, held against the jobs as the pipeline is meant to be: Azure and repository
    write access never meet in one job."""
    jobs = {
        f"{path.stem}:{name}": job for path in WORKFLOWS for name, job in load(path)["jobs"].items()
    }
    with_azure = {name for name, job in jobs.items() if "id-token" in needed_permissions(job)}
    writes_repo = {name for name, job in jobs.items() if needed_permissions(job).get("contents") == "write"}
    assert with_azure == {
        "deploy:preview", "deploy:deploy-dev", "deploy:deploy-prod", "rollout:rollout",
        "fleet:wave1", "fleet:wave2", "fleet:wave3",
    }
    assert writes_repo == {"rollout:pull-request", "fleet:pull-request"}


UNTRUSTED = re.compile(r"\$\{\{\s*(github\.event|inputs|github\.head_ref)\b")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_is_expanded_inside_a_shell_script(path: Path) -> None:
    """`${{ }}` is pasted into the script before the shell parses it, so a crafted branch name or input
    runs as code. Values reach the shell through `env:`; this repository allows no expression in `run:`
    at all, and never the untrusted ones."""
    scripts = {
        f"{job}: {step.get('name', step['run'][:40])}": step["run"]
        for job, step in steps(path)
        if "run" in step
    }
    assert scripts
    assert {name: run for name, run in scripts.items() if UNTRUSTED.search(run)} == {}
    assert {name: run for name, run in scripts.items() if "${{" in run} == {}


def test_the_untrusted_pattern_catches_what_it_must() -> None:
    for bad in (
        'echo "${{ github.event.pull_request.title }}"',
        "git checkout ${{github.head_ref}}",
        "deploy --to ${{ inputs.target }}",
    ):
        assert UNTRUSTED.search(bad), bad
    assert not UNTRUSTED.search('echo "$TARGET"')


def test_dependabot_keeps_the_pins_and_the_python_dependencies_current() -> None:
    config = yaml.safe_load((REPO / ".github" / "dependabot.yml").read_text())
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"github-actions", "pip"}
    assert all(u["schedule"]["interval"] == "weekly" for u in updates.values())
    assert updates["github-actions"]["directory"] == "/"
    pip_dirs = updates["pip"]["directories"]
    assert {d for d in pip_dirs} == {"/", "/infra/policy"}
    assert (REPO / "pyproject.toml").is_file() and (REPO / "infra/policy/requirements.txt").is_file()
