"""Swagger 2.0 polymorphism (``discriminator`` + ``x-ms-discriminator-value``) expressed as JSON Schema.

JSON Schema has no discriminator: a base type's ``additionalProperties`` would refuse the properties its
subtypes add, and nothing would pick the subtype from the discriminator's value. AutoRest's rule is that a
subtype has the base's properties and required list plus its own, and that the discriminator value selects
the subtype. This module rewrites a document once, at load, to say exactly that: each subtype is merged
with its base (its ``allOf`` to the base removed), and the base becomes a dispatcher (``if``/``then`` on the
discriminator value, JSON Schema draft 7) that falls back to the merged base for unknown values. Nothing
else in the document changes; documents without a discriminator are returned as they are.
"""

from __future__ import annotations

import copy
from typing import Any

_LOCAL = "#/definitions/"


def has_polymorphism(document: dict[str, Any]) -> bool:
    return any("discriminator" in d for d in (document.get("definitions") or {}).values())


def expand(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` whose discriminated types validate as AutoRest reads them."""
    if not has_polymorphism(document):
        return document
    doc = copy.deepcopy(document)
    definitions: dict[str, Any] = doc["definitions"]
    original = copy.deepcopy(definitions)
    bases = {name for name, d in original.items() if "discriminator" in d}
    merged = {name: _merged(name, original, bases) for name in original}
    for name in original:
        if name in bases or _base_of(original[name], bases):
            definitions[f"{name}.merged"] = merged[name]
    for base in bases:
        prop = original[base]["discriminator"]
        subtypes = [
            (name, d["x-ms-discriminator-value"])
            for name, d in original.items()
            if "x-ms-discriminator-value" in d and _descends(name, base, original)
        ]
        branches: list[dict[str, Any]] = [
            {
                "if": {"properties": {prop: {"const": value}}, "required": [prop]},
                "then": {"$ref": f"{_LOCAL}{name}.merged"},
            }
            for name, value in subtypes
        ]
        values = [value for _, value in subtypes]
        fallback = {
            # A missing or unknown discriminator value is judged by the base (which requires it).
            "if": {"not": {"required": [prop], "properties": {prop: {"enum": values}}}},
            "then": {"$ref": f"{_LOCAL}{base}.merged"},
        }
        definitions[base] = {"allOf": [*branches, fallback]}
    for name in original:
        if name not in bases and _base_of(original[name], bases):
            definitions[name] = {"$ref": f"{_LOCAL}{name}.merged"}
    return doc


def _base_of(definition: dict[str, Any], bases: set[str]) -> str | None:
    for part in definition.get("allOf", []):
        ref = part.get("$ref", "") if isinstance(part, dict) else ""
        if ref.startswith(_LOCAL) and ref[len(_LOCAL) :] in bases:
            return ref[len(_LOCAL) :]
    return None


def _descends(name: str, base: str, definitions: dict[str, Any]) -> bool:
    seen = set()
    while name not in seen:
        seen.add(name)
        parent = _base_of(definitions[name], set(definitions))
        if parent is None:
            return False
        if parent == base:
            return True
        name = parent
    return False


def _merged(name: str, definitions: dict[str, Any], bases: set[str]) -> dict[str, Any]:
    """The definition with its discriminated ancestors' properties, required list and type folded in."""
    definition = copy.deepcopy(definitions[name])
    parent = _base_of(definition, bases)
    if parent is None:
        definition.pop("discriminator", None)
        return definition
    inherited = _merged(parent, definitions, bases)
    definition["allOf"] = [p for p in definition["allOf"] if p.get("$ref") != f"{_LOCAL}{parent}"]
    if not definition["allOf"]:
        del definition["allOf"]
    properties = {**inherited.get("properties", {}), **definition.get("properties", {})}
    required = list(dict.fromkeys([*inherited.get("required", []), *definition.get("required", [])]))
    for key in ("type", "additionalProperties"):
        if key in inherited and key not in definition:
            definition[key] = inherited[key]
    if "allOf" in inherited:
        definition["allOf"] = [*inherited["allOf"], *definition.get("allOf", [])]
    definition["properties"] = properties
    if required:
        definition["required"] = required
    definition.pop("discriminator", None)
    return definition
