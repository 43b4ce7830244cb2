"""The ``smoke`` command: a thin click layer over the smoke library.

Only click and the standard library load at import time, so ``smoke --help`` is fast; every command
imports what it needs. A failing check is exit 1; library errors (``SmokeError``, exit 2) are left to
``imagegate.cli``, which turns every error into its message and exit code.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from clikit.options import CONTEXT
from smoke.cli_options import (
    check_options,
    connection_options,
    gateway_options,
    image_options,
    one_off_output_option,
    one_off_prompt_option,
    pacing_options,
    report_options,
    suite_options,
    target_options,
)
from smoke.request import (
    CheckSettings,
    Connection,
    GatewaySettings,
    ImageParams,
    OneOffRequest,
    Pacing,
    ReportPaths,
    SmokeRunRequest,
    SuiteSettings,
    TargetSelection,
)

if TYPE_CHECKING:
    from smoke.auth import Auth
    from smoke.targets import Target

EXIT_USAGE = 2


class UsageFailure(click.ClickException):
    exit_code = EXIT_USAGE


def _interrupts(fn: Callable[..., Any]) -> Callable[..., Any]:
    """SIGINT/SIGTERM become ``Interrupted`` for the whole command, so a signal before the first request
    (a slow `pulumi stack output`) also exits 130/143 (the signal's own code) with one line."""
    name = fn.__name__.removeprefix("smoke_")

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from lifecycle import interrupts

        try:
            with interrupts.handling():
                return fn(*args, **kwargs)
        except KeyboardInterrupt as exc:
            stopped = interrupts.as_interrupted(exc)
            click.echo(
                f"smoke {name}: interrupted by {stopped.signal_name} before any check ran; "
                "nothing was written.",
                err=True,
            )
            sys.exit(stopped.exit_code)

    return wrapper


def _targets(
    selection: TargetSelection, connection: Connection, local_auth_disabled: bool, with_gateway: bool = True
) -> list[Target]:
    """The targets of the selection; ``with_gateway=False`` keeps what the outputs' deployments list."""
    from smoke import targets as t

    has_outputs = bool(selection.stacks or selection.outputs_files)
    if selection.endpoint and has_outputs:
        raise UsageFailure("Pass either --endpoint or --stack/--outputs, not both.")
    if connection.v1 and connection.api_version:
        raise UsageFailure("--v1 calls the unversioned routes; drop --api-version or --v1.")
    if local_auth_disabled and not selection.endpoint:
        raise UsageFailure("--local-auth-disabled only applies with --endpoint; the outputs already say it.")
    if selection.endpoint:
        return t.endpoint_targets(
            selection.endpoint, selection.deployments, connection.api_version, local_auth_disabled or None
        )
    if not has_outputs:
        raise UsageFailure(
            "Say what to check: --stack NAME, --outputs FILE, or --endpoint URL --deployment NAME."
        )
    found = [x for s in selection.stacks for x in t.load_stack(s, with_gateway=with_gateway)] + [
        x for f in selection.outputs_files for x in t.load_outputs_file(f, with_gateway=with_gateway)
    ]
    return t.with_api_version(t.select_deployments(found, selection.deployments), connection.api_version)


def _auth(connection: Connection) -> tuple[Auth, str | None]:
    """Returns (auth, probe_key). The probe key (if any) is only used by the keyless check."""
    from smoke.auth import ApiKeyAuth, EntraAuth, key_from_env

    if connection.auth == "key":
        key = key_from_env(connection.api_key_env)
        return ApiKeyAuth(key, connection.api_key_env), key
    probe = os.environ.get(connection.api_key_env, "").strip() or None
    if connection.auth == "emulator":
        # The emulator reads tokens without checking signatures; these are useless against Azure.
        from smoke.local_credential import LocalTokenCredential

        return EntraAuth(connection.scope, credential=LocalTokenCredential()), probe
    return EntraAuth(connection.scope), probe


def _gateway(
    gateway: GatewaySettings, connection: Connection, found: list[Target], member_auth: Auth
) -> tuple[list[Target], Auth | None]:
    """The targets to run and the credential for the aliases; usage errors before any request."""
    from smoke.auth import ApiKeyAuth, key_from_env

    aliases = [t for t in found if t.through_gateway]
    if gateway.failover is not None:
        if not aliases or gateway.gateway_auth == "none":
            raise UsageFailure(
                "--failover checks a gateway alias, but no target goes through a gateway; pass the outputs "
                "of a stack with a `gateway` (and not --gateway-auth none)."
            )
        regions = sorted({m[0] for a in aliases for m in a.members})
        if gateway.failover not in regions:
            raise UsageFailure(
                f"--failover {gateway.failover}: no alias has a member in that region; "
                f"the members' regions are {', '.join(regions)}."
            )
    if gateway.gateway_key_env and gateway.gateway_auth != "key":
        raise UsageFailure(
            "--gateway-key-env is the key for --gateway-auth key; drop it or "
            f"--gateway-auth {gateway.gateway_auth}."
        )
    if not aliases:
        return found, None
    if gateway.gateway_auth == "none":
        return [t for t in found if not t.through_gateway], None
    if gateway.gateway_auth == "entra":
        return found, member_auth if not isinstance(member_auth, ApiKeyAuth) else _auth(
            replace(connection, auth="entra")
        )[0]
    if not gateway.gateway_key_env:
        names = ", ".join(a.deployment for a in aliases)
        raise UsageFailure(
            f"The stack outputs have a gateway (alias {names}); pass --gateway-key-env NAME, the variable "
            "holding the client subscription key, or --gateway-auth entra, or --gateway-auth none."
        )
    key = key_from_env(gateway.gateway_key_env, flag="--gateway-key-env", what="gateway key")
    return found, ApiKeyAuth(key, gateway.gateway_key_env)


def _validate_outputs(**paths: Path | None) -> None:
    from smoke.inputs import check_output_path

    for what, path in paths.items():
        if path is not None:
            check_output_path(path, what.replace("_", " "))


@click.group(context_settings=CONTEXT)
@click.version_option("0.1.0", "--version", prog_name="smoke")
def cli() -> None:
    """Smoke-test GPT-Image deployments on Azure OpenAI / Foundry: prove generate and edit work.

    Exit codes: 0 every check passed, 1 a check failed, 2 usage or configuration error,
    130 / 143 stopped by SIGINT / SIGTERM (reports hold the checks that finished).

    Example usage:

    \b
        imagegate smoke run --stack prod --junit smoke.xml
        imagegate smoke generate --stack dev --prompt "a red lighthouse" -o lighthouse.png
        imagegate smoke run --help
    """


@cli.command(name="run", context_settings=CONTEXT)
@target_options
@connection_options
@image_options
@check_options
@gateway_options
@suite_options
@pacing_options
@report_options
@_interrupts
def smoke_run(
    targets: TargetSelection,
    connection: Connection,
    image: ImageParams,
    checks: CheckSettings,
    gateway: GatewaySettings,
    suite: SuiteSettings,
    pacing: Pacing,
    reports: ReportPaths,
) -> None:
    """Run the generate, edit and keyless checks (or a prompt suite's cases) on every deployment and report.

    Every deployment in the outputs is checked (candidates included) unless --deployment narrows
    it. Exit code 0 when every check passed, 1 when one failed, 2 for a usage or configuration
    error (reported before any request is sent).

    Example usage:

    \b
        imagegate smoke run --stack prod --junit smoke.xml
        imagegate smoke run --outputs outputs.json --deployment gpt-image --html report.html
        imagegate smoke run --outputs outputs.json --suite prompts.yaml --html report.html
        AZURE_OPENAI_API_KEY=... imagegate smoke run --auth key --endpoint https://NAME.openai.azure.com/ \\
            --deployment gpt-image --check generate
    """
    from smoke.run_command import build_options, execute_run, prepare_suite

    request = SmokeRunRequest(targets, connection, image, checks, pacing, reports, suite, gateway)
    found = _targets(targets, connection, checks.local_auth_disabled)
    if suite.suite:
        _refuse_with_suite()
    if checks.prompt and checks.prompt_file:
        raise UsageFailure("Pass either --prompt or --prompt-file, not both.")
    if checks.edit_source == "generated" and checks.edit_image:
        raise UsageFailure("--edit-source generated edits the generated image; drop --edit-image.")
    if checks.edit_source == "generated" and checks.checks and "generate" not in checks.checks:
        raise UsageFailure("--edit-source generated needs the generate check; add --check generate.")
    _validate_outputs(
        json_report=reports.json_path,
        junit_report=reports.junit_path,
        html_report=reports.html_path,
        markdown_summary=reports.summary_md,
    )
    if reports.save_images:
        from smoke.inputs import prepare_folder

        prepare_folder(reports.save_images, "image folder")
    options = build_options(request)
    auth, probe = _auth(connection)
    found, gateway_auth = _gateway(gateway, connection, found, auth)
    if suite.suite and gateway.failover:
        raise UsageFailure("--failover does not apply with --suite; run the failover check on its own.")
    options = replace(
        options,
        auth=auth,
        probe_key=probe,
        gateway_auth=gateway_auth,
        failover_region=gateway.failover,
        failover_calls=gateway.failover_calls,
    )
    chosen = prepare_suite(suite.suite, found, suite.catalog) if suite.suite else None
    sys.exit(execute_run(found, options, reports, sys.stdout, sys.stderr, chosen))


# What a prompt suite decides itself (per case); giving one of these with --suite is a contradiction.
_SUITE_DECIDES = (
    "checks",
    "prompt",
    "prompt_file",
    "edit_prompt",
    "edit_image",
    "edit_mask",
    "edit_source",
    "max_outside_change",
    "size",
    "quality",
    "output_format",
    "n",
)


def _refuse_with_suite() -> None:
    ctx = click.get_current_context()
    given = [
        p
        for p in ctx.command.params
        if p.name in _SUITE_DECIDES
        and ctx.get_parameter_source(p.name)
        in (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.ENVIRONMENT)
    ]
    if given:
        name = given[0].opts[-1]
        raise UsageFailure(
            f"{name} does not apply with --suite: the suite sets each case's prompt and parameters; "
            f"drop {name} or change the suite."
        )


def _one_target(request: OneOffRequest) -> Target:
    targets = _targets(request.targets, request.connection, False, with_gateway=False)
    if len(targets) != 1:
        # --deployment cannot split two sources that both have the deployment; name the matches.
        raise UsageFailure(
            f"This command calls one deployment but {len(targets)} match "
            f"({', '.join(t.label for t in targets)}); narrow it with --deployment NAME "
            "or a single --stack/--outputs."
        )
    return targets[0]


def _one_off(request: OneOffRequest) -> None:
    from smoke.inputs import check_output_suffix
    from smoke.run_command import execute_one_off

    target = _one_target(request)
    _validate_outputs(output=request.output)
    check_output_suffix(request.output, request.image.output_format)
    auth, _ = _auth(request.connection)
    sys.exit(execute_one_off(request, target, auth, sys.stdout, sys.stderr))


@cli.command(name="generate", context_settings=CONTEXT)
@target_options
@connection_options
@image_options
@one_off_prompt_option
@one_off_output_option
@_interrupts
def smoke_generate(
    targets: TargetSelection, connection: Connection, image: ImageParams, prompt: str, output: Path
) -> None:
    """Generate an image on one deployment and write it to a file (exit 1 if the call fails).

    Example usage:

    \b
        imagegate smoke generate --stack dev --prompt "a red lighthouse" -o lighthouse.png
        imagegate smoke generate --outputs outputs.json --deployment gpt-image --quality high \\
            --prompt "a red lighthouse" -o lighthouse.png
    """
    _one_off(OneOffRequest("generate", targets, connection, image, prompt, output))


@cli.command(name="edit", context_settings=CONTEXT)
@target_options
@connection_options
@image_options
@one_off_prompt_option
@click.option(
    "--image",
    "image_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Image to edit (PNG, JPEG or WebP).",
)
@click.option(
    "--mask",
    "mask_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="PNG mask, transparent where the image may change (default: edit the whole image).",
)
@one_off_output_option
@_interrupts
def smoke_edit(
    targets: TargetSelection,
    connection: Connection,
    image: ImageParams,
    prompt: str,
    image_path: Path,
    mask_path: Path | None,
    output: Path,
) -> None:
    """Edit an image on one deployment and write the result to a file (exit 1 if the call fails).

    Example usage:

    \b
        imagegate smoke edit --stack dev --image room.png --mask window.png --prompt "add a sunset" \\
            -o room-sunset.png
    """
    _one_off(OneOffRequest("edit", targets, connection, image, prompt, output, image_path, mask_path))
