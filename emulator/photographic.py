"""Realistic payloads: stand-in pictures with photographic detail, at the byte sizes real outputs have.

The flat stand-ins of ``imaging.py`` are a few KiB; a GPT-image answer is megabytes. With
``images: {realistic: true}`` (or ``--realistic-images``) a picture is a smooth seeded colour field with
fine grain, whose amount follows ``quality``, so PNG, JPEG and WEBP encoders produce files of the size a
photograph of that size and quality has. Still deterministic: the grain comes from the picture's seed.

Target sizes (an estimate: no public source lists GPT-image output byte sizes; a gpt-image-1 1024px PNG
of 1.84 MB is quoted in the OpenAI community thread "413 Payload Too Large Error with Images Edit API"):
per megapixel, PNG about 1.7 MB at high quality, 1.4 MB medium, 1.2 MB low; JPEG at output_compression
100 about 0.3 MB, 0.2 MB, 0.18 MB. ``benchmarks/bench_emulator.py`` prints the sizes it measures.
"""

from __future__ import annotations

import hashlib
import random

from PIL import Image, ImageFilter

# Share of grain in the picture per quality ("auto" is high: Azure's documented default).
GRAIN = {"high": 0.2, "auto": 0.2, "medium": 0.1, "low": 0.05}
_FIELD = 16  # the colour field is a 16x16 grid scaled up with bicubic interpolation


def photograph(
    seed: str, width: int, height: int, *, quality: str, transparent: bool, detail: float = 1.0
) -> Image.Image:
    """An RGB (or RGBA, when ``transparent``) picture of ``width`` x ``height`` with photographic grain."""
    rng = random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:16], "big"))
    field = Image.frombytes("RGB", (_FIELD, _FIELD), rng.randbytes(_FIELD * _FIELD * 3))
    picture = field.resize((width, height), Image.Resampling.BICUBIC)
    grain = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    # A one-pixel blur turns white noise into film-like grain, which encoders compress as they do photos.
    grain = grain.filter(ImageFilter.BoxBlur(1))
    picture = Image.blend(picture, grain, GRAIN.get(quality, GRAIN["high"]) * max(0.0, min(1.0, detail)))
    if not transparent:
        return picture
    # Transparent background: an opaque subject (an ellipse) on a clear field, with soft edges.
    alpha = Image.new("L", (_FIELD * 4, _FIELD * 4), 0)
    inner = Image.new("L", (_FIELD * 2, _FIELD * 2), 255)
    alpha.paste(inner, (_FIELD, _FIELD))
    alpha = alpha.filter(ImageFilter.GaussianBlur(4)).resize((width, height), Image.Resampling.BICUBIC)
    picture.putalpha(alpha)
    return picture
