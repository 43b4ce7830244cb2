"""Every documented default of a pool works: each pool stack of the matrix (the full one, one per optional
key of ``regions`` and ``gateway`` left out, the minimal one) is read by the one reader, resolves that key
to its default, and goes through `imagegate local preview` against the emulator (the real program, every
ARM body judged by the vendored specs)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator.testing import RunningEmulator, running_emulator
from imagegate.cli import main as imagegate_main
from infra.config import load_stack_config, load_stack_file, read_stack_file
from tests.stacks.pool_variants import (
    POOL_AT_DEFAULT,
    POOL_STACK,
    POOL_VARIANTS,
    pool_full_values,
    pool_keys,
    write_pool_stack,
)


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with running_emulator({"accounts": []}) as emu:
        yield emu


def test_the_pool_matrix_covers_every_optional_key_of_regions_and_gateway() -> None:
    assert len(pool_keys()) >= 15  # the table was read, not skipped
    assert set(POOL_AT_DEFAULT) <= set(pool_keys())
    assert load_stack_config(pool_full_values(), POOL_STACK).gateway is not None


@pytest.mark.parametrize("key", pool_keys())
def test_each_pool_variant_leaves_its_key_out_and_changes_what_the_reader_resolves(key: str) -> None:
    full, variant = POOL_VARIANTS["full"], POOL_VARIANTS[f"without-{key}"]
    assert variant != full
    if key in POOL_AT_DEFAULT:
        return
    assert load_stack_config(full, POOL_STACK) != load_stack_config(variant, POOL_STACK)


@pytest.mark.parametrize("variant", list(POOL_VARIANTS))
def test_every_pool_variant_is_read_whole_and_previewed(
    variant: str, emulator: RunningEmulator, tmp_path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_pool_stack(tmp_path, POOL_VARIANTS[variant])
    assert read_stack_file(config) == POOL_VARIANTS[variant]
    assert load_stack_file(config, POOL_STACK).gateway is not None
    monkeypatch.chdir(tmp_path)
    code = imagegate_main(
        ["local", "preview", "--stack", POOL_STACK, "--arm-endpoint", emulator.base_url,
         "--ca-bundle", str(emulator.ca_file)]
    )
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    assert "ApiManagementService" in out.out
