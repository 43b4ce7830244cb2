"""When to retry a request and how long to wait: pure, so every branch is tested without a clock.

Transient failures (408, 409, 429, 5xx, timeouts, connection resets) are retried until the check's time
budget (``deadline_s``) runs out, not after a fixed number of attempts: a deployment answering 30 % 429s
and 20 % timeouts is healthy and must pass. The wait is ``retry-after-ms``, else ``retry-after``, when it
is in (0, max_server_wait]; otherwise exponential backoff with jitter (as the openai SDK's
_base_client.py retries).
What cannot heal by waiting (TLS and DNS failures, 400, 401, 403, the content filter) is never retried;
``DeploymentNotFound`` is retried only inside its own window (a fresh deployment 404s for minutes).

The default budget, 720 s, is six default request timeouts (120 s): with 30 % 429s and 20 % timeouts a
check fails only when five or six attempts time out before one succeeds (about 0.1 % of checks; five
timeouts' worth, 600 s, gave 1 false failure per 100 two-check runs in benchmarks/bench_retry.py).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

RETRYABLE_STATUS = frozenset({408, 409, 429})
DEFAULT_BUDGET_S = 720.0


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int | None = None  # None: as many as the time budget allows
    deadline_s: float = DEFAULT_BUDGET_S
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 8.0
    max_server_wait_s: float = 120.0
    not_found_wait_s: float = 0.0
    not_found_interval_s: float = 10.0


@dataclass(frozen=True)
class RetryDecision:
    retry: bool
    wait_s: float
    reason: str  # a short, stable code of the rule that decided
    why: str = ""  # the same for a person: shown while waiting


def server_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asked us to wait: ``retry-after-ms`` first, then ``retry-after`` (seconds)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = lowered.get(name)
        if raw is None:
            continue
        try:
            value = float(raw) * scale
        except ValueError:
            continue
        if value >= 0:
            return value
    return None


def backoff(attempt: int, policy: RetryPolicy, rng: random.Random | None = None) -> float:
    """Exponential backoff for ``attempt`` (1-based) with up to 25 % jitter subtracted."""
    base = min(policy.backoff_initial_s * (2 ** (attempt - 1)), policy.backoff_max_s)
    jitter = (rng or random).random() * 0.25
    return base * (1 - jitter)


def _what_failed(status: int | None, timed_out: bool) -> str:
    if timed_out:
        return "the request timed out"
    if status is None:
        return "the connection failed"
    if status == 429:
        return "rate limited (HTTP 429)"
    return f"HTTP {status}"


def decide(
    *,
    attempt: int,
    elapsed_s: float,
    status: int | None,
    timed_out: bool = False,
    connection_error: bool = False,
    not_found: bool = False,
    headers: Mapping[str, str] | None = None,
    policy: RetryPolicy,
    rng: random.Random | None = None,
) -> RetryDecision:
    """Decide after attempt number ``attempt`` (1-based) that ended ``elapsed_s`` after the check began."""
    if not_found:
        # The check budget bounds this window too: --check-timeout is the most one check may take.
        window = min(policy.not_found_wait_s, policy.deadline_s)
        if elapsed_s + policy.not_found_interval_s > window:
            return RetryDecision(False, 0.0, "deployment not found after the not-found window")
        why = (
            f"DeploymentNotFound: a new deployment can take minutes to serve "
            f"(--not-found-wait {window:g} s, {elapsed_s:.0f} s used)"
        )
        return RetryDecision(True, policy.not_found_interval_s, "deployment not found yet", why)
    transient = (
        timed_out or connection_error or status in RETRYABLE_STATUS or (status is not None and status >= 500)
    )
    if not transient:
        return RetryDecision(False, 0.0, "not retryable")
    if policy.max_attempts is not None and attempt >= policy.max_attempts:
        return RetryDecision(False, 0.0, "attempts exhausted")
    asked = server_wait(headers or {})
    if asked is not None and asked > policy.max_server_wait_s:
        return RetryDecision(False, 0.0, "server asked for a longer wait than allowed")
    wait = asked if asked is not None and asked > 0 else backoff(attempt, policy, rng)
    if elapsed_s + wait >= policy.deadline_s:
        return RetryDecision(False, 0.0, "check deadline reached")
    failed = _what_failed(status, timed_out)
    budget = f"attempt {attempt}, {elapsed_s:.0f} s of the {policy.deadline_s:g} s check budget used"
    if asked:
        why = f"{failed}; the service asked for {wait:g} s ({budget})"
        return RetryDecision(True, wait, "server asked", why)
    return RetryDecision(True, wait, "backoff", f"{failed}; backing off {wait:.1f} s ({budget})")
