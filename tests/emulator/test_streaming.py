"""Streaming answers: partial_images coarse frames, then the completed picture with usage."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import decode_image
from tests.emulator.test_edit import photo, png


@pytest.mark.parametrize("partials", [0, 1, 3])
def test_generate_stream_sends_partials_then_completed(client, partials):
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


def test_edit_stream_uses_image_edit_events(client):
    edit = {"model": "gpt-image", "prompt": "x", "image": ("p.png", png(photo()), "image/png")}
    events = list(client.images.edit(**edit, stream=True, partial_images=2))
    assert [e.type for e in events] == ["image_edit.partial_image"] * 2 + ["image_edit.completed"]
    assert [e.partial_image_index for e in events[:-1]] == [0, 1]
    assert len({e.b64_json for e in events}) == 3  # each partial is a different, coarser frame
    completed = events[-1]
    assert completed.usage.input_tokens_details.image_tokens > 0
    assert completed.b64_json == client.images.edit(**edit).data[0].b64_json


def test_stream_with_n_sends_one_completed_event_per_image(client):
    events = list(client.images.generate(model="gpt-image", prompt="two", n=2, stream=True, partial_images=1))
    assert [e.type for e in events] == ["image_generation.partial_image", "image_generation.completed"] * 2
