import json

import pytest

from smoke.classify import classify_http, error_fields
from smoke.results import FailureKind

# Bodies verbatim as Azure sends them (emulator/errors.py).
CASES = [
    (
        404,
        {
            "error": {
                "code": "DeploymentNotFound",
                "message": "The API deployment for this resource does not exist.",
            }
        },
        FailureKind.DEPLOYMENT_NOT_FOUND,
        "The deployment does not exist at this endpoint.",
    ),
    (
        404,
        {"error": {"code": "404", "message": "Resource not found"}},
        FailureKind.DEPLOYMENT_NOT_FOUND,
        "The route was not found (404: Resource not found); the endpoint, deployment or api-version is "
        "wrong.",
    ),
    (
        401,
        {
            "error": {
                "code": "401",
                "message": "Access denied due to invalid subscription key or wrong API endpoint.",
            }
        },
        FailureKind.AUTH,
        "The API key was refused (401: Access denied due to invalid subscription key or wrong API "
        "endpoint.).",
    ),
    (
        401,
        {
            "statusCode": 401,
            "message": "Unauthorized. Access token is missing, invalid, audience is incorrect.",
        },
        FailureKind.AUTH,
        "The access token was refused (missing, invalid, wrong audience or expired) "
        "(401: Unauthorized. Access token is missing, invalid, audience is incorrect.).",
    ),
    (
        401,
        {
            "error": {
                "code": "PermissionDenied",
                "message": "The principal `p` lacks the required data action.",
            }
        },
        FailureKind.AUTH,
        "The principal lacks the role needed to call this route "
        "(PermissionDenied: The principal `p` lacks the required data action.).",
    ),
    (
        403,
        {
            "error": {
                "code": "AuthenticationTypeDisabled",
                "message": "Key based authentication is disabled for this resource.",
            }
        },
        FailureKind.LOCAL_AUTH_DISABLED,
        "The account refused API-key auth (AuthenticationTypeDisabled: Key based authentication is "
        "disabled for "
        "this resource.).",
    ),
    (
        400,
        {"error": {"code": "BadRequest", "message": "API version not supported"}},
        FailureKind.API_VERSION,
        "The api-version was rejected (BadRequest: API version not supported).",
    ),
    (
        400,
        {
            "error": {
                "code": "content_policy_violation",
                "inner_error": {"code": "ResponsibleAIPolicyViolation"},
                "message": "Your request was rejected as a result of our safety system.",
                "type": "invalid_request_error",
            }
        },
        FailureKind.CONTENT_FILTER,
        "The content filter blocked the prompt (content_policy_violation: Your request "
        "was rejected as a result of our safety system.).",
    ),
    (
        400,
        {"error": {"code": "contentFilter", "message": "Generated image was filtered."}},
        FailureKind.CONTENT_FILTER,
        "The content filter blocked the generated image (contentFilter: Generated image was filtered.).",
    ),
    (
        403,
        {"error": {"code": "Forbidden", "message": "Your resource has been temporarily blocked because ..."}},
        FailureKind.RESOURCE_BLOCKED,
        "The account is blocked by Azure (Forbidden: Your resource has been "
        "temporarily blocked because ...).",
    ),
    (
        429,
        {"error": {"code": "429", "message": "exceeded call rate limit"}},
        FailureKind.THROTTLED,
        "Rate limited after every retry (429: exceeded call rate limit).",
    ),
    (
        503,
        {"error": {"code": "ServiceUnavailable", "message": "busy"}},
        FailureKind.SERVER_ERROR,
        "The service returned HTTP 503 (ServiceUnavailable: busy).",
    ),
    (
        408,
        {"error": {"code": "Timeout", "message": "slow"}},
        FailureKind.TIMEOUT,
        "The service timed out the request (Timeout: slow).",
    ),
    (
        400,
        {"error": {"code": "invalid_value", "message": "Invalid value: '1254x836'."}},
        FailureKind.BAD_REQUEST,
        "The service returned HTTP 400 (invalid_value: Invalid value: '1254x836'.).",
    ),
]


@pytest.mark.parametrize(("status", "body", "kind", "message"), CASES)
def test_each_azure_error_gets_its_own_class_and_message(status, body, kind, message):
    failure = classify_http(status, json.dumps(body).encode())
    assert failure.kind is kind
    assert failure.message == message
    assert failure.hint and failure.status == status


def test_prompt_block_and_resource_block_are_told_apart():
    prompt = classify_http(400, b'{"error":{"code":"content_policy_violation","message":"rejected"}}')
    resource = classify_http(
        403, b'{"error":{"code":"Forbidden","message":"resource has been temporarily blocked"}}'
    )
    assert prompt.kind is FailureKind.CONTENT_FILTER and resource.kind is FailureKind.RESOURCE_BLOCKED
    assert "not a prompt problem" in resource.hint and "deployment answered" in prompt.hint


def test_a_non_json_error_body_still_classifies_by_status():
    failure = classify_http(502, b"<html>bad gateway</html>")
    assert (failure.kind, failure.message) == (FailureKind.SERVER_ERROR, "The service returned HTTP 502.")
    assert error_fields(b"[1]") == (None, None)
