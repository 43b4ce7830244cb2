"""The ``smoke`` commands' options, grouped by what they decide: which deployments, how to reach and
authenticate to them, what image to ask for, how ``smoke run`` checks, and where its reports go.

Each group is a decorator, so ``run``, ``generate`` and ``edit`` share one definition (and one help text)
of every common option. Only click is imported here, so ``smoke --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
_FILE = click.Path(path_type=Path, dir_okay=False)


def _group(*options: Callable[[F], F]) -> Callable[[F], F]:
    """Apply ``options`` so they appear in ``--help`` in the order given."""

    def decorate(fn: F) -> F:
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorate


target_options = _group(
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
        type=_FILE,
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
)

connection_options = _group(
    click.option(
        "--auth",
        "auth_mode",
        type=click.Choice(["entra", "key", "emulator"]),
        default="entra",
        show_default=True,
        envvar="SMOKE_AUTH",
        help="Entra ID tokens via DefaultAzureCredential, an API key from --api-key-env, or local unsigned "
        "Entra tokens that only the emulator accepts (env: SMOKE_AUTH; `imagegate emulator env` sets it).",
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
        help="Entra ID token scope (the 2026 docs use https://ai.azure.com/.default; env: SMOKE_SCOPE).",
    ),
    click.option(
        "--api-version",
        metavar="VERSION",
        help="Dated api-version for the routes (default: the outputs' apiVersion, else 2025-04-01-preview).",
    ),
    click.option(
        "--v1", is_flag=True, help="Call the v1 routes (/openai/v1/images/...) instead of the dated ones."
    ),
    click.option(
        "--ca-bundle",
        type=_FILE,
        envvar="SMOKE_CA_BUNDLE",
        help="PEM file of an extra CA to trust (a private CA, or the emulator's; env: SMOKE_CA_BUNDLE).",
    ),
    click.option(
        "--request-timeout",
        type=click.FloatRange(min=1),
        default=120.0,
        show_default=True,
        help="Seconds to wait for one response.",
    ),
)

image_options = _group(
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
)

check_options = _group(
    click.option(
        "--local-auth-disabled",
        is_flag=True,
        help="With --endpoint: the account promises key auth is off, so run the keyless check.",
    ),
    click.option(
        "--check",
        "checks",
        multiple=True,
        type=click.Choice(["generate", "edit", "keyless"]),
        help="Run only these checks (repeatable; default: all three).",
    ),
    click.option("--prompt", help="Benign prompt for the generate check (default: a watercolor lighthouse)."),
    click.option(
        "--prompt-file",
        type=_FILE,
        help="File of prompts, one per line; the next is tried if the content filter blocks one.",
    ),
    click.option("--edit-prompt", help="Prompt for the edit check (default: add a small white sailboat)."),
    click.option(
        "--edit-image", type=_FILE, help="Base image for the edit check (default: the shipped fixture)."
    ),
    click.option(
        "--edit-mask",
        type=_FILE,
        help="PNG mask whose transparent pixels mark the area to edit (default: the shipped fixture).",
    ),
    click.option(
        "--edit-source",
        type=click.Choice(["fixture", "generated"]),
        default="fixture",
        show_default=True,
        help="Edit the fixture/--edit-image, or the image the generate check just produced.",
    ),
    click.option(
        "--max-outside-change",
        type=click.FloatRange(0, 1),
        help="Fail the edit check if more than this fraction of pixels outside the mask changed "
        "(default: off, only reported).",
    ),
)

pacing_options = _group(
    click.option(
        "--concurrency",
        type=click.IntRange(1, 64),
        default=16,
        show_default=True,
        help="Deployments checked at the same time.",
    ),
    click.option(
        "--rpm",
        type=click.FloatRange(min=0, min_open=True),
        help="Requests per minute per deployment (default: capacity x --rpm-per-capacity-unit).",
    ),
    click.option(
        "--rpm-per-capacity-unit",
        type=click.FloatRange(min=0, min_open=True),
        default=1.0,
        show_default=True,
        help="RPM one capacity unit buys (unverified; see the model catalog).",
    ),
    click.option(
        "--max-attempts",
        type=click.IntRange(1, 20),
        default=4,
        show_default=True,
        help="Attempts per request on 408/409/429/5xx/timeouts/connection errors.",
    ),
    click.option(
        "--check-timeout",
        type=click.FloatRange(min=1),
        default=300.0,
        show_default=True,
        help="Total seconds one check may take, retries and --not-found-wait included.",
    ),
    click.option(
        "--not-found-wait",
        type=click.FloatRange(min=0),
        default=0.0,
        show_default=True,
        help="Seconds to keep retrying DeploymentNotFound (a fresh deployment can 404 for minutes).",
    ),
)

report_options = _group(
    click.option(
        "--json",
        "json_path",
        type=_FILE,
        help="Write the full report (every check and attempt) as JSON.",
    ),
    click.option(
        "--junit",
        "junit_path",
        type=_FILE,
        help="Write a JUnit XML report: one testcase per deployment x check.",
    ),
    click.option(
        "--html",
        "html_path",
        type=_FILE,
        help="Write a self-contained HTML page with every image produced.",
    ),
    click.option(
        "--save-images",
        type=click.Path(path_type=Path, file_okay=False),
        help="Folder to save every image produced into (created if missing).",
    ),
)
