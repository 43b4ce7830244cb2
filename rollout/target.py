"""Parsing ``--to MODEL@VERSION``: the one place that knows the syntax of a rollout target."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rollout.errors import UsageError

_TARGET = re.compile(r"^(?P<model>[A-Za-z0-9][A-Za-z0-9._-]*)@(?P<version>[A-Za-z0-9][A-Za-z0-9._-]*)$")


@dataclass(frozen=True)
class ModelTarget:
    """A model name and version, as in the model catalog (``gpt-image-1.5@2025-12-16``)."""

    model: str
    version: str

    def __str__(self) -> str:
        return f"{self.model}@{self.version}"


def parse_target(text: str) -> ModelTarget:
    """``"gpt-image-2@2026-04-21"`` -> ``ModelTarget``; a malformed value raises :class:`UsageError`."""
    match = _TARGET.match(text.strip())
    if match is None:
        raise UsageError(
            f"--to {text!r} is not MODEL@VERSION; pass e.g. --to gpt-image-1.5@2025-12-16 "
            "(model and version as in the model catalog)."
        )
    return ModelTarget(model=match["model"], version=match["version"])
