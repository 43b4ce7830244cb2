"""Microsoft.CognitiveServices/accounts: create/update/delete (soft), keys, and the deleted-accounts API.

Invariants: a name held by a soft-deleted account can only come back with ``properties.restore: true``
(or after a purge); a custom subdomain belongs to one live or soft-deleted account; every change is
mirrored into the data plane's registry before the call returns.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from emulator import facts
from emulator.arm import errors
from emulator.arm.ids import ArmPath, Segment
from emulator.arm.mirror import push_account, remove_account
from emulator.arm.state import ArmResult, ArmState
from emulator.arm.store import AccountEntry, DeletedAccount, copy_json

ACCOUNT_TYPE = "Microsoft.CognitiveServices/accounts"
SOFT_DELETE_RETENTION = timedelta(hours=48)
# Endpoint names an AIServices account reports; the emulator serves all of them at the account's endpoint.
ENDPOINT_NAMES = (
    "OpenAI Language Model Instance API",
    "OpenAI Dall-E API",
    "OpenAI Realtime API",
    "OpenAI Sora API",
    "Azure OpenAI Legacy API - Latest moniker",
    "Azure AI Model Inference API",
    "Content Safety",
    "Computer Vision",
    "Speech Services Speech to Text",
    "Token Service API",
)


def new_key() -> str:
    return secrets.token_hex(16)


def account_endpoint(base_url: str, subdomain: str) -> str:
    return f"{base_url}accounts/{subdomain}/"


class AccountsProvider:
    def __init__(self, state: ArmState) -> None:
        self._state = state
        self._store = state.store

    # -- reads -----------------------------------------------------------------------------------------
    def entry(self, path: ArmPath) -> AccountEntry:
        entry = self._store.accounts.get(path.key)
        if entry is None:
            raise errors.resource_not_found(ACCOUNT_TYPE, path.name(), path.resource_group)
        return entry

    def get(self, path: ArmPath, base_url: str) -> ArmResult:
        with self._store.lock:
            return ArmResult(200, self.render(self.entry(path), base_url))

    def list_accounts(self, subscription: str, resource_group: str | None, base_url: str) -> ArmResult:
        with self._store.lock:
            if (
                resource_group is not None
                and self._store.resource_group(subscription, resource_group) is None
            ):
                raise errors.resource_group_not_found(resource_group)
            items = [self.render(e, base_url) for e in self._store.accounts_in(subscription, resource_group)]
        return ArmResult(200, {"value": items})

    def render(self, entry: AccountEntry, base_url: str) -> dict[str, Any]:
        body = copy_json(entry.resource)
        props = body.setdefault("properties", {})
        props["provisioningState"] = self._store.provisioning_state(entry.path.key, self._state.now())
        endpoint = account_endpoint(base_url, entry.subdomain)
        props["endpoint"] = endpoint
        props["endpoints"] = {name: endpoint for name in ENDPOINT_NAMES}
        return body

    # -- writes ----------------------------------------------------------------------------------------
    def create_or_update(self, path: ArmPath, body: dict[str, Any], base_url: str) -> ArmResult:
        with self._store.lock:
            self._require_resource_group(path)
            location = body.get("location")
            if not isinstance(location, str) or not location:
                raise errors.invalid_body("The location property is required for this definition.")
            props = body.get("properties") or {}
            if not isinstance(props, dict):
                raise errors.invalid_body("The account's 'properties' must be an object.")
            existing = self._store.accounts.get(path.key)
            deleted_key = self._store.deleted_key(path)
            deleted = self._store.deleted.get(deleted_key)
            restore = props.get("restore") is True
            if existing is None and deleted is not None and not restore:
                raise errors.flag_must_be_set_for_restore(path.id)
            if existing is not None:
                self._require_idle(existing)
            self._require_free_subdomain(path, props.get("customSubDomainName"))

            old_subdomain = existing.subdomain if existing else None
            if existing is not None:
                entry, status, pending = existing, 200, facts.UPDATE_IN_PROGRESS_STATE
                entry.resource = self._normalise(path, body, entry.resource)
            elif deleted is not None:
                del self._store.deleted[deleted_key]
                entry, status, pending = deleted.entry, 201, "Creating"
                entry.resource = self._normalise(path, body, entry.resource)
            else:
                entry = AccountEntry(
                    path=path, resource=self._normalise(path, body, None), keys=(new_key(), new_key())
                )
                status, pending = 201, "Creating"
            self._store.accounts[path.key] = entry
            operation = self._state.operations.start(path.subscription, entry.location)
            self._store.mark_pending(path.key, operation.done_at, pending)
            entry.busy_until = operation.done_at
            push_account(self._state.registry, self._store, entry, old_subdomain)
            return ArmResult(status, self.render(entry, base_url), operation)

    def update(self, path: ArmPath, patch: dict[str, Any], base_url: str) -> ArmResult:
        with self._store.lock:
            entry = self.entry(path)
            self._require_idle(entry)
            merged = copy_json(entry.resource)
            for key in ("tags", "sku", "identity", "kind"):
                if key in patch:
                    merged[key] = patch[key]
            props = patch.get("properties") or {}
            if not isinstance(props, dict):
                raise errors.invalid_body("The account's 'properties' must be an object.")
            merged.setdefault("properties", {}).update(props)
            self._require_free_subdomain(path, merged["properties"].get("customSubDomainName"))
            old_subdomain = entry.subdomain
            entry.resource = self._normalise(path, merged, entry.resource)
            operation = self._state.operations.start(path.subscription, entry.location)
            self._store.mark_pending(path.key, operation.done_at, facts.UPDATE_IN_PROGRESS_STATE)
            entry.busy_until = operation.done_at
            push_account(self._state.registry, self._store, entry, old_subdomain)
            return ArmResult(200, self.render(entry, base_url), operation)

    def delete(self, path: ArmPath) -> ArmResult:
        """Soft-delete: the account leaves the data plane at once and holds its name until purged."""
        with self._store.lock:
            entry = self._store.accounts.get(path.key)
            if entry is None:
                return ArmResult(204)
            self._require_idle(entry)
            now = datetime.now(UTC)
            del self._store.accounts[path.key]
            self._store.deleted[self._store.deleted_key(path)] = DeletedAccount(
                entry, now.isoformat(), (now + SOFT_DELETE_RETENTION).isoformat()
            )
            for key in [k for k in self._store.generic if k.startswith(path.key + "/")]:
                del self._store.generic[key]
            remove_account(self._state.registry, entry)
            return ArmResult(202, None, self._state.operations.start(path.subscription, entry.location))

    def list_keys(self, path: ArmPath) -> ArmResult:
        with self._store.lock:
            entry = self.entry(path)
            if entry.properties.get("disableLocalAuth") is True:
                raise errors.local_auth_disabled()
            return ArmResult(200, {"key1": entry.keys[0], "key2": entry.keys[1]})

    def regenerate_key(self, path: ArmPath, body: dict[str, Any]) -> ArmResult:
        with self._store.lock:
            entry = self.entry(path)
            name = str(body.get("keyName", "")).lower()
            if name not in ("key1", "key2"):
                raise errors.invalid_body("keyName must be 'Key1' or 'Key2'.")
            keys = list(entry.keys)
            keys[0 if name == "key1" else 1] = new_key()
            entry.keys = (keys[0], keys[1])
            push_account(self._state.registry, self._store, entry)
            return ArmResult(200, {"key1": entry.keys[0], "key2": entry.keys[1]})

    # -- deleted accounts ------------------------------------------------------------------------------
    def list_deleted(self, subscription: str) -> ArmResult:
        with self._store.lock:
            items = [
                self._render_deleted(d)
                for d in self._store.deleted.values()
                if d.entry.path.subscription.lower() == subscription.lower()
            ]
        return ArmResult(200, {"value": items})

    def list_deleted_bodies(self) -> list[dict[str, Any]]:
        return [self._render_deleted(d) for d in self._store.deleted.values()]

    def get_deleted(self, path: ArmPath) -> ArmResult:
        with self._store.lock:
            return ArmResult(200, self._render_deleted(self._deleted(path)))

    def purge(self, path: ArmPath) -> ArmResult:
        with self._store.lock:
            deleted = self._deleted(path)
            del self._store.deleted[self._store.deleted_key(deleted.entry.path)]
            return ArmResult(
                202, None, self._state.operations.start(path.subscription, deleted.entry.location)
            )

    def _deleted(self, path: ArmPath) -> DeletedAccount:
        # path: .../locations/{location}/resourceGroups/{rg}/deletedAccounts/{name}
        location, group, name = (s.name for s in path.segments[-3:])
        account = ArmPath(
            path.subscription, group, (Segment("Microsoft.CognitiveServices", "accounts", name),)
        )
        deleted = self._store.deleted.get(self._store.deleted_key(account))
        if deleted is None or deleted.entry.location != location.replace(" ", "").lower():
            raise errors.resource_not_found("Microsoft.CognitiveServices/deletedAccounts", name, group)
        return deleted

    def _render_deleted(self, deleted: DeletedAccount) -> dict[str, Any]:
        entry = deleted.entry
        body = copy_json(entry.resource)
        body["id"] = (
            f"/subscriptions/{entry.path.subscription}/providers/Microsoft.CognitiveServices/locations/"
            f"{entry.location}/resourceGroups/{entry.path.resource_group}/deletedAccounts/{entry.name}"
        )
        body["type"] = "Microsoft.CognitiveServices/deletedAccounts"
        props = body.setdefault("properties", {})
        props["deletionDate"] = deleted.deletion_date
        props["scheduledPurgeDate"] = deleted.scheduled_purge_date
        props["provisioningState"] = facts.DELETED_ACCOUNT_STATE
        return body

    # -- rules -----------------------------------------------------------------------------------------
    def _require_resource_group(self, path: ArmPath) -> None:
        if (
            path.resource_group is None
            or self._store.resource_group(path.subscription, path.resource_group) is None
        ):
            raise errors.resource_group_not_found(path.resource_group or "")

    def _require_idle(self, entry: AccountEntry) -> None:
        if self._state.now() < entry.busy_until:
            raise errors.request_conflict(entry.path.id)

    def _require_free_subdomain(self, path: ArmPath, subdomain: Any) -> None:
        if not subdomain:
            return
        owner = self._store.subdomain_owner(str(subdomain))
        if owner is not None and owner.lower() != path.key:
            raise errors.custom_domain_in_use(str(subdomain))

    def _normalise(self, path: ArmPath, body: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "id": path.id,
            "name": path.name(),
            "type": ACCOUNT_TYPE,
            "location": body.get("location") or (old or {}).get("location"),
            "kind": body.get("kind", "AIServices"),
            "sku": body.get("sku") or {"name": "S0"},
            "tags": body.get("tags") or {},
            "properties": {k: v for k, v in (body.get("properties") or {}).items() if k != "restore"},
        }
        old_props = (old or {}).get("properties", {})
        resource["properties"]["dateCreated"] = old_props.get("dateCreated") or datetime.now(UTC).isoformat()
        resource["properties"]["internalId"] = old_props.get("internalId") or uuid.uuid4().hex
        identity = body.get("identity")
        if isinstance(identity, dict) and "systemassigned" in str(identity.get("type", "")).lower():
            old_identity = (old or {}).get("identity") or {}
            resource["identity"] = {
                **identity,
                "principalId": old_identity.get("principalId") or str(uuid.uuid4()),
                "tenantId": self._state.settings.tenant_id,
            }
        elif identity is not None:
            resource["identity"] = identity
        return resource
