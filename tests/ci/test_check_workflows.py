"""scripts/check-workflows as CI runs it: zizmor (offline), actionlint and check-jsonschema's vendored GitHub
schemas, as real processes, on this repository's files and on copies with one regression each, which must fail
the named check and only that one."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "check-workflows"
TOOLS = [REPO / ".venv" / "bin" / tool for tool in ("zizmor", "check-jsonschema", "actionlint")]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not all(tool.is_file() for tool in TOOLS),
        reason="zizmor, actionlint or check-jsonschema is not in .venv (dev dependencies; run scripts/test)",
    ),
]

CHECKS = (
    "zizmor --offline --persona pedantic",
    "actionlint",
    "schema vendor.github-workflows: {root}/.github/workflows/deploy.yml",
    "schema vendor.github-workflows: {root}/.github/workflows/fleet.yml",
    "schema vendor.github-workflows: {root}/.github/workflows/rollout.yml",
    "schema vendor.dependabot: {root}/.github/dependabot.yml",
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=120, check=False, cwd=REPO
    )


def verdicts(stdout: str) -> dict[str, str]:
    """{check: PASS|FAIL} from the script's one line per check (the indented lines are tool output)."""
    lines = [line.split(" ", 1) for line in stdout.splitlines() if line[:5] in ("PASS ", "FAIL ")]
    return {
        check.split(":")[0] if check.startswith(("zizmor", "actionlint")) else check: verdict
        for verdict, check in lines
    }


def expected(root: str, failing: frozenset[str] = frozenset()) -> dict[str, str]:
    failed = {check.format(root=root) for check in failing}
    return {name: "FAIL" if name in failed else "PASS" for name in (c.format(root=root) for c in CHECKS)}


def test_this_repository_passes_every_check() -> None:
    result = run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert verdicts(result.stdout) == expected(".")
    assert len(result.stdout.splitlines()) == len(CHECKS)


def test_a_root_that_is_not_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    result = run(str(tmp_path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"usage: scripts/check-workflows [ROOT]  (ROOT must hold .github/workflows; got '{tmp_path}')"
    )


def replace(path: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        file = root / path
        text = file.read_text()
        assert old in text, f"{old!r} not in {path}: the regression below no longer applies"
        file.write_text(text.replace(old, new, count))

    return edit


DEPLOY = ".github/workflows/deploy.yml"
ROLLOUT = ".github/workflows/rollout.yml"
FLEET = ".github/workflows/fleet.yml"
ZIZMOR = frozenset({"zizmor --offline --persona pedantic"})
ACTIONLINT = frozenset({"actionlint"})
DEPLOY_SCHEMA = frozenset({"schema vendor.github-workflows: {root}/.github/workflows/deploy.yml"})
ROLLOUT_SCHEMA = frozenset({"schema vendor.github-workflows: {root}/.github/workflows/rollout.yml"})
DEPENDABOT_SCHEMA = frozenset({"schema vendor.dependabot: {root}/.github/dependabot.yml"})

REGRESSIONS = {
    # id: (edit, the checks that must fail, what the first failure's output names)
    "tag-instead-of-sha": (
        replace(
            DEPLOY,
            "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2",
            "actions/checkout@v4",
        ),
        ZIZMOR | ACTIONLINT,
        "unpinned-uses",
    ),
    "checkout-persists-credentials": (
        # The default (the option left out) persists the token. zizmor accepts an explicit `true` as
        # intended; tests/ci/test_workflows.py refuses that too.
        replace(DEPLOY, "        with:\n          persist-credentials: false\n", ""),
        ZIZMOR,
        "artipacked",
    ),
    "write-all-for-the-workflow": (
        replace(ROLLOUT, "permissions: {}", "permissions: write-all"),
        ZIZMOR,
        "excessive-permissions",
    ),
    "pull-request-title-in-shell": (
        replace(
            DEPLOY,
            "run: scripts/test -q",
            'run: echo "${{ github.event.pull_request.title }}" && scripts/test -q',
        ),
        ZIZMOR | ACTIONLINT,
        "template-injection",
    ),
    "input-in-shell": (
        replace(ROLLOUT, '--to "$TARGET"', '--to "${{ inputs.target }}"'),
        ZIZMOR,
        "template-injection",
    ),
    "unparseable-yaml": (
        replace(ROLLOUT, "    runs-on: ubuntu-latest\n", "    runs-on: [ubuntu-latest\n"),
        ZIZMOR | ROLLOUT_SCHEMA | ACTIONLINT,
        "rollout.yml",
    ),
    "misspelled-job-key": (
        replace(DEPLOY, "    needs: deploy-dev\n", "    need: deploy-dev\n"),
        DEPLOY_SCHEMA | ACTIONLINT,
        "need",
    ),
    # actionlint reads what the schema cannot: expressions against the contexts and outputs they name.
    "needs-output-that-the-plan-does-not-give": (
        replace(FLEET, "needs.plan.outputs.wave3).matrix", "needs.plan.outputs.wave4).matrix"),
        ACTIONLINT,
        "wave4",
    ),
    "needs-a-job-that-does-not-exist": (
        replace(FLEET, "    needs: [plan, wave2]\n", "    needs: [plan, wave-2]\n"),
        ACTIONLINT,
        "wave-2",
    ),
    "dependabot-bad-interval": (
        replace(".github/dependabot.yml", "interval: weekly", "interval: fortnightly"),
        ZIZMOR | DEPENDABOT_SCHEMA,
        "fortnightly",
    ),
    "dependabot-without-cooldown": (
        replace(".github/dependabot.yml", "    cooldown:\n      default-days: 7\n", "", count=2),
        ZIZMOR,
        "dependabot-cooldown",
    ),
}


@pytest.mark.parametrize("regression", sorted(REGRESSIONS))
def test_a_regression_fails_its_check(regression: str, tmp_path: Path) -> None:
    edit, failing, named = REGRESSIONS[regression]
    shutil.copytree(REPO / ".github", tmp_path / ".github")
    edit(tmp_path)
    result = run(str(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert verdicts(result.stdout) == expected(str(tmp_path), failing)
    failed_at = result.stdout.index("FAIL ")
    assert named in result.stdout[failed_at:]


def test_a_missing_dependabot_config_fails(tmp_path: Path) -> None:
    shutil.copytree(REPO / ".github", tmp_path / ".github")
    (tmp_path / ".github" / "dependabot.yml").unlink()
    result = run(str(tmp_path))
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == (
        f"FAIL dependabot: {tmp_path}/.github/dependabot.yml is missing (it keeps the pinned actions current)"
    )
