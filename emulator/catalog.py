"""The emulator's view of the model catalog: the data-plane rules per model.

Built from the one reader in the ``catalog`` package (the emulator imports nothing else of ours). Only the
facts the data plane needs: which operations a model supports, its sizes (fixed list or custom ``WxH``
limits), qualities, output formats and input fidelities. Override the file with ``IMAGEGATE_CATALOG`` or
``--catalog``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import catalog as model_catalog
from catalog import CustomSizes
from emulator.errors import ConfigError

CATALOG_ENV = model_catalog.CATALOG_ENV

__all__ = ["Catalog", "CustomSizes", "ModelRules", "default_catalog_path", "load_catalog", "parse_catalog"]


@dataclass(frozen=True)
class ModelRules:
    name: str
    operations: frozenset[str]
    sizes: tuple[str, ...]
    qualities: tuple[str, ...]
    output_formats: tuple[str, ...]
    input_fidelity: tuple[str, ...]
    custom_sizes: CustomSizes | None = None


@dataclass(frozen=True)
class Catalog:
    models: dict[str, ModelRules]
    rpm_per_capacity_unit: float

    def rules(self, model: str) -> ModelRules | None:
        return self.models.get(model)


def default_catalog_path() -> Path:
    override = os.environ.get(CATALOG_ENV)
    return Path(override) if override else model_catalog.DEFAULT_CATALOG_PATH


def read_model_catalog(path: Path | None = None) -> model_catalog.Catalog:
    """The shared catalog, with its errors as the emulator's ConfigError (one sentence, exit 2)."""
    try:
        return model_catalog.load_catalog(path or default_catalog_path())
    except model_catalog.CatalogError as exc:
        raise ConfigError(f"{exc} Pass --catalog FILE.") from exc


def load_catalog(path: Path | None = None) -> Catalog:
    return rules_of(read_model_catalog(path))


def parse_catalog(raw: object, source: str = "catalog") -> Catalog:
    try:
        parsed = model_catalog.parse_catalog(raw if isinstance(raw, dict) else {}, source=source)
    except model_catalog.CatalogError as exc:
        raise ConfigError(str(exc)) from exc
    return rules_of(parsed)


def rules_of(parsed: model_catalog.Catalog) -> Catalog:
    models = {
        name: ModelRules(
            name=name,
            operations=frozenset(model.operations),
            sizes=model.sizes,
            qualities=model.qualities,
            output_formats=model.output_formats,
            input_fidelity=model.input_fidelity,
            custom_sizes=model.custom_sizes,
        )
        for name, model in parsed.models.items()
    }
    return Catalog(models=models, rpm_per_capacity_unit=parsed.rpm_per_capacity_unit)
