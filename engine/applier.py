"""Apply one resource to ARM and say what happened: created, updated, unchanged or deleted.

A resource whose current ARM state already holds everything the program asks for is left alone
("unchanged", no PUT), so a second `up` changes nothing and takes no deployment lock on the account.
In ``preview`` mode nothing is written: each change is reported as it would happen, and the answer handed
back to the program is what ARM holds, or the request itself for a resource that does not exist yet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from engine.arm_client import ArmClient
from engine.errors import ArmError
from engine.resource_map import ArmRequest, is_subset

Action = Literal["created", "updated", "unchanged", "deleted"]
DEPLOYMENT_API = "2025-06-01"
ACCOUNT_TOKEN = "azure-native:cognitiveservices:Account"


@dataclass(frozen=True)
class Change:
    """One line of the engine's report."""

    action: Action
    kind: str
    name: str
    arm_id: str


ChangeListener = Callable[[Change], None]


class Applier:
    """Turns :class:`ArmRequest` s into ARM calls, one at a time, and records each :class:`Change`."""

    def __init__(
        self, arm: ArmClient, on_change: ChangeListener | None = None, *, preview: bool = False
    ) -> None:
        self._arm = arm
        self._on_change = on_change
        self.preview = preview
        self.changes: list[Change] = []
        # Every request the program declared, in the order it was applied (destroy walks it backwards).
        self.requests: list[ArmRequest] = []

    def apply(self, request: ArmRequest) -> dict[str, Any]:
        """PUT the resource unless ARM already holds it; returns ARM's body for it."""
        self.requests.append(request)
        try:
            current = self._arm.get(request.path, request.api_version)
            if current is not None and _unchanged(request.body, current):
                self._record("unchanged", request.kind, request.arm_name, request.path)
                return current
            if self.preview:
                answer = {**(current or {}), **request.body, "id": request.path, "name": request.arm_name}
            else:
                answer = self._arm.put(request.path, request.api_version, request.body)
        except ArmError as exc:
            raise exc.for_resource(f"{request.kind} {request.arm_name}") from None
        action: Action = "created" if current is None else "updated"
        self._record(action, request.kind, request.arm_name, request.path)
        return answer

    def delete_undeclared_deployments(self, account_id: str, declared: set[str]) -> list[str]:
        """Delete the account's deployments the program no longer declares; returns their names."""
        removed: list[str] = []
        collection = f"{account_id}/deployments"
        try:
            existing = self._arm.list(collection, DEPLOYMENT_API)
        except ArmError as exc:
            if self.preview and exc.status == 404:
                return removed  # the account itself would be created: it has no deployments yet
            raise
        for item in existing:
            name = str(item.get("name", "")).rsplit("/", 1)[-1]
            if not name or name in declared:
                continue
            try:
                if not self.preview:
                    self._arm.delete(f"{collection}/{name}", DEPLOYMENT_API)
            except ArmError as exc:
                raise exc.for_resource(f"cognitiveservices:Deployment {name}") from None
            self._record("deleted", "cognitiveservices:Deployment", name, f"{collection}/{name}")
            removed.append(name)
        return removed

    def destroy(self, requests: list[ArmRequest]) -> None:
        """Delete what ``requests`` declare, last declared first, skipping what is already gone."""
        for request in reversed(requests):
            try:
                removed = self._arm.delete(request.path, request.api_version)
            except ArmError as exc:
                raise exc.for_resource(f"{request.kind} {request.arm_name}") from None
            if removed:
                self._record("deleted", request.kind, request.arm_name, request.path)
            if removed and request.token == ACCOUNT_TOKEN:
                self._purge(request)

    def _purge(self, request: ArmRequest) -> None:
        # Azure keeps a deleted account soft-deleted; purge it so a later `up` can reuse the name.
        parts = request.path.split("/")
        subscription, group = parts[2], parts[4]
        location = str(request.body.get("location", "")).replace(" ", "").lower()
        path = (
            f"/subscriptions/{subscription}/providers/Microsoft.CognitiveServices/locations/{location}"
            f"/resourceGroups/{group}/deletedAccounts/{request.arm_name}"
        )
        try:
            self._arm.delete(path, request.api_version)
        except ArmError as exc:
            raise exc.for_resource(f"{request.kind} {request.arm_name} (purge)") from None

    def _record(self, action: Action, kind: str, name: str, arm_id: str) -> None:
        change = Change(action, kind, name, arm_id)
        self.changes.append(change)
        if self._on_change is not None:
            self._on_change(change)


def _unchanged(desired: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
    # ARM reports regions in its own spelling ("East US 2"); compare them the way ARM does.
    if "location" in desired and _region(desired["location"]) != _region(current.get("location")):
        return False
    rest = {k: v for k, v in desired.items() if k != "location"}
    return is_subset(rest, current)


def _region(value: Any) -> str:
    return str(value or "").replace(" ", "").lower()
