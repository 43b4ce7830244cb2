"""The edit route's multipart parts -> text fields plus decoded, checked input images and mask.

Pure: takes already-split parts (the route turns Starlette's form into ``Part`` values) and applies the
rules of Learn's image how-to and the inference spec's edit request: ``image`` or repeated ``image[]``
(1-16), png/jpeg/webp by MIME type
(``application/octet-stream`` refused in OpenAI's words), size caps, a PNG mask with alpha the size of
the first image.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image

from emulator.errors import EmulatorError, invalid_request

MAX_IMAGES = 16
MAX_PIXELS = 50_000_000
_MIME = {"image/png": "PNG", "image/jpeg": "JPEG", "image/jpg": "JPEG", "image/webp": "WEBP"}


@dataclass(frozen=True)
class Part:
    name: str
    text: str | None = None
    data: bytes | None = None
    filename: str | None = None
    content_type: str | None = None

    @property
    def is_file(self) -> bool:
        return self.data is not None


@dataclass(frozen=True)
class EditInputs:
    images: tuple[Image.Image, ...]
    mask: Image.Image | None

    @property
    def image_bytes(self) -> int:
        return sum(im.width * im.height for im in self.images)


@dataclass(frozen=True)
class Limits:
    max_image_bytes: int
    max_mask_bytes: int
    accept_webp: bool = True
    max_pixels: int = 32_000_000  # decoded pixels of all images and the mask together


class _PixelBudget:
    """Counts pixels from each image's header, so a request over budget is refused before decoding."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, image: Image.Image) -> None:
        self.used += image.width * image.height
        if self.used > self.limit:
            raise invalid_request(
                f"Invalid 'image': the images and mask hold more than {self.limit} pixels in all; "
                "send fewer or smaller images.",
                param="image",
                code="image_too_large",
            )


def split_parts(parts: list[Part], limits: Limits) -> tuple[dict[str, str], EditInputs]:
    fields: dict[str, str] = {}
    images: list[Image.Image] = []
    mask: Image.Image | None = None
    budget = _PixelBudget(limits.max_pixels)
    for part in parts:
        if part.name in ("image", "image[]"):
            if not part.is_file:
                raise invalid_request(
                    f"Invalid value for '{part.name}': expected a file upload.",
                    param="image",
                    code="invalid_type",
                )
            if len(images) >= MAX_IMAGES:
                raise invalid_request(
                    f"Invalid 'image': too many images. Expected at most {MAX_IMAGES} images.",
                    param="image",
                    code="array_above_max_length",
                )
            images.append(_decode(part, "image", limits.max_image_bytes, limits, len(images) + 1, budget))
        elif part.name == "mask":
            if not part.is_file:
                raise invalid_request(
                    "Invalid value for 'mask': expected a file upload.", param="mask", code="invalid_type"
                )
            if mask is not None:
                raise invalid_request(
                    "Invalid 'mask': expected one mask file, got more.", param="mask", code="invalid_value"
                )
            mask = _decode(part, "mask", limits.max_mask_bytes, limits, 1, budget)
        elif part.is_file:
            raise invalid_request(
                f"Unknown parameter: '{part.name}'.", param=part.name, code="unknown_parameter"
            )
        else:
            if part.name in fields:
                raise invalid_request(
                    f"Duplicate parameter: '{part.name}'.", param=part.name, code="invalid_value"
                )
            fields[part.name] = part.text or ""
    if not images:
        raise invalid_request(
            "Missing required parameter: 'image'.", param="image", code="missing_required_parameter"
        )
    if mask is not None:
        _check_mask(mask, images[0])
    return fields, EditInputs(tuple(images), mask)


def _decode(
    part: Part, param: str, max_bytes: int, limits: Limits, number: int, budget: _PixelBudget
) -> Image.Image:
    assert part.data is not None
    mime = (part.content_type or "application/octet-stream").split(";")[0].strip().lower()
    supported = {k: v for k, v in _MIME.items() if limits.accept_webp or v != "WEBP"}
    if mime not in supported:
        listed = (
            "'image/jpeg', 'image/png', and 'image/webp'"
            if limits.accept_webp
            else "'image/jpeg' and 'image/png'"
        )
        raise invalid_request(
            f"Invalid file '{part.name}': unsupported mimetype ('{mime[:80]}'). "
            f"Supported file formats are {listed}.",
            param=param,
            code="unsupported_file_mimetype",
        )
    if len(part.data) > max_bytes:
        raise invalid_request(
            f"Invalid file '{part.name}': file too large ({len(part.data)} bytes). "
            f"The limit is {max_bytes} bytes.",
            param=param,
            code="file_too_large",
        )
    bad = invalid_request(
        f"Invalid image file or mode for {param} {number}, please check your image file.",
        param=param,
        code="invalid_image",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(part.data))
            if image.width * image.height > MAX_PIXELS:
                raise bad
            if image.format not in ("PNG", "JPEG", "WEBP"):
                raise bad
            budget.take(image)  # from the header: nothing is decoded yet
            image.load()
    except EmulatorError:
        raise
    except Exception as exc:  # Pillow raises many types for hostile bytes; all mean "not an image"
        raise bad from exc
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _check_mask(mask: Image.Image, first: Image.Image) -> None:
    if mask.format != "PNG" or not _has_alpha(mask):
        raise invalid_request(
            "Invalid mask image format - mask image missing alpha channel. "
            "The mask must be a PNG with an alpha "
            "channel.",
            param="mask",
            code="invalid_image_format",
        )
    if mask.size != first.size:
        raise invalid_request(
            f"Invalid mask: the mask ({mask.width}x{mask.height}) must have the same dimensions as the image "
            f"({first.width}x{first.height}).",
            param="mask",
            code="invalid_image_dimensions",
        )
