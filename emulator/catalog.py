"""The emulator's model catalog: the one reader in the ``catalog`` package, its errors as the emulator's.

The data plane reads each model's rules (operations, sizes or custom ``WxH`` limits, qualities, output
formats, input fidelities) straight from ``catalog.Model``; the emulator imports nothing else of ours.
Override the file with ``IMAGEGATE_CATALOG`` or ``--catalog``.
"""

from __future__ import annotations

import os
from pathlib import Path

import catalog as model_catalog
from catalog import Catalog, CustomSizes, Model
from emulator.errors import ConfigError

CATALOG_ENV = model_catalog.CATALOG_ENV

__all__ = [
    "Catalog",
    "CustomSizes",
    "Model",
    "default_catalog_path",
    "load_catalog",
    "parse_catalog",
    "read_model_catalog",
]


def default_catalog_path() -> Path:
    override = os.environ.get(CATALOG_ENV)
    return Path(override) if override else model_catalog.DEFAULT_CATALOG_PATH


def read_model_catalog(path: Path | None = None) -> Catalog:
    """The shared catalog, with its errors as the emulator's ConfigError (one sentence, exit 2)."""
    try:
        return model_catalog.load_catalog(path or default_catalog_path())
    except model_catalog.CatalogError as exc:
        raise ConfigError(f"{exc} Pass --catalog FILE.") from exc


def load_catalog(path: Path | None = None) -> Catalog:
    return read_model_catalog(path)


def parse_catalog(raw: object, source: str = "catalog") -> Catalog:
    try:
        return model_catalog.parse_catalog(raw if isinstance(raw, dict) else {}, source=source)
    except model_catalog.CatalogError as exc:
        raise ConfigError(str(exc)) from exc
