"""Connection hygiene for uvicorn: a request-header timeout and a cap on open connections.

uvicorn (0.54, h11) has a keep-alive timeout between requests but none for a request's headers: a client
that connects and sends half a request line holds a file descriptor for ever, and ~1,000 of them starve
the server. ``guarded_protocol`` makes an ``H11Protocol`` subclass that

- closes a connection whose request headers are not complete ``header_timeout`` seconds after it opened
  (or after its previous answer, for a kept-alive connection that started sending again);
- at ``max_connections`` open connections, closes one that is only waiting for headers to make room, so
  ``/_emulator/health`` and real requests keep being answered: the oldest that never completed a request
  (a half-sent or silent one) first, then the oldest kept-alive one (a client pool's connection, which a
  client may be about to reuse); when every connection is busy with a request, the new one is closed.

TLS handshakes are bounded separately (``ssl_handshake_timeout``, see emulator.server).
"""

from __future__ import annotations

import asyncio
import resource
import time
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


class GuardedH11Protocol(H11Protocol):
    header_timeout: float = 10.0
    max_connections: int = 1000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._waiting_since = time.monotonic()
        self._answered = 0

    def _waiting_for_headers(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._waiting_since = time.monotonic()
        self._arm_header_timer()
        # Closed transports leave the set only on the next loop turn, so count the open ones.
        open_now = [
            c for c in self.connections if isinstance(c, GuardedH11Protocol) and not c.transport.is_closing()
        ]
        if len(open_now) > self.max_connections:
            self._make_room(open_now)

    def _make_room(self, open_now: list[GuardedH11Protocol]) -> None:
        waiting = [c for c in open_now if c is not self and c._waiting_for_headers()]
        victim = min(waiting, key=lambda c: (c._answered > 0, c._waiting_since)) if waiting else self
        victim._close()

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self._waiting_for_headers():
            self._close()

    def _close(self) -> None:
        self._disarm_header_timer()
        if not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_headers():
            self._arm_header_timer()  # counted from the first byte; more bytes do not restart it
        super().data_received(data)
        if not self._waiting_for_headers():
            self._disarm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._answered += 1
        # Between requests uvicorn's keep-alive timeout applies; the header clock restarts with new bytes.
        self._waiting_since = time.monotonic()
        self._disarm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)


def guarded_protocol(header_timeout: float, max_connections: int) -> type[GuardedH11Protocol]:
    return type(
        "GuardedH11Protocol",
        (GuardedH11Protocol,),
        {"header_timeout": header_timeout, "max_connections": max_connections},
    )


def raise_fd_limit(wanted: int) -> int:
    """Raise the soft open-file limit towards ``wanted`` (never above the hard limit); the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass  # keep the old limit; the connection cap is fitted under it
    return soft if soft != resource.RLIM_INFINITY else wanted
