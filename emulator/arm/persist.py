"""The ARM store as JSON, for ``--state-dir``: the ``"arm"`` part of the emulator's snapshot.

Kept: resource groups, accounts (with keys, deployments, RAI policies, projects), soft-deleted accounts,
the generic store, run-time quota and released model versions. Not kept: running operations and their
deadlines (monotonic times mean nothing in the next process; everything reads Succeeded after a
restart) and injected faults, as the data plane does not keep its faults either. The data plane's
mirror of these accounts is the ``"dataplane"`` part, saved in the same file at the same moment.
"""

from __future__ import annotations

from typing import Any

from emulator.arm.ids import parse_arm_path
from emulator.arm.offers import Release
from emulator.arm.state import ArmState
from emulator.arm.store import AccountEntry, DeletedAccount, copy_json

SNAPSHOT_PART = "arm"


def save_arm(state: ArmState) -> dict[str, Any]:
    store = state.store
    with store.lock:
        return {
            "resourceGroups": copy_json(store.resource_groups),
            "accounts": [_entry_to_json(e) for e in store.accounts.values()],
            "deletedAccounts": [
                {"account": _entry_to_json(d.entry), "deletionDate": d.deletion_date,
                 "scheduledPurgeDate": d.scheduled_purge_date}
                for d in store.deleted.values()
            ],
            "generic": copy_json(store.generic),
            "quota": copy_json(state.quota),
            "releases": [r.to_json() for r in state.releases],
        }


def load_arm(state: ArmState, value: dict[str, Any]) -> None:
    """Replace the store with a saved one; a malformed value raises KeyError/TypeError/ValueError."""
    accounts = [_entry_from_json(a) for a in value["accounts"]]
    deleted = [
        DeletedAccount(_entry_from_json(d["account"]), str(d["deletionDate"]), str(d["scheduledPurgeDate"]))
        for d in value["deletedAccounts"]
    ]
    groups, generic, quota = value["resourceGroups"], value["generic"], value["quota"]
    if not all(isinstance(x, dict) for x in (groups, generic, quota)):
        raise TypeError("resourceGroups, generic and quota must be objects")
    store = state.store
    with store.lock:
        store.clear()
        store.resource_groups.update(copy_json(groups))
        store.accounts.update({e.path.key: e for e in accounts})
        store.deleted.update({store.deleted_key(d.entry.path): d for d in deleted})
        store.generic.update(copy_json(generic))
        state.quota = {str(r): {str(k): int(v) for k, v in limits.items()} for r, limits in quota.items()}
        # Saved before releases existed: none.
        state.set_releases(tuple(
            Release(str(r["model"]), str(r["version"]), r.get("retirementDate"), bool(r.get("default")))
            for r in value.get("releases", [])
        ))


def _entry_to_json(entry: AccountEntry) -> dict[str, Any]:
    return {
        "id": entry.path.id,
        "resource": copy_json(entry.resource),
        "keys": list(entry.keys),
        "deployments": copy_json(entry.deployments),
        "raiPolicies": copy_json(entry.rai_policies),
        "projects": copy_json(entry.projects),
    }


def _entry_from_json(value: dict[str, Any]) -> AccountEntry:
    key1, key2 = (str(k) for k in value["keys"])
    children = [value[name] for name in ("deployments", "raiPolicies", "projects")]
    if not isinstance(value["resource"], dict) or not all(isinstance(c, dict) for c in children):
        raise TypeError("an account's resource and children must be objects")
    return AccountEntry(
        path=parse_arm_path(str(value["id"])),
        resource=copy_json(value["resource"]),
        keys=(key1, key2),
        deployments=copy_json(children[0]),
        rai_policies=copy_json(children[1]),
        projects=copy_json(children[2]),
    )
