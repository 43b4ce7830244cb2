"""Pure parts of the ARM subset: path parsing, config parsing, token checks, offers and quota."""

from __future__ import annotations

import base64
import json
import time

import pytest

from emulator.arm.auth import check_bearer
from emulator.arm.errors import ArmError
from emulator.arm.ids import ArmPathError, parse_arm_path
from emulator.arm.offers import load_offers, quota_limit
from emulator.arm.settings import AvailabilityOverride, parse_arm_settings
from emulator.errors import ConfigError

S = "/subscriptions/s1"
CS = "/providers/Microsoft.CognitiveServices"


@pytest.mark.parametrize(
    ("path", "signature", "resource_type"),
    [
        (
            f"{S}/resourceGroups/rg{CS}/accounts/a",
            "microsoft.cognitiveservices/accounts",
            "Microsoft.CognitiveServices/accounts",
        ),
        (
            f"{S}/resourceGroups/rg{CS}/accounts/a/deployments/d",
            "microsoft.cognitiveservices/accounts/deployments",
            "Microsoft.CognitiveServices/accounts/deployments",
        ),
        (f"{S}/resourceGroups/rg{CS}/accounts", "#microsoft.cognitiveservices/accounts", None),
        (
            f"{S}/resourceGroups/rg{CS}/accounts/a/listKeys",
            "microsoft.cognitiveservices/accounts#listkeys",
            None,
        ),
        (f"{S}{CS}/locations/eastus2/usages", "microsoft.cognitiveservices/locations#usages", None),
        (
            f"{S}{CS}/locations/eastus2/resourceGroups/rg/deletedAccounts/a",
            "microsoft.cognitiveservices/locations/resourcegroups/deletedaccounts",
            None,
        ),
        (
            f"{S}/resourceGroups/rg{CS}/accounts/a/providers/Microsoft.Insights/diagnosticSettings/x",
            "microsoft.cognitiveservices/accounts/microsoft.insights/diagnosticsettings",
            "Microsoft.Insights/diagnosticSettings",
        ),
        (
            f"{S}/providers/Microsoft.Consumption/budgets/b",
            "microsoft.consumption/budgets",
            "Microsoft.Consumption/budgets",
        ),
        (f"{S}/resourceGroups/rg", "", "Microsoft.Resources/resourceGroups"),
        (f"{S}/resourcegroups", "#resourcegroups", None),
    ],
)
def test_parse_arm_path(path: str, signature: str, resource_type: str | None) -> None:
    parsed = parse_arm_path(path)
    assert parsed.signature == signature
    if resource_type is not None:
        assert parsed.resource_type == resource_type
        assert parsed.id == path


def test_parse_arm_path_rejects_non_arm_paths() -> None:
    with pytest.raises(ArmPathError):
        parse_arm_path("/foo/bar")
    with pytest.raises(ArmPathError):
        parse_arm_path(f"{S}/resourceGroups/rg/accounts/a")


def test_arm_settings_defaults_and_overrides() -> None:
    assert parse_arm_settings(None).lro_delay_seconds == 0.1
    settings = parse_arm_settings(
        {
            "lroDelaySeconds": 0,
            "strictAuth": True,
            "subscriptionId": "sub",
            "quota": {"EastUS2": {"OpenAI.GlobalStandard.gpt-image-1.5": 20}},
            "availability": [
                {"region": "eastus2", "model": "gpt-image-2", "sku": "GlobalStandard", "available": False}
            ],
        }
    )
    assert settings.strict_auth and settings.subscription_id == "sub"
    assert settings.quota == {"eastus2": {"OpenAI.GlobalStandard.gpt-image-1.5": 20}}
    assert settings.availability[0].available is False


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"lroDelaySeconds": -1}, "arm.lroDelaySeconds is -1"),
        ({"strictAuth": "yes"}, "arm.strictAuth is 'yes'"),
        ({"quota": {"eastus2": {"x": -3}}}, "arm.quota.eastus2.x is -3"),
        ({"availability": [{"region": "eastus2"}]}, "needs string 'region', 'model' and 'sku'"),
        ([], "must be an object"),
    ],
)
def test_arm_settings_errors_say_what_to_fix(raw, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_arm_settings(raw)
    assert message in info.value.message


def token(**claims) -> str:
    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"Bearer {part({'alg': 'none'})}.{part(claims)}."


def test_strict_auth_checks_audience_and_expiry() -> None:
    now = time.time()
    good = token(aud="https://management.azure.com/", exp=now + 60)
    assert check_bearer(good, strict=True, now=now)["aud"] == "https://management.azure.com/"
    with pytest.raises(ArmError) as wrong:
        check_bearer(token(aud="https://cognitiveservices.azure.com", exp=now + 60), strict=True, now=now)
    assert wrong.value.code == "InvalidAuthenticationTokenAudience"
    with pytest.raises(ArmError) as expired:
        check_bearer(token(aud="https://management.azure.com/", exp=now - 1), strict=True, now=now)
    assert expired.value.code == "ExpiredAuthenticationToken"
    # Lenient mode takes any well-formed token.
    assert check_bearer(token(aud="x", exp=0), strict=False, now=now)["aud"] == "x"


def test_offers_and_quota_follow_catalog_and_overrides() -> None:
    withdrawn = AvailabilityOverride("eastus2", "gpt-image-2", "GlobalStandard", False)
    offers = load_offers(overrides=(withdrawn,))
    assert offers.is_offered("gpt-image-1.5", "2025-12-16", "GlobalStandard", "eastus2")
    assert not offers.is_offered("gpt-image-1.5", "2025-12-16", "DataZoneStandard", "uaenorth")
    assert not offers.is_offered("gpt-image-2", "2026-04-21", "GlobalStandard", "eastus2")
    assert offers.is_offered("gpt-image-2", "2026-04-21", "GlobalStandard", "westus3")
    assert quota_limit(offers, {}, "eastus2", "GlobalStandard", "gpt-image-1.5") == 9
    assert quota_limit(offers, {}, "eastus2", "GlobalStandard", "gpt-image-2") == 0
    override = {"eastus2": {"OpenAI.GlobalStandard.gpt-image-1.5": 20}}
    assert quota_limit(offers, override, "eastus2", "GlobalStandard", "gpt-image-1.5") == 20
