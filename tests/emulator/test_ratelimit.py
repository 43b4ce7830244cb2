"""Rate limits: the pure sliding window, exact admission under concurrent load, and the SDK's own retry."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import openai

from emulator.ratelimit import SlidingWindowLimiter, requests_per_minute
from tests.emulator.conftest import make_jwt


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_window_admits_limit_then_refuses_until_the_oldest_request_ages_out():
    clock = FakeClock()
    limiter = SlidingWindowLimiter(clock)
    assert [limiter.acquire("d", 3).allowed for _ in range(3)] == [True, True, True]
    clock.now += 10
    refused = limiter.acquire("d", 3)
    assert (refused.allowed, refused.remaining, refused.retry_after_ms) == (False, 0, 50_000)
    clock.now += 50  # all three were admitted at t=0 and leave the 60 s window together
    assert [limiter.acquire("d", 3).allowed for _ in range(4)] == [True, True, True, False]


def test_refused_requests_do_not_extend_the_window_and_keys_are_separate():
    clock = FakeClock()
    limiter = SlidingWindowLimiter(clock)
    limiter.acquire("a", 1)
    for _ in range(5):
        clock.now += 1
        assert not limiter.acquire("a", 1).allowed
    assert limiter.acquire("b", 1).allowed
    clock.now = 1060.0
    assert limiter.acquire("a", 1).allowed


def test_peek_reports_the_window_without_using_it():
    clock = FakeClock()
    limiter = SlidingWindowLimiter(clock)
    assert limiter.peek("d", 2) == limiter.peek("d", 2)
    assert (limiter.peek("d", 2).remaining, limiter.peek("d", 2).reset_seconds) == (2, 0.0)
    limiter.acquire("d", 2)
    clock.now += 15
    seen = limiter.peek("d", 2)
    assert (seen.allowed, seen.remaining, seen.reset_seconds) == (True, 1, 45.0)
    limiter.acquire("d", 2)
    assert limiter.peek("d", 2).remaining == 0 and not limiter.acquire("d", 2).allowed


def test_rpm_is_capacity_times_rpm_per_unit():
    assert requests_per_minute(9, 1) == 9
    assert requests_per_minute(2, 3) == 6
    assert requests_per_minute(1, 0.5) == 1


def test_rate_limit_is_exact_under_concurrent_load(azure, emu):
    client = azure()

    def call(i: int) -> int:
        try:
            client.images.generate(model="tiny", prompt=f"load {i}")
            return 200
        except openai.RateLimitError as exc:
            assert exc.code == "429"
            assert 0 < int(exc.response.headers["retry-after-ms"]) <= 60_000
            assert exc.response.headers["x-ratelimit-remaining-requests"] == "0"
            return 429

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(call, range(24)))
    assert statuses.count(200) == 5  # capacity 5 x rpmPerCapacityUnit 1
    assert statuses.count(429) == 19


def test_sdk_retry_waits_for_retry_after_ms(azure, emu):
    # 1100 ms is sent as retry-after-ms: 1100 and retry-after: 2. The SDK's own first backoff is <= 0.5 s,
    # so a gap from 1.1 s to well under 2 s shows it read retry-after-ms, and preferred it to retry-after.
    emu.set_fault("contoso", "gpt-image", throttle={"count": 1, "retryAfterMs": 1100})
    tokens: list[str] = []

    def provider() -> str:
        tokens.append(make_jwt())
        return tokens[-1]

    client = azure(max_retries=2, azure_ad_token_provider=provider)
    assert client.images.generate(model="gpt-image", prompt="retry me").data
    attempts = [r for r in emu.requests() if r["deployment"] == "gpt-image"]
    assert [a["status"] for a in attempts] == [429, 200]
    assert 1.1 <= attempts[1]["time"] - attempts[0]["time"] < 1.9
    assert len(tokens) == 2  # the SDK asks its token provider again for the retry


def test_sdk_gives_up_after_its_retries_on_a_throttle_storm(azure, emu):
    emu.set_fault("contoso", "gpt-image", throttle={"count": 10, "retryAfterMs": 10})
    try:
        azure(max_retries=2).images.generate(model="gpt-image", prompt="storm")
        raise AssertionError("expected a RateLimitError")
    except openai.RateLimitError:
        pass
    assert [r["status"] for r in emu.requests()] == [429, 429, 429]
    assert emu.admin("GET", "faults").json()["faults"][0]["throttlesLeft"] == 7
