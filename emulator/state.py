"""Everything one emulator instance holds, in one object the data plane, admin and ARM routes share.

Made by ``create_app`` (no module globals). ``reset()`` returns it to its start state: accounts and faults
from the config file, empty rate windows, request log and metrics; other parts (the ARM API) register extra
reset steps with ``on_reset``.

With ``--state-dir`` the state is also saved to a folder (``emulator.snapshot``): each part registers
``on_snapshot(name, save, load)``; the data plane's part is ``"dataplane"`` (accounts and deployments; faults,
rate windows and the request log are not kept).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from emulator.accounts import AccountRegistry, account_from_json, account_to_json
from emulator.catalog import Catalog
from emulator.config import Settings
from emulator.faults import FaultStore
from emulator.imaging import ImageCache
from emulator.metrics import MetricsStore
from emulator.ratelimit import SlidingWindowLimiter, requests_per_minute
from emulator.requestlog import RequestLog
from emulator.snapshot import LoadFn, SaveFn, Snapshots, config_digest


@dataclass
class EmulatorState:
    settings: Settings
    catalog: Catalog
    registry: AccountRegistry = field(default_factory=AccountRegistry)
    limiter: SlidingWindowLimiter = field(default_factory=SlidingWindowLimiter)
    faults: FaultStore = field(default_factory=FaultStore)
    request_log: RequestLog = field(default_factory=RequestLog)
    # What the data plane served, per account and minute: the Azure Monitor metrics ARM answers from.
    metrics: MetricsStore = field(default_factory=MetricsStore)
    images: ImageCache = field(default_factory=ImageCache)
    # Set by the server once the socket is bound; ends with "/".
    base_url: str = "http://127.0.0.1/"
    started_at: float = field(default_factory=time.time)
    snapshots: Snapshots = field(default_factory=lambda: Snapshots(None, ""))
    _reset_hooks: list[Callable[[], None]] = field(default_factory=list)
    _release: asyncio.Event | None = None

    @classmethod
    def create(cls, settings: Settings, catalog: Catalog) -> EmulatorState:
        state = cls(
            settings=settings,
            catalog=catalog,
            faults=FaultStore(seed=settings.config.fault_seed),
            request_log=RequestLog(settings.config.request_log_size),
            snapshots=Snapshots(settings.state_dir, config_digest(settings.config.raw)),
        )
        state.load_config()
        state.snapshots.read()
        state.on_snapshot("dataplane", state._save_dataplane, state._load_dataplane)
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

    def on_snapshot(self, name: str, save: SaveFn, load: LoadFn) -> None:
        """Keep a part's state across restarts with ``--state-dir``.

        ``save()`` returns a JSON-serialisable value; ``load(value)`` restores it, called at once when the
        saved file holds ``name`` (saved under the same config). Both run on the server's event loop.
        """
        self.snapshots.register(name, save, load)

    def save_state(self, *, only_if_changed: bool = False) -> bool:
        """Write the snapshot to ``--state-dir`` (nothing without one); True when written."""
        return self.snapshots.save(only_if_changed=only_if_changed)

    def _save_dataplane(self) -> dict[str, object]:
        accounts = sorted(self.registry.all(), key=lambda a: a.subdomain)
        return {"accounts": [account_to_json(a) for a in accounts]}

    def _load_dataplane(self, value: dict[str, list[dict[str, object]]]) -> None:
        self.registry.replace_all([account_from_json(a) for a in value["accounts"]])

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
        self.metrics.clear()
        self.load_config()
        for hook in self._reset_hooks:
            hook()
        self.save_state()
