"""The rollout commands' own options, grouped by what they decide: the journal, the target, the prompt
suite and its gate, and how a run reaches Azure or the emulator. The options every command shares (stack,
ARM endpoint, CA bundle, subscription, auth, catalog, report files, smoke time budgets) come from
``clikit.options``. Only click is imported here, so --help stays fast; every default comes from
``rollout.request`` (smoke's time budgets from ``smoke.request``).
"""

from __future__ import annotations

from pathlib import Path

import click

from clikit.options import (
    arm_endpoint_option,
    auth_options,
    ca_bundle_option,
    catalog_option,
    env_option,
    html_report_option,
    json_report_option,
    junit_report_option,
    options,
    stack_options,
    subscription_option,
    suite_option,
    summary_md_option,
    time_budget_options,
)
from rollout.request import (
    DEFAULT_API_KEY_ENV,
    DEFAULT_AUTH,
    DEFAULT_BAKE_TIMEOUT_S,
    DEFAULT_CONFLICT_RETRIES,
    DEFAULT_CONFLICT_WAIT_S,
    DEFAULT_DRIVER,
    DEFAULT_MAX_LATENCY_RATIO,
    DEFAULT_MIN_LATENCY_DELTA_S,
)
from smoke import GIVE_UP_MIN_ATTEMPTS
from smoke.request import Pacing

SMOKE_PACING = Pacing()

suite_options = options(
    suite_option,
    click.option(
        "--max-latency-ratio",
        type=click.FloatRange(min=1.0),
        default=DEFAULT_MAX_LATENCY_RATIO,
        show_default=True,
        help="The candidate's p95 latency may be at most this many times the stable's (the --suite gate "
        "and, through a gateway, each bake window).",
    ),
    click.option(
        "--min-latency-delta",
        type=click.FloatRange(min=0.0),
        default=DEFAULT_MIN_LATENCY_DELTA_S,
        show_default=True,
        help="A slower p95 only fails a gate (--suite, or a bake window) when it is also this many seconds "
        "slower.",
    ),
)
journal_options = options(
    stack_options,
    click.option(
        "--journal-dir",
        type=click.Path(path_type=Path, file_okay=False),
        help="Where the journal lives (default .imagegate/<stack>/ next to the stack file).",
    ),
)
target_option = click.option(
    "--to", "to", metavar="MODEL@VERSION", help="Target model and version, as in the model catalog."
)
deployment_option = click.option(
    "--deployment", help="Deployment to upgrade (default: the stack's activeDeployment)."
)
target_options = options(
    target_option,
    deployment_option,
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
    catalog_option,
)
run_options = options(
    env_option(
        "--driver",
        envvar="IMAGEGATE_ROLLOUT_DRIVER",
        type=click.Choice(["pulumi", "local"]),
        default=DEFAULT_DRIVER,
        show_default=True,
        help="pulumi: the Automation API (needs the Pulumi CLI); local: the local engine and the emulator "
        "(with --auth, local tokens instead of Entra ID).",
    ),
    arm_endpoint_option(),
    ca_bundle_option,
    subscription_option,
    auth_options(auth=DEFAULT_AUTH, api_key_env=DEFAULT_API_KEY_ENV),
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
    json_report_option,
    junit_report_option,
    html_report_option,
    summary_md_option,
    click.option("--verbose", "-v", is_flag=True, help="Show the output of `up`."),
)
# The smoke steps' time budgets: the same options, variables and defaults as `imagegate smoke run`.
smoke_budget_options = time_budget_options(
    check_timeout=SMOKE_PACING.check_timeout,
    not_found_wait=SMOKE_PACING.not_found_wait,
    give_up_after=SMOKE_PACING.give_up_after,
    give_up_min_attempts=GIVE_UP_MIN_ATTEMPTS,
)
# A weighted canary through a stack's gateway (docs/traffic-rollouts.md); refused on other stacks.
traffic_options = options(
    click.option(
        "--weights",
        metavar="P1,P2,...,100",
        help="Gateway stack: the candidates' share of the alias's traffic at each step (default 10,50,100).",
    ),
    click.option(
        "--bake",
        type=click.FloatRange(min=0),
        metavar="SECONDS",
        help="Gateway stack: bake each weight this long, then judge the window's traffic.",
    ),
    click.option(
        "--bake-requests",
        type=click.IntRange(min=1),
        metavar="N",
        help="Gateway stack: bake each weight until candidates and stable members each served N requests "
        "(the default, with N 20); the gate then needs N on each side.",
    ),
    click.option(
        "--bake-timeout",
        type=click.FloatRange(min=0),
        default=DEFAULT_BAKE_TIMEOUT_S,
        show_default=True,
        metavar="SECONDS",
        help="With --bake-requests: the longest wait for the traffic; then too little traffic falls back "
        "to smoking each candidate.",
    ),
)
