"""The admin-token middleware as an ASGI app of its own (emulator/admintoken.py), in process: what it
passes on untouched, what its refusals look like on the wire (status, headers, body bytes), and how the
token is compared. The guarded routes, spelled every way, are in test_admin_token_paths_in_process.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from emulator import admintoken
from emulator.admintoken import HEADER, AdminTokenMiddleware, provide_token

TOKEN = "s3cret-token-0123456789"
KEYS = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/acct/listKeys"


class Inner:
    """The app behind the guard: records what reached it and answers 204 (or completes a lifespan step)."""

    def __init__(self) -> None:
        self.scopes: list[Scope] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scopes.append(scope)
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
        else:
            message = await receive()
            await send({"type": message["type"] + ".complete"})


def run(scope: Scope) -> tuple[Inner, list[Message]]:
    inner = Inner()
    sent: list[Message] = []

    async def receive() -> Message:
        if scope["type"] != "http":
            return {"type": f"{scope['type']}.startup"}
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(AdminTokenMiddleware(inner, TOKEN)(scope, receive, send))
    return inner, sent


def http(method: str, path: str, headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "headers": headers or []}


@pytest.mark.parametrize("kind", ["lifespan", "websocket"])
def test_what_is_not_an_http_request_passes_through_untouched(kind: str) -> None:
    scope = {"type": kind}  # no path, no method, no headers: the guard must not read them
    inner, sent = run(scope)
    assert inner.scopes == [scope] and inner.scopes[0] is scope
    # The app talks to the server itself: the guard hands it the server's receive and send.
    assert sent == [{"type": f"{kind}.startup.complete"}]


@pytest.mark.parametrize("host", ["X127.0.0.1", "127.0.0.1X", "X::1", "[::1]X"])
def test_a_host_name_around_a_loopback_address_is_not_loopback(host: str) -> None:
    """Only the brackets of an IPv6 literal are taken off; anything else makes it a host name."""
    assert admintoken.is_loopback_bind(host) is False


REFUSALS = [
    (
        "POST",
        "/_emulator/reset",
        401,
        {
            "error": {
                "code": "AdminTokenRequired",
                "message": "The emulator is reachable from the network; send the admin token in the "
                f"{HEADER} "
                "header (see the admin-token file named in the ready line).",
            }
        },
    ),
    ("GET", "/_emulator/health", 200, {"status": "ok"}),
    (
        "POST",
        KEYS,
        403,
        {
            "error": {
                "code": "AuthorizationFailed",
                "message": "The client does not have authorization to perform action "
                "'Microsoft.CognitiveServices/accounts/listKeys/action' over scope "
                f"'{KEYS.removesuffix('/listKeys')}' or the scope is invalid. "
                "(The emulator is reachable from "
                f"the network: send the admin token in the {HEADER} header to read keys.)",
            }
        },
    ),
]


@pytest.mark.parametrize(("method", "path", "status", "body"), REFUSALS)
def test_an_answer_without_the_token_is_one_json_message_of_declared_length(
    method: str, path: str, status: int, body: dict[str, Any]
) -> None:
    inner, sent = run(http(method, path))
    assert inner.scopes == []
    data = json.dumps(body).encode()
    assert sent == [
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())],
        },
        {"type": "http.response.body", "body": data},
    ]


@pytest.mark.parametrize("path", ["/_emulator/reset", "/_emulator/health", KEYS])
def test_with_the_token_the_request_reaches_the_app(path: str) -> None:
    scope = http("POST", path, [(HEADER.encode(), TOKEN.encode())])
    inner, sent = run(scope)
    assert inner.scopes == [scope]
    assert sent[0]["status"] == 204


@pytest.mark.parametrize(
    "given",
    [b"", TOKEN[:-1].encode(), (TOKEN + "x").encode(), TOKEN.upper().encode(), b"\xff" + TOKEN.encode()],
)
def test_any_other_token_is_refused(given: bytes) -> None:
    inner, sent = run(http("POST", KEYS, [(HEADER.encode(), given)]))
    assert inner.scopes == [] and sent[0]["status"] == 403


def test_a_token_with_non_ascii_characters_matches_its_utf8_bytes_as_sent() -> None:
    token = "jeton-été-0123456789"
    inner = Inner()
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    for given, status in [(token.encode("utf-8"), 204), (token.encode("latin-1"), 403)]:
        scope = http("POST", KEYS, [(HEADER.encode(), given)])
        asyncio.run(AdminTokenMiddleware(inner, token)(scope, receive, send))
        assert sent[-2]["status"] == status


def test_a_new_token_is_32_random_bytes_written_to_a_file_created_0600(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is private from the moment it exists, not only once the function has returned."""
    monkeypatch.delenv(admintoken.ENV_VAR, raising=False)
    modes: list[int] = []
    real_fdopen = os.fdopen

    def watched_fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", watched_fdopen)
    old = os.umask(0)  # no umask hides a wider mode given to os.open
    try:
        token, path = provide_token(tmp_path, None)
    finally:
        os.umask(old)
    assert modes == [0o600]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    # secrets.token_urlsafe(32): 32 random bytes, 43 URL-safe base64 characters.
    assert len(token) == 43 and set(token) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )
    assert path.read_bytes() == token.encode() + b"\n"
