"""The emulator's own small reader of ``infra/model_catalog.json`` (it must not import ``infra``).

Only the facts the data plane needs: which operations a model supports, its sizes (fixed list or custom
``WxH`` limits), qualities, output formats and input fidelities. Override the file with ``IMAGEGATE_CATALOG``
or ``--catalog``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator import facts
from emulator.errors import ConfigError

CATALOG_ENV = "IMAGEGATE_CATALOG"


@dataclass(frozen=True)
class CustomSizes:
    multiple_of: int
    max_edge: int
    max_aspect_ratio: float
    min_pixels: int
    max_pixels: int


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
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "infra" / "model_catalog.json"


def read_catalog_json(path: Path | None = None) -> tuple[Any, Path]:
    """The catalog file's JSON and the path it came from (the data plane and ARM both parse it)."""
    path = path or default_catalog_path()
    try:
        return json.loads(path.read_text(encoding="utf-8")), path
    except OSError as exc:
        raise ConfigError(
            f"Cannot read the model catalog {path}: {exc.strerror}; pass --catalog FILE."
        ) from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"The model catalog {path} is not valid JSON (line {exc.lineno}); fix it.") from exc


def load_catalog(path: Path | None = None) -> Catalog:
    raw, path = read_catalog_json(path)
    return parse_catalog(raw, str(path))


def parse_catalog(raw: Any, source: str = "catalog") -> Catalog:
    if not isinstance(raw, dict) or not isinstance(raw.get("models"), dict):
        raise ConfigError(f"The model catalog {source} has no 'models' object; fix it.")
    models = {name: _model(name, spec, source) for name, spec in raw["models"].items()}
    rpm = raw.get("rpmPerCapacityUnit", facts.RPM_PER_CAPACITY_UNIT)
    if not isinstance(rpm, int | float) or rpm <= 0:
        raise ConfigError(
            f"The model catalog {source} has rpmPerCapacityUnit {rpm!r}; use a positive number."
        )
    return Catalog(models=models, rpm_per_capacity_unit=float(rpm))


def _model(name: str, spec: Any, source: str) -> ModelRules:
    if not isinstance(spec, dict):
        raise ConfigError(f"Model {name!r} in {source} is not an object; fix it.")

    def strings(key: str) -> tuple[str, ...]:
        value = spec.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"Model {name!r} in {source}: '{key}' must be a list of strings.")
        return tuple(value)

    custom = spec.get("customSizes")
    custom_sizes = None
    if isinstance(custom, dict):
        try:
            custom_sizes = CustomSizes(
                multiple_of=int(custom.get("multipleOf", 16)),
                max_edge=int(custom["maxEdge"]),
                max_aspect_ratio=float(custom.get("maxAspectRatio", 3)),
                min_pixels=int(custom.get("minPixels", 0)),
                max_pixels=int(custom["maxPixels"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"Model {name!r} in {source}: customSizes needs maxEdge and maxPixels numbers."
            ) from exc
    return ModelRules(
        name=name,
        operations=frozenset(strings("operations")),
        sizes=strings("sizes"),
        qualities=strings("qualities"),
        output_formats=strings("outputFormats"),
        input_fidelity=strings("inputFidelity"),
        custom_sizes=custom_sizes,
    )
