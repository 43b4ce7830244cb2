"""One HTTP/1.1 request with its target sent byte for byte, as an outsider may send it.

httpx resolves dot segments (``/a/../b`` goes out as ``/b``); ``http.client`` sends the target as given,
so a test can send what a hostile client would. A helper module: nothing here asserts.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

from tests.emulator.asgi_call import Answer


def send(
    base_url: str, method: str, target: str, *, headers: dict[str, str] | None = None, body: Any = None
) -> Answer:
    where = urlsplit(base_url)
    if where.scheme != "http" or where.hostname != "127.0.0.1":
        raise ValueError(f"{base_url} is not a plain-HTTP emulator on 127.0.0.1")
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    try:
        data = None if body is None else json.dumps(body).encode()
        sent = {**(headers or {}), **({"content-type": "application/json"} if data is not None else {})}
        connection.request(method, target, body=data, headers=sent)
        answer = connection.getresponse()
        return Answer(answer.status, answer.read())
    finally:
        connection.close()
