"""The ``imagegate:`` stack config as typed, validated, frozen objects.

Pure: no Pulumi import. ``load_stack_config(values, stack)`` validates the whole config and raises one
:class:`ConfigError` listing every problem; nothing is declared before it returns. Warnings (e.g. a model
retiring soon) come back on ``StackConfig.warnings``. ``read_stack_document`` is the one reader of
``Pulumi.<stack>.yaml``; ``load_stack_file`` reads and validates one, the provider's keys included.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from catalog import Catalog, load_catalog
from infra.config_reader import MISSING, Reader, join, show
from infra.config_sections import (
    AccessConfig,
    AccountConfig,
    ContentFilterConfig,
    MonitoringConfig,
    read_access,
    read_account,
    read_content_filter,
    read_monitoring,
    read_tags,
)
from infra.deployments_config import (
    CandidateConfig,
    DeploymentConfig,
    candidate_name,
    quota_warnings,
    read_candidate,
    read_deployments,
)
from infra.errors import ConfigError, StackFileError
from infra.gateway_config import GatewayConfig, read_gateway
from infra.regions_config import RegionConfig, declares_regions, first_location, implicit_region, read_regions

__all__ = [
    "AccessConfig",
    "AccountConfig",
    "CandidateConfig",
    "ConfigError",
    "ContentFilterConfig",
    "DeploymentConfig",
    "MonitoringConfig",
    "ResourceGroupConfig",
    "StackConfig",
    "StackFile",
    "TOP_LEVEL_KEYS",
    "candidate_name",
    "load_stack_config",
    "load_stack_file",
    "read_stack_document",
    "read_stack_file",
    "RegionConfig",
    "GatewayConfig",
    "resolve_stack_file",
    "stack_name_of",
]

NAMESPACE = "imagegate"
PROVIDER_LOCATION_KEY = "azure-native:location"
TOP_LEVEL_KEYS = (
    "environment",
    "location",
    "namePrefix",
    "resourceGroup",
    "protect",
    "account",
    "contentFilter",
    "deployments",
    "candidate",
    "activeDeployment",
    "monitoring",
    "access",
    "tags",
    "regions",
    "gateway",
)
NAME_PREFIX_PATTERN = r"[a-z][a-z0-9-]{1,38}[a-z0-9]"
RESOURCE_GROUP_PATTERN = r"[-\w.()]{0,89}[-\w()]"
ENVIRONMENT_PATTERN = r"[a-z][a-z0-9-]{0,15}"
LOCATION_PATTERN = r"[a-z][a-z0-9]{2,30}"


@dataclass(frozen=True)
class ResourceGroupConfig:
    name: str
    existing: bool


@dataclass(frozen=True)
class StackConfig:
    stack: str
    environment: str
    location: str
    name_prefix: str
    resource_group: ResourceGroupConfig
    protect: bool
    account: AccountConfig
    content_filter: ContentFilterConfig
    deployments: tuple[DeploymentConfig, ...]
    candidate: CandidateConfig | None
    active_deployment: str
    monitoring: MonitoringConfig
    access: AccessConfig
    tags: Mapping[str, str]
    warnings: tuple[str, ...] = ()
    # ``regions[]`` as written; () for a stack of one implicit region (read ``regions``, not this).
    declared_regions: tuple[RegionConfig, ...] = ()
    gateway: GatewayConfig | None = None

    @property
    def regions(self) -> tuple[RegionConfig, ...]:
        """Every region of the stack, the first being the one today's single-account outputs describe.

        A stack without ``regions`` has one: ``location``, ``account`` and every image deployment."""
        if self.declared_regions:
            return self.declared_regions
        return (implicit_region(self.location, self.account, self.image_deployments),)

    @property
    def image_deployments(self) -> tuple[DeploymentConfig, ...]:
        """Every deployment to declare, in the order they are applied: stable ones, then the candidate."""
        if self.candidate is None:
            return self.deployments
        return (*self.deployments, self.candidate.as_deployment())

    def deployment(self, name: str) -> DeploymentConfig | None:
        """The stable deployment called ``name`` (the candidate is not one), or None."""
        return next((d for d in self.deployments if d.name == name), None)


def load_stack_config(
    values: Mapping[str, Any],
    stack: str,
    *,
    today: date | None = None,
    catalog: Catalog | None = None,
    outside: Mapping[str, Any] | None = None,
) -> StackConfig:
    """Validate the ``imagegate:`` values (keys without the namespace) as a whole.

    ``outside`` holds the stack's other config keys as written (``StackFile.outside``): the provider's
    ``azure-native:location`` must name the same region, and a known key written without the namespace
    gets a hint instead of a bare "is required". Raises :class:`ConfigError` with one sentence per
    problem; returns the typed config otherwise.
    """
    today = today or date.today()
    catalog = catalog or load_catalog()
    r = Reader(NAMESPACE)
    values = {k.removeprefix(f"{NAMESPACE}:"): v for k, v in values.items()}
    outside = dict(outside or {})
    for unknown in sorted(set(values) - set(TOP_LEVEL_KEYS)):
        r.fail(unknown, values[unknown], "is not a known key", ", ".join(TOP_LEVEL_KEYS))
    misplaced = [key for key in TOP_LEVEL_KEYS if key in outside]
    for key in misplaced:
        # Pulumi reads a stack file's keys as <namespace>:<name>; a bare key is never imagegate's.
        r.problems.append(f"{key} is written without the '{NAMESPACE}:' prefix; write {NAMESPACE}:{key}.")
    # Read a misplaced value as if it had the prefix, so its own problems show in the same pass.
    values = {**{key: outside[key] for key in misplaced}, **values}
    get = values.get

    environment = r.string(
        "environment",
        get("environment", MISSING),
        default=stack or None,
        pattern=ENVIRONMENT_PATTERN,
        accepted="1-16 lowercase letters, digits or hyphens, starting with a letter",
    )
    location = r.string(
        "location",
        get("location", MISSING),
        default=first_location(values),
        pattern=LOCATION_PATTERN,
        accepted="an Azure region name such as eastus2",
    )
    # The region deployments are checked against: empty when the location itself is the problem, so a
    # bad region is reported once, as an error of `location`, not again by every deployment's SKU.
    region = _read_region(r, location, catalog)
    _check_provider_location(r, outside.get(PROVIDER_LOCATION_KEY, MISSING), location)
    name_prefix = r.string(
        "namePrefix",
        get("namePrefix", MISSING),
        default=f"imagegate-{environment}",
        pattern=NAME_PREFIX_PATTERN,
        accepted="3-40 lowercase letters, digits or hyphens, starting with a letter",
    )

    rg = r.section("resourceGroup", get("resourceGroup", MISSING), ("name", "existing"))
    resource_group = ResourceGroupConfig(
        name=r.string(
            "resourceGroup.name",
            rg.get("name", MISSING),
            default=f"rg-{name_prefix}",
            pattern=RESOURCE_GROUP_PATTERN,
            accepted="1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'",
        ),
        existing=r.boolean("resourceGroup.existing", rg.get("existing", MISSING), False),
    )
    # Production keeps its account even when someone runs `pulumi destroy` by mistake.
    protect = r.boolean("protect", get("protect", MISSING), environment == "prod")
    warnings: list[str] = []
    regions = read_regions(
        r, values, name_prefix=name_prefix, catalog=catalog, today=today, warnings=warnings
    )
    multi_region = declares_regions(values)
    if multi_region:
        # The first region fills the single-account fields, so today's outputs describe it.
        account = regions[0].account if regions else read_account(r, MISSING, default_subdomain=name_prefix)
    else:
        account = read_account(r, get("account", MISSING), default_subdomain=name_prefix)
    content_filter = read_content_filter(r, get("contentFilter", MISSING))

    if multi_region:
        # The first region's candidate is the stack's (its account is the one the outputs describe).
        candidate = regions[0].candidate if regions else None
        first_region = regions[0].deployments if regions else ()
        deployments = [d for d in first_region if candidate is None or d.name != candidate.name]
    else:
        deployments = read_deployments(r, get("deployments", MISSING), region, catalog, today, warnings)
        candidate = read_candidate(
            r, get("candidate", MISSING), deployments, region, catalog, today, warnings
        )
    all_regional = [d.name for each in regions for d in each.deployments]
    all_names = [d.name for d in deployments] + ([candidate.name] if candidate else [])
    all_names += [name for name in all_regional if name not in all_names]
    active = r.string(
        "activeDeployment",
        get("activeDeployment", MISSING),
        default=all_names[0] if all_names else "",
        choices=all_names if all_names else None,
        choice_issue="is not the name of a deployment",
    )
    monitoring = read_monitoring(r, get("monitoring", MISSING), today=today)
    access = read_access(r, get("access", MISSING))
    tags = read_tags(r, get("tags", MISSING))
    gateway = read_gateway(
        r,
        get("gateway", MISSING),
        regions or [implicit_region(location, account, tuple(deployments) + _as_deployments(candidate))],
        name_prefix=name_prefix,
        warnings=warnings,
    )

    if not r.problems and not multi_region:
        stable_and_candidate = deployments + ([candidate.as_deployment()] if candidate else [])
        warnings.extend(quota_warnings(stable_and_candidate, location, catalog))
    if account.public_network_access == "Disabled" and account.private_endpoint is None:
        warnings.append(
            f"{NAMESPACE}:account.publicNetworkAccess is Disabled and no privateEndpoint is set: "
            "nothing will be able to reach the account."
        )
    if r.problems:
        raise ConfigError(r.problems, stack)
    return StackConfig(
        stack=stack,
        environment=environment,
        location=location,
        name_prefix=name_prefix,
        resource_group=resource_group,
        protect=protect,
        account=account,
        content_filter=content_filter,
        deployments=tuple(deployments),
        candidate=candidate,
        active_deployment=active,
        monitoring=monitoring,
        access=access,
        tags=tags,
        warnings=tuple(warnings),
        declared_regions=tuple(regions),
        gateway=gateway,
    )


def _read_region(r: Reader, location: str, catalog: Catalog) -> str:
    """``location`` when the catalog offers some model there; else a problem of ``location`` and ''."""
    if not location or not re.fullmatch(LOCATION_PATTERN, location):
        return ""
    known = catalog.regions()
    if location not in known:
        r.fail(
            "location", location, "is not a region where the model catalog offers an image model", join(known)
        )
        return ""
    return location


def _check_provider_location(r: Reader, value: Any, location: str) -> None:
    """``azure-native:location`` places what the program does not give a location; it must be the same."""
    if value is MISSING or value is None or not location:
        return
    # The provider accepts display names too ("East US 2"); ARM compares them without spaces or case.
    if not isinstance(value, str) or value.replace(" ", "").lower() != location.lower():
        r.problems.append(
            f"{PROVIDER_LOCATION_KEY}: {show(value)} is not the region of {NAMESPACE}:location "
            f"({location!r}); set both to the same region."
        )


def _as_deployments(candidate: CandidateConfig | None) -> tuple[DeploymentConfig, ...]:
    return (candidate.as_deployment(),) if candidate is not None else ()


def stack_name_of(path: str | Path) -> str | None:
    """``Pulumi.dev.yaml`` -> ``dev``; None for a file not named like a stack config.

    Pulumi stack names may contain dots (``Pulumi.team.prod.yaml`` is stack ``team.prod``)."""
    match = re.fullmatch(r"Pulumi\.(.+)\.ya?ml", Path(path).name)
    return match.group(1) if match else None


def resolve_stack_file(stack: str | None, config: Path | None) -> tuple[str, Path]:
    """``--stack dev`` means ``Pulumi.dev.yaml``; ``--config Pulumi.dev.yaml`` alone means stack ``dev``.

    Raises :class:`StackFileError` with the sentence a command line shows."""
    if stack is None and config is None:
        raise StackFileError("Name the stack with --stack NAME (or give --config Pulumi.<stack>.yaml).")
    if config is None:
        config = Path(f"Pulumi.{stack}.yaml")
        if not config.is_file():
            raise StackFileError(
                f"{config} does not exist; run from the project folder or pass --config FILE."
            )
        return str(stack), config
    if not config.is_file():
        raise StackFileError(f"{config} does not exist; check the --config path.")
    stack = stack or stack_name_of(config)
    if stack is None:
        raise StackFileError(
            f"Cannot tell the stack from {config.name} (stack files are Pulumi.<stack>.yaml); "
            "add --stack NAME."
        )
    return stack, config


@dataclass(frozen=True)
class StackFile:
    """A ``Pulumi.<stack>.yaml`` as read: its ``imagegate:`` values (keys without the namespace) and every
    other key of its ``config:`` as written (other providers' keys, keys missing their namespace)."""

    values: Mapping[str, Any]
    outside: Mapping[str, Any]


def load_stack_file(
    path: str | Path, stack: str, *, today: date | None = None, catalog: Catalog | None = None
) -> StackConfig:
    """``read_stack_document`` then ``load_stack_config``: the whole file judged, other namespaces too."""
    document = read_stack_document(path)
    return load_stack_config(
        dict(document.values), stack, today=today, catalog=catalog, outside=document.outside
    )


def read_stack_file(path: str | Path) -> dict[str, Any]:
    """The ``imagegate:`` values of a ``Pulumi.<stack>.yaml``, keys without the namespace."""
    return dict(read_stack_document(path).values)


def read_stack_document(path: str | Path) -> StackFile:
    """The one reader of a ``Pulumi.<stack>.yaml``; raises :class:`ConfigError` naming the file."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise ConfigError(
            [f"{path} does not exist; create it with `pulumi stack init`."], source=str(path)
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(
            [f"{path} is not valid YAML ({_yaml_problem(exc)}); fix the file."], source=str(path)
        ) from exc
    except UnicodeDecodeError:
        raise ConfigError([f"{path} is not UTF-8 text; save it as UTF-8."], source=str(path)) from None
    except RecursionError:
        raise ConfigError(
            [f"{path} is nested too deeply to be a stack file; fix the file."], source=str(path)
        ) from None
    except OSError as exc:
        raise ConfigError(
            [f"{path} cannot be read ({exc.strerror or exc}); check the path."], source=str(path)
        ) from exc
    config = document.get("config") if isinstance(document, Mapping) else None
    if not isinstance(config, Mapping):
        return StackFile({}, {})
    prefix = f"{NAMESPACE}:"
    return StackFile(
        values={key[len(prefix) :]: value for key, value in config.items() if str(key).startswith(prefix)},
        outside={str(key): value for key, value in config.items() if not str(key).startswith(prefix)},
    )


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """PyYAML's message spans lines and quotes the file; one line with the position is enough."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "unreadable"
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark else str(problem)
