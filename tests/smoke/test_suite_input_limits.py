"""Issue 22: a suite's edit inputs are held to Azure's own limits when the suite is loaded: a mask to 4 MB
(the edit API's mask limit), an image to 50 MB. A mask between the two is refused, with the mask's limit
in the sentence; an image of the same size loads. Files are real PNGs padded to an exact size with an
ancillary chunk (which decoders skip), so only the size differs from a mask the suite accepts.
"""

from __future__ import annotations

import io
import struct
import textwrap
import zlib
from pathlib import Path

import pytest
from PIL import Image

from smoke.suite import SuiteError, load_suite

MASK_LIMIT = 4 * 1024 * 1024
IMAGE_LIMIT = 50 * 1024 * 1024


def png_of_size(path: Path, total: int, *, hole: bool) -> Path:
    """A 64x64 RGBA PNG of exactly ``total`` bytes (transparent square when ``hole``)."""
    img = Image.new("RGBA", (64, 64), (10, 20, 30, 255))
    if hole:
        img.paste((0, 0, 0, 0), (8, 8, 24, 24))
    buffer = io.BytesIO()
    img.save(buffer, "PNG")
    data = buffer.getvalue()
    iend = data.rindex(b"IEND") - 4
    padding = total - len(data) - 12
    assert padding >= 0
    chunk_type = b"paDd"  # lower-case first letter: ancillary, skipped by every decoder
    payload = b"\0" * padding
    chunk = struct.pack(">I", padding) + chunk_type + payload
    chunk += struct.pack(">I", zlib.crc32(chunk_type + payload) & 0xFFFFFFFF)
    path.write_bytes(data[:iend] + chunk + data[iend:])
    assert path.stat().st_size == total
    return path


def suite(tmp_path: Path) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(
        textwrap.dedent(
            """
            version: 1
            cases:
              - id: window
                route: edit
                prompt: Add a window.
                image: room.png
                mask: mask.png
            """
        ),
        encoding="utf-8",
    )
    return path


def test_a_mask_over_4_mb_is_refused_with_the_mask_limit(tmp_path: Path) -> None:
    png_of_size(tmp_path / "room.png", 10_000, hole=False)
    png_of_size(tmp_path / "mask.png", MASK_LIMIT + 1, hole=True)
    with pytest.raises(SuiteError) as caught:
        load_suite(suite(tmp_path))
    assert caught.value.problems == [
        f"cases[0] (window).mask: 'mask.png' is {MASK_LIMIT + 1} bytes, over the service's limit; "
        f"accepted: at most {MASK_LIMIT} bytes."
    ]


def test_a_mask_of_exactly_4_mb_loads(tmp_path: Path) -> None:
    png_of_size(tmp_path / "room.png", 10_000, hole=False)
    png_of_size(tmp_path / "mask.png", MASK_LIMIT, hole=True)
    case = load_suite(suite(tmp_path)).cases[0]
    assert case.mask is not None and len(case.mask.data) == MASK_LIMIT


def test_an_image_over_4_mb_loads_and_one_over_50_mb_is_refused(tmp_path: Path) -> None:
    png_of_size(tmp_path / "mask.png", 10_000, hole=True)
    png_of_size(tmp_path / "room.png", MASK_LIMIT + 1, hole=False)
    assert len(load_suite(suite(tmp_path)).cases[0].images[0].data) == MASK_LIMIT + 1
    png_of_size(tmp_path / "room.png", IMAGE_LIMIT, hole=False)
    assert len(load_suite(suite(tmp_path)).cases[0].images[0].data) == IMAGE_LIMIT
    png_of_size(tmp_path / "room.png", IMAGE_LIMIT + 1, hole=False)
    with pytest.raises(SuiteError) as caught:
        load_suite(suite(tmp_path))
    assert caught.value.problems == [
        f"cases[0] (window).image: 'room.png' is {IMAGE_LIMIT + 1} bytes, over the service's limit; "
        f"accepted: at most {IMAGE_LIMIT} bytes."
    ]
