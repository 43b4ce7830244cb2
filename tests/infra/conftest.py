"""Shared fixtures: the real stack files (and ``keyless``, the single-region keyless test stack), a fixed
'today', and the mock-runtime runner."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from engine.recording import ProgramRun, run_program
from infra.config import StackConfig, load_stack_config, read_stack_file

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 25)


KEYLESS = REPO / "tests" / "stacks" / "Pulumi.keyless.yaml"


def stack_values(stack: str) -> dict[str, Any]:
    path = KEYLESS if stack == "keyless" else REPO / f"Pulumi.{stack}.yaml"
    return copy.deepcopy(read_stack_file(path))


def stack_config(stack: str, **overrides: Any) -> StackConfig:
    values = stack_values(stack)
    values.update(overrides)
    return load_stack_config(values, stack, today=TODAY)


@pytest.fixture(scope="module")
def dev_run() -> ProgramRun:
    return run_program(stack_config("dev"))


@pytest.fixture(scope="module")
def prod_run() -> ProgramRun:
    return run_program(stack_config("prod"))


@pytest.fixture(scope="module")
def keyless_run() -> ProgramRun:
    return run_program(stack_config("keyless"))
