"""The policy pack's rules, called directly (constructing a PolicyPack starts a server and blocks)."""

from __future__ import annotations

from engine.recording import run_program
from infra.policy.rules import (
    ACCOUNT_TYPE,
    DEPLOYMENT_TYPE,
    DIAGNOSTIC_SETTING_TYPE,
    StackResource,
    accounts_without_diagnostics,
    image_deployment_pinned,
    prod_account_keyless,
)
from tests.infra.conftest import stack_config


def _account(env: str, disable_local_auth: bool | None) -> dict:
    props: dict = {"customSubDomainName": "x"}
    if disable_local_auth is not None:
        props["disableLocalAuth"] = disable_local_auth
    return {"accountName": "acct", "tags": {"environment": env}, "properties": props}


def test_prod_account_must_be_keyless():
    assert prod_account_keyless(ACCOUNT_TYPE, _account("prod", True)) == []
    assert prod_account_keyless(ACCOUNT_TYPE, _account("prod", False)) == [
        "Account acct (environment prod) allows key authentication; set imagegate:account.disableLocalAuth "
        "to true so only Entra ID tokens are accepted."
    ]
    assert len(prod_account_keyless(ACCOUNT_TYPE, _account("prod", None))) == 1
    assert prod_account_keyless(ACCOUNT_TYPE, _account("dev", False)) == []
    assert prod_account_keyless(DEPLOYMENT_TYPE, _account("prod", False)) == []


def _deployment(
    model: str = "gpt-image-1.5", version: str | None = "2025-12-16", rai: str | None = "p"
) -> dict:
    m = {"format": "OpenAI", "name": model}
    if version:
        m["version"] = version
    props: dict = {"model": m}
    if rai:
        props["raiPolicyName"] = rai
    return {"deploymentName": "gpt-image", "properties": props}


def test_image_deployment_pins_version_and_names_rai_policy():
    assert image_deployment_pinned(DEPLOYMENT_TYPE, _deployment()) == []
    assert image_deployment_pinned(DEPLOYMENT_TYPE, _deployment(version=None, rai=None)) == [
        "Deployment gpt-image of gpt-image-1.5 does not pin a model version; set its version.",
        "Deployment gpt-image of gpt-image-1.5 names no RAI policy; set properties.raiPolicyName.",
    ]
    assert image_deployment_pinned(DEPLOYMENT_TYPE, _deployment(model="gpt-4o", version=None, rai=None)) == []


def test_every_account_needs_a_diagnostic_setting():
    account = StackResource(ACCOUNT_TYPE, "urn:acct", {"accountName": "acct"})
    by_dependency = StackResource(DIAGNOSTIC_SETTING_TYPE, "urn:diag", {}, {"resourceUri": ["urn:acct"]})
    by_id = StackResource(
        DIAGNOSTIC_SETTING_TYPE,
        "urn:diag2",
        {
            "resourceUri": "/subscriptions/s/resourceGroups/r/providers/Microsoft.CognitiveServices"
            "/accounts/ACCT"
        },
    )
    other = StackResource(DIAGNOSTIC_SETTING_TYPE, "urn:diag3", {}, {"resourceUri": ["urn:other"]})
    assert accounts_without_diagnostics([account, by_dependency]) == []
    assert accounts_without_diagnostics([account, by_id]) == []
    assert accounts_without_diagnostics([account, other]) == [
        "Account acct has no diagnostic setting; add one that sends allLogs and AllMetrics."
    ]


def test_the_real_program_passes_every_rule():
    for stack in ("dev", "prod"):
        run = run_program(stack_config(stack))
        for r in run.resources:
            assert prod_account_keyless(r.type, r.inputs) == []
            assert image_deployment_pinned(r.type, r.inputs) == []
        assert (
            accounts_without_diagnostics(
                [
                    StackResource(r.type, r.urn, {**r.inputs, "name": r.outputs.get("name")})
                    for r in run.resources
                ]
            )
            == []
        )


def test_a_keyed_prod_account_fails_the_rule_end_to_end():
    run = run_program(
        stack_config("keyless", account={"customSubdomain": "imagegate-prod-img", "disableLocalAuth": False})
    )
    violations = [v for r in run.resources for v in prod_account_keyless(r.type, r.inputs)]
    assert len(violations) == 1 and "imagegate-prod-img" in violations[0]
