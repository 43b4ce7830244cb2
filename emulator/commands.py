"""``imagegate emulator ...``: serve the emulator, and drive a running one from another shell.

``serve`` hands its arguments to the argparse parser of ``python -m emulator`` (one parser, two spellings),
so both print the same ready line and take the same options. ``env``, ``fault``, ``reset`` and ``release``
call the running emulator's admin API through ``emulator.control`` (they replace curl); they find it by
``--state-dir`` (default ``.emulator``, where ``serve --state-dir`` writes ``emulator.json``) or by
``--url``/``--ca-bundle``, which default to what ``eval "$(imagegate emulator env)"`` exported.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from clikit.options import CONTEXT, ca_bundle, env_option

PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}
DEFAULT_STATE_DIR = Path(".emulator")
F = TypeVar("F", bound=Callable[..., Any])


@click.group(name="emulator", context_settings=CONTEXT)
def emulator() -> None:
    """The local Azure: GPT-Image data plane and the Microsoft.CognitiveServices ARM subset, over HTTPS.

    Example usage:

    \b
        imagegate emulator serve --port 8443 --state-dir .emulator &
        eval "$(imagegate emulator env)"                     # point every command and SDK at it
        imagegate emulator fault set imagegate-dev/gpt-image --throttle 3
        imagegate emulator release gpt-image-1.5@2026-03-10  # Azure publishes a new version
        imagegate emulator reset
    """


@emulator.command(name="serve", context_settings=PASS_THROUGH, add_help_option=False)
@click.pass_context
def emulator_serve(ctx: click.Context) -> None:
    """Start the emulator and print `imagegate emulator ready url=<url> ca=<ca.pem>`; --help lists options.

    Same as `python -m emulator`. Ctrl-C stops it.

    Example usage:

    \b
        imagegate emulator serve --port 8443 --state-dir .emulator
        imagegate emulator serve --help
    """
    from emulator.cli import serve_command

    raise SystemExit(serve_command(list(ctx.args), prog="imagegate emulator serve"))


def _where(*, read_env: bool) -> Callable[[F], F]:
    """Where the running emulator is. `env` reads no variable: it prints them, and must not follow a stale
    one from an earlier eval."""

    def decorate(fn: F) -> F:
        options = [
            click.option("--state-dir", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
                         help="The --state-dir the emulator was started with (default .emulator)."),
            env_option("--url", envvar="IMAGEGATE_ARM_ENDPOINT" if read_env else None, metavar="URL",
                       help="The emulator's URL from its ready line, instead of --state-dir."),
            ca_bundle(read_env=read_env),
        ]
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorate


def _control(state_dir: Path | None, url: str | None, ca_bundle: Path | None) -> Any:
    from emulator.control import Control, find_emulator, given_emulator

    if url and state_dir is None:
        return Control(given_emulator(url, ca_bundle))
    return Control(find_emulator(state_dir or DEFAULT_STATE_DIR))


@emulator.command(name="env")
@_where(read_env=False)
@click.option("--account", metavar="SUBDOMAIN",
              help="Account for AZURE_OPENAI_ENDPOINT/AZURE_OPENAI_API_KEY (default: the first made through "
              "ARM that allows keys, e.g. by `imagegate local up`).")
@click.option("--unset", is_flag=True, help="Print the `unset` line that undoes a previous eval.")
@click.option("--wait", type=click.FloatRange(0, 600), default=0, metavar="SECONDS",
              help="Wait up to this long for the emulator to be up (it was just started with `&`).")
def emulator_env(state_dir: Path | None, url: str | None, ca_bundle: Path | None, account: str | None,
                 unset: bool, wait: float) -> None:
    """Print the `export` lines that point imagegate, the smoke suite and the SDKs at a running emulator.

    Sets the ARM endpoint and CA (local up, preflight, rollout), `IMAGEGATE_AUTH=emulator` (local Entra
    tokens), `IMAGEGATE_ROLLOUT_DRIVER=local`, `SSL_CERT_FILE`/`REQUESTS_CA_BUNDLE` (the public CAs plus
    the emulator's), and each account's endpoint with a `listKeys` key where the account allows keys, as
    `AZURE_OPENAI_ENDPOINT`/`AZURE_OPENAI_API_KEY` (what the openai SDK reads) and
    `IMAGEGATE_ENDPOINT_<ACCOUNT>`/`IMAGEGATE_API_KEY_<ACCOUNT>`. Run it again after `imagegate local up` to
    pick up the accounts it made. The output holds local emulator keys: eval it, do not paste it anywhere.

    Example usage:

    \b
        eval "$(imagegate emulator env)"                          # serve --state-dir .emulator
        eval "$(imagegate emulator env --wait 30)"                # it was just started with &
        eval "$(imagegate emulator env --state-dir /tmp/emu)"
        eval "$(imagegate emulator env --url https://127.0.0.1:8443/ --ca-bundle ca.pem)"
        eval "$(imagegate emulator env --unset)"
    """
    from emulator.control import ControlError, env_lines, unset_lines

    if unset:
        click.echo("\n".join(unset_lines(os.environ)))
        return
    deadline = time.monotonic() + wait
    while True:
        try:
            with _control(state_dir, url, ca_bundle) as control:
                lines = env_lines(control.address, control.accounts(), account)
            break
        except ControlError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)  # another process writes emulator.json once it serves: poll, bounded
    click.echo("\n".join(lines))


@emulator.command(name="reset")
@_where(read_env=True)
def emulator_reset(state_dir: Path | None, url: str | None, ca_bundle: Path | None) -> None:
    """Put the running emulator back to its config: ARM resources, faults and releases cleared.

    Example usage:

    \b
        imagegate emulator reset
    """
    with _control(state_dir, url, ca_bundle) as control:
        control.reset()
    click.echo("emulator reset: back to its config (ARM resources, faults and releases cleared)")


@emulator.group(name="fault", context_settings=CONTEXT)
def emulator_fault() -> None:
    """Inject faults into a running emulator: latency, 429s, 5xx, hangs, blocked, 404s, 409 conflicts.

    Example usage:

    \b
        imagegate emulator fault set imagegate-dev/gpt-image --throttle 3 --retry-after-ms 500
        imagegate emulator fault set imagegate-dev/gpt-image --latency-ms 2000 --error-rate 0.3
        imagegate emulator fault conflicts imagegate-dev 2      # the next 2 deployment writes get 409
        imagegate emulator fault list
        imagegate emulator fault clear
    """


def _shown(spec: dict[str, Any]) -> str:
    """The fault spec without the keys left at their defaults, as JSON."""
    from emulator.faults import FaultSpec

    defaults = FaultSpec().to_json()
    return json.dumps({k: v for k, v in spec.items() if defaults.get(k) != v}, sort_keys=True)


def _split_target(target: str) -> tuple[str, str]:
    subdomain, _, deployment = target.partition("/")
    if not subdomain or not deployment or "/" in deployment:
        raise click.BadParameter(f"{target!r} is not ACCOUNT/DEPLOYMENT, e.g. imagegate-dev/gpt-image.",
                                 param_hint="TARGET")
    return subdomain, deployment


@emulator_fault.command(name="set")
@click.argument("target", metavar="ACCOUNT/DEPLOYMENT")
@click.option("--latency-ms", type=click.FloatRange(0, 600_000), help="Delay every answer by this much.")
@click.option("--jitter-ms", type=click.FloatRange(0, 600_000), help="Plus or minus a uniform draw of this.")
@click.option("--error-rate", type=click.FloatRange(0, 1), help="Share of requests answered with a 5xx.")
@click.option("--error-status", type=click.Choice(["500", "502", "503", "504"]), help="That 5xx (500).")
@click.option("--throttle", type=click.IntRange(0, 1_000_000), metavar="N",
              help="Answer the next N requests with 429 and retry-after-ms.")
@click.option("--retry-after-ms", type=click.IntRange(1, 86_400_000), help="The 429s' retry-after-ms (1000).")
@click.option("--hang", is_flag=True, help="Hold answers so clients time out (see --hang-seconds).")
@click.option("--hang-seconds", type=click.FloatRange(0, 3600), help="How long a hang lasts (30).")
@click.option("--blocked", is_flag=True, help="403: the resource is temporarily blocked.")
@click.option("--not-found-for", type=click.FloatRange(0, 86_400), metavar="SECONDS",
              help="DeploymentNotFound while the deployment is younger than this.")
@click.option("--content-filter-output", is_flag=True, help="400 contentFilter on generated output.")
@click.option("--spec", metavar="JSON", help="The whole fault spec as JSON (docs/emulator.md), instead.")
@_where(read_env=True)
def emulator_fault_set(target: str, latency_ms: float | None, jitter_ms: float | None,
                       error_rate: float | None, error_status: str | None, throttle: int | None,
                       retry_after_ms: int | None, hang: bool, hang_seconds: float | None, blocked: bool,
                       not_found_for: float | None, content_filter_output: bool, spec: str | None,
                       state_dir: Path | None, url: str | None, ca_bundle: Path | None) -> None:
    """Set the faults of one deployment (replacing its previous ones).

    Example usage:

    \b
        imagegate emulator fault set imagegate-dev/gpt-image --latency-ms 20000
        imagegate emulator fault set local/gpt-image --spec '{"errorRate": 0.3, "errorStatus": 503}'
    """
    subdomain, deployment = _split_target(target)
    fields: dict[str, Any] = {
        "latencyMs": latency_ms, "latencyJitterMs": jitter_ms, "errorRate": error_rate,
        "errorStatus": int(error_status) if error_status else None, "hangSeconds": hang_seconds,
        "notFoundForSeconds": not_found_for,
        "throttle": None if throttle is None else
        {"count": throttle, **({"retryAfterMs": retry_after_ms} if retry_after_ms else {})},
        "hang": hang or None, "blocked": blocked or None,
        "contentFilterOutput": content_filter_output or None,
    }
    body = {k: v for k, v in fields.items() if v is not None}
    if retry_after_ms and throttle is None:
        raise click.UsageError("--retry-after-ms goes with --throttle N.")
    if spec is not None:
        if body:
            raise click.UsageError("Give either --spec JSON or fault options, not both.")
        try:
            body = json.loads(spec)
        except ValueError:
            raise click.BadParameter("is not JSON; e.g. --spec '{\"errorRate\": 0.5}'.",
                                     param_hint="--spec") from None
    if not body:
        raise click.UsageError("Say which fault, e.g. --throttle 3, --latency-ms 2000 or --error-rate 0.3; "
                               "`fault clear` removes faults.")
    with _control(state_dir, url, ca_bundle) as control:
        answer = control.set_fault(subdomain, deployment, body)
    click.echo(f"fault set on {subdomain}/{deployment}: {_shown(answer['spec'])}")
    if answer.get("warning"):
        click.echo(f"warning: {answer['warning']}", err=True)


@emulator_fault.command(name="clear")
@click.argument("target", metavar="[ACCOUNT/DEPLOYMENT]", required=False)
@_where(read_env=True)
def emulator_fault_clear(target: str | None, state_dir: Path | None, url: str | None,
                         ca_bundle: Path | None) -> None:
    """Remove the faults of one deployment, or every fault (data plane and ARM conflicts) without one.

    Example usage:

    \b
        imagegate emulator fault clear imagegate-dev/gpt-image
        imagegate emulator fault clear
    """
    where = _split_target(target) if target else (None, None)
    with _control(state_dir, url, ca_bundle) as control:
        control.clear_faults(*where)
        if target is None:
            control.clear_conflicts()
    click.echo(f"faults cleared{' on ' + target if target else ''}")


@emulator_fault.command(name="list")
@_where(read_env=True)
def emulator_fault_list(state_dir: Path | None, url: str | None, ca_bundle: Path | None) -> None:
    """Print the faults in force, one deployment a line.

    Example usage:

    \b
        imagegate emulator fault list
    """
    with _control(state_dir, url, ca_bundle) as control:
        faults = control.faults()
    for fault in faults:
        click.echo(f"{fault['subdomain']}/{fault['deployment']}: {_shown(fault['spec'])}")
    if not faults:
        click.echo("no faults")


@emulator_fault.command(name="conflicts")
@click.argument("account")
@click.argument("count", type=click.IntRange(0, 1000))
@_where(read_env=True)
def emulator_fault_conflicts(account: str, count: int, state_dir: Path | None, url: str | None,
                             ca_bundle: Path | None) -> None:
    """Make the next COUNT deployment writes on ACCOUNT answer ARM's 409 RequestConflict (0 clears).

    Example usage:

    \b
        imagegate emulator fault conflicts imagegate-dev 2
    """
    with _control(state_dir, url, ca_bundle) as control:
        control.set_conflicts(account, count)
    click.echo(f"the next {count} deployment writes on {account} answer 409 RequestConflict")


@emulator.command(name="release")
@click.argument("target", metavar="MODEL@VERSION", required=False)
@click.option("--retires", metavar="YYYY-MM-DD", help="The version's retirement date (default: none).")
@click.option("--default", "make_default", is_flag=True, help="Make it the model's default version.")
@click.option("--list", "list_only", is_flag=True, help="List the versions released so far and exit.")
@_where(read_env=True)
def emulator_release(target: str | None, retires: str | None, make_default: bool, list_only: bool,
                     state_dir: Path | None, url: str | None, ca_bundle: Path | None) -> None:
    """Publish a model version on the running emulator, as Azure does when it ships one.

    ARM's models.list, usages and deployment writes accept it at once (where the catalog offers the
    model), so `imagegate rollout run --to MODEL@VERSION` can be tried locally with no file editing and
    no restart. `imagegate emulator reset` withdraws releases.

    Example usage:

    \b
        imagegate emulator release gpt-image-1.5@2026-03-10
        imagegate emulator release gpt-image-1.5@2026-03-10 --retires 2027-09-10 --default
        imagegate emulator release --list
    """
    if list_only == (target is not None):
        raise click.UsageError("Give MODEL@VERSION (e.g. gpt-image-1.5@2026-03-10), or --list.")
    model, version = "", ""
    if target is not None:
        model, _, version = target.partition("@")
        if not model or not version:
            raise click.BadParameter(f"{target!r} is not MODEL@VERSION, e.g. gpt-image-1.5@2026-03-10.",
                                     param_hint="MODEL@VERSION")
    with _control(state_dir, url, ca_bundle) as control:
        if list_only:
            for release in control.releases():
                click.echo(f"{release['model']}@{release['version']}"
                           f" retires {release['retirementDate'] or 'never'}"
                           f"{' (default)' if release['default'] else ''}")
            return
        release = control.release(model, version, retires, make_default)
    click.echo(f"released {release['model']}@{release['version']}: ARM's models.list now offers it")
