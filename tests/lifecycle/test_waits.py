"""Waits a person can see: nothing for 2 s, then one line, then one every 10 s (a fake clock drives it)."""

from __future__ import annotations

import io

from lifecycle.waits import PlainWaitLog, Wait, describe


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_wait_is_shown_after_two_seconds_then_every_ten() -> None:
    clock = Clock()
    log = PlainWaitLog(io.StringIO(), clock=clock, prefix="up: ")
    with log.waiting("deployments/gpt-image-candidate", "ARM is creating it", 600):
        clock.now += 1.9
        assert log.due_lines() == []
        clock.now += 0.2
        assert log.due_lines() == [
            "up: waiting 2 s of up to 600 s for deployments/gpt-image-candidate: ARM is creating it"
        ]
        clock.now += 9
        assert log.due_lines() == []
        clock.now += 1.1
        assert log.due_lines() == [
            "up: waiting 12 s of up to 600 s for deployments/gpt-image-candidate: ARM is creating it"
        ]
    clock.now += 60
    assert log.due_lines() == []  # an ended wait says nothing more


def test_a_short_wait_says_nothing_and_a_wait_without_a_limit_says_so() -> None:
    clock = Clock()
    log = PlainWaitLog(io.StringIO(), clock=clock)
    with log.waiting("dev/gpt-image generate", "rate limited (HTTP 429)", 1.5):
        clock.now += 1.5
    assert log.due_lines() == []
    assert describe(Wait("x", "y", None, 0.0), 42.4) == "waiting 42 s for x: y"
