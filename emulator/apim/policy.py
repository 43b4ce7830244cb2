"""An API Management policy document, parsed into the steps the emulator's gateway executes.

``parse_policy(xml)`` reads ``<policies><inbound/><backend/><outbound/><on-error/></policies>`` with
defusedxml (the body comes over ARM and is untrusted) and returns a frozen ``Policy``; an element or an
expression the gateway cannot execute raises ``PolicyError`` naming it, so a PUT is refused instead of the
element being ignored. Expressions are not evaluated in general: only the forms listed in docs/emulator.md
("API Management gateway") are recognised, each turned into data here.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

SECTIONS = ("inbound", "backend", "outbound", "on-error")
_STATUS_TERM = re.compile(r"^\s*context\.Response\.StatusCode\s*==\s*(\d{3})\s*$")
_BEARER_VARIABLE = re.compile(
    r'^@\(\s*"Bearer "\s*\+\s*\(string\)\s*context\.Variables\[\s*"([^"]+)"\s*\]\s*\)$'
)
_RESPONSE_HEADER = re.compile(
    r'^@\(\s*context\.Response\.Headers\.GetValueOrDefault\(\s*"([^"]+)"\s*(?:,\s*"([^"]*)"\s*)?\)\s*\)$'
)

# The capped Retry-After that infra/gateway_policy.py writes: a header of the last response, parsed as
# seconds, bounded by a cap; a value that is no number becomes the literal after ``:``.
_CAPPED_HEADER = re.compile(
    r'^@\(\s*int\.TryParse\(\s*context\.Response\.Headers\.GetValueOrDefault\(\s*"([^"]+)"\s*,\s*"(\d*)"\s*\)'
    r"\s*,\s*out\s+var\s+([A-Za-z_]\w*)\s*\)\s*\?\s*Math\.Min\(\s*\3\s*,\s*(\d+)\s*\)\.ToString\(\)\s*:\s*"
    r'"(\d+)"\s*\)$'
)
_HAS_HEADER = re.compile(r'^@\(\s*context\.Response\.Headers\.ContainsKey\(\s*"([^"]+)"\s*\)\s*\)$')


class PolicyError(ValueError):
    """The policy cannot be executed; the message is one sentence naming the element."""


@dataclass(frozen=True)
class Base:
    """``<base/>``: the service-level policy, which is forward-request in the backend section."""


@dataclass(frozen=True)
class ValidateToken:
    """``validate-azure-ad-token``: a Bearer token's expiry, tenant (``tid``) and audiences (signature not
    checked, as everywhere in the emulator)."""

    tenant_id: str | None
    audiences: tuple[str, ...]
    header: str = "Authorization"
    failed_status: int = 401
    failed_message: str = "Invalid Azure AD JWT"


@dataclass(frozen=True)
class SetBackend:
    backend_id: str


@dataclass(frozen=True)
class ManagedIdentity:
    resource: str
    output_variable: str | None = None


@dataclass(frozen=True)
class HeaderValue:
    """A literal, the token held in a variable (``"Bearer " + var``) or a header of the last response,
    optionally read as seconds and bounded by ``cap`` (``unparsable`` when it is no number)."""

    literal: str | None = None
    bearer_variable: str | None = None
    response_header: str | None = None
    default: str = ""
    cap: int | None = None
    unparsable: str = ""


@dataclass(frozen=True)
class SetHeader:
    name: str
    action: str  # override | skip | append | delete
    values: tuple[HeaderValue, ...] = ()


@dataclass(frozen=True)
class When:
    """``<when condition="@(context.Response.Headers.ContainsKey("<header>"))">`` and its set-headers."""

    response_header: str
    steps: tuple[SetHeader, ...]


@dataclass(frozen=True)
class Choose:
    """``<choose>``: the first ``when`` whose response header is present runs (no ``otherwise``)."""

    whens: tuple[When, ...]


@dataclass(frozen=True)
class Forward:
    buffer_request_body: bool = False
    timeout_seconds: float = 300.0


@dataclass(frozen=True)
class Retry:
    count: int
    interval_seconds: float
    first_fast_retry: bool
    statuses: frozenset[int]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class SetStatus:
    code: int
    reason: str = ""


@dataclass(frozen=True)
class ReturnResponse:
    steps: tuple[Step, ...]


Step = (
    Base | ValidateToken | SetBackend | ManagedIdentity | SetHeader | Forward | Retry | SetStatus
    | ReturnResponse | Choose
)


@dataclass(frozen=True)
class Policy:
    inbound: tuple[Step, ...] = ()
    backend: tuple[Step, ...] = (Forward(),)
    outbound: tuple[Step, ...] = ()
    on_error: tuple[Step, ...] = ()


# Which elements each section may hold (what the gateway executes there).
_ALLOWED = {
    "inbound": {
        "base",
        "set-backend-service",
        "authentication-managed-identity",
        "set-header",
        "validate-azure-ad-token",
    },
    "backend": {"base", "forward-request", "retry"},
    "outbound": {"base", "set-header", "choose"},
    "on-error": {"base", "set-header", "return-response", "set-status"},
}


def parse_policy(text: str) -> Policy:
    try:
        root = SafeET.fromstring(text)
    except DefusedXmlException as exc:
        raise PolicyError(f"The policy XML is refused: {type(exc).__name__}.") from None
    except ET.ParseError as exc:
        raise PolicyError(f"The policy is not well-formed XML: {exc}.") from None
    if root.tag != "policies":
        raise PolicyError(f"The policy's root element is <{root.tag}>; it must be <policies>.")
    sections: dict[str, tuple[Step, ...]] = {}
    for child in root:
        if child.tag not in SECTIONS:
            raise PolicyError(
                f"<{child.tag}> is not a policy section; use inbound, backend, outbound, on-error."
            )
        if child.tag in sections:
            raise PolicyError(f"The policy has more than one <{child.tag}> section.")
        sections[child.tag] = tuple(_step(e, child.tag) for e in child)
    return Policy(
        inbound=sections.get("inbound", ()),
        backend=sections.get("backend", (Base(),)),
        outbound=sections.get("outbound", ()),
        on_error=sections.get("on-error", ()),
    )


def _step(element: ET.Element, section: str) -> Step:
    tag = element.tag
    if tag not in _ALLOWED[section]:
        raise PolicyError(
            f"The policy element <{tag}> in <{section}> is not supported by the emulator's gateway; "
            "it executes "
            f"{', '.join(sorted(_ALLOWED[section]))} there."
        )
    if tag == "base":
        return Base()
    if tag == "set-backend-service":
        backend_id = element.get("backend-id")
        if not backend_id or element.get("base-url"):
            raise PolicyError("<set-backend-service> must name a backend-id (base-url is not supported).")
        return SetBackend(backend_id)
    if tag == "authentication-managed-identity":
        resource = element.get("resource")
        if not resource or element.get("client-id"):
            raise PolicyError(
                "<authentication-managed-identity> needs a resource and the system identity (no client-id)."
            )
        return ManagedIdentity(resource, element.get("output-token-variable-name"))
    if tag == "set-header":
        return _set_header(element)
    if tag == "validate-azure-ad-token":
        return _validate_token(element)
    if tag == "forward-request":
        return Forward(
            buffer_request_body=_bool(element, "buffer-request-body", False),
            timeout_seconds=_number(element, "timeout", 300, 0, 3600),
        )
    if tag == "retry":
        return _retry(element)
    if tag == "choose":
        return _choose(element)
    if tag == "set-status":
        return SetStatus(int(_number(element, "code", 200, 100, 599)), element.get("reason") or "")
    # return-response
    steps = []
    for child in element:
        if child.tag not in ("set-status", "set-header"):
            raise PolicyError(
                f"<{child.tag}> inside <return-response> is not supported; use set-status, set-header."
            )
        steps.append(_step(child, "on-error"))
    return ReturnResponse(tuple(steps))


def _validate_token(element: ET.Element) -> ValidateToken:
    audiences: list[str] = []
    for child in element:
        if child.tag != "audiences":
            raise PolicyError(
                f"<{child.tag}> inside <validate-azure-ad-token> is not supported; use <audiences>."
            )
        audiences.extend((a.text or "").strip() for a in child if a.tag == "audience")
    return ValidateToken(
        tenant_id=element.get("tenant-id"),
        audiences=tuple(a for a in audiences if a),
        header=element.get("header-name", "Authorization"),
        failed_status=int(_number(element, "failed-validation-httpcode", 401, 400, 599)),
        failed_message=element.get("failed-validation-error-message") or "Invalid Azure AD JWT",
    )


def _set_header(element: ET.Element) -> SetHeader:
    name = element.get("name")
    action = element.get("exists-action", "override")
    if not name or action not in ("override", "skip", "append", "delete"):
        raise PolicyError("<set-header> needs a name and exists-action override, skip, append or delete.")
    values = []
    for child in element:
        if child.tag != "value":
            raise PolicyError(f"<{child.tag}> inside <set-header> is not supported; use <value>.")
        values.append(_header_value((child.text or "").strip()))
    return SetHeader(name, action, tuple(values))


def _header_value(text: str) -> HeaderValue:
    if not text.startswith("@"):
        return HeaderValue(literal=text)
    bearer = _BEARER_VARIABLE.match(text)
    if bearer:
        return HeaderValue(bearer_variable=bearer.group(1))
    header = _RESPONSE_HEADER.match(text)
    if header:
        return HeaderValue(response_header=header.group(1), default=header.group(2) or "")
    capped = _CAPPED_HEADER.match(text)
    if capped:
        return HeaderValue(
            response_header=capped.group(1),
            default=capped.group(2),
            cap=int(capped.group(4)),
            unparsable=capped.group(5),
        )
    raise PolicyError(
        f"The expression {text[:120]!r} in <set-header> is not one the emulator's gateway evaluates."
    )


def _choose(element: ET.Element) -> Choose:
    whens = []
    for child in element:
        if child.tag != "when":
            raise PolicyError(f"<{child.tag}> inside <choose> is not supported; use <when>.")
        condition = (child.get("condition") or "").strip()
        has = _HAS_HEADER.match(condition)
        if has is None:
            raise PolicyError(
                f"The choose condition {condition[:120]!r} is not supported; write "
                '@(context.Response.Headers.ContainsKey("<header>")).'
            )
        steps = []
        for inner in child:
            if inner.tag != "set-header":
                raise PolicyError(f"<{inner.tag}> inside <when> is not supported; use set-header.")
            steps.append(_set_header(inner))
        whens.append(When(has.group(1), tuple(steps)))
    return Choose(tuple(whens))


def _retry(element: ET.Element) -> Retry:
    condition = (element.get("condition") or "").strip()
    inner = condition[2:-1] if condition.startswith("@(") and condition.endswith(")") else None
    statuses: set[int] = set()
    for term in (inner or "").split("||"):
        match = _STATUS_TERM.match(term.strip().strip("()"))
        if match is None:
            raise PolicyError(
                f"The retry condition {condition[:120]!r} is not supported; write "
                "@(context.Response.StatusCode == 429 || context.Response.StatusCode == 503)."
            )
        statuses.add(int(match.group(1)))
    steps = []
    for child in element:
        if child.tag not in ("set-backend-service", "forward-request"):
            raise PolicyError(
                f"<{child.tag}> inside <retry> is not supported; the gateway executes set-backend-service "
                "and "
                "forward-request there."
            )
        steps.append(_step(child, "inbound" if child.tag == "set-backend-service" else "backend"))
    return Retry(
        count=int(_number(element, "count", 1, 1, 50)),
        interval_seconds=_number(element, "interval", 0, 0, 300),
        first_fast_retry=_bool(element, "first-fast-retry", False),
        statuses=frozenset(statuses),
        steps=tuple(steps),
    )


def _bool(element: ET.Element, name: str, default: bool) -> bool:
    value = element.get(name)
    if value is None:
        return default
    if value.lower() not in ("true", "false"):
        raise PolicyError(f"<{element.tag}> {name}={value!r} must be true or false.")
    return value.lower() == "true"


def _number(element: ET.Element, name: str, default: float, low: float, high: float) -> float:
    value = element.get(name)
    if value is None:
        return float(default)
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not low <= number <= high:
        raise PolicyError(f"<{element.tag}> {name}={value!r} must be a number from {low:g} to {high:g}.")
    return number
