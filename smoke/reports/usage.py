"""Usage and latency totals the reports show: tokens per deployment and per run, p95 latency, and an
estimated price only where the catalog holds a cited one (never a guessed price)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from smoke.results import CheckResult
from smoke.suite.capabilities import TokenPrice


def p95(values: Iterable[float]) -> float | None:
    """Nearest-rank 95th percentile (with a handful of cases, the slowest but one or two)."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def latencies(results: Iterable[CheckResult]) -> list[float]:
    """Latency of every answered request that decided a check (no answer, no latency)."""
    return [r.latency_s for r in results if r.latency_s is not None and r.attempts[-1].status is not None]


def _tokens(result: CheckResult, key: str) -> int:
    usage = result.details.get("usage")
    value = usage.get(key) if isinstance(usage, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def price(self, price: TokenPrice | None) -> float | None:
        if price is None:
            return None
        return (
            self.input_tokens * price.input_per_million + self.output_tokens * price.output_per_million
        ) / 1_000_000


def usage_of(results: Iterable[CheckResult]) -> Usage:
    listed = list(results)
    return Usage(
        sum(_tokens(r, "input_tokens") for r in listed), sum(_tokens(r, "output_tokens") for r in listed)
    )


def price_text(usage: Usage, price: TokenPrice | None) -> str:
    cost = usage.price(price)
    if cost is None or price is None:
        return "no cited price in the catalog"
    return f"about {cost:.4f} {price.currency} (catalog price, source: {price.source})"
