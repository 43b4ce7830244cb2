"""The HTTP edge: one request to a deployment's generations or edits route, timed and identified.

``ImageClient`` takes an injected ``httpx.Client``, so tests drive it through the real emulator, an
ASGI transport or ``httpx.MockTransport``. It never retries or judges; it returns a ``RawResponse``
(or one with ``error`` set for timeouts and connection failures) and keeps no header that could hold
a secret.
"""

from __future__ import annotations

import socket
import ssl
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

from smoke.errors import InputError
from smoke.targets import Target, host_port

if TYPE_CHECKING:
    import httpx

# Headers worth keeping for the report and the retry policy; nothing else is copied.
_KEPT_HEADERS = (
    "apim-request-id",
    "x-request-id",
    "x-ms-client-request-id",
    "x-ms-region",
    "retry-after",
    "retry-after-ms",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-limit-requests",
    "content-type",
)
TransportError = Literal["timeout", "connection", "tls", "dns", "auth"]
# The identifiers a support ticket can cite, in the order the report shows them.
ID_HEADERS = ("apim-request-id", "x-request-id", "x-ms-client-request-id", "x-ms-region")
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


@dataclass(frozen=True)
class RawResponse:
    started_at: float
    latency_s: float
    status: int | None = None
    body: bytes = field(default=b"", repr=False)
    headers: Mapping[str, str] = field(default_factory=dict)
    request_id: str | None = None
    # Why no response arrived: "timeout", "connection" (reset, refused: may heal), "tls" / "dns"
    # (certificate not trusted, host name unknown: waiting cannot fix them), or "auth" (no token).
    error: TransportError | None = None
    error_detail: str = ""
    refused: bool = False  # a "connection" error where the host answered that nothing listens on the port
    peer: str = ""  # host:port the request went to
    # Set by the retry loop when it stopped early, with the evidence ("Gave up: answered 503 to all ...").
    stopped: str = ""


def response_ids(headers: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((name, headers[name]) for name in ID_HEADERS if headers.get(name))


def ssl_context(ca_bundle: Path) -> ssl.SSLContext:
    """The system trust store plus ``ca_bundle`` (a private CA, or the emulator's)."""
    context = ssl.create_default_context()
    try:
        context.load_verify_locations(cafile=str(ca_bundle))
    except (OSError, ssl.SSLError) as exc:
        raise InputError(f"Cannot load the CA bundle {str(ca_bundle)!r}; pass a readable PEM file.") from exc
    return context


def make_http_client(
    ca_bundle: Path | None = None,
    request_timeout_s: float = 120.0,
    max_connections: int = 16,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An httpx client with long read timeouts (image calls take tens of seconds), optional private CA."""
    import httpx

    verify: ssl.SSLContext | bool = ssl_context(ca_bundle) if ca_bundle is not None else True
    return httpx.Client(
        verify=verify,
        timeout=httpx.Timeout(connect=15.0, read=request_timeout_s, write=60.0, pool=request_timeout_s),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        transport=transport,
        follow_redirects=False,
    )


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)  # httpx wraps httpcore, which wraps the ssl / socket error
        current = current.__cause__ or current.__context__
    return seen


def connection_refused(exc: BaseException) -> bool:
    """True when the host refused the connection: nothing listens on that port (ECONNREFUSED)."""
    chain = _chain(exc)
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return True
    return any("Connection refused" in str(e) or "[Errno 111]" in str(e) for e in chain)


def transport_error_kind(exc: BaseException) -> TransportError:
    """``tls`` and ``dns`` cannot heal by retrying; anything else (reset, refused) may."""
    chain = _chain(exc)
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain):
        return "tls"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "dns"
    text = " ".join(str(e) for e in chain)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return "tls"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "dns"
    return "connection"


def route_url(target: Target, operation: str, v1: bool) -> str:
    """``operation`` is ``generations`` or ``edits``."""
    if v1:
        return f"{target.endpoint}openai/v1/images/{operation}"
    deployment = quote(target.deployment, safe="")
    query = f"api-version={quote(target.api_version)}"
    return f"{target.endpoint}openai/deployments/{deployment}/images/{operation}?{query}"


class ImageClient:
    def __init__(self, http: httpx.Client, v1: bool = False, clock=time.monotonic, wall=time.time) -> None:
        self._http = http
        self.v1 = v1
        self._clock = clock
        self._wall = wall

    def generate(
        self, target: Target, auth_headers: Mapping[str, str], body: Mapping[str, object]
    ) -> RawResponse:
        payload = dict(body)
        if self.v1:
            payload["model"] = target.deployment
        return self._send(target, "generations", auth_headers, json=payload)

    def edit(
        self,
        target: Target,
        auth_headers: Mapping[str, str],
        fields: Mapping[str, str],
        image: tuple[str, bytes, str] | list[tuple[str, bytes, str]],
        mask: tuple[str, bytes, str] | None,
    ) -> RawResponse:
        """One input goes as ``image``; several as repeated ``image[]`` parts, as the service documents."""
        data = dict(fields)
        if self.v1:
            data["model"] = target.deployment
        images = image if isinstance(image, list) else [image]
        part = "image[]" if len(images) > 1 else "image"
        files = [(part, one) for one in images]
        if mask is not None:
            files.append(("mask", mask))
        return self._send(target, "edits", auth_headers, data=data, files=files)

    def _send(self, target: Target, operation: str, auth_headers: Mapping[str, str], **kwargs) -> RawResponse:
        import httpx

        client_id = str(uuid.uuid4())
        headers = {**auth_headers, "x-ms-client-request-id": client_id, "user-agent": "imagegate-smoke/0.1"}
        started_wall = self._wall()
        start = self._clock()
        url = route_url(target, operation, self.v1)
        peer = host_port(url)
        try:
            response = self._http.post(url, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            return RawResponse(
                started_wall,
                self._clock() - start,
                request_id=client_id,
                error="timeout",
                error_detail=type(exc).__name__,
                peer=peer,
            )
        except httpx.TransportError as exc:
            kind = transport_error_kind(exc)
            return RawResponse(
                started_wall,
                self._clock() - start,
                request_id=client_id,
                error=kind,
                error_detail=f"{type(exc).__name__}: {exc}",
                refused=kind == "connection" and connection_refused(exc),
                peer=peer,
            )
        kept = {k: response.headers[k] for k in _KEPT_HEADERS if k in response.headers}
        request_id = kept.get("apim-request-id") or kept.get("x-request-id") or client_id
        return RawResponse(
            started_wall,
            self._clock() - start,
            response.status_code,
            response.content,
            kept,
            request_id,
            peer=peer,
        )
