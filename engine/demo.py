"""``imagegate demo`` (and ``scripts/demo``): emulator up, the real Pulumi program applied to it,
smoke run, HTML report.

Steps: start the emulator (HTTPS, its own CA), run the local engine for the stack (dev by default) and
write its outputs to the demo's own folder, ``.imagegate/demo/<stack>/`` next to the stack file (never
``.imagegate/<stack>/``, which `imagegate local up` and the rollout's journal use: the demo's emulator
is gone when it ends, so its outputs must not replace the hand-driven flow's), fetch an account key
through ARM ``listKeys`` into an environment variable of the smoke process only (never printed), run
``smoke run`` with HTML/JUnit/JSON reports, stop the emulator on every exit path. Exit code: smoke's
(0 pass, 1 a check failed, 2 error); when the demo cannot get that far, the exit code its error carries
(``imagegate.cli`` prints it); 130 / 143 when SIGINT / SIGTERM stopped it.

The emulator and the ``smoke`` process are ``lifecycle.children``: each in its own process group (a Ctrl-C
reaches only the demo, which stops them), and sent SIGTERM by the kernel if the demo itself is killed.

A keyless stack (``disableLocalAuth: true``, prod) has no keys: ``listKeys`` fails there as in Azure, and
the ``smoke`` CLI's Entra auth needs a real ``DefaultAzureCredential``. So the demo runs the same smoke
library in-process with the emulator's local token credential and writes the same reports.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from clikit.options import CONTEXT, stack_options
from engine.cli import format_change, load_config, resolve_stack
from engine.errors import EngineUsageError
from engine.identity import Identity
from lifecycle import children, interrupts

KEY_ENV = "IMAGEGATE_DEMO_API_KEY"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
# The emulator serves only what `up` creates; ARM operations finish fast so the demo stays quick.
EMULATOR_CONFIG = {"accounts": [], "arm": {"lroDelaySeconds": 0.05}}


def demo_outputs_path(config_file: Path, stack: str) -> Path:
    """``.imagegate/demo/<stack>/outputs.json`` next to the stack file: the demo's own, never the outputs
    `imagegate local up` writes (``.imagegate/<stack>/outputs.json``)."""
    return config_file.resolve().parent / ".imagegate" / "demo" / stack / "outputs.json"


@dataclass(frozen=True)
class ReportPaths:
    html: Path
    junit: Path
    json: Path

    @classmethod
    def under(cls, folder: Path) -> ReportPaths:
        return cls(folder / "smoke.html", folder / "smoke.xml", folder / "smoke.json")


def smoke_command(outputs: Path, ca_file: str, reports: ReportPaths) -> list[str]:
    """``smoke run`` as a user would type it: key auth from an env var, every report format."""
    console = Path(sys.executable).with_name("smoke")
    base = [str(console)] if console.exists() else [sys.executable, "-c", "from smoke.cli import cli; cli()"]
    return [
        *base,
        "run",
        "--outputs",
        str(outputs),
        "--ca-bundle",
        ca_file,
        "--auth",
        "key",
        "--api-key-env",
        KEY_ENV,
        "--html",
        str(reports.html),
        "--junit",
        str(reports.junit),
        "--json",
        str(reports.json),
    ]


def smoke_keyless(outputs: Mapping[str, Any], outputs_path: Path, ca_file: Path, reports: ReportPaths) -> int:
    """``smoke run --outputs ... --auth entra`` with the local credential; returns its exit code."""
    from smoke import (
        EntraAuth,
        LocalTokenCredential,
        SmokeError,
        SmokeOptions,
        plain_summary,
        run_smoke,
        targets_from_outputs,
        write_html,
        write_json,
        write_junit,
    )

    try:
        targets = targets_from_outputs(outputs, str(outputs_path))
        report = run_smoke(
            targets, SmokeOptions(auth=EntraAuth(credential=LocalTokenCredential()), ca_bundle=ca_file)
        )
    except SmokeError as exc:
        print(f"demo: smoke: {exc}", file=sys.stderr)
        return 2
    write_json(report, reports.json)
    write_junit(report, reports.junit)
    write_html(report, reports.html)
    sys.stdout.write(plain_summary(report))
    sys.stdout.flush()
    return 0 if report.passed else 1


# What the demo is doing, for the message when it is interrupted.
_phase = ["starting"]


def _run_smoke_child(command: list[str], env: dict[str, str]) -> int:
    """``smoke run`` as a child in its own group; stopped (it then writes its interrupted reports) if the
    demo is interrupted while it runs."""
    process = children.spawn(command, env=env)
    try:
        return process.wait()
    except BaseException:
        children.stop(process, grace_s=0.8)
        raise


def run_demo(stack: str | None, config_path: Path | None, reports_dir: Path) -> int:
    from emulator.testing import running_emulator  # starts `python -m emulator` as a user would
    from engine.arm_client import ArmClient
    from engine.runner import run_up, write_outputs

    started = time.monotonic()
    # --config Pulumi.prod.yaml alone is the prod stack; with neither option, dev.
    stack, config_file = resolve_stack(stack or (None if config_path else "dev"), config_path)
    config = load_config(stack, config_file)
    outputs_path = demo_outputs_path(config_file, stack)
    reports = ReportPaths.under(reports_dir.resolve())
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EngineUsageError(
            f"Cannot create the reports folder {reports_dir} ({exc.strerror}); choose another --reports."
        ) from exc
    print("demo: starting the emulator", flush=True)
    _phase[0] = "starting the emulator"
    with running_emulator(EMULATOR_CONFIG, popen=children.spawn, stop_timeout=0.8) as emu:
        ca_file = str(emu.ca_file)
        print(f"demo: emulator at {emu.base_url} (CA {ca_file})", flush=True)
        print(f"demo: imagegate local up --stack {stack}", flush=True)
        _phase[0] = f"applying stack {stack} to the emulator"
        with ArmClient(emu.base_url, verify=ca_file) as arm:
            result = run_up(
                config,
                arm,
                identity=Identity(SUBSCRIPTION),
                on_change=lambda change: print(format_change(change), flush=True),
            )
            write_outputs(outputs_path, result.outputs)
            print(f"demo: up: {result.summary}; outputs in {outputs_path}", flush=True)
            keyless = bool(result.outputs.get("localAuthDisabled"))
            keys = None if keyless else arm.post(f"{result.outputs['accountId']}/listKeys", "2025-06-01")
        _phase[0] = "running smoke"
        if keys is None:
            print(
                f"demo: smoke run --outputs {outputs_path} (keyless stack: Entra ID tokens from the "
                "emulator's local credential, in-process) ...",
                flush=True,
            )
            code = smoke_keyless(result.outputs, outputs_path, Path(ca_file), reports)
        else:
            env = {**os.environ, KEY_ENV: str(keys["key1"])}
            command = smoke_command(outputs_path, ca_file, reports)
            print(
                f"demo: smoke run --outputs {outputs_path} --auth key --api-key-env {KEY_ENV} ...", flush=True
            )
            code = _run_smoke_child(command, env)
    print(f"demo: HTML report: {reports.html}")
    print(f"demo: finished in {time.monotonic() - started:.1f} s; smoke exit code {code}")
    return code


@click.command(name="demo", context_settings=CONTEXT)
@stack_options
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(path_type=Path),
    default=Path("reports/demo"),
    show_default=True,
    help="Folder for smoke.html, smoke.xml and smoke.json.",
)
def demo(stack: str | None, config: Path | None, reports_dir: Path) -> None:
    """Emulator + the real Pulumi program applied to it + smoke run + HTML report, no Azure.

    The dev stack unless --stack or --config names another. The outputs go to
    .imagegate/demo/<stack>/outputs.json, never to the .imagegate/<stack>/ files that `imagegate local up`,
    `smoke run --outputs` and `rollout` use by hand. Keyless stacks (disableLocalAuth, e.g. prod) are
    smoked with local Entra ID tokens, not keys. Exit code: smoke's (0 passed, 1 a check failed, 2 error);
    when the demo cannot get that far, its error's (2 for a config or usage error, 1 when ARM refused a
    resource); 130 / 143 when SIGINT / SIGTERM stopped it (the emulator and smoke, its children, are
    stopped too). `scripts/demo` is the same command.

    Example usage:

    \b
        imagegate demo
        imagegate demo --stack prod --reports reports/prod
    """
    try:
        with interrupts.handling():
            code = run_demo(stack, config, reports_dir)
    except KeyboardInterrupt as exc:
        stopped = interrupts.as_interrupted(exc)
        click.echo(
            f"demo: interrupted by {stopped.signal_name} while {_phase[0]}; "
            "the emulator and smoke were stopped.",
            err=True,
        )
        interrupts.exit_now(stopped.exit_code)  # the emulator and smoke are stopped; skip the teardown
        raise  # not reached
    except OSError as exc:
        # A folder or port the demo needs; engine and emulator errors carry their own exit code.
        where = getattr(exc, "filename", "") or ""
        raise EngineUsageError(f"demo: {exc.strerror or exc}: {where}".rstrip(": ")) from exc
    raise SystemExit(code)
