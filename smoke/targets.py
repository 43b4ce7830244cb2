"""Which deployments to smoke: parsed from stack outputs (a file or ``pulumi stack output``) or
given as an endpoint plus deployment names.

Everything here fails with a ``TargetError`` before any request is sent. Pulumi is only ever a
subprocess; this package never imports it.
"""

from __future__ import annotations

import ipaddress
import json
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from smoke.errors import TargetError

DEFAULT_API_VERSION = "2025-04-01-preview"
_PULUMI_TIMEOUT_S = 120


@dataclass(frozen=True)
class Target:
    """One deployment to check, with what its stack outputs promise about it."""

    endpoint: str
    deployment: str
    api_version: str = DEFAULT_API_VERSION
    source: str = "cli"
    model: str | None = None
    role: str | None = None
    capacity: int | None = None
    local_auth_disabled: bool | None = None
    version: str | None = None
    sku: str | None = None
    # ``gateway``: an alias called through the stack's API Management gateway exactly as an application
    # calls it (the gateway endpoint, deployment = alias, the client subscription key); ``direct``: one
    # account's deployment. ``region`` is a pool member's region (None for an alias or a plain stack).
    via: Literal["direct", "gateway"] = "direct"
    region: str | None = None
    # For an alias: its members as (region, endpoint, deployment), in the outputs' order.
    members: tuple[tuple[str, str, str], ...] = ()

    @property
    def through_gateway(self) -> bool:
        return self.via == "gateway"

    @property
    def label(self) -> str:
        return f"{self.source}/{self.deployment}"

    @property
    def on_loopback(self) -> bool:
        """True when the endpoint is on this machine: the local emulator, never Azure."""
        return is_loopback_host(urlsplit(self.endpoint).hostname or "")

    @property
    def address(self) -> str:
        """``host:port`` of the endpoint, as a connection error names it."""
        return host_port(self.endpoint)


def host_port(url: str) -> str:
    """``host:port`` of an http(s) URL, the scheme's port when none is written (``[::1]:8443`` for IPv6)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port or (80 if parts.scheme == "http" else 443)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalise_endpoint(url: str) -> str:
    """Return the endpoint with a trailing slash; refuse plain http except to loopback."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise TargetError(
            f"Endpoint {url!r} is not an http(s) URL; pass e.g. https://NAME.openai.azure.com/."
        )
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise TargetError(
            f"Endpoint {url!r} uses plain http, which would send credentials in clear text; use https "
            "(plain http is only allowed to loopback)."
        )
    if parts.query or parts.fragment:
        raise TargetError(f"Endpoint {url!r} must not carry a query string or fragment.")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def _require(outputs: Mapping[str, object], key: str, kind: type, where: str) -> object:
    if key not in outputs:
        raise TargetError(
            f"The stack outputs from {where} have no {key!r} key; re-run `pulumi up` or fix the file."
        )
    value = outputs[key]
    if not isinstance(value, kind) or (kind is str and not value):
        raise TargetError(
            f"The {key!r} value in the stack outputs from {where} is not a valid {kind.__name__}."
        )
    return value


def targets_from_outputs(outputs: object, where: str, source: str | None = None) -> list[Target]:
    """Every deployment in a stack-outputs document (docs/CONTRACTS.md), candidates included."""
    if not isinstance(outputs, Mapping):
        raise TargetError(f"The stack outputs from {where} are not a JSON object.")
    endpoint = normalise_endpoint(str(_require(outputs, "endpoint", str, where)))
    deployments = _require(outputs, "deployments", dict, where)
    assert isinstance(deployments, dict)
    if not deployments:
        raise TargetError(f"The stack outputs from {where} list no deployments; nothing to smoke.")
    api_version = outputs.get("apiVersion") or DEFAULT_API_VERSION
    if not isinstance(api_version, str):
        raise TargetError(f"The 'apiVersion' value in the stack outputs from {where} is not a string.")
    local_auth = outputs.get("localAuthDisabled")
    if local_auth is not None and not isinstance(local_auth, bool):
        raise TargetError(
            f"The 'localAuthDisabled' value in the stack outputs from {where} is not true/false."
        )
    label = source or str(outputs.get("environment") or where)
    targets = []
    for name, spec in deployments.items():
        if not isinstance(spec, Mapping):
            raise TargetError(f"Deployment {name!r} in the stack outputs from {where} is not a JSON object.")
        capacity = spec.get("capacity")
        version = spec.get("version")
        targets.append(
            Target(
                endpoint=endpoint,
                deployment=str(name),
                api_version=api_version,
                source=label,
                model=spec.get("model") if isinstance(spec.get("model"), str) else None,
                role=spec.get("role") if isinstance(spec.get("role"), str) else None,
                capacity=capacity if isinstance(capacity, int) and not isinstance(capacity, bool) else None,
                local_auth_disabled=local_auth,
                version=str(version)
                if isinstance(version, str | int) and not isinstance(version, bool)
                else None,
                sku=spec.get("sku") if isinstance(spec.get("sku"), str) else None,
            )
        )
    return targets


def parse_outputs_text(text: str, where: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TargetError(
            f"The stack outputs from {where} are not valid JSON (line {exc.lineno}, column {exc.colno})."
        ) from exc
    except RecursionError:
        # Stack outputs nest a few levels; thousands of levels mean a wrong or hostile file.
        raise TargetError(
            f"The stack outputs from {where} are nested too deeply to be stack outputs."
        ) from None
    except ValueError as exc:  # e.g. an integer past Python's digit limit
        raise TargetError(f"The stack outputs from {where} are not usable JSON ({exc}).") from None


def _text(spec: Mapping[str, object], key: str, what: str, where: str) -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value:
        raise TargetError(f"{what} in the stack outputs from {where} has no {key!r} string.")
    return value


def gateway_targets(outputs: object, where: str) -> tuple[list[Target], list[Target]]:
    """The aliases of a stack-outputs document's ``gateway`` (docs/CONTRACTS.md) and their members.

    Returns ``(aliases, members)``: one target per alias (the gateway endpoint, deployment = the alias,
    the gateway's apiVersion) and one per member (the member account's endpoint and deployment, as a
    plain stack's deployments are). No ``gateway`` key: two empty lists.
    """
    if not isinstance(outputs, Mapping) or "gateway" not in outputs:
        return [], []
    gateway = outputs["gateway"]
    if not isinstance(gateway, Mapping):
        raise TargetError(f"The 'gateway' value in the stack outputs from {where} is not a JSON object.")
    endpoint = normalise_endpoint(_text(gateway, "endpoint", "The gateway", where))
    api_version = gateway.get("apiVersion") or outputs.get("apiVersion") or DEFAULT_API_VERSION
    if not isinstance(api_version, str):
        raise TargetError(f"The gateway's 'apiVersion' in the stack outputs from {where} is not a string.")
    aliases = gateway.get("aliases")
    if not isinstance(aliases, Mapping) or not aliases:
        raise TargetError(
            f"The gateway in the stack outputs from {where} lists no aliases; nothing to smoke."
        )
    local_auth = outputs.get("localAuthDisabled")
    local_auth = local_auth if isinstance(local_auth, bool) else None
    alias_targets: list[Target] = []
    member_targets: dict[tuple[str, str], Target] = {}
    for name, spec in aliases.items():
        what = f"Alias {name!r}"
        if not isinstance(spec, Mapping):
            raise TargetError(f"{what} in the stack outputs from {where} is not a JSON object.")
        members = spec.get("members")
        if not isinstance(members, list) or not members:
            raise TargetError(f"{what} in the stack outputs from {where} lists no members.")
        model = spec.get("model") if isinstance(spec.get("model"), str) else None
        version = spec.get("version") if isinstance(spec.get("version"), str) else None
        pool: list[tuple[str, str, str]] = []
        for member in members:
            if not isinstance(member, Mapping):
                raise TargetError(
                    f"A member of {what.lower()} in the stack outputs from {where} is not an object."
                )
            region = _text(member, "region", f"A member of alias {name!r}", where)
            account = _text(member, "account", f"A member of alias {name!r}", where)
            deployment = _text(member, "deployment", f"A member of alias {name!r}", where)
            url = normalise_endpoint(_text(member, "endpoint", f"A member of alias {name!r}", where))
            pool.append((region, url, deployment))
            member_targets.setdefault(
                (url, deployment),
                Target(
                    endpoint=url,
                    deployment=deployment,
                    api_version=api_version,
                    source=account,
                    model=model,
                    local_auth_disabled=local_auth,
                    version=version,
                    region=region,
                ),
            )
        alias_targets.append(
            Target(
                endpoint=endpoint,
                deployment=str(name),
                api_version=api_version,
                source="gateway",
                model=model,
                version=version,
                via="gateway",
                members=tuple(pool),
            )
        )
    return alias_targets, list(member_targets.values())


def stack_targets(outputs: object, where: str, source: str | None = None) -> list[Target]:
    """What ``smoke run`` checks for one outputs document: every deployment (``targets_from_outputs``),
    then, with a ``gateway``, every alias and every pool member not already among the deployments (a
    deployment that is a member gains its region). Without ``gateway``: exactly ``targets_from_outputs``."""
    plain = targets_from_outputs(outputs, where, source)
    aliases, members = gateway_targets(outputs, where)
    if not aliases:
        return plain
    region_of = {(m.endpoint, m.deployment): m.region for m in members}
    plain = [replace(t, region=region_of.get((t.endpoint, t.deployment))) for t in plain]
    known = {(t.endpoint, t.deployment) for t in plain}
    assert isinstance(outputs, Mapping)  # targets_from_outputs refused anything else
    label = source or str(outputs.get("environment") or where)
    gateway = [replace(a, source=f"{label}-gateway") for a in aliases]
    return [*gateway, *plain, *(m for m in members if (m.endpoint, m.deployment) not in known)]


def load_outputs_file(path: Path, with_gateway: bool = True) -> list[Target]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TargetError(f"Cannot read the outputs file {str(path)!r}: {exc.strerror or exc}.") from exc
    except UnicodeDecodeError:
        raise TargetError(
            f"The outputs file {str(path)!r} is not UTF-8 text; is it the right file?"
        ) from None
    outputs = parse_outputs_text(text, str(path))
    if not with_gateway:
        return targets_from_outputs(outputs, str(path))
    return stack_targets(outputs, str(path))


def load_stack(stack: str, pulumi: str = "pulumi", with_gateway: bool = True) -> list[Target]:
    """Run ``pulumi stack output --json --stack NAME`` and parse what it prints."""
    exe = shutil.which(pulumi)
    if exe is None:
        raise TargetError(
            "The Pulumi CLI is not on PATH; install it or export the outputs with "
            "`pulumi stack output --json > outputs.json` elsewhere and pass --outputs outputs.json."
        )
    try:
        proc = subprocess.run(
            [exe, "stack", "output", "--json", "--stack", stack],
            capture_output=True,
            text=True,
            timeout=_PULUMI_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TargetError(f"Running `pulumi stack output` for stack {stack!r} failed: {exc}.") from exc
    where = f"stack {stack!r}"
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["no error output"])[-1]
        raise TargetError(
            f"`pulumi stack output --stack {stack}` failed ({detail}); check the stack name and login."
        )
    outputs = parse_outputs_text(proc.stdout, where)
    if outputs == {}:
        raise TargetError(f"Stack {stack!r} has no outputs; run `pulumi up --stack {stack}` first.")
    if not with_gateway:
        return targets_from_outputs(outputs, where, source=stack)
    return stack_targets(outputs, where, source=stack)


def endpoint_targets(
    endpoint: str, deployments: Sequence[str], api_version: str | None, local_auth_disabled: bool | None
) -> list[Target]:
    if not deployments:
        raise TargetError("--endpoint needs at least one --deployment NAME.")
    url = normalise_endpoint(endpoint)
    parts = urlsplit(url)
    host = parts.hostname or "endpoint"
    segments = [s for s in parts.path.split("/") if s]
    # An IP or localhost says nothing; a path-based endpoint (the emulator's) names the account last.
    label = segments[-1] if segments and (is_loopback_host(host) or host.replace(".", "").isdigit()) else host
    return [
        Target(
            endpoint=url,
            deployment=name,
            api_version=api_version or DEFAULT_API_VERSION,
            source=label.split(".")[0],
            local_auth_disabled=local_auth_disabled,
        )
        for name in dict.fromkeys(deployments)
    ]


def select_deployments(targets: Iterable[Target], names: Sequence[str]) -> list[Target]:
    """Narrow to the named deployments; every name must exist in at least one outputs document."""
    targets = list(targets)
    if not names:
        return targets
    known = {t.deployment for t in targets}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise TargetError(
            f"Deployment {unknown[0]!r} is not in the stack outputs; "
            f"known deployments: {', '.join(sorted(known))}."
        )
    wanted = set(names)
    return [t for t in targets if t.deployment in wanted]


def with_api_version(targets: Iterable[Target], api_version: str | None) -> list[Target]:
    return [replace(t, api_version=api_version) if api_version else t for t in targets]
