"""Streaming answers: partial_images coarse frames, then the completed picture with usage.

Images stream on the v1 surface; the 2025-04-01-preview spec declares no ``stream`` and Azure refuses it.
"""

from __future__ import annotations

import pytest

from tests.emulator.conftest import API_VERSION, KEY, decode_image
from tests.emulator.test_edit import photo, png


@pytest.mark.parametrize("partials", [0, 1, 3])
def test_generate_stream_sends_partials_then_completed(v1_client, partials):
    client = v1_client
    events = list(
        client.images.generate(model="gpt-image", prompt="stream", stream=True, partial_images=partials)
    )
    assert [e.type for e in events] == ["image_generation.partial_image"] * partials + [
        "image_generation.completed"
    ]
    assert [e.partial_image_index for e in events[:-1]] == list(range(partials))
    completed = events[-1]
    assert completed.usage.total_tokens > 0
    assert decode_image(completed.b64_json).size == (1024, 1024)
    plain = client.images.generate(model="gpt-image", prompt="stream").data[0].b64_json
    assert completed.b64_json == plain


def test_edit_stream_uses_image_edit_events(v1_client):
    client = v1_client
    edit = {"model": "gpt-image", "prompt": "x", "image": ("p.png", png(photo()), "image/png")}
    events = list(client.images.edit(**edit, stream=True, partial_images=2))
    assert [e.type for e in events] == ["image_edit.partial_image"] * 2 + ["image_edit.completed"]
    assert [e.partial_image_index for e in events[:-1]] == [0, 1]
    assert len({e.b64_json for e in events}) == 3  # each partial is a different, coarser frame
    completed = events[-1]
    assert completed.usage.input_tokens_details.image_tokens > 0
    assert completed.b64_json == client.images.edit(**edit).data[0].b64_json


def test_stream_with_n_sends_one_completed_event_per_image(v1_client):
    client = v1_client
    events = list(client.images.generate(model="gpt-image", prompt="two", n=2, stream=True, partial_images=1))
    assert [e.type for e in events] == ["image_generation.partial_image", "image_generation.completed"] * 2


@pytest.mark.parametrize("operation", ["generations", "edits"])
def test_stream_is_refused_on_2025_04_01_preview_whose_spec_has_none(emu, http, operation):
    url = (
        emu.endpoint("contoso") + f"openai/deployments/gpt-image/images/{operation}?api-version={API_VERSION}"
    )
    headers = {"api-key": KEY}
    if operation == "generations":
        answer = http.post(url, headers=headers, json={"prompt": "x", "stream": True})
    else:
        files = {"image": ("p.png", png(photo()), "image/png")}
        answer = http.post(url, headers=headers, data={"prompt": "x", "stream": "true"}, files=files)
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "BadRequest",
        "message": "Unrecognized request argument supplied: stream",
        "param": "stream",
        "type": "invalid_request_error",
    }
