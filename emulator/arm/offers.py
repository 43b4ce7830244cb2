"""What the emulated ARM offers: model versions per SKU and region, and default quota, from the catalog.

The emulator's own reader of ``infra/model_catalog.json`` (the same file infra and preflight read; the
emulator must not import infra). Config overrides (``arm.availability``, ``arm.quota``) are applied here,
in pure functions, so models.list, usages.list and deployment validation always agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.arm.settings import AvailabilityOverride
from emulator.catalog import read_catalog_json
from emulator.errors import ConfigError


@dataclass(frozen=True)
class ModelVersion:
    version: str
    is_default: bool
    retirement_date: str | None


@dataclass(frozen=True)
class SkuOffer:
    name: str
    regions: frozenset[str]
    default_quota: int


@dataclass(frozen=True)
class ModelOffer:
    name: str
    format: str
    status: str
    versions: tuple[ModelVersion, ...]
    skus: tuple[SkuOffer, ...]
    operations: frozenset[str]

    def default_version(self) -> str | None:
        for version in self.versions:
            if version.is_default:
                return version.version
        return self.versions[-1].version if self.versions else None

    def version(self, version: str) -> ModelVersion | None:
        return next((v for v in self.versions if v.version == version), None)

    def sku(self, name: str) -> SkuOffer | None:
        return next((s for s in self.skus if s.name.lower() == name.lower()), None)


@dataclass(frozen=True)
class Offers:
    models: tuple[ModelOffer, ...]
    overrides: tuple[AvailabilityOverride, ...] = ()

    def model(self, name: str) -> ModelOffer | None:
        return next((m for m in self.models if m.name.lower() == name.lower()), None)

    def is_offered(self, model: str, version: str, sku: str, region: str) -> bool:
        """True when this model version can be deployed with this SKU in this region."""
        region = region.lower()
        for override in reversed(self.overrides):
            if (
                override.region == region
                and override.model.lower() == model.lower()
                and override.sku.lower() == sku.lower()
                and override.version in (None, version)
            ):
                return override.available and (
                    override.version is not None or self._has_version(model, version)
                )
        offer = self.model(model)
        if offer is None or offer.status.lower() == "retired" or offer.version(version) is None:
            return False
        sku_offer = offer.sku(sku)
        return sku_offer is not None and region in sku_offer.regions

    def skus_in_region(self, offer: ModelOffer, version: str, region: str) -> list[SkuOffer]:
        names = {s.name for s in offer.skus} | {
            o.sku
            for o in self.overrides
            if o.model.lower() == offer.name.lower() and o.region == region.lower()
        }
        found = []
        for name in sorted(names):
            if self.is_offered(offer.name, version, name, region):
                found.append(offer.sku(name) or SkuOffer(name, frozenset({region.lower()}), 0))
        return found

    def versions_in_region(self, offer: ModelOffer, region: str) -> list[ModelVersion]:
        """The catalog's versions plus those an availability override offers in this region."""
        versions = list(offer.versions)
        known = {v.version for v in versions}
        for o in self.overrides:
            if (
                o.available
                and o.version
                and o.version not in known
                and o.region == region.lower()
                and o.model.lower() == offer.name.lower()
            ):
                versions.append(ModelVersion(o.version, False, None))
                known.add(o.version)
        return versions

    def _has_version(self, model: str, version: str) -> bool:
        offer = self.model(model)
        return offer is not None and offer.version(version) is not None


def usage_name(sku: str, model: str) -> str:
    """The ``usages.list`` name for a model+SKU quota bucket, e.g. ``OpenAI.GlobalStandard.gpt-image-1.5``."""
    return f"OpenAI.{sku}.{model}"


def quota_limit(
    offers: Offers, quota: Mapping[str, Mapping[str, int]], region: str, sku: str, model: str
) -> int:
    """The subscription's limit for this bucket in this region: config override, else the catalog default."""
    name = usage_name(sku, model)
    region_quota = quota.get(region.lower(), {})
    for key, limit in region_quota.items():
        if key.lower() == name.lower():
            return limit
    offer = offers.model(model)
    sku_offer = offer.sku(sku) if offer else None
    if offer is None or sku_offer is None:
        return 0
    offered = any(offers.is_offered(model, v.version, sku, region) for v in offer.versions)
    return sku_offer.default_quota if offered else 0


def load_offers(path: Path | None = None, overrides: tuple[AvailabilityOverride, ...] = ()) -> Offers:
    raw, path = read_catalog_json(path)
    return parse_offers(raw, overrides, str(path))


def parse_offers(
    raw: Any, overrides: tuple[AvailabilityOverride, ...] = (), source: str = "catalog"
) -> Offers:
    if not isinstance(raw, dict) or not isinstance(raw.get("models"), dict):
        raise ConfigError(f"The model catalog {source} has no 'models' object; fix it.")
    try:
        models = tuple(_model(name, spec) for name, spec in raw["models"].items())
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"The model catalog {source} has a malformed model entry ({exc}); fix it.") from exc
    return Offers(models=models, overrides=overrides)


def _model(name: str, spec: dict[str, Any]) -> ModelOffer:
    versions = tuple(
        ModelVersion(version, bool(info.get("default", False)), info.get("retirementDate"))
        for version, info in spec.get("versions", {}).items()
    )
    skus = tuple(
        SkuOffer(sku, frozenset(r.lower() for r in info.get("regions", [])), int(info.get("defaultQuota", 0)))
        for sku, info in spec.get("skus", {}).items()
    )
    return ModelOffer(
        name=name,
        format=str(spec.get("format", "OpenAI")),
        status=str(spec.get("status", "GA")),
        versions=versions,
        skus=skus,
        operations=frozenset(spec.get("operations", [])),
    )
