"""A prompt suite as data: the cases a team proved in the Playground and what each must keep doing.

Frozen and already validated (``smoke.suite.loader`` builds it, listing every problem of a file at once);
edit inputs are read into bytes at load time, so a run never touches the suite's folder again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

Route = Literal["generate", "edit"]


class Outcome(StrEnum):
    """What the case expects from the service."""

    SUCCESS = "success"
    CONTENT_FILTER = "content_filter"


@dataclass(frozen=True)
class Expect:
    outcome: Outcome = Outcome.SUCCESS
    # None: follow the request (output_format, size unless auto, n).
    format: str | None = None
    size: str | None = None
    count: int | None = None
    max_outside_mask_change: float | None = None
    max_latency_seconds: float | None = None


@dataclass(frozen=True)
class InputFile:
    """An edit input read from the suite's folder: its path as written and its bytes."""

    path: str
    data: bytes = field(repr=False)
    format: str = "png"
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class Case:
    id: str
    route: Route
    prompt: str
    # The request parameters exactly as the app sends them (size, quality, n, output_format,
    # output_compression, background, input_fidelity), defaults already applied.
    params: Mapping[str, object]
    expect: Expect = Expect()
    images: tuple[InputFile, ...] = ()
    mask: InputFile | None = None

    @property
    def n(self) -> int:
        value = self.params.get("n", 1)
        return value if isinstance(value, int) else 1

    @property
    def output_format(self) -> str:
        return str(self.params.get("output_format", "png"))

    @property
    def size(self) -> str:
        return str(self.params.get("size", "auto"))

    def expected(self) -> dict[str, object]:
        """The expectation with the request's defaults filled in, as the report shows it."""
        e = self.expect
        out: dict[str, object] = {"outcome": e.outcome.value}
        if e.outcome is Outcome.SUCCESS:
            size = e.size or (self.size if self.size != "auto" else None)
            out.update(format=e.format or self.output_format, count=e.count or self.n)
            if size:
                out["size"] = size
            if e.max_outside_mask_change is not None:
                out["max_outside_mask_change"] = e.max_outside_mask_change
        if e.max_latency_seconds is not None:
            out["max_latency_seconds"] = e.max_latency_seconds
        return out


@dataclass(frozen=True)
class Suite:
    name: str
    cases: tuple[Case, ...]
    description: str = ""
    # Also run the keyless probe (a key request must be refused) where the outputs say localAuthDisabled.
    keyless: bool = False
    source: Path | None = None

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(dict.fromkeys(c.route for c in self.cases))
