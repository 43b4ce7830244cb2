"""Error answers over raw HTTP: Azure's exact bodies, and the headers every data-plane answer carries."""

from __future__ import annotations

import math
import uuid

import pytest

from tests.emulator.conftest import API_VERSION, KEY, make_jwt

DATED = "openai/deployments/{}/images/generations?api-version=" + API_VERSION
V1 = "openai/v1/images/generations"
TOKEN_MESSAGE = (
    "Unauthorized. Access token is missing, invalid, audience is incorrect "
    "(https://cognitiveservices.azure.com), or have expired."
)
BAD_KEY = {
    "error": {
        "code": "401",
        "message": "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
        "provide a valid key for an active subscription and use a correct regional API endpoint for your "
        "resource.",
    }
}
NO_KEY = {
    "error": {
        "code": "401",
        "message": "Access denied due to missing subscription key. Make sure to include subscription key "
        "when making requests to an API.",
    }
}
KEYS_DISABLED = {
    "error": {
        "code": "AuthenticationTypeDisabled",
        "message": "Key based authentication is disabled for this resource.",
    }
}
NOT_FOUND = {
    "error": {
        "code": "DeploymentNotFound",
        "message": "The API deployment for this resource does not exist. If you created the deployment "
        "within the last 5 minutes, please wait a moment and try again.",
    }
}


def assert_azure_headers(response, region: str = "swedencentral", *, rate_limited: bool = True) -> None:
    request_id = response.headers["apim-request-id"]
    assert uuid.UUID(request_id) and response.headers["x-request-id"] == request_id
    assert response.headers["x-ms-region"] == region
    assert response.headers["x-ms-client-request-id"] == "client-42"
    names = ("x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests")
    assert all((name in response.headers) is rate_limited for name in names), dict(response.headers)


@pytest.fixture
def call(emu, http):
    def send(subdomain: str, path: str, headers: dict[str, str], body: dict | None = None):
        headers = {"x-ms-client-request-id": "client-42", **headers}
        return http.post(emu.endpoint(subdomain) + path, headers=headers, json=body or {"prompt": "x"})

    return send


@pytest.mark.parametrize(
    "subdomain, path, headers, status, body",
    [
        ("contoso", DATED.format("gpt-image"), {"api-key": "wrong"}, 401, BAD_KEY),
        ("contoso", DATED.format("gpt-image"), {}, 401, NO_KEY),
        (
            "contoso",
            DATED.format("gpt-image"),
            {"authorization": f"Bearer {make_jwt(exp_in=-60)}"},
            401,
            {"statusCode": 401, "message": TOKEN_MESSAGE},
        ),
        (
            "contoso",
            DATED.format("gpt-image"),
            {"authorization": f"Bearer {make_jwt(aud='https://management.azure.com/')}"},
            401,
            {"statusCode": 401, "message": TOKEN_MESSAGE},
        ),
        ("entra-only", DATED.format("gpt-image"), {"api-key": "entra-key"}, 403, KEYS_DISABLED),
        ("entra-only", DATED.format("gpt-image"), {"api-key": "not-even-a-key"}, 403, KEYS_DISABLED),
        ("contoso", DATED.format("chat"), {"api-key": KEY}, 400, None),
    ],
    ids=["bad-key", "no-key", "expired-token", "wrong-audience", "keys-disabled", "keys-disabled-bad", "op"],
)
def test_error_bodies_are_azures_and_carry_every_header(call, subdomain, path, headers, status, body):
    response = call(subdomain, path, headers)
    assert response.status_code == status
    if body is None:  # OperationNotSupported: the whole sentence, with the model the deployment runs
        body = {
            "error": {
                "code": "OperationNotSupported",
                "message": "The imageGeneration operation does not work with the specified model, gpt-4o. "
                "Please choose different model and try again. You can learn more about which models can be "
                "used with each operation here: https://go.microsoft.com/fwlink/?linkid=2197993.",
            }
        }
    assert response.json() == body
    assert_azure_headers(response, "eastus2" if subdomain == "entra-only" else "swedencentral")


def test_v1_key_sent_as_bearer_is_refused_when_local_auth_is_disabled(call):
    response = call(
        "entra-only", V1, {"authorization": "Bearer entra-key"}, {"model": "gpt-image", "prompt": "x"}
    )
    assert (response.status_code, response.json()) == (403, KEYS_DISABLED)
    # On v1 the deployment is named in the body, which is not read for a refused caller: no window to report.
    assert_azure_headers(response, "eastus2", rate_limited=False)


def test_unknown_deployment_has_no_rate_limit_to_report(call):
    response = call("contoso", DATED.format("missing"), {"api-key": KEY})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert_azure_headers(response, rate_limited=False)


def test_refused_requests_do_not_use_up_the_rate_limit(call):
    for _ in range(3):
        refused = call("contoso", DATED.format("tiny"), {"api-key": "wrong"})
        assert refused.headers["x-ratelimit-remaining-requests"] == "5"
    assert (
        call("contoso", DATED.format("tiny"), {"api-key": KEY}).headers["x-ratelimit-remaining-requests"]
        == "4"
    )


def test_the_limiters_own_429_has_azures_body_and_both_retry_headers(call):
    answers = [call("contoso", DATED.format("tiny"), {"api-key": KEY}) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    throttled = answers[-1]
    wait_ms = int(throttled.headers["retry-after-ms"])
    seconds = math.ceil(wait_ms / 1000)
    assert 0 < wait_ms <= 60_000 and throttled.headers["retry-after"] == str(seconds)
    assert throttled.json() == {
        "error": {
            "code": "429",
            "message": "Requests to the ImageGenerations_Create Operation under Azure OpenAI API version "
            f"{API_VERSION} have exceeded call rate limit of your current AIServices S0 pricing tier. Please "
            f"retry after {seconds} seconds. Please contact Azure support service if you would like to "
            "further increase the default rate limit.",
        }
    }
    assert throttled.headers["x-ratelimit-limit-requests"] == "5"
    assert throttled.headers["x-ratelimit-remaining-requests"] == "0"
    assert_azure_headers(throttled)


@pytest.mark.parametrize(
    "spec, status, body",
    [
        (
            {"blocked": True},
            403,
            {
                "error": {
                    "code": "Forbidden",
                    "message": "Your resource has been temporarily blocked because we detected behavior that "
                    "may violate our content policy. Please review the content policy and try again later.",
                }
            },
        ),
        (
            {"errorRate": 1.0, "errorStatus": 500},
            500,
            {
                "error": {
                    "code": "InternalServerError",
                    "message": "The server had an error while processing your request. Sorry about that!",
                }
            },
        ),
        (
            {"errorRate": 1.0, "errorStatus": 503},
            503,
            {
                "error": {
                    "code": "ServiceUnavailable",
                    "message": "The service is temporarily unable to process your request. "
                    "Please try again later.",
                }
            },
        ),
        ({"notFoundForSeconds": 3600}, 404, NOT_FOUND),
    ],
    ids=["blocked", "500", "503", "fresh-deployment"],
)
def test_fault_answers_have_azures_bodies_and_headers(call, emu, spec, status, body):
    emu.set_fault("contoso", "gpt-image", **spec)
    response = call("contoso", DATED.format("gpt-image"), {"api-key": KEY})
    assert (response.status_code, response.json()) == (status, body)
    assert_azure_headers(response)
