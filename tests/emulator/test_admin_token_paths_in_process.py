"""Issue 22: the admin-token guard reads a path the way the routers do, so no spelling of a guarded route
gets past it. Driven in process through the real app (create_app, bound "0.0.0.0" with a token), with the
ASGI scope uvicorn builds from the bytes sent (tests/emulator/asgi_call.py); the same spellings are sent to
a real emulator process in test_admin_token_paths.py and fuzzed in test_fuzz_routes.py.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import unquote

import pytest
from starlette.applications import Starlette

from emulator.admintoken import HEADER, KEY_ACTIONS, is_admin_path, is_bare_health, key_action
from emulator.app import create_app
from emulator.arm.ids import parse_arm_path
from emulator.arm.routes import ArmApi
from emulator.config import Settings, parse_config
from emulator.paths import request_path, segments
from tests.emulator.asgi_call import Answer, call
from tests.emulator.pathvariants import (
    ACCOUNT,
    ACCOUNT_BODY,
    ADMIN_ROUTES,
    CONFIG,
    GUARDED,
    KEY_ROUTES,
    TOKEN,
    Q,
    other_spellings,
    same_route_variants,
    slash_variants,
)

ADMIN_REFUSAL = {
    "error": {
        "code": "AdminTokenRequired",
        "message": "The emulator is reachable from the network; send the admin token in the "
        "x-imagegate-admin-token header (see the admin-token file named in the ready line).",
    }
}


def key_refusal(action: str, scope: str = ACCOUNT) -> dict[str, Any]:
    return {
        "error": {
            "code": "AuthorizationFailed",
            "message": f"The client does not have authorization to perform action "
            f"'Microsoft.CognitiveServices/accounts/{action}/action' over scope '{scope}' or the scope "
            "is invalid. (The emulator is reachable from the network: send the admin token in the "
            "x-imagegate-admin-token header to read keys.)",
        }
    }


def arm_headers(**extra: str) -> dict[str, str]:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    claims = {"aud": "https://management.azure.com/", "exp": int(time.time() + 3600), "oid": "o"}
    return {"Authorization": f"Bearer {part({'alg': 'none'})}.{part(claims)}.", **extra}


WITH_TOKEN = {HEADER: TOKEN}


def guarded_app(token: str | None = TOKEN) -> Starlette:
    host = "0.0.0.0" if token else "127.0.0.1"
    app = create_app(Settings(config=parse_config(CONFIG), host=host, tls=False, admin_token=token))
    created = call(app, "PUT", ACCOUNT + Q, headers=arm_headers(), body=ACCOUNT_BODY)
    assert created.status in (200, 201), created.text
    return app


@pytest.fixture(scope="module")
def app() -> Starlette:
    return guarded_app()


def stored_keys(app: Starlette) -> dict[str, str]:
    answer = call(app, "POST", ACCOUNT + "/listKeys" + Q, headers=arm_headers(**WITH_TOKEN))
    assert answer.status == 200
    keys: dict[str, str] = answer.json()
    return keys


def shows_no_key(answer: Answer, keys: dict[str, str]) -> bool:
    return all(key not in answer.text for key in keys.values())


KEY_SPELLINGS = [(m, p, v, b) for m, p, b in KEY_ROUTES for v in same_route_variants(p)]


@pytest.mark.parametrize(("method", "route", "spelling", "body"), KEY_SPELLINGS)
def test_every_spelling_of_a_key_action_needs_the_token(
    app: Starlette, method: str, route: str, spelling: str, body: Any
) -> None:
    keys = stored_keys(app)
    action = route.rsplit("/", 1)[1]
    refused = call(app, method, spelling + Q, headers=arm_headers(), body=body)
    # The scope is the account's id as the caller spelt it (ARM keeps the case; slashes are merged).
    scope = parse_arm_path(unquote(spelling)).id
    assert (refused.status, refused.json()) == (403, key_refusal(action, scope))
    assert stored_keys(app) == keys  # regenerateKey changed nothing
    allowed = call(app, method, spelling + Q, headers=arm_headers(**WITH_TOKEN), body=body)
    assert allowed.status == 200, allowed.text
    if action == "listKeys":
        assert allowed.json() == keys
    else:
        assert stored_keys(app)["key1"] != keys["key1"]


ADMIN_SPELLINGS = [(m, p, v, b) for m, p, b in ADMIN_ROUTES for v in slash_variants(p)]


@pytest.mark.parametrize(("method", "route", "spelling", "body"), ADMIN_SPELLINGS)
def test_every_slash_spelling_of_an_admin_route_needs_the_token(
    app: Starlette, method: str, route: str, spelling: str, body: Any
) -> None:
    refused = call(app, method, spelling, body=body)
    if method == "GET" and route == "/_emulator/health":
        assert (refused.status, refused.json()) == (200, {"status": "ok"})
    else:
        assert (refused.status, refused.json()) == (401, ADMIN_REFUSAL)
    # With the token the guard steps aside: the answer is the router's (which routes exact paths only).
    allowed = call(app, method, spelling, headers=WITH_TOKEN, body=body)
    assert allowed.status in (307, 404), allowed.text


@pytest.mark.parametrize(("method", "route", "body"), GUARDED)
def test_no_other_spelling_of_a_guarded_route_gets_a_guarded_answer(
    method: str, route: str, body: Any
) -> None:
    app = guarded_app()
    keys = stored_keys(app)
    for spelling in other_spellings(route):
        answer = call(app, method, spelling + Q, headers=arm_headers(), body=body)
        if answer.status == 200 and route == "/_emulator/health":
            assert answer.json() == {"status": "ok"}, spelling  # the bare liveness answer, no more
            continue
        assert 400 <= answer.status < 500, (spelling, answer.status, answer.text)
        assert shows_no_key(answer, keys), spelling
    assert stored_keys(app) == keys


@pytest.mark.parametrize(("method", "route", "body"), GUARDED)
def test_the_route_itself_answers_with_the_token_and_is_refused_without(
    method: str, route: str, body: Any
) -> None:
    app = guarded_app()
    refused = call(app, method, route + Q, headers=arm_headers(), body=body)
    if route == "/_emulator/health":
        assert refused.json() == {"status": "ok"}
    else:
        assert refused.status == (403 if route.startswith("/subscriptions/") else 401)
    allowed = call(app, method, route + Q, headers=arm_headers(**WITH_TOKEN), body=body)
    assert 200 <= allowed.status < 300, allowed.text
    if route == "/_emulator/health":
        assert allowed.json()["accounts"] == ["acct-guard", "local"]


def test_a_wrong_or_empty_token_is_no_token(app: Starlette) -> None:
    for given in ({HEADER: "wrong"}, {HEADER: ""}, {HEADER: TOKEN + "x"}, {HEADER: TOKEN[:-1]}):
        assert call(app, "GET", "/_emulator/requests", headers=given).status == 401
        answer = call(app, "POST", ACCOUNT + "/listKeys" + Q, headers=arm_headers(**given))
        assert answer.status == 403


def test_only_a_bare_get_of_health_is_answered_without_the_token(app: Starlette) -> None:
    for method, path in [
        ("POST", "/_emulator/health"),
        ("GET", "/_emulator/Health"),
        ("GET", "/_EMULATOR/health"),
        ("GET", "/_emulator/health/x"),
        ("GET", "/_emulator"),
        ("GET", "/_emulator/"),
    ]:
        assert (call(app, method, path).status, method, path) == (401, method, path)


def test_on_loopback_nothing_is_guarded() -> None:
    app = guarded_app(token=None)
    assert call(app, "GET", "/_emulator/requests").status == 200
    assert call(app, "POST", ACCOUNT + "//listKeys/" + Q, headers=arm_headers()).status == 200


def test_a_guard_passes_what_it_does_not_guard(app: Starlette) -> None:
    answer = call(app, "GET", ACCOUNT + Q, headers=arm_headers())
    assert answer.status == 200 and answer.json()["name"] == "acct"
    assert call(app, "GET", "/subscriptions/x" + Q, headers=arm_headers()).status == 200
    assert call(app, "GET", "/nowhere").status == 404


def test_the_guards_key_actions_are_the_routers_key_actions() -> None:
    table = ArmApi(guarded_app().state.emulator.arm).table
    for signature in KEY_ACTIONS:
        assert set(table[signature]) == {"POST"}
    assert {s for s in table if s.endswith(("#listkeys", "#regeneratekey"))} == set(KEY_ACTIONS)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/a/b", ("a", "b")),
        ("a/b", ("a", "b")),
        ("//a///b//", ("a", "b")),
        ("/", ()),
        ("", ()),
        ("/a/./../b", ("a", ".", "..", "b")),
    ],
)
def test_segments_drop_only_the_empty_pieces(path: str, expected: tuple[str, ...]) -> None:
    assert segments(path) == expected


def test_the_request_path_is_the_decoded_path_the_routers_match() -> None:
    assert request_path({"path": "/a b/c", "raw_path": b"/a%20b/c"}) == "/a b/c"


def test_the_guard_reads_paths_as_the_arm_parser_does() -> None:
    for _, route, _ in KEY_ROUTES:
        action = route.rsplit("/", 1)[1]
        for spelling in same_route_variants(route):
            decoded = unquote(spelling)
            assert key_action(decoded) == (action, parse_arm_path(decoded).id)
        for spelling in other_spellings(route):
            decoded = unquote(spelling)
            if not decoded.startswith("/subscriptions/"):
                continue  # not routed to ARM at all (its route is /subscriptions/..., case as written)
            assert key_action(decoded) is None, spelling
    assert key_action("/not-arm/listKeys") is None
    assert key_action(ACCOUNT) is None
    assert key_action(ACCOUNT + "/deployments") is None


def test_admin_paths_are_the_ones_under_a_first_segment_emulator() -> None:
    for path in ["/_emulator", "/_emulator/", "//_emulator//x", "/_EMULATOR/reset", "_emulator/a"]:
        assert is_admin_path(path), path
    for path in ["/", "", "/x/_emulator", "/_emulatorx/reset", "/accounts/_emulator"]:
        assert not is_admin_path(path), path
    assert is_bare_health("GET", "/_emulator/health")
    assert is_bare_health("GET", "//_emulator//health/")
    assert not is_bare_health("HEAD", "/_emulator/health")
    assert not is_bare_health("GET", "/_emulator/health/x")
    assert not is_bare_health("GET", "/_emulator")
