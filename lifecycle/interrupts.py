"""SIGINT and SIGTERM as one exception, :class:`Interrupted`, and a process-wide stop flag.

While :func:`handling` is active the first SIGINT/SIGTERM sets the stop flag (so worker threads stop at their
next wait, see :func:`sleep`) and raises :class:`Interrupted` in the main thread, where blocking calls
(socket reads, ``Event.wait``, ``time.sleep``) give way to it. Later signals are ignored: the command is
already stopping, and a wrapper forwarding the same Ctrl-C must not cut its clean-up short. A watchdog
then bounds the time to exit: if the process is still alive ``watchdog_s`` after the signal it exits with
the forced exit code, whatever a thread is stuck in.

Exit codes follow the shell: 128 + the signal number, so 130 for SIGINT and 143 for SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM)
DEFAULT_WATCHDOG_S = 1.8

_stop = threading.Event()
_state: dict[str, int | None] = {"signum": None, "depth": 0}


class Interrupted(KeyboardInterrupt):
    """The operator (Ctrl-C) or the system (SIGTERM) asked the command to stop.

    A ``KeyboardInterrupt`` so code that already stops cleanly on Ctrl-C does the same on SIGTERM.
    """

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = int(signum)

    @property
    def signal_name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def as_interrupted(exc: BaseException) -> Interrupted:
    """Any KeyboardInterrupt (click's, the default handler's) as an :class:`Interrupted`."""
    if isinstance(exc, Interrupted):
        return exc
    signum = _state["signum"]
    return Interrupted(signum if signum is not None else signal.SIGINT)


def requested() -> Interrupted | None:
    """The pending interruption, if a signal has arrived."""
    signum = _state["signum"]
    return Interrupted(signum) if _stop.is_set() and signum is not None else None


def check() -> None:
    """Raise :class:`Interrupted` if a signal has arrived (a safe point between two pieces of work)."""
    pending = requested()
    if pending is not None:
        raise pending


def sleep(seconds: float) -> None:
    """``time.sleep`` that ends at once, raising :class:`Interrupted`, when a signal arrives (any thread)."""
    check()
    if seconds > 0 and _stop.wait(seconds):
        check()


def request_stop(signum: int = signal.SIGTERM) -> None:
    """Ask every wait to stop as if ``signum`` had arrived (used when a parent stops a worker)."""
    if _state["signum"] is None:
        _state["signum"] = int(signum)
    _stop.set()


def exit_now(code: int) -> None:
    """Exit at once after an interruption, its message printed: no interpreter teardown.

    Tearing down a process that imported Pulumi's Azure SDK takes about a second of garbage collection,
    half of the 2 s an interrupted command has; there is nothing left to clean up by then.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _watchdog(seconds: float, code: int) -> None:
    def expire() -> None:
        # Whatever is still running (a thread in a blocking call) must not keep the process alive.
        exit_now(code)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


@contextmanager
def handling(
    *, watchdog_s: float | None = DEFAULT_WATCHDOG_S, forced_exit: Callable[[int], int] | None = None
) -> Iterator[None]:
    """Turn SIGINT/SIGTERM into :class:`Interrupted` for the duration of the block (main thread only).

    Nested uses share the outer one. ``forced_exit(signum)`` is the exit code the watchdog uses
    (default 128 + signum); ``watchdog_s`` None disables the watchdog (tests in-process).
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    if _state["depth"]:
        _state["depth"] = int(_state["depth"] or 0) + 1
        try:
            yield
        finally:
            _state["depth"] = int(_state["depth"] or 1) - 1
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if _state["signum"] is not None:
            return  # already stopping
        _state["signum"] = signum
        _stop.set()
        if watchdog_s is not None:
            _watchdog(watchdog_s, forced_exit(signum) if forced_exit else 128 + signum)
        raise Interrupted(signum)

    _stop.clear()
    _state["signum"] = None
    _state["depth"] = 1
    previous = {sig: signal.signal(sig, handler) for sig in HANDLED}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        _state["depth"] = 0
        # The flag stays set after a signal: threads still running must keep seeing it until exit.
        if _state["signum"] is None:
            _stop.clear()


def reset() -> None:
    """Forget a past interruption (tests that run several commands in one process)."""
    _stop.clear()
    _state["signum"] = None
