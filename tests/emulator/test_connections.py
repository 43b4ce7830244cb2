"""Issue 12, finding 4: half-sent requests time out, and idle connections cannot starve the server.

Before the fix 500 half-sent requests were all still open after 65 s, and with a descriptor limit of
1024 the server stopped answering at about 1,017 idle connections. Every wait here is bounded and every
connection goes to 127.0.0.1.
"""

from __future__ import annotations

import json
import resource
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from emulator.testing import running_emulator

HALF_REQUEST = b"POST /_emulator/reset HTTP/1.1\r\nHost: x\r\n"  # no blank line: headers never end


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_a_half_sent_request_is_closed_after_the_header_timeout(tmp_path: Path, tls: bool) -> None:
    config = {"accounts": [], "limits": {"headerTimeoutSeconds": 0.5}}
    with running_emulator(config, tls=tls, state_dir=tmp_path) as emu:
        port = int(emu.base_url.rsplit(":", 1)[1].strip("/"))
        with ExitStack() as stack:
            silent = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
            half = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
            if tls:  # the half-sent request goes inside a finished handshake; `silent` never shakes hands
                half = stack.enter_context(
                    ssl.create_default_context(cafile=emu.ca_file).wrap_socket(
                        half, server_hostname="127.0.0.1"
                    )
                )
            half.sendall(HALF_REQUEST)
            assert _closed_by_server(silent, within=5.0)
            assert _closed_by_server(half, within=5.0)
        assert emu.health()["status"] == "ok"


@contextmanager
def _emulator_with_fd_limit(tmp_path: Path, fd_limit: int) -> Iterator[int]:
    """A plain-http emulator whose hard descriptor limit is ``fd_limit``; yields its port."""
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"accounts": []}))

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, fd_limit))

    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--no-tls", "--port", "0", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        preexec_fn=limit,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("imagegate emulator ready url=http://127.0.0.1:"), line
        yield int(line.split("url=")[1].split()[0].rsplit(":", 1)[1].strip("/"))
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
def test_health_answers_with_more_idle_connections_than_descriptors(tmp_path: Path) -> None:
    idle = 400
    with _emulator_with_fd_limit(tmp_path, 300) as port, ExitStack() as stack:
        for _ in range(idle):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
            sock.sendall(HALF_REQUEST)
        with httpx.Client(timeout=5) as client:
            for _ in range(3):
                assert client.get(f"http://127.0.0.1:{port}/_emulator/health").json()["status"] == "ok"
