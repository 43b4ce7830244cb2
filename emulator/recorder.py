"""Opt-in record of every answer the emulator sends, one JSON line each, for the spec judge in the tests.

Set ``IMAGEGATE_EMULATOR_RECORD=<file>`` (the test suite does, per worker) and each answer outside
``/_emulator/`` is appended as ``{method, path, query, status, headers, contentType, body}``. The line is
written before the answer's last byte goes out, so a client that has read an answer can read its record.
Strings over 1 KiB in a JSON body (base64 images) are cut, keeping their type; secrets are not recorded
(request headers are not, and answers carry no keys but ``listKeys``, whose values are replaced).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ENV = "IMAGEGATE_EMULATOR_RECORD"
_LONG = 1024
_MAX_BODY = 64 * 1024 * 1024


def record_path_from_env() -> Path | None:
    value = os.environ.get(ENV, "").strip()
    return Path(value) if value else None


class ResponseRecorder:
    def __init__(self, app: ASGIApp, path: Path) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_emulator/"):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        size = 0

        async def capture(message: Message) -> None:
            nonlocal size
            if message["type"] == "http.response.start":
                start["status"] = message["status"]
                start["headers"] = {
                    k.decode("latin-1").lower(): v.decode("latin-1") for k, v in message.get("headers", [])
                }
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                if size + len(body) <= _MAX_BODY:
                    chunks.append(body)
                size += len(body)
                if not message.get("more_body", False):
                    self._write(scope, start, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, capture)

    def _write(self, scope: Scope, start: dict[str, Any], raw: bytes) -> None:
        headers = start.get("headers", {})
        content_type = headers.get("content-type", "")
        body: Any = None
        if raw and "json" in content_type:
            try:
                body = _shorten(json.loads(raw), scope["path"])
            except ValueError:
                body = None
        record = {
            "method": scope["method"],
            "path": scope["path"],
            "query": dict(
                parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            ),
            "status": start.get("status", 500),
            "headers": headers,
            "contentType": content_type,
            "body": body,
            "bodyBytes": len(raw),
        }
        line = (json.dumps(record) + "\n").encode()
        # One write on an O_APPEND descriptor: lines from several emulator processes never interleave.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


def _shorten(value: Any, path: str) -> Any:
    if isinstance(value, dict):
        secret = path.lower().endswith(("/listkeys", "/regeneratekey"))
        return {
            k: ("<redacted>" if secret and k in ("key1", "key2") else _shorten(v, path))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_shorten(v, path) for v in value]
    if isinstance(value, str) and len(value) > _LONG:
        return value[:64]
    return value
