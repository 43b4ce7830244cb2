"""A bearer token for the emulator's ARM API, which accepts any well-formed token.

The token is an unsigned JWT (``alg: none``) that names the local engine as its issuer, so the emulator's
request log shows who called. It is useless against real Azure, which is the point: the local engine and
preflight's ``--arm-endpoint`` mode never hold a real credential.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any, NamedTuple

ARM_AUDIENCE = "https://management.azure.com/"
LOCAL_OBJECT_ID = "00000000-0000-0000-0000-00000000e001"


def _segment(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def local_token(audience: str = ARM_AUDIENCE, lifetime_s: int = 3600, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    claims = {
        "aud": audience,
        "iss": "https://imagegate.local/engine",
        "oid": LOCAL_OBJECT_ID,
        "sub": LOCAL_OBJECT_ID,
        "iat": issued,
        "nbf": issued,
        "exp": issued + lifetime_s,
    }
    return f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(claims)}.local"


class _AccessToken(NamedTuple):
    token: str
    expires_on: int


class LocalTokenCredential:
    """An azure-core ``TokenCredential`` handing out :func:`local_token`, for SDK clients of the emulator."""

    def get_token(self, *scopes: str, **_: Any) -> _AccessToken:
        audience = scopes[0].removesuffix(".default") if scopes else ARM_AUDIENCE
        token = local_token(audience)
        return _AccessToken(token, int(time.time()) + 3600)

    def close(self) -> None:
        """Nothing to release; present because SDK clients call it."""
