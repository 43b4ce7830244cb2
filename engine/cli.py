"""``imagegate local up|preview|destroy``: apply a stack's Pulumi program to the emulator (or undo it).

The command layer only: it resolves options, loads the stack config with the program's own validation and
prints progress. Exit codes: 0 applied, 1 ARM or engine failure, 2 usage or config error (each
:class:`EngineError` carries its own, which ``imagegate.cli`` turns into the exit), 130 / 143 stopped by
SIGINT / SIGTERM at the next safe point, between two ARM calls. Waits longer than 2 s (ARM operations,
409 backoff) are shown on stderr.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from clikit.options import (
    CONTEXT,
    arm_endpoint_option,
    ca_bundle_option,
    env_option,
    options,
    stack_options,
    subscription_option,
)
from engine.errors import EngineUsageError
from engine.identity import Identity
from engine.request import DEFAULT_CONFLICT_WAIT_S, EMULATOR_SUBSCRIPTION, LocalRequest
from lifecycle import interrupts, waits

if TYPE_CHECKING:
    from engine.applier import Change
    from engine.runner import UpResult

ACTION_MARKS = {"created": "+", "updated": "~", "unchanged": "=", "deleted": "-"}


def format_change(change: Change) -> str:
    return f"  {ACTION_MARKS[change.action]} {change.action:<9} {change.kind:<34} {change.name}"


def resolve_stack(stack: str | None, config: Path | None) -> tuple[str, Path]:
    """``--stack dev`` means ``Pulumi.dev.yaml``; ``--config Pulumi.dev.yaml`` alone means stack ``dev``."""
    from infra.config import resolve_stack_file
    from infra.errors import StackFileError

    try:
        return resolve_stack_file(stack, config)
    except StackFileError as exc:
        raise EngineUsageError(str(exc)) from None


def load_config(stack: str, config_path: Path) -> Any:
    """The validated ``infra.config.StackConfig``; every config problem becomes an EngineUsageError."""
    from infra.config import ConfigError, load_stack_file

    try:
        return load_stack_file(config_path, stack)
    except ConfigError as exc:
        raise EngineUsageError(str(ConfigError(exc.problems, stack, source=str(config_path)))) from None


@click.group(name="local", context_settings=CONTEXT)
def local() -> None:
    """The local engine: a local emulation of `pulumi up|preview|destroy` against the emulator's ARM.

    It evaluates the real infra program under Pulumi's mock runtime and turns each declared resource into
    ARM calls, one at a time, in the program's dependency order. Not the Pulumi engine: there is no state
    file; ARM itself is the state. Exit codes: 0 done, 1 ARM refused a resource (its message is
    printed; what was applied before it stays), 2 usage or config error.

    Example usage:

    \b
        imagegate local preview --stack dev --arm-endpoint https://127.0.0.1:8443/ --ca-bundle ca.pem
        imagegate local up --stack dev --arm-endpoint https://127.0.0.1:8443/ --ca-bundle ca.pem
        imagegate local destroy --stack dev
    """


def _stack_options(fn: Callable[..., None]) -> Callable[..., None]:
    """The options every verb shares, handed to the command as one :class:`LocalRequest` (``request``)."""

    @functools.wraps(fn)
    def command(*args: Any, **kwargs: Any) -> None:
        ca_bundle = kwargs.pop("ca_bundle")
        request = LocalRequest(
            arm_endpoint=kwargs.pop("arm_endpoint"),
            stack=kwargs.pop("stack"),
            config_path=kwargs.pop("config"),
            ca_bundle=str(ca_bundle) if ca_bundle else None,
            subscription_id=kwargs.pop("subscription_id") or EMULATOR_SUBSCRIPTION,
            quiet=kwargs.pop("quiet"),
            conflict_wait_s=kwargs.pop("conflict_wait_s"),
        )
        fn(*args, request=request, **kwargs)

    return options(
        stack_options,
        arm_endpoint_option(required=True),
        ca_bundle_option,
        subscription_option,
        click.option(
            "--quiet", "-q", is_flag=True, help="Print only the summary, not one line per resource."
        ),
        env_option(
            "--conflict-wait",
            "conflict_wait_s",
            envvar="IMAGEGATE_CONFLICT_WAIT",
            type=click.FloatRange(min=0),
            default=DEFAULT_CONFLICT_WAIT_S,
            show_default=True,
            metavar="SECONDS",
            help="First wait after ARM answers 409 RequestConflict; it doubles on each of the 5 retries, "
            "up to 5 s.",
        ),
    )(command)


def _interrupts(fn: Callable[..., None]) -> Callable[..., None]:
    """SIGINT/SIGTERM stop the verb at the next safe point with one line saying what stays applied; the
    exit code is the signal's (130/143). Engine errors carry their own exit code to ``imagegate.cli``."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        verb = fn.__name__.removeprefix("local_")
        try:
            with interrupts.handling():
                fn(*args, **kwargs)
        except KeyboardInterrupt as exc:
            stopped = interrupts.as_interrupted(exc)
            done = "nothing was changed" if verb == "preview" else "what was applied stays in ARM"
            click.echo(
                f"local {verb}: interrupted by {stopped.signal_name} after {len(_applied)} resource(s); "
                f"{done} and no outputs were written; run it again to converge.",
                err=True,
            )
            interrupts.exit_now(stopped.exit_code)

    return wrapper


_applied: list[Change] = []  # what this process applied so far, for the message when it is interrupted


def _apply(verb: str, request: LocalRequest) -> tuple[str, Path, UpResult]:
    stack, config_file = resolve_stack(request.stack, request.config_path)
    config = load_config(stack, config_file)
    for warning in getattr(config, "warnings", ()):
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{verb}: stack {stack} -> {request.arm_endpoint} (local emulation of pulumi {verb})")

    def on_change(change: Change) -> None:
        _applied.append(change)
        if not request.quiet:
            click.echo(format_change(change))

    from engine.arm_client import ArmClient
    from engine.runner import run_destroy, run_up

    verify: str | bool = request.ca_bundle or True
    identity = Identity(request.subscription_id)
    listener = waits.for_stream(sys.stderr, prefix=f"{verb}: ")
    with ArmClient(
        request.arm_endpoint, verify=verify, waits=listener, conflict_wait_s=request.conflict_wait_s
    ) as arm:
        if verb == "destroy":
            result = run_destroy(config, arm, identity=identity, on_change=on_change)
        else:
            result = run_up(config, arm, identity=identity, on_change=on_change, preview=verb == "preview")
    return stack, config_file, result


@local.command(name="up", context_settings=CONTEXT)
@_stack_options
@click.option(
    "--outputs",
    "outputs_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the stack outputs JSON (default .imagegate/<stack>/outputs.json).",
)
@_interrupts
def local_up(request: LocalRequest, outputs_path: Path | None) -> None:
    """Apply a stack's Pulumi program to the emulator and write the stack outputs.

    Resources that already match are left alone; deployments the config no longer declares are deleted.
    The outputs JSON is what `imagegate smoke run --outputs` and the rollout's local driver read.

    Example usage:

    \b
        imagegate local up --stack dev --arm-endpoint https://127.0.0.1:8443/ --ca-bundle ca.pem
        imagegate local up --config Pulumi.prod.yaml --outputs prod-outputs.json
    """
    stack, config_file, result = _apply("up", request)
    from engine.runner import default_outputs_path, write_outputs

    target = outputs_path or default_outputs_path(config_file, stack)
    write_outputs(target, result.outputs)
    click.echo(f"up: {result.summary}")
    click.echo(f"outputs: {shown_path(target)}")


@local.command(name="preview", context_settings=CONTEXT)
@_stack_options
@_interrupts
def local_preview(request: LocalRequest) -> None:
    """Print what `imagegate local up` would change, and change nothing.

    Example usage:

    \b
        imagegate local preview --stack prod --arm-endpoint https://127.0.0.1:8443/ --ca-bundle ca.pem
    """
    _, _, result = _apply("preview", request)
    click.echo(f"preview: {result.summary} (nothing was changed)")


@local.command(name="destroy", context_settings=CONTEXT)
@_stack_options
@_interrupts
def local_destroy(request: LocalRequest) -> None:
    """Delete what `imagegate local up` created for the stack, in reverse dependency order.

    Deleted accounts are purged as well (Azure would keep them soft-deleted), so `up` can reuse the names.

    Example usage:

    \b
        imagegate local destroy --stack dev --arm-endpoint https://127.0.0.1:8443/ --ca-bundle ca.pem
    """
    _, _, result = _apply("destroy", request)
    click.echo(f"destroy: {result.count('deleted')} deleted")


def shown_path(path: Path) -> str:
    """Relative to the current folder when inside it (as the README shows), else as given."""
    absolute, here = path.resolve(), Path.cwd().resolve()
    return str(absolute.relative_to(here)) if absolute.is_relative_to(here) else str(path)
