"""Pulumi inputs -> ARM JSON the way pulumi-azure-native builds them, read from Microsoft's specs.

The provider generates its resources from the same OpenAPI files: a property's input name is its
``x-ms-client-name``, else its wire name in lowerCamelCase without dots (``odata.type`` -> ``odataType``);
a property marked ``x-ms-client-flatten`` has its members lifted into the parent (``properties.severity``
is the input ``severity``); a discriminated type's subtype is chosen by its discriminator's value. Where
a vendored spec (emulator/specs) covers a resource type at the provider's api-version, the engine builds
the PUT body with ``body_from_spec``; the api-version itself is the one the installed provider documents
("Uses Azure REST API version ..."), so neither is a hand-kept list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from emulator.specs import SpecDocument, documents, load
from emulator.specs.judge import default_judge

_API_VERSION = re.compile(r"Uses Azure REST API version ([0-9]{4}-[0-9]{2}-[0-9]{2}(?:-preview)?)")
_Schema = tuple[SpecDocument, Mapping[str, Any]]


@cache
def provider_api_version(token: str) -> str | None:
    """The api-version the installed pulumi-azure-native uses for ``azure-native:<module>:<Type>``."""
    _, module, name = token.split(":")
    file_name = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    spec = find_spec("pulumi_azure_native")
    if spec is None or spec.origin is None:
        return None
    source = Path(spec.origin).parent / module / f"{file_name}.py"
    if not source.is_file():
        return None
    match = _API_VERSION.search(source.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def pulumi_name(wire_name: str, schema: Mapping[str, Any]) -> str:
    client = schema.get("x-ms-client-name")
    if isinstance(client, str) and client:
        name = client
    else:
        head, *rest = re.split(r"[.]", wire_name)
        name = head + "".join(part[:1].upper() + part[1:] for part in rest)
    return name[:1].lower() + name[1:]


def body_from_spec(path: str, api_version: str, inputs: Mapping[str, Any]) -> dict[str, Any] | None:
    """The PUT body for ``inputs`` (path parameters already removed), or None when no spec covers it."""
    judge = default_judge()
    op = judge.operation_for("PUT", path, {"api-version": api_version})
    if op is None or op.document.api_version != api_version:
        return None
    operation = load(op.document.path)["paths"][op.template]["put"]
    for raw in operation.get("parameters", []):
        doc, param = _deref(op.document, raw)
        if param.get("in") == "body":
            return _top(doc, param["schema"], dict(inputs))
    return None


def _object(
    doc: SpecDocument, schema: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[dict[str, Any], set[str]]:
    """Wire object for ``values`` and the input names it used; unknown inputs are kept as they came."""
    doc, schema = _resolve(doc, schema)
    properties = _properties(doc, schema, values)
    out: dict[str, Any] = {}
    used: set[str] = set()
    for wire, (pdoc, pschema) in properties.items():
        pdoc, resolved = _resolve(pdoc, pschema)
        if pschema.get("readOnly") is True or resolved.get("readOnly") is True:
            # Never an input: a Backend's input ``type`` (Pool) is ``properties.type``, not the resource's
            # read-only ``type`` (Microsoft.ApiManagement/service/backends) beside ``properties``.
            continue
        if pschema.get("x-ms-client-flatten") is True or resolved.get("x-ms-client-flatten") is True:
            nested, nested_used = _object(pdoc, resolved, values)
            if nested:
                out[wire] = nested
            used |= nested_used
            continue
        name = pulumi_name(wire, pschema)
        if name in values:
            out[wire] = _value(pdoc, pschema, values[name])
            used.add(name)
    return out, used


def _top(doc: SpecDocument, schema: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    out, used = _object(doc, schema, values)
    out.update({k: v for k, v in values.items() if k not in used})
    return out


def _value(doc: SpecDocument, schema: Mapping[str, Any], value: Any) -> Any:
    doc, resolved = _resolve(doc, schema)
    if isinstance(value, Mapping):
        if _properties(doc, resolved, value):
            return _top(doc, resolved, value)
        extra = resolved.get("additionalProperties")
        if isinstance(extra, Mapping):
            return {k: _value(doc, extra, v) for k, v in value.items()}
        return dict(value)
    if isinstance(value, list) and isinstance(resolved.get("items"), Mapping):
        return [_value(doc, resolved["items"], v) for v in value]
    return value


def _properties(
    doc: SpecDocument, schema: Mapping[str, Any], values: Mapping[str, Any]
) -> dict[str, _Schema]:
    """Every property the (sub)type declares: its own, its allOf parents', the chosen subtype's."""
    found: dict[str, _Schema] = {}
    for part in schema.get("allOf", []):
        pdoc, parent = _resolve(doc, part)
        found.update(_properties(pdoc, parent, values))
    found.update({name: (doc, prop) for name, prop in (schema.get("properties") or {}).items()})
    discriminator = schema.get("discriminator")
    if isinstance(discriminator, str):
        wire_value = values.get(pulumi_name(discriminator, {}), values.get(discriminator))
        for name, definition in (load(doc.path).get("definitions") or {}).items():
            if definition.get("x-ms-discriminator-value") == wire_value and name != _name_of(schema, doc):
                found.update({k: (doc, v) for k, v in (definition.get("properties") or {}).items()})
    return found


def _name_of(schema: Mapping[str, Any], doc: SpecDocument) -> str | None:
    for name, definition in (load(doc.path).get("definitions") or {}).items():
        if definition is schema:
            return name
    return None


def _resolve(doc: SpecDocument, schema: Mapping[str, Any]) -> _Schema:
    seen = 0
    while "$ref" in schema and seen < 32:
        doc, schema = _deref(doc, schema)
        seen += 1
    return doc, schema


def _deref(doc: SpecDocument, node: Mapping[str, Any]) -> tuple[SpecDocument, Mapping[str, Any]]:
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return doc, node
    location, _, pointer = ref.partition("#")
    target = doc
    if location:
        uri = urljoin(doc.uri, location)
        target = next(d for d in documents() if d.uri == uri)
    found: Any = load(target.path)
    for token in pointer.strip("/").split("/") if pointer.strip("/") else []:
        found = found[token.replace("~1", "/").replace("~0", "~")]
    return target, found
