"""The emulated Microsoft.CognitiveServices ARM subset (plus resource groups, a generic store and the
accounts' Azure Monitor metrics).

``arm_routes(state)`` is the hook the emulator's app factory calls: it builds the ARM state next to the
data plane's (sharing its AccountRegistry, config ``arm`` section and catalog) and returns the routes
served at the root (``/subscriptions/...``) and under ``/_emulator/arm/``.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute

from emulator import facts
from emulator.apim.gateway import Gateway, gateway_routes
from emulator.arm.errors import ArmError
from emulator.arm.metrics import MetricsApi
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
    api = ArmApi(arm)
    # Azure Monitor's metrics of the accounts, from what the data plane served (emulator/metrics.py).
    api.table.update(MetricsApi(arm, host.metrics).table())
    if hasattr(host, "on_reset"):
        host.on_reset(arm.reset)
    if hasattr(host, "on_snapshot"):
        # --state-dir: the ARM store is saved with the data plane's accounts and loaded back at start.
        def load(value: Any) -> None:
            load_arm(arm, value)
            check_servable(api)

        host.on_snapshot(SNAPSHOT_PART, lambda: save_arm(arm), load)

    def base_url_of(request: Request) -> str:
        # The server sets host.base_url once bound; an app built without it answers with the request's URL.
        configured = getattr(host, "base_url", None)
        if configured and configured != "http://127.0.0.1/":
            return str(configured)
        return str(request.base_url)

    # The API Management gateway data plane (emulator/apim/gateway.py) forwards to the accounts over loopback.
    gateway = Gateway(api.apim, lambda: getattr(host, "base_url", "http://127.0.0.1/"))
    host.gateway = gateway
    if hasattr(host, "on_reset"):
        host.on_reset(api.apim.reset)
        host.on_reset(gateway.reset)
    arm_part = arm_routes_for(api, base_url_of, getattr(settings.config, "limits", None))
    return [*arm_part, *gateway_routes(gateway)]


def check_servable(api: ArmApi) -> None:
    """Render what the read routes would for a loaded store; ValueError when a stored value cannot be.

    A saved file that parses but holds, say, a string where a deployment's ``sku`` object belongs would
    otherwise start and then answer 500 on every read; this finds it at start instead.
    """
    state, base = api.state, "https://127.0.0.1/"
    try:
        bodies: list[Any] = [
            save_arm(state),
            api.generic.all_resources(base),
            api.accounts.list_deleted_bodies(),
        ]
        for entry in list(state.store.accounts.values()):
            bodies.append(api.accounts.render(entry, base))
            bodies.append(api.deployments.list_deployments(entry.path).body)
            bodies.append(api.children.list_rai_policies(entry.path).body)
            bodies.append(api.children.list_projects(entry.path, base).body)
            bodies.append(api.locations.usages(entry.path.subscription, entry.location).body)
        json.dumps(bodies, allow_nan=False)
    except Exception as exc:  # any failure here is what a read route would have answered 500 with
        raise ValueError(f"it cannot be served: {type(exc).__name__} {str(exc)[:100]}".strip()) from exc
