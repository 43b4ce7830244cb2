"""The edges of the emulator's rate window and token reading, in process with a clock the test moves:
the last half second of a full window, a request exactly one window old, the one slot left, forgetting a
deployment that never called, and a token exactly at (or over) the configured size limit."""

from __future__ import annotations

import pytest

from emulator.auth import LATEST_EXP, Caller, authenticate, decode_jwt
from emulator.errors import EmulatorError
from emulator.limits import RequestLimits
from emulator.ratelimit import SlidingWindowLimiter
from tests.emulator.test_rules_in_process import ACTION, NOW, ROUTE, Clock, account, auth, refused, token


def test_a_full_window_refuses_with_its_limit_and_the_exact_wait_even_under_a_second() -> None:
    clock = Clock(100.0)
    limiter = SlidingWindowLimiter(clock)
    limiter.acquire("d", 1)
    clock.now = 159.5
    refused = limiter.acquire("d", 1)
    assert (refused.allowed, refused.limit, refused.remaining, refused.reset_seconds) == (False, 1, 0, 0.5)


def test_peek_counts_a_request_exactly_one_window_old_as_gone_and_one_slot_left_as_allowed() -> None:
    clock = Clock(100.0)
    limiter = SlidingWindowLimiter(clock)
    limiter.acquire("d", 2)
    one_left = limiter.peek("d", 2)
    assert (one_left.allowed, one_left.remaining) == (True, 1)
    clock.now = 160.0
    assert (limiter.peek("d", 2).remaining, limiter.peek("d", 2).reset_seconds) == (2, 0.0)


def test_forgetting_a_deployment_that_never_called_is_harmless() -> None:
    limiter = SlidingWindowLimiter(Clock())
    limiter.forget("never-called")
    assert limiter.peek("never-called", 3).remaining == 3


def test_a_token_is_read_up_to_the_configured_size_and_refused_past_it() -> None:
    credential = token()
    headers = {"authorization": f"Bearer {credential}"}

    def call(max_bytes: int) -> Caller:
        limits = RequestLimits(jwt_max_bytes=max_bytes)
        return authenticate(headers, account(), v1=False, route=ROUTE, action=ACTION, now=NOW, limits=limits)

    assert call(len(credential)) == Caller("token", "oid-1")
    with pytest.raises(EmulatorError) as refused:
        call(len(credential) - 1)
    assert refused.value.status == 401


def test_a_segment_that_needs_two_pad_characters_is_read_whatever_its_length() -> None:
    # "eyJhIjoxfQ" is {"a":1} in 10 characters: two "=" short of a multiple of 4, the padding a JWT drops.
    claims = token().split(".")[1]
    expected = {"aud": "https://cognitiveservices.azure.com", "exp": NOW + 3600, "oid": "oid-1"}
    assert decode_jwt(f"eyJhIjoxfQ.{claims}.") == expected


def test_a_token_expiring_at_the_last_representable_second_is_accepted_and_one_later_is_not() -> None:
    assert auth({"authorization": f"Bearer {token(exp=LATEST_EXP)}"}) == Caller("token", "oid-1")
    assert refused({"authorization": f"Bearer {token(exp=LATEST_EXP + 1)}"}).status == 401


def test_an_audience_with_trailing_characters_is_not_an_azure_audience() -> None:
    for aud in ("https://cognitiveservices.azure.comX", "https://ai.azure.comXX/"):
        assert refused({"authorization": f"Bearer {token(aud=aud)}"}).status == 401
    assert auth({"authorization": f"Bearer {token(aud='https://ai.azure.com/')}"}) == Caller("token", "oid-1")


def test_a_valid_token_under_another_scheme_is_refused() -> None:
    for scheme in ("Basic", "Token", "bearerX"):
        assert refused({"authorization": f"{scheme} {token()}"}).status == 401
