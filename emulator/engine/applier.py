"""Apply one resource to ARM and say what happened: created, updated, unchanged or deleted.

A resource whose current ARM state already holds everything the program asks for is left alone
("unchanged", no PUT), so a second `up` changes nothing and takes no deployment lock on the account.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from emulator.engine.arm_client import ArmClient
from emulator.engine.errors import ArmError
from emulator.engine.resource_map import ArmRequest, is_subset

Action = Literal["created", "updated", "unchanged", "deleted"]
DEPLOYMENT_API = "2025-06-01"


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

    def __init__(self, arm: ArmClient, on_change: ChangeListener | None = None) -> None:
        self._arm = arm
        self._on_change = on_change
        self.changes: list[Change] = []

    def apply(self, request: ArmRequest) -> dict[str, Any]:
        """PUT the resource unless ARM already holds it; returns ARM's body for it."""
        try:
            current = self._arm.get(request.path, request.api_version)
            if current is not None and _unchanged(request.body, current):
                self._record("unchanged", request.kind, request.arm_name, request.path)
                return current
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
        for item in self._arm.list(collection, DEPLOYMENT_API):
            name = str(item.get("name", "")).rsplit("/", 1)[-1]
            if not name or name in declared:
                continue
            try:
                self._arm.delete(f"{collection}/{name}", DEPLOYMENT_API)
            except ArmError as exc:
                raise exc.for_resource(f"cognitiveservices:Deployment {name}") from None
            self._record("deleted", "cognitiveservices:Deployment", name, f"{collection}/{name}")
            removed.append(name)
        return removed

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
