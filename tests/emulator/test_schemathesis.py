"""schemathesis drives the running emulator from Microsoft's vendored specs: no 5xx, declared statuses only,
conforming bodies and headers.

Bounded and reproducible: a fixed number of examples per operation, derandomized (fixed seed). Path
parameters that name the emulator's fixtures (subscription, resource group, deployment) are pinned so
requests reach real handlers; everything else is generated from the spec. The edits operation is left out
of generation: its file declares a JSON body that no client sends (emulator/specs/exceptions.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from emulator.specs import ROOT, documents
from emulator.specs.exceptions import EXCEPTIONS
from emulator.testing import RunningEmulator, running_emulator
from tests.emulator.arm.conftest import make_jwt
from tests.emulator.conftest import CONFIG, KEY

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 15
SUBSCRIPTION = "11111111-2222-3333-4444-555555555555"
RESOURCE_GROUP = "rg-fuzz"


@schemathesis.check
def content_type_of_a_body(ctx, response, case):  # type: ignore[no-untyped-def]
    """Swagger 2.0's global ``produces`` would demand a Content-Type even on empty 202/204 answers."""
    if not response.content:
        return None
    return content_type_conformance(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_of_a_body,
    response_headers_conformance,
    response_schema_conformance,
]
_NOT_GENERATED = {op for e in EXCEPTIONS if e.key == "edits-body-multipart" for op in e.operations}


def _file(surface: str) -> Path:
    doc = next(d for d in documents() if d.surface == surface)
    return Path(str(resources.files("emulator.specs").joinpath(ROOT, doc.path)))


ARM = schemathesis.openapi.from_path(_file("arm"))
DATED = schemathesis.openapi.from_path(_file("dated")).exclude(operation_id=sorted(_NOT_GENERATED))


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[RunningEmulator]:
    config = {**CONFIG, "arm": {"subscriptionId": SUBSCRIPTION, "resourceGroups": [RESOURCE_GROUP]}}
    with running_emulator(config) as emu:
        yield emu


@pytest.fixture(scope="module")
def session(fuzzed: RunningEmulator) -> Iterator[requests.Session]:
    with requests.Session() as http:
        http.verify = fuzzed.ca_file
        yield http


_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    # Generated examples only: the explicit/coverage phase would add hundreds of requests per operation.
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@ARM.parametrize()
@_SETTINGS
def test_arm_operations_conform(case, fuzzed: RunningEmulator, session: requests.Session) -> None:
    for name, value in (("subscriptionId", SUBSCRIPTION), ("resourceGroupName", RESOURCE_GROUP)):
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value
    case.query = {**(case.query or {}), "api-version": "2025-06-01"}
    case.call_and_validate(
        base_url=fuzzed.base_url.rstrip("/"),
        session=session,
        headers={"Authorization": f"Bearer {make_jwt()}"},
        checks=CHECKS,
        verify=fuzzed.ca_file,
        timeout=30,
    )


@DATED.parametrize()
@_SETTINGS
def test_dated_image_operations_conform(case, fuzzed: RunningEmulator, session: requests.Session) -> None:
    case.path_parameters["deployment-id"] = "gpt-image"
    case.query = {**(case.query or {}), "api-version": "2025-04-01-preview"}
    case.call_and_validate(
        base_url=fuzzed.endpoint("contoso") + "openai",
        session=session,
        headers={"api-key": KEY},
        checks=CHECKS,
        verify=fuzzed.ca_file,
        timeout=60,
    )
