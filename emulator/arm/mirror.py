"""Mirror ARM accounts and deployments into the data plane's AccountRegistry, the seam between the halves.

Every ARM write that changes what the data plane serves calls one of these, so a deployment created over
ARM answers at ``<base_url>accounts/<subdomain>/`` at once and a deleted one answers DeploymentNotFound.
Block terms come from RAI policies: the patterns of the raiBlocklists their ``customBlocklists`` name.
"""

from __future__ import annotations

from typing import Any

from emulator.accounts import AccountRegistry, AccountSpec, DeploymentSpec
from emulator.arm.store import AccountEntry, ArmStore


def deployment_spec(name: str, body: dict[str, Any]) -> DeploymentSpec:
    model = body.get("properties", {}).get("model", {})
    sku = body.get("sku", {})
    return DeploymentSpec(
        name=name,
        model=str(model.get("name", "")),
        version=str(model.get("version", "")),
        sku=str(sku.get("name", "GlobalStandard")),
        capacity=int(sku.get("capacity", 1)),
    )


def block_terms(store: ArmStore, entry: AccountEntry) -> tuple[str, ...]:
    """Patterns of every raiBlocklist item named by one of the account's RAI policies, in a stable order."""
    blocklists = set()
    for policy in entry.rai_policies.values():
        for ref in policy.get("properties", {}).get("customBlocklists", []) or []:
            if isinstance(ref, dict) and ref.get("blocklistName"):
                blocklists.add(str(ref["blocklistName"]).lower())
    prefix = f"{entry.path.key}/raiblocklists/"
    terms: list[str] = []
    for key in sorted(store.generic):
        if not key.startswith(prefix):
            continue
        rest = key[len(prefix) :].split("/")
        if len(rest) == 3 and rest[0] in blocklists and rest[1] == "raiblocklistitems":
            pattern = store.generic[key].get("properties", {}).get("pattern")
            if isinstance(pattern, str) and pattern and pattern not in terms:
                terms.append(pattern)
    return tuple(terms)


# Built-in roles holding the OpenAI data actions: Cognitive Services OpenAI User / OpenAI Contributor / User.
DATA_ROLES = ("5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", "a001fd3d-188f-4b5d-821b-7da978bf7442",
              "a97b65f3-24c7-4388-baec-2e87135dc908")


def data_role_principals(store: ArmStore, entry: AccountEntry) -> tuple[str, ...] | None:
    """Principals with a data role assigned on the account; None when it has no role assignment at all."""
    prefix = f"{entry.path.key}/providers/microsoft.authorization/roleassignments/"
    assignments = [b for k, b in store.generic.items() if k.startswith(prefix)]
    if not assignments:
        return None
    return tuple(
        str(props.get("principalId"))
        for props in ((a.get("properties") or {}) for a in assignments)
        if str(props.get("roleDefinitionId", "")).rstrip("/").rsplit("/", 1)[-1].lower() in DATA_ROLES
    )


def account_spec(store: ArmStore, entry: AccountEntry) -> AccountSpec:
    props = entry.properties
    return AccountSpec(
        subdomain=entry.subdomain,
        keys=entry.keys,
        local_auth_disabled=bool(props.get("disableLocalAuth", False)),
        block_terms=block_terms(store, entry),
        region=entry.location,
        role_holders=data_role_principals(store, entry),
        deployments={d["name"]: deployment_spec(d["name"], d) for d in entry.deployments.values()},
    )


def push_account(
    registry: AccountRegistry, store: ArmStore, entry: AccountEntry, old_subdomain: str | None = None
) -> None:
    """Publish the account with all its deployments; a changed subdomain moves it."""
    if old_subdomain and old_subdomain != entry.subdomain:
        registry.delete_account(old_subdomain)
    spec = account_spec(store, entry)
    registry.upsert_account(spec)
    live = registry.get(spec.subdomain)
    # upsert_account keeps deployments it already had; drop the ones ARM no longer has.
    for name in list(live.deployments if live else {}):
        if name not in spec.deployments:
            registry.delete_deployment(spec.subdomain, name)
    for deployment in spec.deployments.values():
        registry.upsert_deployment(spec.subdomain, deployment)


def push_deployment(registry: AccountRegistry, entry: AccountEntry, body: dict[str, Any]) -> None:
    registry.upsert_deployment(entry.subdomain, deployment_spec(body["name"], body))


def remove_deployment(registry: AccountRegistry, entry: AccountEntry, name: str) -> None:
    registry.delete_deployment(entry.subdomain, name)


def remove_account(registry: AccountRegistry, entry: AccountEntry) -> None:
    registry.delete_account(entry.subdomain)
