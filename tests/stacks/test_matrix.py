"""Every documented default works everywhere, the cheap half: each stack of the matrix (the full one, one
per optional key of docs/config.md left out, the minimal one) through `imagegate preflight` against the
emulator's ARM and `imagegate rollout plan` of a version and of a model-name upgrade. The expensive half
(local up, smoke, rollouts run, interrupted and aborted) is tests/stacks/test_matrix_e2e.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.testing import RunningEmulator, running_emulator
from imagegate.cli import main as imagegate_main
from infra.config import load_stack_config, read_stack_file
from tests.stacks.pool_variants import POOL_FEATURES, pool_keys
from tests.stacks.variants import (
    AT_DEFAULT,
    FEATURES,
    MODEL_TARGET,
    NEW_VERSION,
    STACK,
    VARIANTS,
    catalog_with_new_version,
    matrix_keys,
    optional_keys,
    write_stack,
)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningEmulator, Path]]:
    catalog = tmp_path_factory.mktemp("catalog") / "catalog.json"
    catalog.write_text(json.dumps(catalog_with_new_version()), encoding="utf-8")
    with running_emulator({"accounts": []}, catalog=catalog) as emu:
        yield emu, catalog


def test_the_matrix_covers_every_optional_key_of_the_docs() -> None:
    pool = set(pool_keys()) | {k for k in optional_keys() if k.startswith(tuple(POOL_FEATURES))}
    assert set(optional_keys()) == set(matrix_keys()) | set(FEATURES) | pool
    assert set(FEATURES) <= set(optional_keys()), "a FEATURES entry no longer in docs/config.md"
    assert len(matrix_keys()) >= 20  # the table was read, not skipped
    assert set(AT_DEFAULT) <= set(matrix_keys())


@pytest.mark.parametrize("key", matrix_keys())
def test_each_variant_leaves_its_key_out_and_changes_what_the_reader_resolves(key: str) -> None:
    """Else the variant would test nothing: the full stack must spell the key with a value of its own."""
    full, variant = VARIANTS["full"], VARIANTS[f"without-{key}"]
    assert variant != full
    if key in AT_DEFAULT:
        return
    resolved = {name: load_stack_config(values, STACK) for name, values in (("full", full), ("v", variant))}
    assert resolved["full"] != resolved["v"]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_preflight_and_both_rollout_plans(
    variant: str,
    emulator: tuple[RunningEmulator, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu, catalog = emulator
    monkeypatch.setenv("IMAGEGATE_CATALOG", str(catalog))
    config = write_stack(tmp_path, VARIANTS[variant])
    before = config.read_bytes()
    assert read_stack_file(config) == VARIANTS[variant]
    arm = ["--arm-endpoint", emu.base_url, "--ca-bundle", emu.ca_file]

    def run(*args: str) -> tuple[int, Any]:
        code = imagegate_main(list(args))
        return code, capsys.readouterr()

    code, out = run("preflight", "--stack", STACK, "--config", str(config), *arm)
    assert code == 0, out
    code, out = run("rollout", "plan", "--config", str(config), "--to", f"gpt-image-1.5@{NEW_VERSION}")
    assert code == 0, out
    assert "  current    : gpt-image-1.5@2025-12-16 (GlobalStandard, capacity 2)\n" in out.out
    code, out = run("rollout", "plan", "--config", str(config), "--to", MODEL_TARGET)
    assert code == 0, out
    assert "  activeDeployment: gpt-image -> gpt-image-2\n" in out.out
    assert "None" not in out.out
    assert config.read_bytes() == before
