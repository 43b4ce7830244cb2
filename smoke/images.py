"""Image facts the checks need: decode and identify, fit a mask, and measure what an edit changed.

Pure functions over bytes (Pillow imported lazily so ``smoke --help`` stays fast). The edit report
counts pixels that differ from the base image, separately inside and outside the mask's transparent
(editable) region; real models repaint everything a little, so it is a report, not a verdict.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from importlib import resources
from typing import Any

_FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}
# A channel difference below this is compression noise, not a change.
_CHANGE_TOLERANCE = 24
# Comparison is done on a downscaled copy: the ratio is what matters, and full size costs seconds.
_COMPARE_SIZE = (256, 256)


class ImageDecodeError(ValueError):
    """Bytes that are not an image Pillow can read."""


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


@dataclass(frozen=True)
class EditChange:
    """Fractions (0..1) of pixels that changed inside / outside the mask's editable region."""

    inside: float
    outside: float
    inside_pixels: int
    outside_pixels: int


def identify(data: bytes) -> ImageInfo:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            fmt = _FORMATS.get(img.format or "", (img.format or "unknown").lower())
            return ImageInfo(fmt, img.width, img.height)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageDecodeError(str(exc) or "not an image") from exc


def parse_size(size: str) -> tuple[int, int] | None:
    """'1024x1536' -> (1024, 1536); 'auto' -> None (any size accepted)."""
    if size == "auto":
        return None
    w, _, h = size.partition("x")
    return int(w), int(h)


def fixture_bytes(name: str) -> bytes:
    return resources.files("smoke").joinpath("fixtures", name).read_bytes()


@functools.lru_cache(maxsize=8)
def mask_for(mask: bytes, width: int, height: int) -> bytes:
    """The mask resized (nearest neighbour, alpha kept) to the base image's size, as PNG.

    Cached: every deployment of a run edits with the same mask, and re-encoding costs CPU the
    concurrent run shares with TLS and image decoding.
    """
    from PIL import Image

    with Image.open(io.BytesIO(mask)) as img:
        if img.format == "PNG" and img.mode == "RGBA" and img.size == (width, height):
            return mask
        rgba = img.convert("RGBA")
        if rgba.size != (width, height):
            rgba = rgba.resize((width, height), Image.Resampling.NEAREST)
        out = io.BytesIO()
        rgba.save(out, format="PNG")
        return out.getvalue()


def has_transparent_region(mask: bytes) -> bool:
    from PIL import Image

    with Image.open(io.BytesIO(mask)) as img:
        if "A" not in img.getbands():
            return False
        low, _ = img.getchannel("A").getextrema()
        return low == 0


def _downscaled_rgb(data: bytes) -> Any:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        # reducing_gap: a box reduction first, then bilinear - a third cheaper than bilinear from full size.
        return img.convert("RGB").resize(_COMPARE_SIZE, Image.Resampling.BILINEAR, reducing_gap=2.0)


# Every deployment of a run edits the same base and mask: decode and downscale them once, not per
# deployment (12 concurrent edit checks were spending most of the smoke process's CPU here).
_cached_base = functools.lru_cache(maxsize=4)(_downscaled_rgb)


@functools.lru_cache(maxsize=4)
def _editable_region(mask: bytes) -> Any:
    """255 where the mask is fully transparent (editable), 0 elsewhere, at the comparison size."""
    from PIL import Image

    with Image.open(io.BytesIO(mask)) as m:
        alpha = m.convert("RGBA").getchannel("A").resize(_COMPARE_SIZE, Image.Resampling.NEAREST)
    return alpha.point(lambda v: 255 if v == 0 else 0)


def edit_change(base: bytes, result: bytes, mask: bytes) -> EditChange:
    """How much of the result differs from the base inside vs outside the mask's transparent pixels."""
    from PIL import ImageChops

    editable = _editable_region(mask)
    diff = ImageChops.difference(_cached_base(base), _downscaled_rgb(result)).convert("L")
    changed = diff.point(lambda v: 255 if v > _CHANGE_TOLERANCE else 0)
    inside_total = editable.histogram()[255]
    outside_total = _COMPARE_SIZE[0] * _COMPARE_SIZE[1] - inside_total
    changed_inside = ImageChops.multiply(changed, editable).histogram()[255]
    changed_outside = changed.histogram()[255] - changed_inside
    return EditChange(
        inside=changed_inside / inside_total if inside_total else 0.0,
        outside=changed_outside / outside_total if outside_total else 0.0,
        inside_pixels=inside_total,
        outside_pixels=outside_total,
    )


def thumbnail(data: bytes, edge: int = 256) -> bytes:
    """A small JPEG of the image for the HTML report."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        small = img.convert("RGB")
    small.thumbnail((edge, edge))
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=80)
    return out.getvalue()
