"""Deterministic stand-in images: exact size and format, different per prompt, cheap to make.

A picture is a seeded arrangement of flat-coloured blocks drawn on a small canvas and scaled up with
nearest-neighbour, so a 1024x1024 PNG costs a few milliseconds. The seed is (deployment, prompt, index):
the same request gives the same bytes, a different prompt gives a visibly different picture.

Edits keep every pixel where the mask's alpha is non-zero and paint the picture where it is zero. That
identity can only be asserted on lossless output (PNG, or WEBP at output_compression 100); JPEG re-encodes
every pixel.
"""

from __future__ import annotations

import hashlib
import io
import random
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

from PIL import Image, ImageDraw

from emulator.photographic import photograph

_CANVAS = 64
_PIL_FORMAT = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}


@dataclass(frozen=True)
class Picture:
    """What to draw: the seed inputs and the output encoding."""

    deployment: str
    prompt: str
    index: int
    width: int
    height: int
    output_format: str = "png"
    output_compression: int = 100
    transparent: bool = False
    realistic: bool = False  # photographic detail at real byte sizes (photographic.py)
    quality: str = "high"


def _rng(deployment: str, prompt: str, index: int) -> random.Random:
    digest = hashlib.sha256(f"{deployment}\x00{prompt}\x00{index}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def render(picture: Picture, *, detail: float = 1.0) -> Image.Image:
    """The picture as an RGBA image; ``detail`` < 1 gives the coarser frames used as streamed partials."""
    rng = _rng(picture.deployment, picture.prompt, picture.index)
    canvas_w = max(4, round(_CANVAS * min(1.0, picture.width / picture.height)))
    canvas_h = max(4, round(_CANVAS * min(1.0, picture.height / picture.width)))
    background = (*_colour(rng), 0 if picture.transparent else 255)
    small = Image.new("RGBA", (canvas_w, canvas_h), background)
    draw = ImageDraw.Draw(small)
    for _ in range(6 + rng.randrange(6)):
        x0, y0 = rng.randrange(canvas_w), rng.randrange(canvas_h)
        x1, y1 = x0 + 4 + rng.randrange(canvas_w // 2), y0 + 4 + rng.randrange(canvas_h // 2)
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x0, y0, x1, y1), fill=(*_colour(rng), 255))
    if detail < 1.0:
        coarse = (max(1, int(canvas_w * detail)), max(1, int(canvas_h * detail)))
        small = small.resize(coarse, Image.Resampling.NEAREST)
    return small.resize((picture.width, picture.height), Image.Resampling.NEAREST)


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return rng.randrange(256), rng.randrange(256), rng.randrange(256)


def encode(image: Image.Image, output_format: str, compression: int = 100) -> bytes:
    """Encode in the requested format; PNG at a low zlib level because speed beats size here."""
    buffer = io.BytesIO()
    if output_format == "jpeg":
        image.convert("RGB").save(buffer, "JPEG", quality=max(1, min(95, compression)))
    elif output_format == "webp":
        image.save(buffer, "WEBP", lossless=compression >= 100, quality=max(1, compression), method=0)
    else:
        image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def _photograph(picture: Picture, width: int, height: int, detail: float) -> Image.Image:
    seed = f"{picture.deployment}\x00{picture.prompt}\x00{picture.index}"
    return photograph(
        seed, width, height, quality=picture.quality, transparent=picture.transparent, detail=detail
    )


def generate(picture: Picture, *, detail: float = 1.0) -> bytes:
    if picture.realistic:
        image = _photograph(picture, picture.width, picture.height, detail)
        return encode(image, picture.output_format, picture.output_compression)
    if picture.output_format == "png":
        # A palette PNG (the picture has a dozen colours) compresses a third of the bytes: ~2 ms at 1024x1024.
        small = render(replace(picture, width=_CANVAS, height=_CANVAS), detail=detail)
        if picture.transparent:
            palette = small.quantize(colors=32, method=Image.Quantize.FASTOCTREE)
        else:
            palette = small.convert("RGB").quantize(colors=32, method=Image.Quantize.MEDIANCUT)
        return encode(palette.resize((picture.width, picture.height), Image.Resampling.NEAREST), "png")
    image = render(picture, detail=detail)
    if not picture.transparent:
        image = image.convert("RGB")
    return encode(image, picture.output_format, picture.output_compression)


def edit(
    source: Image.Image,
    mask: Image.Image | None,
    picture: Picture,
    *,
    keep_size: bool,
    detail: float = 1.0,
) -> bytes:
    """Paint ``picture`` into ``source`` where ``mask`` alpha is 0 (everywhere, blended, without a mask)."""
    if picture.realistic:
        painted = _photograph(picture, source.width, source.height, detail).convert("RGBA")
    else:
        painted = render(
            Picture(
                picture.deployment,
                picture.prompt,
                picture.index,
                source.width,
                source.height,
                transparent=picture.transparent,
            ),
            detail=detail,
        )
    keep_alpha = source.mode in ("RGBA", "LA", "PA") or (source.mode == "P" and "transparency" in source.info)
    base = source.convert("RGBA")
    if mask is None:
        result = Image.blend(base, painted, 0.5)
    else:
        # Binary: alpha 0 is edited, anything else kept, so kept pixels are byte-for-byte the source.
        keep = mask.convert("RGBA").getchannel("A").point(lambda a: 255 if a else 0)
        result = Image.composite(base, painted, keep)
    if not keep_alpha and not picture.transparent:
        result = result.convert("RGB")
    if not keep_size and (result.width, result.height) != (picture.width, picture.height):
        result = result.resize((picture.width, picture.height), Image.Resampling.BILINEAR)
    return encode(result, picture.output_format, picture.output_compression)


class ImageCache:
    """Bounded LRU of encoded pictures; generation is deterministic, so a hit is the same bytes."""

    def __init__(self, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[Picture, float], bytes] = OrderedDict()
        self._bytes = 0
        self._max_entries = max_entries
        self._max_bytes = max_bytes

    def get_or_make(self, picture: Picture, detail: float = 1.0) -> bytes:
        key = (picture, detail)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        data = generate(picture, detail=detail)
        with self._lock:
            if key not in self._items:
                self._items[key] = data
                self._bytes += len(data)
            while self._items and (len(self._items) > self._max_entries or self._bytes > self._max_bytes):
                _, old = self._items.popitem(last=False)
                self._bytes -= len(old)
        return data

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
