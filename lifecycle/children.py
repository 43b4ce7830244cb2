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
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

PR_SET_PDEATHSIG = 1
DEFAULT_GRACE_S = 1.0


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None
    prctl: Callable[..., int] = libc.prctl
    return prctl


# Loaded once in the parent: the code that runs between fork and exec must not import or allocate much.
_PRCTL = _load_prctl()


def _die_with(parent: int, signum: int) -> Callable[[], None]:
    def preexec() -> None:
        if _PRCTL is not None:
            _PRCTL(PR_SET_PDEATHSIG, signum, 0, 0, 0)
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
