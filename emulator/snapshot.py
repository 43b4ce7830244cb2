"""Saved state under ``--state-dir``: named parts written to one JSON file and read back at the next start.

Each part of the emulator registers a pair of functions with ``EmulatorState.on_snapshot(name, save,
load)``: ``save() -> JSON value`` returns what to keep, ``load(value)`` puts it back. The data plane
registers ``"dataplane"`` (accounts and deployments); the ARM part can register ``"arm"`` the same way.
A part registered after the file was read is loaded at once, so registration order does not matter.

The file is ``<state-dir>/state.json``::

    {"version": 1, "configDigest": "<sha256 of the config>", "parts": {"dataplane": {...}, "arm": {...}}}

It is written atomically (temp file + rename) when something changed (checked every second while
serving), after ``/_emulator/reset`` and at a clean stop. It is only read back when the config is the
same as when it was saved: a changed config starts from the config, with a note on stderr.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from emulator.errors import ConfigError

FILE_NAME = "state.json"
FORMAT_VERSION = 1

SaveFn = Callable[[], Any]
LoadFn = Callable[[Any], None]


def config_digest(raw_config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(raw_config, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class _Part:
    save: SaveFn
    load: LoadFn


class Snapshots:
    """The registered parts and, with a state dir, the file they are saved to and read from."""

    def __init__(self, folder: Path | None, digest: str, *, notes: TextIO | None = None) -> None:
        self.path = folder / FILE_NAME if folder is not None else None
        self._digest = digest
        self._notes = notes
        self._parts: dict[str, _Part] = {}
        self._pending: dict[str, Any] = {}
        self._last_written: str | None = None

    def read(self) -> None:
        """Read the saved parts (loaded as each part registers). A missing file is a first start."""
        if self.path is None or not self.path.is_file():
            return
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"The saved state {self.path} cannot be read; delete it to start from the config."
            ) from exc
        if not isinstance(saved, dict) or saved.get("version") != FORMAT_VERSION:
            raise ConfigError(
                f"The saved state {self.path} has an unknown format; delete it to start from the config."
            )
        if saved.get("configDigest") != self._digest:
            print(
                f"note: the config changed since {self.path} was saved; starting from the config.",
                file=self._notes or sys.stderr,
            )
            return
        parts = saved.get("parts")
        self._pending = dict(parts) if isinstance(parts, dict) else {}

    def register(self, name: str, save: SaveFn, load: LoadFn) -> None:
        self._parts[name] = _Part(save, load)
        if name in self._pending:
            value = self._pending.pop(name)
            try:
                load(value)
            except (KeyError, TypeError, ValueError) as exc:
                raise ConfigError(
                    f"The saved state {self.path} has a bad '{name}' part; "
                    "delete it to start from the config."
                ) from exc

    def document(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "configDigest": self._digest,
            "parts": {name: part.save() for name, part in self._parts.items()},
        }

    def save(self, *, only_if_changed: bool = False) -> bool:
        """Write the file (no-op without a state dir); True when it was written."""
        if self.path is None:
            return False
        text = json.dumps(self.document(), indent=1, sort_keys=True)
        if only_if_changed and text == self._last_written:
            return False
        scratch = self.path.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
        try:
            scratch.write_text(text, encoding="utf-8")
            scratch.chmod(0o600)  # it holds account keys
            os.replace(scratch, self.path)
        except OSError as exc:
            # Serving goes on; the user learns the state is not being kept.
            print(
                f"warning: cannot save the state to {self.path}: {exc.strerror}.",
                file=self._notes or sys.stderr,
            )
            return False
        self._last_written = text
        return True
