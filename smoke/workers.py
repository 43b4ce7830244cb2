"""Run every target on a pool of daemon threads while the main thread waits, interruptibly.

Not a ``ThreadPoolExecutor``: its threads are joined at interpreter exit, so a request stuck in flight
would hold a Ctrl-C'd process open for the whole request timeout. These are daemons; the main thread
waits on a condition, which is where a signal lands, and the caller sets ``cancel`` so the workers stop
at their next wait.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

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
