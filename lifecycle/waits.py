"""Waits a person can see: what is waited on, why, and for how long.

Code that waits (a retry-after, ARM's long-running operation, a 409 backoff, a fresh deployment's 404s)
wraps the wait in ``listener.waiting(what, why, limit_s)``. A listener decides how to show it:

- :class:`PlainWaitLog` (CI logs, files): nothing for the first 2 s, then one line, then one every 10 s;
- :class:`RichWaitLine` (a terminal): a live line per wait with the seconds ticking;
- :data:`SILENT`: nothing (library use, tests).

Listeners are thread-safe; one wait may run on each worker thread.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

SHOW_AFTER_S = 2.0
REPEAT_EVERY_S = 10.0
_ids = itertools.count(1)


@dataclass(frozen=True)
class Wait:
    what: str  # "gpt-image generate", "deployment gpt-image-candidate"
    why: str  # "rate limited (429); the service asked for 20 s"
    limit_s: float | None = None  # how long it may last at most, when known
    started_at: float = 0.0
    id: int = field(default_factory=lambda: next(_ids))


def describe(wait: Wait, now: float) -> str:
    """``waiting 12 s (of up to 20 s) for gpt-image generate: rate limited (429)``."""
    elapsed = max(0.0, now - wait.started_at)
    limit = f" of up to {_seconds(wait.limit_s)} s" if wait.limit_s is not None else ""
    return f"waiting {elapsed:.0f} s{limit} for {wait.what}: {wait.why}"


def _seconds(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


class WaitListener(Protocol):
    def waiting(self, what: str, why: str, limit_s: float | None = None) -> Any:
        """A context manager around the wait."""


class _Board:
    """The waits in progress, shared by the listeners below."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.active: dict[int, Wait] = {}

    @contextmanager
    def waiting(self, what: str, why: str, limit_s: float | None = None) -> Iterator[Wait]:
        wait = Wait(what, why, limit_s, self.clock())
        with self.lock:
            self.active[wait.id] = wait
        self.changed()
        try:
            yield wait
        finally:
            with self.lock:
                self.active.pop(wait.id, None)
            self.changed()

    def changed(self) -> None:
        """Hook for listeners that redraw when a wait starts or ends."""


class _Silent:
    @contextmanager
    def waiting(self, what: str, why: str, limit_s: float | None = None) -> Iterator[None]:
        yield None


SILENT: WaitListener = _Silent()


class PlainWaitLog(_Board):
    """One plain line per wait after ``show_after_s``, then one every ``every_s``, from a ticker thread."""

    def __init__(
        self,
        stream: IO[str],
        *,
        show_after_s: float = SHOW_AFTER_S,
        every_s: float = REPEAT_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
        prefix: str = "",
    ) -> None:
        super().__init__(clock)
        self.stream = stream
        self.show_after_s = show_after_s
        self.every_s = every_s
        self.prefix = prefix
        self._next_line: dict[int, float] = {}
        self._wake = threading.Condition(self.lock)
        self._ticker: threading.Thread | None = None

    def changed(self) -> None:
        with self.lock:
            for gone in set(self._next_line) - set(self.active):
                del self._next_line[gone]
            for wait in self.active.values():
                self._next_line.setdefault(wait.id, wait.started_at + self.show_after_s)
            if self._ticker is None and self.active:
                self._ticker = threading.Thread(target=self._tick, name="waits", daemon=True)
                self._ticker.start()
            self._wake.notify_all()

    def due_lines(self) -> list[str]:
        """The lines due now (called by the ticker; pure enough to test with a fake clock)."""
        now = self.clock()
        lines = []
        for wait in self.active.values():
            due = self._next_line.get(wait.id)
            if due is not None and now >= due:
                lines.append(self.prefix + describe(wait, now))
                self._next_line[wait.id] = now + self.every_s
        return lines

    def _tick(self) -> None:
        while True:
            with self.lock:
                lines = self.due_lines()
                upcoming = min(self._next_line.values(), default=None)
            for line in lines:
                self._write(line)
            with self.lock:
                timeout = 1.0 if upcoming is None else max(0.05, upcoming - self.clock())
                self._wake.wait(min(timeout, 1.0))

    def _write(self, line: str) -> None:
        try:
            self.stream.write(line + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass  # a closed stream (the command is exiting) must not kill the ticker loudly


class RichWaitLine(_Board):
    """On a terminal: a transient live line per wait, its seconds ticking, shown after ``show_after_s``."""

    def __init__(self, console: Any, *, show_after_s: float = SHOW_AFTER_S) -> None:
        super().__init__(time.monotonic)
        self.console = console
        self.show_after_s = show_after_s
        self._live: Any = None

    def __rich__(self) -> Any:
        from rich.text import Text

        now = self.clock()
        with self.lock:
            shown = [w for w in self.active.values() if now - w.started_at >= self.show_after_s]
        return Text("\n".join(describe(w, now) for w in shown), style="yellow")

    def changed(self) -> None:
        from rich.live import Live

        with self.lock:
            busy = bool(self.active)
        if busy and self._live is None:
            self._live = Live(self, console=self.console, refresh_per_second=4, transient=True)
            self._live.start()
        elif not busy and self._live is not None:
            self._live.stop()
            self._live = None


def for_stream(stream: IO[str], prefix: str = "") -> WaitListener:
    """Rich on a terminal, plain lines otherwise (as CI logs want)."""
    if stream.isatty():
        from rich.console import Console

        return RichWaitLine(Console(file=stream))
    return PlainWaitLog(stream, prefix=prefix)
