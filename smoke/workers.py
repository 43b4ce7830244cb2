"""Run every target on a pool of daemon threads while the main thread waits, interruptibly.

Not a ``ThreadPoolExecutor``: its threads are joined at interpreter exit, so a request stuck in flight
would hold a Ctrl-C'd process open for the whole request timeout. These are daemons; the main thread
waits on a condition, which is where a signal lands, and the caller sets ``cancel`` so the workers stop
at their next wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from lifecycle.interrupts import as_interrupted
from smoke.errors import SmokeInterrupted
from smoke.results import CheckResult, SmokeReport
from smoke.targets import Target

T = TypeVar("T")
R = TypeVar("R")


def run_targets(
    run_one: Callable[[T, list[R]], object],
    targets: Sequence[T],
    per_target: list[list[R]],
    concurrency: int,
    cancel: threading.Event,
    cancelled: type[BaseException],
) -> None:
    """``run_one(target, results)`` for each target, appending into ``per_target[i]``; returns when all
    are done, raises the first worker's unexpected error, or lets an interruption through at once."""
    pending = list(enumerate(targets))
    lock = threading.Condition()
    errors: list[BaseException] = []
    left = [len(targets)]

    def work() -> None:
        while True:
            with lock:
                if not pending or cancel.is_set():
                    return
                index, target = pending.pop(0)
            try:
                run_one(target, per_target[index])
            except cancelled:
                return
            except BaseException as exc:  # a bug must reach the caller, not die with the thread
                with lock:
                    errors.append(exc)
            with lock:
                left[0] -= 1
                lock.notify_all()

    workers = [
        threading.Thread(target=work, name=f"smoke-{n}", daemon=True)
        for n in range(max(1, min(concurrency, len(targets))))
    ]
    for worker in workers:
        worker.start()
    with lock:
        # Condition.wait gives way to a signal in the main thread: this is where Ctrl-C lands.
        while left[0] > 0 and not errors:
            lock.wait()
    if errors:
        cancel.set()
        raise errors[0]


class Cancelled(Exception):
    """Raised on a worker thread at its next wait once the run was interrupted; ends that worker."""


def collect(
    targets: Sequence[Target],
    run_one: Callable[[Target, list[CheckResult]], object],
    concurrency: int,
    cancel: threading.Event,
    planned: int,
    close: Callable[[], None] | None = None,
) -> SmokeReport:
    """``run_one`` on every target, gathered into a report; on an interruption, raise
    :class:`SmokeInterrupted` with the report of what finished (``run_smoke`` and ``run_suite`` share it)."""
    started = time.time()
    per_target: list[list[CheckResult]] = [[] for _ in targets]
    interrupted = None
    try:
        run_targets(run_one, targets, per_target, concurrency, cancel, Cancelled)
    except KeyboardInterrupt as exc:
        cancel.set()
        interrupted = as_interrupted(exc)
    finally:
        if close is not None and interrupted is None:
            close()  # with requests still in flight on other threads it is left to the process exit
    checks = tuple(r for results in per_target for r in list(results))
    if interrupted is not None:
        report = SmokeReport(started, time.time(), checks, interrupted.signal_name, planned)
        raise SmokeInterrupted(interrupted.signum, report) from None
    return SmokeReport(started_at=started, finished_at=time.time(), checks=checks, planned=planned)
