"""The emulator's limits on what one request or one client may cost: the config's ``limits`` section.

Every limit has a safe default (docs/limits.md gives each key, its default and the error sent when it is
exceeded). They bound memory and file descriptors, not Azure semantics: Azure's own caps (16 images, the
50 MB image and 4 MB mask caps, ``maxImageBytes``/``maxMaskBytes``) stay where they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from emulator.errors import ConfigError

MIB = 1024 * 1024


@dataclass(frozen=True)
class RequestLimits:
    json_max_bytes: int = 1 * MIB  # data-plane JSON bodies (generate)
    json_max_depth: int = 64  # every JSON body: data plane, ARM, admin
    arm_max_body_bytes: int = 4 * MIB  # ARM's own request payload limit is 4 MB
    admin_max_body_bytes: int = 64 * 1024
    jwt_max_bytes: int = 16 * 1024
    jwt_max_depth: int = 16
    multipart_max_parts: int = 40
    multipart_max_bytes: int = 64 * MIB
    # Decoded pixels of all images and the mask of one edit; RGBA is 4 bytes a pixel, so 32 M pixels is
    # ~128 MB decoded, which with two edits at once keeps the process well under ~512 MB.
    max_pixels_per_request: int = 32_000_000
    concurrent_image_decodes: int = 2
    header_timeout_seconds: float = 10.0
    max_header_bytes: int = 64 * 1024
    max_connections: int = 1000

    def to_json(self) -> dict[str, Any]:
        return {_camel(k): v for k, v in asdict(self).items()}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


KEYS = {_camel(f.name): f.name for f in fields(RequestLimits)}
# A header timeout above 10 s lets idle connections pile up faster than they expire.
_BOUNDS: dict[str, tuple[float, float]] = {
    "headerTimeoutSeconds": (0.1, 10.0),
    "maxConnections": (8, 100_000),
}


def parse_limits(raw: Any) -> RequestLimits:
    """Read the config's ``limits`` object (None gives the defaults); every mistake is a ConfigError."""
    if raw is None:
        return RequestLimits()
    if not isinstance(raw, Mapping):
        raise ConfigError("The config's 'limits' section must be an object; fix it.")
    unknown = sorted(set(map(str, raw)) - set(KEYS))
    if unknown:
        raise ConfigError(f"limits.{unknown[0]} is not a known key; use {', '.join(KEYS)}.")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        low, high = _BOUNDS.get(key, (1, 2**40))
        number_ok = isinstance(value, int | float) and not isinstance(value, bool)
        if key != "headerTimeoutSeconds" and not isinstance(value, int):
            number_ok = False
        if not number_ok or not low <= value <= high:
            kind = "a number of seconds" if key == "headerTimeoutSeconds" else "a whole number"
            raise ConfigError(f"limits.{key} is {value!r}; use {kind} from {low:g} to {high:g}.")
        values[KEYS[key]] = value
    return RequestLimits(**values)
