"""Images for the HTML reports: downscaled, re-encoded and inlined as data URIs, so a page is one file.

Opaque images become JPEG (quality 80), images with transparency WebP (alpha kept), both at most
``PREVIEW_EDGE`` pixels on the longer edge: a 1024 px output stays at full size while a report of a dozen
cases stays a few hundred kilobytes on the emulator and a few megabytes on real photos. Edit masks are
shown as an overlay on the input, tinting the area the model may change.
"""

from __future__ import annotations

import base64
import functools
import io
from dataclasses import dataclass

PREVIEW_EDGE = 1024
_JPEG_QUALITY = 80
_WEBP_QUALITY = 80
# The editable (transparent) area of a mask is tinted with this colour on the input image.
_TINT = (255, 0, 128)
_TINT_ALPHA = 0.45


@dataclass(frozen=True)
class Embedded:
    """One image ready for ``<img src=...>``: its data URI and the size it is shown at."""

    uri: str
    width: int
    height: int
    original: str  # e.g. "1024x1024 png"


def _uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _has_alpha(img: object) -> bool:
    from PIL import Image

    assert isinstance(img, Image.Image)
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        extrema = img.convert("RGBA").getchannel("A").getextrema()
        return isinstance(extrema, tuple) and isinstance(extrema[0], int) and extrema[0] < 255
    return False


@functools.lru_cache(maxsize=256)
def embed(data: bytes, edge: int = PREVIEW_EDGE) -> Embedded:
    """``data`` (any image Pillow reads) as a small inline image; cached, since inputs repeat per column."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img.load()
        original = f"{img.width}x{img.height} {(img.format or 'image').lower()}"
        alpha = _has_alpha(img)
        work = img.convert("RGBA" if alpha else "RGB")
    work.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if alpha:
        work.save(out, format="WEBP", quality=_WEBP_QUALITY, method=4)
        mime = "image/webp"
    else:
        work.save(out, format="JPEG", quality=_JPEG_QUALITY, optimize=True)
        mime = "image/jpeg"
    return Embedded(_uri(mime, out.getvalue()), work.width, work.height, original)


@functools.lru_cache(maxsize=64)
def mask_overlay(image: bytes, mask: bytes, edge: int = PREVIEW_EDGE) -> Embedded:
    """The input image with the mask's fully transparent (editable) pixels tinted, as an inline JPEG."""
    from PIL import Image

    with Image.open(io.BytesIO(image)) as img:
        base = img.convert("RGB")
    with Image.open(io.BytesIO(mask)) as m:
        alpha = m.convert("RGBA").getchannel("A")
    if alpha.size != base.size:
        alpha = alpha.resize(base.size, Image.Resampling.NEAREST)
    editable = alpha.point(lambda v: int(255 * _TINT_ALPHA) if v == 0 else 0)
    tinted = Image.composite(Image.new("RGB", base.size, _TINT), base, editable)
    out = io.BytesIO()
    tinted.save(out, format="PNG")
    overlay = embed(out.getvalue(), edge)
    return Embedded(overlay.uri, overlay.width, overlay.height, f"{base.width}x{base.height} mask overlay")
