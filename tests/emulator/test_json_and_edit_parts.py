"""Two readers of untrusted bytes, in process and table by table: strict JSON (emulator/jsonbody.py), for
request bodies, JWT parts and the state file, and an edit's multipart parts (emulator/multipart.py), the
images and the mask. Each limit is met exactly and passed by one; each refusal is checked word for word.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from emulator.errors import EmulatorError
from emulator.jsonbody import MAX_VALUES, JsonRejected, check_value, parse_json
from emulator.multipart import MAX_IMAGES, EditInputs, Limits, Part, split_parts
from tests.plain_ids import plain

# --- strict JSON ---------------------------------------------------------------------------------------

ACCEPTED_JSON = [
    (b'{"a": [1, 2.5, "x", null, true]}', {"a": [1, 2.5, "x", None, True]}),
    ('{"a": "\\u00e9"}', {"a": "\u00e9"}),
    (b"[[[1]]]", [[[1]]]),  # exactly three levels
    (b'{"a": {"b": {}}}', {"a": {"b": {}}}),
    (b"1e308", 1e308),
    (b'"\\ud83d\\ude00"', "\U0001f600"),  # a surrogate pair is one character
    (b" " * 10 + b"1" + b" " * 9, 1),  # exactly max_bytes
]


@pytest.mark.parametrize(("raw", "value"), ACCEPTED_JSON, ids=plain)
def test_strict_json_within_the_limits_is_read(raw: bytes | str, value: Any) -> None:
    assert parse_json(raw, max_bytes=20 if raw[:1] in (b" ", " ") else 100, max_depth=3) == value


REFUSED_JSON = [
    (b" " * 21, "the body is larger than 20 bytes", True),
    ("x" * 21, "the body is larger than 20 bytes", True),
    (b'"\xff"', "the body is not valid UTF-8", False),
    (b"NaN", "NaN is not a JSON number", False),
    (b"[-Infinity]", "-Infinity is not a JSON number", False),
    (b"Infinity", "Infinity is not a JSON number", False),
    (b"1e400", "the number 1e400 is too large", False),
    (b"-1e400", "the number -1e400 is too large", False),
    (b"{", "it is not valid JSON", False),
    (b"", "it is not valid JSON", False),
    (b"[[[[1]]]]", "it is nested deeper than 3 levels", False),
    (b'{"a":{"b":{"c":{}}}}', "it is nested deeper than 3 levels", False),
    (b'["\\ud800"]', "a string holds a lone surrogate (not valid Unicode)", False),
    (b'{"\\udfff": 1}', "a string holds a lone surrogate (not valid Unicode)", False),
]


@pytest.mark.parametrize(("raw", "reason", "too_large"), REFUSED_JSON, ids=plain)
def test_anything_else_is_refused_with_a_reason(raw: bytes | str, reason: str, too_large: bool) -> None:
    with pytest.raises(JsonRejected) as caught:
        parse_json(raw, max_bytes=20, max_depth=3)
    assert (caught.value.reason, str(caught.value), caught.value.too_large) == (reason, reason, too_large)


def test_a_long_number_is_cut_to_40_characters_in_the_reason() -> None:
    text = "1" * 50 + "e400"
    with pytest.raises(JsonRejected) as caught:
        parse_json(text, max_bytes=100, max_depth=3)
    assert caught.value.reason == f"the number {text[:40]} is too large"


def test_nesting_past_pythons_recursion_limit_is_refused_not_crashed() -> None:
    raw = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(JsonRejected) as caught:
        parse_json(raw, max_bytes=10**6, max_depth=64)
    assert caught.value.reason == "it is nested deeper than 64 levels"


def test_a_number_past_pythons_digit_limit_is_not_valid_json() -> None:
    with pytest.raises(JsonRejected) as caught:
        parse_json(b"1" * 5000, max_bytes=10**6, max_depth=3)
    assert caught.value.reason == "it is not valid JSON"


def test_values_are_counted_to_the_limit() -> None:
    check_value([1, 2, 3], max_depth=2, max_values=4)  # the list and its three items
    with pytest.raises(JsonRejected) as caught:
        check_value([1, 2, 3, 4], max_depth=2, max_values=4)
    assert (caught.value.reason, caught.value.too_large) == ("it holds more than 4 values", True)
    # Keys count as values too.
    with pytest.raises(JsonRejected):
        check_value({"a": 1, "b": 2}, max_depth=2, max_values=4)
    assert MAX_VALUES == 2_000_000
    with pytest.raises(JsonRejected) as default:
        check_value([0] * MAX_VALUES, max_depth=2)
    assert default.value.reason == f"it holds more than {MAX_VALUES} values"


def test_a_dicts_keys_sit_at_its_own_depth() -> None:
    check_value({"k": 1}, max_depth=1)
    check_value({"k": [1]}, max_depth=2)
    with pytest.raises(JsonRejected):
        check_value({"k": [1]}, max_depth=1)


# --- an edit's parts -------------------------------------------------------------------------------------


def picture(size: tuple[int, int] = (32, 32), fmt: str = "PNG", mode: str = "RGBA", **save: Any) -> bytes:
    img = Image.new(mode, size)
    buffer = io.BytesIO()
    img.save(buffer, fmt, **save)
    return buffer.getvalue()


PNG = picture()
JPEG = picture(fmt="JPEG", mode="RGB")
WEBP = picture(fmt="WEBP", mode="RGB")
MASK = picture()
LIMITS = Limits(max_image_bytes=10_000, max_mask_bytes=10_000)


def image(data: bytes = PNG, name: str = "image", content_type: str | None = "image/png") -> Part:
    return Part(name, data=data, filename="a", content_type=content_type)


def test_fields_images_and_mask_are_split() -> None:
    parts = [
        Part("prompt", text="add a lid"),
        Part("size", text=None),
        image(),
        image(JPEG, "image[]", "image/jpeg"),
        image(JPEG, "image[]", "IMAGE/JPG; charset=binary"),
        image(WEBP, "image[]", "image/webp"),
        image(MASK, "mask"),
    ]
    fields, inputs = split_parts(parts, LIMITS)
    assert fields == {"prompt": "add a lid", "size": ""}
    assert [im.format for im in inputs.images] == ["PNG", "JPEG", "JPEG", "WEBP"]
    assert inputs.mask is not None and inputs.mask.format == "PNG"
    assert inputs.image_bytes == 4 * 32 * 32


def test_sixteen_images_are_accepted() -> None:
    _, inputs = split_parts([image()] * MAX_IMAGES, LIMITS)
    assert len(inputs.images) == 16 and MAX_IMAGES == 16
    assert EditInputs((), None).image_bytes == 0


def test_an_image_of_exactly_the_byte_limit_is_accepted() -> None:
    _, inputs = split_parts([image()], Limits(len(PNG), len(MASK)))
    assert len(inputs.images) == 1


@pytest.mark.parametrize(
    "mask",
    [
        picture(mode="LA"),
        picture(mode="P", transparency=0),
    ],
)
def test_a_png_mask_with_any_kind_of_alpha_is_accepted(mask: bytes) -> None:
    _, inputs = split_parts([image(), image(mask, "mask")], LIMITS)
    assert inputs.mask is not None


def refusal(parts: list[Part], limits: Limits = LIMITS) -> tuple[int, str | None, str | None, str]:
    with pytest.raises(EmulatorError) as caught:
        split_parts(parts, limits)
    e = caught.value
    return e.status, e.code, e.param, e.message


INVALID_IMAGE = "Invalid image file or mode for {p} {n}, please check your image file."
MIMES = "Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'."
NO_ALPHA = (
    "Invalid mask image format - mask image missing alpha channel. The mask must be a PNG with an alpha "
    "channel."
)
REFUSED_PARTS = [
    ([], ("missing_required_parameter", "image", "Missing required parameter: 'image'.")),
    ([image(MASK, "mask")], ("missing_required_parameter", "image", "Missing required parameter: 'image'.")),
    (
        [Part("image", text="x")],
        ("invalid_type", "image", "Invalid value for 'image': expected a file upload."),
    ),
    (
        [Part("image[]", text="x")],
        ("invalid_type", "image", "Invalid value for 'image[]': expected a file upload."),
    ),
    (
        [image(), Part("mask", text="x")],
        ("invalid_type", "mask", "Invalid value for 'mask': expected a file upload."),
    ),
    (
        [image()] * 17,
        ("array_above_max_length", "image", "Invalid 'image': too many images. Expected at most 16 images."),
    ),
    (
        [image(), image(MASK, "mask"), image(MASK, "mask")],
        ("invalid_value", "mask", "Invalid 'mask': expected one mask file, got more."),
    ),
    ([image(), image(name="photo")], ("unknown_parameter", "photo", "Unknown parameter: 'photo'.")),
    (
        [image(), Part("n", text="1"), Part("n", text="2")],
        ("invalid_value", "n", "Duplicate parameter: 'n'."),
    ),
    (
        [image(content_type=None)],
        (
            "unsupported_file_mimetype",
            "image",
            f"Invalid file 'image': unsupported mimetype ('application/octet-stream'). {MIMES}",
        ),
    ),
    (
        [image(content_type="image/gif")],
        (
            "unsupported_file_mimetype",
            "image",
            f"Invalid file 'image': unsupported mimetype ('image/gif'). {MIMES}",
        ),
    ),
    (
        [image(content_type="x" * 100)],
        (
            "unsupported_file_mimetype",
            "image",
            f"Invalid file 'image': unsupported mimetype ('{'x' * 80}'). {MIMES}",
        ),
    ),
    (
        [image(), image(MASK, "mask", "text/plain")],
        (
            "unsupported_file_mimetype",
            "mask",
            f"Invalid file 'mask': unsupported mimetype ('text/plain'). {MIMES}",
        ),
    ),
    ([image(b"not a picture")], ("invalid_image", "image", INVALID_IMAGE.format(p="image", n=1))),
    (
        [image(), image(b"not a picture", "image[]")],
        ("invalid_image", "image", INVALID_IMAGE.format(p="image", n=2)),
    ),
    ([image(picture(fmt="GIF", mode="P"))], ("invalid_image", "image", INVALID_IMAGE.format(p="image", n=1))),
    ([image(PNG[:60])], ("invalid_image", "image", INVALID_IMAGE.format(p="image", n=1))),
    ([image(), image(b"nope", "mask")], ("invalid_image", "mask", INVALID_IMAGE.format(p="mask", n=1))),
    ([image(), image(JPEG, "mask", "image/jpeg")], ("invalid_image_format", "mask", NO_ALPHA)),
    ([image(), image(picture(mode="RGB"), "mask")], ("invalid_image_format", "mask", NO_ALPHA)),
    ([image(), image(picture(mode="P"), "mask")], ("invalid_image_format", "mask", NO_ALPHA)),
    (
        [image(), image(picture((32, 16)), "mask")],
        (
            "invalid_image_dimensions",
            "mask",
            "Invalid mask: the mask (32x16) must have the same dimensions as the image (32x32).",
        ),
    ),
    (
        [image(), image(picture((16, 32)), "mask")],
        (
            "invalid_image_dimensions",
            "mask",
            "Invalid mask: the mask (16x32) must have the same dimensions as the image (32x32).",
        ),
    ),
]


@pytest.mark.parametrize(("parts", "answer"), REFUSED_PARTS, ids=plain)
def test_bad_parts_are_one_400_naming_the_param(parts: list[Part], answer: tuple[str, str, str]) -> None:
    assert refusal(parts) == (400, *answer)


def test_the_byte_limits_are_the_images_and_the_masks_own() -> None:
    limits = Limits(max_image_bytes=len(PNG) - 1, max_mask_bytes=len(MASK) - 1)
    assert refusal([image()], limits) == (
        400,
        "file_too_large",
        "image",
        f"Invalid file 'image': file too large ({len(PNG)} bytes). The limit is {len(PNG) - 1} bytes.",
    )
    assert refusal([image(), image(MASK, "mask")], Limits(len(PNG), len(MASK) - 1)) == (
        400,
        "file_too_large",
        "mask",
        f"Invalid file 'mask': file too large ({len(MASK)} bytes). The limit is {len(MASK) - 1} bytes.",
    )
    _, inputs = split_parts([image(), image(MASK, "mask")], Limits(len(PNG), len(MASK)))
    assert inputs.mask is not None


def test_webp_switched_off_is_refused_and_left_out_of_the_list() -> None:
    assert refusal([image(WEBP, content_type="image/webp")], Limits(10_000, 10_000, accept_webp=False)) == (
        400,
        "unsupported_file_mimetype",
        "image",
        "Invalid file 'image': unsupported mimetype ('image/webp'). Supported file formats are 'image/jpeg' "
        "and 'image/png'.",
    )
    _, inputs = split_parts(
        [image(JPEG, content_type="image/jpeg")], Limits(10_000, 10_000, accept_webp=False)
    )
    assert inputs.images[0].format == "JPEG"


def test_the_pixel_budget_counts_images_and_mask_together() -> None:
    parts = [image(), image(), image(MASK, "mask")]  # 3 x 1024 pixels
    split_parts(parts, Limits(10_000, 10_000, max_pixels=3 * 1024))
    assert refusal(parts, Limits(10_000, 10_000, max_pixels=3 * 1024 - 1)) == (
        400,
        "image_too_large",
        "image",
        "Invalid 'image': the images and mask hold more than 3071 pixels in all; send fewer or smaller "
        "images.",
    )
    assert Limits(1, 1).max_pixels == 32_000_000


def test_one_image_over_50_megapixels_is_not_an_image_even_within_the_budget() -> None:
    big = picture((8000, 6251), mode="L")  # 50,008,000 pixels, a few kB compressed
    assert refusal([image(big)], Limits(10**7, 10**7, max_pixels=10**9)) == (
        400,
        "invalid_image",
        "image",
        INVALID_IMAGE.format(p="image", n=1),
    )
    exactly = picture((8000, 6250), mode="L")  # 50,000,000 pixels
    _, inputs = split_parts([image(exactly)], Limits(10**7, 10**7, max_pixels=10**9))
    assert inputs.images[0].size == (8000, 6250)
