"""The accounts and deployments the data plane serves, keyed by custom subdomain.

This is the seam between the two halves of the emulator: the config file (and, later, the ARM API)
writes here; the images data plane only reads. An account's data plane lives at
``{base_url}/accounts/{subdomain}/`` - the URL the SDKs take as ``azure_endpoint``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class DeploymentSpec:
    """One model deployment as the data plane sees it."""

    name: str
    model: str
    version: str
    sku: str = "GlobalStandard"
    capacity: int = 1
    # Wall-clock time the deployment was created; the "created less than N seconds ago" fault reads it.
    created_at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class AccountSpec:
    """One Azure OpenAI / Foundry account as the data plane sees it."""

    subdomain: str
    keys: tuple[str, ...] = ()
    local_auth_disabled: bool = False
    block_terms: tuple[str, ...] = ()
    region: str = "eastus2"
    deployments: dict[str, DeploymentSpec] = field(default_factory=dict)
    # Entra principal ids (token ``oid``) holding an OpenAI data role; None means every valid token may call.
    openai_users: tuple[str, ...] | None = None
    # Principals holding a data role through an ARM role assignment on the account (None: it has none). Held
    # against managed-identity tokens only (the API Management gateway's): the local engine and smoke call
    # with a local identity that the stack gives no role, and keep the ``openai_users`` rule.
    role_holders: tuple[str, ...] | None = None


def account_to_json(account: AccountSpec) -> dict[str, Any]:
    """An account as saved under ``--state-dir`` (field names as in this module)."""
    data = asdict(account)
    data["deployments"] = [asdict(d) for d in account.deployments.values()]
    return data


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise TypeError(what)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _deployment_from_json(d: Any) -> DeploymentSpec:
    _require(isinstance(d, dict), "a deployment must be an object")
    for key in ("name", "model", "version", "sku"):
        _require(isinstance(d.get(key), str), f"deployment {key} must be a string")
    capacity, created = d.get("capacity"), d.get("created_at")
    _require(
        isinstance(capacity, int) and not isinstance(capacity, bool) and capacity >= 1,
        "deployment capacity must be a whole number >= 1",
    )
    _require(isinstance(created, int | float) and not isinstance(created, bool), "created_at: a number")
    return DeploymentSpec(**d)


def account_from_json(data: dict[str, Any]) -> AccountSpec:
    """An account saved by ``account_to_json``; TypeError/KeyError when the value is not one."""
    _require(isinstance(data, dict), "an account must be an object")
    _require(isinstance(data["subdomain"], str) and bool(data["subdomain"]), "subdomain must be a string")
    _require(_strings(data["keys"]) and _strings(data["block_terms"]), "keys and block_terms: strings")
    _require(isinstance(data["local_auth_disabled"], bool), "local_auth_disabled must be true or false")
    _require(isinstance(data["region"], str), "region must be a string")
    _require(isinstance(data["deployments"], list), "deployments must be a list")
    deployments = [_deployment_from_json(d) for d in data["deployments"]]
    users = data.get("openai_users")
    _require(users is None or _strings(users), "openai_users must be a list of strings")
    holders = data.get("role_holders")
    _require(holders is None or _strings(holders), "role_holders must be a list of strings")
    return AccountSpec(
        subdomain=data["subdomain"],
        keys=tuple(data["keys"]),
        local_auth_disabled=bool(data["local_auth_disabled"]),
        block_terms=tuple(data["block_terms"]),
        region=data["region"],
        deployments={d.name: d for d in deployments},
        openai_users=tuple(users) if users is not None else None,
        role_holders=tuple(holders) if holders is not None else None,
    )


class AccountRegistry:
    """Thread-safe map subdomain -> account. Readers get immutable snapshots."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accounts: dict[str, AccountSpec] = {}

    def get(self, subdomain: str) -> AccountSpec | None:
        with self._lock:
            return self._accounts.get(subdomain)

    def all(self) -> list[AccountSpec]:
        with self._lock:
            return list(self._accounts.values())

    def upsert_account(self, account: AccountSpec) -> None:
        """Create or replace an account's settings; its existing deployments are kept."""
        with self._lock:
            old = self._accounts.get(account.subdomain)
            deployments = dict(old.deployments) if old else dict(account.deployments)
            if old and account.deployments:
                deployments.update(account.deployments)
            self._accounts[account.subdomain] = replace(account, deployments=deployments)

    def delete_account(self, subdomain: str) -> None:
        with self._lock:
            self._accounts.pop(subdomain, None)

    def upsert_deployment(self, subdomain: str, deployment: DeploymentSpec) -> None:
        """Create or update a deployment; an update keeps the original ``created_at``."""
        with self._lock:
            account = self._accounts[subdomain]
            old = account.deployments.get(deployment.name)
            if old is not None:
                deployment = replace(deployment, created_at=old.created_at)
            deployments = {**account.deployments, deployment.name: deployment}
            self._accounts[subdomain] = replace(account, deployments=deployments)

    def delete_deployment(self, subdomain: str, name: str) -> None:
        with self._lock:
            account = self._accounts.get(subdomain)
            if account is None or name not in account.deployments:
                return
            deployments = {k: v for k, v in account.deployments.items() if k != name}
            self._accounts[subdomain] = replace(account, deployments=deployments)

    def clear(self) -> None:
        with self._lock:
            self._accounts.clear()

    def replace_all(self, accounts: list[AccountSpec]) -> None:
        with self._lock:
            self._accounts = {a.subdomain: a for a in accounts}
