"""Start the real emulator (``python -m emulator`` in a subprocess) for tests, scripts and benchmarks.

    with running_emulator({"accounts": [...]}) as emu:
        client = AzureOpenAI(azure_endpoint=emu.endpoint("local"), api_key=..., api_version=...,
                             http_client=httpx.Client(verify=emu.verify))

Every wait is bounded; the process is stopped with SIGTERM (then killed) when the block ends.
"""

from __future__ import annotations

import json
import os
import queue
import re
import ssl
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from emulator.config import DEFAULT_CONFIG
from emulator.errors import EmulatorError

START_TIMEOUT = 30.0
_READY = re.compile(r"^imagegate emulator ready url=(\S+) ca=(\S+)(?: admin-token=(\S+))?$")
ADMIN_TOKEN_HEADER = "x-imagegate-admin-token"


class EmulatorStartError(EmulatorError):
    """The emulator process did not start or did not print its ready line (exit 2 for a command)."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(500, "EmulatorStartError", message)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass
class RunningEmulator:
    base_url: str
    ca_file: str | None
    state_dir: Path
    process: subprocess.Popen[str]
    # Bound off loopback the admin API needs this token (read from the file the ready line names).
    admin_token: str | None = None

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """httpx's ``verify=``: a context trusting the emulator's CA (True over plain http)."""
        return ssl.create_default_context(cafile=self.ca_file) if self.ca_file else True

    def endpoint(self, subdomain: str) -> str:
        """The account's ``azure_endpoint``."""
        return f"{self.base_url}accounts/{subdomain}/"

    def admin(self, method: str, path: str, body: Any = None) -> httpx.Response:
        headers = {ADMIN_TOKEN_HEADER: self.admin_token} if self.admin_token else {}
        with httpx.Client(verify=self.verify, timeout=10.0, headers=headers) as client:
            response = client.request(method, f"{self.base_url}_emulator/{path}", json=body)
        response.raise_for_status()
        return response

    def set_fault(self, subdomain: str, deployment: str, **spec: Any) -> dict[str, Any]:
        """Set a deployment's faults; keys as in the fault spec (``errorRate``) or ``error_rate``."""
        body = {_camel(k): v for k, v in spec.items()}
        if isinstance(body.get("throttle"), dict):
            body["throttle"] = {_camel(k): v for k, v in body["throttle"].items()}
        return self.admin("PUT", f"faults/{subdomain}/{deployment}", body).json()

    def clear_faults(self, subdomain: str | None = None, deployment: str | None = None) -> None:
        self.admin("DELETE", f"faults/{subdomain}/{deployment}" if subdomain else "faults")

    def requests(self) -> list[dict[str, Any]]:
        return self.admin("GET", "requests").json()["requests"]

    def reset(self) -> None:
        self.admin("POST", "reset")

    def health(self) -> dict[str, Any]:
        return self.admin("GET", "health").json()


def _read_lines(stream: Any, lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


@contextmanager
def running_emulator(
    config: dict[str, Any] | None = None,
    *,
    tls: bool = True,
    catalog: Path | None = None,
    state_dir: Path | None = None,
    extra_args: Sequence[str] = (),
    timeout: float = START_TIMEOUT,
    popen: Callable[..., subprocess.Popen[str]] = subprocess.Popen,
    stop_timeout: float = 10.0,
) -> Iterator[RunningEmulator]:
    """``popen`` starts the process (the demo passes one that gives it its own process group and a
    parent-death signal); ``stop_timeout`` is how long the SIGTERM at the end may take before SIGKILL."""
    with tempfile.TemporaryDirectory(prefix="imagegate-emu-test-") as scratch:
        folder = state_dir or Path(scratch)
        config_file = Path(scratch) / "emulator-config.json"
        config_file.write_text(json.dumps(config if config is not None else DEFAULT_CONFIG))
        command = [
            sys.executable,
            "-m",
            "emulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--config",
            str(config_file),
            "--state-dir",
            str(folder),
            *extra_args,
        ]
        if not tls:
            command.append("--no-tls")
        if catalog is not None:
            command += ["--catalog", str(catalog)]
        stderr_path = Path(scratch) / "stderr.txt"
        with stderr_path.open("w") as stderr:
            process = popen(
                command,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        try:
            lines: queue.Queue[str | None] = queue.Queue()
            threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                raise EmulatorStartError(f"The emulator did not report ready within {timeout:g} s.") from None
            match = _READY.match((line or "").strip())
            if match is None:
                process.wait(timeout=5)
                detail = stderr_path.read_text().strip().splitlines()
                raise EmulatorStartError(f"The emulator did not start: {detail[-1] if detail else line!r}")
            url, ca, token_file = match.groups()
            token = Path(token_file).read_text(encoding="utf-8").strip() if token_file else None
            yield RunningEmulator(url, None if ca == "-" else ca, folder, process, token)
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=stop_timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
