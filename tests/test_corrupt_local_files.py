"""Issue 12, finding 6: a corrupt local file gives one clear error and exit 2, never a traceback.

Each case runs the real ``imagegate`` command in a subprocess on a broken ``--outputs`` file, stack file,
rollout journal or emulator config, and checks that the exit code is 2, stderr holds no traceback and
names the file, and nothing in the folder changed. Before the fix a deeply nested ``--outputs`` file made
``smoke run`` print a RecursionError traceback and exit 1, which CI reads as "a deployment failed".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

DEEP_JSON = "[" * 100_000 + "]" * 100_000
BINARY = bytes(range(256)) * 4
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)

# case id -> (file name, content, command arguments with {file} and {dir})
CASES: dict[str, tuple[str, str | bytes, list[str]]] = {
    "outputs nested 100000 deep": ("outputs.json", DEEP_JSON, ["smoke", "run", "--outputs", "{file}"]),
    "outputs binary": ("outputs.json", BINARY, ["smoke", "run", "--outputs", "{file}"]),
    "outputs 5000-digit number": (
        "outputs.json",
        '{"deployments": ' + "9" * 5000 + "}",
        ["smoke", "run", "--outputs", "{file}"],
    ),
    "stack file nested deep (preflight)": (
        "Pulumi.dev.yaml",
        "config:\n  imagegate:x: " + DEEP_JSON + "\n",
        ["preflight", "--stack", "dev", "--config", "{file}"],
    ),
    "stack file binary (preflight)": (
        "Pulumi.dev.yaml",
        BINARY,
        ["preflight", "--stack", "dev", "--config", "{file}"],
    ),
    "stack file nested deep (rollout plan)": (
        "Pulumi.dev.yaml",
        "config:\n  imagegate:x: " + DEEP_JSON + "\n",
        [
            "rollout",
            "plan",
            "--stack",
            "dev",
            "--config",
            "{file}",
            "--to",
            "gpt-image-1.5@2025-12-16",
            "--journal-dir",
            "{dir}",
        ],
    ),
    "journal nested deep": (
        "rollout-journal.json",
        DEEP_JSON,
        ["rollout", "status", "--stack", "dev", "--config", "Pulumi.dev.yaml", "--journal-dir", "{dir}"],
    ),
    "journal binary": (
        "rollout-journal.json",
        BINARY,
        ["rollout", "status", "--stack", "dev", "--config", "Pulumi.dev.yaml", "--journal-dir", "{dir}"],
    ),
    "journal truncated": (
        "rollout-journal.json",
        '{"schemaVersion": 1, "plan": {',
        ["rollout", "status", "--stack", "dev", "--config", "Pulumi.dev.yaml", "--journal-dir", "{dir}"],
    ),
    "emulator config nested deep": (
        "emulator.yaml",
        "accounts: " + DEEP_JSON,
        ["emulator", "serve", "--config", "{file}", "--print-config"],
    ),
    "emulator config binary": (
        "emulator.yaml",
        BINARY,
        ["emulator", "serve", "--config", "{file}", "--print-config"],
    ),
    "emulator config billion laughs": (
        "emulator.yaml",
        LAUGHS,
        ["emulator", "serve", "--config", "{file}", "--print-config"],
    ),
    "emulator config .nan": (
        "emulator.yaml",
        "rpmPerCapacityUnit: .nan\n",
        ["emulator", "serve", "--config", "{file}", "--print-config"],
    ),
}


def _snapshot(folder: Path) -> dict[str, bytes]:
    # rollout.lock is an flock file the rollout keeps on purpose (the lock, not the file, is what counts).
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "rollout.lock"
    }


@pytest.mark.parametrize("case", list(CASES))
def test_a_corrupt_local_file_is_exit_2_without_a_traceback(tmp_path: Path, case: str) -> None:
    name, content, args = CASES[case]
    target = tmp_path / name
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content)
    before = _snapshot(tmp_path)
    command = [sys.executable, "-m", "imagegate", *(a.format(file=target, dir=tmp_path) for a in args)]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[1]
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    assert str(target) in result.stderr
    assert result.stderr.strip().splitlines()[0].lower().startswith("error: ")
    assert _snapshot(tmp_path) == before  # nothing changed, nothing written
