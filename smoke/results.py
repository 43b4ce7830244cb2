"""What a smoke run produces: frozen records of every check, attempt and image.

These are the data every report writer reads and the library API returns (``SmokeReport``);
they hold no secrets by construction (no headers, no credentials - only request ids).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from smoke.targets import Target


class FailureKind(StrEnum):
    """Why a check failed; each kind has its own message and hint (see ``smoke.classify``)."""

    AUTH = "auth"
    LOCAL_AUTH_DISABLED = "local_auth_disabled"
    DEPLOYMENT_NOT_FOUND = "deployment_not_found"
    API_VERSION = "api_version_rejected"
    THROTTLED = "throttled"
    CONTENT_FILTER = "content_filter"
    RESOURCE_BLOCKED = "resource_blocked"
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    CONNECTION = "connection_error"
    TLS = "tls_error"
    DNS = "dns_error"
    BAD_REQUEST = "bad_request"
    INVALID_RESPONSE = "invalid_response"
    KEYLESS_VIOLATED = "local_auth_enabled"
    # A prompt-suite case whose expectation did not hold although the service answered as designed.
    NOT_REFUSED = "not_refused"
    OVER_LATENCY_BUDGET = "over_latency_budget"
    # The failover check: the alias did not keep serving from the other members while one was throttled.
    FAILOVER = "failover_failed"


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    message: str
    hint: str
    status: int | None = None
    code: str | None = None


@dataclass(frozen=True)
class Attempt:
    """One HTTP request of a check. ``outcome`` is ``ok`` or a FailureKind value."""

    number: int
    started_at: float
    latency_s: float
    status: int | None
    request_id: str | None
    outcome: str
    wait_s: float = 0.0
    # The ids Azure returned (apim-request-id, x-request-id, x-ms-client-request-id, x-ms-region), kept so
    # a support ticket can cite whichever the service logs; never a header that could hold a secret.
    ids: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ImageArtifact:
    index: int
    format: str
    width: int
    height: int
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class RequestRecord:
    """What a check sent, for the report: the route, the parameters and the input images and mask."""

    route: Literal["generate", "edit"]
    params: Mapping[str, object] = field(default_factory=dict)
    inputs: tuple[ImageArtifact, ...] = ()
    mask: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CheckResult:
    target: Target
    check: str
    status: CheckStatus
    failure: Failure | None = None
    attempts: tuple[Attempt, ...] = ()
    prompt: str | None = None
    images: tuple[ImageArtifact, ...] = ()
    details: dict[str, object] = field(default_factory=dict)
    skip_reason: str | None = None
    request: RequestRecord | None = None
    # What the check required (prompt-suite expectations: outcome, format, size, count, budgets).
    expected: Mapping[str, object] = field(default_factory=dict)

    @property
    def latency_s(self) -> float | None:
        """Latency of the attempt that decided the check (the last one)."""
        return self.attempts[-1].latency_s if self.attempts else None

    @property
    def served_region(self) -> str | None:
        """The region that answered the deciding attempt (its ``x-ms-region``), when the answer said it."""
        return dict(self.attempts[-1].ids).get("x-ms-region") if self.attempts else None

    @property
    def served_by(self) -> str | None:
        """Which region served a gateway call, as every report says it; None for a direct target.

        A check through an alias: ``served by westus3``; the failover check: the throttled region and the
        regions that served its calls (``eastus2 throttled (429); 4 of 4 calls served by westus3 x4``).
        """
        if not self.target.through_gateway:
            return None
        regions = self.details.get("servedRegions")
        if self.check == "failover" and isinstance(regions, Mapping):
            counts = ", ".join(f"{region} x{count}" for region, count in regions.items())
            calls, failed = self.details.get("calls"), self.details.get("failedCalls")
            ok = calls - failed if isinstance(calls, int) and isinstance(failed, int) else "?"
            throttled = self.details.get("throttledRegion")
            return f"{throttled} throttled (429); {ok} of {calls} calls served, by {counts}"
        return f"served by {self.served_region}" if self.served_region else None

    @property
    def request_ids(self) -> tuple[str, ...]:
        return tuple(a.request_id for a in self.attempts if a.request_id)

    @property
    def usage_tokens(self) -> int | None:
        """``usage.total_tokens`` of the response that decided the check, when it carried one."""
        usage = self.details.get("usage")
        total = usage.get("total_tokens") if isinstance(usage, Mapping) else None
        return total if isinstance(total, int) and not isinstance(total, bool) else None


@dataclass(frozen=True)
class SmokeReport:
    started_at: float
    finished_at: float
    checks: tuple[CheckResult, ...]
    # The signal ("SIGINT", "SIGTERM") that stopped the run early; ``checks`` then holds the finished ones.
    interrupted: str | None = None
    planned: int | None = None  # how many checks the run set out to do

    @property
    def passed(self) -> bool:
        """True when no check failed (skipped checks do not fail a run) and the run was not interrupted."""
        return self.interrupted is None and all(c.status is not CheckStatus.FAILED for c in self.checks)

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if c.status is CheckStatus.FAILED)

    @property
    def usage_tokens(self) -> int:
        return sum(c.usage_tokens or 0 for c in self.checks)

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in CheckStatus}
        for c in self.checks:
            out[c.status.value] += 1
        return out
