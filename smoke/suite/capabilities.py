"""Check a suite against what each target's model supports, before any request is sent.

The facts come from the model catalog (``catalog`` package) through ``catalog_capabilities``; the check
itself is pure: ``suite_problems(suite, targets, capabilities_of)`` lists every case a target's model
cannot serve (a size, quality, format, fidelity or route the catalog says it does not support).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from smoke.suite.model import Case, Suite
from smoke.targets import Target

OPERATIONS = {"generate": "imageGeneration", "edit": "imageEdit"}


@dataclass(frozen=True)
class CustomSizes:
    """Arbitrary ``WxH`` sizes a model accepts (gpt-image-2), within these limits."""

    multiple_of: int
    max_edge: int
    max_aspect_ratio: float
    min_pixels: int
    max_pixels: int

    def problem(self, width: int, height: int) -> str | None:
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
class TokenPrice:
    """A cited price per million tokens; only shown when the catalog holds one with its source."""

    input_per_million: float
    output_per_million: float
    currency: str
    source: str


@dataclass(frozen=True)
class ModelCapabilities:
    model: str
    operations: frozenset[str]
    sizes: tuple[str, ...]
    qualities: tuple[str, ...]
    output_formats: tuple[str, ...]
    input_fidelity: tuple[str, ...]
    custom_sizes: CustomSizes | None = None
    price: TokenPrice | None = None


CapabilitiesOf = Callable[[str], ModelCapabilities | None]


def _size_problem(size: str, caps: ModelCapabilities) -> str | None:
    if size in caps.sizes:
        return None
    if caps.custom_sizes is not None and size != "auto":
        w, _, h = size.partition("x")
        return caps.custom_sizes.problem(int(w), int(h))
    return "not a size it supports"


def case_problems(case: Case, caps: ModelCapabilities, deployment: str) -> list[str]:
    """Why ``case`` cannot run on a deployment of ``caps.model`` (empty when it can)."""
    who = f"case {case.id}: deployment {deployment} runs {caps.model}"
    found = []
    if OPERATIONS[case.route] not in caps.operations:
        found.append(f"{who}, which the catalog says does not support {case.route}.")
    checks: Mapping[str, tuple[str, ...]] = {
        "quality": caps.qualities,
        "output_format": caps.output_formats,
        "input_fidelity": caps.input_fidelity,
    }
    for key, accepted in checks.items():
        value = case.params.get(key)
        if value is not None and value not in accepted:
            found.append(
                f"{who}, which the catalog says does not support {key} {value!r}; "
                f"accepted: {', '.join(accepted)}."
            )
    size = case.params.get("size")
    if isinstance(size, str):
        why = _size_problem(size, caps)
        if why is not None:
            sizes = ", ".join(caps.sizes) + (", or a custom WIDTHxHEIGHT" if caps.custom_sizes else "")
            found.append(
                f"{who}, which the catalog says does not support size {size!r} ({why}); accepted: {sizes}."
            )
    return found


def deployment_problems(
    suite: Suite, deployment: str, model: str | None, capabilities_of: CapabilitiesOf
) -> list[str]:
    """Every case a deployment of ``model`` cannot serve; a model the catalog does not know is not judged."""
    caps = capabilities_of(model) if model else None
    if caps is None:
        return []
    return [p for case in suite.cases for p in case_problems(case, caps, deployment)]


def suite_problems(suite: Suite, targets: Iterable[Target], capabilities_of: CapabilitiesOf) -> list[str]:
    """Every case x target's model that cannot run; targets without a known model are not judged."""
    problems: list[str] = []
    for target in targets:
        found = deployment_problems(suite, target.deployment, target.model, capabilities_of)
        problems += [p for p in found if p not in problems]
    return problems


def catalog_capabilities(catalog: Any) -> CapabilitiesOf:
    """``capabilities_of`` over a ``catalog.Catalog``: what the catalog says each model supports.

    The catalog holds no token prices, so ``price`` stays None (the reports price images from the
    catalog's per-image ``list_price`` instead, in ``smoke.reports.usage``).
    """

    def of(model: str) -> ModelCapabilities | None:
        found = catalog.model(model)
        if found is None:
            return None
        custom = found.custom_sizes
        return ModelCapabilities(
            model=found.name,
            operations=frozenset(found.operations),
            sizes=tuple(found.sizes),
            qualities=tuple(found.qualities),
            output_formats=tuple(found.output_formats),
            input_fidelity=tuple(found.input_fidelity),
            custom_sizes=None
            if custom is None
            else CustomSizes(
                custom.multiple_of,
                custom.max_edge,
                custom.max_aspect_ratio,
                custom.min_pixels,
                custom.max_pixels,
            ),
        )

    return of


def load_capabilities(catalog_path: str | None = None) -> CapabilitiesOf:
    """Capabilities from the packaged catalog, or ``catalog_path`` / ``IMAGEGATE_CATALOG``."""
    from catalog import load_catalog

    return catalog_capabilities(load_catalog(catalog_path))
