"""Send one raw HTTP request to the emulator's ASGI app in process, with the scope uvicorn would build.

uvicorn (h11) splits the request target at the first ``?``, percent-decodes the path once into
``scope["path"]`` and keeps the bytes as sent in ``raw_path``; it resolves no dot segments and merges no
slashes. Built the same way here, so a path reaches the app exactly as an outsider's would, and the
mutation tests can watch the guard in this process. A helper module: nothing here asserts.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from starlette.types import ASGIApp, Message


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def call(
    app: ASGIApp, method: str, target: str, *, headers: dict[str, str] | None = None, body: Any = None
) -> Answer:
    raw_path, _, query = target.partition("?")
    data = b"" if body is None else json.dumps(body).encode()
    sent = [(b"host", b"127.0.0.1:8443"), (b"content-length", str(len(data)).encode())]
    if body is not None:
        sent.append((b"content-type", b"application/json"))
    sent += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(raw_path),
        "raw_path": raw_path.encode("ascii"),
        "query_string": query.encode("ascii"),
        "root_path": "",
        "headers": sent,
        "server": ("0.0.0.0", 8443),
        "client": ("127.0.0.1", 50000),
        "state": {},
    }
    # A loop of its own, never installed as the thread's: asyncio.run() would leave the main thread with no
    # current loop, and a later in-process Pulumi evaluation in the same pytest worker would fail.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(_run(app, scope, data))
    finally:
        loop.close()


async def _run(app: ASGIApp, scope: dict[str, Any], data: bytes) -> Answer:
    messages: list[Message] = [{"type": "http.request", "body": data, "more_body": False}]
    status = 0
    chunks: list[bytes] = []

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return Answer(status, b"".join(chunks))
