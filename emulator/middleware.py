"""One ASGI middleware around every route: Azure's response headers and the request log.

Data-plane answers (``/accounts/...``) get ``apim-request-id``, ``x-request-id``, ``x-ms-region``, the
echoed ``x-ms-client-request-id`` and, once the deployment is known, ``x-ratelimit-*``. Every request
outside ``/_emulator/`` is logged, with credentials recorded only by kind.
"""

from __future__ import annotations

import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.ratelimit import Decision
from emulator.requestlog import RequestLog, RequestRecord, auth_kind, redact_query


class AzureHeadersMiddleware:
    def __init__(self, app: ASGIApp, request_log: RequestLog) -> None:
        self.app = app
        self.request_log = request_log

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

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
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
