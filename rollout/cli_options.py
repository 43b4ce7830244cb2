"""The rollout commands' options, grouped by what they decide: which stack (and journal), which target,
the prompt suite and its gate, and how a run reaches Azure or the emulator. Only click is imported here, so
--help stays fast; every default comes from ``rollout.request``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from rollout.request import (
    DEFAULT_API_KEY_ENV,
    DEFAULT_AUTH,
    DEFAULT_CONFLICT_RETRIES,
    DEFAULT_CONFLICT_WAIT_S,
    DEFAULT_DRIVER,
    DEFAULT_MAX_LATENCY_RATIO,
    DEFAULT_MIN_LATENCY_DELTA_S,
)


def apply_options(fn: Callable[..., None], options: list[Callable[..., Any]]) -> Callable[..., None]:
    for option in reversed(options):
        fn = option(fn)
    return fn


SUITE_OPTIONS = [
    click.option(
        "--suite",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Prompt suite YAML (see docs/prompt-suites.md): run on the candidate and on the stable "
        "deployment before promotion; the candidate must pass every case the stable passes. "
        "Default: the built-in checks on the candidate only.",
    ),
    click.option(
        "--max-latency-ratio",
        type=click.FloatRange(min=1.0),
        default=DEFAULT_MAX_LATENCY_RATIO,
        show_default=True,
        help="With --suite: the candidate's p95 latency may be at most this many times the stable's.",
    ),
    click.option(
        "--min-latency-delta",
        type=click.FloatRange(min=0.0),
        default=DEFAULT_MIN_LATENCY_DELTA_S,
        show_default=True,
        help="With --suite: a slower p95 only fails the gate when it is also this many seconds slower.",
    ),
]
STACK_OPTIONS = [
    click.option("--stack", help="Stack name; reads Pulumi.<stack>.yaml from the current folder."),
    click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="Stack config file."),
    click.option(
        "--journal-dir",
        type=click.Path(path_type=Path, file_okay=False),
        help="Where the journal lives (default .imagegate/<stack>/ next to the stack file).",
    ),
]
TARGET_OPTIONS = [
    click.option(
        "--to", "to", metavar="MODEL@VERSION", help="Target model and version, as in the model catalog."
    ),
    click.option("--deployment", help="Deployment to upgrade (default: the stack's activeDeployment)."),
    click.option(
        "--capacity",
        type=click.IntRange(min=1),
        help="Candidate capacity (version upgrade, default 1) or the new "
        "deployment's capacity (model-name upgrade, default the current capacity).",
    ),
    click.option(
        "--new-deployment", help="Name of the new deployment in a model-name upgrade (default: the model)."
    ),
    click.option(
        "--retire-old",
        is_flag=True,
        help="Model-name upgrade: remove the old deployment once the new one is active and smoked.",
    ),
    click.option(
        "--catalog",
        type=click.Path(exists=True, dir_okay=False),
        envvar="IMAGEGATE_CATALOG",
        help="Model catalog JSON (default: the packaged one). Env: IMAGEGATE_CATALOG.",
    ),
]
RUN_OPTIONS = [
    click.option(
        "--driver",
        type=click.Choice(["pulumi", "local"]),
        default=DEFAULT_DRIVER,
        show_default=True,
        envvar="IMAGEGATE_ROLLOUT_DRIVER",
        help="pulumi: the Automation API (needs the Pulumi CLI); local: the local engine and the emulator. "
        "Env: IMAGEGATE_ROLLOUT_DRIVER.",
    ),
    click.option(
        "--arm-endpoint",
        envvar="IMAGEGATE_ARM_ENDPOINT",
        metavar="URL",
        help="Emulator base URL (local driver and preflight). Env: IMAGEGATE_ARM_ENDPOINT.",
    ),
    click.option(
        "--ca-bundle",
        envvar="IMAGEGATE_CA_BUNDLE",
        type=click.Path(exists=True, dir_okay=False),
        help="CA file for the emulator's TLS certificate. Env: IMAGEGATE_CA_BUNDLE.",
    ),
    click.option(
        "--subscription-id",
        envvar="AZURE_SUBSCRIPTION_ID",
        help="Subscription preflight checks. Env: AZURE_SUBSCRIPTION_ID.",
    ),
    click.option(
        "--auth",
        type=click.Choice(["entra", "key", "emulator"]),
        default=DEFAULT_AUTH,
        show_default=True,
        help="How smoke authenticates: Entra ID tokens (local tokens with --driver local), an API key, "
        "or local tokens only the emulator accepts.",
    ),
    click.option(
        "--api-key-env",
        default=DEFAULT_API_KEY_ENV,
        show_default=True,
        help="Environment variable holding the API key (--auth key).",
    ),
    click.option(
        "--skip-preflight", is_flag=True, help="Do not run preflight as step zero (recorded in the journal)."
    ),
    click.option(
        "--conflict-retries",
        type=click.IntRange(min=0),
        default=DEFAULT_CONFLICT_RETRIES,
        show_default=True,
        help="Retries of `up` when Azure answers 409 RequestConflict.",
    ),
    click.option(
        "--conflict-wait",
        type=click.FloatRange(min=0),
        default=DEFAULT_CONFLICT_WAIT_S,
        show_default=True,
        help="First wait in seconds before retrying a 409 (doubles each time).",
    ),
    click.option(
        "--json", "json_path", type=click.Path(path_type=Path, dir_okay=False), help="Write a JSON report."
    ),
    click.option(
        "--junit", "junit_path", type=click.Path(path_type=Path, dir_okay=False), help="Write a JUnit report."
    ),
    click.option(
        "--html",
        "html_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Write the evidence page: decision, stable vs candidate per case, step timeline.",
    ),
    click.option(
        "--summary-md",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Write the Markdown summary (also appended to $GITHUB_STEP_SUMMARY when it is set).",
    ),
    click.option("--verbose", "-v", is_flag=True, help="Show the output of `up`."),
]
