"""Who the program believes it runs as (``getClientConfig``): the emulator's defaults. Cheap to import."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    """Who the program believes it runs as (``getClientConfig``); the emulator's defaults."""

    subscription_id: str
    tenant_id: str = "00000000-0000-0000-0000-0000000000aa"
    client_id: str = "00000000-0000-0000-0000-00000000e001"
    object_id: str = "00000000-0000-0000-0000-00000000e001"
