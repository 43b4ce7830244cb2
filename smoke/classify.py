"""Turn an Azure OpenAI error response into a precise ``Failure``: what went wrong and what to do.

Pure: status + body (+ which auth was used) in, ``Failure`` out. Bodies are Azure's (emulator/errors.py);
the distinctions that matter are the ones naive health checks get wrong - a blocked *prompt* (400,
the deployment is fine) versus a blocked *resource* (403, the account is suspended), and a missing
role versus a bad token.
"""

from __future__ import annotations

import json

from smoke.results import Failure, FailureKind

_HINTS = {
    FailureKind.AUTH: (
        "Check the credential: for Entra ID the principal needs the 'Cognitive Services OpenAI User' "
        "role on the account (and the token scope must match); for keys, check the key variable."
    ),
    FailureKind.LOCAL_AUTH_DISABLED: (
        "This account refuses API keys (disableLocalAuth); run with Entra ID auth "
        "(the default, without --auth key)."
    ),
    FailureKind.DEPLOYMENT_NOT_FOUND: (
        "Check the deployment name in the stack outputs; a deployment created in the "
        "last few minutes can 404 - raise --not-found-wait to wait longer."
    ),
    FailureKind.API_VERSION: "Pass a supported --api-version (e.g. 2025-04-01-preview) or use --v1.",
    FailureKind.THROTTLED: (
        "The deployment stayed rate-limited after every retry; raise its capacity, lower "
        "--concurrency, or run again later."
    ),
    FailureKind.CONTENT_FILTER: (
        "The deployment answered but the content filter blocked the prompt or image; "
        "use a more benign --prompt or review the content-filter (RAI) policy."
    ),
    FailureKind.RESOURCE_BLOCKED: (
        "The whole account is blocked by Azure (not a prompt problem); open a support "
        "request and check the account's content-policy notices."
    ),
    FailureKind.SERVER_ERROR: (
        "The service failed on its side; retry later and check Azure status and the account's metrics."
    ),
    FailureKind.TIMEOUT: (
        "No answer within the time limit; raise --request-timeout / --check-timeout or check "
        "the endpoint's latency."
    ),
    FailureKind.CONNECTION: (
        "Check the endpoint URL, DNS, network rules (IP allow-list, private endpoint) and, "
        "for a private CA, pass --ca-bundle."
    ),
    FailureKind.TLS: (
        "The endpoint's certificate is not trusted here; pass --ca-bundle FILE (the emulator's ca= file "
        "or your private CA) or set SSL_CERT_FILE. Retrying cannot fix this, so smoke did not retry."
    ),
    FailureKind.DNS: (
        "The endpoint's host name does not resolve; check the endpoint URL (the account's custom "
        "subdomain) and DNS (a private endpoint needs its private DNS zone). Not retried."
    ),
    FailureKind.BAD_REQUEST: (
        "The service rejected the request's parameters; check --size, --quality, "
        "--output-format against the deployment's model."
    ),
    FailureKind.INVALID_RESPONSE: (
        "The service answered 2xx with something that is not the promised image "
        "response; report it with the request id."
    ),
    FailureKind.KEYLESS_VIOLATED: (
        "The stack promises keyless (localAuthDisabled) but the account still evaluates API keys; "
        "set disableLocalAuth on the account and re-run `pulumi up`."
    ),
    FailureKind.NOT_REFUSED: (
        "The suite expects the content filter to refuse this prompt but the deployment answered with "
        "images; review the deployment's content-filter (RAI) policy or the case's expectation."
    ),
    FailureKind.OVER_LATENCY_BUDGET: (
        "The answer was correct but slower than the case's max_latency_seconds; check the deployment's "
        "load and capacity, or raise the budget if the model is slower by design."
    ),
    FailureKind.FAILOVER: (
        "The alias did not keep serving from the other members while one was throttled: check the pool's "
        "circuit breaker (its status ranges must include 429) and the alias's retry count (docs/gateway.md); "
        "a member that is not throttled proves nothing, throttle it first (docs/smoke.md, failover check)."
    ),
}


def hint_for(kind: FailureKind) -> str:
    return _HINTS[kind]


def error_fields(body: bytes) -> tuple[str | None, str | None]:
    """(code, message) from an Azure error body, with or without the ``error`` wrapper."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None, None
    if not isinstance(doc, dict):
        return None, None
    wrapped = doc.get("error")
    inner = wrapped if isinstance(wrapped, dict) else doc
    code = inner.get("code", inner.get("statusCode"))
    message = inner.get("message")
    return (str(code) if code is not None else None), (str(message) if message is not None else None)


def failure(kind: FailureKind, message: str, status: int | None = None, code: str | None = None) -> Failure:
    return Failure(kind=kind, message=message, hint=hint_for(kind), status=status, code=code)


TOKEN_REFRESH_HINT = (
    "The Entra ID credential issued a token at the start of the run but could not refresh it; "
    "re-authenticate (az login, or renew the pipeline's federated/OIDC token) and run again."
)


def token_refresh_failure(detail: str) -> Failure:
    """A credential that stopped issuing tokens mid-run: an auth failure of the check that needed one."""
    return Failure(FailureKind.AUTH, detail, TOKEN_REFRESH_HINT)


def classify_http(status: int, body: bytes) -> Failure:
    """Classify a non-2xx response. Never returns None: the caller only calls it on errors."""
    code, message = error_fields(body)
    text = (message or "").strip()
    low = f"{code or ''} {text}".lower()
    shown = f" ({code}: {text})" if code and text else (f" ({text})" if text else "")
    if status == 404 and code == "DeploymentNotFound":
        return failure(
            FailureKind.DEPLOYMENT_NOT_FOUND, "The deployment does not exist at this endpoint.", status, code
        )
    if status == 404:
        return failure(
            FailureKind.DEPLOYMENT_NOT_FOUND,
            f"The route was not found{shown}; the endpoint, deployment or api-version is wrong.",
            status,
            code,
        )
    if status == 400 and "api version" in low:
        return failure(FailureKind.API_VERSION, f"The api-version was rejected{shown}.", status, code)
    if status == 400 and code in (
        "content_policy_violation",
        "contentFilter",
        "ResponsibleAIPolicyViolation",
    ):
        what = "generated image" if code == "contentFilter" else "prompt"
        return failure(
            FailureKind.CONTENT_FILTER, f"The content filter blocked the {what}{shown}.", status, code
        )
    if code == "AuthenticationTypeDisabled" or "key based authentication is disabled" in low:
        return failure(
            FailureKind.LOCAL_AUTH_DISABLED, f"The account refused API-key auth{shown}.", status, code
        )
    if status == 403 and code == "Forbidden" and "blocked" in low:
        return failure(FailureKind.RESOURCE_BLOCKED, f"The account is blocked by Azure{shown}.", status, code)
    if status in (401, 403):
        if code == "PermissionDenied":
            what = "The principal lacks the role needed to call this route"
        elif "token" in low:
            what = "The access token was refused (missing, invalid, wrong audience or expired)"
        elif "key" in low:
            what = "The API key was refused"
        else:
            what = "The request was not authorised"
        return failure(FailureKind.AUTH, f"{what}{shown}.", status, code)
    if status == 429:
        return failure(FailureKind.THROTTLED, f"Rate limited after every retry{shown}.", status, code)
    if status == 408:
        return failure(FailureKind.TIMEOUT, f"The service timed out the request{shown}.", status, code)
    if status >= 500:
        return failure(FailureKind.SERVER_ERROR, f"The service returned HTTP {status}{shown}.", status, code)
    return failure(FailureKind.BAD_REQUEST, f"The service returned HTTP {status}{shown}.", status, code)
