"""The example pipelines parse, use OIDC with no stored secrets, gate prod behind an environment, and only
call commands and options that exist in this repository."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from rollout.cli import rollout as rollout_group

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"


def load(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the bare key `on` as True.
    document["on"] = document.pop(True, document.get("on"))
    return document


def runs(document: dict[str, Any]) -> list[str]:
    return [step["run"] for job in document["jobs"].values() for step in job["steps"] if "run" in step]


def click_options(command: click.Command) -> set[str]:
    return {opt for param in command.params for opt in getattr(param, "opts", [])}


def preflight_command() -> click.Command:
    from preflight.cli import preflight

    return preflight


def smoke_run_command() -> click.Command:
    from smoke.cli import cli

    return cli.commands["run"]


@pytest.mark.parametrize("name", ["deploy.yml", "rollout.yml"])
def test_oidc_and_no_stored_secrets(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    document = load(name)
    assert "secrets." not in text
    logins = [
        (job, s)
        for job in document["jobs"].values()
        for s in job["steps"]
        if s.get("uses", "").startswith("azure/login@")
    ]
    assert logins and all(set(s["with"]) == {"client-id", "tenant-id", "subscription-id"} for _, s in logins)
    # The OIDC token is granted to the jobs that log in, not to the workflow (tests/ci checks the rest).
    assert all(job["permissions"]["id-token"] == "write" for job, _ in logins)


def test_deploy_pipeline_shape() -> None:
    document = load("deploy.yml")
    assert set(document["on"]) == {"pull_request", "push"} and document["on"]["push"]["branches"] == ["main"]
    jobs = document["jobs"]
    assert jobs["preview"]["strategy"]["matrix"]["stack"] == ["dev", "prod"]
    preview = " ".join(runs({"jobs": {"p": jobs["preview"]}}))
    assert jobs["preview"]["env"]["STACK"] == "${{ matrix.stack }}"
    assert 'pulumi preview --stack "$STACK" --policy-pack infra/policy' in preview
    assert jobs["deploy-dev"]["needs"] == "test" and jobs["deploy-prod"]["needs"] == "deploy-dev"
    assert jobs["deploy-prod"]["environment"] == "production"
    dev = [s.get("run", "") for s in jobs["deploy-dev"]["steps"]]
    order = [
        next(i for i, r in enumerate(dev) if key in r)
        for key in ("imagegate preflight", "pulumi up", "imagegate smoke run")
    ]
    assert order == sorted(order)
    assert any("junit-report" in s.get("uses", "") for s in jobs["deploy-dev"]["steps"])


def test_rollout_workflow_inputs() -> None:
    document = load("rollout.yml")
    inputs = document["on"]["workflow_dispatch"]["inputs"]
    assert {"stack", "target", "deployment", "retire_old", "dry_run", "resume_run_id", "abort"} <= set(inputs)
    assert inputs["target"]["required"] is True
    assert inputs["stack"]["options"] == ["dev", "prod"]
    assert document["jobs"]["rollout"]["environment"] == (
        "${{ inputs.stack == 'prod' && 'production' || 'dev' }}"
    )


def test_the_azure_native_provider_gets_oidc_settings() -> None:
    for name in ("deploy.yml", "rollout.yml"):
        env = load(name)["env"]
        assert env["ARM_USE_OIDC"] == "true"
        for key, var in (
            ("ARM_CLIENT_ID", "AZURE_CLIENT_ID"),
            ("ARM_TENANT_ID", "AZURE_TENANT_ID"),
            ("ARM_SUBSCRIPTION_ID", "AZURE_SUBSCRIPTION_ID"),
        ):
            assert env[key] == f"${{{{ vars.{var} }}}}"


def test_changes_to_one_stack_never_overlap() -> None:
    """deploy.yml's jobs and rollout.yml share one concurrency group per stack and never cancel an `up`."""
    jobs = load("deploy.yml")["jobs"]
    groups = {
        "dev": jobs["deploy-dev"]["concurrency"],
        "prod": jobs["deploy-prod"]["concurrency"],
    }
    rollout = load("rollout.yml")["concurrency"]
    for stack, group in groups.items():
        assert group == {"group": f"pulumi-{stack}", "cancel-in-progress": False}
        assert rollout["group"].replace("${{ inputs.stack }}", stack) == group["group"]
    assert rollout["cancel-in-progress"] is False
    # Pull-request runs may be superseded; runs on main never are.
    assert (
        load("deploy.yml")["concurrency"]["cancel-in-progress"]
        == "${{ github.event_name == 'pull_request' }}"
    )


def test_oidc_subjects_match_the_readme() -> None:
    """A job naming an environment presents `environment:<name>` as its OIDC subject, else the event."""
    jobs = load("deploy.yml")["jobs"]
    assert "environment" not in jobs["preview"]  # subject: pull_request
    assert (jobs["deploy-dev"]["environment"], jobs["deploy-prod"]["environment"]) == ("dev", "production")
    section = (REPO / "docs" / "ci.md").read_text()
    for subject in (
        "repo:<org>/<repo>:pull_request",
        "repo:<org>/<repo>:environment:dev",
        "repo:<org>/<repo>:environment:production",
    ):
        assert subject in section


def test_interrupted_rollouts_keep_their_journal_and_config_changes_reach_git() -> None:
    from rollout.journal import JOURNAL_NAME, default_journal_dir

    steps = load("rollout.yml")["jobs"]["rollout"]["steps"]
    upload = next(
        s
        for s in steps
        if s.get("uses", "").startswith("actions/upload-artifact@")
        and s["with"]["name"] == "rollout-${{ inputs.stack }}"
    )
    assert upload["if"] == "always()"
    assert upload["with"]["include-hidden-files"] is True
    journal_dir = default_journal_dir(REPO / "Pulumi.dev.yaml", "dev").relative_to(REPO)
    uploaded = upload["with"]["path"].splitlines()
    assert (
        f"{journal_dir}/{JOURNAL_NAME}".replace("/dev/", "/${{ inputs.stack }}/").replace(".json", "*.json")
        in uploaded
    )
    download = next(s for s in steps if s.get("uses", "").startswith("actions/download-artifact@"))
    assert download["with"]["name"] == upload["with"]["name"]
    assert download["with"]["run-id"] == "${{ inputs.resume_run_id }}"
    # The changed stack file reaches the job that opens the pull request (which holds no Azure token).
    handed = next(s for s in steps if s.get("name", "").startswith("Hand the stack config"))
    assert handed["if"] == "success() && !inputs.dry_run"
    assert "Pulumi.${{ inputs.stack }}.yaml" in handed["with"]["path"].splitlines()
    job = load("rollout.yml")["jobs"]["pull-request"]
    assert job["needs"] == "rollout" and job["if"] == "success() && !inputs.dry_run"
    taken = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/download-artifact@"))
    assert taken["with"] == {"name": handed["with"]["name"], "path": "."}
    pull_request = next(
        s for s in job["steps"] if s.get("uses", "").startswith("peter-evans/create-pull-request@")
    )
    assert pull_request["with"]["add-paths"] == "Pulumi.${{ inputs.stack }}.yaml"


def imagegate_command(words: list[str]) -> tuple[click.Command, list[str]]:
    """The click command that `imagegate <words>` runs, and the words after its name."""
    from imagegate.cli import cli

    command: click.Command = cli
    rest = list(words)
    ctx = click.Context(cli)
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        found = command.get_command(ctx, rest[0])
        assert found is not None, f"imagegate has no command {rest[0]!r} ({words})"
        command, rest = found, rest[1:]
    return command, rest


@pytest.mark.parametrize("name", ["deploy.yml", "rollout.yml"])
def test_commands_exist(name: str) -> None:
    """Every `imagegate ...` line of the workflow names a real command with options it has."""
    rollout_options = set().union(
        *(click_options(rollout_group.commands[c]) for c in ("plan", "run", "abort"))
    )
    checked = 0
    for block in runs(load(name)):
        for line in block.splitlines():
            words = shlex.split(line, comments=True) if line.strip() else []
            if ".venv/bin/imagegate" not in words:
                continue
            command, rest = imagegate_command(words[words.index(".venv/bin/imagegate") + 1 :])
            used = {w for w in rest if w.startswith("--")}
            assert used <= click_options(command), (line, used - click_options(command))
            checked += 1
        for option in re.findall(r"(?:args|reports)\+?=\(([^)]*)\)", block):
            used = {w for w in shlex.split(option) if w.startswith("--")}
            assert used <= rollout_options, used
            checked += 1
    assert (REPO / "infra" / "policy" / "PulumiPolicy.yaml").is_file()
    assert checked >= 2


def test_smoke_after_up_waits_for_fresh_deployments_as_the_readme_says() -> None:
    smokes = [run for run in runs(load("deploy.yml")) if "smoke run" in run]
    assert smokes and all("--not-found-wait 300" in run for run in smokes)
    smoke_doc = (REPO / "docs" / "smoke.md").read_text()
    section = smoke_doc[smoke_doc.index("## In CI") :]
    assert "`deploy.yml` passes `--not-found-wait 300" in section
    assert "does not pass `--not-found-wait`" not in section
