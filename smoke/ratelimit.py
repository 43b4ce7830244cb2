"""Per-deployment request pacing: a token bucket sized from the deployment's requests-per-minute.

``take`` is pure (bucket + now -> new bucket + wait); ``RateLimiter`` holds one bucket per deployment
behind a lock. The bucket starts full (a minute's budget), which matches how Azure counts image quota
per minute; 429s that still happen are handled by the retry policy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    rpm: float
    tokens: float
    updated: float


def new_bucket(rpm: float, now: float) -> Bucket:
    return Bucket(rpm=rpm, tokens=max(1.0, rpm), updated=now)


def take(bucket: Bucket, now: float) -> tuple[Bucket, float]:
    """Spend one request; returns the bucket after it and how long to wait before sending."""
    capacity = max(1.0, bucket.rpm)
    rate = bucket.rpm / 60.0
    tokens = min(capacity, bucket.tokens + (now - bucket.updated) * rate)
    if tokens >= 1.0:
        return Bucket(bucket.rpm, tokens - 1.0, now), 0.0
    wait = (1.0 - tokens) / rate
    # The token that arrives after `wait` is spent at once.
    return Bucket(bucket.rpm, 0.0, now + wait), wait


class RateLimiter:
    def __init__(
        self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ):
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], Bucket] = {}

    def reserve(self, key: tuple[str, str], rpm: float | None) -> float:
        """Take ``key``'s next slot; returns how long to wait before sending (the caller waits)."""
        if not rpm or rpm <= 0:
            return 0.0
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get(key) or new_bucket(rpm, now)
            self._buckets[key], wait = take(bucket, now)
        return wait

    def acquire(self, key: tuple[str, str], rpm: float | None) -> float:
        """Block until ``key`` may send; returns the seconds waited. ``rpm`` None or <= 0 means unlimited."""
        wait = self.reserve(key, rpm)
        if wait > 0:
            self._sleep(wait)
        return wait
