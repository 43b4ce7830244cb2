"""What a rollout command asks for, as one frozen object the library takes (no option dicts).

Every default lives here; the command layer builds a :class:`RolloutRequest` from its options and mypy
checks every field use from there on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Mode = Literal["plan", "run", "abort"]
DriverName = Literal["pulumi", "local"]
AuthMode = Literal["entra", "key", "emulator"]

DEFAULT_DRIVER: DriverName = "pulumi"
DEFAULT_AUTH: AuthMode = "entra"
DEFAULT_API_KEY_ENV = "AZURE_OPENAI_API_KEY"
DEFAULT_CONFLICT_RETRIES = 6
DEFAULT_CONFLICT_WAIT_S = 5.0
# The candidate's p95 latency may be at most this many times the stable's (and is only held against it when
# it is also more than DEFAULT_MIN_LATENCY_DELTA_S slower: a few milliseconds on the emulator never count).
DEFAULT_MAX_LATENCY_RATIO = 1.5
DEFAULT_MIN_LATENCY_DELTA_S = 1.0
# A bake by requests waits at most this long for the traffic before the gate says "not enough".
DEFAULT_BAKE_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class RolloutRequest:
    """One `imagegate rollout plan|run|abort` invocation."""

    mode: Mode
    stack: str | None = None
    config: Path | None = None
    to: str | None = None
    deployment: str | None = None
    capacity: int | None = None
    new_deployment: str | None = None
    retire_old: bool = False
    driver: DriverName = DEFAULT_DRIVER
    arm_endpoint: str | None = None
    ca_bundle: str | None = None
    subscription_id: str | None = None
    auth: AuthMode = DEFAULT_AUTH
    api_key_env: str = DEFAULT_API_KEY_ENV
    skip_preflight: bool = False
    journal_dir: Path | None = None
    catalog: str | None = None
    conflict_retries: int = DEFAULT_CONFLICT_RETRIES
    conflict_wait: float = DEFAULT_CONFLICT_WAIT_S
    json_path: Path | None = None
    junit_path: Path | None = None
    verbose: bool = False
    suite: Path | None = None
    max_latency_ratio: float = DEFAULT_MAX_LATENCY_RATIO
    min_latency_delta: float = DEFAULT_MIN_LATENCY_DELTA_S
    html_path: Path | None = None
    summary_md: Path | None = None
    # The smoke steps' time budgets per check (None: smoke's own defaults, as `smoke run` has them).
    check_timeout: float | None = None
    not_found_wait: float | None = None
    give_up_after: float | None = None
    # A weighted canary on a stack with a gateway (docs/traffic-rollouts.md); None: the defaults there.
    weights: str | None = None
    bake: float | None = None
    bake_requests: int | None = None
    bake_timeout: float = DEFAULT_BAKE_TIMEOUT_S

    @property
    def dry_run(self) -> bool:
        return self.mode == "plan"

    @property
    def abort(self) -> bool:
        return self.mode == "abort"
