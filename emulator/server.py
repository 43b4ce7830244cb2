"""Run the app on uvicorn: bind the socket first (port 0 works), make TLS files, print the ready line.

The ready line is printed once uvicorn is serving: ``imagegate emulator ready url=<base_url> ca=<ca|->``,
plus `` admin-token=<file>`` when bound off loopback (the file holds the token; the token itself is never
printed). SIGINT/SIGTERM stop it within about a second (open connections get at most 1 s), with one line on
stderr and the shell's exit code for the signal (130 / 143). With ``--state-dir`` the state is saved every
second when it changed and once more at the stop, and ``emulator.json`` there says where the running
emulator is (``imagegate emulator env`` reads it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import uvicorn

from emulator.admintoken import is_loopback_bind, provide_token
from emulator.app import create_app
from emulator.catalog import load_catalog
from emulator.config import Settings
from emulator.connections import guarded_protocol, raise_fd_limit
from emulator.discovery import Discovery, subscription_of
from emulator.state import EmulatorState
from emulator.tls import make_tls_files

READY_PREFIX = "imagegate emulator ready"
AUTOSAVE_SECONDS = 1.0


def base_url(host: str, port: int, tls: bool) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"{'https' if tls else 'http'}://{shown}:{port}/"


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, ready_line: str, out: TextIO, state: EmulatorState) -> None:
        super().__init__(config)
        self._ready_line = ready_line
        self._out = out
        self._state = state
        self._autosave: asyncio.Task[None] | None = None
        self.stopped_by: int | None = None
        self._discovery: Discovery | None = None
        self._wake: asyncio.Event | None = None

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        if self.stopped_by is None:
            self.stopped_by = sig
        self.handle_exit(sig, frame)
        if self._wake is not None:
            self._wake.set()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn re-raises the signal after shutdown (a traceback from KeyboardInterrupt); only ask the
        # server to stop, and let serve() turn the signal into the exit code. The handlers are the loop's,
        # so a signal wakes the main loop at once instead of at uvicorn's next 0.1 s poll.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal, sig, None)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            if self._wake is None:
                await asyncio.sleep(0.1)  # in a thread (tests): should_exit is set from outside, polled
                continue
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Hung requests (the `hang` fault) answer now; whatever still runs after the 1 s grace (a long
        # latency fault) is cancelled, which uvicorn would log as an error with a traceback: a stop the
        # operator asked for is not an error, and the one line printed after it says what happened.
        self._state.release_hung()
        if self.stopped_by is not None:
            logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
        if self.server_state.connections or self.server_state.tasks:
            await super().shutdown(sockets)
            return
        # Nothing open: uvicorn would still sleep 0.1 s for connections to notice the stop.
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for server in self.servers:
            await server.wait_closed()
        await self.lifespan.shutdown()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn does not pass ssl_handshake_timeout (asyncio's default is 60 s), so a client that opens
        # a TLS connection and never shakes hands would hold a descriptor for a minute. The loop's
        # create_server is wrapped for the duration of startup only.
        loop = asyncio.get_running_loop()
        create_server = loop.create_server
        timeout = self._state.settings.config.limits.header_timeout_seconds

        async def bounded_create_server(*args: Any, **kwargs: Any) -> asyncio.Server:
            if kwargs.get("ssl") is not None:
                kwargs["ssl_handshake_timeout"] = timeout
            return await create_server(*args, **kwargs)

        loop.create_server = bounded_create_server  # type: ignore[method-assign]
        try:
            await super().startup(sockets)
        finally:
            del loop.create_server
        if self.started:
            if self._state.settings.state_dir is not None:
                self._autosave = asyncio.get_running_loop().create_task(self._save_changes())
                if self._discovery is not None:
                    self._discovery.write()
            print(self._ready_line, file=self._out, flush=True)

    async def _save_changes(self) -> None:
        # On the event loop, like the routes that change the state, so a save never sees half a change.
        while not self.should_exit:
            await asyncio.sleep(AUTOSAVE_SECONDS)
            self._state.save_state(only_if_changed=True)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP, and
    # without it Nagle + delayed ACK add ~40 ms to every answer written in two parts (headers, body).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def serve(settings: Settings, out: TextIO = sys.stdout, notes: TextIO = sys.stderr) -> int:
    """Serve until SIGINT/SIGTERM; returns the process exit code."""
    catalog = load_catalog(settings.catalog_path)
    with tempfile.TemporaryDirectory(prefix="imagegate-emulator-") as scratch:
        token_note = ""
        token_path: Path | None = None
        if not is_loopback_bind(settings.host):
            token, token_file = provide_token(settings.state_dir or Path(scratch), settings.admin_token_file)
            settings = replace(settings, admin_token=token)
            token_note = f" admin-token={token_file}"
            token_path = Path(token_file)
            print(
                f"warning: listening on {settings.host}, reachable from the network; the admin API and ARM "
                f"listKeys need the token in {token_file} (header x-imagegate-admin-token).",
                file=notes,
                flush=True,
            )
        state = EmulatorState.create(settings, catalog)
        sock = bind(settings.host, settings.port)
        port = sock.getsockname()[1]
        state.base_url = base_url(settings.host, port, settings.tls)
        limits = settings.config.limits
        # Keep headroom under the descriptor limit for TLS files, the state file and threads.
        fd_soft = raise_fd_limit(limits.max_connections + 256)
        max_connections = max(8, min(limits.max_connections, fd_soft - 128))
        tls_args: dict[str, str] = {}
        ca = "-"
        if settings.tls:
            files = make_tls_files(settings.state_dir or Path(scratch), keep=settings.state_dir is not None)
            tls_args = {"ssl_certfile": str(files.cert_file), "ssl_keyfile": str(files.key_file)}
            ca = str(files.ca_file)
        config = uvicorn.Config(
            create_app(settings, state=state),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,  # a hung fault must not hold a Ctrl-C past 2 s
            timeout_keep_alive=30,
            loop="asyncio",
            # asyncio accepts up to `backlog` sockets before any protocol runs; keeping the batch under
            # the 128 descriptors of headroom lets the connection cap act before accept() hits EMFILE.
            backlog=100,
            http=guarded_protocol(limits.header_timeout_seconds, max_connections),
            h11_max_incomplete_event_size=limits.max_header_bytes,
            **tls_args,  # type: ignore[arg-type]
        )
        ready = f"{READY_PREFIX} url={state.base_url} ca={ca}{token_note}"
        server = _Server(config, ready, out, state)
        if settings.state_dir is not None:
            server._discovery = Discovery(
                settings.state_dir,
                state.base_url,
                None if ca == "-" else Path(ca),
                subscription_of(settings),
                state.rpm_per_capacity_unit,
                token_path,
            )
        try:
            server.run(sockets=[sock])
        finally:
            if server._discovery is not None:
                server._discovery.remove()
    state.save_state()
    if server.stopped_by is not None:
        name = signal.Signals(server.stopped_by).name
        print(f"imagegate emulator stopped by {name}", file=sys.stderr, flush=True)
        return 128 + server.stopped_by
    return 0
