"""Reading a request body without holding more than a cap in memory, for every route group.

The declared ``Content-Length`` is checked first; a chunked or lying body is counted as it arrives and
refused the moment it passes the cap, so a 100 MB body costs at most ``cap`` bytes. Each route group
turns ``JsonRejected`` into its own Azure error body.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.types import Message, Receive

from emulator.jsonbody import JsonRejected, parse_json


def too_large(cap: int) -> JsonRejected:
    return JsonRejected(f"the body is larger than {cap} bytes", too_large=True)


def capped_receive(receive: Receive, cap: int) -> Callable[[], Awaitable[Message]]:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise too_large(cap)
        return message

    return wrapped


def check_declared_length(request: Request, cap: int) -> None:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > cap:
        raise too_large(cap)


async def read_bounded(request: Request, cap: int) -> bytes:
    check_declared_length(request, cap)
    return await Request(request.scope, capped_receive(request.receive, cap)).body()


async def read_json_value(request: Request, *, cap: int, max_depth: int) -> Any:
    """The strict JSON body (``JsonRejected`` when too large, too deep, non-finite, not UTF-8...)."""
    raw = await read_bounded(request, cap)
    return parse_json(raw, max_bytes=cap, max_depth=max_depth)
