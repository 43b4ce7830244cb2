"""Deployments through the official SDK: create/update/delete, and each of Azure's failure modes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient

from emulator.testing import RunningEmulator, running_emulator
from tests.emulator.arm.conftest import (
    CONFIG,
    NEXT_VERSION,
    RG,
    SUBSCRIPTION,
    UnsignedCredential,
    create_account,
    create_deployment,
    deployment_body,
)


@pytest.fixture
def account(mgmt) -> str:
    create_account(mgmt, "acct-dep", "dep-img")
    return "acct-dep"


def error_code(call) -> tuple[int, str, str]:
    with pytest.raises(HttpResponseError) as info:
        call()
    return info.value.status_code, info.value.error.code, info.value.error.message


def test_create_get_list_update_delete(mgmt, account):
    created = create_deployment(mgmt, account, "gpt-image", capacity=3)
    assert created.properties.provisioning_state == "Succeeded"
    assert created.properties.model.name == "gpt-image-1.5"
    assert created.sku.capacity == 3
    assert created.properties.rate_limits[0].count == 9  # capacity 3 x rpmPerCapacityUnit 3 (Learn)

    assert mgmt.deployments.get(RG, account, "gpt-image").sku.capacity == 3
    assert [d.name for d in mgmt.deployments.list(RG, account)] == ["gpt-image"]

    scaled = create_deployment(mgmt, account, "gpt-image", capacity=5)
    assert scaled.sku.capacity == 5

    patched = mgmt.deployments.begin_update(
        RG, account, "gpt-image", {"sku": {"name": "GlobalStandard", "capacity": 4}}
    ).result()
    assert patched.sku.capacity == 4

    mgmt.deployments.begin_delete(RG, account, "gpt-image").result()
    assert list(mgmt.deployments.list(RG, account)) == []


def test_version_defaults_to_the_catalog_default(mgmt, account):
    body = deployment_body()
    del body["properties"]["model"]["version"]
    created = mgmt.deployments.begin_create_or_update(RG, account, "gpt-image", body).result()
    assert created.properties.model.version == "2025-12-16"


@pytest.fixture(scope="module")
def slow_operations() -> Iterator[RunningEmulator]:
    """Operations that run 0.9 s: the next write arrives while one runs, even on a loaded machine (the
    shared emulator's 0.1 s could pass between two calls)."""
    with running_emulator({**CONFIG, "arm": {**CONFIG["arm"], "lroDelaySeconds": 0.9}}) as emu:
        yield emu


def test_second_operation_while_one_runs_is_request_conflict(slow_operations: RunningEmulator) -> None:
    emu = slow_operations
    client = CognitiveServicesManagementClient(
        UnsignedCredential(), SUBSCRIPTION, base_url=emu.base_url, connection_verify=emu.ca_file
    )
    with client as mgmt:
        create_account(mgmt, "acct-dep", "dep-img")
        poller = mgmt.deployments.begin_create_or_update(RG, "acct-dep", "first", deployment_body(capacity=1))
        second = deployment_body(capacity=1)
        status, code, message = error_code(
            lambda: mgmt.deployments.begin_create_or_update(RG, "acct-dep", "second", second)
        )
        assert not poller.done()  # the conflict was with a running operation
        assert (status, code) == (409, "RequestConflict")
        assert "Another operation is being performed on the parent resource" in message
        poller.result()
        create_deployment(mgmt, "acct-dep", "second", capacity=1)  # fine once the first finished


def test_injected_request_conflicts_answer_the_next_n_deployment_writes(mgmt, account, arm_emu):
    answer = arm_emu.admin("PUT", "arm/faults", {"account": account, "requestConflicts": 2}).json()
    assert answer == {"requestConflicts": {account: 2}}
    for _ in range(2):
        status, code, _message = error_code(lambda: create_deployment(mgmt, account, "img", capacity=1))
        assert (status, code) == (409, "RequestConflict")
    assert create_deployment(mgmt, account, "img", capacity=1).sku.capacity == 1  # the third write passes
    assert arm_emu.admin("GET", "arm/faults").json() == {"requestConflicts": {}}

    # Keyed by subdomain too; deletes count as deployment writes; DELETE clears what is left.
    arm_emu.admin("PUT", "arm/faults", {"account": "dep-img", "requestConflicts": 3})
    delete = error_code(lambda: mgmt.deployments.begin_delete(RG, account, "img").result())
    assert delete[:2] == (409, "RequestConflict")
    arm_emu.admin("DELETE", "arm/faults")
    mgmt.deployments.begin_delete(RG, account, "img").result()
    assert list(mgmt.deployments.list(RG, account)) == []


def test_injected_request_conflict_body_is_checked(http):
    answer = http.put("/_emulator/arm/faults", json={"account": "a", "requestConflicts": -1})
    assert answer.status_code == 400
    assert "requestConflicts must be an integer from 0 to 1000" in answer.json()["error"]["message"]
    assert http.put("/_emulator/arm/faults", content=b"{not json").status_code == 400


def test_capacity_beyond_free_quota_is_insufficient_quota(mgmt, account):
    create_deployment(mgmt, account, "a", capacity=7)  # GlobalStandard gpt-image-1.5 default quota: 9
    status, code, message = error_code(lambda: create_deployment(mgmt, account, "b", capacity=3))
    assert (status, code) == (400, "InsufficientQuota")
    assert "specified capacity '3'" in message and "available capacity '2'" in message
    assert "OpenAI.GlobalStandard.gpt-image-1.5" in message


def test_updating_a_deployment_does_not_count_its_own_capacity(mgmt, account):
    create_deployment(mgmt, account, "a", capacity=9)
    assert create_deployment(mgmt, account, "a", capacity=9).sku.capacity == 9


def test_changing_the_model_name_is_cannot_change_deployment_model(mgmt, account):
    create_deployment(mgmt, account, "img", capacity=1)
    status, code, message = error_code(
        lambda: create_deployment(mgmt, account, "img", model="gpt-image-2", version="2026-04-21", capacity=1)
    )
    assert (status, code) == (400, "CannotChangeDeploymentModel")
    assert message == "The model of deployment cannot be changed."


def test_version_and_capacity_together_is_refused_but_two_steps_work(mgmt, account):
    create_deployment(mgmt, account, "img", capacity=1)
    status, code, message = error_code(
        lambda: create_deployment(mgmt, account, "img", version=NEXT_VERSION, capacity=2)
    )
    assert (status, code) == (400, "InvalidResourceProperties")
    assert "Cannot change capacity and model at the same time for deployment" in message

    assert (
        create_deployment(mgmt, account, "img", version=NEXT_VERSION, capacity=1).properties.model.version
        == NEXT_VERSION
    )
    assert create_deployment(mgmt, account, "img", version=NEXT_VERSION, capacity=2).sku.capacity == 2


def test_model_not_offered_in_region_or_sku_is_deployment_model_not_supported(mgmt, account):
    cases = [
        dict(model="gpt-image-1", version="2025-04-15"),  # retired
        dict(version="1999-01-01"),  # unknown version
        dict(sku="Standard"),  # no regional Standard for image models
        dict(model="gpt-image-1.5", sku="ProvisionedManaged"),
    ]
    for case in cases:
        status, code, _ = error_code(lambda c=case: create_deployment(mgmt, account, "x", capacity=1, **c))
        assert (status, code) == (400, "DeploymentModelNotSupported"), case


def test_missing_rai_policy_is_refused_and_an_existing_one_accepted(mgmt, account):
    status, code, message = error_code(
        lambda: create_deployment(mgmt, account, "img", capacity=1, raiPolicyName="strict")
    )
    assert (status, code) == (400, "RaiPolicyNotFound")
    assert "strict" in message

    mgmt.rai_policies.create_or_update(
        RG,
        account,
        "strict",
        {
            "properties": {
                "basePolicyName": "Microsoft.DefaultV2",
                "mode": "Blocking",
                "contentFilters": [
                    {
                        "name": "Hate",
                        "enabled": True,
                        "blocking": True,
                        "severityThreshold": "Medium",
                        "source": "Prompt",
                    }
                ],
            }
        },
    )
    created = create_deployment(mgmt, account, "img", capacity=1, raiPolicyName="strict")
    assert created.properties.rai_policy_name == "strict"
    assert create_deployment(mgmt, account, "img2", capacity=1, raiPolicyName="Microsoft.DefaultV2")


def test_invalid_capacity(mgmt, account):
    status, code, _ = error_code(lambda: create_deployment(mgmt, account, "img", capacity=0))
    assert (status, code) == (400, "InvalidCapacity")


def test_deployment_under_missing_account_is_parent_not_found(mgmt):
    status, code, _ = error_code(lambda: create_deployment(mgmt, "ghost", "img", capacity=1))
    assert (status, code) == (404, "ParentResourceNotFound")
