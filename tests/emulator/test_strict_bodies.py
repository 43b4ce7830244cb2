"""Issue 12, findings 3 and 9 on the data plane and admin API: hostile bodies and tokens are 4xx, never 5xx.

Before the fix a body nested 100,000 deep, a lone surrogate in a prompt or a bearer JWT whose claims
nest 4,000 deep answered 500; a text/plain generate body and a second mask were accepted.
"""

from __future__ import annotations

import base64
import io

import httpx
import pytest
from PIL import Image

from emulator.testing import RunningEmulator
from tests.emulator.conftest import API_VERSION, KEY

GEN = "openai/deployments/gpt-image/images/generations?api-version=" + API_VERSION
V1_GEN = "openai/v1/images/generations"
EDIT = "openai/deployments/gpt-image/images/edits?api-version=" + API_VERSION
JSON = {"content-type": "application/json"}


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def png(size: tuple[int, int] = (64, 64), mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "body",
    [
        '{"prompt": ' + deep(100_000) + "}",
        '{"prompt": "a cat", "x": ' + deep(65) + "}",
        '{"prompt": "\\ud800 a cat"}',
        '{"prompt": "a cat", "n": NaN}',
        '{"prompt": "a cat", "n": Infinity}',
        '{"prompt": "a cat", "n": 1e999}',
        b'{"prompt": "\xed\xa0\x80"}',  # a surrogate encoded as UTF-8 bytes: not valid UTF-8
    ],
    ids=["deep 100000", "deep 65", "lone surrogate", "NaN", "Infinity", "1e999", "CESU surrogate"],
)
@pytest.mark.parametrize("route", [GEN, V1_GEN])
def test_hostile_generate_bodies_are_400(
    emu: RunningEmulator, http: httpx.Client, route: str, body: str
) -> None:
    answer = http.post(emu.endpoint("contoso") + route, content=body, headers={"api-key": KEY, **JSON})
    assert answer.status_code == 400, answer.text
    # The v1 spec's AzureErrorResponse allows only "error" as the type (docs/fidelity.md).
    assert answer.json()["error"]["type"] == ("error" if "/v1/" in route else "invalid_request_error")


@pytest.mark.parametrize("content_type", ["text/plain", None, "application/x-www-form-urlencoded"])
def test_generate_needs_a_json_content_type(
    emu: RunningEmulator, http: httpx.Client, content_type: str | None
) -> None:
    headers = {"api-key": KEY, **({"content-type": content_type} if content_type else {})}
    answer = http.post(emu.endpoint("contoso") + GEN, content=b'{"prompt": "a cat"}', headers=headers)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_content_type"
    assert error["message"] == (
        f"Invalid Content-Type header ({content_type or 'none'}), expected application/json."
    )


def test_two_masks_are_refused(emu: RunningEmulator, http: httpx.Client) -> None:
    files = [
        ("image", ("a.png", png(), "image/png")),
        ("mask", ("m.png", png(), "image/png")),
        ("mask", ("m2.png", png(), "image/png")),
    ]
    answer = http.post(
        emu.endpoint("contoso") + EDIT, headers={"api-key": KEY}, data={"prompt": "x"}, files=files
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "mask"


@pytest.mark.parametrize(
    "claims",
    [
        '{"aud": "https://cognitiveservices.azure.com", "exp": 9999999999, "x": ' + deep(4000) + "}",
        '{"aud": "https://cognitiveservices.azure.com", "exp": 1e308, "oid": "allowed-oid"}',
        '{"aud": "https://cognitiveservices.azure.com", "exp": NaN}',
        '{"aud": "https://cognitiveservices.azure.com", "exp": 9999999999, "oid": "\\ud800"}',
    ],
    ids=["claims 4000 deep", "exp 1e308", "NaN exp", "surrogate oid"],
)
@pytest.mark.parametrize("route", [GEN, V1_GEN])
def test_hostile_bearer_tokens_are_401(
    emu: RunningEmulator, http: httpx.Client, claims: str, route: str
) -> None:
    token = f"{b64(b'{}')}.{b64(claims.encode())}."
    answer = http.post(
        emu.endpoint("entra-only") + route,
        json={"prompt": "a cat", "model": "gpt-image"},
        headers={"Authorization": f"Bearer {token}"},
    )
    # On v1 a bearer that is not a usable JWT is taken as a key, and this account refuses keys (403).
    assert answer.status_code in ((401,) if route == GEN else (401, 403)), answer.text


@pytest.mark.parametrize(
    "body", [deep(100_000), deep(20_000), '{"errorRate": NaN}', '{"errorRate": "\\udc00"}']
)
def test_the_fault_route_refuses_hostile_bodies_and_sets_nothing(
    emu: RunningEmulator, http: httpx.Client, body: str
) -> None:
    answer = http.put(emu.base_url + "_emulator/faults/contoso/gpt-image", content=body)
    assert answer.status_code == (413 if len(body) > 64 * 1024 else 400), answer.text
    assert emu.admin("GET", "faults").json()["faults"] == []
