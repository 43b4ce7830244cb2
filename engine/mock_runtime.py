"""The one module that touches Pulumi's runtime internals: evaluate a program under mocks.

Both the local engine (``engine.runner``: mocks that apply to ARM) and the tests and benchmarks
(``engine.recording``: mocks that record and answer as ARM would) run the program through
:func:`evaluate`. Each evaluation runs in a fresh ``contextvars.Context`` with ``preview=False`` (with
``preview=True`` unresolved outputs would let a failing assertion pass silently), so the runtime's
ambient settings (root stack, mocks, config) never leak between runs or into other code.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Mapping
from typing import Any

PROJECT = "imagegate"


def evaluate(
    program: Callable[[], Any],
    mocks: Any,
    *,
    stack: str,
    monitor: Any | None = None,
    config: Mapping[str, str] | None = None,
    quiet: tuple[type[BaseException], ...] = (),
) -> dict[str, Any]:
    """Run ``program()`` under ``mocks`` and return every export resolved: the root stack's outputs
    (``pulumi.export``) plus the mapping ``program`` returns, if any.

    ``monitor`` replaces Pulumi's mock monitor (to see registration options); ``config`` is the stack's
    config as Pulumi hands it over (``"<project>:<key>"`` -> string); exceptions of a ``quiet`` type that
    nobody awaited are not printed (the caller reports the first one itself).
    """
    return contextvars.Context().run(_evaluate, program, mocks, stack, monitor, dict(config or {}), quiet)


def _evaluate(
    program: Callable[[], Any],
    mocks: Any,
    stack: str,
    monitor: Any | None,
    config: dict[str, str],
    quiet: tuple[type[BaseException], ...],
) -> dict[str, Any]:
    # Imported here: importing pulumi's runtime is slow and only an evaluation needs it.
    import pulumi
    from pulumi.runtime import config as runtime_config
    from pulumi.runtime import set_mocks
    from pulumi.runtime.settings import ROOT, SETTINGS, get_root_resource
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

    ROOT.set(None)
    # set_mocks needs the thread's current loop; a caller's asyncio.run() may have left it with none.
    _ensure_event_loop()
    set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    runtime_config.set_all_config(config)
    _quiet_unawaited(_ensure_event_loop(), quiet)
    # Pending output tasks live in a process-wide set; a failed earlier run must not haunt this one.
    SETTINGS.outputs.clear()
    resolved: dict[str, Any] = {}

    def run() -> Any:
        returned = program()
        root = get_root_resource()
        exported = dict(getattr(root, "outputs", {}) or {})
        if isinstance(returned, Mapping):
            exported.update(returned)

        async def resolve() -> None:
            for key, value in exported.items():
                resolved[key] = await pulumi.Output.from_input(value).future()

        return resolve()

    try:
        _sync_await(run_pulumi_func(run))
    finally:
        SETTINGS.outputs.clear()
        runtime_config.set_all_config({})
    return resolved


def _quiet_unawaited(loop: asyncio.AbstractEventLoop, quiet: tuple[type[BaseException], ...]) -> None:
    """After one resource fails, every later registration fails too and nobody awaits those futures.

    asyncio would print each one as "Future exception was never retrieved" with a traceback when it is
    garbage-collected; the first failure is already reported as one sentence, so drop the echoes.
    """

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if quiet and isinstance(context.get("exception"), quiet):
            return
        loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
