"""Every ``sh`` and ``python`` block of docs/*.md runs, in order, as a reader would paste them: in a copy of
the repository, with .venv/bin on PATH, against an emulator this test starts (examples/emulator.yaml) and
whose ``imagegate emulator env`` is loaded. The README's "drive it by hand" block runs as one script in a
real bash process with job control on, as in an interactive shell, and must leave nothing running.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docs.blocks import REPO, Block, blocks

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
BLOCK_TIMEOUT_S = 120
SKIP = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".imagegate",
    ".emulator",
    "reports",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "mutants",
    "tests",
)
RUNNABLE_DOCS = sorted(
    path.name
    for path in (REPO / "docs").glob("*.md")
    if any(b.kind in ("sh", "python") for b in blocks(path))
)


def _workspace(tmp_path: Path) -> Path:
    work = tmp_path / "repo"
    shutil.copytree(REPO, work, ignore=SKIP)
    # A clone after `scripts/test` has made .venv: the project's own, whose install stamp says it is
    # current for this pyproject.toml, so nothing reinstalls it from this copy.
    venv = BIN.parent
    digest = hashlib.sha256((work / "pyproject.toml").read_bytes()).hexdigest()
    assert (venv / ".imagegate-installed").read_text().strip() == digest, "run scripts/test to install"
    (work / ".venv").symlink_to(venv, target_is_directory=True)
    return work


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMAGEGATE_", "SMOKE_", "AZURE_OPENAI"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("SSL_CERT_FILE", None)
    env.pop("REQUESTS_CA_BUNDLE", None)
    return env


@pytest.fixture
def emulator_env(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    work = _workspace(tmp_path)
    env = _base_env()
    process = subprocess.Popen(
        [
            str(BIN / "imagegate"),
            "emulator",
            "serve",
            "--state-dir",
            ".emulator",
            "--config",
            "examples/emulator.yaml",
        ],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        exported = subprocess.run(
            [str(BIN / "imagegate"), "emulator", "env", "--wait", "30"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=40,
            check=True,
        ).stdout
        for line in exported.splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = shlex.split(value)[0]
        yield work, env
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _run_block(block: Block, work: Path, env: dict[str, str]) -> dict[str, str]:
    """Run one block; returns the environment it leaves (an `eval` in one block holds for the next)."""
    dump = work.parent / "env.dump"
    if block.kind == "python":
        script = work.parent / "block.py"
        script.write_text(block.source, encoding="utf-8")
        command = [str(BIN / "python"), str(script)]
    else:
        command = ["bash", "-c", f"set -euo pipefail\n{block.source}\nenv -0 > {shlex.quote(str(dump))}\n"]
    done = subprocess.run(
        command, cwd=work, env=env, capture_output=True, text=True, timeout=BLOCK_TIMEOUT_S, check=False
    )
    assert done.returncode == 0, (
        f"{block.where} ({block.kind}) exited {done.returncode}:\n"
        f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    if block.kind == "python" or not dump.exists():
        return env
    pairs = [item.split("=", 1) for item in dump.read_text().split("\0") if "=" in item]
    return {name: value for name, value in pairs}


@pytest.mark.parametrize("doc", RUNNABLE_DOCS)
def test_doc_examples_run(doc: str, emulator_env: tuple[Path, dict[str, str]]) -> None:
    work, env = emulator_env
    runnable = [b for b in blocks(REPO / "docs" / doc) if b.kind in ("sh", "python")]
    for block in runnable:
        env = _run_block(block, work, env)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_readme_drive_by_hand_block_works_pasted_into_bash(tmp_path: Path) -> None:
    (block,) = [b for b in blocks(REPO / "README.md") if b.kind == "sh"]
    assert len([line for line in block.source.splitlines() if line.strip()]) <= 10
    work = _workspace(tmp_path)
    # `set -m`: a pasted block runs in an interactive shell, where background jobs get Ctrl-C (SIGINT);
    # a plain `bash script` would start them with SIGINT ignored.
    script = f'set -m\n{block.source}\necho "EMULATOR_PID=$EMULATOR"\n'
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=work,
        env=_base_env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "PASSED" in output and "generate: attempt 1 throttled" in output
    assert "rollout: in-progress - Interrupted by SIGINT " in output  # names the signal and the step
    assert "; run the same command again to resume" in output
    assert "rollout: succeeded" in output
    report = json.loads((work / "rollout.json").read_text())
    assert report["status"] == "succeeded" and report["exitCode"] == 0
    assert (work / "smoke.html").is_file()
    pid = int(output.rsplit("EMULATOR_PID=", 1)[1].split()[0])
    deadline = time.monotonic() + 15
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)  # the emulator is not our child: poll its pid, bounded
    assert not _alive(pid), "the emulator is still running after the block's kill"
    assert not (work / ".emulator" / "emulator.json").exists()
