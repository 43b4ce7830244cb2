"""`up` for the emulator: evaluate the real ``infra`` program under Pulumi mocks, applying as it goes.

This is a local emulation of ``pulumi up``, not the Pulumi engine: there is no state file and no diff
engine; ARM itself is the state. The program runs through ``engine.mock_runtime``, as in the tests.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.applier import Applier, Change, ChangeListener
from engine.arm_client import ArmClient
from engine.errors import EngineError, EngineUsageError
from engine.mock_runtime import evaluate
from engine.mocks import ArmMocks, Identity

Program = Callable[[Any], Any]


@dataclass(frozen=True)
class UpResult:
    changes: tuple[Change, ...]
    outputs: Mapping[str, Any]

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def summary(self) -> str:
        parts = [f"{self.count(a)} {a}" for a in ("created", "updated", "unchanged", "deleted")]
        return ", ".join(parts)


def default_program() -> Program:
    from infra.program import build  # the engine's one dependency on infra, loaded only when run

    return build


def run_up(
    config: Any,
    arm: ArmClient,
    *,
    identity: Identity,
    program: Program | None = None,
    on_change: ChangeListener | None = None,
    preview: bool = False,
) -> UpResult:
    """Apply the stack ``config`` (an ``infra.config.StackConfig``) to ARM; raises :class:`EngineError`.

    With ``preview`` nothing is written: the changes say what `up` would do.
    """
    _, result = _run(config, arm, identity=identity, program=program, on_change=on_change, preview=preview)
    return result


def run_destroy(
    config: Any,
    arm: ArmClient,
    *,
    identity: Identity,
    program: Program | None = None,
    on_change: ChangeListener | None = None,
) -> UpResult:
    """Delete what the program declares for this stack, in reverse dependency order (as declared)."""
    applier, _ = _run(config, arm, identity=identity, program=program, on_change=None, preview=True)
    destroyer = Applier(arm, on_change)
    destroyer.destroy(applier.requests)
    return UpResult(tuple(destroyer.changes), {})


def _run(
    config: Any,
    arm: ArmClient,
    *,
    identity: Identity,
    program: Program | None,
    on_change: ChangeListener | None,
    preview: bool,
) -> tuple[Applier, UpResult]:
    applier = Applier(arm, on_change, preview=preview)
    mocks = ArmMocks(applier, arm, identity, location=config.location)
    build = program or default_program()
    try:
        outputs = evaluate(lambda: build(config), mocks, stack=str(config.stack), quiet=(EngineError,))
    except Exception:
        # Pulumi re-raises whichever registration failed last; the first ARM failure is the real story.
        if mocks.failure is not None:
            raise mocks.failure from None
        raise
    if mocks.failure is not None:
        raise mocks.failure
    for account_id in mocks.accounts:
        applier.delete_undeclared_deployments(account_id, mocks.declared_deployments(account_id))
    return applier, UpResult(tuple(applier.changes), outputs)


def default_outputs_path(config_path: Path, stack: str) -> Path:
    return config_path.resolve().parent / ".imagegate" / stack / "outputs.json"


def write_outputs(path: Path, outputs: Mapping[str, Any]) -> None:
    """Write atomically, so a reader (smoke, rollout) never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".outputs-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(outputs, handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise EngineUsageError(
            f"Cannot write the stack outputs to {path}: {exc.strerror}; choose another --outputs."
        ) from exc
