"""images.realistic: photographic pictures at the byte sizes real outputs have, still deterministic."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from emulator.testing import RunningEmulator, running_emulator
from tests.emulator.conftest import API_VERSION, CONFIG, KEY

MB = 1024 * 1024


@pytest.fixture(scope="module")
def realistic() -> Iterator[RunningEmulator]:
    with running_emulator({**CONFIG, "images": {"realistic": True}}) as emu:
        yield emu


def _generate(emu: RunningEmulator, **body: object) -> bytes:
    route = f"openai/deployments/gpt-image/images/generations?api-version={API_VERSION}"
    url = emu.endpoint("contoso") + route
    with httpx.Client(verify=emu.verify, timeout=60) as http:
        answer = http.post(url, headers={"api-key": KEY}, json={"prompt": "a harbour at dusk", **body})
    assert answer.status_code == 200, answer.text
    return base64.b64decode(answer.json()["data"][0]["b64_json"])


def test_a_high_quality_square_png_is_megabytes_of_photographic_detail(realistic):
    png = _generate(realistic, size="1024x1024", quality="high")
    image = Image.open(io.BytesIO(png))

    assert image.format == "PNG" and image.size == (1024, 1024)
    assert 1.2 * MB <= len(png) <= 2.5 * MB  # target ~1.7 MB per megapixel (emulator/photographic.py)
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 24) or []) > 100_000  # not flat blocks


def test_size_follows_quality_format_and_area(realistic):
    high = _generate(realistic, size="1024x1024", quality="high")
    low = _generate(realistic, size="1024x1024", quality="low")
    wide = _generate(realistic, size="1536x1024", quality="high")
    jpeg = _generate(realistic, size="1024x1024", quality="high", output_format="jpeg")

    assert len(low) < len(high) < len(wide)
    assert 150 * 1024 <= len(jpeg) <= 600 * 1024 and len(jpeg) < len(high) // 3


def test_realistic_pictures_are_still_deterministic(realistic):
    assert _generate(realistic, size="1024x1024", quality="low") == _generate(
        realistic, size="1024x1024", quality="low"
    )
