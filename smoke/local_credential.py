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
# The tenant the local engine believes it runs in (its getClientConfig), so a gateway that validates
# tokens for that tenant (`gateway.clients.entra.tenantId`) accepts these tokens in the emulator.
LOCAL_TENANT_ID = "00000000-0000-0000-0000-0000000000aa"


def _segment(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def local_token(audience: str = ARM_AUDIENCE, lifetime_s: int = 3600, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    claims = {
        "aud": audience,
        "iss": "https://imagegate.local/engine",
        "oid": LOCAL_OBJECT_ID,
        "tid": LOCAL_TENANT_ID,
        "sub": LOCAL_OBJECT_ID,
        "iat": issued,
        "nbf": issued,
        "exp": issued + lifetime_s,
    }
    return f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(claims)}.local"


class _AccessToken(NamedTuple):
    token: str
    expires_on: int


def audience_of(scope: str) -> str:
    """The ``aud`` Entra puts in a token for ``scope``: the resource's identifier, which for ARM ends in a
    slash (``https://management.azure.com/``) and for the others does not (``https://cognitiveservices.azure.com``,
    ``api://<app>``)."""
    resource = scope.removesuffix(".default")
    return resource if resource == ARM_AUDIENCE else resource.rstrip("/")


class LocalTokenCredential:
    """An azure-core ``TokenCredential`` handing out :func:`local_token`, for SDK clients of the emulator."""

    def get_token(self, *scopes: str, **_: Any) -> _AccessToken:
        token = local_token(audience_of(scopes[0]) if scopes else ARM_AUDIENCE)
        return _AccessToken(token, int(time.time()) + 3600)

    def close(self) -> None:
        """Nothing to release; present because SDK clients call it."""
