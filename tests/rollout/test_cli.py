"""The command layer: what `scripts/rollout.py` prints, writes and exits with. The driver, smoke and
preflight are fakes here (the end-to-end tests use the real ones); everything else is the real CLI."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from imagegate.cli import main as imagegate_main
from rollout import cli, execute
from rollout.journal import StackLock
from tests.rollout.conftest import NEW_VERSION
from tests.rollout.fakes import FakeDriver, FakePreflight, FakeSmoker

REPO = Path(__file__).resolve().parents[2]
TARGET = f"gpt-image-1.5@{NEW_VERSION}"


def main(argv: list[str]) -> int:
    """The old one-command spelling, run through `imagegate rollout plan|run|abort` (same behaviour)."""
    words = ["plan"] if "--dry-run" in argv else ["abort"] if "--abort" in argv else ["run"]
    return imagegate_main(["rollout", *words, *(a for a in argv if a not in ("--dry-run", "--abort"))])


@pytest.fixture
def config(tmp_path: Path, catalog_file: Path) -> Path:
    shutil.copy(REPO / "tests" / "stacks" / "Pulumi.keyless.yaml", tmp_path)
    return tmp_path / "Pulumi.keyless.yaml"


@pytest.fixture
def no_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to build a driver (the only way to change the stack) fails the test."""

    def refuse(*args: Any) -> None:
        raise AssertionError("a driver was built")

    monkeypatch.setattr(execute, "_driver", refuse)


def fakes(monkeypatch: pytest.MonkeyPatch, config: Path, **smoker: Any) -> FakeDriver:
    from infra.config import read_stack_file

    driver = FakeDriver(read_stack_file(config))
    monkeypatch.setattr(execute, "_driver", lambda opts, stack, path: driver)
    monkeypatch.setattr(execute, "_smoker", lambda opts: FakeSmoker(**smoker))
    monkeypatch.setattr(execute, "_preflight", lambda opts, path: FakePreflight())
    return driver


def test_dry_run_prints_the_plan_and_changes_nothing(
    config: Path, no_driver: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = config.read_bytes()
    assert main(["--config", str(config), "--to", TARGET, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out == (
        "Rollout plan for stack 'keyless' (in-place-version):\n"
        "  deployment : gpt-image\n"
        "  current    : gpt-image-1.5@2025-12-16 (GlobalStandard, capacity 6)\n"
        f"  target     : {TARGET} as gpt-image (GlobalStandard, capacity 6)\n"
        "  activeDeployment: gpt-image (unchanged)\n"
        "  quota needed during the rollout (extra capacity): gpt-image-1.5/GlobalStandard 1\n"
        "  steps:\n"
        "    0. preflight: check quota, region, model and version before any change\n"
        f"    1. create-candidate: deploy gpt-image-candidate at {TARGET} with capacity 1\n"
        "    2. smoke-candidate: smoke gpt-image-candidate\n"
        f"    3. promote: update gpt-image in place from version 2025-12-16 to {NEW_VERSION} "
        "(capacity stays 6)\n"
        f"    4. smoke-stable: smoke gpt-image at {NEW_VERSION}\n"
        "    5. remove-candidate: remove gpt-image-candidate\n"
        "Dry run: nothing was changed.\n"
    )
    assert config.read_bytes() == before
    assert not (config.parent / ".imagegate" / "keyless" / "rollout-journal.json").exists()


def test_plan_is_printed_before_the_first_change(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    driver = fakes(monkeypatch, config)
    printed_at_first_up: list[str] = []
    original_up = driver.up

    def up() -> dict[str, Any]:
        printed_at_first_up.append(capsys.readouterr().out)
        return original_up()

    driver.up = up  # type: ignore[method-assign]
    assert main(["--config", str(config), "--to", TARGET]) == 0
    assert printed_at_first_up[0].startswith("Rollout plan for stack 'keyless' (in-place-version):\n")
    assert "    5. remove-candidate: remove gpt-image-candidate\n" in printed_at_first_up[0]


@pytest.mark.parametrize("words", [["run"], ["plan"]])
def test_a_model_name_upgrade_behind_the_gateway_is_refused_in_one_sentence_and_nothing_changes(
    tmp_path: Path, catalog_file: Path, no_driver: None, words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # prod serves gpt-image from three regions through the gateway's alias: a version upgrade goes through
    # the weighted canary (tests/rollout/test_traffic_rollout_e2e.py); a new model name is not wired yet.
    shutil.copy(REPO / "Pulumi.prod.yaml", tmp_path)
    config = tmp_path / "Pulumi.prod.yaml"
    before = config.read_bytes()
    assert imagegate_main(["rollout", *words, "--config", str(config), "--to", "gpt-image-2@2026-04-21"]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        "Error: A model-name upgrade behind the alias 'gpt-image' is not supported yet; "
        "upgrade gpt-image-1.5 to another version, or see docs/traffic-rollouts.md.\n"
    )
    assert config.read_bytes() == before
    assert not (tmp_path / ".imagegate" / "prod" / "rollout-journal.json").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--to", "gpt-image-1.5"],
            "--to 'gpt-image-1.5' is not MODEL@VERSION; pass e.g. --to gpt-image-1.5@2025-12-16 "
            "(model and version as in the model catalog).",
        ),
        (["--to", "dall-e-3@3"], "Model 'dall-e-3' is not in the model catalog"),
        (["--to", "gpt-image-1.5@2099-01-01"], "Version '2099-01-01' of gpt-image-1.5 is not in the model"),
        (
            ["--to", TARGET, "--deployment", "nope"],
            "Deployment 'nope' is not in stack 'keyless'; pass --deployment with one of: gpt-image.",
        ),
        (
            ["--to", "gpt-image-1.5@2025-12-16"],
            "Deployment 'gpt-image' already runs gpt-image-1.5@2025-12-16; nothing to roll out.",
        ),
        (["--abort"], "Stack 'keyless' has no unfinished rollout to abort."),
        (
            ["--to", TARGET, "--retire-old"],
            "--retire-old only applies to a model-name upgrade; a version upgrade keeps the deployment.",
        ),
        (
            ["--to", "gpt-image-1.5@2025-12-16", "--retire-old"],
            "Deployment 'gpt-image' already runs gpt-image-1.5@2025-12-16; --retire-old only acts during "
            "a rollout, so remove the old deployment from imagegate:deployments in Pulumi.keyless.yaml and "
            "run up.",
        ),
        (["--stack", "dev", "--to", TARGET], "--stack dev and --config "),
        (["--to", TARGET, "--driver", "local"], "--driver local needs --arm-endpoint URL"),
        (["--to", TARGET, "--json", "{config}/r.json"], "Cannot write the JSON report {config}/r.json; "),
        (["--to", TARGET, "--html", "{config}/r.html"], "Cannot write the HTML report {config}/r.html; "),
        (
            ["--to", TARGET, "--summary-md", "{config}/r.md"],
            "Cannot write the Markdown summary report {config}/r.md; ",
        ),
        (
            ["--to", TARGET, "--suite", "{config}.suite.yaml"],
            "Cannot read the prompt suite '{config}.suite.yaml' (No such file or directory); "
            "pass a readable YAML file.",
        ),
        ([], "Name the target with --to MODEL@VERSION, e.g. --to gpt-image-1.5@2025-12-16."),
    ],
)
def test_bad_input_is_one_sentence_exit_2_nothing_changed(
    config: Path, no_driver: None, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    before = config.read_bytes()
    args = [a.format(config=config) for a in args]
    assert main(["--config", str(config), *args]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"Error: {message.format(config=config)}")
    assert captured.err.count("\n") == 1
    assert "Traceback" not in captured.err + captured.out
    assert config.read_bytes() == before
    assert not (config.parent / ".imagegate" / "keyless" / "rollout-journal.json").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [],  # the default driver, with no Pulumi CLI on PATH
            "Error: The Pulumi CLI is not on PATH; install it (https://www.pulumi.com/docs/install/) and "
            "log in, or run the rollout against the emulator with --driver local.\n",
        ),
        (
            ["--driver", "local", "--arm-endpoint", "https://127.0.0.1:9/", "--auth", "key"],
            "Error: The API key variable $AZURE_OPENAI_API_KEY is not set or empty; export it or use Entra "
            "ID auth.\n",
        ),
    ],
)
def test_a_missing_tool_or_credential_is_exit_2_and_leaves_no_journal(
    config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    before = config.read_bytes()
    assert main(["--config", str(config), "--to", TARGET, *args]) == 2
    assert capsys.readouterr().err == message
    assert config.read_bytes() == before
    # No unfinished journal: the next run must start afresh, not "resume" a rollout that never began.
    assert not (config.parent / ".imagegate" / "keyless" / "rollout-journal.json").exists()


def test_missing_stack_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.chdir(tmp_path)
    assert main(["--stack", "keyless", "--to", TARGET]) == 2
    assert capsys.readouterr().err == (
        "Error: Pulumi.keyless.yaml does not exist; run from the project folder or pass --config FILE.\n"
    )


def test_a_rollout_in_progress_is_refused(
    config: Path, no_driver: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = config.read_bytes()
    with StackLock(config.parent / ".imagegate" / "keyless", "keyless"):
        code = main(["--config", str(config), "--to", TARGET])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: A rollout for stack 'keyless' is already in progress (pid ")
    assert err.endswith("); wait for it to finish.\n")
    assert config.read_bytes() == before


def test_resuming_with_another_target_is_refused(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from infra.config import read_stack_file
    from rollout.journal import Journal
    from rollout.plan import build_plan
    from rollout.target import parse_target

    fakes(monkeypatch, config)
    # An unfinished journal, as a killed run leaves it.
    Journal.begin(
        config.parent / ".imagegate" / "keyless",
        build_plan(read_stack_file(config), "keyless", parse_target(TARGET), "gpt-image"),
    )
    assert main(["--config", str(config), "--to", "gpt-image-2@2026-04-21"]) == 2
    assert capsys.readouterr().err == (
        f"Error: A rollout of stack 'keyless' to {TARGET} did not finish (in-progress); "
        f"run `imagegate rollout run --to {TARGET}` to resume it, "
        "or `imagegate rollout abort` to roll it back.\n"
    )


def test_post_promotion_failure_exits_1_with_both_smoke_reports_in_json_and_junit(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    driver = fakes(
        monkeypatch, config, fails=lambda name, running: running.endswith(NEW_VERSION) and name == "gpt-image"
    )
    report, junit = tmp_path / "out" / "rollout.json", tmp_path / "out" / "rollout.xml"
    code = main(["--config", str(config), "--to", TARGET, "--json", str(report), "--junit", str(junit)])
    assert code == 1
    out = capsys.readouterr().out
    assert "smoke gpt-image: FAILED - 1/2 checks failed\n" in out
    assert "smoke gpt-image: passed - 2/2 checks passed\n" in out
    assert driver.applied["deployments"][0]["version"] == "2025-12-16"

    data = json.loads(report.read_text())
    assert (data["status"], data["exitCode"], data["failedStep"]) == ("rolled-back", 1, "smoke-stable")
    assert [(s["deployment"], s["passed"]) for s in data["smokeReports"]] == [
        ("gpt-image-candidate", True),
        ("gpt-image", False),
        ("gpt-image", True),
    ]

    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("name") == f"rollout keyless -> {TARGET}"
    cases = {(c.get("classname"), c.get("name")): c for c in suite.iter("testcase")}
    assert list(cases) == [
        ("rollout.keyless.forward", "preflight"),
        ("rollout.keyless.forward", "create-candidate"),
        ("rollout.keyless.forward", "smoke-candidate"),
        ("rollout.keyless.forward", "promote"),
        ("rollout.keyless.forward", "smoke-stable"),
        ("rollout.keyless.rollback", "rollback-restore-version"),
        ("rollout.keyless.rollback", "rollback-smoke-stable"),
        ("rollout.keyless.rollback", "rollback-remove-candidate"),
    ]
    assert (suite.get("tests"), suite.get("failures")) == ("8", "1")
    failure = cases[("rollout.keyless.forward", "smoke-stable")].find("failure")
    assert failure is not None and failure.get("message") == "smoke failed on gpt-image: 1/2 checks failed"
    assert (
        cases[("rollout.keyless.rollback", "rollback-smoke-stable")]
        .findtext("system-out")
        .startswith("2/2 checks passed")
    )


def test_skip_preflight_is_recorded(config: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real_preflight = execute._preflight
    fakes(monkeypatch, config)
    monkeypatch.setattr(execute, "_preflight", real_preflight)  # --skip-preflight must pick NoPreflight
    report = tmp_path / "r.json"
    assert main(["--config", str(config), "--to", TARGET, "--skip-preflight", "--json", str(report)]) == 0
    preflight = json.loads(report.read_text())["steps"][0]
    assert (preflight["step"], preflight["detail"]) == ("preflight", "skipped (--skip-preflight)")


def test_help_documents_the_exit_codes() -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli.rollout, ["-h"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert (
        "Exit codes: 0 success; 1 failed and rolled back (or stopped by preflight before any change); "
        "2 usage error, nothing changed; 3 needs attention" in text
    )
    assert "Example usage:" in text
    run_help = " ".join(CliRunner().invoke(cli.rollout, ["run", "-h"]).output.split())
    assert "[env var: IMAGEGATE_ROLLOUT_DRIVER; default: pulumi]" in run_help
    assert "[env var: AZURE_SUBSCRIPTION_ID]" in run_help
    section = (REPO / "docs" / "rollout.md").read_text()
    for code in ("**0** success", "**1** failed and rolled back", "**2** usage", "**3** needs attention"):
        assert code in section


def test_readme_lists_every_option() -> None:
    section = (REPO / "docs" / "rollout.md").read_text()
    # The suite gate's and the evidence reports' options are documented in their own reference pages.
    section += "".join((REPO / "docs" / page).read_text() for page in ("prompt-suites.md", "reports.md"))
    options = {
        opt
        for command in cli.rollout.commands.values()
        for param in command.params
        for opt in getattr(param, "opts", [])
    }
    missing = sorted(opt for opt in options if f"`{opt}" not in section and f" {opt}`" not in section)
    assert missing == []
    for envvar in ("IMAGEGATE_ROLLOUT_DRIVER", "IMAGEGATE_ARM_ENDPOINT", execute.TEST_PAUSE_ENV):
        assert envvar in section


@pytest.mark.parametrize("option", ["--conflict-retries", "--conflict-wait"])
def test_negative_conflict_backoff_is_refused(
    config: Path, no_driver: None, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    assert main(["--config", str(config), "--to", TARGET, option, "-1"]) == 2
    err = capsys.readouterr().err
    assert f"Invalid value for '{option}': -1" in err and "is not in the range x>=0." in err


def test_the_script_under_a_python_without_the_dependencies_says_so_in_one_sentence() -> None:
    import subprocess
    import sys

    # -S: no site-packages, so click (and the rest) cannot be imported.
    done = subprocess.run(
        [sys.executable, "-S", str(REPO / "scripts" / "rollout.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    # The shim then runs the command with the project's .venv instead.
    assert done.returncode == 0, done.stderr
    assert "Usage: imagegate rollout" in done.stdout


def test_status_before_any_rollout_says_there_is_no_journal(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert imagegate_main(["rollout", "status", "--config", str(config)]) == 0
    assert capsys.readouterr().out == (
        "Stack 'keyless' has no rollout journal yet; `imagegate rollout plan` shows what one would do.\n"
    )


def test_status_prints_the_last_rollouts_steps_as_a_table(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes(monkeypatch, config)
    assert main(["--config", str(config), "--to", TARGET, "--skip-preflight"]) == 0
    capsys.readouterr()
    assert imagegate_main(["rollout", "status", "--config", str(config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"rollout of stack 'keyless': gpt-image -> {TARGET}"
    assert lines[1].startswith("status: succeeded")
    header = next(i for i, line in enumerate(lines) if line.startswith("when (UTC)"))
    assert lines[header].split() == ["when", "(UTC)", "phase", "step", "status", "detail"]
    steps = [line.split()[3] for line in lines[header + 1 : -1] if line.split()[4] == "succeeded"]
    assert steps == [
        "preflight",
        "create-candidate",
        "smoke-candidate",
        "promote",
        "smoke-stable",
        "remove-candidate",
    ]
    assert lines[-1] == f"journal: {config.parent / '.imagegate' / 'keyless' / 'rollout-journal.json'}"


@pytest.mark.parametrize(
    "variable, value, problem",
    [
        ("IMAGEGATE_CHECK_TIMEOUT", "soon", "'soon' is not a valid float range."),
        ("IMAGEGATE_CHECK_TIMEOUT", "0", "0.0 is not in the range x>=1."),
        ("SMOKE_CHECK_TIMEOUT", "-5", "-5.0 is not in the range x>=1."),
    ],
)
def test_a_bad_smoke_budget_in_the_environment_is_refused_before_any_change(
    config: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    problem: str,
) -> None:
    from infra.config import read_stack_file

    driver = FakeDriver(read_stack_file(config))
    monkeypatch.setattr(execute, "_driver", lambda opts, stack, path: driver)
    monkeypatch.setattr(execute, "_preflight", lambda opts, path: FakePreflight())
    monkeypatch.delenv("IMAGEGATE_CHECK_TIMEOUT", raising=False)
    monkeypatch.setenv(variable, value)
    before = config.read_text()
    assert main(["--config", str(config), "--to", TARGET]) == 2
    warning = (
        "warning: SMOKE_CHECK_TIMEOUT is deprecated; set IMAGEGATE_CHECK_TIMEOUT instead "
        "(the old name goes in the next release).\n"
        if variable == "SMOKE_CHECK_TIMEOUT"
        else ""
    )
    assert capsys.readouterr().err == (
        f"{warning}Usage: imagegate rollout run [OPTIONS]\nTry 'imagegate rollout run --help' for help.\n\n"
        f"Error: Invalid value for '--check-timeout' (env var: 'IMAGEGATE_CHECK_TIMEOUT'): {problem}\n"
    )
    assert driver.ups == [] and config.read_text() == before
    assert not (config.parent / ".imagegate" / "dev" / "rollout-journal.json").exists()
