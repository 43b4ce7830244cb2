"""``--save-images DIR`` and the one-off commands: write produced images to disk under safe names."""

from __future__ import annotations

import re
from pathlib import Path

from smoke.results import ImageArtifact, SmokeReport

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(*parts: str) -> str:
    return "-".join(_UNSAFE.sub("_", p) for p in parts)


def save_images(report: SmokeReport, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for c in report.checks:
        for img in c.images:
            path = (
                directory
                / f"{safe_name(c.target.source, c.target.deployment, c.check, str(img.index))}.{img.format}"
            )
            path.write_bytes(img.data)
            written.append(path)
    return written


def write_image_outputs(images: tuple[ImageArtifact, ...], output: Path) -> list[Path]:
    """One image goes to ``output`` itself; several get ``-1``, ``-2`` ... before the suffix."""
    if len(images) == 1:
        output.write_bytes(images[0].data)
        return [output]
    paths = []
    for img in images:
        path = output.with_name(f"{output.stem}-{img.index + 1}{output.suffix}")
        path.write_bytes(img.data)
        paths.append(path)
    return paths
