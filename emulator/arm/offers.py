"""What the emulated ARM offers: model versions per SKU and region, and default quota, from the catalog.

The offers are the one catalog reader's own types (``catalog.Model``, ``ModelVersion``, ``SkuOffer``), which
infra and preflight read too, so the default version of a model is the same rule everywhere.
Config overrides (``arm.availability``, ``arm.quota``) are applied here,
in pure functions, so models.list, usages.list and deployment validation always agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import catalog as model_catalog
from catalog import Catalog, Model, ModelVersion, SkuOffer
from emulator.arm.settings import AvailabilityOverride
from emulator.catalog import read_model_catalog
from emulator.errors import ConfigError


@dataclass(frozen=True)
class Offers:
    models: tuple[Model, ...]
    overrides: tuple[AvailabilityOverride, ...] = ()

    def model(self, name: str) -> Model | None:
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
        if offer is None or offer.retired or version not in offer.versions:
            return False
        sku_offer = offer.sku(sku)
        return sku_offer is not None and region in sku_offer.regions

    def skus_in_region(self, offer: Model, version: str, region: str) -> list[SkuOffer]:
        names = set(offer.skus) | {
            o.sku
            for o in self.overrides
            if o.model.lower() == offer.name.lower() and o.region == region.lower()
        }
        found = []
        for name in sorted(names):
            if self.is_offered(offer.name, version, name, region):
                found.append(offer.sku(name) or SkuOffer(name, (region.lower(),), 0))
        return found

    def versions_in_region(self, offer: Model, region: str) -> list[ModelVersion]:
        """The catalog's versions plus those an availability override offers in this region."""
        versions = list(offer.versions.values())
        known = {v.version for v in versions}
        for o in self.overrides:
            if (
                o.available
                and o.version
                and o.version not in known
                and o.region == region.lower()
                and o.model.lower() == offer.name.lower()
            ):
                versions.append(ModelVersion(o.version, None, False))
                known.add(o.version)
        return versions

    def _has_version(self, model: str, version: str) -> bool:
        offer = self.model(model)
        return offer is not None and version in offer.versions


@dataclass(frozen=True)
class Release:
    """A model version published after start (`imagegate emulator release MODEL@VERSION`).

    It is offered wherever the catalog offers the model (same SKUs and regions, which ARM's models.list
    reports per version and the catalog keeps per model); ``default`` makes it the default version.
    """

    model: str
    version: str
    retirement_date: str | None = None
    default: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, "version": self.version, "retirementDate": self.retirement_date,
                "default": self.default}


class ReleaseError(ValueError):
    """A release request the emulator cannot publish; the message says what to send instead."""


def parse_release(raw: Any, offers: Offers) -> Release:
    """``{"model", "version", "retirementDate"?, "default"?}`` -> Release, checked against the offers."""
    shape = 'send {"model": "gpt-image-1.5", "version": "2026-03-10"} (optional "retirementDate", "default")'
    if not isinstance(raw, dict) or set(raw) - {"model", "version", "retirementDate", "default"}:
        raise ReleaseError(f"The release body is not valid; {shape}.")
    model, version = raw.get("model"), raw.get("version")
    if not isinstance(model, str) or not model or not isinstance(version, str) or not version:
        raise ReleaseError(f"model and version are required strings; {shape}.")
    offer = offers.model(model)
    if offer is None:
        known = ", ".join(m.name for m in offers.models if not m.retired)
        raise ReleaseError(
            f"Model '{model}' is not in the emulator's catalog, which holds the facts ARM does not give "
            f"(sizes, SKUs, regions); release a version of one of: {known}."
        )
    if offer.retired:
        raise ReleaseError(f"Model '{offer.name}' is retired; release a version of a live model.")
    if not _is_day(version):
        raise ReleaseError(f"Version '{version}' is not a date such as 2026-03-10, as Azure's versions are.")
    retirement = raw.get("retirementDate")
    if retirement is not None and (not isinstance(retirement, str) or not _is_day(retirement)):
        raise ReleaseError(f"retirementDate {retirement!r} is not a date such as 2027-09-10 (or null).")
    default = raw.get("default", False)
    if not isinstance(default, bool):
        raise ReleaseError(f"default must be true or false, not {default!r}.")
    return Release(offer.name, version, retirement, default)


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def with_releases(base: Offers, releases: tuple[Release, ...]) -> Offers:
    """``base`` plus the released versions (a release of a version the catalog has replaces its facts)."""
    models = []
    for offer in base.models:
        mine = [r for r in releases if r.model.lower() == offer.name.lower()]
        if not mine:
            models.append(offer)
            continue
        released = {r.version for r in mine}
        make_default = any(r.default for r in mine)
        versions = {
            v.version: replace(v, default=v.default and not make_default)
            for v in offer.versions.values()
            if v.version not in released
        }
        for r in mine:
            retires = date.fromisoformat(r.retirement_date) if r.retirement_date else None
            versions[r.version] = ModelVersion(r.version, retires, r.default)
        models.append(replace(offer, versions=versions))
    return replace(base, models=tuple(models))


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
    offered = any(offers.is_offered(model, v, sku, region) for v in offer.versions)
    return sku_offer.default_quota if offered else 0


def load_offers(path: Path | None = None, overrides: tuple[AvailabilityOverride, ...] = ()) -> Offers:
    return offers_of(read_model_catalog(path), overrides)


def parse_offers(
    raw: Any, overrides: tuple[AvailabilityOverride, ...] = (), source: str = "catalog"
) -> Offers:
    try:
        parsed = model_catalog.parse_catalog(raw if isinstance(raw, dict) else {}, source=source)
    except model_catalog.CatalogError as exc:
        raise ConfigError(str(exc)) from exc
    return offers_of(parsed, overrides)


def offers_of(parsed: Catalog, overrides: tuple[AvailabilityOverride, ...] = ()) -> Offers:
    return Offers(models=tuple(parsed.models.values()), overrides=overrides)
