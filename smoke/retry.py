"""When to retry a request and how long to wait: pure, so every branch is tested without a clock.

Transient failures (408, 409, 429, 5xx, timeouts, connection resets) are retried until the check's time
budget (``deadline_s``) runs out, not after a fixed number of attempts: a deployment answering 30 % 429s
and 20 % timeouts is healthy and must pass. The wait is ``retry-after-ms``, else ``retry-after``, when it
is in (0, max_server_wait]; otherwise exponential backoff with jitter (Learn, "Azure OpenAI quotas and
limits": honour ``retry-after-ms`` / ``retry-after`` on 429s; https://learn.microsoft.com/azure/ai-foundry/
openai/quotas-limits). What cannot heal by waiting (TLS and DNS failures, 400, 401, 403, the content filter)
is never retried; ``DeploymentNotFound`` is retried only inside its own window (a fresh deployment 404s for
minutes).

The default budget, 720 s, is six default request timeouts (120 s): with 30 % 429s and 20 % timeouts a
check fails only when five or six attempts time out before one succeeds (about 0.1 % of checks; five
timeouts' worth, 600 s, gave 1 false failure per 100 two-check runs in benchmarks/bench_retry.py).

Two rules stop sooner, with the evidence, when waiting is plainly not going to help:

- **Only failures for the give-up window** (``give_up_after_s``, default 60 s, well under the budget): a
  check whose every attempt was a transient failure, for at least that long and at least
  ``give_up_min_attempts`` (12) attempts, stops: "answered 503 to all 13 attempts in 63 s". The attempt
  floor keeps a healthy but flaky deployment passing: with half of all attempts failing (30 % 429s +
  20 % timeouts) twelve failures in a row happen in 0.02 % of checks, and one 120 s timeout alone outlasts
  the window. So an always-503 candidate is rolled back in about two minutes, not two budgets (24 min).
- **Nothing listens on loopback**: a refused connection to 127.0.0.1 / localhost (the emulator) stops once
  the refusals outlast ``refused_grace_s`` (5 s, time for a starting emulator to listen). A refused
  connection elsewhere is retried like any other transient failure, host and port named.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

RETRYABLE_STATUS = frozenset({408, 409, 429})
DEFAULT_BUDGET_S = 720.0
DEFAULT_GIVE_UP_AFTER_S = 60.0  # the one default of --give-up-after (smoke.request.Pacing reads it)
GIVE_UP_MIN_ATTEMPTS = 12  # ...and at least this many failed attempts (see the module docstring)
# What an attempt of a check saw, as the give-up rule counts it: an HTTP status ("503"), or one of these.
TIMED_OUT, NO_CONNECTION = "timeout", "connection"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int | None = None  # None: as many as the time budget allows
    deadline_s: float = DEFAULT_BUDGET_S
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 8.0
    max_server_wait_s: float = 120.0
    not_found_wait_s: float = 0.0
    not_found_interval_s: float = 10.0
    # Only transient failures for this long (and at least give_up_min_attempts of them): stop.
    give_up_after_s: float = DEFAULT_GIVE_UP_AFTER_S
    give_up_min_attempts: int = GIVE_UP_MIN_ATTEMPTS
    refused_grace_s: float = 5.0  # connection refused on loopback for this long: nothing listens


@dataclass(frozen=True)
class RetryDecision:
    retry: bool
    wait_s: float
    reason: str  # a short, stable code of the rule that decided
    why: str = ""  # the same for a person: shown while waiting
    evidence: str = ""  # why the check stopped before its budget, for the failure message


def seen(status: int | None, *, timed_out: bool = False, connection_error: bool = False) -> str | None:
    """What one attempt saw, as the give-up rule counts it: a transient failure's label, else None."""
    if timed_out:
        return TIMED_OUT
    if connection_error:
        return NO_CONNECTION
    if status is not None and (status in RETRYABLE_STATUS or status >= 500):
        return str(status)
    return None


def evidence(labels: Sequence[str], elapsed_s: float, peer: str = "") -> str:
    """``answered 503 to all 14 attempts in 90 s``; a mix: ``answered 503 to 9 and timed out on 5 of 14
    attempts in 90 s``. ``labels`` are :func:`seen` labels, every one a failure."""
    counts = Counter(labels)
    total = len(labels)
    every = len(counts) == 1
    where = f" to {peer}" if peer else ""
    statuses = [(label, n) for label, n in counts.items() if label.isdigit()]
    parts = []
    if statuses:
        if every:
            parts.append(f"answered {statuses[0][0]} to")
        else:
            parts.append("answered " + " and ".join(f"{label} to {n}" for label, n in statuses))
    for label, verb in ((TIMED_OUT, "timed out on"), (NO_CONNECTION, f"could not connect{where} on")):
        if label in counts:
            parts.append(verb if every else f"{verb} {counts[label]}")
    plural = "attempt" if total == 1 else "attempts"
    if every:
        count = f"all {total} {plural}" if total > 1 else f"{total} {plural}"
        return f"{parts[0]} {count} in {elapsed_s:.0f} s"
    return f"{' and '.join(parts)} of {total} {plural} in {elapsed_s:.0f} s"


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


def _what_failed(status: int | None, timed_out: bool, refused: bool, peer: str) -> str:
    if timed_out:
        return "the request timed out"
    where = f" to {peer}" if peer else ""
    if refused:
        return f"the connection{where} was refused"
    if status is None:
        return f"the connection{where} failed"
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
    history: Sequence[str | None] = (),
    refused: bool = False,
    loopback: bool = False,
    peer: str = "",
) -> RetryDecision:
    """Decide after attempt number ``attempt`` (1-based) that ended ``elapsed_s`` after the check began.

    ``history`` is what the check's earlier attempts saw (:func:`seen`); ``refused`` says the connection
    was refused, ``loopback`` that the endpoint is on this machine, ``peer`` is its ``host:port``.
    """
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
    now = seen(status, timed_out=timed_out, connection_error=connection_error or refused)
    if now is None:
        return RetryDecision(False, 0.0, "not retryable")
    labels = [*history, now]
    only_failures: list[str] | None = [x for x in labels if x is not None]
    if only_failures is not None and len(only_failures) < len(labels):
        only_failures = None  # a real answer was seen: the deployment is there
    if policy.max_attempts is not None and attempt >= policy.max_attempts:
        return RetryDecision(False, 0.0, "attempts exhausted")
    asked = server_wait(headers or {})
    if asked is not None and asked > policy.max_server_wait_s:
        return RetryDecision(False, 0.0, "server asked for a longer wait than allowed")
    wait = asked if asked is not None and asked > 0 else backoff(attempt, policy, rng)
    if refused and loopback and elapsed_s + wait > policy.refused_grace_s:
        return RetryDecision(False, 0.0, "nothing listens on loopback")
    if (
        only_failures is not None
        and elapsed_s >= policy.give_up_after_s
        and len(only_failures) >= policy.give_up_min_attempts
    ):
        why = (
            f"Gave up: {evidence(only_failures, elapsed_s, peer)}, only failures for at least "
            f"--give-up-after {policy.give_up_after_s:g} s (of the {policy.deadline_s:g} s check budget)."
        )
        return RetryDecision(False, 0.0, "only failures for the give-up window", evidence=why)
    if elapsed_s + wait >= policy.deadline_s:
        why = ""
        if only_failures is not None:
            seen_all = evidence(only_failures, elapsed_s, peer)
            why = f"Stopped short of the {policy.deadline_s:g} s check budget: {seen_all}."
        return RetryDecision(False, 0.0, "check deadline reached", evidence=why)
    failed = _what_failed(status, timed_out, refused, peer)
    if only_failures is not None:
        budget = (
            f"{evidence(only_failures, elapsed_s)} so far; giving up after {policy.give_up_after_s:g} s "
            f"of only failures, {policy.deadline_s:g} s check budget"
        )
    else:
        budget = f"attempt {attempt}, {elapsed_s:.0f} s of the {policy.deadline_s:g} s check budget used"
    if asked:
        why = f"{failed}; the service asked for {wait:g} s ({budget})"
        return RetryDecision(True, wait, "server asked", why)
    return RetryDecision(True, wait, "backoff", f"{failed}; backing off {wait:.1f} s ({budget})")
