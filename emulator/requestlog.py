"""A bounded log of the requests the emulator answered, for tests and ``GET /_emulator/requests``.

Secrets never enter it: credentials are recorded only as their kind (``api-key``, ``bearer``), and query
parameters that can carry secrets are masked.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

_SECRET_QUERY = {"api-key", "api_key", "key", "code", "sig", "token", "access_token", "subscription-key"}


@dataclass(frozen=True)
class RequestRecord:
    time: float
    method: str
    path: str
    query: str
    status: int
    duration_ms: float
    auth: str
    subdomain: str | None = None
    deployment: str | None = None
    operation: str | None = None
    error_code: str | None = None
    client_request_id: str | None = None
    request_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {_camel(k): v for k, v in asdict(self).items()}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def redact_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, "REDACTED" if k.lower() in _SECRET_QUERY else v) for k, v in pairs])


def auth_kind(headers: Any) -> str:
    if headers.get("api-key"):
        return "api-key"
    if (headers.get("authorization") or "").lower().startswith("bearer "):
        return "bearer"
    return "none"


class RequestLog:
    def __init__(self, max_entries: int = 1000) -> None:
        self._lock = threading.Lock()
        self._items: deque[RequestRecord] = deque(maxlen=max_entries)

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._items.append(record)

    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
