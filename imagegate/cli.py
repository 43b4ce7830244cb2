"""The root ``imagegate`` group, its lazy subcommands and the one place errors become exit codes.

Exit codes shared by every command (docs/cli.md):

    0    success
    1    a check or step failed (the command says which)
    2    usage, config or input error: nothing was changed
    3    needs attention (a rollout's rollback or clean-up step failed, or it was interrupted)
    130  interrupted by SIGINT (Ctrl-C)
    143  interrupted by SIGTERM

A command returns its outcome as its exit status: 0, 1 or 3, or the signal's 130/143 after its own line
saying what an interruption left behind. Anything it raises ends in :func:`run`: click's usage errors (2),
an uncaught Ctrl-C (click's ``Abort``: 130, or 143 when SIGTERM stopped it), and each package's errors,
whose base class carries its ``exit_code`` (``SmokeError``, ``PreflightError``, ``RolloutError``,
``EngineError``, ``InfraError``, ``CatalogError``, the emulator's ``ConfigError`` and ``ControlError``),
printed as ``Error: <message>``; any other exception is a bug and keeps its traceback. The ``imagegate``
and ``smoke`` console scripts, the scripts/*.py shims and click's test runner on :data:`cli` all run
through it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Any

import click

from clikit.options import CONTEXT

EXIT_USAGE = 2

# name -> "module:attribute" of a click command or group; imported only when that name is used.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "smoke": ("smoke.cli:cli", "Call every deployment's generate and edit routes; exit 1 blocks CI."),
    "preflight": ("preflight.cli:preflight", "Check a stack against Azure before `pulumi up`."),
    "rollout": ("rollout.cli:rollout", "Upgrade a deployment's model version: plan, run, abort, status."),
    "emulator": ("emulator.commands:emulator", "Run the local Azure emulator (images data plane + ARM)."),
    "local": ("engine.cli:local", "Apply a stack's Pulumi program to the emulator: up, preview, destroy."),
    "fleet": ("fleet.cli:fleet", "Roll a model version out to many stacks in waves: plan, run, summary."),
    "demo": ("engine.demo:demo", "Emulator + the dev stack applied to it + smoke run + HTML report."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use, so `--help` stays fast.

    Run as a program (``standalone_mode``, as click's test runner does too) it goes through :func:`run`,
    so every caller meets the same messages and exit codes.
    """

    def __init__(self, *args: object, lazy: dict[str, tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = lazy

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        sys.exit(run(self, args, prog_name or "imagegate", complete_var=complete_var, **extra))

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.lazy, *super().list_commands(ctx)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, attribute = self.lazy[cmd_name][0].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            assert isinstance(command, click.Command), f"{module_name}:{attribute} is not a click command"
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help comes from the table, so listing the commands imports none of them.
        rows = [(name, help_text) for name, (_, help_text) in self.lazy.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, lazy=SUBCOMMANDS, context_settings=CONTEXT)
@click.version_option("0.1.0", "--version", prog_name="imagegate")
def cli() -> None:
    """imagegate: GPT-Image on Microsoft Foundry with Pulumi, proven by a smoke suite, testable offline.

    Every command has --help with examples. Exit codes: 0 success, 1 a check or step failed, 2 usage or
    input error (nothing changed), 3 a rollout needs attention, 130/143 interrupted (Ctrl-C/SIGTERM).

    Example usage:

    \b
        imagegate demo                                   # the whole flow on the local emulator
        imagegate emulator serve --port 8443             # the local Azure, then in another shell:
        imagegate local up --stack dev --arm-endpoint https://127.0.0.1:8443/ --ca-bundle ca.pem
        imagegate smoke run --outputs .imagegate/dev/outputs.json --ca-bundle ca.pem
        imagegate preflight --stack prod                 # before `pulumi up` on real Azure
        imagegate rollout plan --stack prod --to gpt-image-2@2026-04-21
    """


def exit_code_of(exc: BaseException) -> int | None:
    """The exit code a package's error carries (its base class's ``exit_code``), or None for any other."""
    code = getattr(exc, "exit_code", None)
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def run(command: click.Command, argv: Sequence[str] | None, prog_name: str, **extra: Any) -> int:
    """Run a click command as a program: the one place its errors become messages and exit codes."""
    from lifecycle import interrupts

    try:
        command.main(
            args=list(argv) if argv is not None else None,
            prog_name=prog_name,
            standalone_mode=False,
            **extra,
        )
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
        # A bare ClickException is a usage or input error here (click's own default would be 1).
        return EXIT_USAGE if code == 1 and not getattr(exc, "keep_exit_code", False) else code
    except click.exceptions.Abort as exc:
        # click turns a KeyboardInterrupt (Ctrl-C, or SIGTERM under lifecycle.interrupts) into Abort.
        click.echo("Interrupted.", err=True)
        return interrupts.as_interrupted(exc.__cause__ or exc).exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception as exc:
        carried = exit_code_of(exc)
        if carried is None:
            raise  # not an error of ours: a bug, shown with its traceback
        click.echo(f"Error: {exc}", err=True)
        return carried
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run(cli, argv, "imagegate")


def smoke_main(argv: Sequence[str] | None = None) -> int:
    """The `smoke` console script: the same group as `imagegate smoke`."""
    from smoke.cli import cli as smoke_cli

    return run(smoke_cli, argv, "smoke")


if __name__ == "__main__":
    sys.exit(main())
