"""``imagegate rollout plan|run|abort|status``: the click group. Only click and the option table load
here, so --help is fast; each command builds a :class:`RolloutRequest` and hands it to ``rollout.execute``.
The command's outcome (0, 1, 3) is its exit status; rollout errors carry their own exit code, which
``imagegate.cli`` turns into the exit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from clikit.options import CONTEXT
from rollout.cli_options import (
    deployment_option,
    journal_options,
    run_options,
    smoke_budget_options,
    suite_options,
    target_option,
    target_options,
    traffic_options,
)
from rollout.request import Mode, RolloutRequest


def _request(mode: Mode, options: dict[str, Any]) -> RolloutRequest:
    """The parsed options as the request, in the library's types (CA and catalog paths as strings)."""
    for name in ("ca_bundle", "catalog"):
        if options.get(name) is not None:
            options[name] = str(options[name])
    if options.get("suite") is not None:
        options["suite"] = Path(options["suite"])
    return RolloutRequest(mode=mode, **options)


@click.group(name="rollout", context_settings=CONTEXT)
def rollout() -> None:
    """Upgrade a deployment's model safely: plan, canary, smoke, promote, verify, roll back.

    Same model, new version: deploy <name>-candidate at the target version, smoke it, update the stable
    deployment's version in place, smoke it, remove the candidate. New model name: deploy it next to the
    old one, smoke it, switch activeDeployment, smoke again; the old one stays until --retire-old.
    Every step goes into a journal (.imagegate/<stack>/); `run` again resumes an interrupted rollout.

    Exit codes: 0 success; 1 failed and rolled back (or stopped by preflight before any change);
    2 usage error, nothing changed; 3 needs attention (a rollback or clean-up step failed, or interrupted).

    Example usage:

    \b
        imagegate rollout plan --stack prod --to gpt-image-1.5@2026-03-10
        imagegate rollout run --stack prod --to gpt-image-2@2026-04-21 --json r.json --junit r.xml
        imagegate rollout run --stack prod --to gpt-image-2@2026-04-21 --suite prompts.yaml --html r.html
        imagegate rollout run --stack dev --to gpt-image-1.5@2026-03-10 --driver local \\
            --arm-endpoint https://127.0.0.1:8443/ --ca-bundle ca.pem
        imagegate rollout status --stack dev
        imagegate rollout abort --stack dev --driver local --arm-endpoint https://127.0.0.1:8443/
    """


@rollout.command(name="plan", context_settings=CONTEXT)
@journal_options
@target_options
@suite_options
@traffic_options
def rollout_plan(**options: Any) -> None:
    """Print the steps a rollout would take, and change nothing.

    Example usage:

    \b
        imagegate rollout plan --stack prod --to gpt-image-1.5@2026-03-10
        imagegate rollout plan --stack prod --to gpt-image-2@2026-04-21 --new-deployment img2 --retire-old
    """
    from rollout.execute import run_rollout

    raise SystemExit(run_rollout(_request("plan", options)))


@rollout.command(name="run", context_settings=CONTEXT)
@journal_options
@target_options
@suite_options
@run_options
@smoke_budget_options
@traffic_options
def rollout_run(**options: Any) -> None:
    """Run (or resume) a rollout to --to MODEL@VERSION, journalling every step.

    SIGINT/SIGTERM stop it between steps with the journal saying so (exit 3); run it again to resume.
    The smoke steps take the same time budgets as `imagegate smoke run` (--check-timeout,
    --not-found-wait).

    Example usage:

    \b
        imagegate rollout run --stack prod --to gpt-image-1.5@2026-03-10 --json r.json
        imagegate rollout run --stack prod --to gpt-image-1.5@2026-03-10 --check-timeout 120
        imagegate rollout run --stack dev --to gpt-image-1.5@2026-03-10 --driver local \\
            --arm-endpoint https://127.0.0.1:8443/ --ca-bundle ca.pem
    """
    from rollout.execute import run_rollout

    raise SystemExit(run_rollout(_request("run", options)))


@rollout.command(name="abort", context_settings=CONTEXT)
@journal_options
@target_option
@deployment_option
@run_options
def rollout_abort(**options: Any) -> None:
    """Roll back the stack's unfinished (interrupted or stuck) rollout.

    --to and --deployment, when given, must name the unfinished rollout's target and deployment.

    Example usage:

    \b
        imagegate rollout abort --stack prod
        imagegate rollout abort --stack dev --driver local --arm-endpoint https://127.0.0.1:8443/
    """
    from rollout.execute import run_rollout

    raise SystemExit(run_rollout(_request("abort", options)))


@rollout.command(name="status", context_settings=CONTEXT)
@journal_options
def rollout_status(stack: str | None, config: Path | None, journal_dir: Path | None) -> None:
    """Print the journal of the stack's current or last rollout as a short table.

    Example usage:

    \b
        imagegate rollout status --stack prod
    """
    from rollout.execute import show_status

    raise SystemExit(show_status(stack, config, journal_dir))
