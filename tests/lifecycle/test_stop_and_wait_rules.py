"""The stop flag and the visible waits in this process (lifecycle/interrupts.py, lifecycle/waits.py): a
real signal sent to the test process inside ``handling`` (watchdog off), the stop flag every wait reads,
nested and ended handling, and what a person sees of a wait: the sentence, when a line is due, and the
ticker that writes it. The same rules run in child processes in test_interrupts.py and test_waits.py.
"""

from __future__ import annotations

import io
import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from lifecycle import interrupts, waits
from lifecycle.waits import PlainWaitLog, RichWaitLine, Wait, describe, for_stream
from tests.plain_ids import plain


@pytest.fixture(autouse=True)
def fresh_flag() -> Iterator[None]:
    interrupts.reset()
    yield
    interrupts.reset()


@pytest.mark.parametrize(
    ("signum", "name", "code"), [(signal.SIGINT, "SIGINT", 130), (signal.SIGTERM, "SIGTERM", 143)]
)
def test_a_signal_inside_handling_is_interrupted_and_sets_the_stop_flag(
    signum: int, name: str, code: int
) -> None:
    before = signal.getsignal(signum)
    with pytest.raises(interrupts.Interrupted) as caught, interrupts.handling(watchdog_s=None):
        os.kill(os.getpid(), signum)
        time.sleep(5)  # the handler raises here, in the main thread
    assert (caught.value.signum, caught.value.signal_name, caught.value.exit_code) == (signum, name, code)
    pending = interrupts.requested()
    assert pending is not None and pending.signum == signum
    with pytest.raises(interrupts.Interrupted):
        interrupts.check()
    with pytest.raises(interrupts.Interrupted):
        interrupts.sleep(5)
    assert interrupts.as_interrupted(KeyboardInterrupt()).signum == signum
    assert signal.getsignal(signum) == before  # the previous handler is back


def test_a_second_signal_while_stopping_is_ignored() -> None:
    with pytest.raises(interrupts.Interrupted) as caught, interrupts.handling(watchdog_s=None):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        except interrupts.Interrupted:
            os.kill(os.getpid(), signal.SIGINT)  # ignored: already stopping
            time.sleep(0)
            raise
    assert caught.value.signum == signal.SIGTERM
    assert interrupts.requested().signum == signal.SIGTERM  # type: ignore[union-attr]


def test_nested_handling_shares_the_outer_one() -> None:
    with interrupts.handling(watchdog_s=None):
        outer = signal.getsignal(signal.SIGINT)
        with interrupts.handling(watchdog_s=None):
            assert signal.getsignal(signal.SIGINT) is outer
            with interrupts.handling(watchdog_s=None):
                pass
        assert signal.getsignal(signal.SIGINT) is outer  # the inner exit did not restore anything
        with pytest.raises(interrupts.Interrupted):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_handling_ended_without_a_signal_leaves_no_flag() -> None:
    with interrupts.handling(watchdog_s=None):
        pass
    assert interrupts.requested() is None
    interrupts.check()
    interrupts.sleep(0)
    assert interrupts.as_interrupted(KeyboardInterrupt()).signum == signal.SIGINT


def test_a_stop_flag_set_before_handling_is_cleared_when_it_starts() -> None:
    interrupts.request_stop()
    with interrupts.handling(watchdog_s=None):
        assert interrupts.requested() is None


def test_outside_the_main_thread_handling_changes_nothing() -> None:
    seen: list[object] = []

    def worker() -> None:
        with interrupts.handling(watchdog_s=None):
            seen.append(signal.getsignal(signal.SIGINT))

    before = signal.getsignal(signal.SIGINT)
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    assert seen == [before]


def test_a_requested_stop_ends_every_wait_and_keeps_the_first_signal() -> None:
    assert interrupts.requested() is None
    interrupts.sleep(0)
    interrupts.request_stop(signal.SIGINT)
    interrupts.request_stop(signal.SIGTERM)
    pending = interrupts.requested()
    assert pending is not None and pending.signum == signal.SIGINT
    with pytest.raises(interrupts.Interrupted):
        interrupts.sleep(60)
    assert interrupts.as_interrupted(KeyboardInterrupt()).signum == signal.SIGINT
    given = interrupts.Interrupted(signal.SIGTERM)
    assert interrupts.as_interrupted(given) is given


def test_a_worker_waiting_is_woken_by_a_stop_requested_elsewhere() -> None:
    outcome: list[str] = []

    def worker() -> None:
        try:
            interrupts.sleep(60)
            outcome.append("slept")
        except interrupts.Interrupted as exc:
            outcome.append(exc.signal_name)

    thread = threading.Thread(target=worker)
    thread.start()
    interrupts.request_stop()
    thread.join(30)
    assert outcome == ["SIGTERM"]


DESCRIBED = [
    (
        Wait("dev/gpt-image generate", "rate limited (429)", 20, 100.0),
        112.4,
        "waiting 12 s of up to 20 s for dev/gpt-image generate: rate limited (429)",
    ),
    (Wait("x", "y", 2.5, 0.0), 0.6, "waiting 1 s of up to 2.5 s for x: y"),
    (Wait("x", "y", 600.0, 0.0), 0.4, "waiting 0 s of up to 600 s for x: y"),
    (Wait("x", "y", 0.25, 0.0), 0.0, "waiting 0 s of up to 0.2 s for x: y"),
    (Wait("x", "y", None, 50.0), 40.0, "waiting 0 s for x: y"),  # a clock behind the start reads 0
]


@pytest.mark.parametrize(("wait", "now", "line"), DESCRIBED, ids=plain)
def test_a_wait_is_described_in_one_line(wait: Wait, now: float, line: str) -> None:
    assert describe(wait, now) == line


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Unticked(PlainWaitLog):
    """The schedule alone: its ticker thread, which would take due lines on its own, does nothing."""

    def _tick(self) -> None:
        return


def test_each_of_two_waits_has_its_own_schedule() -> None:
    clock = Clock()
    log = Unticked(io.StringIO(), clock=clock, show_after_s=1.0, every_s=5.0)
    with log.waiting("a", "first"):
        clock.now += 1.0
        with log.waiting("b", "second", 3):
            assert log.due_lines() == ["waiting 1 s for a: first"]
            clock.now += 1.0
            assert log.due_lines() == ["waiting 1 s of up to 3 s for b: second"]
            clock.now += 4.0
            assert log.due_lines() == ["waiting 6 s for a: first"]
        assert log.due_lines() == []
    assert log.active == {}


def test_the_default_schedule_is_two_seconds_then_every_ten() -> None:
    assert (waits.SHOW_AFTER_S, waits.REPEAT_EVERY_S) == (2.0, 10.0)
    log = PlainWaitLog(io.StringIO())
    assert (log.show_after_s, log.every_s, log.prefix, log.clock) == (2.0, 10.0, "", time.monotonic)


def test_the_ticker_writes_each_due_line_to_the_stream() -> None:
    stream = io.StringIO()
    log = PlainWaitLog(stream, show_after_s=0.0, every_s=0.05, prefix="up: ")
    with log.waiting("deployment d", "ARM is creating it"):
        deadline = time.monotonic() + 30
        while stream.getvalue().count("\n") < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    lines = stream.getvalue().splitlines()
    assert len(lines) >= 2 and all(line.startswith("up: waiting ") for line in lines)
    assert all(line.endswith(" for deployment d: ARM is creating it") for line in lines)


def test_a_closed_stream_does_not_stop_the_ticker() -> None:
    stream = io.StringIO()
    log = PlainWaitLog(stream, show_after_s=0.0)
    stream.close()
    log._write("a line")  # ValueError from the closed stream is swallowed

    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError("gone")

    PlainWaitLog(Broken())._write("a line")


def test_silent_shows_nothing() -> None:
    with waits.SILENT.waiting("x", "y", 1) as wait:
        assert wait is None


def test_a_terminal_gets_a_live_line_and_a_pipe_plain_lines() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(for_stream(Terminal()), RichWaitLine)
    plain = for_stream(io.StringIO(), prefix="p: ")
    assert isinstance(plain, PlainWaitLog) and plain.prefix == "p: "


def test_the_live_line_shows_only_the_waits_past_their_delay() -> None:
    from rich.console import Console

    output = io.StringIO()
    line = RichWaitLine(Console(file=output, width=200), show_after_s=2.0)
    assert line.show_after_s == 2.0 and RichWaitLine(Console(file=output)).show_after_s == 2.0
    with line.waiting("a", "old", 9) as old:
        assert line._live is not None
        with line.waiting("b", "new"):
            line.clock = lambda: old.started_at + 2.0
            assert line.__rich__().plain == "waiting 2 s of up to 9 s for a: old"
            assert line.__rich__().style == "yellow"
    assert line._live is None
    assert line.__rich__().plain == ""
