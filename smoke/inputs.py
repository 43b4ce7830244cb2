"""Read and validate user-supplied inputs (prompt files, images, masks, report paths, sizes) up front,
so a bad one ends the run with one sentence before any request is sent."""

from __future__ import annotations

import re
from pathlib import Path

from smoke.errors import InputError
from smoke.images import ImageDecodeError, has_transparent_region, identify
from smoke.suite.loader import MAX_IMAGE_BYTES, MAX_MASK_BYTES

_SIZE = re.compile(r"(auto|[1-9][0-9]{1,4}x[1-9][0-9]{1,4})")


def read_prompts(path: Path) -> tuple[str, ...]:
    """One prompt per non-empty line; lines starting with '#' are comments."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"Cannot read the prompt file {str(path)!r}; pass a readable UTF-8 text file."
        ) from exc
    prompts = tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
    if not prompts:
        raise InputError(f"The prompt file {str(path)!r} has no prompts; put one prompt per line.")
    too_long = [p for p in prompts if len(p) > 32000]
    if too_long:
        raise InputError(f"A prompt in {str(path)!r} is longer than 32000 characters, the service's limit.")
    return prompts


def read_image(path: Path, what: str) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"Cannot read the {what} {str(path)!r}; pass a readable PNG, JPEG or WebP file."
        ) from exc
    # The edit API's limits: 4 MB for a mask, 50 MB for an image (as a suite's files are held when it loads).
    limit = MAX_MASK_BYTES if what == "mask" else MAX_IMAGE_BYTES
    if len(data) > limit:
        raise InputError(
            f"The {what} {str(path)!r} is {len(data)} bytes, over the service's limit; "
            f"accepted: at most {limit} bytes."
        )
    try:
        info = identify(data)
    except ImageDecodeError as exc:
        raise InputError(f"The {what} {str(path)!r} is not a PNG, JPEG or WebP image.") from exc
    if info.format not in ("png", "jpeg", "webp"):
        raise InputError(f"The {what} {str(path)!r} is {info.format}; use PNG, JPEG or WebP.")
    return data


def read_mask(path: Path) -> bytes:
    """``--mask``: a PNG with a transparent area (``read_image`` holds it to the 4 MB mask limit)."""
    data = read_image(path, "mask")
    if identify(data).format != "png" or not has_transparent_region(data):
        raise InputError(
            f"The mask {str(path)!r} must be a PNG with an alpha channel whose fully transparent pixels "
            "mark the area to edit."
        )
    return data


def check_size(size: str) -> str:
    if not _SIZE.fullmatch(size):
        raise InputError(f"Size {size!r} is not WIDTHxHEIGHT (e.g. 1024x1024) or 'auto'.")
    return size


def check_output_path(path: Path, what: str) -> Path:
    """A report or image path must be writable where it will be written, checked before the run.

    A missing folder is created (as ``--save-images`` does), so ``--json r/x.json`` works in a fresh clone.
    """
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise InputError(f"The folder for the {what} {str(path)!r} is a file; pass another path.")
    if not parent.is_dir():
        prepare_folder(parent, f"folder for the {what}")
    if path.is_dir():
        raise InputError(f"The {what} {str(path)!r} is a folder; pass a file name.")
    return path


_SUFFIX_FORMATS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp"}


def check_output_suffix(path: Path, output_format: str) -> Path:
    """``-o out.jpg`` with the default PNG format would write PNG bytes under a JPEG name."""
    named = _SUFFIX_FORMATS.get(path.suffix.lower())
    if named is not None and named != output_format:
        suffix = "jpg" if output_format == "jpeg" else output_format
        raise InputError(
            f"The output {str(path)!r} is named like {named} but the image will be {output_format}; "
            f"pass --output-format {named} or name the file *.{suffix}."
        )
    return path


def prepare_folder(path: Path, what: str) -> Path:
    """Create ``--save-images``'s folder before the run, so a bad path is exit 2, not a lost report."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"Cannot create the {what} {str(path)!r} ({exc.strerror or exc}); pass a writable folder."
        ) from exc
    return path
