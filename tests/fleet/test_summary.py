"""`imagegate fleet summary` from artifact folders as the workflow downloads them: every stack of the plan
gets a row with its model@version before and after, its verdict, time, smoke after and a link; the page is
written as Markdown ($GITHUB_STEP_SUMMARY too) and HTML."""

from __future__ import annotations

import json
import re
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

BEFORE, AFTER = f"gpt-image-1.5@{OLD}", f"gpt-image-1.5@{NEW}"
RUN_URL = "https://github.com/acme/images/actions/runs/42"


@pytest.fixture
def artifacts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """A plan (prod-asia already at the target) and the artifacts of a run whose staging wave failed."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IMAGEGATE_CATALOG", str(catalog_with_new_version(tmp_path / "catalog.json")))
    project(tmp_path, SIX_STACKS, THREE_WAVES)
    asia = stack_values(location="westus3", environment="prod", namePrefix="fleet-prod-asia", version=NEW)
    write_stack(tmp_path, "prod-asia", asia)
    assert main(["fleet", "plan", "--to", AFTER, "--json"]) == 0
    downloaded = tmp_path / "artifacts"
    (downloaded / "fleet-plan").mkdir(parents=True)
    (downloaded / "fleet-plan" / "fleet-plan.json").write_text(capsys.readouterr().out)
    stack(
        downloaded,
        "dev",
        rollout("succeeded", "Stack 'dev' now serves it.", 100.0, 172.4),
        version=NEW,
        smoke={"passed": True, "counts": {"passed": 3, "failed": 0, "skipped": 0}},
    )
    stack(
        downloaded,
        "staging-eu",
        rollout("rolled-back", "Rolled back <after> | 'smoke-candidate'.", 5, 16),
        smoke={"passed": True, "counts": {"passed": 3}},
    )
    stack(downloaded, "staging-us", None, exit_code=2)
    (downloaded / "fleet-stack-prod-us").mkdir()  # the job started and died before the rollout wrote
    return downloaded


def rollout(status: str, message: str, start: float, end: float) -> dict[str, Any]:
    events = [
        {"at": start, "step": "preflight", "status": "started"},
        {"at": end, "step": "x", "status": status},
    ]
    return {"stack": "s", "status": status, "message": message, "exitCode": 0, "events": events}


def stack(
    root: Path,
    name: str,
    report: dict[str, Any] | None,
    *,
    version: str = OLD,
    smoke: dict[str, Any] | None = None,
    exit_code: int = 0,
) -> None:
    folder = root / f"fleet-stack-{name}"
    folder.mkdir(parents=True)
    (folder / "rollout-exit-code").write_text(f"{exit_code}\n")
    if report is not None:
        (folder / "rollout.json").write_text(json.dumps(report))
    if smoke is not None:
        (folder / "smoke.json").write_text(json.dumps(smoke))
    write_stack(
        folder,
        name,
        {**SIX_STACKS[name], "deployments": [{**SIX_STACKS[name]["deployments"][0], "version": version}]},
    )


def summarise(artifacts: Path, *extra: str) -> int:
    return main(
        [
            "fleet",
            "summary",
            "--plan",
            str(artifacts / "fleet-plan" / "fleet-plan.json"),
            "--artifacts",
            str(artifacts),
            "--html",
            "page.html",
            "--summary-md",
            "page.md",
            *extra,
        ]
    )


def rows(markdown: str) -> list[list[str]]:
    table = [line for line in markdown.splitlines() if line.startswith("|")]
    return [[c.strip() for c in line.strip("|").split("|")] for line in table]


def test_every_stack_of_the_plan_gets_its_verdict(
    artifacts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    step_summary = tmp_path / "step-summary.md"
    step_summary.write_text("earlier job output\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    assert summarise(artifacts, "--run-url", RUN_URL) == 0
    markdown = (tmp_path / "page.md").read_text()
    assert step_summary.read_text() == "earlier job output\n" + markdown
    assert markdown.splitlines()[0] == f"## Fleet rollout to {AFTER}"
    assert "6 stacks: 1 succeeded, 1 rolled back, 2 failed, 1 not started, 1 unchanged." in markdown
    link = "[fleet-stack-{}](" + RUN_URL + ")"
    assert rows(markdown) == [
        ["wave", "stack", "environment", "before", "after", "verdict", "time", "smoke after", "links"],
        ["---"] * 9,
        [
            "dev",
            "dev",
            "dev",
            BEFORE,
            AFTER,
            "succeeded: Stack 'dev' now serves it.",
            "1 min 12 s",
            "passed (3 passed)",
            link.format("dev"),
        ],
        [
            "staging",
            "staging-eu",
            "staging-eu",
            BEFORE,
            BEFORE,
            "**rolled back**: Rolled back &lt;after&gt; / 'smoke-candidate'.",
            "11 s",
            "passed (3 passed)",
            link.format("staging-eu"),
        ],
        [
            "staging",
            "staging-us",
            "staging",
            BEFORE,
            BEFORE,
            "**failed**: the rollout command exited 2 before writing its report",
            "",
            "",
            link.format("staging-us"),
        ],
        [
            "production",
            "prod-eu",
            "prod",
            BEFORE,
            BEFORE,
            "**not started**: an earlier wave failed, or the run was cancelled",
            "",
            "",
            "",
        ],
        [
            "production",
            "prod-us",
            "prod",
            BEFORE,
            BEFORE,
            "**failed**: the job ended before the rollout ran",
            "",
            "",
            link.format("prod-us"),
        ],
        ["production", "prod-asia", "prod", AFTER, AFTER, f"unchanged: already serves {AFTER}", "", "", ""],
    ]


def test_the_html_page_holds_the_same_rows_escaped(artifacts: Path, tmp_path: Path) -> None:
    assert summarise(artifacts) == 0
    page = (tmp_path / "page.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and f"<title>Fleet rollout to {AFTER}</title>" in page
    found = re.findall(r'<tr class="(\w+)" data-stack="([^"]+)">(.*?)</tr>', page)
    assert [(kind, name) for kind, name, _ in found] == [
        ("good", "dev"),
        ("bad", "staging-eu"),
        ("bad", "staging-us"),
        ("idle", "prod-eu"),
        ("bad", "prod-us"),
        ("good", "prod-asia"),
    ]
    cells = {name: re.findall(r"<td>(.*?)</td>", body) for _, name, body in found}
    assert cells["staging-eu"][5] == (
        "<strong>rolled back</strong><br>Rolled back &lt;after&gt; | &#x27;smoke-candidate&#x27;."
    )
    assert cells["dev"][3:5] == [BEFORE, AFTER] and cells["dev"][8] == "fleet-stack-dev"  # no run URL given


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{", "cannot be read as JSON"),
        ('{"waves": 3}', "is not a fleet plan; pass the JSON `imagegate fleet plan --json` printed."),
        (
            '{"waves": [{"stacks": [{}]}]}',
            "is not a fleet plan; pass the JSON `imagegate fleet plan --json` printed.",
        ),
    ],
    ids=["not-json", "waves-not-a-list", "stack-without-fields"],
)
def test_a_file_that_is_not_a_plan_is_refused(
    content: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(content)
    assert main(["fleet", "summary", "--plan", str(plan), "--artifacts", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(plan) in err and expected in err
