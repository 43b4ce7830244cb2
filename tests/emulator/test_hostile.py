"""Hostile input never gets a 5xx and never takes the server down."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.emulator.conftest import API_VERSION, KEY

GEN = "openai/deployments/gpt-image/images/generations?api-version=" + API_VERSION
EDIT = "openai/deployments/gpt-image/images/edits?api-version=" + API_VERSION
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
FIELDS = st.sampled_from(
    [
        "prompt",
        "n",
        "size",
        "quality",
        "output_format",
        "output_compression",
        "background",
        "stream",
        "partial_images",
        "moderation",
        "user",
        "model",
        "input_fidelity",
        "zzz",
    ]
)
HOSTILE = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def post(emu, http):
    def send(path: str, **kwargs) -> httpx.Response:
        headers = {"api-key": KEY, **kwargs.pop("headers", {})}
        response = http.post(emu.endpoint("contoso") + path, headers=headers, **kwargs)
        assert response.status_code < 500, response.text
        assert response.status_code == 200 or "error" in response.json() or "statusCode" in response.json()
        return response

    return send


@HOSTILE
@given(body=st.dictionaries(FIELDS, JSON_VALUES, max_size=6))
def test_generate_with_arbitrary_json_fields_is_never_5xx(post, body):
    post(GEN, json=body)


@HOSTILE
@given(raw=st.binary(max_size=300))
def test_generate_with_arbitrary_bytes_is_never_5xx(post, raw):
    post(GEN, content=raw, headers={"content-type": "application/json"})


@HOSTILE
@given(
    fields=st.dictionaries(FIELDS, st.text(max_size=30), max_size=5),
    blob=st.binary(max_size=200),
    mime=st.sampled_from(["image/png", "image/jpeg", "image/webp", "application/octet-stream", "text/plain"]),
)
def test_edit_with_arbitrary_parts_is_never_5xx(post, fields, blob, mime):
    post(EDIT, data=fields, files={"image": ("x.png", blob, mime)})


@pytest.mark.parametrize(
    "content, content_type",
    [
        (
            b'--b\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n'
            b"Content-Type: image/png\r\n\r\n\x89PNG\r\n",
            "multipart/form-data; boundary=b",
        ),  # truncated
        (b"garbage", "multipart/form-data"),  # no boundary
        (b"garbage", "text/plain"),
        (b"", "multipart/form-data; boundary=zzz"),
    ],
)
def test_broken_multipart_is_400(post, content, content_type):
    assert post(EDIT, content=content, headers={"content-type": content_type}).status_code == 400


def test_huge_fields_are_refused_and_the_server_stays_up(post, emu):
    big = json.dumps({"prompt": "x" * 2_000_000})
    assert post(GEN, content=big, headers={"content-type": "application/json"}).status_code == 413
    assert post(GEN, json={"prompt": "x" * 40_000}).status_code == 400
    assert post(GEN, json={"prompt": "still up"}).status_code == 200
    assert emu.health()["status"] == "ok"


def test_decompression_bomb_is_refused(post):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")
    response = post(EDIT, data={"prompt": "x"}, files={"image": ("bomb.png", buffer.getvalue(), "image/png")})
    assert response.status_code == 400
