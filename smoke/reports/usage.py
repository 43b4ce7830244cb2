"""Usage and latency totals the reports show: tokens per deployment and per run, p95 latency, and an
estimated price of the images made, from the list price per image the model catalog cites with its source
and month (``catalog.ListPrice``: OpenAI's; Azure publishes none). Never a guessed price: an image whose
size or quality has no list price is counted, not priced."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from catalog import ListPrice
from smoke.results import CheckResult


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


def usage_of(results: Iterable[CheckResult]) -> Usage:
    listed = list(results)
    return Usage(
        sum(_tokens(r, "input_tokens") for r in listed), sum(_tokens(r, "output_tokens") for r in listed)
    )


@dataclass(frozen=True)
class PriceEstimate:
    """What the images of some checks would cost at a list price: ``images`` priced, ``unpriced`` not."""

    cost: float
    images: Counter[str]  # quality -> images priced at it
    unpriced: Counter[str]  # "1536x1024 high" -> images the list price does not cover
    price: ListPrice

    def text(self) -> str:
        """``$0.018 for 2 low images``; images without a list price are named, never guessed."""
        made = sum(self.images.values())
        if not made and not self.unpriced:
            return f"{_money(0.0, self.price.currency)} (no images made)"
        parts = []
        if made:
            priced = ", ".join(f"{n} {quality}" for quality, n in self.images.items())
            plural = "" if made == 1 else "s"
            parts.append(f"{_money(self.cost, self.price.currency)} for {priced} image{plural}")
        for what, n in self.unpriced.items():
            parts.append(f"no list price for {n} image{'' if n == 1 else 's'} at {what}")
        return "; ".join(parts)


def _money(value: float, currency: str) -> str:
    return f"${value:.3f}" if currency == "USD" else f"{value:.3f} {currency}"


def _quality(result: CheckResult) -> str | None:
    params = result.request.params if result.request is not None else {}
    quality = params.get("quality")
    return quality if isinstance(quality, str) else None


def estimate(results: Iterable[CheckResult], price: ListPrice) -> PriceEstimate:
    """The images ``results`` made, priced one by one at ``price`` (its size and qualities only)."""
    images: Counter[str] = Counter()
    unpriced: Counter[str] = Counter()
    cost = 0.0
    for result in results:
        quality = _quality(result)
        for image in result.images:
            size = f"{image.width}x{image.height}"
            if quality is not None and size == price.size and quality in price.per_image:
                images[quality] += 1
                cost += price.per_image[quality]
            else:
                unpriced[f"{size} {quality or 'unknown quality'}"] += 1
    return PriceEstimate(cost, images, unpriced, price)


def price_heading(prices: Sequence[ListPrice]) -> str:
    """``est. price (OpenAI list, Dec 2026)``: whose list price, and when it was quoted."""
    quoted = dict.fromkeys(f"{p.publisher} list, {_month(p.as_of)}" for p in prices)
    return f"est. price ({'; '.join(quoted)})"


def _month(as_of: str) -> str:
    try:
        return datetime.strptime(as_of, "%Y-%m").strftime("%b %Y")
    except ValueError:
        return as_of


def catalog_prices(catalog_path: str | None = None) -> dict[str, ListPrice]:
    """Model -> list price from the model catalog (``IMAGEGATE_CATALOG`` or the packaged one); a catalog
    that cannot be read gives none, so a report is still written (without the price column)."""
    from catalog import CatalogError, load_catalog

    try:
        models = load_catalog(catalog_path).models
    except CatalogError:
        return {}
    return {name: model.list_price for name, model in models.items() if model.list_price is not None}
