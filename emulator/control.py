"""A client of a running emulator's admin API and ARM, for ``imagegate emulator env|fault|reset|release``.

No click here: errors are :class:`ControlError` with one sentence that says what to do; the command layer
(``emulator.commands``) prints them. The emulator is found by its ``--state-dir`` (``emulator.json``, see
``emulator.discovery``) or given as a URL and CA file. Keys fetched through ``listKeys`` are returned to
the caller and never put in an error message.
"""

from __future__ import annotations

import base64
import json
import os
import shlex
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from emulator.admintoken import ENV_VAR as ADMIN_TOKEN_ENV
from emulator.admintoken import HEADER as ADMIN_TOKEN_HEADER
from emulator.discovery import DEFAULT_SUBSCRIPTION, DISCOVERY_FILE

ARM_API_VERSION = "2025-06-01"
DATA_PLANE_API_VERSION = "2025-04-01-preview"
CS_ACCOUNTS = "providers/Microsoft.CognitiveServices/accounts"


class ControlError(Exception):
    """The emulator could not be found, reached, or refused what was asked; the message is for the user."""

    exit_code = 2


@dataclass(frozen=True)
class EmulatorAddress:
    url: str
    ca_file: Path | None
    trust_file: Path | None
    subscription_id: str = DEFAULT_SUBSCRIPTION
    rpm_per_capacity_unit: float | None = None
    admin_token_file: Path | None = None

    @property
    def verify(self) -> ssl.SSLContext | bool:
        return ssl.create_default_context(cafile=str(self.ca_file)) if self.ca_file else True


@dataclass(frozen=True)
class Account:
    subdomain: str
    endpoint: str
    key: str | None
    local_auth_disabled: bool
    source: str  # "arm" (created through ARM, keys from listKeys) or "config" (the emulator's config file)


def find_emulator(state_dir: Path) -> EmulatorAddress:
    """The running emulator that serves ``--state-dir state_dir``."""
    path = state_dir / DISCOVERY_FILE
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ControlError(
            f"No running emulator found in {state_dir} (no {DISCOVERY_FILE}); start one with "
            f"`imagegate emulator serve --state-dir {state_dir}`, or pass --url and --ca-bundle."
        ) from None
    except (OSError, ValueError) as exc:
        raise ControlError(f"Cannot read {path} ({exc}); restart the emulator to rewrite it.") from None
    if not isinstance(info, dict) or not isinstance(info.get("url"), str):
        raise ControlError(f"{path} does not name an emulator URL; restart the emulator to rewrite it.")
    ca, trust = info.get("ca"), info.get("trust")
    return EmulatorAddress(
        url=info["url"],
        ca_file=Path(ca) if isinstance(ca, str) else None,
        trust_file=Path(trust) if isinstance(trust, str) else None,
        subscription_id=str(info.get("subscriptionId") or DEFAULT_SUBSCRIPTION),
        rpm_per_capacity_unit=_positive(info.get("rpmPerCapacityUnit")),
        admin_token_file=Path(token) if isinstance(token := info.get("adminTokenFile"), str) else None,
    )


def _positive(value: object) -> float | None:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if number and value > 0 else None  # type: ignore[arg-type, operator]


def given_emulator(url: str, ca_file: Path | None, subscription_id: str | None = None) -> EmulatorAddress:
    if not url.startswith(("http://", "https://")):
        raise ControlError(f"--url {url!r} is not an http(s) URL; use the emulator's ready line URL.")
    if ca_file is not None and not ca_file.is_file():
        raise ControlError(f"--ca-bundle {ca_file} is not a file; use the CA path from the ready line.")
    return EmulatorAddress(url.rstrip("/") + "/", ca_file, ca_file, subscription_id or DEFAULT_SUBSCRIPTION)


def local_arm_token(lifetime_s: int = 3600) -> str:
    """An unsigned JWT for the emulator's ARM (it checks the shape, audience and expiry, not signatures)."""
    now = int(time.time())
    claims = {"aud": "https://management.azure.com/", "iss": "https://imagegate.local/emulator-control",
              "oid": "00000000-0000-0000-0000-00000000e002", "iat": now, "nbf": now, "exp": now + lifetime_s}

    def segment(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(claims)}.local"


class Control:
    def __init__(self, address: EmulatorAddress, timeout_s: float = 10.0) -> None:
        self.address = address
        self._token = _admin_token(address.admin_token_file)
        self._http = httpx.Client(base_url=address.url, verify=address.verify, timeout=timeout_s,
                                  trust_env=False)

    def __enter__(self) -> Control:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def _call(self, method: str, path: str, body: Any = None, *, arm: bool = False) -> httpx.Response:
        headers = {"authorization": f"Bearer {local_arm_token()}"} if arm else {}
        if self._token:
            headers[ADMIN_TOKEN_HEADER] = self._token
        try:
            response = self._http.request(method, path, json=body, headers=headers)
        except httpx.ConnectError as exc:
            if "CERTIFICATE_VERIFY_FAILED" in str(exc):
                raise ControlError(
                    f"The emulator at {self.address.url} has a certificate this command does not trust; "
                    "pass --ca-bundle with the CA from its ready line."
                ) from None
            raise ControlError(
                f"Cannot reach the emulator at {self.address.url}; is it running "
                "(`imagegate emulator serve --state-dir .emulator`)?"
            ) from None
        except httpx.HTTPError as exc:
            raise ControlError(f"The emulator at {self.address.url} did not answer ({exc}).") from None
        if response.status_code >= 400:
            raise ControlError(_refusal(response))
        return response

    def health(self) -> dict[str, Any]:
        return dict(self._call("GET", "_emulator/health").json())

    def reset(self) -> None:
        self._call("POST", "_emulator/reset")

    def set_fault(self, subdomain: str, deployment: str, spec: Mapping[str, Any]) -> dict[str, Any]:
        return dict(self._call("PUT", f"_emulator/faults/{subdomain}/{deployment}", dict(spec)).json())

    def clear_faults(self, subdomain: str | None = None, deployment: str | None = None) -> None:
        path = "_emulator/faults" if subdomain is None else f"_emulator/faults/{subdomain}/{deployment}"
        self._call("DELETE", path)

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "_emulator/faults").json()["faults"])

    def set_conflicts(self, account: str, count: int) -> dict[str, Any]:
        body = {"account": account, "requestConflicts": count}
        return dict(self._call("PUT", "_emulator/arm/faults", body).json())

    def clear_conflicts(self) -> None:
        self._call("DELETE", "_emulator/arm/faults")

    def release(self, model: str, version: str, retirement_date: str | None = None,
                default: bool = False) -> dict[str, Any]:
        body = {"model": model, "version": version, "retirementDate": retirement_date, "default": default}
        return dict(self._call("POST", "_emulator/arm/releases", body).json()["release"])

    def releases(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "_emulator/arm/releases").json()["releases"])

    def accounts(self) -> list[Account]:
        """Every account the emulator serves: those made through ARM (with a listKeys key where the account
        allows keys) and those from its config file (their keys are in that file, not asked for)."""
        query = f"?api-version={ARM_API_VERSION}"
        base = f"subscriptions/{self.address.subscription_id}/{CS_ACCOUNTS}"
        found: list[Account] = []
        for item in self._call("GET", base + query, arm=True).json().get("value", []):
            props = item.get("properties", {})
            subdomain = str(props.get("customSubDomainName") or item.get("name"))
            disabled = props.get("disableLocalAuth") is True
            key = None
            if not disabled:
                account_id = str(item["id"]).lstrip("/")
                key = self._call("POST", f"{account_id}/listKeys{query}", arm=True).json().get("key1")
            endpoint = str(props.get("endpoint") or f"{self.address.url}accounts/{subdomain}/")
            found.append(Account(subdomain, endpoint, key, disabled, "arm"))
        known = {a.subdomain for a in found}
        for subdomain in self.health().get("accounts", []):
            if subdomain not in known:
                endpoint = f"{self.address.url}accounts/{subdomain}/"
                found.append(Account(subdomain, endpoint, None, False, "config"))
        return found


def _admin_token(path: Path | None) -> str | None:
    """The admin token of an emulator bound off loopback: its file, else $IMAGEGATE_EMULATOR_ADMIN_TOKEN."""
    if path is not None:
        try:
            return path.read_text(encoding="utf-8").strip() or None
        except OSError:
            raise ControlError(f"Cannot read the admin token file {path}; check its permissions.") from None
    return os.environ.get(ADMIN_TOKEN_ENV) or None


def _refusal(response: httpx.Response) -> str:
    try:
        error = response.json().get("error", {})
        message = error.get("message") if isinstance(error, dict) else None
    except ValueError:
        message = None
    return f"The emulator refused the request ({response.status_code}): {message or response.text[:200]}"


# Variables `env` sets. Each one is read by a command of ours or an SDK: see docs/emulator.md and docs/cli.md.
FIXED_VARS = (
    "IMAGEGATE_ARM_ENDPOINT", "IMAGEGATE_CA_BUNDLE", "AZURE_SUBSCRIPTION_ID",
    "IMAGEGATE_ROLLOUT_DRIVER", "IMAGEGATE_AUTH", "IMAGEGATE_RPM_PER_CAPACITY_UNIT",
    "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE",
    "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION",
)
# The old spellings an earlier `env` set (docs/cli.md); `env --unset` clears them too.
OLD_VARS = ("IMAGEGATE_SUBSCRIPTION_ID", "SMOKE_AUTH", "SMOKE_CA_BUNDLE", "SMOKE_RPM_PER_CAPACITY_UNIT")
PER_ACCOUNT_PREFIXES = ("IMAGEGATE_ENDPOINT_", "IMAGEGATE_API_KEY_")


def account_var(prefix: str, subdomain: str) -> str:
    return prefix + "".join(c if c.isalnum() else "_" for c in subdomain.upper())


def env_lines(address: EmulatorAddress, accounts: list[Account], account: str | None = None) -> list[str]:
    """The ``export`` lines (pure): every command of ours and the official SDKs then reach the emulator."""
    values: dict[str, str] = {
        "IMAGEGATE_ARM_ENDPOINT": address.url,
        "AZURE_SUBSCRIPTION_ID": address.subscription_id,
        "IMAGEGATE_ROLLOUT_DRIVER": "local",
        "IMAGEGATE_AUTH": "emulator",
        "OPENAI_API_VERSION": DATA_PLANE_API_VERSION,
    }
    if address.rpm_per_capacity_unit is not None:
        # Smoke paces itself to capacity x this; the emulator's own value, not the catalog's, applies here.
        values["IMAGEGATE_RPM_PER_CAPACITY_UNIT"] = f"{address.rpm_per_capacity_unit:g}"
    if address.ca_file is not None:
        trust = str((address.trust_file or address.ca_file).resolve())
        values |= {
            "IMAGEGATE_CA_BUNDLE": str(address.ca_file.resolve()),
            "SSL_CERT_FILE": trust,
            "REQUESTS_CA_BUNDLE": trust,
        }
    chosen = _choose(accounts, account)
    if chosen is not None:
        values["AZURE_OPENAI_ENDPOINT"] = chosen.endpoint
        if chosen.key:
            values["AZURE_OPENAI_API_KEY"] = chosen.key
    for a in accounts:
        values[account_var("IMAGEGATE_ENDPOINT_", a.subdomain)] = a.endpoint
        if a.key:
            values[account_var("IMAGEGATE_API_KEY_", a.subdomain)] = a.key
    return [f"export {name}={shlex.quote(value)}" for name, value in values.items()]


def unset_lines(environ: Mapping[str, str]) -> list[str]:
    names = [*FIXED_VARS, *OLD_VARS, *sorted(n for n in environ if n.startswith(PER_ACCOUNT_PREFIXES))]
    return [f"unset {' '.join(names)}"]


def _choose(accounts: list[Account], account: str | None) -> Account | None:
    if account is not None:
        for a in accounts:
            if a.subdomain == account:
                return a
        names = ", ".join(a.subdomain for a in accounts) or "(none yet)"
        raise ControlError(f"The emulator has no account '{account}'; it has: {names}.")
    # Prefer an account made through ARM (what `imagegate local up` created) that allows keys.
    ranked = sorted(accounts, key=lambda a: (a.source != "arm", a.key is None))
    return ranked[0] if ranked else None
