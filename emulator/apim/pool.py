"""Backend pools and circuit breakers as Learn's "Backends in API Management" page documents them.

Pure state machines on an injected clock and random source (no HTTP): ``Breaker`` counts failures whose
status falls in the rule's ranges within its interval and, at the rule's count, opens for the trip duration,
or for the backend's Retry-After when ``acceptRetryAfter`` (capped). ``choose`` picks a pool member: the
members of the best (lowest) priority that has any closed breaker, by weight within that group.
"""

from __future__ import annotations

import math
import random
import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def iso_seconds(value: Any, default: float) -> float:
    """An ISO 8601 duration such as ``PT1M`` in seconds; ``default`` when absent or not one."""
    match = _DURATION.match(str(value or "")) if value else None
    if match is None or not any(match.groups()):
        return default
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


@dataclass(frozen=True)
class BreakerRule:
    count: int = 1
    interval_seconds: float = 60.0
    trip_seconds: float = 60.0
    accept_retry_after: bool = False
    ranges: tuple[tuple[int, int], ...] = ()

    def matches(self, status: int) -> bool:
        return any(low <= status <= high for low, high in self.ranges)


def breaker_rule(backend_properties: dict[str, Any]) -> BreakerRule | None:
    """The first rule of a backend's ``circuitBreaker`` (APIM allows one), or None."""
    rules = ((backend_properties.get("circuitBreaker") or {}).get("rules")) or []
    if not rules or not isinstance(rules[0], dict):
        return None
    rule = rules[0]
    condition = rule.get("failureCondition") or {}
    ranges = tuple(
        (int(r.get("min") or 0), int(r.get("max") or r.get("min") or 0))
        for r in condition.get("statusCodeRanges") or []
        if isinstance(r, dict)
    )
    return BreakerRule(
        count=max(1, int(condition.get("count") or 1)),
        interval_seconds=iso_seconds(condition.get("interval"), 60.0),
        trip_seconds=iso_seconds(rule.get("tripDuration"), 60.0),
        accept_retry_after=rule.get("acceptRetryAfter") is True,
        ranges=ranges,
    )


@dataclass
class Breaker:
    rule: BreakerRule
    failures: deque[float] = field(default_factory=deque)
    open_until: float = 0.0

    def is_open(self, now: float) -> bool:
        return now < self.open_until

    def remaining(self, now: float) -> float:
        return max(0.0, self.open_until - now)

    def record(self, status: int, retry_after: float | None, now: float, cap: float) -> None:
        """Count one backend answer; a failure that reaches the count opens the breaker."""
        if not self.rule.matches(status):
            return
        self.failures.append(now)
        while self.failures and self.failures[0] <= now - self.rule.interval_seconds:
            self.failures.popleft()
        if len(self.failures) >= self.rule.count:
            trip = self.rule.trip_seconds
            if self.rule.accept_retry_after and retry_after is not None:
                trip = min(retry_after, cap)
            self.open_until = max(self.open_until, now + trip)
            self.failures.clear()


@dataclass(frozen=True)
class Member:
    backend_id: str  # lower-case backend name in the service
    priority: int
    weight: int


def pool_members(pool_properties: dict[str, Any]) -> tuple[Member, ...]:
    members = []
    for item in ((pool_properties.get("pool") or {}).get("services")) or []:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        name = item["id"].rstrip("/").rsplit("/", 1)[-1].lower()
        priority = item.get("priority")
        weight = item.get("weight")
        members.append(
            Member(
                name,
                int(priority) if isinstance(priority, int) else 0,
                int(weight) if isinstance(weight, int) else 1,
            )
        )
    return tuple(members)


def choose(members: Sequence[Member], is_open: Callable[[str], bool], rng: random.Random) -> Member | None:
    """The member to send to, or None when every member's breaker is open."""
    for priority in sorted({m.priority for m in members}):
        group = [m for m in members if m.priority == priority and not is_open(m.backend_id)]
        if not group:
            continue
        weights = [max(0, m.weight) for m in group]
        if sum(weights) == 0:
            weights = [1] * len(group)
        return rng.choices(group, weights=weights, k=1)[0]
    return None


def retry_after_seconds(headers: dict[str, str]) -> float | None:
    """A backend's Retry-After (``retry-after-ms`` when present, as Azure OpenAI sends both)."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def header_seconds(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
