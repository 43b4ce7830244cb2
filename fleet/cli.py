"""``imagegate fleet plan|run|summary``: the click group. Only click loads at import, so --help is fast;
each command calls the fleet library and turns its errors into one message and an exit code.

The options every command shares (catalog, ARM endpoint, CA bundle) come from the one kit, ``clikit``;
the fleet's own are declared here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from clikit.options import CONTEXT, arm_endpoint_option, ca_bundle_option, catalog_option

EXIT_USAGE = 2
EXIT_FAILED = 1
EXIT_NEEDS_ATTENTION = 3
EXIT_INTERRUPTED = 130
DEFAULT_WAVE_JOBS = 3  # the wave jobs of .github/workflows/fleet.yml


class FleetUsageError(click.ClickException):
    """Bad input: one message, exit 2, nothing run."""

    exit_code = EXIT_USAGE


def _usage(exc: Exception) -> click.ClickException:
    return FleetUsageError(str(exc))


fleet_option = click.option(
    "--fleet",
    "fleet_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default="fleet.yaml",
    show_default=True,
    help="The fleet file; the stacks are the Pulumi.<stack>.yaml files in its folder.",
)


@click.group(name="fleet", context_settings=CONTEXT)
def fleet() -> None:
    """Roll a model version out to a fleet of stacks in waves (docs/fleet.md).

    fleet.yaml lists the waves in order, each with its stacks, its GitHub environment and how many of its
    stacks roll out at once. `plan` prints the waves as a workflow matrix; GitHub Actions runs them
    (.github/workflows/fleet.yml); `run` runs the same plan against the emulator, for local testing;
    `summary` builds the one page that says what every stack now serves.

    Exit codes: 0 success; 1 a stack failed (its rollout rolled back, later waves not started);
    2 bad input, nothing run; 3 a rollout needs attention; 130 interrupted.

    Example usage:

    \b
        imagegate fleet plan --to gpt-image-1.5@2026-03-10
        imagegate fleet plan --to gpt-image-1.5@2026-03-10 --json
        imagegate fleet run --to gpt-image-1.5@2026-03-10 --max-parallel 2 --html fleet.html
        imagegate fleet summary --plan plan.json --artifacts artifacts/ --html fleet.html
    """


def _load(fleet_file: Path, to: str | None, catalog: Path | None) -> Any:
    from fleet.errors import FleetError
    from fleet.load import load_plan

    try:
        return load_plan(fleet_file, to, catalog)
    except FleetError as exc:
        raise _usage(exc) from None


@fleet.command(name="plan", context_settings=CONTEXT)
@fleet_option
@click.option(
    "--to", "to", metavar="MODEL@VERSION", help="Target model and version, as in the model catalog."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the plan as JSON (each wave's `matrix` is fromJSON-ready)."
)
@click.option(
    "--github-output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also append `plan=`, `waves=` and `wave1=`..`waveN=` lines to this file ($GITHUB_OUTPUT).",
)
@click.option(
    "--wave-jobs",
    type=click.IntRange(min=1),
    default=DEFAULT_WAVE_JOBS,
    show_default=True,
    help="With --github-output: how many wave jobs the workflow has; more waves than that is an error.",
)
@catalog_option
def fleet_plan(
    fleet_file: Path,
    to: str | None,
    as_json: bool,
    github_output: Path | None,
    wave_jobs: int,
    catalog: Path | None,
) -> None:
    """Print the fleet's waves in order: per stack its environment, current model@version and the change.

    Every Pulumi.<stack>.yaml beside the fleet file is read through the stack config reader. A stack in
    no wave, a wave naming an unknown stack, two stacks sharing an account name or a wave with nothing to
    do is reported at once, every problem, exit 2.

    Example usage:

    \b
        imagegate fleet plan
        imagegate fleet plan --to gpt-image-1.5@2026-03-10 --json
        imagegate fleet plan --to "$TARGET" --json --github-output "$GITHUB_OUTPUT"
    """
    from fleet.errors import FleetError
    from fleet.plan import github_outputs, plan_to_dict
    from fleet.render import render_plan

    plan = _load(fleet_file, to, catalog)
    if github_output is not None:
        try:
            lines = github_outputs(plan, wave_jobs)
        except FleetError as exc:
            raise _usage(exc) from None
        with open(github_output, "a", encoding="utf-8") as handle:
            handle.write("".join(f"{line}\n" for line in lines))
    click.echo(json.dumps(plan_to_dict(plan), indent=2) if as_json else render_plan(plan))


@fleet.command(name="run", context_settings=CONTEXT)
@fleet_option
@click.option("--to", "to", required=True, metavar="MODEL@VERSION", help="Target model and version.")
@click.option(
    "--max-parallel",
    type=click.IntRange(min=1),
    help="At most this many stacks of a wave at once (default: each wave's maxParallel).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where each stack's reports go (default .imagegate/fleet/ beside the fleet file).",
)
@arm_endpoint_option()
@ca_bundle_option
@click.option("--skip-preflight", is_flag=True, help="Pass --skip-preflight to each rollout.")
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the fleet summary page here (default <out>/fleet-summary.html).",
)
@click.option(
    "--summary-md",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the summary as Markdown here (default <out>/fleet-summary.md).",
)
@catalog_option
def fleet_run(
    fleet_file: Path,
    to: str,
    max_parallel: int | None,
    out: Path | None,
    arm_endpoint: str | None,
    ca_bundle: Path | None,
    skip_preflight: bool,
    html_path: Path | None,
    summary_md: Path | None,
    catalog: Path | None,
) -> None:
    """Run the fleet plan against the emulator: waves in order, each stack with `imagegate rollout run`.

    For local and emulator testing only: in production GitHub Actions runs the waves
    (.github/workflows/fleet.yml). The stacks of a wave run concurrently (up to the wave's maxParallel
    and --max-parallel), each rollout with the local driver, then `imagegate smoke run` on what the
    stack serves; a failing stack stops the fleet before the next wave. The summary is written at the end.

    Example usage:

    \b
        eval "$(imagegate emulator env --state-dir .emulator)"
        imagegate fleet run --to gpt-image-1.5@2026-03-10
        imagegate fleet run --to gpt-image-1.5@2026-03-10 --max-parallel 1 --html fleet.html
    """
    from fleet.runner import RunSettings, run_fleet
    from fleet.summary import collect, write_summary

    plan = _load(fleet_file, to, catalog)
    project = fleet_file.resolve().parent
    out = (out or project / ".imagegate" / "fleet").resolve()
    if not arm_endpoint:
        raise _usage(
            Exception(
                "fleet run needs the emulator: pass --arm-endpoint URL "
                '(or `eval "$(imagegate emulator env)"`).'
            )
        )
    rollout_args = ["--driver", "local", "--auth", "emulator", "--arm-endpoint", arm_endpoint]
    smoke_args = ["--auth", "emulator", "--quality", "low"]
    if ca_bundle:
        rollout_args += ["--ca-bundle", str(Path(ca_bundle).resolve())]
        smoke_args += ["--ca-bundle", str(Path(ca_bundle).resolve())]
    if catalog:
        rollout_args += ["--catalog", str(Path(catalog).resolve())]
    if skip_preflight:
        rollout_args.append("--skip-preflight")
    out.mkdir(parents=True, exist_ok=True)
    from fleet.plan import plan_to_dict

    document = plan_to_dict(plan)
    (out / "fleet-plan.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    settings = RunSettings(
        project=project,
        out=out,
        max_parallel=max_parallel,
        rollout_args=tuple(rollout_args),
        smoke_args=tuple(smoke_args),
        env=dict(os.environ),
        say=click.echo,
    )
    result = run_fleet(plan, settings)
    summary = collect(document, out)
    written = write_summary(
        summary,
        html_path=html_path or out / "fleet-summary.html",
        markdown_path=summary_md or out / "fleet-summary.md",
        env=os.environ,
    )
    for row in summary.rows:
        click.echo(f"{row.wave:12} {row.stack:20} {row.before} -> {row.after}  {row.verdict}")
    click.echo(f"fleet summary: {', '.join(str(p) for p in written)}")
    if result.interrupted:
        click.echo(
            "fleet run: interrupted; each rollout it stopped journalled it: run `imagegate rollout run` for "
            "that stack again to resume it, or `imagegate rollout abort` to roll it back."
        )
        raise SystemExit(EXIT_INTERRUPTED)
    if any(r.rollout_exit == EXIT_NEEDS_ATTENTION for r in result.results):
        raise SystemExit(EXIT_NEEDS_ATTENTION)
    raise SystemExit(0 if result.ok else EXIT_FAILED)


@fleet.command(name="summary", context_settings=CONTEXT)
@click.option(
    "--plan",
    "plan_file",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The plan JSON `fleet plan --json` printed.",
)
@click.option(
    "--artifacts",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The folder holding each stack's fleet-stack-<stack>/ folder (downloaded artifacts).",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the page as HTML here.",
)
@click.option(
    "--summary-md", type=click.Path(path_type=Path, dir_okay=False), help="Write the page as Markdown here."
)
@click.option("--run-url", metavar="URL", help="The workflow run's page, linked from each stack's row.")
def fleet_summary(
    plan_file: Path, artifacts: Path, html_path: Path | None, summary_md: Path | None, run_url: str | None
) -> None:
    """Build the fleet summary from the plan and the stacks' artifacts; append it to $GITHUB_STEP_SUMMARY.

    Every stack of the plan gets a row: its model@version before and after, the verdict (succeeded, rolled
    back, unchanged, not started, ...), the rollout's time, smoke after, and a link to its artifact.

    Example usage:

    \b
        imagegate fleet summary --plan plan.json --artifacts artifacts/ --html fleet.html
        imagegate fleet summary --plan plan.json --artifacts artifacts/ --run-url "$RUN_URL"
    """
    from fleet.errors import FleetError
    from fleet.summary import collect, read_json, write_summary

    not_a_plan = f"{plan_file} is not a fleet plan; pass the JSON `imagegate fleet plan --json` printed."
    try:
        document = read_json(plan_file)
        if not isinstance(document, dict) or not isinstance(document.get("waves"), list):
            raise _usage(Exception(not_a_plan))
        summary = collect(document, artifacts, run_url)
    except FleetError as exc:
        raise _usage(exc) from None
    except (KeyError, TypeError, AttributeError):
        raise _usage(Exception(not_a_plan)) from None
    written = write_summary(summary, html_path=html_path, markdown_path=summary_md, env=os.environ)
    click.echo(summary.rows and f"fleet summary: {len(summary.rows)} stacks" or "fleet summary: no stacks")
    for path in written:
        click.echo(f"  wrote {path}")
