"""Every data-plane error Azure answers (emulator/errors.py), seen through the SDK as its matching
exception and code."""

from __future__ import annotations

import openai
import pytest

from tests.emulator.conftest import KEY, make_jwt

DATED = "openai/deployments/gpt-image/images/generations"


def test_unknown_deployment_is_deployment_not_found(client):
    with pytest.raises(openai.NotFoundError) as caught:
        client.images.generate(model="missing", prompt="x")
    assert caught.value.code == "DeploymentNotFound"
    assert "within the last 5 minutes" in caught.value.message


def test_bad_key_is_401_with_azure_wording(azure):
    with pytest.raises(openai.AuthenticationError) as caught:
        azure(api_key="wrong").images.generate(model="gpt-image", prompt="x")
    assert caught.value.code == "401"
    assert "invalid subscription key or wrong API endpoint" in caught.value.message


@pytest.mark.parametrize(
    "token",
    [make_jwt(exp_in=-60), make_jwt(aud="https://management.azure.com"), "not-a-jwt"],
    ids=["expired", "wrong-audience", "garbage"],
)
def test_bad_token_is_401_without_error_wrapper(azure, token):
    with pytest.raises(openai.AuthenticationError) as caught:
        azure(azure_ad_token_provider=lambda: token).images.generate(model="gpt-image", prompt="x")
    assert caught.value.code is None
    assert caught.value.body == {
        "statusCode": 401,
        "message": "Unauthorized. Access token is missing, invalid, audience is incorrect "
        "(https://cognitiveservices.azure.com), or have expired.",
    }


def test_principal_without_role_is_permission_denied(azure):
    token = make_jwt(oid="someone-else")
    with pytest.raises(openai.AuthenticationError) as caught:
        azure("entra-only", azure_ad_token_provider=lambda: token).images.generate(
            model="gpt-image", prompt="x"
        )
    assert caught.value.code == "PermissionDenied"
    assert "`someone-else`" in caught.value.message


def test_key_on_account_with_local_auth_disabled_is_refused(azure):
    with pytest.raises(openai.PermissionDeniedError) as caught:
        azure("entra-only", api_key="entra-key").images.generate(model="gpt-image", prompt="x")
    assert caught.value.code == "AuthenticationTypeDisabled"


def test_model_without_the_operation_is_operation_not_supported(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="chat", prompt="x")
    assert caught.value.code == "OperationNotSupported"
    assert "imageGeneration operation does not work with the specified model, gpt-4o" in caught.value.message


def test_blocked_prompt_is_content_policy_violation(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="gpt-image", prompt="draw a Forbidden-Word please")
    assert caught.value.code == "content_policy_violation"
    assert caught.value.type == "invalid_request_error"
    assert caught.value.body["inner_error"]["code"] == "ResponsibleAIPolicyViolation"


def test_filtered_output_is_content_filter(client, emu):
    emu.set_fault("contoso", "gpt-image", contentFilterOutput=True)
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="gpt-image", prompt="x")
    assert caught.value.code == "contentFilter"


def test_blocked_resource_is_403_forbidden(client, emu):
    emu.set_fault("contoso", "gpt-image", blocked=True)
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client.images.generate(model="gpt-image", prompt="x")
    assert caught.value.code == "Forbidden"
    assert "temporarily blocked" in caught.value.message


def test_bad_size_names_the_param_and_the_supported_values(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="gpt-image", prompt="x", size="1254x836")
    assert caught.value.param == "size"
    assert caught.value.type == "invalid_request_error"
    assert caught.value.message.endswith(
        "Invalid value: '1254x836'. Supported values are: '1024x1024', '1024x1536', '1536x1024', and 'auto'."
    )


def test_rate_limited_is_429_with_retry_headers(client, emu):
    emu.set_fault("contoso", "gpt-image", throttle={"count": 1, "retryAfterMs": 7000})
    with pytest.raises(openai.RateLimitError) as caught:
        client.images.generate(model="gpt-image", prompt="x")
    assert caught.value.code == "429"
    assert "ImageGenerations_Create Operation under Azure OpenAI API version 2025-04-01-preview" in (
        caught.value.message
    )
    assert "Please retry after 7 seconds" in caught.value.message
    assert caught.value.response.headers["retry-after"] == "7"
    assert caught.value.response.headers["retry-after-ms"] == "7000"


def test_missing_api_version_is_404_resource_not_found(emu, http):
    response = http.post(emu.endpoint("contoso") + DATED, headers={"api-key": KEY}, json={"prompt": "x"})
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "404", "message": "Resource not found"}}


@pytest.mark.parametrize("version", ["2024-02-01", "2099-13-99x", "v1"])
def test_unknown_api_version_is_400(emu, http, version):
    response = http.post(
        emu.endpoint("contoso") + DATED + f"?api-version={version}",
        headers={"api-key": KEY},
        json={"prompt": "x"},
    )
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "BadRequest", "message": "API version not supported"}}


@pytest.mark.parametrize(
    "status, exception", [(500, openai.InternalServerError), (503, openai.InternalServerError)]
)
def test_error_rate_one_always_fails_with_the_chosen_status(client, emu, status, exception):
    emu.set_fault("contoso", "gpt-image", errorRate=1.0, errorStatus=status)
    with pytest.raises(exception) as caught:
        client.images.generate(model="gpt-image", prompt="x")
    assert caught.value.status_code == status


def test_fresh_deployment_is_not_found_for_n_seconds(client, emu):
    emu.set_fault("contoso", "gpt-image", notFoundForSeconds=3600)
    with pytest.raises(openai.NotFoundError) as caught:
        client.images.generate(model="gpt-image", prompt="x")
    assert caught.value.code == "DeploymentNotFound"


@pytest.mark.parametrize(
    "kwargs, param, code",
    [
        ({"prompt": ""}, "prompt", "empty_string"),
        ({"prompt": "x" * 32001}, "prompt", "string_above_max_length"),
        ({"n": 11}, "n", "integer_above_max_value"),
        ({"n": 0}, "n", "integer_below_min_value"),
        ({"quality": "ultra"}, "quality", "invalid_value"),
        ({"output_format": "gif"}, "output_format", "invalid_value"),
        (
            {"output_format": "jpeg", "output_compression": 101},
            "output_compression",
            "integer_above_max_value",
        ),
        ({"output_format": "png", "output_compression": 50}, "output_compression", "invalid_value"),
        ({"output_format": "jpeg", "background": "transparent"}, "background", "invalid_value"),
        ({"moderation": "none"}, "moderation", "invalid_value"),
    ],
)
def test_invalid_parameters_are_400_naming_the_param(client, kwargs, param, code):
    body = {"prompt": "x", **kwargs}
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="gpt-image", **body)
    assert (caught.value.param, caught.value.code) == (param, code)


def test_partial_images_above_three_are_refused_on_v1_where_images_stream(v1_client):
    with pytest.raises(openai.BadRequestError) as caught:
        v1_client.images.generate(model="gpt-image", prompt="x", partial_images=4, stream=True)
    assert (caught.value.param, caught.value.code) == ("partial_images", "integer_above_max_value")
    assert caught.value.body["type"] == "error"  # the v1 spec's AzureErrorResponse allows only "error"


@pytest.mark.parametrize("size", ["1000x1000", "4096x1024", "3840x1024", "512x512"])
def test_gpt_image_2_custom_sizes_outside_the_limits_are_refused(client, size):
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="img two", prompt="x", size=size)
    assert caught.value.param == "size"
