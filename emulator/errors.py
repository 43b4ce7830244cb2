"""Errors the emulated services answer with, as Azure spells them.

Providers raise these; one Starlette exception handler turns them into the HTTP answer, so the wording of
every Azure error lives here and nowhere else::

    EmulatorError                 base: status, code, message, optional param/type, extra headers
    ├── ConfigError               the emulator's own config/catalog is wrong (never an HTTP answer)
    └── (factories below)         one function per error Azure's image routes answer
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator import facts


class EmulatorError(Exception):
    """An Azure-shaped error answer: ``status`` plus the JSON ``body`` Azure sends."""

    def __init__(
        self,
        status: int,
        code: str | None,
        message: str,
        *,
        param: str | None = None,
        type: str | None = None,
        headers: Mapping[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        self.type = type
        self.headers = dict(headers or {})
        self._body = body

    def body(self, *, v1: bool = False) -> dict[str, Any]:
        """Azure's JSON answer. The specs type ``code``/``param`` as strings, so an unknown one is left out
        (not null); on the v1 surface ``type`` is ``"error"``, the only value its spec allows."""
        if self._body is not None:
            body = self._body
        else:
            error: dict[str, Any] = {"message": self.message}
            if self.code is not None:
                error["code"] = self.code
            if self.param is not None:
                error["param"] = self.param
            if self.param is not None or self.type is not None:
                error["type"] = self.type or "invalid_request_error"
            body = {"error": error}
        inner = body.get("error")
        if v1 and isinstance(inner, dict) and "type" in inner:
            body = {**body, "error": {**inner, "type": facts.V1_ERROR_TYPE}}
        return body


class ConfigError(EmulatorError):
    """The emulator's config file or model catalog cannot be used; the message says what to fix (exit 2)."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(500, "EmulatorConfigError", message)


def resource_not_found() -> EmulatorError:
    return EmulatorError(404, "404", "Resource not found")


def api_version_not_supported() -> EmulatorError:
    return EmulatorError(400, "BadRequest", "API version not supported")


def deployment_not_found() -> EmulatorError:
    return EmulatorError(
        404,
        "DeploymentNotFound",
        "The API deployment for this resource does not exist. If you created the deployment within the "
        "last 5 minutes, please wait a moment and try again.",
    )


def invalid_key() -> EmulatorError:
    return EmulatorError(
        401,
        "401",
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid "
        "key for an active subscription and use a correct regional API endpoint for your resource.",
    )


def missing_key() -> EmulatorError:
    return EmulatorError(
        401,
        "401",
        "Access denied due to missing subscription key. Make sure to include subscription key when making "
        "requests to an API.",
    )


def invalid_token() -> EmulatorError:
    message = (
        "Unauthorized. Access token is missing, invalid, audience is incorrect "
        "(https://cognitiveservices.azure.com), or have expired."
    )
    # Azure's token answer has no "error" wrapper: the SDK sees a body with statusCode and no code.
    return EmulatorError(401, None, message, body={"statusCode": 401, "message": message})


def local_auth_disabled() -> EmulatorError:
    # Status 403 and wording unverified: no public page quotes this answer.
    return EmulatorError(
        403, "AuthenticationTypeDisabled", "Key based authentication is disabled for this resource."
    )


def permission_denied(principal: str, action: str, route: str) -> EmulatorError:
    return EmulatorError(
        401,
        "PermissionDenied",
        f"The principal `{principal}` lacks the required data action `{action}` to perform `POST {route}` "
        "operation.",
    )


def operation_not_supported(operation: str, model: str) -> EmulatorError:
    return EmulatorError(
        400,
        "OperationNotSupported",
        f"The {operation} operation does not work with the specified model, {model}. Please choose different "
        "model and try again. You can learn more about which models can be used with each operation here: "
        "https://go.microsoft.com/fwlink/?linkid=2197993.",
    )


def prompt_blocked() -> EmulatorError:
    filters = {
        "hate": {"filtered": False, "severity": "safe"},
        "self_harm": {"filtered": False, "severity": "safe"},
        "sexual": {"filtered": False, "severity": "safe"},
        "violence": {"filtered": False, "severity": "safe"},
        "custom_blocklists": {"filtered": True, "details": [{"filtered": True, "id": "CustomBlockTerms"}]},
    }
    message = (
        "Your request was rejected as a result of our safety system. Your prompt may contain text that is "
        "not allowed by our safety system."
    )
    body = {
        "error": {
            "code": "content_policy_violation",
            "inner_error": {"code": "ResponsibleAIPolicyViolation", "content_filter_results": filters},
            "message": message,
            "type": "invalid_request_error",
        }
    }
    return EmulatorError(400, "content_policy_violation", message, body=body)


def output_filtered() -> EmulatorError:
    return EmulatorError(
        400, "contentFilter", "Generated image was filtered as a result of our safety system."
    )


def resource_blocked() -> EmulatorError:
    return EmulatorError(
        403,
        "Forbidden",
        "Your resource has been temporarily blocked because we detected behavior that may violate our "
        "content policy. Please review the content policy and try again later.",
    )


def server_error(status: int) -> EmulatorError:
    if status == 503:
        return EmulatorError(
            503,
            "ServiceUnavailable",
            "The service is temporarily unable to process your request. Please try again later.",
        )
    return EmulatorError(
        status,
        "InternalServerError",
        "The server had an error while processing your request. Sorry about that!",
    )


def rate_limited(operation: str, api_version: str, retry_after_ms: int) -> EmulatorError:
    seconds = max(1, -(-retry_after_ms // 1000))
    message = (
        f"Requests to the {operation} Operation under Azure OpenAI API version {api_version} have exceeded "
        f"call rate limit of your current AIServices S0 pricing tier. Please retry after {seconds} seconds. "
        "Please contact Azure support service if you would like to further increase the default rate limit."
    )
    headers = {"retry-after": str(seconds), "retry-after-ms": str(retry_after_ms)}
    return EmulatorError(429, "429", message, headers=headers)


def invalid_request(message: str, *, param: str | None, code: str | None = "invalid_value") -> EmulatorError:
    """A 400 about one request parameter, in OpenAI's ``invalid_request_error`` shape that Azure passes on."""
    return EmulatorError(400, code, message, param=param, type="invalid_request_error")


def unrecognized_argument(name: str) -> EmulatorError:
    message = facts.UNRECOGNIZED_ARGUMENT_MESSAGE.format(name=name)
    return invalid_request(message, param=name, code="BadRequest")


def unsupported_media_type(content_type: str) -> EmulatorError:
    return invalid_request(
        f"Invalid Content-Type header ({content_type}), expected multipart/form-data.",
        param=None,
        code="invalid_content_type",
    )
