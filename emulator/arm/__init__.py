"""The emulated Microsoft.CognitiveServices ARM subset (plus resource groups and a generic store).

``arm_routes(state)`` is the hook the emulator's app factory calls: it builds the ARM state next to the
data plane's (sharing its AccountRegistry, config ``arm`` section and catalog) and returns the routes
served at the root (``/subscriptions/...``) and under ``/_emulator/arm/``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute

from emulator import facts
from emulator.arm.errors import ArmError
from emulator.arm.persist import SNAPSHOT_PART, load_arm, save_arm
from emulator.arm.routes import ArmApi, arm_routes_for
from emulator.arm.settings import ArmSettings, parse_arm_settings
from emulator.arm.state import ArmState, create_arm_state

__all__ = ["ArmError", "ArmSettings", "ArmState", "arm_routes", "create_arm_state", "parse_arm_settings"]


def arm_routes(host: Any) -> list[BaseRoute]:
    """Routes for the app; ``host`` is its EmulatorState (registry, settings, base_url, on_reset)."""
    settings = host.settings
    raw = getattr(settings.config, "raw", {}) or {}
    arm = create_arm_state(
        parse_arm_settings(raw.get("arm")),
        host.registry,
        catalog_path=settings.catalog_path,
        rpm_per_capacity_unit=float(getattr(host, "rpm_per_capacity_unit", facts.RPM_PER_CAPACITY_UNIT)),
    )
    host.arm = arm
    if hasattr(host, "on_reset"):
        host.on_reset(arm.reset)
    if hasattr(host, "on_snapshot"):
        # --state-dir: the ARM store is saved with the data plane's accounts and loaded back at start.
        host.on_snapshot(SNAPSHOT_PART, lambda: save_arm(arm), lambda value: load_arm(arm, value))

    def base_url_of(request: Request) -> str:
        # The server sets host.base_url once bound; an app built without it answers with the request's URL.
        configured = getattr(host, "base_url", None)
        if configured and configured != "http://127.0.0.1/":
            return str(configured)
        return str(request.base_url)

    return arm_routes_for(ArmApi(arm), base_url_of)
