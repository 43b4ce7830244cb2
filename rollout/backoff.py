"""Retrying Azure's ``RequestConflict`` (409: another operation on the same account is running).

Pure policy (``BackoffPolicy.delays``) plus a small loop with an injected ``sleep``, so tests run in no time.
Only conflicts are retried: any other failure is real and goes straight to the rollback.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from rollout.errors import DriverError

T = TypeVar("T")
RETRYABLE_CODES = frozenset({"RequestConflict"})


@dataclass(frozen=True)
class BackoffPolicy:
    """Exponential backoff: ``initial_s * factor**n`` capped at ``max_s``, for ``retries`` retries."""

    retries: int = 6
    initial_s: float = 5.0
    factor: float = 2.0
    max_s: float = 60.0

    def delays(self) -> Iterator[float]:
        delay = self.initial_s
        for _ in range(self.retries):
            yield min(delay, self.max_s)
            delay *= self.factor


def is_retryable(error: DriverError) -> bool:
    return error.code in RETRYABLE_CODES


def retry_conflicts(
    operation: Callable[[], T],
    policy: BackoffPolicy,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[DriverError, float, int], None] | None = None,
) -> T:
    """Run ``operation``; on a retryable :class:`DriverError` wait and try again, up to the policy's limit."""
    delays = policy.delays()
    attempt = 1
    while True:
        try:
            return operation()
        except DriverError as exc:
            if not is_retryable(exc):
                raise
            delay = next(delays, None)
            if delay is None:
                raise
            if on_retry is not None:
                on_retry(exc, delay, attempt)
            sleep(delay)
            attempt += 1
