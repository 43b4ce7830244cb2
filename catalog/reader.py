"""The model catalog: the one typed, read-only reader of ``catalog/model_catalog.json``.

Pure: no Pulumi, no network. ``load_catalog()`` reads the file named by ``IMAGEGATE_CATALOG`` when set,
else the packaged JSON; ``parse_catalog(data)`` turns already-parsed JSON into frozen dataclasses. Every
package (infra, preflight, smoke, rollout, the emulator) reads model facts through this module only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

CATALOG_ENV = "IMAGEGATE_CATALOG"
DEFAULT_CATALOG_PATH = Path(__file__).with_name("model_catalog.json")


class CatalogError(Exception):
    """The model catalog file is missing or malformed; the message names the file and what to fix."""

    exit_code = 2


@dataclass(frozen=True)
class CustomSizes:
    """Limits for arbitrary ``WxH`` sizes, for models that accept them (gpt-image-2)."""

    multiple_of: int
    max_edge: int
    max_aspect_ratio: float
    min_pixels: int
    max_pixels: int

    def problem(self, width: int, height: int) -> str | None:
        """Why ``width`` x ``height`` is not an accepted custom size; None when it is."""
        if width % self.multiple_of or height % self.multiple_of:
            return f"both edges must be multiples of {self.multiple_of}"
        if max(width, height) > self.max_edge:
            return f"the longer edge must be at most {self.max_edge}"
        if max(width, height) / min(width, height) > self.max_aspect_ratio:
            return f"the aspect ratio must be at most {self.max_aspect_ratio:g}:1"
        if not self.min_pixels <= width * height <= self.max_pixels:
            return f"the area must be {self.min_pixels}..{self.max_pixels} pixels"
        return None


@dataclass(frozen=True)
class SkuOffer:
    """A deployment SKU (``GlobalStandard``, ``DataZoneStandard``) and where it is offered (ARM's region
    names, lower case)."""

    name: str
    regions: tuple[str, ...]
    default_quota: int


@dataclass(frozen=True)
class ModelVersion:
    version: str
    retirement_date: date | None
    default: bool


@dataclass(frozen=True)
class ListPrice:
    """A published list price per generated image at one size, by quality, with where and when it was read.

    OpenAI's API price, not Azure's: Azure does not publish a per-image price for its image models, so the
    reports label an estimate from this as the publisher's list price of that month.
    """

    publisher: str  # "OpenAI"
    source: str  # the page it was read from
    as_of: str  # "2026-12": the month it was quoted
    currency: str
    size: str  # the image size the prices are for, "1024x1024"
    per_image: Mapping[str, float]  # quality -> price of one image


@dataclass(frozen=True)
class Model:
    name: str
    format: str
    status: str
    limited_access: bool
    operations: tuple[str, ...]
    sizes: tuple[str, ...]
    qualities: tuple[str, ...]
    output_formats: tuple[str, ...]
    input_fidelity: tuple[str, ...]
    versions: Mapping[str, ModelVersion]
    skus: Mapping[str, SkuOffer]
    custom_sizes: CustomSizes | None = None
    list_price: ListPrice | None = None

    @property
    def retired(self) -> bool:
        return self.status.lower() == "retired"

    @property
    def default_version(self) -> str | None:
        """What a deployment that names no version gets (and what ARM's models.list marks
        ``isDefaultVersion``): the version marked ``default``, else the newest. The one rule: infra, the
        emulator's ARM and smoke all ask this property."""
        return default_version_of(self.versions.values())

    def sku(self, name: str) -> SkuOffer | None:
        """The SKU offer named ``name``; ARM compares SKU names without regard to case."""
        return next((offer for key, offer in self.skus.items() if key.lower() == name.lower()), None)


def default_version_of(versions: Iterable[ModelVersion]) -> str | None:
    """The version marked default (the first marked, if several), else the newest: versions are dates
    (``2025-12-16``), so the newest is the greatest, whatever order the catalog lists them in."""
    listed = list(versions)
    marked = [v.version for v in listed if v.default]
    if marked:
        return marked[0]
    return max((v.version for v in listed), default=None)


@dataclass(frozen=True)
class Catalog:
    models: Mapping[str, Model]
    rpm_per_capacity_unit: float
    as_of: date | None
    source: str

    def model(self, name: str) -> Model | None:
        return self.models.get(name)

    def model_names(self) -> tuple[str, ...]:
        return tuple(self.models)

    def is_version_known(self, model: str, version: str) -> bool:
        found = self.models.get(model)
        return found is not None and version in found.versions

    def retirement_date(self, model: str, version: str) -> date | None:
        found = self.models.get(model)
        if found is None or version not in found.versions:
            return None
        return found.versions[version].retirement_date

    def is_retired(self, model: str, version: str, on: date) -> bool:
        """True when the model is marked retired or the version's retirement date is on or before ``on``."""
        found = self.models.get(model)
        if found is None:
            return False
        if found.retired:
            return True
        retires = self.retirement_date(model, version)
        return retires is not None and retires <= on

    def retiring_within(self, model: str, version: str, days: int, on: date) -> date | None:
        """The retirement date when it falls after ``on`` and within ``days`` of it, else None."""
        retires = self.retirement_date(model, version)
        if retires is None or retires <= on:
            return None
        return retires if retires - on <= timedelta(days=days) else None

    def regions(self) -> tuple[str, ...]:
        """Every region where the catalog offers some SKU of some model, sorted."""
        return tuple(
            sorted({r for m in self.models.values() for offer in m.skus.values() for r in offer.regions})
        )

    def skus_for(self, model: str) -> tuple[str, ...]:
        found = self.models.get(model)
        return tuple(found.skus) if found else ()

    def regions_for(self, model: str, sku: str) -> tuple[str, ...]:
        found = self.models.get(model)
        offer = found.skus.get(sku) if found else None
        return offer.regions if offer else ()

    def skus_in_region(self, model: str, region: str) -> tuple[str, ...]:
        found = self.models.get(model)
        if found is None:
            return ()
        return tuple(name for name, offer in found.skus.items() if region in offer.regions)

    def default_quota(self, model: str, sku: str) -> int | None:
        found = self.models.get(model)
        offer = found.skus.get(sku) if found else None
        return offer.default_quota if offer else None

    def sizes(self, model: str) -> tuple[str, ...]:
        found = self.models.get(model)
        return found.sizes if found else ()


def load_catalog(path: str | os.PathLike[str] | None = None) -> Catalog:
    """Read the catalog from ``path``, else ``$IMAGEGATE_CATALOG``, else the packaged file."""
    chosen = Path(path or os.environ.get(CATALOG_ENV) or DEFAULT_CATALOG_PATH)
    try:
        data = json.loads(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogError(f"Model catalog {chosen} does not exist; check {CATALOG_ENV}.") from exc
    except OSError as exc:
        raise CatalogError(f"Cannot read the model catalog {chosen}: {exc.strerror}.") from exc
    except RecursionError as exc:
        raise CatalogError(f"Model catalog {chosen} is nested too deeply to be a catalog.") from exc
    except json.JSONDecodeError as exc:
        raise CatalogError(
            f"Model catalog {chosen} is not valid JSON ({exc.msg}, line {exc.lineno})."
        ) from exc
    return parse_catalog(data, source=str(chosen))


def parse_catalog(data: Mapping[str, Any], source: str = "<memory>") -> Catalog:
    """Build a :class:`Catalog` from parsed JSON; raises :class:`CatalogError` naming the bad entry."""
    if not isinstance(data, Mapping) or not isinstance(data.get("models"), Mapping):
        raise CatalogError(
            f"Model catalog {source} has no 'models' object; compare it with the packaged file."
        )
    # Learn, Azure OpenAI quotas and limits: 2 capacity units = 6 RPM for image models.
    rpm = data.get("rpmPerCapacityUnit", 3)
    if isinstance(rpm, bool) or not isinstance(rpm, int | float) or rpm <= 0:
        raise CatalogError(f"Model catalog {source} has rpmPerCapacityUnit {rpm!r}; use a positive number.")
    try:
        models = {name: _parse_model(name, raw) for name, raw in data["models"].items()}
        as_of = data.get("asOf")
        return Catalog(
            models=models,
            rpm_per_capacity_unit=float(rpm),
            as_of=date.fromisoformat(as_of) if as_of else None,
            source=source,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CatalogError(
            f"Model catalog {source} is malformed: {exc!r}; compare it with the packaged file."
        ) from exc


def _strings(name: str, raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"model {name!r}: '{key}' must be a list of strings")
    return tuple(value)


def _custom_sizes(raw: Any) -> CustomSizes | None:
    if not isinstance(raw, Mapping):
        return None
    return CustomSizes(
        multiple_of=int(raw.get("multipleOf", 16)),
        max_edge=int(raw["maxEdge"]),
        max_aspect_ratio=float(raw.get("maxAspectRatio", 3)),
        min_pixels=int(raw.get("minPixels", 0)),
        max_pixels=int(raw["maxPixels"]),
    )


def _list_price(name: str, raw: Any) -> ListPrice | None:
    if raw is None:
        return None
    per_image = raw["perImage"]
    if not isinstance(per_image, Mapping) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in per_image.values()
    ):
        raise ValueError(f"model {name!r}: 'listPrice.perImage' must map qualities to prices")
    return ListPrice(
        publisher=str(raw["publisher"]),
        source=str(raw["source"]),
        as_of=str(raw["asOf"]),
        currency=str(raw.get("currency", "USD")),
        size=str(raw["size"]),
        per_image={str(q): float(v) for q, v in per_image.items()},
    )


def _parse_model(name: str, raw: Mapping[str, Any]) -> Model:
    versions = {
        version: ModelVersion(
            version=version,
            retirement_date=date.fromisoformat(v["retirementDate"]) if v.get("retirementDate") else None,
            default=bool(v.get("default", False)),
        )
        for version, v in raw.get("versions", {}).items()
    }
    skus = {
        sku: SkuOffer(
            name=sku,
            regions=tuple(str(r).lower() for r in s.get("regions", ())),
            default_quota=int(s.get("defaultQuota", 0)),
        )
        for sku, s in raw.get("skus", {}).items()
        if not sku.startswith("$")
    }
    return Model(
        name=name,
        format=raw.get("format", "OpenAI"),
        status=raw.get("status", "GA"),
        limited_access=bool(raw.get("limitedAccess", False)),
        operations=_strings(name, raw, "operations"),
        sizes=_strings(name, raw, "sizes"),
        qualities=_strings(name, raw, "qualities"),
        output_formats=_strings(name, raw, "outputFormats"),
        input_fidelity=_strings(name, raw, "inputFidelity"),
        versions=versions,
        skus=skus,
        custom_sizes=_custom_sizes(raw.get("customSizes")),
        list_price=_list_price(name, raw.get("listPrice")),
    )
