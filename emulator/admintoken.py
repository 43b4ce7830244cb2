"""The admin token: who may use ``/_emulator/`` and ARM ``listKeys`` when reachable off loopback.

Bound to a loopback address (127.0.0.0/8, ::1, ``localhost``) only this machine can connect, so the admin
API stays open, as tests and local use need. Bound anywhere else (``0.0.0.0``, a LAN address, a host
name) every ``/_emulator/`` route but a bare health answer needs ``x-imagegate-admin-token: <token>``, and
so do ARM ``listKeys`` and ``regenerateKey``: ARM accepts any unsigned JWT, so without this anyone on the
network could mint one and read the account keys. The decision is made from the bind address, never
from the peer, so a proxy on the machine cannot open it up.

Which requests are guarded is read from the path the way the routers read it (``emulator.paths``): a key
action is whatever the ARM parser reads as ``.../accounts/{name}/listKeys`` or ``regenerateKey`` (so
``accounts/acct//listKeys`` and ``listKeys/`` too, and whatever the method), and an admin route is any
path whose first segment is ``_emulator`` in any case (so ``//_emulator/reset`` too).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import secrets
from pathlib import Path

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.arm.ids import ArmPathError, parse_arm_path
from emulator.errors import ConfigError
from emulator.paths import request_path, segments

HEADER = "x-imagegate-admin-token"
ENV_VAR = "IMAGEGATE_EMULATOR_ADMIN_TOKEN"
FILE_NAME = "admin-token"
# The ARM router's signatures (emulator.arm.ids.ArmPath.signature) of the actions that hand out keys.
KEY_ACTIONS = {
    "microsoft.cognitiveservices/accounts#listkeys": "listKeys",
    "microsoft.cognitiveservices/accounts#regeneratekey": "regenerateKey",
}


def is_loopback_bind(host: str) -> bool:
    """True when only this machine can reach ``host``; an unspecified or unknown address is not."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def is_admin_path(path: str) -> bool:
    """True for the admin API: a first segment ``_emulator`` (any case, any slashes around it)."""
    parts = segments(path)
    return bool(parts) and parts[0].lower() == "_emulator"


def is_bare_health(method: str, path: str) -> bool:
    """The one admin request answered without the token (with a bare ``ok``): GET /_emulator/health."""
    return method == "GET" and segments(path) == ("_emulator", "health")


def key_action(path: str) -> tuple[str, str] | None:
    """(action, account id) when the ARM router reads ``path`` as an account's listKeys or regenerateKey."""
    try:
        arm = parse_arm_path(path)
    except ArmPathError:
        return None
    action = KEY_ACTIONS.get(arm.signature)
    return (action, arm.id) if action is not None else None


def read_token_file(path: Path) -> str:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the admin token file {path}; give a readable text file.") from exc
    if len(token) < 16 or not token.isprintable() or " " in token:
        raise ConfigError(
            f"The admin token in {path} must be at least 16 printable characters with no spaces."
        )
    return token


def provide_token(folder: Path, given_file: Path | None) -> tuple[str, Path]:
    """The token to require and the file that holds it: the given file, $ENV_VAR, or a new one."""
    if given_file is not None:
        return read_token_file(given_file), given_file
    token = os.environ.get(ENV_VAR) or secrets.token_urlsafe(32)
    path = folder / FILE_NAME
    folder.mkdir(parents=True, exist_ok=True)
    # Created 0600 before the secret is written, so no other user can read it even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    os.chmod(path, 0o600)
    return token, path


class AdminTokenMiddleware:
    """Refuses admin routes and key actions that lack the token; lets everything else through."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._token = token.encode("utf-8")

    def _holds_token(self, scope: Scope) -> bool:
        # Starlette decodes header bytes as latin-1: encoding back gives the bytes as sent, which are
        # compared with the token's UTF-8 bytes (a token with non-ASCII characters, sent as UTF-8, matches).
        given = Headers(scope=scope).get(HEADER, "")
        return hmac.compare_digest(given.encode("latin-1"), self._token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = request_path(scope)
        if is_admin_path(path) and not self._holds_token(scope):
            if is_bare_health(scope["method"], path):
                await _send(send, 200, {"status": "ok"})  # liveness only: no accounts, no URLs
                return
            await _send(
                send,
                401,
                {
                    "error": {
                        "code": "AdminTokenRequired",
                        "message": f"The emulator is reachable from the network; send the admin token in "
                        f"the {HEADER} header (see the admin-token file named in the ready line).",
                    }
                },
            )
            return
        found = key_action(path)
        if found is not None and not self._holds_token(scope):
            action, scope_id = found
            await _send(
                send,
                403,
                {
                    "error": {
                        "code": "AuthorizationFailed",
                        "message": f"The client does not have authorization to perform action "
                        f"'Microsoft.CognitiveServices/accounts/{action}/action' over scope '{scope_id}' "
                        "or the scope is invalid. (The emulator is reachable from the network: send the "
                        f"admin token in the {HEADER} header to read keys.)",
                    }
                },
            )
            return
        await self.app(scope, receive, send)


async def _send(send: Send, status: int, body: dict[str, object]) -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
