"""Credentials for the data plane: Entra ID tokens (default) or an API key read from the environment.

azure-identity is imported only when an Entra credential is actually built, so ``smoke --help`` and
key-auth runs never load it. Tokens are cached and refreshed ahead of expiry; every secret this module
hands out is remembered in ``secrets()`` so reports and messages can be scrubbed of them.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from smoke.errors import AuthConfigError

DEFAULT_SCOPE = "https://cognitiveservices.azure.com/.default"
DEFAULT_KEY_ENV = "AZURE_OPENAI_API_KEY"
# Refresh this long before expiry so a token never expires mid-request (image calls take a minute).
_REFRESH_MARGIN_S = 300.0
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SHOWABLE_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,40}(_[A-Z0-9]+)*")


class Auth(Protocol):
    description: str

    def headers(self) -> dict[str, str]: ...

    def secrets(self) -> tuple[str, ...]: ...


class ApiKeyAuth:
    """``api-key`` header auth. The key is never part of repr or str."""

    def __init__(self, key: str, source: str) -> None:
        self._key = key
        self.description = f"API key from ${source}"

    def __repr__(self) -> str:
        return f"ApiKeyAuth({self.description!r})"

    def headers(self) -> dict[str, str]:
        return {"api-key": self._key}

    def secrets(self) -> tuple[str, ...]:
        return (self._key,)


class EntraAuth:
    """Bearer tokens from a ``TokenCredential`` (``get_token(scope)``), cached and refreshed."""

    def __init__(
        self,
        scope: str = DEFAULT_SCOPE,
        credential: Any | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.scope = scope
        self.description = f"Entra ID token for {scope}"
        self._credential = credential
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_on = 0.0
        self._seen: list[str] = []

    def __repr__(self) -> str:
        return f"EntraAuth(scope={self.scope!r})"

    def _get_credential(self) -> Any:
        if self._credential is None:
            self._credential = make_credential()
        return self._credential

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._expires_on - _REFRESH_MARGIN_S:
                try:
                    access = self._get_credential().get_token(self.scope)
                except AuthConfigError:
                    raise
                except Exception as exc:  # azure-identity raises several unrelated classes
                    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                    raise AuthConfigError(
                        f"No Entra ID token for {self.scope} ({first}); run `az login`, set the "
                        "AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET variables, or use --auth key."
                    ) from exc
                self._token = access.token
                self._expires_on = float(access.expires_on)
                self._seen.append(access.token)
            return self._token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    def secrets(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._seen)


def make_credential() -> Any:
    """``DefaultAzureCredential`` (env vars, workload identity, managed identity, Azure CLI, ...)."""
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError as exc:
        raise AuthConfigError("azure-identity is not installed; install it or use --auth key.") from exc
    return DefaultAzureCredential()


def key_from_env(
    var: str, environ: Mapping[str, str] | None = None, flag: str = "--api-key-env", what: str = "API key"
) -> str:
    """The key held in environment variable ``var``; the name is echoed only if it looks like one."""
    environ = os.environ if environ is None else environ
    if not _ENV_NAME.fullmatch(var):
        raise AuthConfigError(f"{flag} takes the NAME of an environment variable holding the key, not a key.")
    value = environ.get(var, "").strip()
    # A user who pasted an upper-case key as the name must not see it echoed back.
    shown = f"${var}" if _SHOWABLE_NAME.fullmatch(var) else f"named by {flag}"
    if not value:
        raise AuthConfigError(
            f"The {what} variable {shown} is not set or empty; export it or use Entra ID auth."
        )
    return value


def redact(text: str, secrets: tuple[str, ...] | list[str]) -> str:
    """Replace every secret in ``text``; used on anything derived from server or library messages."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
