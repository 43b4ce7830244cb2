"""The policy pack as Pulumi loads it: ``infra/policy/__main__.py`` run as a script, with pulumi_policy's
``PolicyPack`` captured instead of started (constructing the real one starts the analyzer server and
blocks). Each policy is then fed resources of the real program, through pulumi_policy's own argument
classes, and must report its own rule's violations and nobody else's."""

from __future__ import annotations

import runpy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi_policy
import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from engine.recording import run_program
from infra.policy import rules
from tests.infra.conftest import stack_config

PACK_ENTRY = Path(__file__).resolve().parents[2] / "infra" / "policy" / "__main__.py"
PROD_ACCOUNT_VIOLATION = (
    "Account imagegate-prod-img (environment prod) allows key authentication; set "
    "imagegate:account.disableLocalAuth to true so only Entra ID tokens are accepted."
)


@pytest.fixture
def pack(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The keyword arguments ``__main__`` hands to PolicyPack."""
    captured: list[dict[str, Any]] = []
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: captured.append(kwargs))
    monkeypatch.setattr(sys, "path", list(sys.path))  # the entry module prepends its own folder
    sys.modules.pop("rules", None)
    try:
        runpy.run_path(str(PACK_ENTRY), run_name="__main__")
        assert len(captured) == 1, "the entry module must build exactly one PolicyPack"
        yield captured[0]
    finally:
        sys.modules.pop("rules", None)


def _options() -> PolicyResourceOptions:
    timeouts = PolicyCustomTimeouts(create_seconds=0, update_seconds=0, delete_seconds=0)
    return PolicyResourceOptions(
        protect=False, ignore_changes=[], delete_before_replace=None, aliases=[], custom_timeouts=timeouts,
        additional_secret_outputs=[],
    )


def _program_resources(stack: str, **overrides: Any) -> list[Any]:
    return run_program(stack_config(stack, **overrides)).resources


def _resource_violations(policy: ResourceValidationPolicy, resources: list[Any]) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    for r in resources:
        args = ResourceValidationArgs(r.type, r.inputs, r.urn, r.name, _options(), None)
        policy.validate(args, lambda message, urn=None, r=r: seen.append((message, urn or "")))
    return seen


def _stack_violations(policy: StackValidationPolicy, resources: list[Any]) -> list[str]:
    # Stack validations see outputs: the account's name, and the setting's resourceUri as the account id.
    stack = [
        PolicyResource(r.type, {**r.inputs, "name": r.outputs.get("name")}, r.urn, r.name, _options(), None,
                       None, [], {})
        for r in resources
    ]
    seen: list[str] = []
    policy.validate(StackValidationArgs(stack), lambda message, urn=None: seen.append(message))
    return seen


def _policies(pack: dict[str, Any]) -> dict[str, Any]:
    return {p.name: p for p in pack["policies"]}


def test_the_pack_is_named_mandatory_and_holds_the_three_policies(pack: dict[str, Any]) -> None:
    assert pack["name"] == "imagegate"
    assert pack["enforcement_level"] is EnforcementLevel.MANDATORY
    policies = _policies(pack)
    assert sorted(policies) == ["account-has-diagnostics", "image-deployment-pinned", "prod-account-keyless"]
    assert isinstance(policies["prod-account-keyless"], ResourceValidationPolicy)
    assert isinstance(policies["image-deployment-pinned"], ResourceValidationPolicy)
    assert isinstance(policies["account-has-diagnostics"], StackValidationPolicy)


def test_the_real_programs_pass_every_policy(pack: dict[str, Any]) -> None:
    policies = _policies(pack)
    for stack in ("dev", "prod"):
        resources = _program_resources(stack)
        assert _resource_violations(policies["prod-account-keyless"], resources) == []
        assert _resource_violations(policies["image-deployment-pinned"], resources) == []
        assert _stack_violations(policies["account-has-diagnostics"], resources) == []


def test_prod_account_keyless_fails_a_keyed_prod_account_and_only_that(pack: dict[str, Any]) -> None:
    policies = _policies(pack)
    keyed = _program_resources(
        "keyless", account={"customSubdomain": "imagegate-prod-img", "disableLocalAuth": False}
    )
    account = next(r for r in keyed if r.type == rules.ACCOUNT_TYPE)
    assert _resource_violations(policies["prod-account-keyless"], keyed) == [
        (PROD_ACCOUNT_VIOLATION, account.urn)
    ]
    # The neighbouring policies do not claim this violation.
    assert _resource_violations(policies["image-deployment-pinned"], keyed) == []
    assert _stack_violations(policies["account-has-diagnostics"], keyed) == []


def test_image_deployment_pinned_fails_an_unpinned_deployment_and_only_that(pack: dict[str, Any]) -> None:
    policies = _policies(pack)
    resources = _program_resources("prod")
    deployment = next(r for r in resources if r.type == rules.DEPLOYMENT_TYPE)
    deployment.inputs["properties"]["model"].pop("version")
    deployment.inputs["properties"].pop("raiPolicyName")
    name = deployment.inputs["deploymentName"]
    model = deployment.inputs["properties"]["model"]["name"]
    assert _resource_violations(policies["image-deployment-pinned"], [deployment]) == [
        (f"Deployment {name} of {model} does not pin a model version; set its version.", deployment.urn),
        (f"Deployment {name} of {model} names no RAI policy; set properties.raiPolicyName.", deployment.urn),
    ]
    assert _resource_violations(policies["prod-account-keyless"], [deployment]) == []


def test_account_has_diagnostics_fails_an_account_without_a_setting_and_only_that(
    pack: dict[str, Any],
) -> None:
    policies = _policies(pack)
    resources = [r for r in _program_resources("prod") if r.type != rules.DIAGNOSTIC_SETTING_TYPE]
    # prod's three accounts (one per region), each named
    assert sorted(_stack_violations(policies["account-has-diagnostics"], resources)) == [
        f"Account {name} has no diagnostic setting; add one that sends allLogs and AllMetrics."
        for name in ("imagegate-prod-eus2", "imagegate-prod-img", "imagegate-prod-swc")
    ]
    assert _resource_violations(policies["prod-account-keyless"], resources) == []
    assert _resource_violations(policies["image-deployment-pinned"], resources) == []


def test_violations_name_the_resource_by_whatever_name_it_has() -> None:
    keyed = {"tags": {"environment": "prod"}, "properties": {"disableLocalAuth": False}}
    assert rules.prod_account_keyless(rules.ACCOUNT_TYPE, {**keyed, "name": "by-name"})[0].startswith(
        "Account by-name (environment prod) allows"
    )
    assert rules.prod_account_keyless(rules.ACCOUNT_TYPE, keyed)[0].startswith(
        "Account the account (environment prod) allows"
    )
    unpinned = {"properties": {"model": {"name": "gpt-image-1.5"}, "raiPolicyName": "p"}}
    assert rules.image_deployment_pinned(rules.DEPLOYMENT_TYPE, {**unpinned, "name": "by-name"}) == [
        "Deployment by-name of gpt-image-1.5 does not pin a model version; set its version."
    ]
    assert rules.image_deployment_pinned(rules.DEPLOYMENT_TYPE, unpinned) == [
        "Deployment the deployment of gpt-image-1.5 does not pin a model version; set its version."
    ]
    # A deployment without a model name is not an image deployment: nothing to pin.
    assert rules.image_deployment_pinned(rules.DEPLOYMENT_TYPE, {"properties": {}}) == []
    named = rules.StackResource(rules.ACCOUNT_TYPE, "urn:a", {"name": "by-name"})
    unnamed = rules.StackResource(rules.ACCOUNT_TYPE, "urn:b", {})
    assert rules.accounts_without_diagnostics([named, unnamed]) == [
        "Account by-name has no diagnostic setting; add one that sends allLogs and AllMetrics.",
        "Account urn:b has no diagnostic setting; add one that sends allLogs and AllMetrics.",
    ]
