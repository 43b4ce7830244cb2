"""What the gateway program declares, as ARM receives it, held to Microsoft's specs: every PUT body of the
three-region pool stack is judged by its vendored spec, except the API Management types the spec
exceptions list as not vendored yet (``apimanagement-unvendored``), and no other."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.specs.exceptions import EXCEPTIONS, applies
from emulator.specs.judge import default_judge
from emulator.testing import RunningEmulator, running_emulator
from engine import ArmClient, Identity, run_up
from infra.config import load_stack_config, read_stack_file
from tests.engine.test_program_bodies import RecordingTransport, Sent

ROOT = Path(__file__).resolve().parents[2]
SUB = "00000000-0000-0000-0000-000000000000"
# The collection a path ends in, as the operationId's prefix names it.
APIM_OPERATIONS = {
    "service": "ApiManagementService_CreateOrUpdate",
    "apis": "Api_CreateOrUpdate",
    "operations": "ApiOperation_CreateOrUpdate",
    "policies": "ApiPolicy_CreateOrUpdate",
    "subscriptions": "Subscription_CreateOrUpdate",
    "loggers": "Logger_CreateOrUpdate",
    "diagnostics": "Diagnostic_CreateOrUpdate",
}


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator({"arm": {"lroDelaySeconds": 0.02}}) as running:
        yield running


def test_every_gateway_stack_body_is_judged_or_listed_as_not_vendored(emu: RunningEmulator) -> None:
    sent: list[Sent] = []
    transport = RecordingTransport(sent, verify=ssl.create_default_context(cafile=emu.ca_file))
    config = load_stack_config(read_stack_file(ROOT / "examples" / "stacks" / "Pulumi.pool.yaml"), "pool")
    with ArmClient(emu.base_url, transport=transport) as arm:
        run_up(config, arm, identity=Identity(SUB))

    judge = default_judge()
    writes = [s for s in sent if s.method in ("PUT", "PATCH")]
    verdicts = [(s, *judge.judge_request(s.method, s.path, s.query, s.body)) for s in writes]
    refused = [(s.path, [p.message for p in problems]) for s, _, problems in verdicts if problems]
    unjudged = [s.path for s, op, _ in verdicts if op is None]
    judged_backends = [s.path for s, op, _ in verdicts if op is not None and "/backends/" in s.path]
    # The gateway's logs and metrics: a diagnostic setting on the service, judged by Monitor's spec.
    judged_settings = [
        s.path
        for s, op, _ in verdicts
        if op is not None
        and s.path.endswith(
            "/service/imagegate-pool-gw/providers/Microsoft.Insights/"
            "diagnosticSettings/imagegate-pool-gw-diagnostics"
        )
    ]

    assert refused == []
    # Four backends (three members and the pool), each judged by apimbackends.json.
    assert len(judged_backends) == 4
    assert len(judged_settings) == 1
    unjudged_operations = {_apim_operation(p) for p in unjudged}
    assert all(applies("apimanagement-unvendored", op) for op in unjudged_operations), unjudged
    (listed,) = [e for e in EXCEPTIONS if e.key == "apimanagement-unvendored"]
    assert unjudged_operations == set(listed.operations)
    # Three accounts with their deployments, filters, alerts and diagnostics: all judged.
    accounts = [
        s
        for s, op, _ in verdicts
        if op is not None
        and s.path.endswith(
            ("/accounts/imagegate-pool-eus2", "/accounts/imagegate-pool-wus3", "/accounts/imagegate-pool-swc")
        )
    ]
    assert len(accounts) == 3


def _apim_operation(path: str) -> str:
    assert "/providers/Microsoft.ApiManagement/service/" in path, f"{path} is not judged"
    collection = path.rstrip("/").split("/")[-2]
    return APIM_OPERATIONS.get(collection, f"unknown collection {collection}")
