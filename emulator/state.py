"""Everything one emulator instance holds, in one object the data plane, admin and ARM routes share.

Made by ``create_app`` (no module globals). ``reset()`` returns it to its start state: accounts and faults
from the config file, empty rate windows and request log; other parts (the ARM API) register extra
reset steps with ``on_reset``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from emulator.accounts import AccountRegistry
from emulator.catalog import Catalog
from emulator.config import Settings
from emulator.faults import FaultStore
from emulator.imaging import ImageCache
from emulator.ratelimit import SlidingWindowLimiter, requests_per_minute
from emulator.requestlog import RequestLog


@dataclass
class EmulatorState:
    settings: Settings
    catalog: Catalog
    registry: AccountRegistry = field(default_factory=AccountRegistry)
    limiter: SlidingWindowLimiter = field(default_factory=SlidingWindowLimiter)
    faults: FaultStore = field(default_factory=FaultStore)
    request_log: RequestLog = field(default_factory=RequestLog)
    images: ImageCache = field(default_factory=ImageCache)
    # Set by the server once the socket is bound; ends with "/".
    base_url: str = "http://127.0.0.1/"
    started_at: float = field(default_factory=time.time)
    _reset_hooks: list[Callable[[], None]] = field(default_factory=list)
    _release: asyncio.Event | None = None

    @classmethod
    def create(cls, settings: Settings, catalog: Catalog) -> EmulatorState:
        state = cls(
            settings=settings,
            catalog=catalog,
            faults=FaultStore(seed=settings.config.fault_seed),
            request_log=RequestLog(settings.config.request_log_size),
        )
        state.load_config()
        return state

    @property
    def rpm_per_capacity_unit(self) -> float:
        configured = self.settings.config.rpm_per_capacity_unit
        return configured if configured is not None else self.catalog.rpm_per_capacity_unit

    def rpm(self, capacity: int) -> int:
        return requests_per_minute(capacity, self.rpm_per_capacity_unit)

    def endpoint(self, subdomain: str) -> str:
        """The account's data-plane URL, what the SDKs take as ``azure_endpoint``."""
        return f"{self.base_url}accounts/{subdomain}/"

    def load_config(self) -> None:
        for account in self.settings.config.accounts:
            self.registry.upsert_account(account)
        for subdomain, deployment, spec in self.settings.config.faults:
            self.faults.set(subdomain, deployment, spec)

    def on_reset(self, hook: Callable[[], None]) -> None:
        self._reset_hooks.append(hook)

    def release_event(self) -> asyncio.Event:
        """Hung requests wait on this; ``reset`` and clearing faults set it so they end at once."""
        if self._release is None:
            self._release = asyncio.Event()
        return self._release

    def release_hung(self) -> None:
        if self._release is not None:
            self._release.set()
            self._release = None

    def reset(self) -> None:
        self.release_hung()
        self.registry.clear()
        self.faults.clear()
        self.limiter.clear()
        self.request_log.clear()
        self.load_config()
        for hook in self._reset_hooks:
            hook()
