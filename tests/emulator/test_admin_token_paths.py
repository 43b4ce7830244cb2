"""Issue 22: bound off loopback, no spelling of a guarded route gets past the admin token.

A real emulator process bound to 0.0.0.0 (so the token is required; the test still connects through
127.0.0.1, see test_admin_token.py), plain HTTP so each request target goes out byte for byte
(tests/emulator/rawhttp.py): doubled and trailing slashes, other case, percent-encoding and dot segments.
The doubled-slash requests were answered with the account keys before the guard read paths the way the
ARM router does.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from emulator.testing import ADMIN_TOKEN_HEADER, RunningEmulator, running_emulator
from tests.emulator.pathvariants import (
    ACCOUNT,
    ACCOUNT_BODY,
    ADMIN_ROUTES,
    CONFIG,
    GUARDED,
    KEY_ROUTES,
    Q,
    other_spellings,
    same_route_variants,
    slash_variants,
)
from tests.emulator.rawhttp import send


def arm_headers(**extra: str) -> dict[str, str]:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    claims = {"aud": "https://management.azure.com/", "exp": int(time.time() + 3600), "oid": "o"}
    return {"Authorization": f"Bearer {part({'alg': 'none'})}.{part(claims)}.", **extra}


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator(CONFIG, tls=False, extra_args=("--host", "0.0.0.0")) as running:
        assert running.admin_token is not None and running.base_url.startswith("http://127.0.0.1:")
        created = send(running.base_url, "PUT", ACCOUNT + Q, headers=arm_headers(), body=ACCOUNT_BODY)
        assert created.status in (200, 201), created.text
        yield running


def keys_of(emu: RunningEmulator) -> dict[str, str]:
    assert emu.admin_token is not None
    token = {ADMIN_TOKEN_HEADER: emu.admin_token}
    answer = send(emu.base_url, "POST", ACCOUNT + "/listKeys" + Q, headers=arm_headers(**token))
    assert answer.status == 200
    keys: dict[str, str] = answer.json()
    return keys


@pytest.mark.slow
def test_the_doubled_slash_and_trailing_slash_key_requests_are_refused_without_the_token(
    emu: RunningEmulator,
) -> None:
    assert emu.admin_token is not None
    keys = keys_of(emu)
    for spelling in [
        ACCOUNT + "//listKeys",
        ACCOUNT + "/listKeys/",
        ACCOUNT + "/listKeys//",
        ACCOUNT.replace("Microsoft.CognitiveServices/", "Microsoft.CognitiveServices//") + "/listKeys",
    ]:
        refused = send(emu.base_url, "POST", spelling + Q, headers=arm_headers())
        assert refused.status == 403, spelling
        assert refused.json()["error"]["code"] == "AuthorizationFailed"
        assert keys["key1"] not in refused.text and keys["key2"] not in refused.text
        allowed = send(
            emu.base_url, "POST", spelling + Q, headers=arm_headers(**{ADMIN_TOKEN_HEADER: emu.admin_token})
        )
        assert (allowed.status, allowed.json()) == (200, keys), spelling


@pytest.mark.slow
def test_every_spelling_of_every_guarded_route_needs_the_token(emu: RunningEmulator) -> None:
    assert emu.admin_token is not None
    token = {ADMIN_TOKEN_HEADER: emu.admin_token}
    keys = keys_of(emu)
    for method, route, body in KEY_ROUTES:
        for spelling in same_route_variants(route):
            refused = send(emu.base_url, method, spelling + Q, headers=arm_headers(), body=body)
            assert refused.status == 403, (method, spelling, refused.text)
            assert refused.json()["error"]["code"] == "AuthorizationFailed"
            if route.endswith("/listKeys"):
                allowed = send(emu.base_url, method, spelling + Q, headers=arm_headers(**token), body=body)
                assert (allowed.status, allowed.json()) == (200, keys), spelling
    assert keys_of(emu) == keys  # no regenerateKey got through
    for method, route, body in ADMIN_ROUTES:
        for spelling in slash_variants(route):
            refused = send(emu.base_url, method, spelling, body=body)
            if method == "GET" and route == "/_emulator/health":
                assert (refused.status, refused.json()) == (200, {"status": "ok"}), spelling
            else:
                assert refused.status == 401, (method, spelling, refused.text)
                assert refused.json()["error"]["code"] == "AdminTokenRequired"
    for method, route, body in GUARDED:
        for spelling in other_spellings(route):
            answer = send(emu.base_url, method, spelling + Q, headers=arm_headers(), body=body)
            if route == "/_emulator/health" and answer.status == 200:
                assert answer.json() == {"status": "ok"}, spelling
                continue
            assert 400 <= answer.status < 500, (method, spelling, answer.status, answer.text)
            assert keys["key1"] not in answer.text, spelling
    assert keys_of(emu) == keys
