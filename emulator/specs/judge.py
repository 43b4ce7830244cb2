"""The one judge: does an answer, or an ARM request, conform to Microsoft's published spec?

Given method, path, query, status, headers and body, ``SpecJudge`` finds the operation in the vendored
documents and checks that the status is declared (``default`` covers error statuses), that long-running
answers carry ``Azure-AsyncOperation`` or ``Location``, that declared headers are present and that the
body validates against the declared schema. Requests: the ARM body parameter's schema and the path
parameters' ``pattern``/length. Validation is jsonschema's (draft 7 for Swagger 2.0 and OpenAPI 3.0, whose
schemas are draft 4 plus the ``if``/``then`` that polymorphism.py uses for discriminators; 2020-12 for
OpenAPI 3.1) with ``$ref`` resolved by ``referencing`` across the vendored files and formats checked.
Where a spec is itself wrong, ``exceptions.py`` says so, once, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft4Validator, Draft7Validator, Draft202012Validator
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7, DRAFT202012

from emulator.specs import SpecDocument, documents, load
from emulator.specs.exceptions import applies, tolerated_paths
from emulator.specs.polymorphism import expand

_HTTP_METHODS = ("get", "put", "post", "patch", "delete")
_MAX_MESSAGES = 5


@dataclass(frozen=True)
class Operation:
    """One operation of one vendored document."""

    document: SpecDocument
    operation_id: str
    method: str
    template: str
    params: Mapping[str, str]  # path parameter name -> value, from the request that found it

    @property
    def pointer(self) -> str:
        return f"/paths/{_escape(self.template)}/{self.method}"


@dataclass(frozen=True)
class Exchange:
    """One answer the emulator sent, as the recorder or a test saw it."""

    method: str
    path: str
    query: Mapping[str, str]
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: Any  # parsed JSON, None when empty
    content_type: str = "application/json"


@dataclass(frozen=True)
class Verdict:
    operation: Operation | None
    violations: tuple[str, ...] = field(default=())

    @property
    def judged(self) -> bool:
        return self.operation is not None

    @property
    def ok(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class RequestProblem:
    """Why the spec refuses a request: a path parameter (``name`` set) or the body (``name`` None)."""

    message: str
    name: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class _Route:
    document: SpecDocument
    template: str
    pattern: re.Pattern[str]
    names: tuple[str, ...]
    methods: Mapping[str, Mapping[str, Any]]


class SpecJudge:
    """Holds the vendored documents in one ``referencing`` registry; cheap to query, costly to build."""

    def __init__(self, docs: Iterable[SpecDocument] | None = None) -> None:
        self._docs = tuple(docs if docs is not None else documents())
        self._routes = [route for doc in self._docs if doc.surface for route in _routes(doc)]
        self._validators: dict[str, Validator] = {}

    @cached_property
    def registry(self) -> Registry:
        resources = []
        for doc in self._docs:
            contents = expand(load(doc.path))
            spec = DRAFT202012 if str(contents.get("openapi", "")).startswith("3.1") else DRAFT7
            resources.append((doc.uri, Resource.from_contents(contents, default_specification=spec)))
        return Registry().with_resources(resources)

    def operations(self) -> list[tuple[SpecDocument, str, str]]:
        """(document, method, operationId) for every operation the vendored files declare."""
        return [
            (route.document, method, str(op.get("operationId", "")))
            for route in self._routes
            for method, op in route.methods.items()
        ]

    # -- finding the operation -------------------------------------------------------------------------

    def operation_for(self, method: str, path: str, query: Mapping[str, str]) -> Operation | None:
        located = _locate(path, query)
        if located is None:
            return None
        surface, spec_path, version, namespace = located
        doc = self._document(surface, version, namespace)
        if doc is None:
            return None
        method = method.lower()
        if surface == "v1" and spec_path == "/images/edits" and applies("v1-edits-undeclared"):
            spec_path = "/images/generations"
        for route in self._routes:
            if route.document != doc or method not in route.methods:
                continue
            match = route.pattern.fullmatch(spec_path)
            if match is not None:
                params = {
                    name: unquote(value) for name, value in zip(route.names, match.groups(), strict=True)
                }
                op_id = str(route.methods[method].get("operationId", ""))
                return Operation(doc, op_id, method, route.template, params)
        return None

    def _document(self, surface: str, version: str | None, namespace: str | None) -> SpecDocument | None:
        candidates = [
            d
            for d in self._docs
            if d.surface == surface and (namespace is None or d.namespace == namespace) and d.api_version
        ]
        if surface == "v1":
            return candidates[0] if candidates else None
        if version is None:
            return None
        exact = [d for d in candidates if d.api_version == version]
        if exact:
            return exact[0]
        # A newer api-version than any vendored file is judged by the newest one (exceptions.py says why).
        older = sorted(
            (d for d in candidates if (d.api_version or "") <= version), key=lambda d: d.api_version or ""
        )
        if older and applies("newer-api-version"):
            return older[-1]
        return None

    def declared_statuses(self, method: str, path: str, query: Mapping[str, str]) -> frozenset[str] | None:
        """The status codes the operation declares (``default`` included), or None outside the specs."""
        op = self.operation_for(method, path, query)
        if op is None:
            return None
        return frozenset(self._resolve(op.document, op.pointer).get("responses", {}))

    def is_long_running(self, method: str, path: str, query: Mapping[str, str]) -> bool:
        """True when the spec marks the operation ``x-ms-long-running-operation``."""
        op = self.operation_for(method, path, query)
        if op is None:
            return False
        return bool(self._resolve(op.document, op.pointer).get("x-ms-long-running-operation"))

    def declares_body(self, method: str, path: str, query: Mapping[str, str], status: int) -> bool:
        """True when the operation's answer with ``status`` has a schema (so an empty answer is wrong)."""
        op = self.operation_for(method, path, query)
        if op is None:
            return False
        response = self._resolve(op.document, op.pointer).get("responses", {}).get(str(status), {})
        return "schema" in response or "content" in response

    # -- answers ---------------------------------------------------------------------------------------

    def judge(self, exchange: Exchange) -> Verdict:
        op = self.operation_for(exchange.method, exchange.path, exchange.query)
        if op is None:
            return Verdict(None)
        spec = self._resolve(op.document, op.pointer)
        responses: Mapping[str, Any] = spec.get("responses", {})
        key = str(exchange.status)
        if key not in responses:
            if exchange.status >= 400 and "default" in responses:
                key = "default"
                if applies("resources-cloud-error", op.operation_id) or applies(
                    "monitor-v1-error", op.operation_id
                ):
                    return Verdict(op)
            else:
                declared = ", ".join(sorted(k for k in responses))
                return Verdict(
                    op, (f"{op.operation_id}: status {exchange.status} is not declared ({declared}).",)
                )
        pointer = f"{op.pointer}/responses/{_escape(key)}"
        response = self._resolve(op.document, pointer)
        problems = list(self._check_headers(op, spec, response, exchange))
        schema_pointer, media_problem = self._schema_pointer(op, pointer, response, exchange)
        if media_problem:
            problems.append(media_problem)
        elif schema_pointer is None:
            if exchange.body not in (None, "", b""):
                problems.append(f"{op.operation_id} {key}: the spec declares no body, the answer has one.")
        elif exchange.body is None:
            problems.append(f"{op.operation_id} {key}: the spec declares a body, the answer has none.")
        else:
            problems += [
                f"{op.operation_id} {key}: {m}"
                for m in self._validate(op.document, schema_pointer, exchange.body, op.operation_id)
            ]
        return Verdict(op, tuple(problems))

    def _check_headers(
        self, op: Operation, spec: Mapping[str, Any], response: Mapping[str, Any], exchange: Exchange
    ) -> Iterable[str]:
        swagger = "swagger" in load(op.document.path)
        if spec.get("x-ms-long-running-operation") and exchange.status in (201, 202):
            if not {"azure-asyncoperation", "location"} & set(exchange.headers):
                yield f"{op.operation_id} {exchange.status}: a long-running answer needs a polling header."
        for name, header in (response.get("headers") or {}).items():
            required = True if swagger else bool(header.get("required"))
            if required and name.lower() not in exchange.headers:
                yield f"{op.operation_id} {exchange.status}: the declared header {name} is missing."

    @staticmethod
    def _streaming_excepted(op: Operation, exchange: Exchange) -> bool:
        if not applies("image-streaming", op.operation_id):
            return False
        # A dated file is exact about its own version: no exception for the version it describes.
        return op.document.surface == "v1" or exchange.query.get("api-version") != op.document.api_version

    def _schema_pointer(
        self, op: Operation, pointer: str, response: Mapping[str, Any], exchange: Exchange
    ) -> tuple[str | None, str | None]:
        if "swagger" in load(op.document.path):
            return (pointer + "/schema" if "schema" in response else None), None
        content: Mapping[str, Any] = response.get("content") or {}
        media = exchange.content_type.split(";", 1)[0].strip().lower()
        if not content:
            return None, None
        if media not in content:
            if media == "text/event-stream" and self._streaming_excepted(op, exchange):
                return None, None
            declared = ", ".join(content)
            message = f"content type {media or '-'} is not declared ({declared})."
            return None, f"{op.operation_id} {exchange.status}: {message}"
        if "schema" not in content[media]:
            return None, None
        if media != "application/json":
            return None, None  # only JSON bodies are judged; the media type itself was checked
        return f"{pointer}/content/{_escape(media)}/schema", None

    # -- requests (ARM) --------------------------------------------------------------------------------

    def judge_request(
        self, method: str, path: str, query: Mapping[str, str], body: Any
    ) -> tuple[Operation | None, list[RequestProblem]]:
        """What the spec refuses in an ARM request's path parameters and body ([] when it conforms)."""
        op = self.operation_for(method, path, query)
        if op is None:
            return None, []
        problems: list[RequestProblem] = []
        params = self._resolve(op.document, op.pointer).get("parameters", [])
        for index, raw in enumerate(params):
            param, where, param_pointer = self._parameter(op, index, raw)
            if param.get("in") == "path" and param.get("name") in op.params:
                value = op.params[str(param["name"])]
                schema = {k: param[k] for k in ("type", "pattern", "minLength", "maxLength") if k in param}
                for message in _plain_errors(schema, value):
                    problems.append(RequestProblem(message, str(param["name"]), value))
            elif param.get("in") == "body" and body is not None:
                for message in self._validate(where, param_pointer + "/schema", body):
                    problems.append(RequestProblem(message))
        return op, problems

    def _parameter(
        self, op: Operation, index: int, raw: Mapping[str, Any]
    ) -> tuple[Mapping[str, Any], SpecDocument, str]:
        """A parameter, following ``$ref`` into whichever vendored document holds it."""
        if "$ref" not in raw:
            return raw, op.document, f"{op.pointer}/parameters/{index}"
        target = self.registry.resolver(base_uri=op.document.uri).lookup(raw["$ref"])
        uri, _, fragment = str(raw["$ref"]).partition("#")
        doc = op.document
        if uri:
            absolute = _join(op.document.uri, uri)
            doc = next(d for d in self._docs if d.uri == absolute)
        return target.contents, doc, fragment

    # -- plumbing --------------------------------------------------------------------------------------

    def _resolve(self, doc: SpecDocument, pointer: str) -> Mapping[str, Any]:
        resolved = self.registry.resolver(base_uri=doc.uri).lookup(f"{doc.uri}#{pointer}").contents
        if isinstance(resolved, Mapping) and "$ref" in resolved and len(resolved) == 1:
            resolved = self.registry.resolver(base_uri=doc.uri).lookup(resolved["$ref"]).contents
        return resolved if isinstance(resolved, Mapping) else {}

    def _validate(self, doc: SpecDocument, pointer: str, instance: Any, operation_id: str = "") -> list[str]:
        key = f"{doc.uri}#{pointer}"
        validator = self._validators.get(key)
        if validator is None:
            contents = load(doc.path)
            cls = (
                Draft202012Validator
                if str(contents.get("openapi", "")).startswith("3.1")
                else Draft7Validator
            )
            validator = cls({"$ref": key}, registry=self.registry, format_checker=cls.FORMAT_CHECKER)
            self._validators[key] = validator
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
        tolerated = tolerated_paths(operation_id)
        kept = [e for e in errors if "/".join(map(str, e.absolute_path)) not in tolerated]
        return [_describe(e) for e in kept[:_MAX_MESSAGES]]


@cache
def default_judge() -> SpecJudge:
    """One judge per process: the vendored files never change while it runs."""
    return SpecJudge()


def _routes(doc: SpecDocument) -> list[_Route]:
    routes = []
    for template, item in (load(doc.path).get("paths") or {}).items():
        names = tuple(re.findall(r"{([^}]+)}", template))
        # A template that starts with a parameter ("/{resourceUri}/providers/...") takes a whole ARM id
        # there (x-ms-skip-url-encoding); every other parameter is one path segment.
        parts = re.split(r"({[^}]+})", template)
        regex = "".join(
            ("(.+?)" if i == 1 and template.startswith("/{") else "([^/]+)")
            if part.startswith("{")
            else re.escape(part)
            for i, part in enumerate(parts)
        )
        methods = {m: op for m, op in item.items() if m in _HTTP_METHODS and isinstance(op, Mapping)}
        # ARM treats provider namespaces and type names case-insensitively.
        flags = re.IGNORECASE if doc.surface == "arm" else 0
        routes.append(_Route(doc, template, re.compile(regex, flags), names, methods))
    return routes


_ACCOUNT = re.compile(r"^/accounts/[^/]+/openai(/.*)$")
_RESOURCE_GROUP = re.compile(r"/subscriptions/[^/]+/resourcegroups/[^/]+", re.IGNORECASE)
_PROVIDER = re.compile(r"/providers/([^/]+)/", re.IGNORECASE)


def _locate(path: str, query: Mapping[str, str]) -> tuple[str, str, str | None, str | None] | None:
    """(surface, path as the spec writes it, api-version, ARM namespace) for an emulator path."""
    version = query.get("api-version")
    if path.lower().startswith("/subscriptions/"):
        providers = _PROVIDER.findall(path + "/")
        if not providers:
            # A resource group itself has no /providers/ segment; Microsoft.Resources describes it.
            if _RESOURCE_GROUP.fullmatch(path):
                return "arm", path, version, "microsoft.resources"
            return None
        return "arm", path, version, providers[-1].lower()
    match = _ACCOUNT.match(path)
    if match is None:
        return None
    rest = match.group(1)
    if rest.startswith("/v1/"):
        return "v1", rest[len("/v1") :], version, None
    return "dated", rest, version, None


def _plain_errors(schema: Mapping[str, Any], value: str) -> list[str]:
    return [_describe(e) for e in Draft4Validator(dict(schema)).iter_errors(value)]


def _describe(error: Any) -> str:
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{'at ' + where + ': ' if where else ''}{error.message}"


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _join(base: str, relative: str) -> str:
    from urllib.parse import urljoin

    return urljoin(base, relative)
