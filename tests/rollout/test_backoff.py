from __future__ import annotations

import pytest

from rollout.backoff import BackoffPolicy, retry_conflicts
from rollout.errors import DriverError


def test_delays_grow_and_cap() -> None:
    assert list(BackoffPolicy(retries=5, initial_s=1, factor=3, max_s=10).delays()) == [1, 3, 9, 10, 10]


def flaky(failures: list[DriverError]):
    calls = []

    def operation() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "done"

    return operation, calls


def test_conflicts_are_retried_with_the_policy_delays() -> None:
    conflict = DriverError("busy", code="RequestConflict")
    operation, calls = flaky([conflict, conflict])
    slept: list[float] = []
    retries: list[int] = []
    result = retry_conflicts(
        operation,
        BackoffPolicy(retries=3, initial_s=2, factor=2),
        slept.append,
        on_retry=lambda exc, delay, attempt: retries.append(attempt),
    )
    assert (result, len(calls), slept, retries) == ("done", 3, [2, 4], [1, 2])


def test_gives_up_after_the_last_retry() -> None:
    operation, calls = flaky([DriverError("busy", code="RequestConflict")] * 5)
    slept: list[float] = []
    with pytest.raises(DriverError, match="busy"):
        retry_conflicts(operation, BackoffPolicy(retries=2, initial_s=1), slept.append)
    assert len(calls) == 3 and slept == [1, 2]


def test_other_errors_are_not_retried() -> None:
    operation, calls = flaky([DriverError("no quota", code="InsufficientQuota")])
    slept: list[float] = []
    with pytest.raises(DriverError, match="no quota"):
        retry_conflicts(operation, BackoffPolicy(), slept.append)
    assert len(calls) == 1 and slept == []
