"""Microsoft.CognitiveServices/accounts/deployments with Azure's rules for changing them.

Checks run in the order Azure's users meet them: parent exists, no other operation running on the account
(RequestConflict), valid capacity, no model-name change, not version and capacity at once, model offered
in the region for the SKU, RAI policy exists, capacity within free quota. A passing write is mirrored into
the data plane at once (its capacity sets the rate limit); a delete makes it answer DeploymentNotFound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator import facts
from emulator.arm import errors
from emulator.arm.accounts import AccountsProvider
from emulator.arm.ids import ArmPath
from emulator.arm.mirror import push_deployment, remove_deployment
from emulator.arm.offers import quota_limit, usage_name
from emulator.arm.state import ArmResult, ArmState
from emulator.arm.store import AccountEntry, copy_json

DEPLOYMENT_TYPE = "Microsoft.CognitiveServices/accounts/deployments"
BUILT_IN_RAI_POLICIES = frozenset({"microsoft.default", "microsoft.defaultv2", "microsoft.nil"})
UPGRADE_OPTIONS = ("OnceNewDefaultVersionAvailable", "OnceCurrentVersionExpired", "NoAutoUpgrade")
MAX_CAPACITY = 1_000_000


@dataclass(frozen=True)
class DeploymentRequest:
    """The fields of a deployment PUT that Azure's rules look at."""

    name: str
    model: str
    version: str
    format: str
    sku: str
    capacity: int
    rai_policy: str | None
    upgrade_option: str


def parse_deployment(name: str, body: dict[str, Any], default_version: str | None) -> DeploymentRequest:
    props = body.get("properties") or {}
    model = props.get("model") if isinstance(props, dict) else None
    if not isinstance(model, dict) or not isinstance(model.get("name"), str) or not model["name"]:
        raise errors.invalid_body("properties.model.name is required for a deployment.")
    sku = body.get("sku") or {}
    if not isinstance(sku, dict) or not isinstance(sku.get("name"), str):
        raise errors.invalid_body(
            "sku.name is required for a deployment (GlobalStandard or DataZoneStandard)."
        )
    capacity = sku.get("capacity", 1)
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        raise errors.invalid_capacity(capacity)
    version = model.get("version") or default_version or ""
    option = props.get("versionUpgradeOption") or "OnceNewDefaultVersionAvailable"
    if option not in UPGRADE_OPTIONS:
        raise errors.invalid_properties(
            f"versionUpgradeOption '{option}' is not valid; use one of {', '.join(UPGRADE_OPTIONS)}."
        )
    rai = props.get("raiPolicyName")
    return DeploymentRequest(
        name=name,
        model=model["name"],
        version=str(version),
        format=str(model.get("format") or "OpenAI"),
        sku=sku["name"],
        capacity=capacity,
        rai_policy=str(rai) if rai else None,
        upgrade_option=option,
    )


class DeploymentsProvider:
    def __init__(self, state: ArmState) -> None:
        self._state = state
        self._store = state.store
        self._accounts = AccountsProvider(state)

    def get(self, path: ArmPath) -> ArmResult:
        with self._store.lock:
            entry = self._parent(path)
            body = entry.deployments.get(path.name().lower())
            if body is None:
                raise errors.resource_not_found(
                    DEPLOYMENT_TYPE, f"{entry.name}/{path.name()}", path.resource_group
                )
            return ArmResult(200, self._render(path, body))

    def list_deployments(self, account: ArmPath) -> ArmResult:
        with self._store.lock:
            entry = self._accounts.entry(account)
            items = [
                self._render(account.child("deployments", d["name"]), d) for d in entry.deployments.values()
            ]
            return ArmResult(200, {"value": items})

    def create_or_update(self, path: ArmPath, body: dict[str, Any]) -> ArmResult:
        with self._store.lock:
            entry = self._parent(path)
            self._require_idle(entry)
            # parse_deployment refuses a body of the wrong shape with a 400; finding the default version
            # first must not trip over it (a string where an object belongs was a 500).
            props = body.get("properties")
            model = props.get("model") if isinstance(props, dict) else None
            name = model.get("name") if isinstance(model, dict) else None
            offer = self._state.offers.model(name) if isinstance(name, str) else None
            request = parse_deployment(path.name(), body, offer.default_version if offer else None)
            old = entry.deployments.get(path.name().lower())
            if old is not None:
                _check_change(path.name(), old, request)
            if not self._state.offers.is_offered(request.model, request.version, request.sku, entry.location):
                raise errors.model_not_supported(request.model, request.version, request.sku, entry.location)
            if request.rai_policy and request.rai_policy.lower() not in BUILT_IN_RAI_POLICIES:
                if request.rai_policy.lower() not in entry.rai_policies:
                    raise errors.rai_policy_not_found(request.rai_policy)
            self._check_quota(entry, request, old)
            stored = _stored_body(path, request, body)
            entry.deployments[path.name().lower()] = stored
            pending = facts.UPDATE_IN_PROGRESS_STATE if old else "Creating"
            return self._started(path, entry, stored, 200 if old else 201, pending)

    def update(self, path: ArmPath, patch: dict[str, Any]) -> ArmResult:
        """PATCH: only ``sku`` (capacity) and ``tags`` change; the merged deployment passes the same rules."""
        with self._store.lock:
            entry = self._parent(path)
            old = entry.deployments.get(path.name().lower())
            if old is None:
                raise errors.resource_not_found(
                    DEPLOYMENT_TYPE, f"{entry.name}/{path.name()}", path.resource_group
                )
            merged = copy_json(old)
            if isinstance(patch.get("sku"), dict):
                merged["sku"] = {**merged.get("sku", {}), **patch["sku"]}
            if "tags" in patch:
                merged["tags"] = patch["tags"]
        return self.create_or_update(path, merged)

    def delete(self, path: ArmPath) -> ArmResult:
        with self._store.lock:
            entry = self._parent(path)
            body = entry.deployments.get(path.name().lower())
            if body is None:
                return ArmResult(204)
            self._require_idle(entry)
            del entry.deployments[path.name().lower()]
            remove_deployment(self._state.registry, entry, body["name"])
            operation = self._state.operations.start(path.subscription, entry.location)
            entry.busy_until = operation.done_at
            return ArmResult(202, None, operation)

    # -- helpers ---------------------------------------------------------------------------------------
    def _parent(self, path: ArmPath) -> AccountEntry:
        entry = self._store.accounts.get(path.parent().key)
        if entry is None:
            raise errors.parent_not_found(path.parent().id)
        return entry

    def _require_idle(self, entry: AccountEntry) -> None:
        busy = self._state.now() < entry.busy_until
        if busy or self._state.take_injected_conflict(entry.name, entry.subdomain):
            raise errors.request_conflict(entry.path.id)

    def _check_quota(
        self, entry: AccountEntry, request: DeploymentRequest, old: dict[str, Any] | None
    ) -> None:
        region = entry.location
        limit = quota_limit(self._state.offers, self._state.quota, region, request.sku, request.model)
        used = self._store.capacity_in_use(entry.path.subscription, region, request.sku, request.model)
        if old is not None and _same_bucket(old, request):
            used -= int(old.get("sku", {}).get("capacity", 0))
        available = max(0, limit - used)
        if request.capacity > available:
            raise errors.insufficient_quota(
                request.capacity, available, usage_name(request.sku, request.model)
            )

    def _started(
        self, path: ArmPath, entry: AccountEntry, stored: dict[str, Any], status: int, pending: str
    ) -> ArmResult:
        final = self._render(path, stored)
        final["properties"]["provisioningState"] = "Succeeded"
        # The Location URL answers with the final resource (PATCH's poller reads it there).
        operation = self._state.operations.start(path.subscription, entry.location, result=final)
        self._store.mark_pending(path.key, operation.done_at, pending)
        entry.busy_until = operation.done_at
        push_deployment(self._state.registry, entry, stored)
        return ArmResult(status, self._render(path, stored), operation)

    def _render(self, path: ArmPath, stored: dict[str, Any]) -> dict[str, Any]:
        body = copy_json(stored)
        capacity = int(body.get("sku", {}).get("capacity", 1))
        rpm = max(1, round(capacity * self._state.rpm_per_capacity_unit))
        props = body.setdefault("properties", {})
        props["provisioningState"] = self._store.provisioning_state(path.key, self._state.now())
        props["currentCapacity"] = capacity
        props["rateLimits"] = [{"key": "request", "renewalPeriod": 60, "count": rpm}]
        props["capabilities"] = {"imageGenerations": "true", "imageEdits": "true"}
        return body


def _check_change(name: str, old: dict[str, Any], request: DeploymentRequest) -> None:
    old_model = old.get("properties", {}).get("model", {})
    if str(old_model.get("name", "")).lower() != request.model.lower():
        raise errors.cannot_change_model()
    old_capacity = int(old.get("sku", {}).get("capacity", 0))
    if str(old_model.get("version", "")) != request.version and old_capacity != request.capacity:
        raise errors.cannot_change_capacity_and_model(name)


def _same_bucket(old: dict[str, Any], request: DeploymentRequest) -> bool:
    return (
        str(old.get("sku", {}).get("name", "")).lower() == request.sku.lower()
        and str(old.get("properties", {}).get("model", {}).get("name", "")).lower() == request.model.lower()
    )


def _stored_body(path: ArmPath, request: DeploymentRequest, body: dict[str, Any]) -> dict[str, Any]:
    props = {
        k: v
        for k, v in (body.get("properties") or {}).items()
        if k not in ("provisioningState", "rateLimits", "capabilities", "currentCapacity")
    }
    props["model"] = {"format": request.format, "name": request.model, "version": request.version}
    props["versionUpgradeOption"] = request.upgrade_option
    if request.rai_policy:
        props["raiPolicyName"] = request.rai_policy
    stored: dict[str, Any] = {
        "id": path.id,
        "name": path.name(),
        "type": DEPLOYMENT_TYPE,
        "sku": {**(body.get("sku") or {}), "name": request.sku, "capacity": request.capacity},
        "properties": props,
    }
    if body.get("tags"):
        stored["tags"] = body["tags"]
    return stored
