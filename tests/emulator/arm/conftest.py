"""One real emulator (``python -m emulator`` over HTTPS) for the ARM tests, reset after every test.

Clients are the official ``azure-mgmt-cognitiveservices`` SDK with a credential that hands out unsigned
JWTs, pointed at the emulator with ``base_url`` and trusting its CA: exactly how preflight and the local
engine reach it.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any, NamedTuple

import httpx
import pytest
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient

from emulator.testing import RunningEmulator, running_emulator

SUBSCRIPTION = "11111111-2222-3333-4444-555555555555"
RG = "rg-arm-tests"
LOCATION = "eastus2"
API_VERSION = "2025-06-01"
NEXT_VERSION = "2026-03-01"
CONFIG: dict[str, Any] = {
    "accounts": [],
    "arm": {
        "subscriptionId": SUBSCRIPTION,
        "lroDelaySeconds": 0.1,
        "resourceGroups": [RG],
        "quota": {"westus3": {"OpenAI.GlobalStandard.gpt-image-2": 40}},
        # A second gpt-image-1.5 version, so version changes can be tested.
        "availability": [
            {
                "region": LOCATION,
                "model": "gpt-image-1.5",
                "sku": "GlobalStandard",
                "version": NEXT_VERSION,
                "available": True,
            }
        ],
    },
}


def make_jwt(aud: str = "https://management.azure.com/", exp_in: float = 3600) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    claims = {
        "aud": aud,
        "exp": int(time.time() + exp_in),
        "oid": "arm-test",
        "iss": "https://sts.windows.net/t/",
    }
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


class _Token(NamedTuple):
    token: str
    expires_on: int


class UnsignedCredential:
    """An azure-core TokenCredential handing out unsigned JWTs for the ARM audience."""

    def __init__(self) -> None:
        self.calls = 0

    def get_token(self, *scopes: str, **_: Any) -> _Token:
        self.calls += 1
        return _Token(make_jwt(), int(time.time()) + 3600)


def sdk_client(client_class: Any, emu: RunningEmulator) -> Any:
    """An azure-mgmt client of ``client_class`` aimed at ``emu``'s ARM with an unsigned token (a context
    manager, as the SDK clients are)."""
    return client_class(
        UnsignedCredential(), SUBSCRIPTION, base_url=emu.base_url, connection_verify=emu.ca_file
    )


# The gateway's and the metrics' sessions: quick long-running operations and room for load in the quota.
QUICK_CONFIG: dict[str, Any] = {
    **CONFIG, "rpmPerCapacityUnit": 100, "arm": {**CONFIG["arm"], "lroDelaySeconds": 0.05}
}


@pytest.fixture(scope="session")
def arm_session() -> Iterator[RunningEmulator]:
    with running_emulator(CONFIG) as emu:
        yield emu


@pytest.fixture
def arm_emu(arm_session: RunningEmulator) -> Iterator[RunningEmulator]:
    arm_session.reset()
    yield arm_session
    arm_session.reset()


@pytest.fixture
def mgmt(arm_emu: RunningEmulator) -> Iterator[CognitiveServicesManagementClient]:
    with sdk_client(CognitiveServicesManagementClient, arm_emu) as client:
        yield client


@pytest.fixture
def http(arm_emu: RunningEmulator) -> Iterator[httpx.Client]:
    """Raw ARM-shaped HTTP with a bearer token, for headers and the generic resource types."""
    with httpx.Client(
        base_url=arm_emu.base_url,
        verify=arm_emu.verify,
        timeout=10,
        headers={"Authorization": f"Bearer {make_jwt()}"},
    ) as client:
        yield client


def account_body(subdomain: str, **properties: Any) -> dict[str, Any]:
    return {
        "location": LOCATION,
        "kind": "AIServices",
        "sku": {"name": "S0"},
        "identity": {"type": "SystemAssigned"},
        "properties": {"customSubDomainName": subdomain, "publicNetworkAccess": "Enabled", **properties},
    }


def deployment_body(
    model: str = "gpt-image-1.5",
    version: str = "2025-12-16",
    capacity: int = 2,
    sku: str = "GlobalStandard",
    **properties: Any,
) -> dict[str, Any]:
    return {
        "sku": {"name": sku, "capacity": capacity},
        "properties": {"model": {"format": "OpenAI", "name": model, "version": version}, **properties},
    }


def create_account(
    mgmt: CognitiveServicesManagementClient, name: str, subdomain: str | None = None, **properties: Any
) -> Any:
    return mgmt.accounts.begin_create(RG, name, account_body(subdomain or name, **properties)).result()


def create_deployment(mgmt: CognitiveServicesManagementClient, account: str, name: str, **kwargs: Any) -> Any:
    return mgmt.deployments.begin_create_or_update(RG, account, name, deployment_body(**kwargs)).result()
