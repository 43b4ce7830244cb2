"""The one `imagegate` command as a user meets it: every level's --help teaches and loads nothing heavy,
the old spellings say where they went, and a plain (non-editable) install works without scripts/."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from imagegate.cli import SUBCOMMANDS, cli
from tests.command.commands import EVERY_COMMAND

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pulumi", "azure.mgmt", "azure.identity")


def test_the_root_help_lists_every_command_with_its_one_line_purpose() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("smoke", "preflight", "rollout", "emulator", "local", "fleet", "demo"):
        assert f"  {name}" in result.output
    assert list(SUBCOMMANDS) == ["smoke", "preflight", "rollout", "emulator", "local", "fleet", "demo"]
    assert "Example usage:" in result.output


@pytest.mark.parametrize("words", EVERY_COMMAND, ids=" ".join)
def test_every_command_help_has_examples(words: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*words, "-h"])
    assert result.exit_code == 0, result.output
    assert "Example usage:" in result.output
    assert f"imagegate {' '.join(words)}" in result.output  # the examples use the one spelling


@pytest.mark.parametrize(
    "words",
    [("smoke", "run"), ("rollout", "run"), ("local", "up"), ("demo",), ("preflight",), ("fleet", "run")],
    ids=" ".join,
)
def test_help_imports_no_pulumi_or_azure_sdk(words: tuple[str, ...]) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "imagegate", *words, "--help"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert [m for m in imported if m.startswith(HEAVY)] == []


def test_emulator_serve_takes_the_emulators_own_options() -> None:
    done = subprocess.run([sys.executable, "-m", "imagegate", "emulator", "serve", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.startswith("usage: imagegate emulator serve")
    assert "--state-dir DIR" in done.stdout


def test_python_m_emulator_up_is_gone_and_says_what_replaces_it() -> None:
    done = subprocess.run([sys.executable, "-m", "emulator", "up", "--stack", "dev"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == (
        "Error: `python -m emulator up` is gone; use `imagegate local up --stack NAME` (same options).\n"
    )


@pytest.mark.parametrize("flag,word", [("--dry-run", "plan"), ("--abort", "abort")])
def test_the_rollout_shims_old_flags_work_with_a_one_line_note(flag: str, word: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "rollout.py"), "--config", str(tmp_path / "Pulumi.x.yaml"),
         flag],
        capture_output=True, text=True, timeout=60,
    )
    assert done.stderr.splitlines()[0] == (
        f"note: `rollout.py {flag}` is now `imagegate rollout {word}`; "
        "the old spelling goes in the next release."
    )
    assert done.returncode == 2  # then the real command: the missing stack file is a usage error
    assert "Pulumi.x.yaml does not exist" in done.stderr


@pytest.fixture(scope="module")
def plain_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A non-editable `pip install` of the project, with no scripts/ and no tests/ in it."""
    root = tmp_path_factory.mktemp("plain")
    # From a copy, so setuptools' build folder never lands in the working tree.
    source = root / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "tests", "reports", ".imagegate", "__pycache__", "mutants"))
    target = root / "site"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr
    assert not (target / "scripts").exists()
    return target


def test_a_plain_install_works_without_the_source_tree(plain_install: Path, tmp_path: Path) -> None:
    probe = (
        "import catalog, imagegate, smoke;"
        "print(catalog.DEFAULT_CATALOG_PATH.is_file(), catalog.DEFAULT_CATALOG_PATH, imagegate.__file__)"
    )
    env = {"PYTHONPATH": str(plain_install), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-P", "-c", probe], capture_output=True, text=True, timeout=60,
                          env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    exists, catalog_path, module = done.stdout.split()
    assert exists == "True"
    assert catalog_path.startswith(str(plain_install)) and module.startswith(str(plain_install))
    help_run = subprocess.run([sys.executable, "-P", "-m", "imagegate", "rollout", "plan", "--help"],
                              capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert help_run.returncode == 0, help_run.stderr


@pytest.mark.slow
def test_a_rollout_from_a_plain_install_is_judged_by_its_preflight(
    plain_install: Path, tmp_path: Path
) -> None:
    # The rollout's preflight gate once ran scripts/preflight.py, which an installed package does not have:
    # every rollout stopped with "can't open file". Here preflight must run and name the real blocker.
    from emulator.testing import running_emulator
    from tests.rollout.conftest import NEW_VERSION, override_catalog_data

    catalog_file = tmp_path / "catalog.json"
    catalog_file.write_text(json.dumps(override_catalog_data()), encoding="utf-8")
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    with running_emulator({"accounts": []}, catalog=catalog_file) as emu:
        env = {"PYTHONPATH": str(plain_install), "PATH": "/usr/bin:/bin",
               "IMAGEGATE_CATALOG": str(catalog_file)}
        done = subprocess.run(
            [sys.executable, "-P", "-m", "imagegate", "rollout", "run", "--stack", "dev",
             "--to", f"gpt-image-1.5@{NEW_VERSION}", "--capacity", "8", "--driver", "local",
             "--arm-endpoint", emu.base_url, "--ca-bundle", str(emu.ca_file)],
            capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
        )
    assert done.returncode == 1, done.stdout + done.stderr
    failed = next(line for line in done.stdout.splitlines() if line.startswith("[0/5] preflight: FAILED"))
    assert "gpt-image-candidate: OpenAI.GlobalStandard.gpt-image-1.5 in eastus2: needs 10" in failed
    assert "(InsufficientQuota)" in failed
    assert "rollout: failed-before-change" in done.stdout
