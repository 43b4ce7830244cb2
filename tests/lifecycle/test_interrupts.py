"""SIGINT/SIGTERM as ``Interrupted`` in a real process: the exit code, the stop flag every wait sees, and
the watchdog that ends a process whose thread is stuck."""

from __future__ import annotations

import signal
import sys
import textwrap

import pytest

from lifecycle import interrupts
from tests.lifecycle.procs import Lines, cleanup, start

WAITER = textwrap.dedent(
    """
    import sys, threading, time
    from lifecycle import interrupts
    stuck = threading.Thread(target=time.sleep, args=(120,))  # not a daemon, not interruptible
    worker_saw = []
    def worker():
        try:
            interrupts.sleep(120)
        except interrupts.Interrupted as exc:
            worker_saw.append(exc.signal_name)
    helper = threading.Thread(target=worker)
    try:
        with interrupts.handling(watchdog_s={watchdog}):
            helper.start()
            if {stuck}:
                stuck.start()
            print("ready", flush=True)
            interrupts.sleep(120)
    except interrupts.Interrupted as exc:
        helper.join(5)
        print(f"interrupted by {{exc.signal_name}}; worker saw {{worker_saw}}", flush=True)
        sys.exit(exc.exit_code)
    """
)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_a_signal_stops_the_main_thread_and_every_wait(signum: int) -> None:
    proc = start([sys.executable, "-c", WAITER.format(watchdog=5.0, stuck=False)])
    try:
        lines = Lines(proc.stdout)
        lines.wait_for(lambda line: line == "ready\n")
        proc.send_signal(signum)
        assert proc.wait(timeout=10) == 128 + signum
        name = signal.Signals(signum).name
        assert lines.rest() == f"ready\ninterrupted by {name}; worker saw ['{name}']\n"
    finally:
        cleanup(proc)


def test_the_watchdog_ends_a_process_a_stuck_thread_would_hold_open() -> None:
    proc = start([sys.executable, "-c", WAITER.format(watchdog=0.5, stuck=True)])
    try:
        lines = Lines(proc.stdout)
        lines.wait_for(lambda line: line == "ready\n")
        proc.send_signal(signal.SIGTERM)
        # Without the watchdog the non-daemon sleeping thread would keep the process for 120 s.
        assert proc.wait(timeout=10) == 143
    finally:
        cleanup(proc)


def test_interrupted_names_its_signal_and_exit_code() -> None:
    assert interrupts.Interrupted(signal.SIGINT).signal_name == "SIGINT"
    assert interrupts.Interrupted(signal.SIGINT).exit_code == 130
    assert interrupts.Interrupted(signal.SIGTERM).exit_code == 143
    assert isinstance(interrupts.as_interrupted(KeyboardInterrupt()), interrupts.Interrupted)
