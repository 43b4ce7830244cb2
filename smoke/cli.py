"""The ``smoke`` command: a thin click layer over the smoke library.

Only click and the standard library load at import time, so ``smoke --help`` is fast; every command
imports what it needs. Library errors (``SmokeError``) become one-sentence ``ClickException``s (exit 2);
a failing check is exit 1.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from smoke.errors import SmokeError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}
EXIT_USAGE = 2


class UsageFailure(click.ClickException):
    exit_code = EXIT_USAGE


def _library_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SmokeError as exc:
            raise UsageFailure(str(exc)) from exc

    return wrapper


def _target_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--stack",
            "stacks",
            multiple=True,
            metavar="NAME",
            help="Pulumi stack whose outputs list the deployments (runs `pulumi stack output --json`). "
            "Repeatable.",
        ),
        click.option(
            "--outputs",
            "outputs_files",
            multiple=True,
            metavar="FILE",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Stack outputs JSON file (what `pulumi stack output --json` prints). Repeatable.",
        ),
        click.option(
            "--endpoint",
            metavar="URL",
            help="Account endpoint, e.g. https://NAME.openai.azure.com/ (instead of --stack/--outputs).",
        ),
        click.option(
            "--deployment",
            "deployments",
            multiple=True,
            metavar="NAME",
            help="Deployment to check (repeatable); with --stack/--outputs it narrows the list.",
        ),
        click.option(
            "--local-auth-disabled",
            is_flag=True,
            help="With --endpoint: the account promises key auth is off, so run the keyless check.",
        ),
        click.option(
            "--auth",
            "auth_mode",
            type=click.Choice(["entra", "key"]),
            default="entra",
            show_default=True,
            envvar="SMOKE_AUTH",
            help="Entra ID tokens via DefaultAzureCredential, or an API key from --api-key-env.",
        ),
        click.option(
            "--api-key-env",
            default="AZURE_OPENAI_API_KEY",
            show_default=True,
            metavar="VAR",
            help="NAME of the environment variable holding the API key (never the key itself).",
        ),
        click.option(
            "--scope",
            default="https://cognitiveservices.azure.com/.default",
            show_default=True,
            envvar="SMOKE_SCOPE",
            help="Entra ID token scope (the 2026 docs use https://ai.azure.com/.default).",
        ),
        click.option(
            "--api-version",
            metavar="VERSION",
            help="Dated api-version for the routes (default: the outputs' apiVersion).",
        ),
        click.option(
            "--v1", is_flag=True, help="Call the v1 routes (/openai/v1/images/...) instead of the dated ones."
        ),
        click.option(
            "--ca-bundle",
            type=click.Path(path_type=Path, dir_okay=False),
            envvar="SMOKE_CA_BUNDLE",
            help="PEM file of an extra CA to trust (a private CA, or the emulator's).",
        ),
        click.option(
            "--request-timeout",
            type=click.FloatRange(min=1),
            default=120.0,
            show_default=True,
            help="Seconds to wait for one response.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _image_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--size", default="1024x1024", show_default=True, help="Image size WxH, or auto."),
        click.option(
            "--quality",
            type=click.Choice(["low", "medium", "high", "auto"]),
            default="low",
            show_default=True,
            help="Image quality (low is the cheapest).",
        ),
        click.option(
            "--output-format",
            type=click.Choice(["png", "jpeg", "webp"]),
            default="png",
            show_default=True,
            help="Image format to ask for and to verify.",
        ),
        click.option(
            "-n",
            "--n",
            "n",
            type=click.IntRange(1, 10),
            default=1,
            show_default=True,
            help="Images per request.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _targets(stacks, outputs_files, endpoint, deployments, local_auth_disabled, api_version, v1):
    from smoke import targets as t

    if endpoint and (stacks or outputs_files):
        raise UsageFailure("Pass either --endpoint or --stack/--outputs, not both.")
    if v1 and api_version:
        raise UsageFailure("--v1 calls the unversioned routes; drop --api-version or --v1.")
    if local_auth_disabled and not endpoint:
        raise UsageFailure("--local-auth-disabled only applies with --endpoint; the outputs already say it.")
    if endpoint:
        return t.endpoint_targets(endpoint, deployments, api_version, local_auth_disabled or None)
    if not (stacks or outputs_files):
        raise UsageFailure(
            "Say what to check: --stack NAME, --outputs FILE, or --endpoint URL --deployment NAME."
        )
    found = [x for s in stacks for x in t.load_stack(s)] + [
        x for f in outputs_files for x in t.load_outputs_file(f)
    ]
    return t.with_api_version(t.select_deployments(found, deployments), api_version)


def _auth(auth_mode: str, api_key_env: str, scope: str):
    """Returns (auth, probe_key). The probe key (if any) is only used by the keyless check."""
    from smoke.auth import ApiKeyAuth, EntraAuth, key_from_env

    if auth_mode == "key":
        key = key_from_env(api_key_env)
        return ApiKeyAuth(key, api_key_env), key
    probe = os.environ.get(api_key_env, "").strip() or None
    return EntraAuth(scope), probe


def _validate_outputs(**paths: Path | None) -> None:
    from smoke.inputs import check_output_path

    for what, path in paths.items():
        if path is not None:
            check_output_path(path, what.replace("_", " "))


@click.group(context_settings=CONTEXT)
@click.version_option("0.1.0", "--version", prog_name="smoke")
def cli() -> None:
    """Smoke-test GPT-Image deployments on Azure OpenAI / Foundry: prove generate and edit work.

    Exit codes: 0 every check passed, 1 a check failed, 2 usage or configuration error.
    """


@cli.command(name="run", context_settings=CONTEXT)
@_target_options
@_image_options
@click.option(
    "--check",
    "checks",
    multiple=True,
    type=click.Choice(["generate", "edit", "keyless"]),
    help="Run only these checks (repeatable; default: all three).",
)
@click.option("--prompt", help="Benign prompt for the generate check (default: a watercolor lighthouse).")
@click.option(
    "--prompt-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File of prompts, one per line; the next is tried if the content filter blocks one.",
)
@click.option("--edit-prompt", help="Prompt for the edit check.")
@click.option(
    "--edit-image",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Base image for the edit check (default: the shipped fixture).",
)
@click.option(
    "--edit-mask",
    type=click.Path(path_type=Path, dir_okay=False),
    help="PNG mask whose transparent pixels mark the area to edit (default: the shipped fixture).",
)
@click.option(
    "--edit-source",
    type=click.Choice(["fixture", "generated"]),
    default="fixture",
    show_default=True,
    help="Edit the fixture/--edit-image, or the image the generate check just produced.",
)
@click.option(
    "--max-outside-change",
    type=click.FloatRange(0, 1),
    help="Fail the edit check if more than this fraction of pixels outside the mask changed (default off).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Deployments checked at the same time.",
)
@click.option(
    "--rpm",
    type=click.FloatRange(min=0, min_open=True),
    help="Requests per minute per deployment (default: capacity x --rpm-per-capacity-unit).",
)
@click.option(
    "--rpm-per-capacity-unit",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="RPM one capacity unit buys (unverified; see the model catalog).",
)
@click.option(
    "--max-attempts",
    type=click.IntRange(1, 20),
    default=4,
    show_default=True,
    help="Attempts per request on 408/429/5xx/timeouts.",
)
@click.option(
    "--check-timeout",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    help="Total seconds one check may take, retries included.",
)
@click.option(
    "--not-found-wait",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Seconds to keep retrying DeploymentNotFound (a fresh deployment can 404 for minutes).",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the full report (every check and attempt) as JSON.",
)
@click.option(
    "--junit",
    "junit_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a JUnit XML report: one testcase per deployment x check.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a self-contained HTML page with every image produced.",
)
@click.option(
    "--save-images",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to save every image produced into.",
)
@_library_errors
def smoke_run(**kw: Any) -> None:
    """Run the generate, edit and keyless checks on every deployment and report.

    Example usage:

    \b
        smoke run --stack prod --junit smoke.xml
        smoke run --outputs outputs.json --deployment gpt-image --html report.html
        AZURE_OPENAI_API_KEY=... smoke run --auth key --endpoint https://NAME.openai.azure.com/ \\
            --deployment gpt-image --check generate
    """
    from smoke.run_command import build_options, execute_run

    targets = _targets(
        kw["stacks"],
        kw["outputs_files"],
        kw["endpoint"],
        kw["deployments"],
        kw["local_auth_disabled"],
        kw["api_version"],
        kw["v1"],
    )
    if kw["prompt"] and kw["prompt_file"]:
        raise UsageFailure("Pass either --prompt or --prompt-file, not both.")
    if kw["edit_source"] == "generated" and kw["edit_image"]:
        raise UsageFailure("--edit-source generated edits the generated image; drop --edit-image.")
    _validate_outputs(json_report=kw["json_path"], junit_report=kw["junit_path"], html_report=kw["html_path"])
    options = build_options(kw)
    auth, probe = _auth(kw["auth_mode"], kw["api_key_env"], kw["scope"])
    options = replace(options, auth=auth, probe_key=probe)
    sys.exit(execute_run(targets, options, kw, sys.stdout, sys.stderr))


def _one_target(kw: dict[str, Any]):
    targets = _targets(
        kw["stacks"],
        kw["outputs_files"],
        kw["endpoint"],
        kw["deployments"],
        False,
        kw["api_version"],
        kw["v1"],
    )
    if len(targets) != 1:
        raise UsageFailure(
            f"This command calls one deployment but {len(targets)} match; pick one with --deployment NAME."
        )
    return targets[0]


@cli.command(name="generate", context_settings=CONTEXT)
@_target_options
@_image_options
@click.option("--prompt", required=True, help="What to draw.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write the image to (several images get -1, -2 ... suffixes).",
)
@_library_errors
def smoke_generate(**kw: Any) -> None:
    """Generate an image on one deployment and write it to a file.

    Example usage:

    \b
        smoke generate --stack dev --prompt "a red lighthouse" -o lighthouse.png
        smoke generate --outputs outputs.json --deployment gpt-image --quality high \\
            --prompt "a red lighthouse" -o lighthouse.png
    """
    from smoke.run_command import execute_one_off

    target = _one_target(kw)
    _validate_outputs(output=kw["output"])
    auth, _ = _auth(kw["auth_mode"], kw["api_key_env"], kw["scope"])
    sys.exit(execute_one_off("generate", target, kw, auth, sys.stdout))


@cli.command(name="edit", context_settings=CONTEXT)
@_target_options
@_image_options
@click.option("--prompt", required=True, help="What to change in the masked area.")
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
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write the edited image to.",
)
@_library_errors
def smoke_edit(**kw: Any) -> None:
    """Edit an image on one deployment and write the result to a file.

    Example usage:

    \b
        smoke edit --stack dev --image room.png --mask window.png --prompt "add a sunset" -o room-sunset.png
    """
    from smoke.run_command import execute_one_off

    target = _one_target(kw)
    _validate_outputs(output=kw["output"])
    auth, _ = _auth(kw["auth_mode"], kw["api_key_env"], kw["scope"])
    sys.exit(execute_one_off("edit", target, kw, auth, sys.stdout))
