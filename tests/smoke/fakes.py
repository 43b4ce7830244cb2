"""An in-process fake of the Azure image routes for httpx.MockTransport, plus small builders."""

from __future__ import annotations

import base64
import io
import json
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx
from PIL import Image

from smoke.targets import Target

KEY = "fake-key-0123456789abcdef0123456789"


def image_bytes(width: int = 1024, height: int = 1024, fmt: str = "PNG", colour=(10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format=fmt)
    return out.getvalue()


def success_body(n: int = 1, size: str = "1024x1024", fmt: str = "png", usage: dict | None = None) -> dict:
    w, h = (int(x) for x in size.split("x"))
    data = [{"b64_json": base64.b64encode(image_bytes(w, h, fmt.upper())).decode()} for _ in range(n)]
    return {
        "created": 1,
        "data": data,
        "usage": usage or {"input_tokens": 10, "output_tokens": 272, "total_tokens": 282},
    }


def error(status: int, code: str | None, message: str, headers: dict | None = None) -> tuple:
    return status, {"error": {"code": code, "message": message}}, headers or {}


@dataclass
class FakeService:
    """Answers queued (status, body, headers) first, then a valid image response for what was asked."""

    queue: deque = field(default_factory=deque)
    requests: list[httpx.Request] = field(default_factory=list)
    raise_on: deque = field(default_factory=deque)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.raise_on:
            exc = self.raise_on.popleft()
            if exc is not None:
                raise exc
        if self.queue:
            status, body, headers = self.queue.popleft()
            content = body if isinstance(body, bytes) else json.dumps(body).encode()
            return httpx.Response(status, content=content, headers={"apim-request-id": "req-err", **headers})
        if request.headers.get("content-type", "").startswith("application/json"):
            fields = json.loads(request.content)
        else:
            fields = _multipart_fields(request)
        body = success_body(
            int(fields.get("n", 1)), fields.get("size", "1024x1024"), fields.get("output_format", "png")
        )
        return httpx.Response(200, json=body, headers={"apim-request-id": f"req-{len(self.requests)}"})

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    def query(self, i: int) -> dict:
        return parse_qs(urlsplit(str(self.requests[i].url)).query)


def _multipart_fields(request: httpx.Request) -> dict[str, str]:
    """Text parts of a multipart body (enough for the fake: name -> value)."""
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    fields = {}
    for part in request.content.split(b"--" + boundary):
        head, _, value = part.partition(b"\r\n\r\n")
        if b"filename=" in head or b'name="' not in head:
            continue
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        fields[name] = value.rstrip(b"\r\n").decode()
    return fields


def multipart_parts(request: httpx.Request) -> dict[str, tuple[str, bytes]]:
    """name -> (content-type, raw bytes) for every part."""
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    parts = {}
    for part in request.content.split(b"--" + boundary)[1:-1]:
        head, _, value = part.partition(b"\r\n\r\n")
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        ctype = "text/plain"
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-type:"):
                ctype = line.split(b":", 1)[1].strip().decode()
        parts[name] = (ctype, value[:-2] if value.endswith(b"\r\n") else value)
    return parts


def target(**kw) -> Target:
    base = dict(endpoint="https://acct.openai.azure.com/", deployment="gpt-image", source="dev")
    return Target(**{**base, **kw})


def outputs_doc(**kw) -> dict:
    doc = {
        "environment": "dev",
        "location": "eastus2",
        "resourceGroupName": "rg",
        "accountName": "acct",
        "endpoint": "https://acct.openai.azure.com/",
        "apiVersion": "2025-04-01-preview",
        "localAuthDisabled": False,
        "deployments": {
            "gpt-image": {
                "model": "gpt-image-1.5",
                "version": "2025-12-16",
                "sku": "GlobalStandard",
                "capacity": 9,
                "role": "stable",
            },
        },
    }
    doc.update(kw)
    return doc
