"""The ARM half of the emulator's state and the value every provider call returns.

``ArmState`` is built once per app by ``create_arm_state`` (no module globals) and shares the data
plane's AccountRegistry. ``ArmResult`` is the boundary between providers and routes: a status, a body and,
for long-running writes, the Operation whose URLs the route puts in ``Azure-AsyncOperation``/``Location``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator import facts
from emulator.accounts import AccountRegistry
from emulator.arm.offers import Offers, Release, load_offers, with_releases
from emulator.arm.operations import Operation, Operations
from emulator.arm.settings import ArmSettings
from emulator.arm.store import ArmStore, rg_key


@dataclass(frozen=True)
class ArmResult:
    status: int
    body: dict[str, Any] | None = None
    operation: Operation | None = None
    # Extra answer headers a provider declares (an API Management entity's ETag).
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ArmState:
    settings: ArmSettings
    offers: Offers
    store: ArmStore
    operations: Operations
    registry: AccountRegistry
    clock: Callable[[], float] = time.monotonic
    # region -> usage name -> limit; starts from the config and can be changed at run time (admin route).
    quota: dict[str, dict[str, int]] = field(default_factory=dict)
    # Requests per minute per capacity unit, as the data plane enforces it (reported in rateLimits).
    rpm_per_capacity_unit: float = facts.RPM_PER_CAPACITY_UNIT
    # Injected faults (admin route): account name or subdomain (lower) -> deployment writes still to get
    # 409 RequestConflict, so callers' retry paths can be tested without racing a real operation.
    request_conflicts: dict[str, int] = field(default_factory=dict)
    # Model versions published at run time (`imagegate emulator release`), on top of the catalog's.
    releases: tuple[Release, ...] = ()
    base_offers: Offers | None = None

    def now(self) -> float:
        return self.clock()

    def release(self, release: Release) -> None:
        """Publish a model version as Azure does: models.list, usages and deployment PUTs accept it at once.

        The caller holds the store lock. Releasing a version again replaces its retirement date/default.
        """
        kept = tuple(r for r in self.releases if (r.model.lower(), r.version) != (release.model.lower(),
                                                                                  release.version))
        self.set_releases((*kept, release))

    def set_releases(self, releases: tuple[Release, ...]) -> None:
        if self.base_offers is None:
            self.base_offers = self.offers
        self.releases = releases
        self.offers = with_releases(self.base_offers, releases)

    def take_injected_conflict(self, account_name: str, subdomain: str) -> bool:
        """Consume one injected RequestConflict for this account, if any are left (caller holds the lock)."""
        for key in (account_name.lower(), subdomain.lower()):
            left = self.request_conflicts.get(key, 0)
            if left > 0:
                if left == 1:
                    del self.request_conflicts[key]
                else:
                    self.request_conflicts[key] = left - 1
                return True
        return False

    def reset(self) -> None:
        """Forget every ARM resource (and the accounts it mirrored) and run-time quota; re-seed the groups."""
        with self.store.lock:
            for entry in self.store.accounts.values():
                self.registry.delete_account(entry.subdomain)
            self.store.clear()
            self.operations.clear()
            self.request_conflicts.clear()
            self.set_releases(())
            self.quota = {region: dict(limits) for region, limits in self.settings.quota.items()}
            seed_resource_groups(self)


def create_arm_state(
    settings: ArmSettings,
    registry: AccountRegistry,
    catalog_path: Path | None = None,
    clock: Callable[[], float] = time.monotonic,
    rpm_per_capacity_unit: float = facts.RPM_PER_CAPACITY_UNIT,
) -> ArmState:
    state = ArmState(
        settings=settings,
        offers=load_offers(catalog_path, settings.availability),
        store=ArmStore(),
        operations=Operations(settings.lro_delay_seconds, clock),
        registry=registry,
        clock=clock,
        quota={region: dict(limits) for region, limits in settings.quota.items()},
        rpm_per_capacity_unit=rpm_per_capacity_unit,
    )
    seed_resource_groups(state)
    return state


def seed_resource_groups(state: ArmState) -> None:
    """Resource groups the config says already exist (a stack with ``resourceGroup.existing: true``)."""
    subscription = state.settings.subscription_id
    for name in state.settings.resource_groups:
        state.store.resource_groups[rg_key(subscription, name)] = {
            "id": f"/subscriptions/{subscription}/resourceGroups/{name}",
            "name": name,
            "type": "Microsoft.Resources/resourceGroups",
            "location": "eastus2",
            "tags": {},
        }
