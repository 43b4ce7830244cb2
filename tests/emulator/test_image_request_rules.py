"""Every rule of an image request body (emulator/validation.py), in process and one table each: what a
generate or edit request may hold, each value at the edge of what Azure accepts, and the exact 400 for
the value just past it (status, code, param, sentence). The same rules are driven over HTTP, with the
official SDK, in test_generate.py, test_edit.py and test_strict_bodies.py.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from emulator.catalog import load_catalog
from emulator.errors import EmulatorError
from emulator.validation import ImageRequest, parse_image_request
from tests.plain_ids import plain

CATALOG = load_catalog()
FIXED = CATALOG.model("gpt-image-1.5")  # three sizes and auto
CUSTOM = CATALOG.model("gpt-image-2")  # any size within its limits
MINI = CATALOG.model("gpt-image-1-mini")  # input_fidelity low only
assert FIXED is not None and CUSTOM is not None and MINI is not None


def test_a_bare_prompt_takes_every_default() -> None:
    assert parse_image_request({"prompt": "a teapot"}, FIXED, edit=False) == ImageRequest(
        prompt="a teapot",
        n=1,
        width=1024,
        height=1024,
        size_label="auto",
        quality="high",
        output_format="png",
        output_compression=100,
        background="auto",
        stream=False,
        partial_images=0,
        input_fidelity=None,
        user=None,
    )


def test_an_edit_defaults_to_low_fidelity_and_takes_the_models_choices() -> None:
    assert parse_image_request({"prompt": "x"}, FIXED, edit=True).input_fidelity == "low"
    assert (
        parse_image_request({"prompt": "x", "input_fidelity": "high"}, FIXED, edit=True).input_fidelity
        == "high"
    )


def test_every_field_given_is_read() -> None:
    fields = {
        "prompt": "p" * 32000,
        "n": 10,
        "size": "1536x1024",
        "quality": "low",
        "output_format": "webp",
        "output_compression": 0,
        "background": "transparent",
        "moderation": "low",
        "stream": True,
        "partial_images": 3,
        "user": "u-1",
        "model": "gpt-image-1.5",
        "response_format": "b64_json",
        "safety_identifier": "s",
    }
    parsed = parse_image_request(fields, FIXED, edit=False)
    assert parsed == ImageRequest(
        prompt="p" * 32000,
        n=10,
        width=1536,
        height=1024,
        size_label="1536x1024",
        quality="low",
        output_format="webp",
        output_compression=0,
        background="transparent",
        stream=True,
        partial_images=3,
        user="u-1",
    )
    assert parsed.size == "1536x1024"


FORM = [
    ({"n": " 3 "}, "n", 3),
    ({"output_format": "jpeg", "output_compression": "0"}, "output_compression", 0),
    ({"partial_images": "2"}, "partial_images", 2),
    ({"stream": "true"}, "stream", True),
    ({"stream": " TRUE "}, "stream", True),
    ({"stream": "False"}, "stream", False),
]


@pytest.mark.parametrize(("fields", "name", "value"), FORM, ids=plain)
def test_multipart_scalars_are_read_from_text(fields: dict[str, Any], name: str, value: Any) -> None:
    parsed = parse_image_request({"prompt": "x", **fields}, FIXED, edit=True, from_form=True)
    assert getattr(parsed, name) == value and type(getattr(parsed, name)) is type(value)


SIZES = [
    (FIXED, None, (1024, 1024, "auto")),
    (FIXED, "auto", (1024, 1024, "auto")),
    (FIXED, "1024x1536", (1024, 1536, "1024x1536")),
    (CUSTOM, "auto", (1024, 1024, "auto")),
    (CUSTOM, "3840x1280", (3840, 1280, "3840x1280")),  # longest edge, widest ratio
    (CUSTOM, "1280x3840", (1280, 3840, "1280x3840")),
    (CUSTOM, "1024x640", (1024, 640, "1024x640")),  # 655360 pixels, the fewest
    (CUSTOM, "3840x2160", (3840, 2160, "3840x2160")),  # 8294400 pixels, the most
]


@pytest.mark.parametrize(("rules", "size", "parsed"), SIZES, ids=plain)
def test_sizes_resolve_to_width_and_height(
    rules: Any, size: str | None, parsed: tuple[int, int, str]
) -> None:
    request = parse_image_request({"prompt": "x", "size": size}, rules, edit=False)
    assert (request.width, request.height, request.size_label) == parsed


def refusal(
    fields: dict[str, Any], rules: Any = FIXED, **options: Any
) -> tuple[int, str | None, str | None, str]:
    with pytest.raises(EmulatorError) as caught:
        parse_image_request(fields, rules, **{"edit": False, **options})
    error = caught.value
    return error.status, error.code, error.param, error.message


def bad(param: str, message: str, code: str = "invalid_value") -> tuple[int, str, str, str]:
    return 400, code, param, message


LOW = "integer_below_min_value"
HIGH = "integer_above_max_value"
REFUSED = [
    ({}, bad("prompt", "Missing required parameter: 'prompt'.", "missing_required_parameter")),
    ({"prompt": None}, bad("prompt", "Missing required parameter: 'prompt'.", "missing_required_parameter")),
    (
        {"prompt": 3},
        bad(
            "prompt",
            "Invalid type for 'prompt': expected a string, but got an integer instead.",
            "invalid_type",
        ),
    ),
    (
        {"prompt": ""},
        bad(
            "prompt",
            "Invalid 'prompt': empty string. Expected a string with minimum length 1, but got an empty "
            "string instead.",
            "empty_string",
        ),
    ),
    (
        {"prompt": "p" * 32001},
        bad(
            "prompt",
            "Invalid 'prompt': string too long. Expected a string with maximum length 32000, but got a "
            "string with length 32001 instead.",
            "string_above_max_length",
        ),
    ),
    ({"prompt": "x", "seed": 1}, bad("seed", "Unknown parameter: 'seed'.", "unknown_parameter")),
    (
        {"prompt": "x", "input_fidelity": "low"},
        bad("input_fidelity", "Unknown parameter: 'input_fidelity'.", "unknown_parameter"),
    ),
    ({"prompt": "x", "image": "a"}, bad("image", "Unknown parameter: 'image'.", "unknown_parameter")),
    (
        {"prompt": "x", "n": 0},
        bad("n", "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead.", LOW),
    ),
    (
        {"prompt": "x", "n": 11},
        bad(
            "n", "Invalid 'n': integer above maximum value. Expected a value <= 10, but got 11 instead.", HIGH
        ),
    ),
    (
        {"prompt": "x", "n": True},
        bad("n", "Invalid type for 'n': expected an integer, but got a boolean instead.", "invalid_type"),
    ),
    (
        {"prompt": "x", "n": 2.0},
        bad("n", "Invalid type for 'n': expected an integer, but got a decimal instead.", "invalid_type"),
    ),
    (
        {"prompt": "x", "n": "2"},
        bad("n", "Invalid type for 'n': expected an integer, but got a string instead.", "invalid_type"),
    ),
    (
        {"prompt": "x", "n": [2]},
        bad("n", "Invalid type for 'n': expected an integer, but got an array instead.", "invalid_type"),
    ),
    (
        {"prompt": "x", "n": {}},
        bad("n", "Invalid type for 'n': expected an integer, but got an object instead.", "invalid_type"),
    ),
    (
        {"prompt": "x", "partial_images": -1},
        bad(
            "partial_images",
            "Invalid 'partial_images': integer below minimum value. Expected a value >= 0, but got -1 "
            "instead.",
            LOW,
        ),
    ),
    (
        {"prompt": "x", "partial_images": 4},
        bad(
            "partial_images",
            "Invalid 'partial_images': integer above maximum value. Expected a value <= 3, but got 4 "
            "instead.",
            HIGH,
        ),
    ),
    (
        {"prompt": "x", "output_format": "jpeg", "output_compression": -1},
        bad(
            "output_compression",
            "Invalid 'output_compression': integer below minimum value. Expected a value >= 0, but got -1 "
            "instead.",
            LOW,
        ),
    ),
    (
        {"prompt": "x", "output_format": "jpeg", "output_compression": 101},
        bad(
            "output_compression",
            "Invalid 'output_compression': integer above maximum value. Expected a value <= 100, but got "
            "101 instead.",
            HIGH,
        ),
    ),
    (
        {"prompt": "x", "output_compression": 99},
        bad("output_compression", "Compression less than 100 is not supported for PNG output format."),
    ),
    (
        {"prompt": "x", "quality": "ultra"},
        bad("quality", "Invalid value: 'ultra'. Supported values are: 'low', 'medium', 'high', and 'auto'."),
    ),
    (
        {"prompt": "x", "quality": 1},
        bad(
            "quality",
            "Invalid type for 'quality': expected a string, but got an integer instead.",
            "invalid_type",
        ),
    ),
    (
        {"prompt": "x", "output_format": "gif"},
        bad("output_format", "Invalid value: 'gif'. Supported values are: 'png', 'jpeg', and 'webp'."),
    ),
    (
        {"prompt": "x", "background": "none"},
        bad(
            "background", "Invalid value: 'none'. Supported values are: 'transparent', 'opaque', and 'auto'."
        ),
    ),
    (
        {"prompt": "x", "background": "transparent", "output_format": "jpeg"},
        bad(
            "background",
            "Transparent background is not supported for the jpeg output format; use 'png' or 'webp'.",
        ),
    ),
    (
        {"prompt": "x", "moderation": "high"},
        bad("moderation", "Invalid value: 'high'. Supported values are: 'low' and 'auto'."),
    ),
    (
        {"prompt": "x", "response_format": "url"},
        bad(
            "response_format",
            "Unknown parameter: 'response_format'. GPT image models always return base64-encoded images.",
            "unknown_parameter",
        ),
    ),
    (
        {"prompt": "x", "stream": "true"},
        bad(
            "stream",
            "Invalid type for 'stream': expected a boolean, but got a string instead.",
            "invalid_type",
        ),
    ),
    (
        {"prompt": "x", "stream": 1},
        bad(
            "stream",
            "Invalid type for 'stream': expected a boolean, but got an integer instead.",
            "invalid_type",
        ),
    ),
    (
        {"prompt": "x", "user": 5},
        bad(
            "user", "Invalid type for 'user': expected a string, but got an integer instead.", "invalid_type"
        ),
    ),
    (
        {"prompt": "x", "size": 1024},
        bad(
            "size", "Invalid type for 'size': expected a string, but got an integer instead.", "invalid_type"
        ),
    ),
    (
        {"prompt": "x", "size": "512x512"},
        bad(
            "size",
            "Invalid value: '512x512'. Supported values are: '1024x1024', '1024x1536', '1536x1024', and "
            "'auto'.",
        ),
    ),
    (
        {"prompt": "x", "size": "s" * 150},
        bad(
            "size",
            f"Invalid value: '{'s' * 100}'. Supported values are: '1024x1024', '1024x1536', '1536x1024', "
            "and 'auto'.",
        ),
    ),
    (
        {"prompt": "x", "quality": "q" * 150},
        bad(
            "quality",
            f"Invalid value: '{'q' * 100}'. Supported values are: 'low', 'medium', 'high', and 'auto'.",
        ),
    ),
]


@pytest.mark.parametrize(("fields", "answer"), REFUSED, ids=plain)
def test_a_bad_generate_request_is_one_400_naming_the_param(fields: dict[str, Any], answer: tuple) -> None:
    assert refusal(fields) == answer


FORM_REFUSED = [
    (
        {"prompt": "x", "n": "two"},
        bad("n", "Invalid value for 'n': expected an integer, but got 'two' instead.", "invalid_type"),
    ),
    (
        {"prompt": "x", "n": "9" * 50},
        bad(
            "n",
            "Invalid 'n': integer above maximum value. Expected a value <= 10, but got "
            + "9" * 50
            + " instead.",
            HIGH,
        ),
    ),
    (
        {"prompt": "x", "n": "x" * 50},
        bad(
            "n", f"Invalid value for 'n': expected an integer, but got '{'x' * 40}' instead.", "invalid_type"
        ),
    ),
    (
        {"prompt": "x", "stream": "yes"},
        bad(
            "stream",
            "Invalid type for 'stream': expected a boolean, but got a string instead.",
            "invalid_type",
        ),
    ),
    (
        {"prompt": "x", "input_fidelity": "high"},
        bad("input_fidelity", "Invalid value: 'high'. Supported values are: 'low'."),
    ),
]


@pytest.mark.parametrize(("fields", "answer"), FORM_REFUSED, ids=plain)
def test_a_bad_multipart_edit_is_one_400_naming_the_param(fields: dict[str, Any], answer: tuple) -> None:
    assert refusal(fields, MINI, edit=True, from_form=True) == answer


def test_webp_is_refused_when_switched_off_and_listed_without_it() -> None:
    assert refusal({"prompt": "x", "output_format": "webp"}, accept_webp=False) == bad(
        "output_format", "Invalid value: 'webp'. Supported values are: 'png' and 'jpeg'."
    )


def test_an_explicit_compression_of_100_is_accepted_for_png() -> None:
    assert (
        parse_image_request({"prompt": "x", "output_compression": 100}, FIXED, edit=False).output_compression
        == 100
    )
    assert (
        parse_image_request({"prompt": "x", "output_compression": None}, FIXED, edit=False).output_compression
        == 100
    )


CUSTOM_REFUSED = [
    ("1000x1024", "Invalid value: '1000x1024'. Width and height must both be divisible by 16."),
    ("1024x1000", "Invalid value: '1024x1000'. Width and height must both be divisible by 16."),
    ("3856x1296", "Invalid value: '3856x1296'. The longest edge must be at most 3840 pixels."),
    ("1296x3856", "Invalid value: '1296x3856'. The longest edge must be at most 3840 pixels."),
    ("3840x1264", "Invalid value: '3840x1264'. The aspect ratio must be between 1:3 and 3:1."),
    ("1264x3840", "Invalid value: '1264x3840'. The aspect ratio must be between 1:3 and 3:1."),
    ("1008x640", "Invalid value: '1008x640'. The image must have between 655360 and 8294400 pixels."),
    ("3840x2176", "Invalid value: '3840x2176'. The image must have between 655360 and 8294400 pixels."),
    ("1024x", "Invalid value: '1024x'. Expected 'auto' or a size 'WIDTHxHEIGHT'."),
    ("01024x1024", "Invalid value: '01024x1024'. Expected 'auto' or a size 'WIDTHxHEIGHT'."),
    ("1234567x16", "Invalid value: '1234567x16'. Expected 'auto' or a size 'WIDTHxHEIGHT'."),
]


@pytest.mark.parametrize(("size", "message"), CUSTOM_REFUSED, ids=plain)
def test_a_custom_size_past_the_models_limits(size: str, message: str) -> None:
    assert refusal({"prompt": "x", "size": size}, CUSTOM) == bad("size", message)


def test_auto_quality_is_high_and_a_transparent_background_suits_png() -> None:
    parsed = parse_image_request(
        {"prompt": "x", "quality": "auto", "background": "transparent"}, FIXED, edit=False
    )
    assert (parsed.quality, parsed.background, parsed.output_format) == ("high", "transparent", "png")
    explicit = {"prompt": "x", "background": "transparent", "output_format": "png"}
    assert parse_image_request(explicit, FIXED, edit=False).background == "transparent"


def test_a_model_that_lists_no_fidelity_takes_low_only() -> None:
    rules = dataclasses.replace(FIXED, input_fidelity=())
    assert parse_image_request({"prompt": "x"}, rules, edit=True).input_fidelity == "low"
    assert (
        parse_image_request({"prompt": "x", "input_fidelity": "low"}, rules, edit=True).input_fidelity
        == "low"
    )
    assert refusal({"prompt": "x", "input_fidelity": "high"}, rules, edit=True) == bad(
        "input_fidelity", "Invalid value: 'high'. Supported values are: 'low'."
    )


def test_a_model_without_auto_does_not_list_it() -> None:
    rules = dataclasses.replace(FIXED, sizes=("1536x1024", "1024x1024"))
    assert refusal({"prompt": "x", "size": "512x512"}, rules) == bad(
        "size", "Invalid value: '512x512'. Supported values are: '1024x1024' and '1536x1024'."
    )


def test_a_long_bad_custom_size_is_cut_to_100_characters() -> None:
    assert refusal({"prompt": "x", "size": "s" * 150}, CUSTOM) == bad(
        "size", f"Invalid value: '{'s' * 100}'. Expected 'auto' or a size 'WIDTHxHEIGHT'."
    )


def test_a_value_of_no_json_type_is_named_an_unknown_type() -> None:
    """A caller in Python may pass any value; JSON's null means absent and never reaches this sentence."""
    assert refusal({"prompt": ("x",)}) == bad(
        "prompt",
        "Invalid type for 'prompt': expected a string, but got an unknown type instead.",
        "invalid_type",
    )


@pytest.mark.parametrize("size", ["1024x1024\n", "1024x1536\n", " 1024x1024"])
def test_a_custom_size_with_a_stray_newline_or_space_is_refused(size: str) -> None:
    with pytest.raises(EmulatorError) as refused:
        parse_image_request({"prompt": "x", "size": size}, CUSTOM, edit=False)
    assert refused.value.status == 400
