"""Bearer tokens on ARM routes: any well-formed JWT by default; strict mode also checks audience and expiry.

Signatures are never checked - the emulator holds no keys - so a test or the local engine can mint an
unsigned token. Tokens are never logged or echoed in errors.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from emulator.arm import errors

ARM_AUDIENCES = frozenset(
    {
        "https://management.azure.com",
        "https://management.azure.com/",
        "https://management.core.windows.net",
        "https://management.core.windows.net/",
    }
)


def token_claims(authorization: str | None) -> dict[str, Any]:
    """The JWT claims of an ``Authorization: Bearer`` header, or the ARM error for a missing/malformed one."""
    if not authorization:
        raise errors.missing_token()
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.invalid_token("the Authorization header must be 'Bearer <token>'")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise errors.invalid_token("a JWT has three dot-separated parts")
    try:
        header = json.loads(_b64url(parts[0]))
        claims = json.loads(_b64url(parts[1]))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise errors.invalid_token("its header or payload is not base64url JSON") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise errors.invalid_token("its header and payload must be JSON objects")
    return claims


def check_bearer(authorization: str | None, *, strict: bool, now: float) -> dict[str, Any]:
    claims = token_claims(authorization)
    if strict:
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if not any(isinstance(a, str) and a in ARM_AUDIENCES for a in audiences):
            raise errors.wrong_audience(str(audience))
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp <= now:
            raise errors.expired_token()
    return claims


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
