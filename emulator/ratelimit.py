"""Sliding-window request limiter, one window per deployment, as Azure enforces image RPM.

Pure logic with an injected clock: ``acquire`` either admits a request (and records it) or says how long
until the oldest admitted request leaves the 60 s window. Refused requests are not recorded, so a client
that keeps retrying does not push its own window forward.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    # Seconds until a slot frees up (for 429s) or until the window is empty (for x-ratelimit-reset-requests).
    reset_seconds: float

    @property
    def retry_after_ms(self) -> int:
        return max(1, math.ceil(self.reset_seconds * 1000))


class SlidingWindowLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic, window: float = WINDOW_SECONDS) -> None:
        self._clock = clock
        self._window = window
        self._lock = threading.Lock()
        self._hits: dict[Hashable, deque[float]] = {}

    def acquire(self, key: Hashable, limit: int) -> Decision:
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self._window:
                hits.popleft()
            if len(hits) >= limit:
                wait = hits[0] + self._window - now if hits else self._window
                return Decision(False, limit, 0, max(wait, 0.001))
            hits.append(now)
            reset = hits[0] + self._window - now
            return Decision(True, limit, limit - len(hits), reset)

    def peek(self, key: Hashable, limit: int) -> Decision:
        """The window as it stands, recording nothing: for answers refused before admission (401, 400)."""
        now = self._clock()
        with self._lock:
            live = [t for t in self._hits.get(key, ()) if t > now - self._window]
        remaining = max(0, limit - len(live))
        reset = live[0] + self._window - now if live else 0.0
        return Decision(remaining > 0, limit, remaining, reset)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()


def requests_per_minute(capacity: int, rpm_per_capacity_unit: float) -> int:
    """A deployment's RPM: capacity units times the (unverified, configurable) RPM per unit, at least 1."""
    return max(1, math.floor(capacity * rpm_per_capacity_unit))
