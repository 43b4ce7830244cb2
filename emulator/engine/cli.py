"""``python -m emulator up``: apply a stack's Pulumi program to the emulator and write its outputs.

The command layer only: it resolves options, loads the stack config with the program's own validation,
prints progress, and turns :class:`EngineError` into one sentence and an exit code (0 applied, 1 ARM or
engine failure, 2 usage or config error, 130/143 stopped by SIGINT/SIGTERM at the next safe point).
Waits longer than 2 s (ARM operations, 409 backoff) are shown on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from emulator.engine.applier import Change
from emulator.engine.arm_client import ArmClient
from emulator.engine.errors import EngineError, EngineUsageError
from emulator.engine.mocks import Identity
from emulator.engine.runner import default_outputs_path, run_up, write_outputs
from lifecycle import interrupts, waits

EMULATOR_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
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
    from infra.config import ConfigError, load_stack_config, read_stack_file

    try:
        return load_stack_config(read_stack_file(config_path), stack)
    except ConfigError as exc:
        raise EngineUsageError(str(ConfigError(exc.problems, stack, source=str(config_path)))) from None


@click.command(name="up", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--stack", "stack", help="Stack name; reads Pulumi.<stack>.yaml from the current folder.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Stack config file (default Pulumi.<stack>.yaml).")
@click.option("--arm-endpoint", envvar="IMAGEGATE_ARM_ENDPOINT", required=True, metavar="URL",
              help="The emulator's base URL, as its ready line prints it. Env: IMAGEGATE_ARM_ENDPOINT.")
@click.option("--ca-bundle", envvar="IMAGEGATE_CA_BUNDLE", type=click.Path(exists=True, dir_okay=False),
              help="CA file to trust for the emulator's TLS certificate. Env: IMAGEGATE_CA_BUNDLE.")
@click.option("--subscription-id", envvar="IMAGEGATE_SUBSCRIPTION_ID", default=EMULATOR_SUBSCRIPTION,
              show_default=True, help="Subscription the resources go into. Env: IMAGEGATE_SUBSCRIPTION_ID.")
@click.option("--outputs", "outputs_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the stack outputs JSON (default .imagegate/<stack>/outputs.json).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary, not one line per resource.")
def emulator_up(
    stack: str | None,
    config_path: Path | None,
    arm_endpoint: str,
    ca_bundle: str | None,
    subscription_id: str,
    outputs_path: Path | None,
    quiet: bool,
) -> None:
    """Apply a stack's Pulumi program to the emulator: a local emulation of `pulumi up`.

    Evaluates the real infra program under Pulumi's mock runtime and PUTs each declared resource to
    the emulator's ARM API in the program's dependency order, one at a time. Resources that already
    match are left alone; deployments the config no longer declares are deleted. Not the Pulumi
    engine: there is no state file, no diff and no refresh. Exit codes: 0 applied, 1 ARM refused a
    resource (its message is printed; resources applied before it stay), 2 usage or config error.

    Example usage:

    \b
        python -m emulator up --stack dev --arm-endpoint https://127.0.0.1:8443/ --ca-bundle ca.pem
        python -m emulator up --config Pulumi.prod.yaml --outputs prod-outputs.json
    """
    applied: list[Change] = []

    def on_change(change: Change) -> None:
        applied.append(change)
        if not quiet:
            click.echo(format_change(change))

    with interrupts.handling():
        try:
            stack, config_file = resolve_stack(stack, config_path)
            config = load_config(stack, config_file)
            target = outputs_path or default_outputs_path(config_file, stack)
            for warning in getattr(config, "warnings", ()):
                click.echo(f"warning: {warning}", err=True)
            click.echo(f"up: stack {stack} -> {arm_endpoint} (local emulation of pulumi up)")
            verify: str | bool = ca_bundle or True
            listener = waits.for_stream(sys.stderr, prefix="up: ")
            with ArmClient(arm_endpoint, verify=verify, waits=listener) as arm:
                result = run_up(config, arm, identity=Identity(subscription_id), on_change=on_change)
            write_outputs(target, result.outputs)
        except EngineError as exc:
            click.echo(f"Error: {exc}", err=True)
            raise SystemExit(exc.exit_code) from None
        except KeyboardInterrupt as exc:
            stopped = interrupts.as_interrupted(exc)
            click.echo(
                f"up: interrupted by {stopped.signal_name} after {len(applied)} resource(s); what was applied "
                "stays in ARM and no outputs were written; run up again to converge.",
                err=True,
            )
            raise SystemExit(stopped.exit_code) from None
    click.echo(f"up: {result.summary}")
    click.echo(f"outputs: {shown_path(target)}")


def shown_path(path: Path) -> str:
    """Relative to the current folder when inside it (as the README shows), else as given."""
    absolute, here = path.resolve(), Path.cwd().resolve()
    return str(absolute.relative_to(here)) if absolute.is_relative_to(here) else str(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m emulator up ...`` (``argv`` without the ``up`` word)."""
    try:
        emulator_up.main(args=list(argv or []), prog_name="python -m emulator up", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        return 130  # Ctrl-C before the command's own handling was in place
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
