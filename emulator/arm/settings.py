"""The ``arm`` section of the emulator config: quota and model-availability overrides, LRO timing, auth.

Example::

    {"arm": {"subscriptionId": "00000000-0000-0000-0000-000000000000", "lroDelaySeconds": 0.1,
             "strictAuth": false, "resourceGroups": ["rg-existing"],
             "quota": {"eastus2": {"OpenAI.GlobalStandard.gpt-image-1.5": 20}},
             "availability": [{"region": "eastus2", "model": "gpt-image-2", "sku": "GlobalStandard",
                               "available": false}]}}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.errors import ConfigError

DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
DEFAULT_TENANT = "00000000-0000-0000-0000-0000000000aa"
ARM_KEYS = (
    "subscriptionId", "tenantId", "lroDelaySeconds", "strictAuth", "resourceGroups", "quota", "availability",
)


@dataclass(frozen=True)
class AvailabilityOverride:
    """Offer (``available: true``) or withdraw a model+SKU in a region; no ``version``: every version."""

    region: str
    model: str
    sku: str
    available: bool
    version: str | None = None


@dataclass(frozen=True)
class ArmSettings:
    subscription_id: str = DEFAULT_SUBSCRIPTION
    tenant_id: str = DEFAULT_TENANT
    lro_delay_seconds: float = 0.1
    strict_auth: bool = False
    # region (lower-case) -> usage name (e.g. OpenAI.GlobalStandard.gpt-image-1.5) -> limit
    quota: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    availability: tuple[AvailabilityOverride, ...] = ()
    resource_groups: tuple[str, ...] = ()


def parse_arm_settings(raw: Any) -> ArmSettings:
    """Read the config's ``arm`` object (None gives the defaults); every mistake is a ConfigError."""
    if raw is None:
        return ArmSettings()
    if not isinstance(raw, Mapping):
        raise ConfigError("The config's 'arm' section must be an object; fix it.")
    unknown = sorted(set(map(str, raw)) - set(ARM_KEYS))
    if unknown:
        raise ConfigError(f"arm.{unknown[0]} is not a known key; use {', '.join(ARM_KEYS)}.")
    delay = raw.get("lroDelaySeconds", 0.1)
    if not isinstance(delay, int | float) or isinstance(delay, bool) or not 0 <= delay <= 600:
        raise ConfigError(f"arm.lroDelaySeconds is {delay!r}; use a number of seconds between 0 and 600.")
    strict = raw.get("strictAuth", False)
    if not isinstance(strict, bool):
        raise ConfigError(f"arm.strictAuth is {strict!r}; use true or false.")
    groups = raw.get("resourceGroups", [])
    if not isinstance(groups, list) or not all(isinstance(g, str) and g for g in groups):
        raise ConfigError("arm.resourceGroups must be a list of resource group names.")
    return ArmSettings(
        subscription_id=_string(raw, "subscriptionId", DEFAULT_SUBSCRIPTION),
        tenant_id=_string(raw, "tenantId", DEFAULT_TENANT),
        lro_delay_seconds=float(delay),
        strict_auth=strict,
        quota=parse_quota(raw.get("quota", {})),
        availability=tuple(_availability(item) for item in _list(raw, "availability")),
        resource_groups=tuple(groups),
    )


def parse_quota(raw: Any) -> dict[str, dict[str, int]]:
    """``{region: {usageName: limit}}`` with non-negative integer limits; regions lower-cased."""
    if not isinstance(raw, Mapping):
        raise ConfigError("arm.quota must be an object {region: {usageName: limit}}.")
    quota: dict[str, dict[str, int]] = {}
    for region, limits in raw.items():
        if not isinstance(limits, Mapping):
            raise ConfigError(f"arm.quota.{region} must be an object {{usageName: limit}}.")
        for usage, limit in limits.items():
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
                raise ConfigError(f"arm.quota.{region}.{usage} is {limit!r}; use a whole number >= 0.")
        quota[str(region).lower()] = {str(k): int(v) for k, v in limits.items()}
    return quota


def _string(raw: Mapping[str, Any], key: str, default: str) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"arm.{key} is {value!r}; use a non-empty string.")
    return value


def _list(raw: Mapping[str, Any], key: str) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"arm.{key} must be a list.")
    return value


def _availability(item: Any) -> AvailabilityOverride:
    if not isinstance(item, Mapping) or not all(
        isinstance(item.get(k), str) for k in ("region", "model", "sku")
    ):
        raise ConfigError("Each arm.availability entry needs string 'region', 'model' and 'sku'.")
    available = item.get("available", True)
    version = item.get("version")
    if not isinstance(available, bool) or not (version is None or isinstance(version, str)):
        raise ConfigError(
            "arm.availability: 'available' must be true/false and 'version' a string when given."
        )
    return AvailabilityOverride(item["region"].lower(), item["model"], item["sku"], available, version)
