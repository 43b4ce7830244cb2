"""fleet.yml as GitHub reads it: a plan job, one matrix job per wave chained with `needs:`, each stack in
its environment and its `pulumi-<stack>` concurrency group, fail-fast off; the jobs read exactly the outputs
`imagegate fleet plan --github-output` writes and the artifact files the summary reads; every `imagegate`
line names a real command and options it has."""

from __future__ import annotations

import re
import shlex
from typing import Any

import click
import yaml

from fleet import summary
from fleet.cli import DEFAULT_WAVE_JOBS
from tests.fleet.project import REPO

WAVES = [f"wave{i}" for i in range(1, DEFAULT_WAVE_JOBS + 1)]


def workflow() -> dict[str, Any]:
    document = yaml.safe_load((REPO / ".github" / "workflows" / "fleet.yml").read_text())
    document["on"] = document.pop(True, document.get("on"))
    return document


def test_the_waves_chain_and_each_is_a_matrix_from_the_plan() -> None:
    jobs = workflow()["jobs"]
    assert list(jobs) == ["plan", *WAVES, "summary", "pull-request"]
    assert jobs["plan"]["outputs"] == {w: f"${{{{ steps.plan.outputs.{w} }}}}" for w in WAVES}
    for index, name in enumerate(WAVES):
        job = jobs[name]
        assert job["needs"] == ("plan" if index == 0 else ["plan", WAVES[index - 1]])
        assert job["if"] == f"needs.plan.outputs.{name} != ''"  # a fleet with fewer waves skips the job
        assert job["strategy"] == {
            "fail-fast": False,
            "max-parallel": f"${{{{ fromJSON(needs.plan.outputs.{name}).maxParallel }}}}",
            "matrix": f"${{{{ fromJSON(needs.plan.outputs.{name}).matrix }}}}",
        }
        assert job["environment"] == "${{ matrix.githubEnvironment }}"
        assert job["concurrency"] == {"group": "pulumi-${{ matrix.stack }}", "cancel-in-progress": False}
    for name in ("summary", "pull-request"):
        assert jobs[name]["needs"] == ["plan", *WAVES]
        assert jobs[name]["if"] == "always() && needs.plan.result == 'success'"


def test_the_matrix_keys_the_jobs_read_are_the_ones_the_plan_gives() -> None:
    from fleet.plan import StackPlan

    text = (REPO / ".github" / "workflows" / "fleet.yml").read_text()
    used = set(re.findall(r"matrix\.(\w+)", text))
    sample = StackPlan("s", "w", "e", "g", "l", "a", "d", "m@v", (), "m@w", "version")
    assert used and used <= set(sample.matrix_entry())


def test_the_plan_step_writes_the_outputs_and_the_summary_reads_the_artifacts() -> None:
    jobs = workflow()["jobs"]
    plan_step = next(s for s in jobs["plan"]["steps"] if s.get("id") == "plan")
    assert f"--wave-jobs {DEFAULT_WAVE_JOBS}" in plan_step["run"]
    assert '--github-output "$GITHUB_OUTPUT"' in plan_step["run"]
    for name in WAVES:
        steps = jobs[name]["steps"]
        rollout = next(s for s in steps if s.get("id") == "rollout")["run"]
        for produced in (f"reports/{summary.ROLLOUT_JSON}", f"reports/{summary.EXIT_CODE_FILE}"):
            assert produced in rollout
        assert 'cp "Pulumi.$STACK.yaml" reports/' in rollout
        smoke = next(s for s in steps if "smoke run" in s.get("run", ""))
        assert f"reports/{summary.SMOKE_JSON}" in smoke["run"]
        upload = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
        assert [(u["if"], u["with"]["name"]) for u in upload] == [
            ("always()", summary.artifact_name("${{ matrix.stack }}")),
            ("success()", "fleet-config-${{ matrix.stack }}"),  # only a finished rollout reaches the PR
        ]
    download = next(s for s in jobs["summary"]["steps"] if s.get("uses", "").startswith("actions/download"))
    assert download["with"] == {"pattern": "fleet-*", "path": "artifacts"}
    built = next(s for s in jobs["summary"]["steps"] if "fleet summary" in s.get("run", ""))
    assert "--plan artifacts/fleet-plan/fleet-plan.json --artifacts artifacts" in built["run"]


def imagegate_command(words: list[str]) -> tuple[click.Command, list[str]]:
    from imagegate.cli import cli

    command: click.Command = cli
    ctx = click.Context(cli)
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        found = command.get_command(ctx, words[0])
        assert found is not None, words
        command, words = found, words[1:]
    return command, words


def test_every_imagegate_line_names_a_real_command_and_its_options() -> None:
    checked = 0
    for job in workflow()["jobs"].values():
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                words = shlex.split(line, comments=True) if line.strip() else []
                if ".venv/bin/imagegate" not in words:
                    continue
                rest = words[words.index(".venv/bin/imagegate") + 1 :]
                rest = rest[: rest.index(">")] if ">" in rest else rest
                rest = rest[: rest.index("||")] if "||" in rest else rest
                command, args = imagegate_command(rest)
                options = {o for p in command.params for o in getattr(p, "opts", [])}
                assert {a for a in args if a.startswith("--")} <= options, line
                checked += 1
    assert checked == 2 + 2 * len(WAVES) + 1  # plan (2), rollout + smoke per wave, the summary


def test_no_job_with_an_azure_token_can_write_to_the_repository() -> None:
    jobs = workflow()["jobs"]
    for name, job in jobs.items():
        granted = job.get("permissions", {})
        assert not (granted.get("id-token") == "write" and granted.get("contents") == "write"), name
    assert workflow()["permissions"] == {}
