"""The emulated Microsoft.ApiManagement ARM subset: the service and the children a gateway program writes.

``ApimProvider`` knows nothing of HTTP: it takes ArmPaths and bodies and returns ArmResults. Resources live
in the ARM store's generic map (so resource-group deletes, ``/_emulator/arm/resources`` and ``--state-dir``
cover them); subscription keys live only here, answered by ``listSecrets`` and never by a read. A service
PUT is long-running (``Activating`` until the operation's deadline, then ``Succeeded``) with a system
identity's ``principalId``; its ``gatewayUrl`` is the loopback gateway ``<base_url>gateways/<name>``.
An api policy is parsed when it is PUT: an element the gateway cannot execute is a 400 ``ValidationError``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from emulator.apim.policy import Policy, PolicyError, parse_policy
from emulator.arm import errors
from emulator.arm.ids import ArmPath
from emulator.arm.state import ArmResult, ArmState
from emulator.arm.store import copy_json

NS = "microsoft.apimanagement"
SERVICE_TYPE = "Microsoft.ApiManagement/service"
SKUS = ("Developer", "Standard", "Premium", "Basic", "Consumption", "Isolated", "BasicV2", "StandardV2")
# Child collections a service holds, by the ArmPath signature of one item.
CHILDREN = (
    f"{NS}/service/backends",
    f"{NS}/service/apis",
    f"{NS}/service/apis/operations",
    f"{NS}/service/apis/policies",
    f"{NS}/service/apis/diagnostics",
    f"{NS}/service/subscriptions",
    f"{NS}/service/loggers",
    f"{NS}/service/diagnostics",
)


class Call(Protocol):
    path: ArmPath
    body: dict[str, Any]
    query: dict[str, str]
    base_url: str


def gateway_url(base_url: str, name: str) -> str:
    return f"{base_url}gateways/{name.lower()}"


def etag(body: dict[str, Any]) -> str:
    return '"' + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16] + '"'


class ApimProvider:
    def __init__(self, state: ArmState) -> None:
        self._state = state
        self._store = state.store
        # lower subscription-entity id -> (primary, secondary); never rendered on a read.
        self.keys: dict[str, tuple[str, str]] = {}

    def reset(self) -> None:
        self.keys.clear()

    # -- the service -----------------------------------------------------------------------------------
    def put_service(self, path: ArmPath, body: dict[str, Any], base_url: str) -> ArmResult:
        with self._store.lock:
            self._require_group(path)
            location = body.get("location")
            if not isinstance(location, str) or not location:
                raise errors.invalid_body("The location property is required for this definition.")
            sku: dict[str, Any] = body["sku"] if isinstance(body.get("sku"), dict) else {}
            if sku.get("name") not in SKUS:
                raise _validation(f"sku.name must be one of {', '.join(SKUS)}.")
            props: dict[str, Any] = body["properties"] if isinstance(body.get("properties"), dict) else {}
            for key in ("publisherEmail", "publisherName"):
                if not isinstance(props.get(key), str) or not props[key]:
                    raise _validation(f"properties.{key} is required.")
            old = self._store.generic.get(path.key)
            stored: dict[str, Any] = {
                "id": path.id,
                "name": path.name(),
                "type": SERVICE_TYPE,
                "location": location,
                "tags": body.get("tags") or {},
                "sku": {"name": sku["name"], "capacity": int(sku.get("capacity") or 1)},
                "properties": {k: v for k, v in props.items() if k != "provisioningState"},
            }
            stored["properties"]["createdAtUtc"] = ((old or {}).get("properties") or {}).get(
                "createdAtUtc"
            ) or datetime.now(UTC).isoformat()
            identity = body.get("identity")
            if isinstance(identity, dict) and "systemassigned" in str(identity.get("type", "")).lower():
                principal = (((old or {}).get("identity")) or {}).get("principalId") or str(uuid.uuid4())
                stored["identity"] = {
                    **identity,
                    "principalId": principal,
                    "tenantId": self._state.settings.tenant_id,
                }
            self._store.generic[path.key] = stored
            operation = self._state.operations.start(path.subscription, location)
            self._store.mark_pending(path.key, operation.done_at, "Updating" if old else "Activating")
            return ArmResult(200 if old else 201, self.render_service(stored, base_url), operation)

    def get_service(self, path: ArmPath, base_url: str) -> ArmResult:
        with self._store.lock:
            return ArmResult(200, self.render_service(self.service(path), base_url))

    def list_services(self, path: ArmPath, base_url: str) -> ArmResult:
        with self._store.lock:
            if path.resource_group is not None:
                self._require_group(path)
            prefix = path.scope_id.lower() + "/"
            items = [
                self.render_service(body, base_url)
                for key, body in self._store.generic.items()
                if key.startswith(prefix) and body.get("type") == SERVICE_TYPE
            ]
        return ArmResult(200, {"value": items})

    def delete_service(self, path: ArmPath) -> ArmResult:
        with self._store.lock:
            if self._store.generic.pop(path.key, None) is None:
                return ArmResult(204)
            for key in [k for k in self._store.generic if k.startswith(path.key + "/")]:
                del self._store.generic[key]
            for key in [k for k in self.keys if k.startswith(path.key + "/")]:
                del self.keys[key]
            return ArmResult(202, None, self._state.operations.start(path.subscription, "global"))

    def render_service(self, stored: dict[str, Any], base_url: str) -> dict[str, Any]:
        body = copy_json(stored)
        props = body.setdefault("properties", {})
        props["provisioningState"] = self._store.provisioning_state(str(stored["id"]), self._state.now())
        props["targetProvisioningState"] = ""
        url = gateway_url(base_url, str(stored["name"]))
        props["gatewayUrl"] = url
        props.setdefault("publicNetworkAccess", "Enabled")
        props.setdefault("virtualNetworkType", "None")
        props.setdefault("platformVersion", "stv2")
        body["etag"] = etag(stored)
        return body

    def service(self, path: ArmPath) -> dict[str, Any]:
        """The stored service a path names or sits under (caller holds the lock)."""
        service_path = ArmPath(path.subscription, path.resource_group, path.segments[:1])
        found = self._store.generic.get(service_path.key)
        if found is None or found.get("type") != SERVICE_TYPE:
            self._require_group(path)
            raise errors.resource_not_found(SERVICE_TYPE, service_path.name(), path.resource_group)
        return found

    # -- children --------------------------------------------------------------------------------------
    def put_child(self, path: ArmPath, body: dict[str, Any]) -> ArmResult:
        with self._store.lock:
            self.service(path)
            if len(path.segments) > 2 and path.parent().key not in self._store.generic:
                raise errors.parent_not_found(path.parent().id)
            props: dict[str, Any] = body["properties"] if isinstance(body.get("properties"), dict) else {}
            kind = path.segments[-1].type.lower()
            props = _CHECKS.get(kind, _keep)(props)
            old = self._store.generic.get(path.key)
            stored = {"id": path.id, "name": path.name(), "type": path.resource_type, "properties": props}
            self._store.generic[path.key] = stored
            if kind == "subscriptions":
                self.keys.setdefault(
                    path.key, (_key(props.get("primaryKey")), _key(props.get("secondaryKey")))
                )
                stored["properties"] = {
                    k: v for k, v in props.items() if k not in ("primaryKey", "secondaryKey")
                }
            rendered = self.render_child(stored)
            return ArmResult(200 if old else 201, rendered, headers={"ETag": etag(stored)})

    def get_child(self, path: ArmPath) -> ArmResult:
        with self._store.lock:
            self.service(path)
            found = self._store.generic.get(path.key)
            if found is None:
                raise errors.resource_not_found(path.resource_type, path.name(), path.resource_group)
            return ArmResult(200, self.render_child(found), headers={"ETag": etag(found)})

    def delete_child(self, path: ArmPath) -> ArmResult:
        with self._store.lock:
            self.service(path)
            if self._store.generic.pop(path.key, None) is None:
                return ArmResult(204)
            for key in [k for k in self._store.generic if k.startswith(path.key + "/")]:
                del self._store.generic[key]
            self.keys.pop(path.key, None)
            return ArmResult(200)

    def list_children(self, path: ArmPath) -> ArmResult:
        with self._store.lock:
            self.service(path)
            prefix = f"{path.key}/{(path.tail or '').lower()}/"
            items = [
                self.render_child(body)
                for key, body in self._store.generic.items()
                if key.startswith(prefix) and "/" not in key[len(prefix) :]
            ]
        return ArmResult(200, {"value": items, "count": len(items)})

    def list_secrets(self, path: ArmPath) -> ArmResult:
        with self._store.lock:
            found = self.get_child(path).body
            assert found is not None
            primary, secondary = self.keys.setdefault(path.key, (_key(None), _key(None)))
            return ArmResult(
                200, {"primaryKey": primary, "secondaryKey": secondary}, headers={"ETag": etag(found)}
            )

    def render_child(self, stored: dict[str, Any]) -> dict[str, Any]:
        body = copy_json(stored)
        if str(stored.get("type", "")).lower().endswith("/apis"):
            body["properties"].setdefault("isCurrent", True)
            body["properties"].setdefault("apiRevision", "1")
        return body

    # -- what the gateway reads ------------------------------------------------------------------------
    def children_of(self, service_key: str, kind: str) -> list[dict[str, Any]]:
        prefix = f"{service_key}/{kind}/"
        with self._store.lock:
            return [
                copy_json(b)
                for k, b in self._store.generic.items()
                if k.startswith(prefix) and "/" not in k[len(prefix) :]
            ]

    def find_service(self, name: str) -> dict[str, Any] | None:
        with self._store.lock:
            for body in self._store.generic.values():
                if body.get("type") == SERVICE_TYPE and str(body.get("name", "")).lower() == name.lower():
                    return copy_json(body)
        return None

    def _require_group(self, path: ArmPath) -> None:
        if (
            path.resource_group is None
            or self._store.resource_group(path.subscription, path.resource_group) is None
        ):
            raise errors.resource_group_not_found(path.resource_group or "")


def _validation(message: str) -> errors.ArmError:
    return errors.ArmError(400, "ValidationError", message)


def _key(value: Any) -> str:
    return value if isinstance(value, str) and value else secrets.token_hex(16)


def _keep(props: dict[str, Any]) -> dict[str, Any]:
    return copy_json(props)


def _api(props: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(props.get("path"), str):
        raise _validation("properties.path is required.")
    kept = {
        k: v for k, v in props.items() if k not in ("value", "format", "wsdlSelector", "provisioningState")
    }
    kept.setdefault("subscriptionRequired", True)
    kept.setdefault("protocols", ["https"])
    kept.setdefault("type", "http")
    return copy_json(kept)


def _operation(props: dict[str, Any]) -> dict[str, Any]:
    for key in ("displayName", "method", "urlTemplate"):
        if not isinstance(props.get(key), str) or not props[key]:
            raise _validation(f"properties.{key} is required.")
    return copy_json(props)


def _policy(props: dict[str, Any]) -> dict[str, Any]:
    value, fmt = props.get("value"), props.get("format", "xml")
    if not isinstance(value, str) or not value.strip():
        raise _validation("properties.value must hold the policy document.")
    if fmt not in ("xml", "rawxml"):
        raise _validation(f"The policy format {fmt!r} is not supported by the emulator; use xml or rawxml.")
    try:
        parse_policy(value)
    except PolicyError as exc:
        raise _validation(str(exc)) from None
    return {"value": value, "format": "xml"}


def _subscription(props: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(props.get("scope"), str) or not isinstance(props.get("displayName"), str):
        raise _validation("properties.scope and properties.displayName are required.")
    kept = copy_json(props)
    kept.setdefault("state", "active")
    kept.setdefault("createdDate", datetime.now(UTC).isoformat())
    return kept


def _logger(props: dict[str, Any]) -> dict[str, Any]:
    if props.get("loggerType") not in ("azureEventHub", "applicationInsights", "azureMonitor"):
        raise _validation("properties.loggerType must be azureEventHub, applicationInsights or azureMonitor.")
    return copy_json(props)


def _diagnostic(props: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(props.get("loggerId"), str):
        raise _validation("properties.loggerId is required.")
    return copy_json(props)


_CHECKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "apis": _api,
    "operations": _operation,
    "policies": _policy,
    "subscriptions": _subscription,
    "loggers": _logger,
    "diagnostics": _diagnostic,
}


def stored_policy(provider: ApimProvider, api_key: str) -> Policy | None:
    """The parsed policy of one api (``<api id lower>/policies/policy``), or None."""
    with provider._store.lock:
        found = provider._store.generic.get(f"{api_key}/policies/policy")
    return parse_policy(found["properties"]["value"]) if found else None


def apim_table(p: ApimProvider) -> dict[str, dict[str, Callable[[Any], ArmResult]]]:
    """Dispatch entries for emulator.arm.routes: ArmPath signature -> method -> handler."""
    item = {
        "GET": lambda r: p.get_child(r.path),
        "PUT": lambda r: p.put_child(r.path, r.body),
        "DELETE": lambda r: p.delete_child(r.path),
    }
    table: dict[str, dict[str, Callable[[Any], ArmResult]]] = {
        f"#{NS}/service": {"GET": lambda r: p.list_services(r.path, r.base_url)},
        f"{NS}/service": {
            "GET": lambda r: p.get_service(r.path, r.base_url),
            "PUT": lambda r: p.put_service(r.path, r.body, r.base_url),
            "DELETE": lambda r: p.delete_service(r.path),
        },
        f"{NS}/service/subscriptions#listsecrets": {"POST": lambda r: p.list_secrets(r.path)},
    }
    for signature in CHILDREN:
        parent, _, kind = signature.rpartition("/")
        table[signature] = item
        table[f"{parent}#{kind}"] = {"GET": lambda r: p.list_children(r.path)}
    return table
