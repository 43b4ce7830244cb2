"""`up` for the emulator: evaluate the real ``infra`` program under Pulumi mocks, applying as it goes.

This is a local emulation of ``pulumi up``, not the Pulumi engine: there is no state file and no diff
engine; ARM itself is the state. Each run evaluates the program in a fresh ``contextvars.Context`` so the
Pulumi runtime's ambient settings (root stack, mocks) never leak between runs or into other code.
"""

from __future__ import annotations

import asyncio
import contextvars
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
from engine.mocks import ArmMocks, Identity

PROJECT = "imagegate"
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
        outputs = contextvars.Context().run(_evaluate, build, config, mocks, str(config.stack))
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


def _evaluate(build: Program, config: Any, mocks: ArmMocks, stack: str) -> dict[str, Any]:
    # Imported here: importing pulumi's runtime is slow and only `up` needs it.
    import pulumi
    from pulumi.runtime import set_mocks
    from pulumi.runtime.settings import SETTINGS, get_root_resource
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

    set_mocks(mocks, project=PROJECT, stack=stack, preview=False)
    _quiet_reported_failures(_ensure_event_loop())
    # Pending output tasks live in a process-wide set; a failed earlier run must not haunt this one.
    SETTINGS.outputs.clear()
    resolved: dict[str, Any] = {}

    def program() -> Any:
        returned = build(config)
        root = get_root_resource()
        exported = dict(getattr(root, "outputs", {}) or {})
        if isinstance(returned, Mapping):
            exported.update(returned)

        async def resolve() -> None:
            for key, value in exported.items():
                resolved[key] = await pulumi.Output.from_input(value).future()

        return resolve()

    try:
        _sync_await(run_pulumi_func(program))
    finally:
        SETTINGS.outputs.clear()
    return resolved


def _quiet_reported_failures(loop: asyncio.AbstractEventLoop) -> None:
    """After one resource fails, every later registration fails too and nobody awaits those futures.

    asyncio would print each one as "Future exception was never retrieved" with a traceback when it is
    garbage-collected; the first failure is already reported as one sentence, so drop the echoes.
    """

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if isinstance(context.get("exception"), EngineError):
            return
        loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


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
