"""Child processes that cannot outlive their parent: own process group, parent-death signal, group stop.

A child started with :func:`spawn` runs in its own process group, so a terminal's Ctrl-C reaches only the
parent, which then stops the child's whole group (:func:`stop`: SIGTERM, a grace period, SIGKILL). If the
parent dies without cleaning up (SIGKILL, a crash), Linux sends the child SIGTERM (``PR_SET_PDEATHSIG``),
which the child's own :mod:`lifecycle.interrupts` handling turns into a stop at its next safe point.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import IO, Any

PR_SET_PDEATHSIG = 1
DEFAULT_GRACE_S = 1.0


@functools.cache
def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None
    prctl: Callable[..., int] = libc.prctl
    return prctl


def _die_with(parent: int, signum: int) -> Callable[[], None]:
    # Loaded (once, cached) here in the parent: the code between fork and exec must not import or allocate
    # much, and nothing is loaded at import time.
    prctl = _load_prctl()

    def preexec() -> None:
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0)
        # The parent may have died between fork and prctl; then nobody would send the signal.
        if os.getppid() != parent:
            os._exit(128 + signum)

    return preexec


class ChildProcess(subprocess.Popen):  # type: ignore[type-arg]
    """A ``Popen`` whose signals go to the child's whole process group."""

    def send_signal(self, sig: int) -> None:
        if self.returncode is not None:
            return
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            super().send_signal(sig)


def spawn(
    command: Sequence[str], *, death_signal: int = signal.SIGTERM, **popen: Any
) -> ChildProcess:
    """Start ``command`` in a new process group that receives ``death_signal`` when this process dies."""
    return ChildProcess(
        list(command), process_group=0, preexec_fn=_die_with(os.getpid(), death_signal), **popen
    )


def stop(process: subprocess.Popen, grace_s: float = DEFAULT_GRACE_S) -> int | None:  # type: ignore[type-arg]
    """SIGTERM the child's process group, SIGKILL it after ``grace_s``; returns the exit status."""
    if process.poll() is None:
        _signal_group(process, signal.SIGTERM)
        try:
            return process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            pass
    # Also reaps grandchildren still in the group after the leader exited.
    _signal_group(process, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)
    return process.returncode


def _signal_group(process: subprocess.Popen, sig: int) -> None:  # type: ignore[type-arg]
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def run(
    command: Sequence[str],
    *,
    timeout_s: float,
    on_line: Callable[[str, str], None] | None = None,
    env: dict[str, str] | None = None,
    grace_s: float = DEFAULT_GRACE_S,
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` to its end like ``subprocess.run(capture_output=True, text=True)``, but as a
    :func:`spawn` child: each output line is passed to ``on_line(stream, line)`` as it arrives
    (``stream`` is ``"stdout"`` or ``"stderr"``), and on a timeout or an interruption (Ctrl-C lands in
    the wait below) the child's group is stopped before the exception goes on.
    """
    process = spawn(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, bufsize=1
    )
    lines: queue.Queue[tuple[str, str | None]] = queue.Queue()
    readers = [
        threading.Thread(target=_pump, args=(name, stream, lines), daemon=True)
        for name, stream in (("stdout", process.stdout), ("stderr", process.stderr))
    ]
    for reader in readers:
        reader.start()
    kept: dict[str, list[str]] = {"stdout": [], "stderr": []}
    deadline = time.monotonic() + timeout_s
    open_streams = 2
    try:
        while open_streams:
            left = deadline - time.monotonic()
            if left <= 0:
                raise subprocess.TimeoutExpired(list(command), timeout_s)
            try:
                name, line = lines.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if line is None:
                open_streams -= 1
                continue
            kept[name].append(line)
            if on_line is not None:
                on_line(name, line.rstrip("\n"))
        code = process.wait(timeout=max(0.1, deadline - time.monotonic()))
    except BaseException:
        stop(process, grace_s)
        raise
    return subprocess.CompletedProcess(list(command), code, "".join(kept["stdout"]), "".join(kept["stderr"]))


def _pump(name: str, stream: IO[str] | None, lines: queue.Queue[tuple[str, str | None]]) -> None:
    if stream is not None:
        for line in stream:
            lines.put((name, line))
    lines.put((name, None))
