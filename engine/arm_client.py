"""A small ARM client over httpx: GET, PUT, DELETE and POST actions, with ARM's long-running operations.

LROs are followed the way azure-mgmt's pollers do: ``Azure-AsyncOperation`` (poll until ``status`` is
terminal, then GET the resource), else ``Location`` (poll until it stops answering 202), else the resource's
own ``provisioningState``. 409 ``RequestConflict`` (another operation on the parent) is retried with a
bounded backoff (two writes to one account at once conflict: terraform-provider-azurerm#22607).
The transport is injectable so tests can use an ASGI app.

Every wait (a 409 backoff, an operation being polled) ends at once on Ctrl-C/SIGTERM
(``lifecycle.interrupts.sleep``) and, past 2 s, is shown through the ``waits`` listener.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from engine.errors import ArmError, EngineError, EngineUsageError
from lifecycle import interrupts
from lifecycle.waits import SILENT, WaitListener
from smoke import local_token

TERMINAL = {"succeeded", "failed", "canceled", "cancelled", "deleted"}
CONFLICT_CODES = {"RequestConflict", "Conflict", "AnotherOperationInProgress"}
MAX_CONFLICT_WAIT_S = 5.0


def conflict_wait(attempt: int, first_s: float) -> float:
    """Seconds to wait before retry ``attempt + 1`` of a 409: doubling from ``first_s``, at most 5 s."""
    return min(first_s * 2**attempt, MAX_CONFLICT_WAIT_S)


class ArmClient:
    """ARM over HTTPS with a bearer token; every method returns parsed JSON or raises :class:`ArmError`."""

    def __init__(
        self,
        base_url: str,
        *,
        verify: str | bool = True,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
        poll_timeout_s: float = 600.0,
        conflict_retries: int = 5,
        conflict_wait_s: float = 0.2,
        sleep: Callable[[float], None] = interrupts.sleep,
        waits: WaitListener = SILENT,
    ) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise EngineUsageError(
                f"--arm-endpoint {base_url} is not a URL; use the url= from the emulator's ready line, "
                "e.g. https://127.0.0.1:8443/."
            )
        self._token = token or local_token()
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            verify=_trust(verify),
            transport=transport,
            timeout=httpx.Timeout(60.0, connect=10.0),
            headers={"Authorization": f"Bearer {self._token}", "User-Agent": "imagegate-local-engine"},
        )
        self._poll_timeout_s = poll_timeout_s
        self._conflict_retries = conflict_retries
        self._conflict_wait_s = conflict_wait_s
        self._sleep = sleep
        self._waits = waits

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ArmClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get(self, path: str, api_version: str) -> dict[str, Any] | None:
        """The resource, or None when ARM answers 404."""
        response = self._send("GET", path, api_version)
        if response.status_code == 404:
            return None
        return self._json(response)

    def put(self, path: str, api_version: str, body: Mapping[str, Any]) -> dict[str, Any]:
        response = self._send("PUT", path, api_version, json=dict(body))
        self._raise_for_error(response)
        return self._follow(response, path, api_version)

    def delete(self, path: str, api_version: str) -> bool:
        """Delete and wait; False when the resource was already gone."""
        response = self._send("DELETE", path, api_version)
        # ARM answers 204 No Content when there was nothing to delete.
        if response.status_code in (204, 404):
            return False
        self._raise_for_error(response)
        self._wait(response, path, api_version, deleting=True)
        return True

    def post(self, path: str, api_version: str, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        response = self._send("POST", path, api_version, json=dict(body or {}))
        return self._json(response)

    def list(self, path: str, api_version: str) -> list[dict[str, Any]]:
        """Every item of a collection, following ``nextLink``."""
        items: list[dict[str, Any]] = []
        page = self._json(self._send("GET", path, api_version))
        for _ in range(1000):
            items.extend(page.get("value", []))
            next_link = page.get("nextLink")
            if not next_link:
                return items
            page = self._json(self._request("GET", next_link))
        raise EngineError(f"ARM kept answering nextLink for {path}; the listing never ended.")

    def _send(self, method: str, path: str, api_version: str, **kwargs: Any) -> httpx.Response:
        params = {"api-version": api_version}
        response = self._request(method, path, params=params, **kwargs)
        if not self._conflicted(response):
            return response
        delays = [conflict_wait(attempt, self._conflict_wait_s) for attempt in range(self._conflict_retries)]
        why = f"409 RequestConflict: another operation on the account is running ({len(delays)} retries)"
        with self._waits.waiting(_name_of(path), why, sum(delays)):
            for delay in delays:
                self._sleep(delay)
                response = self._request(method, path, params=params, **kwargs)
                if not self._conflicted(response):
                    break
        return response

    @staticmethod
    def _conflicted(response: httpx.Response) -> bool:
        return response.status_code == 409 and _error_of(response)[0] in CONFLICT_CODES

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        interrupts.check()  # a safe point: between two whole ARM calls
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx.ConnectError as exc:
            if _caused_by(exc, ssl.SSLCertVerificationError):
                raise EngineError(
                    f"ARM at {self._client.base_url} presented a certificate this machine does not trust; "
                    "pass --ca-bundle with the ca= file from the emulator's ready line."
                ) from exc
            raise EngineError(
                f"Cannot reach ARM at {self._client.base_url} ({type(exc).__name__}); "
                "is the emulator running?"
            ) from exc
        except httpx.HTTPError as exc:
            raise EngineError(
                f"Cannot reach ARM at {self._client.base_url} ({type(exc).__name__}); "
                "is the emulator running?"
            ) from exc
        if response.status_code == 404 and not _arm_shaped(response):
            raise EngineUsageError(
                f"{self._client.base_url} answered 404 without an ARM error for {url}: --arm-endpoint must "
                "be the emulator's base URL (the url= of its ready line, e.g. https://127.0.0.1:8443/), "
                "not an account's data-plane endpoint (.../accounts/NAME/)."
            )
        return response

    def _follow(self, response: httpx.Response, path: str, api_version: str) -> dict[str, Any]:
        body = self._wait(response, path, api_version, deleting=False)
        if body is not None and not _in_progress(body):
            return body
        final = self.get(path, api_version)
        if final is None:
            raise EngineError(f"ARM reported {path} created but then answered 404 for it.")
        return final

    def _wait(
        self, response: httpx.Response, path: str, api_version: str, *, deleting: bool
    ) -> dict[str, Any] | None:
        """Poll a long-running operation to its end; returns the last resource body seen, if any."""
        doing = "deleting it" if deleting else "creating or updating it"
        why = f"ARM is {doing} (a long-running operation)"
        with self._waits.waiting(_name_of(path), why, self._poll_timeout_s):
            return self._poll(response, path, api_version, deleting=deleting)

    def _poll(
        self, response: httpx.Response, path: str, api_version: str, *, deleting: bool
    ) -> dict[str, Any] | None:
        deadline = time.monotonic() + self._poll_timeout_s
        async_url = response.headers.get("Azure-AsyncOperation")
        location = response.headers.get("Location")
        body = response.json() if response.content else None
        while True:
            if async_url:
                status = self._json(self._request("GET", async_url))
                state = str(status.get("status", "")).lower()
                if state in ("succeeded", "deleted"):
                    return None
                if state in TERMINAL:
                    code, message = _error_body(status.get("error"), state)
                    raise ArmError(response.status_code, code, message)
            elif location and response.status_code == 202:
                polled = self._request("GET", location)
                if polled.status_code != 202:
                    self._raise_for_error(polled)
                    return polled.json() if polled.content else None
            elif not deleting and isinstance(body, dict) and _in_progress(body):
                current = self.get(path, api_version)
                if current is None:
                    raise EngineError(f"{path} disappeared while ARM was creating it.")
                if not _in_progress(current):
                    if _state(current) == "failed":
                        raise ArmError(400, "ProvisioningFailed", f"{path} ended in state Failed.")
                    return current
            else:
                return body
            if time.monotonic() > deadline:
                limit = f"{self._poll_timeout_s:.0f} s"
                raise EngineError(f"ARM did not finish the operation on {path} within {limit}.")
            self._sleep(_retry_after(response))

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        self._raise_for_error(response)
        if not response.content:
            return {}
        data = response.json()
        return data if isinstance(data, dict) else {"value": data}

    @staticmethod
    def _raise_for_error(response: httpx.Response) -> None:
        if response.status_code < 400:
            return
        code, message = _error_of(response)
        raise ArmError(response.status_code, code, message)


def _name_of(path: str) -> str:
    """``.../accounts/a/deployments/d`` -> ``deployments/d``: what a person recognises in a wait line."""
    parts = [p for p in path.split("?")[0].split("/") if p]
    return "/".join(parts[-2:]) if len(parts) >= 2 else path


def _arm_shaped(response: httpx.Response) -> bool:
    """ARM's 404s name what is missing (``ResourceNotFound``, ``ResourceGroupNotFound``...); a bare or
    numeric code means the URL did not reach ARM at all."""
    code, _ = _error_of(response)
    return bool(code) and not code.isdigit()


def _error_of(response: httpx.Response) -> tuple[str, str]:
    try:
        data = response.json()
    except ValueError:
        return str(response.status_code), response.text.strip()[:300] or response.reason_phrase
    return _error_body(data.get("error") if isinstance(data, dict) else None, str(response.status_code))


def _error_body(error: Any, fallback: str) -> tuple[str, str]:
    if isinstance(error, dict):
        return str(error.get("code") or fallback), str(error.get("message") or "").strip()
    return fallback, "the operation did not succeed"


def _state(body: Mapping[str, Any]) -> str:
    properties = body.get("properties")
    state = properties.get("provisioningState") if isinstance(properties, Mapping) else None
    return str(state or body.get("provisioningState") or "").lower()


def _in_progress(body: Mapping[str, Any]) -> bool:
    state = _state(body)
    return bool(state) and state not in TERMINAL


def _retry_after(response: httpx.Response) -> float:
    """The wait ARM asks for, read as azure-core's pollers read it: ``retry-after-ms``, then
    ``x-ms-retry-after-ms``, then ``Retry-After`` (seconds); 0.1 s when none is given or readable."""
    wait = 0.1
    for header, scale in (("retry-after-ms", 0.001), ("x-ms-retry-after-ms", 0.001), ("Retry-After", 1.0)):
        raw = response.headers.get(header)
        if raw is None:
            continue
        try:
            wait = float(raw) * scale
        except ValueError:
            continue
        break
    # The emulator finishes in a fraction of a second; a polite cap keeps `up` fast against it.
    return max(0.01, min(wait, 2.0))


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    for _ in range(10):  # httpx wraps httpcore, which wraps the ssl error
        if seen is None:
            return False
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _trust(verify: str | bool) -> ssl.SSLContext | bool:
    """``verify`` as httpx wants it; a CA file path becomes a context, or a usage error if it holds no CA."""
    if not isinstance(verify, str):
        return verify
    try:
        return ssl.create_default_context(cafile=verify)
    except (ssl.SSLError, OSError) as exc:
        raise EngineUsageError(
            f"--ca-bundle {verify} holds no CA certificate ({exc.__class__.__name__}); "
            "pass the ca= file from the emulator's ready line."
        ) from exc
