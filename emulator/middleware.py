"""One ASGI middleware around every route: Azure's response headers and the request log.

Data-plane answers (``/accounts/...``) get ``apim-request-id``, ``x-request-id``, ``x-ms-region``, the
echoed ``x-ms-client-request-id`` and, once the deployment is known, ``x-ratelimit-*``. Every request
outside ``/_emulator/`` is logged, with credentials recorded only by kind; an answer of a known deployment
also becomes one metrics sample (time to response: request start to the answer's first byte).
"""

from __future__ import annotations

import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.metrics import Dimensions, MetricsStore
from emulator.ratelimit import Decision
from emulator.requestlog import RequestLog, RequestRecord, auth_kind, redact_query


class AzureHeadersMiddleware:
    def __init__(self, app: ASGIApp, request_log: RequestLog, metrics: MetricsStore | None = None) -> None:
        self.app = app
        self.request_log = request_log
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_emulator/"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_headers = Headers(scope=scope)
        request_id = str(uuid.uuid4())
        client_request_id = request_headers.get("x-ms-client-request-id")
        data_plane = scope["path"].startswith("/accounts/")
        state = scope.setdefault("state", {})
        status = 500
        first_byte: float | None = None

        async def send_with_headers(message: Message) -> None:
            nonlocal status, first_byte
            if message["type"] == "http.response.start":
                status = message["status"]
                first_byte = time.perf_counter()
                headers = MutableHeaders(scope=message)
                if data_plane:
                    headers["apim-request-id"] = request_id
                    headers["x-request-id"] = request_id
                    headers["x-ms-region"] = state.get("region", "eastus2")
                    decision = state.get("ratelimit")
                    if isinstance(decision, Decision):
                        headers["x-ratelimit-limit-requests"] = str(decision.limit)
                        headers["x-ratelimit-remaining-requests"] = str(decision.remaining)
                        headers["x-ratelimit-reset-requests"] = f"{decision.reset_seconds:.3f}s"
                if client_request_id is not None:
                    headers["x-ms-client-request-id"] = client_request_id[:256]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            self._measure(state, status, ((first_byte or time.perf_counter()) - started) * 1000)
            self.request_log.add(
                RequestRecord(
                    time=time.time(),
                    method=scope["method"],
                    path=scope["path"],
                    query=redact_query(scope.get("query_string", b"").decode("latin-1")),
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 3),
                    auth=auth_kind(request_headers),
                    subdomain=state.get("subdomain"),
                    deployment=state.get("deployment"),
                    operation=state.get("operation"),
                    error_code=state.get("error_code"),
                    client_request_id=client_request_id,
                    request_id=request_id if data_plane else None,
                )
            )

    def _measure(self, state: dict[str, object], status: int, latency_ms: float) -> None:
        subdomain, deployment, model = state.get("subdomain"), state.get("deployment"), state.get("model")
        if self.metrics is None or not isinstance(subdomain, str) or not isinstance(deployment, str):
            return
        if not isinstance(model, str):
            return  # no such deployment: Azure has no ModelDeploymentName to count it under
        dimensions = Dimensions(deployment, model, str(state.get("model_version", "")), status)
        self.metrics.record(subdomain, dimensions, latency_ms, time.time())
