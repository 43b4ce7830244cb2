"""A real emulator with one account holding a stable and a candidate deployment, created over ARM with
azure-mgmt-cognitiveservices; its metrics read with azure-mgmt-monitor, as a rollout reads Azure's."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import openai
import pytest
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient
from azure.mgmt.monitor import MonitorManagementClient
from openai import AzureOpenAI

from emulator.testing import RunningEmulator, running_emulator
from tests.emulator.arm.conftest import (
    NEXT_VERSION,
    QUICK_CONFIG,
    RG,
    create_account,
    create_deployment,
    make_jwt,
    sdk_client,
)

DATA_API = "2025-04-01-preview"
ACCOUNT = "acct-metrics"
SPLIT = "ModelDeploymentName eq '*' and StatusCode eq '*'"


@dataclass(frozen=True)
class Served:
    """The account the tests call, and the client applications would use."""

    id: str
    endpoint: str
    key: str

    def client(self, emu: RunningEmulator) -> AzureOpenAI:
        return AzureOpenAI(
            azure_endpoint=self.endpoint,
            api_key=self.key,
            api_version=DATA_API,
            max_retries=0,
            http_client=httpx.Client(verify=emu.verify, timeout=30),
        )


def window() -> tuple[datetime, datetime]:
    """A timespan that holds every request a test sends (the minute cells are whole minutes)."""
    now = datetime.now(UTC)
    return now - timedelta(minutes=10), now + timedelta(minutes=2)


def timespan() -> str:
    start, end = window()
    return f"{start.isoformat()}/{end.isoformat()}"


def send(served: Served, emu, deployment: str, times: int) -> Counter[int]:
    """``times`` generate calls on one deployment; the status of each answer."""
    statuses: Counter[int] = Counter()
    with served.client(emu) as client:
        for _ in range(times):
            try:
                client.images.generate(
                    model=deployment, prompt="a lighthouse", size="1024x1024", quality="low"
                )
                statuses[200] += 1
            except openai.APIStatusError as exc:
                statuses[exc.status_code] += 1
    return statuses


@pytest.fixture(scope="session")
def metrics_session() -> Iterator[RunningEmulator]:
    with running_emulator(QUICK_CONFIG) as emu:
        yield emu


@pytest.fixture
def emu(metrics_session: RunningEmulator) -> Iterator[RunningEmulator]:
    metrics_session.reset()
    yield metrics_session
    metrics_session.reset()


@pytest.fixture
def mgmt(emu: RunningEmulator) -> Iterator[CognitiveServicesManagementClient]:
    with sdk_client(CognitiveServicesManagementClient, emu) as client:
        yield client


@pytest.fixture
def monitor(emu: RunningEmulator) -> Iterator[MonitorManagementClient]:
    with sdk_client(MonitorManagementClient, emu) as client:
        yield client


@pytest.fixture
def http(emu: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=emu.base_url,
        verify=emu.verify,
        timeout=10,
        headers={"Authorization": f"Bearer {make_jwt()}"},
    ) as client:
        yield client


@pytest.fixture
def served(mgmt: CognitiveServicesManagementClient) -> Served:
    account = create_account(mgmt, ACCOUNT, "metrics-img")
    create_deployment(mgmt, ACCOUNT, "stable", capacity=4)
    create_deployment(mgmt, ACCOUNT, "candidate", capacity=4, version=NEXT_VERSION)
    key = mgmt.accounts.list_keys(RG, ACCOUNT).key1
    return Served(account.id, account.properties.endpoints["OpenAI Language Model Instance API"], key)
