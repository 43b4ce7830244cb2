"""Long-running operations the way ARM reports them: InProgress until a deadline, then Succeeded.

Nothing runs in the background: an operation is a start time and a deadline on an injected monotonic
clock, and its status is computed when asked. The SDK pollers read ``Azure-AsyncOperation`` (status JSON)
and ``Location`` (202 while running, then the final resource or 204).
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

MAX_OPERATIONS = 2000


@dataclass(frozen=True)
class Operation:
    id: str
    subscription: str
    location: str
    started_at: float
    done_at: float
    started_iso: str
    # The body the Location URL answers with once done (the resource after a PUT/PATCH); None gives 204.
    result: dict[str, Any] | None = None

    def status(self, now: float) -> str:
        return "Succeeded" if now >= self.done_at else "InProgress"

    def remaining(self, now: float) -> float:
        return max(0.0, self.done_at - now)

    def _url(self, kind: str) -> str:
        return (
            f"subscriptions/{self.subscription}/providers/Microsoft.CognitiveServices/locations/"
            f"{quote(self.location, safe='')}/{kind}/{self.id}"  # a header value: ASCII only
        )

    def status_url(self) -> str:
        return self._url("operationStatuses")

    def result_url(self) -> str:
        return self._url("operationResults")

    def status_body(self, now: float, base_url: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": base_url + self.status_url(),
            "name": self.id,
            "status": self.status(now),
            "startTime": self.started_iso,
        }
        if now >= self.done_at:
            body["endTime"] = body["startTime"]
        return body


class Operations:
    """Bounded, thread-safe registry of operations by id."""

    def __init__(self, delay_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.delay_seconds = delay_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[str, Operation] = OrderedDict()
        self._counter = itertools.count(1)

    def start(self, subscription: str, location: str, result: dict[str, Any] | None = None) -> Operation:
        now = self.clock()
        operation = Operation(
            id=f"{uuid.uuid4()}-{next(self._counter)}",
            subscription=subscription,
            location=(location or "global").replace(" ", "").lower(),
            started_at=now,
            done_at=now + self.delay_seconds,
            started_iso=datetime.now(UTC).isoformat(),
            result=result,
        )
        with self._lock:
            self._items[operation.id] = operation
            while len(self._items) > MAX_OPERATIONS:
                self._items.popitem(last=False)
        return operation

    def get(self, operation_id: str) -> Operation | None:
        with self._lock:
            return self._items.get(operation_id)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
