"""Read-only APIs used before deploying: ``models.list``, ``usages.list`` and ``modelCapacities``.

All three come from the same offers and quota functions deployment validation uses, so what preflight
reads here is exactly what a deployment PUT will accept.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from catalog import Model
from emulator.arm import errors
from emulator.arm.offers import quota_limit, usage_name
from emulator.arm.state import ArmResult, ArmState


def lifecycle_status(offer: Model) -> str:
    status = offer.status.lower()
    if status == "ga":
        return "GenerallyAvailable"
    return {"retired": "Deprecated", "preview": "Preview", "deprecating": "Deprecating"}.get(
        status, offer.status
    )


def _iso(day: date | None) -> str | None:
    """Catalog dates are days; ARM reports date-times (the SDK parses them as ISO 8601)."""
    return f"{day.isoformat()}T00:00:00Z" if day else None


def _when(key: str, day: date | None) -> dict[str, str]:
    """``{key: date-time}``, or nothing: the spec types these dates as strings, so no null."""
    iso = _iso(day)
    return {key: iso} if iso else {}


class LocationsProvider:
    def __init__(self, state: ArmState) -> None:
        self._state = state

    def models(self, subscription: str, location: str) -> ArmResult:
        region = location.replace(" ", "").lower()
        items: list[dict[str, Any]] = []
        with self._state.store.lock:
            for offer in self._state.offers.models:
                for version in self._state.offers.versions_in_region(offer, region):
                    skus = self._state.offers.skus_in_region(offer, version.version, region)
                    if not skus:
                        continue
                    sku_items = []
                    for sku in skus:
                        limit = quota_limit(
                            self._state.offers, self._state.quota, region, sku.name, offer.name
                        )
                        sku_items.append(
                            {
                                "name": sku.name,
                                "usageName": usage_name(sku.name, offer.name),
                                "capacity": {
                                    "minimum": 1,
                                    "maximum": max(limit, 1),
                                    "step": 1,
                                    "default": min(limit, 1),
                                },
                                **_when("deprecationDate", version.retirement_date),
                                "rateLimits": [
                                    {
                                        "key": "request",
                                        "renewalPeriod": 60,
                                        "count": self._state.rpm_per_capacity_unit,
                                    }
                                ],
                            }
                        )
                    items.append(
                        {
                            "kind": "OpenAI",
                            "skuName": "S0",
                            "description": f"{offer.name} {version.version}",
                            "model": {
                                "format": offer.format,
                                "name": offer.name,
                                "version": version.version,
                                "isDefaultVersion": version.version == offer.default_version,
                                "lifecycleStatus": lifecycle_status(offer),
                                "capabilities": {op: "true" for op in sorted(offer.operations)},
                                "deprecation": _when("inference", version.retirement_date),
                                "skus": sku_items,
                            },
                        }
                    )
        return ArmResult(200, {"value": items})

    def usages(self, subscription: str, location: str) -> ArmResult:
        region = location.replace(" ", "").lower()
        items: list[dict[str, Any]] = []
        with self._state.store.lock:
            buckets: dict[str, tuple[str, str]] = {}
            for offer in self._state.offers.models:
                for version in offer.versions.values():
                    for offered in self._state.offers.skus_in_region(offer, version.version, region):
                        buckets[usage_name(offered.name, offer.name).lower()] = (offered.name, offer.name)
            for name in self._state.quota.get(region, {}):
                parts = name.split(".", 2)
                if len(parts) == 3 and name.lower() not in buckets:
                    buckets[name.lower()] = (parts[1], parts[2])
            for sku, model in sorted(buckets.values(), key=lambda b: usage_name(*b)):
                name = usage_name(sku, model)
                items.append(
                    {
                        "name": {"value": name, "localizedValue": name},
                        "currentValue": self._state.store.capacity_in_use(subscription, region, sku, model),
                        "limit": quota_limit(self._state.offers, self._state.quota, region, sku, model),
                        "unit": "Count",
                        "status": "Included",
                    }
                )
        return ArmResult(200, {"value": items})

    def model_capacities(self, subscription: str, query: dict[str, str]) -> ArmResult:
        fmt, name, version = (query.get(k) for k in ("modelFormat", "modelName", "modelVersion"))
        if not fmt or not name or not version:
            raise errors.invalid_body(
                "modelFormat, modelName and modelVersion query parameters are required."
            )
        offer = self._state.offers.model(name)
        items: list[dict[str, Any]] = []
        if offer is None:
            return ArmResult(200, {"value": items})
        regions = sorted(
            {r for s in offer.skus.values() for r in s.regions}
            | {o.region for o in self._state.offers.overrides}
        )
        with self._state.store.lock:
            for region in regions:
                for sku in self._state.offers.skus_in_region(offer, version, region):
                    limit = quota_limit(self._state.offers, self._state.quota, region, sku.name, offer.name)
                    used = self._state.store.capacity_in_use(subscription, region, sku.name, offer.name)
                    items.append(
                        {
                            "id": f"/subscriptions/{subscription}/providers/Microsoft.CognitiveServices"
                            f"/locations/{region}/models/{offer.name}/skus/{sku.name}",
                            "name": sku.name,
                            "type": "Microsoft.CognitiveServices/locations/models/skus",
                            "location": region,
                            "properties": {
                                "model": {"format": fmt, "name": offer.name, "version": version},
                                "skuName": sku.name,
                                "availableCapacity": max(0, limit - used),
                                "availableFinetuneCapacity": 0,
                            },
                        }
                    )
        return ArmResult(200, {"value": items})
