"""What `imagegate local up|preview|destroy` ask for, as one frozen object (every default lives here)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EMULATOR_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
DEFAULT_CONFLICT_WAIT_S = 0.2


@dataclass(frozen=True)
class LocalRequest:
    """Which stack, which ARM endpoint (the emulator's), and how to talk to it."""

    arm_endpoint: str
    stack: str | None = None
    config_path: Path | None = None
    ca_bundle: str | None = None
    subscription_id: str = EMULATOR_SUBSCRIPTION
    quiet: bool = False
    conflict_wait_s: float = DEFAULT_CONFLICT_WAIT_S
