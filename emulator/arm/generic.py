"""Resource groups, and a generic store for every other resource type the Pulumi program declares.

Workspaces, diagnostic settings and role assignments (extension resources under an account id), action
groups, metric alerts, budgets (subscription or resource-group scope), private endpoints, raiBlocklists:
stored as sent, listed by collection, inspectable through ``/_emulator/arm/resources``. Writes are
synchronous (ARM allows a 200/201 with ``provisioningState: Succeeded``).
"""

from __future__ import annotations

from typing import Any

from emulator.arm import errors
from emulator.arm.accounts import AccountsProvider
from emulator.arm.ids import ArmPath, parse_arm_path
from emulator.arm.mirror import push_account
from emulator.arm.state import ArmResult, ArmState
from emulator.arm.store import AccountEntry, copy_json, rg_key
from emulator.specs.judge import default_judge

RG_TYPE = "Microsoft.Resources/resourceGroups"
KEPT_TOP_LEVEL = ("location", "kind", "sku", "identity", "etag", "zones", "plan", "eTag")


def require_resource_group(state: ArmState, path: ArmPath, method: str) -> None:
    """ARM's own check, made before any provider sees the request (its name rules, its body): a resource
    in a resource group that does not exist is 404 ResourceGroupNotFound, whatever else is wrong with it.
    The group itself (PUT, GET, DELETE) is the resource group provider's to answer. A DELETE keeps the
    provider's "nothing to delete" answer: specs such as MetricAlerts_Delete declare no 404 at all."""
    if method == "DELETE" or path.resource_group is None or not (path.segments or path.tail):
        return
    with state.store.lock:
        if state.store.resource_group(path.subscription, path.resource_group) is None:
            raise errors.resource_group_not_found(path.resource_group)


class GenericProvider:
    def __init__(self, state: ArmState) -> None:
        self._state = state
        self._store = state.store
        self._accounts = AccountsProvider(state)

    # -- resource groups -------------------------------------------------------------------------------
    def put_resource_group(self, path: ArmPath, body: dict[str, Any]) -> ArmResult:
        name = path.resource_group or ""
        if not isinstance(body.get("location"), str) or not body["location"]:
            raise errors.invalid_body("The location property is required for a resource group.")
        with self._store.lock:
            key = rg_key(path.subscription, name)
            existed = key in self._store.resource_groups
            stored = {
                "id": path.scope_id,
                "name": name,
                "type": RG_TYPE,
                "location": body["location"],
                "tags": body.get("tags") or {},
            }
            if isinstance(body.get("managedBy"), str):
                stored["managedBy"] = body["managedBy"]
            self._store.resource_groups[key] = stored
            return ArmResult(200 if existed else 201, _with_state(stored))

    def get_resource_group(self, path: ArmPath) -> ArmResult:
        with self._store.lock:
            found = self._store.resource_group(path.subscription, path.resource_group or "")
            if found is None:
                raise errors.resource_group_not_found(path.resource_group or "")
            return ArmResult(200, _with_state(found))

    def list_resource_groups(self, subscription: str) -> ArmResult:
        prefix = f"/subscriptions/{subscription}/".lower()
        with self._store.lock:
            items = [_with_state(g) for k, g in self._store.resource_groups.items() if k.startswith(prefix)]
        return ArmResult(200, {"value": items})

    def delete_resource_group(self, path: ArmPath) -> ArmResult:
        """Deletes (soft-deletes, for accounts) everything in the group, then the group."""
        with self._store.lock:
            key = rg_key(path.subscription, path.resource_group or "")
            if key not in self._store.resource_groups:
                # ARM answers a group already gone with 404 ResourceGroupNotFound (the spec's default
                # error response), as `az group delete` shows; not a 200 that reads as "deleted".
                raise errors.resource_group_not_found(path.resource_group or "")
            for entry in list(self._store.accounts_in(path.subscription, path.resource_group)):
                self._accounts.delete(entry.path)
            for item in [k for k in self._store.generic if k.startswith(key + "/")]:
                del self._store.generic[item]
            del self._store.resource_groups[key]
            return ArmResult(202, None, self._state.operations.start(path.subscription, "global"))

    # -- any other resource type -----------------------------------------------------------------------
    def put(self, path: ArmPath, body: dict[str, Any], api_version: str = "") -> ArmResult:
        with self._store.lock:
            self._require_scope(path)
            self._check_private_endpoint(path, body)
            existed = path.key in self._store.generic
            stored: dict[str, Any] = {"id": path.id, "name": path.name(), "type": path.resource_type}
            stored.update({k: body[k] for k in KEPT_TOP_LEVEL if k in body})
            stored["tags"] = body.get("tags") or {}
            props = body.get("properties") or {}
            stored["properties"] = copy_json(props) if isinstance(props, dict) else {}
            self._store.generic[path.key] = stored
            self._refresh_account(path)
            # The spec decides: a metric alert's PUT declares only 200, created or not.
            query = {"api-version": api_version}
            declared = default_judge().declared_statuses("PUT", path.id, query)
            status = 200 if existed or (declared is not None and "201" not in declared) else 201
            # A long-running PUT's 201 carries a polling header (a workspace's does); the resource is
            # already final, so the operation only has to finish.
            operation = None
            if status == 201 and default_judge().is_long_running("PUT", path.id, query):
                operation = self._state.operations.start(path.subscription, str(stored.get("location") or ""))
            return ArmResult(status, _with_state(stored), operation)

    def get(self, path: ArmPath) -> ArmResult:
        with self._store.lock:
            found = self._store.generic.get(path.key)
            if found is None:
                raise errors.resource_not_found(path.resource_type, path.name(), path.resource_group)
            return ArmResult(200, _with_state(found))

    def delete(self, path: ArmPath, api_version: str) -> ArmResult:
        with self._store.lock:
            removed = self._store.generic.pop(path.key, None)
            if removed is None:
                return ArmResult(204)
            for item in [k for k in self._store.generic if k.startswith(path.key + "/")]:
                del self._store.generic[item]
            self._refresh_account(path)
            # The spec decides: RAI blocklists and their items declare only 202 (then 204) for a DELETE.
            declared = default_judge().declared_statuses("DELETE", path.id, {"api-version": api_version})
            if declared is not None and "200" not in declared and "202" in declared:
                return ArmResult(202, None, self._state.operations.start(path.subscription, "global"))
            # A role assignment's DELETE answers the deleted resource; most answer an empty 200.
            query = {"api-version": api_version}
            if default_judge().declares_body("DELETE", path.id, query, 200):
                return ArmResult(200, _with_state(removed))
            return ArmResult(200)

    def list_collection(self, path: ArmPath) -> ArmResult:
        tail = (path.tail or "").lower()
        prefix = f"{path.key}/providers/{tail}/" if "/" in tail else f"{path.key}/{tail}/"
        with self._store.lock:
            items = [
                _with_state(body)
                for key, body in self._store.generic.items()
                if key.startswith(prefix) and "/" not in key[len(prefix) :]
            ]
        return ArmResult(200, {"value": items})

    def all_resources(self, base_url: str) -> list[dict[str, Any]]:
        """Every resource the emulator holds, for ``GET /_emulator/arm/resources``."""
        with self._store.lock:
            items: list[dict[str, Any]] = [_with_state(g) for g in self._store.resource_groups.values()]
            for entry in self._store.accounts.values():
                items.append(self._accounts.render(entry, base_url))
                for child in [
                    *entry.deployments.values(),
                    *entry.rai_policies.values(),
                    *entry.projects.values(),
                ]:
                    items.append(copy_json(child))
            items.extend(_with_state(b) for b in self._store.generic.values())
            items.extend(self._accounts.list_deleted_bodies())
        return items

    # -- rules -----------------------------------------------------------------------------------------
    def _require_scope(self, path: ArmPath) -> None:
        if path.resource_group and self._store.resource_group(path.subscription, path.resource_group) is None:
            raise errors.resource_group_not_found(path.resource_group)
        if len(path.segments) < 2:
            return
        parent = path.parent()
        if parent.key in self._store.generic or parent.key in self._store.accounts:
            return
        grand = self._store.accounts.get(parent.parent().key) if len(parent.segments) >= 2 else None
        if grand is not None and parent.name().lower() in {
            **grand.deployments,
            **grand.rai_policies,
            **grand.projects,
        }:
            return
        raise errors.parent_not_found(parent.id)

    def _check_private_endpoint(self, path: ArmPath, body: dict[str, Any]) -> None:
        """A private endpoint to an account that is still provisioning fails (bicep-registry-modules#5957)."""
        if path.resource_type.lower() != "microsoft.network/privateendpoints":
            return
        props = body.get("properties") or {}
        for connection in props.get("privateLinkServiceConnections", []) or []:
            target = ((connection or {}).get("properties") or {}).get("privateLinkServiceId")
            entry = self._account_of(str(target or ""))
            if entry is not None:
                state = self._store.provisioning_state(entry.path.key, self._state.now())
                if state != "Succeeded":
                    raise errors.account_provisioning_state_invalid(entry.path.id, state)

    def _account_of(self, resource_id: str) -> AccountEntry | None:
        try:
            path = parse_arm_path(resource_id)
        except ValueError:
            return None
        for depth in range(len(path.segments), 0, -1):
            candidate = ArmPath(path.subscription, path.resource_group, path.segments[:depth])
            if candidate.key in self._store.accounts:
                return self._store.accounts[candidate.key]
        return None

    def _refresh_account(self, path: ArmPath) -> None:
        """Blocklist items under an account change its data-plane block terms."""
        entry = self._account_of(path.id)
        if entry is not None and path.key != entry.path.key:
            push_account(self._state.registry, self._store, entry)


def _with_state(body: dict[str, Any]) -> dict[str, Any]:
    result = copy_json(body)
    result.setdefault("properties", {})["provisioningState"] = "Succeeded"
    return result
