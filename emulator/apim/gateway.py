"""The API Management gateway data plane: ``<base_url>gateways/<service>/...`` executes the stored api policy.

One request: find the api (longest ``path`` prefix) and operation (method + urlTemplate), check the client
(a subscription key in the api's header or query parameter; or ``validate-azure-ad-token`` when the api
needs no subscription), then run the policy's sections (emulator/apim/policy.py) and forward to the chosen
backend over loopback with the request body buffered, so a retry resends it. A pool member is chosen by
emulator/apim/pool.py with one breaker per (service, backend). When every member's breaker is open the
on-error section runs with ``context.Response`` holding ``Retry-After`` = the smallest time left on an open
breaker; without an on-error ``return-response`` the answer is 503. Server-sent events stream through.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from emulator.apim import policy as P
from emulator.apim.pool import (
    Breaker,
    BreakerRule,
    breaker_rule,
    choose,
    header_seconds,
    pool_members,
    retry_after_seconds,
)
from emulator.apim.resources import ApimProvider, stored_policy
from emulator.auth import check_token, decode_jwt

DEFAULT_KEY_HEADER = "Ocp-Apim-Subscription-Key"
DEFAULT_RETRY_AFTER_CAP = 86400.0
_HOP = {"host", "content-length", "transfer-encoding", "connection", "content-encoding", "keep-alive"}
_AZURE_HOST = re.compile(r"^([a-z0-9-]+)\.(openai|cognitiveservices)\.azure\.com$")


class PoolUnavailable(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__("every backend of the pool has its circuit breaker open")
        self.retry_after = retry_after


class BackendFailure(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _apim_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"statusCode": status, "message": message}, status_code=status, headers=headers)


@dataclass
class Upstream:
    status: int
    headers: dict[str, str]
    body: bytes = b""
    stream: httpx.Response | None = None
    region_of: str = ""


@dataclass
class Context:
    service: dict[str, Any]
    rest: str  # the path after the api's path, with the query string
    method: str
    headers: dict[str, str]
    body: bytes
    backend_id: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    response: Upstream | None = None


class Gateway:
    """Breakers and the HTTP client of every gateway of one emulator (``reset`` forgets the breakers)."""

    def __init__(
        self, provider: ApimProvider, base_url: Any, retry_after_cap: float = DEFAULT_RETRY_AFTER_CAP
    ):
        self.provider = provider
        self._base_url = base_url  # a callable giving the emulator's base URL once bound
        self.retry_after_cap = retry_after_cap
        self.breakers: dict[tuple[str, str], Breaker] = {}
        self.random = random.Random()
        self._client: httpx.AsyncClient | None = None

    def reset(self) -> None:
        self.breakers.clear()

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            # Loopback only (see _target): the emulator's own certificate, not a public one.
            self._client = httpx.AsyncClient(
                verify=False, timeout=300, limits=httpx.Limits(max_connections=256)
            )
        return self._client

    # -- one request -----------------------------------------------------------------------------------
    async def handle(self, request: Request) -> Response:
        service = self.provider.find_service(request.path_params["service"])
        if service is None:
            return _apim_error(404, "Resource not found")
        rest = "/" + request.path_params["rest"]
        found = self._operation(service, request.method, rest)
        if found is None:
            return _apim_error(404, "Resource not found")
        api, relative = found
        props = api.get("properties") or {}
        query = request.url.query
        denied = self._check_subscription(service, api, request)
        if denied is not None:
            return denied
        headers = {k.lower(): v for k, v in request.headers.items() if k.lower() not in _HOP}
        names = props.get("subscriptionKeyParameterNames") or {}
        headers.pop(str(names.get("header") or DEFAULT_KEY_HEADER).lower(), None)
        ctx = Context(
            service, relative + (f"?{query}" if query else ""), request.method, headers, await request.body()
        )
        policy = stored_policy(self.provider, str(api["id"]).lower()) or P.Policy()
        try:
            denied = self._inbound(ctx, policy.inbound, request)
            if denied is not None:
                return denied
            await self._backend(ctx, policy.backend)
        except PoolUnavailable as exc:
            ctx.response = Upstream(503, {"retry-after": header_seconds(exc.retry_after)})
            return self._on_error(ctx, policy.on_error, 503, "Backend pool is temporarily unavailable.")
        except BackendFailure as exc:
            ctx.response = Upstream(exc.status, {})
            return self._on_error(ctx, policy.on_error, exc.status, str(exc))
        upstream = ctx.response
        assert upstream is not None
        out = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP}
        for step in policy.outbound:
            if isinstance(step, P.SetHeader):
                _apply_header(out, step, ctx)
            elif isinstance(step, P.Choose):
                chosen = next((w for w in step.whens if w.response_header.lower() in upstream.headers), None)
                for inner in chosen.steps if chosen else ():
                    _apply_header(out, inner, ctx)
        if upstream.stream is not None:
            return StreamingResponse(_relay(upstream.stream), status_code=upstream.status, headers=out)
        return Response(upstream.body, status_code=upstream.status, headers=out)

    def _operation(
        self, service: dict[str, Any], method: str, rest: str
    ) -> tuple[dict[str, Any], str] | None:
        key = str(service["id"]).lower()
        apis = sorted(
            self.provider.children_of(key, "apis"),
            key=lambda a: -len(str((a.get("properties") or {}).get("path", ""))),
        )
        for api in apis:
            prefix = "/" + str(api["properties"].get("path", "")).strip("/")
            prefix = "" if prefix == "/" else prefix
            if not (rest == prefix or rest.startswith(prefix + "/")):
                continue
            relative = rest[len(prefix) :] or "/"
            for op in self.provider.children_of(str(api["id"]).lower(), "operations"):
                p = op.get("properties") or {}
                template = re.sub(
                    r"\{[^}/]+\}",
                    "[^/]+",
                    re.escape(str(p.get("urlTemplate", ""))).replace(r"\{", "{").replace(r"\}", "}"),
                )
                if str(p.get("method", "")).upper() == method.upper() and re.fullmatch(template, relative):
                    return api, relative
        return None

    def _check_subscription(
        self, service: dict[str, Any], api: dict[str, Any], request: Request
    ) -> Response | None:
        props = api.get("properties") or {}
        if props.get("subscriptionRequired") is False:
            return None
        names = props.get("subscriptionKeyParameterNames") or {}
        key = request.headers.get(str(names.get("header") or DEFAULT_KEY_HEADER)) or request.query_params.get(
            str(names.get("query") or "subscription-key")
        )
        if not key:
            return _apim_error(
                401,
                "Access denied due to missing subscription key. Make sure to include subscription key when "
                "making requests to an API.",
            )
        service_key = str(service["id"]).lower()
        api_scope = str(api["id"]).lower()
        for sub in self.provider.children_of(service_key, "subscriptions"):
            sp = sub.get("properties") or {}
            scope = str(sp.get("scope", "")).lower().rstrip("/")
            in_scope = (
                scope.endswith("/apis")
                or scope == api_scope
                or scope.endswith("/apis/" + str(api["name"]).lower())
            )
            if (
                sp.get("state", "active") == "active"
                and in_scope
                and key in self.provider.keys.get(str(sub["id"]).lower(), ())
            ):
                return None
        return _apim_error(
            401,
            "Access denied due to invalid subscription key. Make sure to provide a valid key for an active "
            "subscription.",
        )

    # -- sections --------------------------------------------------------------------------------------
    def _inbound(self, ctx: Context, steps: tuple[P.Step, ...], request: Request) -> Response | None:
        for step in steps:
            if isinstance(step, P.SetBackend):
                ctx.backend_id = step.backend_id
            elif isinstance(step, P.ManagedIdentity):
                token = self._identity_token(ctx.service, step.resource)
                if step.output_variable:
                    ctx.variables[step.output_variable] = token
                else:
                    ctx.headers["authorization"] = f"Bearer {token}"
            elif isinstance(step, P.SetHeader):
                _apply_header(ctx.headers, step, ctx)
            elif isinstance(step, P.ValidateToken):
                denied = _validate_token(step, request)
                if denied is not None:
                    return denied
        return None

    async def _backend(self, ctx: Context, steps: tuple[P.Step, ...]) -> None:
        for step in steps:
            if isinstance(step, P.Base | P.Forward):
                timeout = step.timeout_seconds if isinstance(step, P.Forward) else 300.0
                ctx.response = await self._forward(ctx, timeout)
            elif isinstance(step, P.Retry):
                await self._retry(ctx, step)

    async def _retry(self, ctx: Context, retry: P.Retry) -> None:
        for attempt in range(retry.count + 1):
            for step in retry.steps:
                if isinstance(step, P.SetBackend):
                    ctx.backend_id = step.backend_id
                elif isinstance(step, P.Forward):
                    ctx.response = await self._forward(ctx, step.timeout_seconds)
            if ctx.response is None or ctx.response.status not in retry.statuses or attempt == retry.count:
                return
            if ctx.response.stream is not None:
                await ctx.response.stream.aclose()
            if retry.interval_seconds and not (attempt == 0 and retry.first_fast_retry):
                await asyncio.sleep(retry.interval_seconds)

    def _on_error(self, ctx: Context, steps: tuple[P.Step, ...], status: int, message: str) -> Response:
        for step in steps:
            if isinstance(step, P.ReturnResponse):
                code, reason, headers = status, "", dict[str, str]()
                for inner in step.steps:
                    if isinstance(inner, P.SetStatus):
                        code, reason = inner.code, inner.reason
                    elif isinstance(inner, P.SetHeader):
                        _apply_header(headers, inner, ctx)
                return _apim_error(code, reason or message, headers)
        return _apim_error(status, message, dict(ctx.response.headers if ctx.response else {}))

    # -- the backend call ------------------------------------------------------------------------------
    async def _forward(self, ctx: Context, timeout: float) -> Upstream:
        service_key = str(ctx.service["id"]).lower()
        if not ctx.backend_id:
            raise BackendFailure(500, "No backend is set for this api (set-backend-service backend-id=...).")
        backend = self._backend_entity(service_key, ctx.backend_id)
        member_id = ctx.backend_id.lower()
        if (backend.get("properties") or {}).get("type") == "Pool":
            members = pool_members(backend["properties"])
            now = time.monotonic()
            chosen = choose(members, lambda name: self._breaker(service_key, name).is_open(now), self.random)
            if chosen is None:
                left = [self._breaker(service_key, m.backend_id).remaining(now) for m in members]
                raise PoolUnavailable(min(left) if left else 1.0)
            member_id = chosen.backend_id
            backend = self._backend_entity(service_key, member_id)
        url = self._target(str((backend.get("properties") or {}).get("url", ""))) + ctx.rest
        try:
            request = self.client.build_request(
                ctx.method, url, headers=ctx.headers, content=ctx.body, timeout=timeout
            )
            response = await self.client.send(request, stream=True)
        except httpx.TimeoutException:
            raise BackendFailure(
                504, "The backend did not answer within the forward-request timeout."
            ) from None
        except httpx.HTTPError as exc:
            raise BackendFailure(500, f"The backend could not be reached: {type(exc).__name__}.") from None
        headers = {k.lower(): v for k, v in response.headers.items()}
        breaker = self._breaker(service_key, member_id)
        breaker.record(
            response.status_code, retry_after_seconds(headers), time.monotonic(), self.retry_after_cap
        )
        if headers.get("content-type", "").startswith("text/event-stream"):
            return Upstream(response.status_code, headers, stream=response)
        body = await response.aread()
        await response.aclose()
        return Upstream(response.status_code, headers, body)

    def _backend_entity(self, service_key: str, backend_id: str) -> dict[str, Any]:
        for backend in self.provider.children_of(service_key, "backends"):
            if str(backend["name"]).lower() == backend_id.lower():
                return backend
        raise BackendFailure(500, f"The backend '{backend_id}' does not exist in this service.")

    def _breaker(self, service_key: str, backend_id: str) -> Breaker:
        key = (service_key, backend_id.lower())
        breaker = self.breakers.get(key)
        if breaker is None:
            props = next(
                (
                    b.get("properties") or {}
                    for b in self.provider.children_of(service_key, "backends")
                    if str(b["name"]).lower() == backend_id.lower()
                ),
                {},
            )
            breaker = Breaker(breaker_rule(props) or BreakerRule())
            self.breakers[key] = breaker
        return breaker

    def _target(self, url: str) -> str:
        """A backend URL on this emulator: loopback as written, or an Azure OpenAI host mapped to its
        account."""
        base = str(self._base_url()).rstrip("/")
        parts = urlsplit(url)
        azure = _AZURE_HOST.match(parts.hostname or "")
        if azure:
            return f"{base}/accounts/{azure.group(1)}{parts.path.rstrip('/')}"
        if f"{parts.scheme}://{parts.netloc}" == base:
            return url.rstrip("/")
        raise BackendFailure(
            500, f"The backend URL {url[:200]} is neither on this emulator nor an Azure OpenAI host."
        )

    def _identity_token(self, service: dict[str, Any], resource: str) -> str:
        identity = service.get("identity") or {}
        principal = identity.get("principalId")
        if not principal:
            raise BackendFailure(
                500, "authentication-managed-identity needs the service's system-assigned identity."
            )
        now = int(time.time())
        claims = {
            "aud": resource,
            "oid": principal,
            "tid": identity.get("tenantId"),
            # Entra puts the managed identity's resource id in its tokens; the account holds such a caller
            # to its role assignments.
            "xms_mirid": str(service.get("id") or ""),
            "iat": now,
            "exp": now + 3600,
        }
        return ".".join(_b64(part) for part in ({"alg": "none", "typ": "JWT"}, claims)) + "."


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _apply_header(headers: dict[str, str], step: P.SetHeader, ctx: Context) -> None:
    name = step.name.lower()
    if step.action == "delete":
        headers.pop(name, None)
        return
    if step.action == "skip" and name in headers:
        return
    values = []
    for value in step.values:
        if value.bearer_variable is not None:
            values.append(f"Bearer {ctx.variables.get(value.bearer_variable, '')}")
        elif value.response_header is not None:
            source = ctx.response.headers if ctx.response else {}
            raw = source.get(value.response_header.lower(), value.default)
            values.append(raw if value.cap is None else _capped(raw, value.cap, value.unparsable))
        else:
            values.append(value.literal or "")
    joined = ",".join(values)
    headers[name] = f"{headers[name]},{joined}" if step.action == "append" and name in headers else joined


def _capped(raw: str, cap: int, unparsable: str) -> str:
    """C#'s ``int.TryParse(raw, out var s) ? Math.Min(s, cap).ToString() : unparsable``."""
    text = raw.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit() or not -(2**31) <= int(text) < 2**31:
        return unparsable
    return str(min(int(text), cap))


def _validate_token(step: P.ValidateToken, request: Request) -> Response | None:
    scheme, _, token = (request.headers.get(step.header) or "").partition(" ")
    claims = decode_jwt(token.strip()) if scheme.lower() == "bearer" else None
    ok = claims is not None and check_token(
        {**claims, "aud": "https://cognitiveservices.azure.com"}, time.time()
    )
    if ok and claims is not None and step.audiences:
        aud = claims.get("aud")
        ok = any(a in step.audiences for a in (aud if isinstance(aud, list) else [aud]))
    if ok and claims is not None and step.tenant_id:
        ok = claims.get("tid") == step.tenant_id
    return None if ok else _apim_error(step.failed_status, step.failed_message)


async def _relay(response: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_raw():
            yield chunk
    finally:
        await response.aclose()


def gateway_routes(gateway: Gateway) -> list[Route]:
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return [Route("/gateways/{service}/{rest:path}", gateway.handle, methods=methods)]
