"""In-memory ARM state, keyed the way ARM scopes it: subscription / resource group / account / child.

Keys are lower-cased resource ids (ARM names are case-insensitive); stored bodies keep the caller's case.
Stored bodies never carry ``provisioningState``: it is computed on read from ``pending`` deadlines, so a
resource reads Creating/Updating/Accepted until its operation's deadline and Succeeded after.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from emulator.arm.ids import ArmPath


@dataclass
class AccountEntry:
    """One live (or soft-deleted) account with its children and secrets."""

    path: ArmPath
    resource: dict[str, Any]
    keys: tuple[str, str]
    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)
    rai_policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Until this monotonic time a deployment/account operation is running: another one gets RequestConflict.
    busy_until: float = 0.0

    @property
    def name(self) -> str:
        return self.path.name()

    @property
    def location(self) -> str:
        return str(self.resource.get("location", "")).replace(" ", "").lower()

    @property
    def properties(self) -> dict[str, Any]:
        return self.resource.setdefault("properties", {})

    @property
    def subdomain(self) -> str:
        """The data-plane key: customSubDomainName, else the account name (lower-case)."""
        custom = self.properties.get("customSubDomainName")
        return str(custom or self.name).lower()


@dataclass
class DeletedAccount:
    entry: AccountEntry
    deletion_date: str
    scheduled_purge_date: str


class ArmStore:
    """All ARM resources of one emulator. Callers hold ``lock`` around read-modify-write sequences."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.resource_groups: dict[str, dict[str, Any]] = {}
        self.accounts: dict[str, AccountEntry] = {}
        self.deleted: dict[str, DeletedAccount] = {}
        self.generic: dict[str, dict[str, Any]] = {}
        # lower id -> (monotonic deadline, provisioningState shown until then)
        self.pending: dict[str, tuple[float, str]] = {}

    def clear(self) -> None:
        with self.lock:
            self.resource_groups.clear()
            self.accounts.clear()
            self.deleted.clear()
            self.generic.clear()
            self.pending.clear()

    def provisioning_state(self, key: str, now: float) -> str:
        deadline, state = self.pending.get(key.lower(), (0.0, "Succeeded"))
        return state if now < deadline else "Succeeded"

    def mark_pending(self, key: str, deadline: float, state: str) -> None:
        self.pending[key.lower()] = (deadline, state)

    def resource_group(self, subscription: str, name: str) -> dict[str, Any] | None:
        return self.resource_groups.get(rg_key(subscription, name))

    def accounts_in(self, subscription: str, resource_group: str | None = None) -> Iterator[AccountEntry]:
        for entry in self.accounts.values():
            if entry.path.subscription.lower() != subscription.lower():
                continue
            if resource_group is None or (entry.path.resource_group or "").lower() == resource_group.lower():
                yield entry

    def deleted_key(self, path: ArmPath) -> str:
        return f"{path.subscription}/{path.resource_group}/{path.name()}".lower()

    def subdomain_owner(self, subdomain: str) -> str | None:
        """The id of the live or soft-deleted account holding this custom subdomain, if any."""
        wanted = subdomain.lower()
        for entry in [*self.accounts.values(), *(d.entry for d in self.deleted.values())]:
            custom = entry.properties.get("customSubDomainName")
            if custom and str(custom).lower() == wanted:
                return entry.path.id
        return None

    def capacity_in_use(self, subscription: str, region: str, sku: str, model: str) -> int:
        """Capacity all deployments of the subscription hold in this region for this model+SKU."""
        total = 0
        for entry in self.accounts_in(subscription):
            if entry.location != region.lower():
                continue
            for deployment in entry.deployments.values():
                if _bucket(deployment) == (sku.lower(), model.lower()):
                    total += int(deployment.get("sku", {}).get("capacity", 0))
        return total


def rg_key(subscription: str, name: str) -> str:
    return f"/subscriptions/{subscription}/resourcegroups/{name}".lower()


def _bucket(deployment: dict[str, Any]) -> tuple[str, str]:
    sku = str(deployment.get("sku", {}).get("name", "")).lower()
    model = str(deployment.get("properties", {}).get("model", {}).get("name", "")).lower()
    return sku, model


def copy_json(value: Any) -> Any:
    """A deep copy of JSON data, so callers can never mutate stored bodies."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value
