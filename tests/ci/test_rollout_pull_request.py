"""The rollout's Markdown summary becomes the body of the pull request rollout.yml opens, and the job
summaries link the uploaded reports. The workflow's own shell steps are run here with bash, with the
variables GitHub would set, so what they write is what a reviewer would read."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
SUMMARY = "reports/rollout-summary.md"


def jobs(name: str) -> dict[str, Any]:
    return yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())["jobs"]


def step(job: dict[str, Any], name_starts: str) -> dict[str, Any]:
    return next(s for s in job["steps"] if s.get("name", "").startswith(name_starts))


def run_step(found: dict[str, Any], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """bash -e, as GitHub runs a `run:` step on Linux (`bash --noprofile --norc -eo pipefail {0}`)."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", found["run"]],
        cwd=cwd,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def body_step_env(tmp_path: Path) -> dict[str, str]:
    """The step's `env:` with the expressions resolved as GitHub would for stack prod, run 4242."""
    values = {
        "${{ inputs.stack }}": "prod",
        "${{ github.run_id }}": "4242",
        "${{ runner.temp }}/pull-request-body.md": str(tmp_path / "runner-temp" / "pull-request-body.md"),
    }
    declared = step(jobs("rollout.yml")["pull-request"], "Write the pull request body")["env"]
    assert set(declared.values()) == set(values), "the body step's env changed; update this test"
    return {key: values[value] for key, value in declared.items()}


def test_the_rollout_writes_its_summary_where_the_pull_request_job_reads_it() -> None:
    rollout = jobs("rollout.yml")["rollout"]
    assert f"--summary-md {SUMMARY}" in step(rollout, "Rollout ")["run"]
    handed = step(rollout, "Hand the stack config")
    assert SUMMARY in handed["with"]["path"].splitlines()
    pull_request = jobs("rollout.yml")["pull-request"]
    body = step(pull_request, "Write the pull request body")
    assert SUMMARY in body["run"]
    opened = step(pull_request, "Open a pull request")
    assert opened["with"]["body-path"] == body["env"]["BODY"]
    assert "body" not in opened["with"]


def test_the_pull_request_body_carries_the_rollout_summary(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    (workspace / "reports").mkdir(parents=True)
    (tmp_path / "runner-temp").mkdir()
    summary = (
        "## Rollout prod: gpt-image-1.5@2025-12-16 -> gpt-image-2@2026-04-21\n\n"
        "| step | result |\n|---|---|\n| canary | passed |\n"
    )
    (workspace / SUMMARY).write_text(summary)
    env = body_step_env(tmp_path)
    result = run_step(
        step(jobs("rollout.yml")["pull-request"], "Write the pull request body"), workspace, env
    )
    assert result.returncode == 0, result.stderr
    assert Path(env["BODY"]).read_text() == (
        "Written by the rollout workflow run 4242; merge before the next deploy of prod.\n\n" + summary
    )


def test_without_a_summary_the_body_is_the_one_line(tmp_path: Path) -> None:
    """The summary may be missing (an older rollout command, a crash after the config was written) or empty:
    the pull request is still opened, with the line that says what to do."""
    for content in (None, ""):
        workspace = tmp_path / f"workspace-{content is None}"
        (workspace / "reports").mkdir(parents=True)
        if content is not None:
            (workspace / SUMMARY).write_text(content)
        (tmp_path / "runner-temp").mkdir(exist_ok=True)
        env = body_step_env(tmp_path)
        result = run_step(
            step(jobs("rollout.yml")["pull-request"], "Write the pull request body"), workspace, env
        )
        assert result.returncode == 0, result.stderr
        assert Path(env["BODY"]).read_text() == (
            "Written by the rollout workflow run 4242; merge before the next deploy of prod.\n"
        )


def test_a_hostile_input_stays_text_in_the_body(tmp_path: Path) -> None:
    """A stack name is a choice input today; the body step must still treat it as data, not code."""
    workspace = tmp_path / "workspace"
    (workspace / "reports").mkdir(parents=True)
    (tmp_path / "runner-temp").mkdir()
    env = {**body_step_env(tmp_path), "STACK": '$(touch pwned) `touch pwned2` "; touch pwned3'}
    result = run_step(
        step(jobs("rollout.yml")["pull-request"], "Write the pull request body"), workspace, env
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in workspace.iterdir()) == ["reports"]
    assert env["STACK"] in Path(env["BODY"]).read_text()


def test_each_job_summary_links_its_uploaded_reports(tmp_path: Path) -> None:
    url = "https://github.com/org/repo/actions/runs/4242/artifacts/99"
    cases = [
        (jobs("deploy.yml")["deploy-dev"], {}, f"Reports (preflight, smoke, JUnit): [reports-dev]({url})\n"),
        (
            jobs("deploy.yml")["deploy-prod"],
            {},
            f"Reports (preflight, smoke, JUnit): [reports-prod]({url})\n",
        ),
        (jobs("rollout.yml")["rollout"], {"STACK": "dev"}, f"Reports and journal: [rollout-dev]({url})\n"),
    ]
    for index, (job, extra, line) in enumerate(cases):
        link = step(job, "Link the reports")
        upload = next(s for s in job["steps"] if s.get("id") == "upload")
        assert link["env"]["ARTIFACT_URL"] == "${{ steps.upload.outputs.artifact-url }}"
        assert upload["if"] == "always()" and link["if"].startswith("always()")
        summary = tmp_path / f"summary-{index}.md"
        summary.write_text("smoke's own summary\n")
        result = run_step(link, tmp_path, {"ARTIFACT_URL": url, "GITHUB_STEP_SUMMARY": str(summary), **extra})
        assert result.returncode == 0, result.stderr
        # Appended after what smoke or the rollout wrote, never replacing it.
        assert summary.read_text() == "smoke's own summary\n" + line
