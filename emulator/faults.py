"""Per-deployment faults: injected latency, 5xx shares, 429 storms, hangs, blocked resource, fresh-deployment
404s and filtered output. Set at start from the config file or at run time through ``/_emulator/faults``.

``parse_fault_spec`` validates the JSON spec (docs/CONTRACTS.md "Fault spec"); ``FaultStore.draw`` decides,
for one request, what happens to it. The store is only touched from the server's event loop.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from emulator.errors import EmulatorError, deployment_not_found, resource_blocked, server_error

_KEYS = {
    "latencyMs",
    "latencyJitterMs",
    "errorRate",
    "errorStatus",
    "throttle",
    "throttleRate",
    "hangRate",
    "hang",
    "hangSeconds",
    "blocked",
    "notFoundForSeconds",
    "contentFilterOutput",
}


class FaultSpecError(EmulatorError):
    def __init__(self, message: str) -> None:
        super().__init__(400, "InvalidFaultSpec", message)


@dataclass(frozen=True)
class Throttle:
    count: int
    retry_after_ms: int = 1000


@dataclass(frozen=True)
class FaultSpec:
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    error_rate: float = 0.0
    error_status: int = 500
    throttle: Throttle | None = None
    throttle_rate: float = 0.0  # share of requests answered 429 (retry-after from throttle, else 1 s)
    hang_rate: float = 0.0  # share of requests held for hangSeconds (clients time out)
    hang: bool = False
    hang_seconds: float = 30.0
    blocked: bool = False
    not_found_for_seconds: float = 0.0
    content_filter_output: bool = False

    def to_json(self) -> dict[str, Any]:
        raw = asdict(self)
        throttle = raw.pop("throttle")
        out = {_camel(k): v for k, v in raw.items()}
        out["throttle"] = (
            {"count": throttle["count"], "retryAfterMs": throttle["retry_after_ms"]} if throttle else None
        )
        return out


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _number(raw: Mapping[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise FaultSpecError(f"Fault '{key}' must be a number from {low:g} to {high:g}, not {value!r}.")
    return float(value)


def _flag(raw: Mapping[str, Any], key: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise FaultSpecError(f"Fault '{key}' must be true or false, not {value!r}.")
    return value


def parse_fault_spec(raw: Any) -> FaultSpec:
    if not isinstance(raw, dict):
        raise FaultSpecError('A fault spec must be a JSON object such as {"errorRate": 0.5}.')
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise FaultSpecError(
            f"Unknown fault key(s) {', '.join(unknown)}; known keys: {', '.join(sorted(_KEYS))}."
        )
    status = raw.get("errorStatus", 500)
    if status not in (500, 502, 503, 504):
        raise FaultSpecError(f"Fault 'errorStatus' must be 500, 502, 503 or 504, not {status!r}.")
    throttle = None
    if raw.get("throttle") is not None:
        spec = raw["throttle"]
        if not isinstance(spec, dict):
            raise FaultSpecError(
                'Fault \'throttle\' must be an object such as {"count": 5, "retryAfterMs": 200}.'
            )
        throttle = Throttle(
            count=int(_number(spec, "count", 1, 0, 1_000_000)),
            # Azure OpenAI may ask for a wait of up to a day.
            retry_after_ms=int(_number(spec, "retryAfterMs", 1000, 1, 86_400_000)),
        )
    throttle_rate = _number(raw, "throttleRate", 0, 0, 1)
    hang_rate = _number(raw, "hangRate", 0, 0, 1)
    if throttle_rate + hang_rate > 1:
        raise FaultSpecError(
            f"Faults 'throttleRate' + 'hangRate' are shares of the same requests; their sum "
            f"{throttle_rate + hang_rate:g} must be at most 1."
        )
    return FaultSpec(
        throttle_rate=throttle_rate,
        hang_rate=hang_rate,
        latency_ms=_number(raw, "latencyMs", 0, 0, 600_000),
        latency_jitter_ms=_number(raw, "latencyJitterMs", 0, 0, 600_000),
        error_rate=_number(raw, "errorRate", 0, 0, 1),
        error_status=int(status),
        throttle=throttle,
        hang=_flag(raw, "hang"),
        hang_seconds=_number(raw, "hangSeconds", 30, 0, 3600),
        blocked=_flag(raw, "blocked"),
        not_found_for_seconds=_number(raw, "notFoundForSeconds", 0, 0, 86_400),
        content_filter_output=_flag(raw, "contentFilterOutput"),
    )


@dataclass(frozen=True)
class Outcome:
    """What the faults do to one request: wait ``delay`` s, maybe ``hang`` s, then fail with ``error``."""

    delay: float = 0.0
    hang: float = 0.0
    error: EmulatorError | None = None
    throttle_ms: int | None = None
    filter_output: bool = False


@dataclass
class _Entry:
    spec: FaultSpec
    throttles_left: int = field(default=0)


class FaultStore:
    def __init__(self, seed: int | None = None, clock: Callable[[], float] = time.time) -> None:
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._random = random.Random(seed)
        self._clock = clock

    def set(self, subdomain: str, deployment: str, spec: FaultSpec) -> None:
        self._entries[(subdomain, deployment)] = _Entry(spec, spec.throttle.count if spec.throttle else 0)

    def clear(self, subdomain: str | None = None, deployment: str | None = None) -> None:
        if subdomain is None:
            self._entries.clear()
        else:
            self._entries.pop((subdomain, deployment or ""), None)

    def get(self, subdomain: str, deployment: str) -> FaultSpec | None:
        entry = self._entries.get((subdomain, deployment))
        return entry.spec if entry else None

    def describe(self) -> list[dict[str, Any]]:
        return [
            {
                "subdomain": sub,
                "deployment": dep,
                "spec": entry.spec.to_json(),
                "throttlesLeft": entry.throttles_left,
            }
            for (sub, dep), entry in sorted(self._entries.items())
        ]

    def draw(self, subdomain: str, deployment: str, created_at: float) -> Outcome:
        entry = self._entries.get((subdomain, deployment))
        if entry is None:
            return Outcome()
        spec = entry.spec
        jitter = (
            self._random.uniform(-spec.latency_jitter_ms, spec.latency_jitter_ms)
            if spec.latency_jitter_ms
            else 0
        )
        delay = max(0.0, spec.latency_ms + jitter) / 1000
        if spec.not_found_for_seconds and self._clock() - created_at < spec.not_found_for_seconds:
            return Outcome(delay=delay, error=deployment_not_found())
        if spec.blocked:
            return Outcome(delay=delay, error=resource_blocked())
        if entry.throttles_left > 0 and spec.throttle is not None:
            entry.throttles_left -= 1
            return Outcome(delay=delay, throttle_ms=spec.throttle.retry_after_ms)
        if spec.error_rate and self._random.random() < spec.error_rate:
            return Outcome(delay=delay, error=server_error(spec.error_status))
        hang = spec.hang
        if spec.throttle_rate or spec.hang_rate:
            # One draw for both shares, so 0.3 and 0.2 mean exactly 30 % 429s and 20 % hangs.
            draw = self._random.random()
            if draw < spec.throttle_rate:
                retry_ms = spec.throttle.retry_after_ms if spec.throttle is not None else 1000
                return Outcome(delay=delay, throttle_ms=retry_ms)
            hang = hang or draw < spec.throttle_rate + spec.hang_rate
        return Outcome(
            delay=delay,
            hang=spec.hang_seconds if hang else 0.0,
            filter_output=spec.content_filter_output,
        )


def unknown_deployment_warning(subdomain: str, deployment: str, known: Iterable[str]) -> str | None:
    """The warning a fault on a deployment the account does not have gets; None when it has it.

    Not an error: a fault may be armed before its deployment exists (a rollout's candidate)."""
    known = sorted(known)
    if deployment in known:
        return None
    listed = ", ".join(f"{subdomain}/{name}" for name in known) or "none yet"
    return (
        f"{subdomain} has no deployment '{deployment}', so the fault waits until one is created under "
        f"that name; its deployments: {listed}."
    )
