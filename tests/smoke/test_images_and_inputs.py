import io
from pathlib import Path

import pytest
from PIL import Image

from smoke.errors import InputError
from smoke.images import edit_change, fixture_bytes, has_transparent_region, identify, mask_for, thumbnail
from smoke.inputs import check_output_path, check_size, read_image, read_mask, read_prompts
from tests.smoke.fakes import image_bytes


def test_shipped_fixtures_are_a_1024_image_and_a_mask_with_a_transparent_region():
    assert identify(fixture_bytes("base.png")).__dict__ == {"format": "png", "width": 1024, "height": 1024}
    mask = fixture_bytes("mask.png")
    assert identify(mask).width == 1024 and has_transparent_region(mask)


def test_mask_is_resized_to_the_base_image_and_keeps_its_hole():
    resized = mask_for(fixture_bytes("mask.png"), 512, 768)
    img = Image.open(io.BytesIO(resized))
    assert img.size == (512, 768) and img.mode == "RGBA"
    assert img.getpixel((256, 384))[3] == 0 and img.getpixel((5, 5))[3] == 255


def test_identical_images_change_nothing():
    base = fixture_bytes("base.png")
    change = edit_change(base, base, fixture_bytes("mask.png"))
    assert (change.inside, change.outside) == (0.0, 0.0)
    assert change.inside_pixels == 64 * 64  # the 256x256 hole of 1024 at the 256-pixel comparison scale


def test_thumbnail_is_a_small_jpeg():
    info = identify(thumbnail(image_bytes(1536, 1024)))
    assert (info.format, info.width, info.height) == ("jpeg", 256, 171)


def test_read_prompts_skips_blank_and_comment_lines(tmp_path: Path):
    path = tmp_path / "prompts.txt"
    path.write_text("# benign prompts\n\na lighthouse\n  a teapot  \n")
    assert read_prompts(path) == ("a lighthouse", "a teapot")


@pytest.mark.parametrize(
    ("setup", "call", "message"),
    [
        (
            lambda p: None,
            lambda p: read_prompts(p / "missing.txt"),
            "Cannot read the prompt file '{d}/missing.txt'; pass a readable UTF-8 text file.",
        ),
        (
            lambda p: (p / "e.txt").write_text("# only a comment\n"),
            lambda p: read_prompts(p / "e.txt"),
            "The prompt file '{d}/e.txt' has no prompts; put one prompt per line.",
        ),
        (
            lambda p: (p / "x.png").write_bytes(b"nope"),
            lambda p: read_image(p / "x.png", "edit image"),
            "The edit image '{d}/x.png' is not a PNG, JPEG or WebP image.",
        ),
        (
            lambda p: (p / "m.png").write_bytes(image_bytes(8, 8)),
            lambda p: read_mask(p / "m.png"),
            "The mask '{d}/m.png' must be a PNG with an alpha channel whose fully transparent pixels mark "
            "the area "
            "to edit.",
        ),
        (
            lambda p: (p / "no").write_text("a file"),
            lambda p: check_output_path(p / "no" / "r.json", "json report"),
            "The folder for the json report '{d}/no/r.json' is a file; pass another path.",
        ),
        (
            lambda p: None,
            lambda p: check_size("1024*1024"),
            "Size '1024*1024' is not WIDTHxHEIGHT (e.g. 1024x1024) or 'auto'.",
        ),
    ],
)
def test_bad_inputs_are_one_sentence(tmp_path, setup, call, message):
    setup(tmp_path)
    with pytest.raises(InputError) as info:
        call(tmp_path)
    assert str(info.value) == message.format(d=tmp_path)
