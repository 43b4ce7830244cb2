"""The ``smoke`` commands' options, grouped by what they decide: which deployments, how to reach and
authenticate to them, what image to ask for, how ``smoke run`` checks, and where its reports go.

Each group is a decorator, so ``run``, ``generate`` and ``edit`` share one definition (and one help text)
of every common option; the options other commands share too (auth, CA bundle, catalog, report files,
time budgets) come from ``clikit.options``, declared once for every command. Only click is imported here,
so ``smoke --help`` stays fast.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from clikit.options import (
    auth_options,
    ca_bundle_option,
    catalog_option,
    env_option,
    html_report_option,
    json_report_option,
    junit_report_option,
    suite_option,
    summary_md_option,
    time_budget_options,
)
from smoke.request import (
    DEFAULT_API_KEY_ENV,
    DEFAULT_SCOPE,
    CheckSettings,
    Connection,
    GatewaySettings,
    ImageParams,
    Pacing,
    ReportPaths,
    SuiteSettings,
    TargetSelection,
)
from smoke.retry import GIVE_UP_MIN_ATTEMPTS

_FILE = click.Path(path_type=Path, dir_okay=False)
CONNECTION, IMAGE, PACING, CHECK_SETTINGS = Connection(), ImageParams(), Pacing(), CheckSettings()
GATEWAY = GatewaySettings()
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _group(into: type, keyword: str, *options: Decorator) -> Decorator:
    """Apply ``options`` (in ``--help`` order) and hand the command one ``into`` object as ``keyword``.

    The options' destination names are ``into``'s field names, so the command receives a typed, frozen
    object instead of loose values.
    """
    names = tuple(f.name for f in dataclasses.fields(into))

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def command(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in names if name in kwargs}
            for name, value in values.items():
                if isinstance(value, list):
                    values[name] = tuple(value)
            kwargs[keyword] = into(**values)
            return fn(*args, **kwargs)

        decorated: Callable[..., Any] = command
        for option in reversed(options):
            decorated = option(decorated)
        return decorated

    return decorate


target_options = _group(
    TargetSelection,
    "targets",
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
    Connection,
    "connection",
    auth_options(auth=CONNECTION.auth, api_key_env=DEFAULT_API_KEY_ENV),
    env_option(
        "--scope",
        envvar="IMAGEGATE_SCOPE",
        default=DEFAULT_SCOPE,
        show_default=True,
        help="Entra ID token scope (the 2026 docs use https://ai.azure.com/.default).",
    ),
    click.option(
        "--api-version",
        metavar="VERSION",
        help="Dated api-version for the routes (default: the outputs' apiVersion, else 2025-04-01-preview).",
    ),
    click.option(
        "--v1", is_flag=True, help="Call the v1 routes (/openai/v1/images/...) instead of the dated ones."
    ),
    ca_bundle_option,
    click.option(
        "--request-timeout",
        type=click.FloatRange(min=1),
        default=CONNECTION.request_timeout,
        show_default=True,
        help="Seconds to wait for one response.",
    ),
)

# `smoke generate` and `smoke edit` (one deployment, one call): what to ask, where the image goes.
one_off_prompt_option = click.option(
    "--prompt", required=True, help="What to draw (generate), or what to change in the masked area (edit)."
)
one_off_output_option = click.option(
    "-o",
    "--output",
    required=True,
    type=_FILE,
    help="File to write the image to (several images get -1, -2 ... suffixes).",
)

image_options = _group(
    ImageParams,
    "image",
    click.option("--size", default=IMAGE.size, show_default=True, help="Image size WxH, or auto."),
    click.option(
        "--quality",
        type=click.Choice(["low", "medium", "high", "auto"]),
        default=IMAGE.quality,
        show_default=True,
        help="Image quality (low is the cheapest).",
    ),
    click.option(
        "--output-format",
        type=click.Choice(["png", "jpeg", "webp"]),
        default=IMAGE.output_format,
        show_default=True,
        help="Image format to ask for and to verify.",
    ),
    click.option(
        "-n",
        "--n",
        "n",
        type=click.IntRange(1, 10),
        default=IMAGE.n,
        show_default=True,
        help="Images per request.",
    ),
)

check_options = _group(
    CheckSettings,
    "checks",
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
        default=CHECK_SETTINGS.edit_source,
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

# `smoke run` on a stack whose outputs have a `gateway` (docs/smoke.md, "Through the gateway").
gateway_options = _group(
    GatewaySettings,
    "gateway",
    click.option(
        "--gateway-auth",
        type=click.Choice(["key", "entra", "none"]),
        default=GATEWAY.gateway_auth,
        show_default=True,
        help="How calls through a gateway alias authenticate: the client subscription key as `api-key` "
        "(--gateway-key-env), an Entra token the gateway validates (the --auth credential and --scope), "
        "or none: skip the aliases and check only the accounts.",
    ),
    click.option(
        "--gateway-key-env",
        metavar="NAME",
        help="Environment variable holding the gateway's client subscription key (never in the outputs; "
        "ARM's listSecrets on the Subscription gives it).",
    ),
    click.option(
        "--failover",
        metavar="REGION",
        help="Failover check: the member in REGION is throttled (you made it so); prove it answers 429 "
        "directly, then that every alias with a member there serves every call from another region.",
    ),
    click.option(
        "--failover-calls",
        type=click.IntRange(1, 100),
        default=GATEWAY.failover_calls,
        show_default=True,
        help="Calls through each alias in the failover check (alternately generate and edit).",
    ),
)

suite_options = _group(
    SuiteSettings,
    "suite",
    suite_option,
    catalog_option,
)

pacing_options = _group(
    Pacing,
    "pacing",
    click.option(
        "--concurrency",
        type=click.IntRange(1, 64),
        default=PACING.concurrency,
        show_default=True,
        help="Deployments checked at the same time.",
    ),
    click.option(
        "--rpm",
        type=click.FloatRange(min=0, min_open=True),
        help="Requests per minute per deployment (default: capacity x --rpm-per-capacity-unit).",
    ),
    env_option(
        "--rpm-per-capacity-unit",
        envvar="IMAGEGATE_RPM_PER_CAPACITY_UNIT",
        type=click.FloatRange(min=0, min_open=True),
        default=PACING.rpm_per_capacity_unit,
        show_default=True,
        help="RPM one capacity unit buys (Learn: 2 units = 6 RPM for image models; see the model catalog); "
        "`imagegate emulator env` sets the emulator's.",
    ),
    click.option(
        "--max-attempts",
        type=click.IntRange(1, 1000),
        default=PACING.max_attempts,
        help="Cap on attempts per request (default: none; --check-timeout decides how long "
        "transient failures - 408/409/429/5xx, timeouts, resets - are retried).",
    ),
    time_budget_options(
        check_timeout=PACING.check_timeout,
        not_found_wait=PACING.not_found_wait,
        give_up_after=PACING.give_up_after,
        give_up_min_attempts=GIVE_UP_MIN_ATTEMPTS,
    ),
)

report_options = _group(
    ReportPaths,
    "reports",
    json_report_option,
    junit_report_option,
    html_report_option,
    summary_md_option,
    click.option(
        "--save-images",
        type=click.Path(path_type=Path, file_okay=False),
        help="Folder to save every image produced into (created if missing).",
    ),
)
