"""Turn an untrusted image request (JSON body or multipart text parts) into a typed, validated request.

Pure functions: they take the raw fields and the model's catalog rules and return a frozen
``ImageRequest`` or raise an Azure-shaped 400 naming the ``param``. Multipart scalars arrive as text
(``"2"``, ``"true"``), so every reader accepts both forms when ``from_form`` is set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.catalog import Model
from emulator.errors import EmulatorError, invalid_request

MAX_PROMPT = 32000
MAX_N = 10
MAX_PARTIAL_IMAGES = 3
DEFAULT_SIZE = (1024, 1024)

_COMMON = {
    "prompt",
    "n",
    "size",
    "quality",
    "output_format",
    "output_compression",
    "background",
    "moderation",
    "stream",
    "partial_images",
    "user",
    "model",
    "response_format",
    "safety_identifier",
}
GENERATE_FIELDS = frozenset(_COMMON)
EDIT_FIELDS = frozenset(_COMMON | {"input_fidelity", "image", "image[]", "mask"})
_SIZE = re.compile(r"^([1-9][0-9]{0,5})x([1-9][0-9]{0,5})$")


@dataclass(frozen=True)
class ImageRequest:
    """A validated generate or edit request; ``width``/``height`` are resolved (``auto`` -> 1024x1024)."""

    prompt: str
    n: int
    width: int
    height: int
    size_label: str
    quality: str
    output_format: str
    output_compression: int
    background: str
    stream: bool
    partial_images: int
    input_fidelity: str | None = None
    user: str | None = None

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"


def parse_image_request(
    fields: Mapping[str, Any],
    rules: Model,
    *,
    edit: bool,
    from_form: bool = False,
    accept_webp: bool = True,
) -> ImageRequest:
    allowed = EDIT_FIELDS if edit else GENERATE_FIELDS
    for key in fields:
        if key not in allowed:
            raise invalid_request(f"Unknown parameter: '{key}'.", param=key, code="unknown_parameter")

    prompt = _prompt(fields.get("prompt"))
    n = _integer(fields, "n", 1, 1, MAX_N, from_form)
    width, height, size_label = _size(fields.get("size"), rules)
    quality = _choice(fields, "quality", "high", rules.qualities, resolve_auto="high")
    formats = tuple(f for f in rules.output_formats if accept_webp or f != "webp")
    output_format = _choice(fields, "output_format", "png", formats)
    compression = _integer(fields, "output_compression", 100, 0, 100, from_form)
    if "output_compression" in fields and fields["output_compression"] is not None and output_format == "png":
        if compression != 100:
            raise invalid_request(
                "Compression less than 100 is not supported for PNG output format.",
                param="output_compression",
            )
    background = _choice(fields, "background", "auto", ("transparent", "opaque", "auto"))
    if background == "transparent" and output_format not in ("png", "webp"):
        raise invalid_request(
            f"Transparent background is not supported for the {output_format} output format; "
            "use 'png' or 'webp'.",
            param="background",
        )
    _choice(fields, "moderation", "auto", ("low", "auto"))
    if fields.get("response_format") not in (None, "b64_json"):
        raise invalid_request(
            "Unknown parameter: 'response_format'. GPT image models always return base64-encoded images.",
            param="response_format",
            code="unknown_parameter",
        )
    stream = _boolean(fields, "stream", from_form)
    partial = _integer(fields, "partial_images", 0, 0, MAX_PARTIAL_IMAGES, from_form)
    fidelity = None
    if edit:
        fidelity = _choice(fields, "input_fidelity", "low", rules.input_fidelity or ("low",))
    user = fields.get("user")
    if user is not None and not isinstance(user, str):
        raise _type_error("user", "a string", user)
    return ImageRequest(
        prompt=prompt,
        n=n,
        width=width,
        height=height,
        size_label=size_label,
        quality=quality,
        output_format=output_format,
        output_compression=compression,
        background=background,
        stream=stream,
        partial_images=partial,
        input_fidelity=fidelity,
        user=user,
    )


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a decimal",
        str: "a string",
        list: "an array",
        dict: "an object",
    }.get(type(value), "null" if value is None else "an unknown type")


def _type_error(param: str, expected: str, value: Any) -> EmulatorError:
    return invalid_request(
        f"Invalid type for '{param}': expected {expected}, but got {_type_name(value)} instead.",
        param=param,
        code="invalid_type",
    )


def _prompt(value: Any) -> str:
    if value is None:
        raise invalid_request(
            "Missing required parameter: 'prompt'.", param="prompt", code="missing_required_parameter"
        )
    if not isinstance(value, str):
        raise _type_error("prompt", "a string", value)
    if not value:
        raise invalid_request(
            "Invalid 'prompt': empty string. Expected a string with minimum length 1, "
            "but got an empty string "
            "instead.",
            param="prompt",
            code="empty_string",
        )
    if len(value) > MAX_PROMPT:
        raise invalid_request(
            f"Invalid 'prompt': string too long. Expected a string with maximum length {MAX_PROMPT}, "
            "but got a "
            f"string with length {len(value)} instead.",
            param="prompt",
            code="string_above_max_length",
        )
    return value


def _integer(
    fields: Mapping[str, Any], param: str, default: int, low: int, high: int, from_form: bool
) -> int:
    value = fields.get(param)
    if value is None:
        return default
    if from_form and isinstance(value, str):
        text = value
        try:
            value = int(text.strip())
        except ValueError:
            raise invalid_request(
                f"Invalid value for '{param}': expected an integer, but got '{text[:40]}' instead.",
                param=param,
                code="invalid_type",
            ) from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _type_error(param, "an integer", value)
    if value < low:
        raise invalid_request(
            f"Invalid '{param}': integer below minimum value. "
            f"Expected a value >= {low}, but got {value} instead.",
            param=param,
            code="integer_below_min_value",
        )
    if value > high:
        raise invalid_request(
            f"Invalid '{param}': integer above maximum value. "
            f"Expected a value <= {high}, but got {value} instead.",
            param=param,
            code="integer_above_max_value",
        )
    return value


def _boolean(fields: Mapping[str, Any], param: str, from_form: bool) -> bool:
    value = fields.get(param)
    if value is None:
        return False
    if from_form and isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise _type_error(param, "a boolean", value)
    return value


def _quoted_list(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    if len(quoted) <= 2:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


def _choice(
    fields: Mapping[str, Any],
    param: str,
    default: str,
    allowed: tuple[str, ...],
    resolve_auto: str | None = None,
) -> str:
    value = fields.get(param)
    if value is None:
        value = default
    if not isinstance(value, str):
        raise _type_error(param, "a string", value)
    if value not in allowed:
        raise invalid_request(
            f"Invalid value: '{value[:100]}'. Supported values are: {_quoted_list(allowed)}.", param=param
        )
    if value == "auto" and resolve_auto is not None:
        return resolve_auto
    return value


def _size(value: Any, rules: Model) -> tuple[int, int, str]:
    if value is None or value == "auto":
        return (*DEFAULT_SIZE, "auto")
    if not isinstance(value, str):
        raise _type_error("size", "a string", value)
    if value in rules.sizes:
        width, height = (int(part) for part in value.split("x"))
        return width, height, value
    match = _SIZE.fullmatch(value)  # not match: `$` would let a trailing newline through
    limits = rules.custom_sizes
    if match is None or limits is None:
        fixed = tuple(sorted(s for s in rules.sizes if s != "auto")) + (
            ("auto",) if "auto" in rules.sizes else ()
        )
        if limits is None:
            raise invalid_request(
                f"Invalid value: '{value[:100]}'. Supported values are: {_quoted_list(fixed)}.", param="size"
            )
        raise invalid_request(
            f"Invalid value: '{value[:100]}'. Expected 'auto' or a size 'WIDTHxHEIGHT'.", param="size"
        )
    width, height = int(match.group(1)), int(match.group(2))
    problem = _custom_size_problem(width, height, limits)
    if problem:
        raise invalid_request(f"Invalid value: '{value}'. {problem}", param="size")
    return width, height, value


def _custom_size_problem(width: int, height: int, limits: Any) -> str | None:
    if width % limits.multiple_of or height % limits.multiple_of:
        return f"Width and height must both be divisible by {limits.multiple_of}."
    if max(width, height) > limits.max_edge:
        return f"The longest edge must be at most {limits.max_edge} pixels."
    if max(width, height) / min(width, height) > limits.max_aspect_ratio:
        ratio = f"{limits.max_aspect_ratio:g}"
        return f"The aspect ratio must be between 1:{ratio} and {ratio}:1."
    if not limits.min_pixels <= width * height <= limits.max_pixels:
        return f"The image must have between {limits.min_pixels} and {limits.max_pixels} pixels."
    return None
