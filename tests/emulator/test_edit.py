"""Edits through the SDK: the mask decides which pixels change; inputs are checked as Azure/OpenAI do."""

from __future__ import annotations

import io
import random

import openai
import pytest
from PIL import Image, ImageChops

from tests.emulator.conftest import decode_image

BOX = (40, 30, 120, 90)


def png(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def photo(size: tuple[int, int] = (160, 128), mode: str = "RGB") -> Image.Image:
    rng = random.Random(1)
    image = Image.new(mode, size)
    image.putdata([tuple(rng.randrange(256) for _ in mode) for _ in range(size[0] * size[1])])
    return image


def mask_for(size: tuple[int, int], box: tuple[int, int, int, int] = BOX) -> Image.Image:
    mask = Image.new("RGBA", size, (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), box)
    return mask


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_edit_changes_only_the_transparent_mask_area(client, mode):
    source = photo(mode=mode)
    result = client.images.edit(
        model="gpt-image",
        prompt="add a hat",
        image=("photo.png", png(source), "image/png"),
        mask=("mask.png", png(mask_for(source.size)), "image/png"),
    )
    edited = decode_image(result.data[0].b64_json)
    assert edited.size == source.size and edited.mode == source.mode
    outside = Image.new("L", source.size, 255)
    outside.paste(0, BOX)
    diff = ImageChops.difference(edited, source).convert("L")
    assert ImageChops.multiply(diff, outside).getbbox() is None  # unmasked pixels identical
    assert diff.crop(BOX).getbbox() is not None  # the masked area was painted


def test_edit_without_mask_changes_the_picture(client):
    source = photo()
    result = client.images.edit(model="gpt-image", prompt="x", image=("p.png", png(source), "image/png"))
    assert ImageChops.difference(decode_image(result.data[0].b64_json), source).getbbox() is not None


def test_several_images_and_n_and_jpeg_input(client):
    images = [("a.jpg", png(photo(), "JPEG"), "image/jpeg"), ("b.png", png(photo((64, 64))), "image/png")]
    result = client.images.edit(model="gpt-image", prompt="collage", image=images, n=2, output_format="jpeg")
    assert len(result.data) == 2
    assert all(decode_image(d.b64_json).format == "JPEG" for d in result.data)
    assert result.usage.input_tokens_details.image_tokens > 0


def test_explicit_size_resizes_the_answer(client):
    result = client.images.edit(
        model="gpt-image", prompt="x", image=("p.png", png(photo()), "image/png"), size="1024x1536"
    )
    assert decode_image(result.data[0].b64_json).size == (1024, 1536)


def test_raw_bytes_sent_as_octet_stream_are_refused_in_openai_words(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(model="gpt-image", prompt="x", image=png(photo()))
    assert caught.value.param == "image"
    assert caught.value.message.endswith(
        "Invalid file 'image': unsupported mimetype ('application/octet-stream'). Supported file formats are "
        "'image/jpeg', 'image/png', and 'image/webp'."
    )


@pytest.mark.parametrize(
    "mask, code, message",
    [
        (
            png(Image.new("RGB", (160, 128))),
            "invalid_image_format",
            "Invalid mask image format - mask image missing alpha channel. "
            "The mask must be a PNG with an alpha channel.",
        ),
        (
            png(mask_for((64, 64))),
            "invalid_image_dimensions",
            "Invalid mask: the mask (64x64) must have the same dimensions as the image (160x128).",
        ),
        (
            png(mask_for((160, 128)).convert("RGB"), "JPEG"),
            "invalid_image_format",
            "Invalid mask image format - mask image missing alpha channel. "
            "The mask must be a PNG with an alpha channel.",
        ),
    ],
    ids=["no-alpha", "wrong-size", "jpeg"],
)
def test_bad_masks_are_400_on_mask(client, mask, code, message):
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(
            model="gpt-image",
            prompt="x",
            image=("p.png", png(photo()), "image/png"),
            mask=("m.png", mask, "image/png"),
        )
    assert (caught.value.param, caught.value.code) == ("mask", code)
    assert caught.value.message.endswith(message)


def test_mask_is_checked_against_the_first_image(client):
    images = [("a.png", png(photo()), "image/png"), ("b.png", png(photo((64, 64))), "image/png")]
    result = client.images.edit(
        model="gpt-image", prompt="x", image=images, mask=("m.png", png(mask_for((160, 128))), "image/png")
    )
    assert decode_image(result.data[0].b64_json).size == (160, 128)


def test_model_without_the_edit_operation_is_operation_not_supported(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(model="chat", prompt="x", image=("p.png", png(photo()), "image/png"))
    assert caught.value.code == "OperationNotSupported"
    assert "The imageEdit operation does not work with the specified model, gpt-4o." in caught.value.message


def test_non_image_bytes_are_400(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(
            model="gpt-image", prompt="x", image=("p.png", b"not a picture at all", "image/png")
        )
    assert caught.value.code == "invalid_image"


def test_more_than_16_images_are_refused(client):
    tiny = png(photo((16, 16)))
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(
            model="gpt-image", prompt="x", image=[(f"{i}.png", tiny, "image/png") for i in range(17)]
        )
    assert caught.value.param == "image"


def test_edit_on_v1_route_takes_the_deployment_from_model(emu, http):
    client = openai.OpenAI(
        base_url=emu.endpoint("contoso") + "openai/v1/",
        api_key="contoso-key-1",
        http_client=http,
        max_retries=0,
    )
    result = client.images.edit(model="gpt-image", prompt="x", image=("p.png", png(photo()), "image/png"))
    assert decode_image(result.data[0].b64_json).size == (160, 128)
