# ruff: noqa: E501  (bodies and sentences are kept whole, one case per line)
"""``classify_http`` answer for answer: each Azure error body gives one exact ``Failure`` (kind, sentence,
status and code), because the kind decides the exit and the hint, and the sentence and code are what a
pipeline log and the JUnit report show. Bodies are Azure's (emulator/errors.py)."""

from __future__ import annotations

import pytest

from smoke.classify import TOKEN_REFRESH_HINT, classify_http, failure, hint_for, token_refresh_failure
from smoke.results import Failure, FailureKind

CASES = [
    (
        "deployment-not-found",
        404,
        b'{"error": {"code": "DeploymentNotFound", "message": "The API deployment for this resource does not exist."}}',
        FailureKind.DEPLOYMENT_NOT_FOUND,
        "The deployment does not exist at this endpoint.",
        "DeploymentNotFound",
    ),
    (
        "route-not-found",
        404,
        b'{"error": {"code": "404", "message": "Resource not found"}}',
        FailureKind.DEPLOYMENT_NOT_FOUND,
        "The route was not found (404: Resource not found); the endpoint, deployment or api-version is wrong.",
        "404",
    ),
    (
        "api-version",
        400,
        b'{"error": {"code": "BadRequest", "message": "API version not supported"}}',
        FailureKind.API_VERSION,
        "The api-version was rejected (BadRequest: API version not supported).",
        "BadRequest",
    ),
    (
        "prompt-blocked",
        400,
        b'{"error": {"code": "content_policy_violation", "message": "Your request was rejected as a result of our safety system."}}',
        FailureKind.CONTENT_FILTER,
        "The content filter blocked the prompt (content_policy_violation: Your request was rejected as a result of our safety system.).",
        "content_policy_violation",
    ),
    (
        "image-filtered",
        400,
        b'{"error": {"code": "contentFilter", "message": "Generated image was filtered."}}',
        FailureKind.CONTENT_FILTER,
        "The content filter blocked the generated image (contentFilter: Generated image was filtered.).",
        "contentFilter",
    ),
    (
        "rai-violation",
        400,
        b'{"error": {"code": "ResponsibleAIPolicyViolation", "message": "blocked"}}',
        FailureKind.CONTENT_FILTER,
        "The content filter blocked the prompt (ResponsibleAIPolicyViolation: blocked).",
        "ResponsibleAIPolicyViolation",
    ),
    (
        "keyless-code",
        403,
        b'{"error": {"code": "AuthenticationTypeDisabled", "message": "Key based authentication is disabled for this resource."}}',
        FailureKind.LOCAL_AUTH_DISABLED,
        "The account refused API-key auth (AuthenticationTypeDisabled: Key based authentication is disabled for this resource.).",
        "AuthenticationTypeDisabled",
    ),
    (
        "keyless-message",
        401,
        b'{"error": {"message": "Key based authentication is disabled for this resource."}}',
        FailureKind.LOCAL_AUTH_DISABLED,
        "The account refused API-key auth (Key based authentication is disabled for this resource.).",
        None,
    ),
    (
        "resource-blocked",
        403,
        b'{"error": {"code": "Forbidden", "message": "Your resource has been temporarily blocked."}}',
        FailureKind.RESOURCE_BLOCKED,
        "The account is blocked by Azure (Forbidden: Your resource has been temporarily blocked.).",
        "Forbidden",
    ),
    (
        "forbidden-not-blocked",
        403,
        b'{"error": {"code": "Forbidden", "message": "No."}}',
        FailureKind.AUTH,
        "The request was not authorised (Forbidden: No.).",
        "Forbidden",
    ),
    (
        "blocked-but-401",
        401,
        b'{"error": {"code": "Forbidden", "message": "blocked"}}',
        FailureKind.AUTH,
        "The request was not authorised (Forbidden: blocked).",
        "Forbidden",
    ),
    (
        "blocked-other-code",
        403,
        b'{"error": {"code": "Other", "message": "account blocked"}}',
        FailureKind.AUTH,
        "The request was not authorised (Other: account blocked).",
        "Other",
    ),
    (
        "permission-denied",
        401,
        b'{"error": {"code": "PermissionDenied", "message": "The principal `x` lacks the required data action."}}',
        FailureKind.AUTH,
        "The principal lacks the role needed to call this route (PermissionDenied: The principal `x` lacks the required data action.).",
        "PermissionDenied",
    ),
    (
        "token-refused",
        401,
        b'{"message": "Unauthorized. Access token is missing, invalid, audience is incorrect, or have expired.", "statusCode": 401}',
        FailureKind.AUTH,
        "The access token was refused (missing, invalid, wrong audience or expired) (401: Unauthorized. Access token is missing, invalid, audience is incorrect, or have expired.).",
        "401",
    ),
    (
        "token-in-code",
        401,
        b'{"error": {"code": "InvalidToken", "message": "nope"}}',
        FailureKind.AUTH,
        "The access token was refused (missing, invalid, wrong audience or expired) (InvalidToken: nope).",
        "InvalidToken",
    ),
    (
        "key-refused",
        401,
        b'{"error": {"code": "401", "message": "Access denied due to invalid subscription key or wrong API endpoint."}}',
        FailureKind.AUTH,
        "The API key was refused (401: Access denied due to invalid subscription key or wrong API endpoint.).",
        "401",
    ),
    (
        "not-authorised",
        403,
        b'{"error": {"code": "X", "message": "nope"}}',
        FailureKind.AUTH,
        "The request was not authorised (X: nope).",
        "X",
    ),
    (
        "throttled",
        429,
        b'{"error": {"code": "429", "message": "Requests have exceeded call rate limit."}}',
        FailureKind.THROTTLED,
        "Rate limited after every retry (429: Requests have exceeded call rate limit.).",
        "429",
    ),
    (
        "timeout",
        408,
        b'{"error": {"code": "Timeout", "message": "The operation timed out."}}',
        FailureKind.TIMEOUT,
        "The service timed out the request (Timeout: The operation timed out.).",
        "Timeout",
    ),
    (
        "server-500",
        500,
        b'{"error": {"code": "InternalServerError", "message": "Oops"}}',
        FailureKind.SERVER_ERROR,
        "The service returned HTTP 500 (InternalServerError: Oops).",
        "InternalServerError",
    ),
    ("server-501", 501, b'{"error": {}}', FailureKind.SERVER_ERROR, "The service returned HTTP 501.", None),
    (
        "bad-request-409",
        409,
        b'{"error": {"code": "Conflict", "message": "Busy"}}',
        FailureKind.BAD_REQUEST,
        "The service returned HTTP 409 (Conflict: Busy).",
        "Conflict",
    ),
    ("bad-request-499", 499, b"not json", FailureKind.BAD_REQUEST, "The service returned HTTP 499.", None),
    (
        "message-only",
        400,
        b'{"error": {"message": "  something wrong  "}}',
        FailureKind.BAD_REQUEST,
        "The service returned HTTP 400 (something wrong).",
        None,
    ),
    ("empty-body", 500, b"", FailureKind.SERVER_ERROR, "The service returned HTTP 500.", None),
    ("list-body", 500, b"[1, 2]", FailureKind.SERVER_ERROR, "The service returned HTTP 500.", None),
    (
        "unwrapped",
        500,
        b'{"code": "X", "message": "y"}',
        FailureKind.SERVER_ERROR,
        "The service returned HTTP 500 (X: y).",
        "X",
    ),
]


@pytest.mark.parametrize(
    ("status", "body", "kind", "message", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_answer_is_one_exact_failure(
    status: int, body: bytes, kind: FailureKind, message: str, code: str | None
) -> None:
    assert classify_http(status, body) == Failure(kind, message, hint_for(kind), status, code)


def test_failure_takes_its_hint_from_its_kind() -> None:
    assert failure(FailureKind.TIMEOUT, "m", 408, "c") == Failure(
        FailureKind.TIMEOUT, "m", hint_for(FailureKind.TIMEOUT), 408, "c"
    )


def test_a_token_that_stops_refreshing_is_an_auth_failure_with_its_own_hint() -> None:
    assert token_refresh_failure("the credential failed") == Failure(
        FailureKind.AUTH, "the credential failed", TOKEN_REFRESH_HINT
    )
    assert TOKEN_REFRESH_HINT.startswith("The Entra ID credential issued a token at the start of the run")
