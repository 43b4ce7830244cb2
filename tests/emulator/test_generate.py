"""Generation through the official SDK: every format and size, determinism, n > 1, the answer's shape."""

from __future__ import annotations

import httpx
import openai
import pytest
from PIL import ImageChops

from tests.emulator.conftest import API_VERSION, KEY, decode_image

SIZES = {
    "1024x1024": (1024, 1024),
    "1536x1024": (1536, 1024),
    "1024x1536": (1024, 1536),
    "auto": (1024, 1024),
}
FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("output_format", FORMATS)
def test_generate_returns_an_image_of_the_requested_size_and_format(client, size, output_format):
    result = client.images.generate(
        model="gpt-image", prompt="a lighthouse", size=size, output_format=output_format, quality="low"
    )
    image = decode_image(result.data[0].b64_json)
    assert image.size == SIZES[size]
    assert image.format == FORMATS[output_format]
    assert result.output_format == output_format
    assert result.size == "{}x{}".format(*SIZES[size])
    assert result.quality == "low"


def test_gpt_image_2_accepts_a_custom_size_within_its_limits(client):
    result = client.images.generate(model="img two", prompt="wide", size="1280x720")
    assert decode_image(result.data[0].b64_json).size == (1280, 720)


def test_same_request_gives_the_same_bytes_and_another_prompt_a_different_picture(client):
    first = client.images.generate(model="gpt-image", prompt="a red fox").data[0].b64_json
    again = client.images.generate(model="gpt-image", prompt="a red fox").data[0].b64_json
    other = client.images.generate(model="gpt-image", prompt="a blue whale").data[0].b64_json
    assert first == again
    difference = ImageChops.difference(decode_image(first).convert("RGB"), decode_image(other).convert("RGB"))
    assert difference.getbbox() is not None


def test_n_images_are_distinct_and_counted_in_usage(client):
    result = client.images.generate(model="gpt-image", prompt="three birds", n=3, quality="low")
    assert len(result.data) == 3
    assert len({d.b64_json for d in result.data}) == 3
    assert result.usage.output_tokens == 3 * 272
    assert result.usage.input_tokens_details.text_tokens >= 1
    assert result.usage.total_tokens == result.usage.input_tokens + result.usage.output_tokens


def test_transparent_background_gives_alpha_pixels(client):
    result = client.images.generate(model="gpt-image", prompt="a sticker", background="transparent")
    assert result.background == "transparent"
    image = decode_image(result.data[0].b64_json).convert("RGBA")
    assert image.getchannel("A").getextrema()[0] == 0


def test_transparent_background_works_with_webp(client):
    result = client.images.generate(
        model="gpt-image", prompt="a sticker", background="transparent", output_format="webp"
    )
    image = decode_image(result.data[0].b64_json)
    assert image.format == "WEBP" and image.convert("RGBA").getchannel("A").getextrema()[0] == 0


@pytest.mark.parametrize("output_format", ["jpeg", "webp"])
def test_output_compression_is_applied_to_jpeg_and_webp(client, output_format):
    def size(compression: int) -> int:
        result = client.images.generate(
            model="gpt-image",
            prompt="a detailed harbour",
            output_format=output_format,
            output_compression=compression,
        )
        assert decode_image(result.data[0].b64_json).format == FORMATS[output_format]
        return len(result.data[0].b64_json)

    assert size(10) < size(90)


def test_answer_carries_created_content_filter_results_and_azure_headers(client):
    raw = client.images.with_raw_response.generate(
        model="gpt-image", prompt="a boat", extra_headers={"x-ms-client-request-id": "my-id-123"}
    )
    result = raw.parse()
    assert result.created > 1_700_000_000
    item = result.data[0].model_dump()
    assert item["content_filter_results"]["violence"] == {"filtered": False, "severity": "safe"}
    assert "prompt_filter_results" in item
    headers = raw.headers
    assert headers["x-ms-client-request-id"] == "my-id-123"
    assert headers["apim-request-id"] and headers["x-request-id"]
    assert headers["x-ms-region"] == "swedencentral"
    assert headers["x-ratelimit-limit-requests"] == "1000"
    assert headers["x-ratelimit-remaining-requests"] == "999"


def test_v1_route_with_plain_openai_client_and_model_in_the_body(emu, http):
    v1 = openai.OpenAI(
        base_url=emu.endpoint("contoso") + "openai/v1/", api_key=KEY, http_client=http, max_retries=0
    )
    result = v1.images.generate(model="gpt-image", prompt="v1 works", size="1024x1536")
    assert decode_image(result.data[0].b64_json).size == (1024, 1536)


def test_deployment_name_with_a_space_is_url_decoded(client, emu):
    client.images.generate(model="img two", prompt="spaces")
    record = [r for r in emu.requests() if r["deployment"] == "img two"]
    assert record and record[-1]["status"] == 200


@pytest.mark.parametrize(
    "version, status", [("v1", 200), ("preview", 200), ("latest", 200), (API_VERSION, 400), ("", 400)]
)
def test_v1_route_accepts_its_api_version_aliases_only(emu, http, version, status):
    response = http.post(
        emu.endpoint("contoso") + f"openai/v1/images/generations?api-version={version}",
        headers={"api-key": KEY},
        json={"model": "gpt-image", "prompt": "ok"},
    )
    assert response.status_code == status
    if status == 400:
        assert response.json() == {"error": {"code": "BadRequest", "message": "API version not supported"}}


def test_v1_route_without_api_version_works_and_needs_model(emu, http):
    url = emu.endpoint("contoso") + "openai/v1/images/generations"
    assert (
        http.post(url, headers={"api-key": KEY}, json={"model": "gpt-image", "prompt": "ok"}).status_code
        == 200
    )
    missing = http.post(url, headers={"api-key": KEY}, json={"prompt": "ok"})
    assert (missing.status_code, missing.json()["error"]["param"]) == (400, "model")


def test_request_log_redacts_credentials(emu, http):
    http.post(
        emu.endpoint("contoso") + f"openai/deployments/gpt-image/images/generations?api-version={API_VERSION}"
        "&api-key=leaky",
        headers={"api-key": KEY},
        json={"prompt": "x"},
    )
    text = httpx.get(emu.base_url + "_emulator/requests", verify=emu.verify).text
    assert KEY not in text and "leaky" not in text
    assert '"auth":"api-key"' in text.replace(" ", "")
