"""Saved state under ``--state-dir``: named parts written to one JSON file and read back at the next start.

Each part of the emulator registers a pair of functions with ``EmulatorState.on_snapshot(name, save,
load)``: ``save() -> JSON value`` returns what to keep, ``load(value)`` puts it back. The data plane
registers ``"dataplane"`` (accounts and deployments); the ARM part can register ``"arm"`` the same way.
A part registered after the file was read is loaded at once, so registration order does not matter.

The file is ``<state-dir>/state.json``::

    {"version": 1, "configDigest": "<sha256 of the config>", "parts": {"dataplane": {...}, "arm": {...}}}

It is written atomically (temp file + rename, fsynced) when something changed (checked every second
while serving), after ``/_emulator/reset`` and at a clean stop. It is only read back when the config is
the same as when it was saved: a changed config starts from the config, with a note on stderr.

A file that cannot be used is never served: it is parsed strictly (``emulator.jsonbody``), every part
must load and pass its part's check, and every registered part must be present; otherwise the start is
refused with one ``ConfigError`` naming the file and what is wrong (the CLI prints it and exits 2).
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
from emulator.jsonbody import JsonRejected, parse_json

FILE_NAME = "state.json"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 512 * 1024 * 1024
# Stored request bodies nest up to the request depth limit (64) under a few levels of the file itself.
MAX_FILE_DEPTH = 100

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
        self._expected: set[str] = set()

    def _refuse(self, what: str) -> ConfigError:
        return ConfigError(f"The saved state {self.path} {what}; delete it to start from the config.")

    def read(self) -> None:
        """Read the saved parts (loaded as each part registers). A missing file is a first start."""
        if self.path is None or not (self.path.exists() or self.path.is_symlink()):
            return
        try:
            with self.path.open("rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise self._refuse(f"cannot be read ({exc.strerror})") from None
        try:
            saved = parse_json(raw, max_bytes=MAX_FILE_BYTES, max_depth=MAX_FILE_DEPTH)
        except JsonRejected as exc:
            raise self._refuse(f"is not usable JSON: {exc.reason}") from None
        if not isinstance(saved, dict) or saved.get("version") != FORMAT_VERSION:
            raise self._refuse("has an unknown format (no \"version\": 1 object)")
        if not isinstance(saved.get("configDigest"), str):
            raise self._refuse("has no configDigest")
        if saved.get("configDigest") != self._digest:
            print(
                f"note: the config changed since {self.path} was saved; starting from the config.",
                file=self._notes or sys.stderr,
            )
            return
        parts = saved.get("parts")
        if not isinstance(parts, dict):
            raise self._refuse("has no 'parts' object")
        self._pending = dict(parts)
        self._expected = set(parts)

    def register(self, name: str, save: SaveFn, load: LoadFn) -> None:
        self._parts[name] = _Part(save, load)
        if name in self._pending:
            value = self._pending.pop(name)
            try:
                load(value)
            except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
                detail = f"lacks {exc}" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__
                raise self._refuse(f"has a bad '{name}' part ({detail[:200]})") from None

    def require_complete(self) -> None:
        """After every part registered: a read file must hold exactly the parts this emulator keeps."""
        if not self._expected:
            return
        unknown = sorted(self._pending)
        if unknown:
            raise self._refuse(f"has an unknown part '{unknown[0]}'")
        missing = sorted(set(self._parts) - self._expected)
        if missing:
            raise self._refuse(f"lacks the '{missing[0]}' part")

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
        try:
            # allow_nan=False: a non-finite number would make the file unreadable at the next start.
            text = json.dumps(self.document(), indent=1, sort_keys=True, allow_nan=False)
        except ValueError as exc:
            print(f"warning: not saving the state to {self.path}: {exc}.", file=self._notes or sys.stderr)
            return False
        if only_if_changed and text == self._last_written:
            return False
        scratch = self.path.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
        try:
            # Created 0600 (it holds account keys), flushed to disk, then renamed over the old file, so a
            # crash at any point leaves either the old or the new state, never half of one.
            fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
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
