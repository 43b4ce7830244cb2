"""The options imagegate's commands share, each declared once: which stack, how to reach ARM and the
deployments, which catalog and prompt suite, where reports go, and how long a smoke check may take.

Every command takes these decorators instead of declaring its own copy, so a flag has one spelling, one
help text, one type and one environment variable everywhere (docs/cli.md lists them). A default the
library owns (smoke's time budgets, a request's auth mode) is passed in by the command from the library's
request module, so it still lives in one place. Only click and the standard library are imported here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from clikit import envvars

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]

# One context-settings object for every command and group: -h works as well as --help.
CONTEXT: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 110}

AUTH_MODES = ("entra", "key", "emulator")
_FILE_OUT = click.Path(path_type=Path, dir_okay=False)
_FILE_IN = click.Path(path_type=Path, exists=True, dir_okay=False)


class EnvOption(click.Option):
    """An option read from its one environment variable, or from an old spelling of it with a warning.

    ``--help`` shows the variable (``[env var: ...]``); the old spellings come from ``envvars.RENAMED``.
    A value on the command line always wins: click consults the environment only without one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("show_envvar", True)
        super().__init__(*args, **kwargs)

    def resolve_envvar_value(self, ctx: click.Context) -> str | None:
        value = super().resolve_envvar_value(ctx)
        if value is not None or not isinstance(self.envvar, str):
            return value
        return envvars.from_old_names(self.envvar, warn=lambda line: click.echo(line, err=True))


def env_option(*decls: str, envvar: str | None, **attrs: Any) -> Decorator[Any]:
    """``click.option`` for an option that has an environment variable (``EnvOption``); None: not read."""
    return click.option(*decls, cls=EnvOption, envvar=envvar, **attrs)


def options(*decorators: Decorator[Any]) -> Decorator[Any]:
    """Several option decorators as one, applied so ``--help`` lists them in the order given."""

    def decorate(fn: F) -> F:
        for option in reversed(decorators):
            fn = option(fn)
        return fn

    return decorate


# --- which stack -----------------------------------------------------------------------------------------

stack_option = click.option(
    "--stack", metavar="NAME", help="Stack name; reads Pulumi.<NAME>.yaml from the current folder."
)
config_option = click.option(
    "--config", type=_FILE_OUT, metavar="FILE", help="Stack config file (default: Pulumi.<stack>.yaml)."
)
stack_options = options(stack_option, config_option)

# --- how to reach ARM (Azure or the emulator) --------------------------------------------------------------


def arm_endpoint_option(*, required: bool = False) -> Decorator[Any]:
    return env_option(
        "--arm-endpoint",
        envvar="IMAGEGATE_ARM_ENDPOINT",
        required=required,
        metavar="URL",
        help="ARM endpoint to use instead of Azure's: the emulator's base URL, as its ready line prints it.",
    )


def ca_bundle(*, read_env: bool = True) -> Decorator[Any]:
    """``--ca-bundle``; ``read_env=False`` only for `imagegate emulator env`, which prints the variable."""
    return env_option(
        "--ca-bundle",
        envvar="IMAGEGATE_CA_BUNDLE" if read_env else None,
        type=_FILE_IN,
        metavar="FILE",
        help="PEM file of an extra CA to trust (a private CA, or the emulator's ca= file).",
    )


ca_bundle_option = ca_bundle()
subscription_option = env_option(
    "--subscription-id",
    envvar="AZURE_SUBSCRIPTION_ID",
    metavar="ID",
    help="Azure subscription ID (default with --arm-endpoint: the emulator's, "
    "00000000-0000-0000-0000-000000000000).",
)

# --- how to authenticate to the deployments ---------------------------------------------------------------


def auth_options(*, auth: str, api_key_env: str) -> Decorator[Any]:
    """``--auth`` and ``--api-key-env``; the defaults come from the command's request module."""
    return options(
        env_option(
            "--auth",
            envvar="IMAGEGATE_AUTH",
            type=click.Choice(AUTH_MODES),
            default=auth,
            show_default=True,
            help="Entra ID tokens via DefaultAzureCredential, an API key from --api-key-env, or local "
            "unsigned Entra tokens that only the emulator accepts (`imagegate emulator env` sets emulator).",
        ),
        click.option(
            "--api-key-env",
            default=api_key_env,
            show_default=True,
            metavar="VAR",
            help="NAME of the environment variable holding the API key for --auth key (not the key itself).",
        ),
    )


# --- the model catalog ------------------------------------------------------------------------------------

catalog_option = env_option(
    "--catalog",
    envvar="IMAGEGATE_CATALOG",
    type=_FILE_IN,
    metavar="FILE",
    help="Model catalog JSON (default: the packaged one).",
)

# --- a prompt suite -------------------------------------------------------------------------------------

suite_option = click.option(
    "--suite",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Prompt suite YAML to run instead of the built-in checks ('default' names the shipped one; see "
    "docs/prompt-suites.md), checked as a whole and against each deployment's model before any request. "
    "A rollout runs it on the candidate and on the stable deployment; the candidate must pass every case "
    "the stable passes.",
)

# --- report files -----------------------------------------------------------------------------------------

json_report_option = click.option(
    "--json", "json_path", type=_FILE_OUT, metavar="FILE", help="Write the report as JSON to FILE."
)
junit_report_option = click.option(
    "--junit",
    "junit_path",
    type=_FILE_OUT,
    metavar="FILE",
    help="Write a JUnit XML report to FILE (one testcase per check; a failure fails it).",
)
html_report_option = click.option(
    "--html",
    "html_path",
    type=_FILE_OUT,
    metavar="FILE",
    help="Write a self-contained HTML page to FILE: every image produced (and a rollout's evidence).",
)
summary_md_option = click.option(
    "--summary-md",
    type=_FILE_OUT,
    metavar="FILE",
    help="Write a short Markdown summary to FILE (also appended to $GITHUB_STEP_SUMMARY when it is set).",
)

# --- how long a smoke check may take ----------------------------------------------------------------------


def time_budget_options(
    *, check_timeout: float, not_found_wait: float, give_up_after: float, give_up_min_attempts: int
) -> Decorator[Any]:
    """A smoke check's time budgets, for `smoke run` and the rollout's smoke steps alike.

    The defaults are smoke's (``smoke.request.Pacing``, ``smoke.retry``), passed in by each command.
    """
    return options(
        env_option(
            "--check-timeout",
            envvar="IMAGEGATE_CHECK_TIMEOUT",
            type=click.FloatRange(min=1),
            default=check_timeout,
            show_default=True,
            metavar="SECONDS",
            help="Time budget of one smoke check, retries and --not-found-wait included.",
        ),
        env_option(
            "--not-found-wait",
            envvar="IMAGEGATE_NOT_FOUND_WAIT",
            type=click.FloatRange(min=0),
            default=not_found_wait,
            show_default=True,
            metavar="SECONDS",
            help="Keep retrying DeploymentNotFound this long (a fresh deployment can 404 for minutes).",
        ),
        env_option(
            "--give-up-after",
            envvar="IMAGEGATE_GIVE_UP_AFTER",
            type=click.FloatRange(min=1),
            default=give_up_after,
            show_default=True,
            metavar="SECONDS",
            help="Stop a check that has seen only transient failures (429/5xx, timeouts, refused "
            f"connections) for this long and at least {give_up_min_attempts} attempts, saying what it saw.",
        ),
    )
