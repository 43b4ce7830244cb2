"""What a smoke run produces: frozen records of every check, attempt and image.

These are the data every report writer reads and the library API returns (``SmokeReport``);
they hold no secrets by construction (no headers, no credentials - only request ids).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

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


@dataclass(frozen=True)
class ImageArtifact:
    index: int
    format: str
    width: int
    height: int
    data: bytes = field(repr=False)


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

    @property
    def latency_s(self) -> float | None:
        """Latency of the attempt that decided the check (the last one)."""
        return self.attempts[-1].latency_s if self.attempts else None

    @property
    def request_ids(self) -> tuple[str, ...]:
        return tuple(a.request_id for a in self.attempts if a.request_id)


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

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in CheckStatus}
        for c in self.checks:
            out[c.status.value] += 1
        return out
