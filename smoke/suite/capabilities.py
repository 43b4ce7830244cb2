"""Check a suite against what each target's model supports, before any request is sent.

The facts are the model catalog's own ``catalog.Model`` (``catalog_capabilities``); the check
itself is pure: ``suite_problems(suite, targets, capabilities_of)`` lists every case a target's model
cannot serve (a size, quality, format, fidelity or route the catalog says it does not support).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from catalog import Catalog, Model
from smoke.suite.model import Case, Suite
from smoke.targets import Target

OPERATIONS = {"generate": "imageGeneration", "edit": "imageEdit"}


# What the catalog says a model supports: ``catalog.Model`` itself, no copy of it.
CapabilitiesOf = Callable[[str], Model | None]


def _size_problem(size: str, caps: Model) -> str | None:
    if size in caps.sizes:
        return None
    if caps.custom_sizes is not None and size != "auto":
        w, _, h = size.partition("x")
        return caps.custom_sizes.problem(int(w), int(h))
    return "not a size it supports"


def case_problems(case: Case, caps: Model, deployment: str) -> list[str]:
    """Why ``case`` cannot run on a deployment of ``caps.model`` (empty when it can)."""
    who = f"case {case.id}: deployment {deployment} runs {caps.name}"
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


def catalog_capabilities(catalog: Catalog) -> CapabilitiesOf:
    """``capabilities_of`` over a ``catalog.Catalog``: the catalog's own model, or None."""
    return catalog.model


def load_capabilities(catalog_path: str | None = None) -> CapabilitiesOf:
    """Capabilities from the packaged catalog, or ``catalog_path`` / ``IMAGEGATE_CATALOG``."""
    from catalog import load_catalog

    return catalog_capabilities(load_catalog(catalog_path))
