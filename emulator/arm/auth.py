"""Bearer tokens on ARM routes: any well-formed JWT by default; strict mode also checks audience and expiry.

Signatures are never checked - the emulator holds no keys - so a test or the local engine can mint an
unsigned token. Tokens are never logged or echoed in errors.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from emulator.arm import errors
from emulator.jsonbody import JsonRejected, parse_json
from emulator.limits import RequestLimits

# 9999-12-31T23:59:59Z: token libraries turn ``exp`` into a date and refuse one past this.
LATEST_EXP = 253_402_300_799

ARM_AUDIENCES = frozenset(
    {
        "https://management.azure.com",
        "https://management.azure.com/",
        "https://management.core.windows.net",
        "https://management.core.windows.net/",
    }
)


def token_claims(authorization: str | None, limits: RequestLimits | None = None) -> dict[str, Any]:
    """The JWT claims of an ``Authorization: Bearer`` header, or the ARM error for a missing/malformed one."""
    limits = limits or RequestLimits()
    if not authorization:
        raise errors.missing_token()
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.invalid_token("the Authorization header must be 'Bearer <token>'")
    if len(token) > limits.jwt_max_bytes:
        raise errors.invalid_token(f"it is longer than {limits.jwt_max_bytes} characters")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise errors.invalid_token("a JWT has three dot-separated parts")
    try:
        header, claims = (
            parse_json(_b64url(part), max_bytes=limits.jwt_max_bytes, max_depth=limits.jwt_max_depth)
            for part in parts[:2]
        )
    except JsonRejected as exc:
        raise errors.invalid_token(f"its header or payload is not accepted: {exc.reason}") from None
    except (binascii.Error, ValueError) as exc:
        raise errors.invalid_token("its header or payload is not base64url JSON") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise errors.invalid_token("its header and payload must be JSON objects")
    return claims


def check_bearer(
    authorization: str | None, *, strict: bool, now: float, limits: RequestLimits | None = None
) -> dict[str, Any]:
    claims = token_claims(authorization, limits)
    if strict:
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if not any(isinstance(a, str) and a in ARM_AUDIENCES for a in audiences):
            raise errors.wrong_audience(str(audience))
        exp = claims.get("exp")
        if isinstance(exp, int | float) and not isinstance(exp, bool) and exp > LATEST_EXP:
            raise errors.invalid_token("its exp claim is not a date (past 9999-12-31)")
        if not isinstance(exp, int | float) or isinstance(exp, bool) or exp <= now:
            raise errors.expired_token()
    return claims


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
