"""Who is calling: an account key (``api-key``, or ``Authorization: Bearer <key>`` on v1) or an Entra token.

The emulator reads a JWT's claims (audience, expiry, object id) but does NOT check its signature: any
well-formed token with the right audience and a future ``exp`` is accepted. Pure functions over headers.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from emulator.accounts import AccountSpec
from emulator.errors import (
    invalid_key,
    invalid_token,
    local_auth_disabled,
    missing_key,
    permission_denied,
)
from emulator.jsonbody import JsonRejected, parse_json
from emulator.limits import RequestLimits

AUDIENCES = frozenset({"https://cognitiveservices.azure.com", "https://ai.azure.com"})
_CLOCK_SKEW = 300.0
# 9999-12-31T23:59:59Z: token libraries turn ``exp`` into a date and refuse one past this.
LATEST_EXP = 253_402_300_799


@dataclass(frozen=True)
class Caller:
    kind: Literal["key", "token"]
    principal: str | None = None


def decode_jwt(token: str, limits: RequestLimits | None = None) -> dict[str, Any] | None:
    """The claims of a compact JWT, or None when ``token`` is not one. The signature is not verified.

    A token over the size or depth limit, or with non-finite numbers or lone surrogates, is not one.
    """
    limits = limits or RequestLimits()
    parts = token.split(".")
    if len(token) > limits.jwt_max_bytes or len(parts) != 3 or not parts[0] or not parts[1]:
        return None
    try:
        header, claims = (
            parse_json(_b64url(part), max_bytes=limits.jwt_max_bytes, max_depth=limits.jwt_max_depth)
            for part in parts[:2]
        )
    except (JsonRejected, ValueError, binascii.Error):
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return claims


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _audience_ok(aud: Any) -> bool:
    values = aud if isinstance(aud, list) else [aud]
    return any(isinstance(v, str) and v.rstrip("/") in AUDIENCES for v in values)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def check_token(claims: Mapping[str, Any], now: float) -> bool:
    exp = _number(claims.get("exp"))
    nbf = _number(claims.get("nbf"))
    if exp is None or exp <= now or exp > LATEST_EXP or not _audience_ok(claims.get("aud")):
        return False
    return nbf is None or nbf <= now + _CLOCK_SKEW


def _key_matches(candidate: str, keys: tuple[str, ...]) -> bool:
    return any(hmac.compare_digest(candidate.encode(), key.encode()) for key in keys)


def _check_key(candidate: str, account: AccountSpec) -> Caller:
    if account.local_auth_disabled:
        raise local_auth_disabled()
    if not _key_matches(candidate, account.keys):
        raise invalid_key()
    return Caller("key")


def authenticate(
    headers: Mapping[str, str],
    account: AccountSpec,
    *,
    v1: bool,
    route: str,
    action: str,
    now: float,
    limits: RequestLimits | None = None,
) -> Caller:
    """Return the caller or raise the Azure 401/403 for the failure."""
    key = headers.get("api-key")
    if key:
        return _check_key(key, account)
    authorization = headers.get("authorization") or ""
    scheme, _, credential = authorization.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise missing_key() if not authorization else invalid_token()
    credential = credential.strip()
    claims = decode_jwt(credential, limits)
    if claims is None:
        if v1:
            return _check_key(credential, account)
        raise invalid_token()
    if not check_token(claims, now):
        raise invalid_token()
    principal = str(claims.get("oid") or claims.get("sub") or claims.get("appid") or "unknown")
    if account.openai_users is not None and principal not in account.openai_users:
        raise permission_denied(principal, action, route)
    # A managed identity's token (``xms_mirid``, as Entra issues them) is held to the ARM role assignments.
    if claims.get("xms_mirid") and account.role_holders is not None and principal not in account.role_holders:
        raise permission_denied(principal, action, route)
    return Caller("token", principal)
