"""The emulator's config file (YAML or JSON) and run settings.

Until the ARM API creates them, accounts and deployments come from here (shape in docs/CONTRACTS.md,
"Emulator"). ``parse_config`` checks the whole document and reports every problem in one ``ConfigError``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from emulator.accounts import AccountSpec, DeploymentSpec
from emulator.errors import ConfigError, EmulatorError
from emulator.faults import FaultSpec, parse_fault_spec
from emulator.jsonbody import JsonRejected, check_value
from emulator.limits import RequestLimits, parse_limits

_SUBDOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

DEFAULT_CONFIG: dict[str, Any] = {
    "accounts": [
        {
            "subdomain": "local",
            "keys": ["local-key-1", "local-key-2"],
            "deployments": [
                {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 100},
            ],
        }
    ]
}


ACCOUNT_KEYS = ("subdomain", "keys", "disableLocalAuth", "openAiUsers", "blockTerms", "region", "deployments")
DEPLOYMENT_KEYS = ("name", "model", "version", "sku", "capacity", "faults")
# `arm` is the ARM part's own section (emulator/arm/settings.py checks what is inside it).
TOP_KEYS = (
    "accounts",
    "rpmPerCapacityUnit",
    "apiVersions",
    "acceptWebp",
    "maxImageBytes",
    "maxMaskBytes",
    "requestLogSize",
    "faultSeed",
    "arm",
    "limits",
    "images",
)


@dataclass(frozen=True)
class EmulatorConfig:
    accounts: tuple[AccountSpec, ...] = ()
    faults: tuple[tuple[str, str, FaultSpec], ...] = ()
    rpm_per_capacity_unit: float | None = None  # None: the catalog's value
    accept_webp: bool = True
    api_versions: tuple[str, ...] | None = None  # None: any dated version from 2025-04-01 on
    max_image_bytes: int = 50 * 1024 * 1024
    max_mask_bytes: int = 4 * 1024 * 1024
    request_log_size: int = 1000
    fault_seed: int | None = None
    limits: RequestLimits = field(default_factory=RequestLimits)
    realistic_images: bool = False  # images: {realistic: true}: photographic detail at real byte sizes
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Settings:
    """How to run: the parsed config plus the CLI's host, port, TLS and paths."""

    config: EmulatorConfig = field(default_factory=EmulatorConfig)
    host: str = "127.0.0.1"
    port: int = 0
    tls: bool = True
    state_dir: Path | None = None
    catalog_path: Path | None = None
    # Off loopback the admin API needs a token (emulator/admintoken.py); None: open (loopback).
    admin_token: str | None = None
    admin_token_file: Path | None = None


MAX_CONFIG_BYTES = 4 * 1024 * 1024


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc.strerror}.") from exc
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"The config file {path} is larger than {MAX_CONFIG_BYTES} bytes; is it the right file?"
        )
    try:
        raw = yaml.safe_load(data.decode("utf-8"))  # JSON is YAML too
    except UnicodeDecodeError:
        raise ConfigError(f"The config file {path} is not UTF-8 text; save it as UTF-8.") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"The config file {path} is neither valid YAML nor JSON; fix its syntax.") from exc
    except RecursionError:
        raise ConfigError(f"The config file {path} is nested too deeply; flatten it.") from None
    try:
        # YAML aliases can make a small file a huge tree, and .nan/.inf are YAML numbers: refuse both.
        check_value(raw, max_depth=64, max_values=1_000_000)
        json.dumps(raw, allow_nan=False, default=str)
    except JsonRejected as exc:
        raise ConfigError(f"The config file {path} is not accepted: {exc.reason}.") from None
    except ValueError:
        raise ConfigError(f"The config file {path} holds .nan or .inf; use finite numbers.") from None
    except RecursionError:
        raise ConfigError(f"The config file {path} is nested too deeply; flatten it.") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"The config file {path} must hold a mapping with an 'accounts' list.")
    return raw


def parse_config(raw: dict[str, Any]) -> EmulatorConfig:
    problems: list[str] = []
    accounts: list[AccountSpec] = []
    faults: list[tuple[str, str, FaultSpec]] = []
    for key in sorted(set(map(str, raw)) - set(TOP_KEYS)):
        problems.append(f"{key} is not a known top-level key (known: {', '.join(TOP_KEYS)})")
    raw_accounts = raw.get("accounts", [])
    if not isinstance(raw_accounts, list):
        problems.append("'accounts' must be a list")
        raw_accounts = []
    seen: set[str] = set()
    for i, item in enumerate(raw_accounts):
        where = f"accounts[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where} must be a mapping")
            continue
        account = _account(item, where, problems, faults)
        if account is None:
            continue
        if account.subdomain in seen:
            problems.append(f"{where}.subdomain {account.subdomain!r} appears twice")
        seen.add(account.subdomain)
        accounts.append(account)

    rpm = raw.get("rpmPerCapacityUnit")
    if rpm is not None and (isinstance(rpm, bool) or not isinstance(rpm, int | float) or rpm <= 0):
        problems.append(f"rpmPerCapacityUnit must be a positive number, not {rpm!r}")
    versions = raw.get("apiVersions")
    if versions is not None and not (
        isinstance(versions, list) and all(isinstance(v, str) for v in versions)
    ):
        problems.append("apiVersions must be a list of strings")
    accept_webp = raw.get("acceptWebp", True)
    if not isinstance(accept_webp, bool):
        problems.append(f"acceptWebp must be true or false, not {accept_webp!r}")
    sizes = {k: raw.get(k) for k in ("maxImageBytes", "maxMaskBytes", "requestLogSize")}
    for key, value in sizes.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
            problems.append(f"{key} must be a positive integer, not {value!r}")
    seed = raw.get("faultSeed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        problems.append(f"faultSeed must be an integer, not {seed!r}")
    limits = RequestLimits()
    try:
        limits = parse_limits(raw.get("limits"))
    except ConfigError as exc:
        problems.append(exc.message.rstrip("."))
    realistic = _realistic_images(raw.get("images"), problems)
    if problems:
        raise ConfigError("The emulator config has problems: " + "; ".join(problems) + ".")
    return EmulatorConfig(
        accounts=tuple(accounts),
        faults=tuple(faults),
        rpm_per_capacity_unit=float(rpm) if rpm is not None else None,
        accept_webp=accept_webp,
        api_versions=tuple(versions) if versions is not None else None,
        max_image_bytes=sizes["maxImageBytes"] or 50 * 1024 * 1024,
        max_mask_bytes=sizes["maxMaskBytes"] or 4 * 1024 * 1024,
        request_log_size=sizes["requestLogSize"] or 1000,
        fault_seed=seed,
        limits=limits,
        realistic_images=realistic,
        raw=raw,
    )


def _realistic_images(images: Any, problems: list[str]) -> bool:
    if images is None:
        return False
    if not isinstance(images, dict) or set(images) - {"realistic"}:
        problems.append(f"images must be a mapping with only 'realistic', not {images!r}")
        return False
    realistic = images.get("realistic", False)
    if not isinstance(realistic, bool):
        problems.append(f"images.realistic must be true or false, not {realistic!r}")
        return False
    return realistic


def _unknown_keys(item: dict[str, Any], known: tuple[str, ...], where: str, problems: list[str]) -> None:
    # A misspelt key would otherwise be ignored silently and its default used instead.
    for key in sorted(set(map(str, item)) - set(known)):
        problems.append(f"{where}.{key} is not a known key (known: {', '.join(known)})")


def _strings(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where} must be a list of strings")
        return ()
    return tuple(value)


def _account(
    item: dict[str, Any], where: str, problems: list[str], faults: list[tuple[str, str, FaultSpec]]
) -> AccountSpec | None:
    _unknown_keys(item, ACCOUNT_KEYS, where, problems)
    subdomain = item.get("subdomain")
    if subdomain is None:
        problems.append(f"{where}.subdomain is required")
        return None
    if not isinstance(subdomain, str) or not _SUBDOMAIN.match(subdomain):
        problems.append(f"{where}.subdomain must be lower-case letters, digits and '-', not {subdomain!r}")
        return None
    disabled = item.get("disableLocalAuth", False)
    if not isinstance(disabled, bool):
        problems.append(f"{where}.disableLocalAuth must be true or false")
    users = item.get("openAiUsers")
    principals: tuple[str, ...] | None = None
    if users is not None:
        if isinstance(users, list):
            ids = [u.get("principalId") if isinstance(u, dict) else u for u in users]
            principals = _strings(ids, f"{where}.openAiUsers", problems)
        else:
            problems.append(f"{where}.openAiUsers must be a list of principal ids")
    deployments: dict[str, DeploymentSpec] = {}
    raw_deployments = item.get("deployments", [])
    if not isinstance(raw_deployments, list):
        problems.append(f"{where}.deployments must be a list")
        raw_deployments = []
    for j, dep in enumerate(raw_deployments):
        dwhere = f"{where}.deployments[{j}]"
        if not isinstance(dep, dict) or not isinstance(dep.get("name"), str) or not dep.get("name"):
            problems.append(f"{dwhere} needs a 'name'")
            continue
        _unknown_keys(dep, DEPLOYMENT_KEYS, dwhere, problems)
        model, version = dep.get("model"), dep.get("version", "")
        capacity = dep.get("capacity", 1)
        if not isinstance(model, str) or not isinstance(version, str):
            problems.append(f"{dwhere} needs a 'model' string and a 'version' string")
            continue
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            problems.append(f"{dwhere}.capacity must be a positive integer, not {capacity!r}")
            continue
        deployments[dep["name"]] = DeploymentSpec(
            name=dep["name"],
            model=model,
            version=version,
            sku=str(dep.get("sku", "GlobalStandard")),
            capacity=capacity,
        )
        if dep.get("faults") is not None:
            try:
                faults.append((subdomain, dep["name"], parse_fault_spec(dep["faults"])))
            except EmulatorError as exc:
                problems.append(f"{dwhere}.faults: {exc.message.rstrip('.')}")
    return AccountSpec(
        subdomain=subdomain,
        keys=_strings(item.get("keys"), f"{where}.keys", problems),
        local_auth_disabled=bool(disabled),
        block_terms=_strings(item.get("blockTerms"), f"{where}.blockTerms", problems),
        region=str(item.get("region", "eastus2")),
        deployments=deployments,
        openai_users=principals,
    )
