"""An account's RAI policies (content filters) and Foundry projects.

RAI policies are written synchronously as ARM does (200/201, delete is long-running); every content
filter must set ``blocking`` and ``source`` (pulumi-azure-native#3022). A policy's ``customBlocklists``
feed the data plane's block terms. Projects need ``allowProjectManagement: true`` on the account.
"""

from __future__ import annotations

import uuid
from typing import Any

from emulator import facts
from emulator.arm import errors
from emulator.arm.accounts import account_endpoint
from emulator.arm.ids import ArmPath
from emulator.arm.mirror import push_account
from emulator.arm.state import ArmResult, ArmState
from emulator.arm.store import AccountEntry, copy_json

RAI_TYPE = "Microsoft.CognitiveServices/accounts/raiPolicies"
PROJECT_TYPE = "Microsoft.CognitiveServices/accounts/projects"


def check_content_filters(filters: Any) -> None:
    if filters is None:
        return
    if not isinstance(filters, list):
        raise errors.invalid_properties("properties.contentFilters must be a list.")
    for i, item in enumerate(filters):
        if (
            not isinstance(item, dict)
            or "blocking" not in item
            or item.get("source") not in ("Prompt", "Completion")
        ):
            name = item.get("name") if isinstance(item, dict) else None
            raise errors.invalid_properties(
                f"contentFilters[{i}] ({name}) must set 'blocking' and 'source' (Prompt or Completion)."
            )


class ChildrenProvider:
    """raiPolicies and projects under one account, kept in the account's entry."""

    def __init__(self, state: ArmState) -> None:
        self._state = state
        self._store = state.store

    # -- RAI policies ----------------------------------------------------------------------------------
    def put_rai_policy(self, path: ArmPath, body: dict[str, Any]) -> ArmResult:
        with self._store.lock:
            entry = self._parent(path)
            props = body.get("properties") or {}
            if not isinstance(props, dict):
                raise errors.invalid_body("The raiPolicy's 'properties' must be an object.")
            check_content_filters(props.get("contentFilters"))
            existed = path.name().lower() in entry.rai_policies
            stored = {
                "id": path.id,
                "name": path.name(),
                "type": RAI_TYPE,
                "properties": {**props, "type": "UserManaged"},
            }
            if body.get("tags"):
                stored["tags"] = body["tags"]
            entry.rai_policies[path.name().lower()] = stored
            push_account(self._state.registry, self._store, entry)
            return ArmResult(200 if existed else 201, copy_json(stored))

    def get_rai_policy(self, path: ArmPath) -> ArmResult:
        with self._store.lock:
            return ArmResult(200, copy_json(self._child(path, self._parent(path).rai_policies, RAI_TYPE)))

    def list_rai_policies(self, account: ArmPath) -> ArmResult:
        with self._store.lock:
            entry = self._account(account)
            return ArmResult(200, {"value": [copy_json(p) for p in entry.rai_policies.values()]})

    def delete_rai_policy(self, path: ArmPath) -> ArmResult:
        with self._store.lock:
            entry = self._parent(path)
            if entry.rai_policies.pop(path.name().lower(), None) is None:
                return ArmResult(204)
            push_account(self._state.registry, self._store, entry)
            return ArmResult(202, None, self._state.operations.start(path.subscription, entry.location))

    # -- projects --------------------------------------------------------------------------------------
    def put_project(self, path: ArmPath, body: dict[str, Any], base_url: str) -> ArmResult:
        with self._store.lock:
            entry = self._parent(path)
            if entry.properties.get("allowProjectManagement") is not True:
                raise errors.project_management_disabled(entry.name)
            old = entry.projects.get(path.name().lower())
            stored: dict[str, Any] = {
                "id": path.id,
                "name": path.name(),
                "type": PROJECT_TYPE,
                "location": body.get("location") or entry.resource.get("location"),
                "tags": body.get("tags") or {},
                "properties": {
                    k: v for k, v in (body.get("properties") or {}).items() if k != "provisioningState"
                },
            }
            identity = body.get("identity")
            if isinstance(identity, dict):
                old_principal = ((old or {}).get("identity") or {}).get("principalId")
                stored["identity"] = {
                    **identity,
                    "principalId": old_principal or str(uuid.uuid4()),
                    "tenantId": self._state.settings.tenant_id,
                }
            entry.projects[path.name().lower()] = stored
            operation = self._state.operations.start(path.subscription, entry.location)
            pending = facts.UPDATE_IN_PROGRESS_STATE if old else "Creating"
            self._store.mark_pending(path.key, operation.done_at, pending)
            return ArmResult(200 if old else 201, self._render_project(entry, stored, base_url), operation)

    def get_project(self, path: ArmPath, base_url: str) -> ArmResult:
        with self._store.lock:
            entry = self._parent(path)
            return ArmResult(
                200, self._render_project(entry, self._child(path, entry.projects, PROJECT_TYPE), base_url)
            )

    def list_projects(self, account: ArmPath, base_url: str) -> ArmResult:
        with self._store.lock:
            entry = self._account(account)
            return ArmResult(
                200, {"value": [self._render_project(entry, p, base_url) for p in entry.projects.values()]}
            )

    def delete_project(self, path: ArmPath) -> ArmResult:
        with self._store.lock:
            entry = self._parent(path)
            if entry.projects.pop(path.name().lower(), None) is None:
                return ArmResult(204)
            return ArmResult(202, None, self._state.operations.start(path.subscription, entry.location))

    def _render_project(self, entry: AccountEntry, stored: dict[str, Any], base_url: str) -> dict[str, Any]:
        body = copy_json(stored)
        props = body.setdefault("properties", {})
        props["provisioningState"] = self._store.provisioning_state(str(stored["id"]), self._state.now())
        endpoint = account_endpoint(base_url, entry.subdomain)
        props["endpoints"] = {"AI Foundry API": f"{endpoint}api/projects/{stored['name']}"}
        props.setdefault("isDefault", len(entry.projects) == 1)
        return body

    # -- helpers ---------------------------------------------------------------------------------------
    def _account(self, account: ArmPath) -> AccountEntry:
        entry = self._store.accounts.get(account.key)
        if entry is None:
            raise errors.resource_not_found(
                "Microsoft.CognitiveServices/accounts", account.name(), account.resource_group
            )
        return entry

    def _parent(self, path: ArmPath) -> AccountEntry:
        entry = self._store.accounts.get(path.parent().key)
        if entry is None:
            raise errors.parent_not_found(path.parent().id)
        return entry

    @staticmethod
    def _child(path: ArmPath, items: dict[str, dict[str, Any]], type_: str) -> dict[str, Any]:
        found = items.get(path.name().lower())
        if found is None:
            raise errors.resource_not_found(type_, f"{path.name(-2)}/{path.name()}", path.resource_group)
        return found
