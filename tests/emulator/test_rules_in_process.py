"""The emulator's rules called in process, with a clock the test moves: who may call (keys, tokens,
roles), how many requests a deployment takes per minute, and what ARM lets a deployment become (quota,
model, version and capacity, region, RAI policy, one operation at a time). The same rules are driven over
HTTPS with the official SDKs elsewhere; here each answer is checked value for value, at unit speed."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from catalog import DEFAULT_CATALOG_PATH
from emulator.accounts import AccountRegistry, AccountSpec
from emulator.arm.accounts import AccountsProvider
from emulator.arm.deployments import DeploymentsProvider, parse_deployment
from emulator.arm.errors import ArmError
from emulator.arm.ids import parse_arm_path
from emulator.arm.offers import load_offers, quota_limit, usage_name
from emulator.arm.settings import ArmSettings, AvailabilityOverride
from emulator.arm.state import create_arm_state
from emulator.auth import Caller, authenticate, check_token, decode_jwt
from emulator.errors import EmulatorError
from emulator.ratelimit import SlidingWindowLimiter, requests_per_minute

NOW = 1_000_000.0
ROUTE = "/openai/deployments/gpt-image/images/generations"
ACTION = "Microsoft.CognitiveServices/accounts/OpenAI/images/generations/action"


def jwt(claims: dict[str, Any], header: Any = None) -> str:
    def part(obj: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part(header if header is not None else {'alg': 'none'})}.{part(claims)}."


def token(**claims: Any) -> str:
    return jwt({"aud": "https://cognitiveservices.azure.com", "exp": NOW + 3600, "oid": "oid-1", **claims})


def account(**changes: Any) -> AccountSpec:
    return AccountSpec(**{"subdomain": "contoso", "keys": ("key-1", "key-2"), **changes})


def auth(headers: dict[str, str], spec: AccountSpec | None = None, *, v1: bool = False) -> Caller:
    return authenticate(headers, spec or account(), v1=v1, route=ROUTE, action=ACTION, now=NOW)


def refused(headers: dict[str, str], spec: AccountSpec | None = None, *, v1: bool = False) -> EmulatorError:
    with pytest.raises(EmulatorError) as caught:
        auth(headers, spec, v1=v1)
    return caught.value


# -- auth ----------------------------------------------------------------------------------------------
def test_either_key_of_the_account_is_accepted() -> None:
    assert auth({"api-key": "key-1"}) == Caller("key")
    assert auth({"api-key": "key-2"}) == Caller("key")


def test_a_wrong_key_is_azures_401() -> None:
    error = refused({"api-key": "key-3"})
    assert (error.status, error.code) == (401, "401")
    assert error.message.startswith("Access denied due to invalid subscription key")


def test_no_credential_at_all_is_the_missing_key_401() -> None:
    error = refused({})
    assert (error.status, error.code) == (401, "401")
    assert error.message.startswith("Access denied due to missing subscription key.")


def test_a_keyless_account_refuses_even_its_own_key_as_key_auth() -> None:
    error = refused({"api-key": "key-1"}, account(local_auth_disabled=True))
    assert (error.status, error.code) == (403, "AuthenticationTypeDisabled")


def test_v1_takes_the_key_as_a_bearer_credential_and_the_dated_routes_do_not() -> None:
    assert auth({"authorization": "Bearer key-1"}, v1=True) == Caller("key")
    assert (
        refused({"authorization": "Bearer key-1"}).status,
        refused({"authorization": "Bearer key-1"}).code,
    ) == (
        401,
        None,
    )
    assert (
        refused({"authorization": "Bearer key-1"}, account(local_auth_disabled=True), v1=True).status == 403
    )


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_a_valid_token_is_the_callers_principal(scheme: str) -> None:
    assert auth({"authorization": f"{scheme} {token()}"}) == Caller("token", "oid-1")
    assert auth({"authorization": f"{scheme}   {token()}  "}) == Caller("token", "oid-1")


@pytest.mark.parametrize(
    ("claims", "principal"),
    [
        ({"oid": None, "sub": "sub-1"}, "sub-1"),
        ({"oid": None, "appid": "app-1"}, "app-1"),
        ({"oid": None}, "unknown"),
    ],
    ids=["sub", "appid", "none"],
)
def test_the_principal_falls_back_from_oid_to_sub_to_appid(claims: dict[str, Any], principal: str) -> None:
    assert auth({"authorization": f"Bearer {token(**claims)}"}) == Caller("token", principal)


@pytest.mark.parametrize(
    "authorization",
    ["Basic abc", "Bearer", "Bearer    ", "Token " + "x" * 10, "Bearer not-a-jwt"],
    ids=["basic", "empty", "blank", "other-scheme", "not-a-jwt"],
)
def test_a_malformed_authorization_header_is_the_token_401_without_an_error_wrapper(
    authorization: str,
) -> None:
    error = refused({"authorization": authorization})
    assert (error.status, error.code) == (401, None)
    assert error.body() == {"statusCode": 401, "message": error.message}


def test_an_expired_or_foreign_token_is_refused() -> None:
    assert refused({"authorization": f"Bearer {token(exp=NOW)}"}).status == 401
    assert refused({"authorization": f"Bearer {token(aud='https://management.azure.com')}"}).status == 401


def test_only_listed_principals_may_call_when_the_account_names_them() -> None:
    spec = account(openai_users=("oid-1",))
    assert auth({"authorization": f"Bearer {token()}"}, spec) == Caller("token", "oid-1")
    error = refused({"authorization": f"Bearer {token(oid='oid-2')}"}, spec)
    assert (error.status, error.code) == (401, "PermissionDenied")
    assert error.message == (
        f"The principal `oid-2` lacks the required data action `{ACTION}` to perform `POST {ROUTE}` "
        "operation."
    )


@pytest.mark.parametrize(
    ("claims", "ok"),
    [
        ({"aud": "https://cognitiveservices.azure.com", "exp": NOW + 1}, True),
        ({"aud": "https://ai.azure.com/", "exp": NOW + 1}, True),
        ({"aud": ["x", "https://ai.azure.com"], "exp": NOW + 1}, True),
        ({"aud": "https://ai.azure.com", "exp": NOW}, False),
        ({"aud": "https://ai.azure.com", "exp": True}, False),
        ({"aud": "https://ai.azure.com", "exp": "soon"}, False),
        ({"aud": "https://ai.azure.com"}, False),
        ({"aud": 5, "exp": NOW + 1}, False),
        ({"aud": "https://ai.azure.com", "exp": NOW + 1, "nbf": NOW + 300}, True),
        ({"aud": "https://ai.azure.com", "exp": NOW + 1, "nbf": NOW + 301}, False),
    ],
)
def test_token_claims_audience_expiry_and_not_before_with_five_minutes_of_skew(claims, ok: bool) -> None:
    assert check_token(claims, NOW) is ok


@pytest.mark.parametrize(
    "text",
    ["a.b", "a.b.c.d", ".x.", jwt({"a": 1}, header=[1]), jwt([1]), "%%%.%%%.x"],
    ids=["two-parts", "four-parts", "empty-header", "header-not-object", "claims-not-object", "not-base64"],
)
def test_only_a_compact_jwt_with_object_header_and_claims_decodes(text: str) -> None:
    assert decode_jwt(text) is None
    assert decode_jwt(jwt({"a": 1})) == {"a": 1}


# -- rate limiting -------------------------------------------------------------------------------------
class Clock:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_window_admits_limit_requests_per_minute_and_says_when_the_next_frees_up() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(clock)
    first = limiter.acquire("d", 2)
    assert (first.allowed, first.limit, first.remaining, first.reset_seconds) == (True, 2, 1, 60.0)
    clock.now += 10
    second = limiter.acquire("d", 2)
    assert (second.allowed, second.remaining, second.reset_seconds) == (True, 0, 50.0)
    third = limiter.acquire("d", 2)
    assert (third.allowed, third.remaining, third.reset_seconds, third.retry_after_ms) == (
        False,
        0,
        50.0,
        50000,
    )
    clock.now += 50  # the first request leaves the window exactly now
    assert limiter.acquire("d", 2).allowed
    assert not limiter.acquire("d", 2).allowed


def test_deployments_have_windows_of_their_own_and_forget_and_clear_empty_them() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(clock, window=10)
    assert limiter.acquire("a", 1).allowed and limiter.acquire("b", 1).allowed
    assert not limiter.acquire("a", 1).allowed
    limiter.forget("a")
    assert limiter.acquire("a", 1).allowed and not limiter.acquire("b", 1).allowed
    limiter.clear()
    assert limiter.acquire("b", 1).allowed


def test_peek_reports_the_window_without_taking_a_slot() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(clock)
    empty = limiter.peek("d", 3)
    assert (empty.allowed, empty.remaining, empty.reset_seconds) == (True, 3, 0.0)
    limiter.acquire("d", 3)
    clock.now += 20
    seen = limiter.peek("d", 3)
    assert (seen.allowed, seen.limit, seen.remaining, seen.reset_seconds) == (True, 3, 2, 40.0)
    assert limiter.peek("d", 1).allowed is False
    assert limiter.acquire("d", 3).remaining == 1


def test_a_full_window_of_zero_asks_for_at_least_a_millisecond() -> None:
    limiter = SlidingWindowLimiter(Clock())
    refused_now = limiter.acquire("d", 0)
    assert (refused_now.allowed, refused_now.reset_seconds, refused_now.retry_after_ms) == (
        False,
        60.0,
        60000,
    )


@pytest.mark.parametrize(
    ("capacity", "per_unit", "rpm"),
    [(1, 1, 1), (9, 1, 9), (2, 3, 6), (1, 0.5, 1), (3, 0.5, 1), (5, 0.5, 2), (0, 1, 1)],
)
def test_requests_per_minute_is_capacity_times_the_rate_rounded_down_and_at_least_one(
    capacity, per_unit, rpm
) -> None:
    assert requests_per_minute(capacity, per_unit) == rpm


# -- ARM: deployments ----------------------------------------------------------------------------------
SUB = "00000000-0000-0000-0000-000000000001"
ACCOUNT = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/acct"


class Arm:
    """One ARM state with a hand-moved clock: operations finish when the test says time has passed."""

    def __init__(self, **settings: Any) -> None:
        self.clock = Clock(NOW)
        arm_settings = ArmSettings(subscription_id=SUB, resource_groups=("rg",), **settings)
        self.state = create_arm_state(arm_settings, AccountRegistry(), clock=self.clock)
        self.deployments = DeploymentsProvider(self.state)

    def account(self, location: str = "eastus2") -> None:
        body = {
            "location": location,
            "kind": "AIServices",
            "sku": {"name": "S0"},
            "properties": {"customSubDomainName": "acct"},
        }
        AccountsProvider(self.state).create_or_update(parse_arm_path(ACCOUNT), body, "https://127.0.0.1/")
        self.settle()

    def settle(self) -> None:
        self.clock.now += 3600

    def put(
        self,
        name: str,
        model: str = "gpt-image-1.5",
        version: str | None = "2025-12-16",
        capacity: int = 1,
        sku: str = "GlobalStandard",
        **props: Any,
    ) -> Any:
        model_body: dict[str, Any] = {"format": "OpenAI", "name": model}
        if version is not None:
            model_body["version"] = version
        body = {"sku": {"name": sku, "capacity": capacity}, "properties": {"model": model_body, **props}}
        result = self.deployments.create_or_update(parse_arm_path(f"{ACCOUNT}/deployments/{name}"), body)
        self.settle()
        return result

    def refused(self, name: str, **kwargs: Any) -> ArmError:
        with pytest.raises(ArmError) as caught:
            self.put(name, **kwargs)
        return caught.value


@pytest.fixture
def arm() -> Arm:
    arm = Arm()
    arm.account()
    return arm


def test_a_deployment_is_created_then_updated_and_reads_back_as_azure_renders_it(arm: Arm) -> None:
    created = arm.put("gpt-image", capacity=2, raiPolicyName="Microsoft.DefaultV2")
    assert created.status == 201
    assert created.body["properties"]["provisioningState"] == "Creating"
    updated = arm.put("gpt-image", capacity=3, raiPolicyName="Microsoft.DefaultV2")
    assert updated.status == 200 and updated.body["properties"]["provisioningState"] == "Accepted"
    got = arm.deployments.get(parse_arm_path(f"{ACCOUNT}/deployments/gpt-image")).body
    assert got["sku"] == {"name": "GlobalStandard", "capacity": 3}
    assert got["properties"]["model"] == {
        "format": "OpenAI",
        "name": "gpt-image-1.5",
        "version": "2025-12-16",
    }
    assert got["properties"]["versionUpgradeOption"] == "OnceNewDefaultVersionAvailable"
    assert got["properties"]["raiPolicyName"] == "Microsoft.DefaultV2"
    assert got["properties"]["provisioningState"] == "Succeeded"
    # 3 requests per minute per capacity unit (Learn, Azure OpenAI quotas: 2 units = 6 RPM), capacity 3.
    assert got["properties"]["rateLimits"] == [{"key": "request", "renewalPeriod": 60, "count": 9}]
    assert got["properties"]["currentCapacity"] == 3


def test_a_missing_version_takes_the_models_default(arm: Arm) -> None:
    body = arm.put("gpt-image", version=None).body
    assert body["properties"]["model"]["version"] == "2025-12-16"


def test_capacity_beyond_the_free_quota_is_insufficient_quota_with_what_is_left(arm: Arm) -> None:
    arm.put("a", capacity=6)
    error = arm.refused("b", capacity=4)
    assert (error.status, error.code) == (400, "InsufficientQuota")
    assert error.message == (
        "The specified capacity '4' of account deployment is bigger than available capacity '3' for "
        "UsageName 'OpenAI.GlobalStandard.gpt-image-1.5'."
    )
    assert arm.put("b", capacity=3).status == 201  # exactly what is left fits


def test_an_update_counts_its_own_capacity_as_free(arm: Arm) -> None:
    arm.put("a", capacity=9)
    assert arm.put("a", capacity=9).status == 200
    assert arm.refused("a", capacity=10).code == "InsufficientQuota"


def test_quota_is_per_sku_and_model(arm: Arm) -> None:
    arm.put("a", capacity=9)
    assert arm.put("b", model="gpt-image-2", version="2026-04-21", capacity=6).status == 201
    assert arm.put("c", sku="DataZoneStandard", capacity=3).status == 201
    assert arm.refused("d", sku="DataZoneStandard", capacity=1).message.endswith(
        "available capacity '0' for UsageName 'OpenAI.DataZoneStandard.gpt-image-1.5'."
    )


def test_the_model_of_a_deployment_cannot_change(arm: Arm) -> None:
    arm.put("gpt-image")
    error = arm.refused("gpt-image", model="gpt-image-2", version="2026-04-21")
    assert (error.status, error.code, error.message) == (
        400,
        "CannotChangeDeploymentModel",
        "The model of deployment cannot be changed.",
    )
    assert arm.put("gpt-image", model="GPT-IMAGE-1.5").status == 200  # names compare case-insensitively


def test_version_and_capacity_cannot_change_in_one_operation(arm: Arm) -> None:
    arm.put("gpt-image", model="gpt-image-2", version="2026-04-21", capacity=2)
    error = arm.refused("gpt-image", model="gpt-image-2", version="2026-05-01", capacity=3)
    assert (error.status, error.code) == (400, "InvalidResourceProperties")
    assert error.message == (
        "Cannot change capacity and model at the same time for deployment 'gpt-image'; change the version "
        "and the capacity in two steps."
    )


def test_a_model_not_offered_in_the_region_for_the_sku_is_refused(arm: Arm) -> None:
    error = arm.refused("gpt-image", version="2099-01-01")
    assert (error.status, error.code) == (400, "DeploymentModelNotSupported")
    assert error.message == (
        "The model 'Format:OpenAI,Name:gpt-image-1.5,Version:2099-01-01' of account deployment is not "
        "supported with SKU 'GlobalStandard' in region 'eastus2'; check models.list(location) for what is "
        "offered."
    )
    assert arm.refused("x", sku="Standard").code == "DeploymentModelNotSupported"


def test_an_rai_policy_must_exist_unless_it_is_built_in(arm: Arm) -> None:
    for built_in in ("Microsoft.Default", "Microsoft.DefaultV2", "microsoft.nil"):
        assert arm.put(f"d-{built_in.lower().replace('.', '-')}", raiPolicyName=built_in).status == 201
    error = arm.refused("gpt-image", raiPolicyName="custom")
    assert (error.status, error.code, error.message) == (
        400,
        "RaiPolicyNotFound",
        "Rai policy 'custom' not found; create the raiPolicy before the deployment.",
    )


def test_a_second_write_while_one_runs_is_request_conflict(arm: Arm) -> None:
    path = parse_arm_path(f"{ACCOUNT}/deployments/a")
    body = {
        "sku": {"name": "GlobalStandard", "capacity": 1},
        "properties": {"model": {"name": "gpt-image-1.5", "version": "2025-12-16"}},
    }
    arm.deployments.create_or_update(path, body)
    with pytest.raises(ArmError) as caught:
        arm.deployments.create_or_update(parse_arm_path(f"{ACCOUNT}/deployments/b"), body)
    assert (caught.value.status, caught.value.code) == (409, "RequestConflict")
    assert caught.value.message == (
        f"Another operation is being performed on the parent resource '{ACCOUNT}'. Please try again later."
    )
    arm.clock.now += 0.1  # the operation's delay (lroDelaySeconds) has passed
    assert arm.deployments.create_or_update(parse_arm_path(f"{ACCOUNT}/deployments/b"), body).status == 201


def test_patch_changes_capacity_under_the_same_rules(arm: Arm) -> None:
    arm.put("a", capacity=2)
    path = parse_arm_path(f"{ACCOUNT}/deployments/a")
    assert arm.deployments.update(path, {"sku": {"capacity": 4}, "tags": {"t": "1"}}).status == 200
    arm.settle()
    got = arm.deployments.get(path).body
    assert (got["sku"]["capacity"], got["tags"]) == (4, {"t": "1"})
    with pytest.raises(ArmError) as caught:
        arm.deployments.update(path, {"sku": {"capacity": 10}})
    assert caught.value.code == "InsufficientQuota"
    with pytest.raises(ArmError) as missing:
        arm.deployments.update(parse_arm_path(f"{ACCOUNT}/deployments/nope"), {})
    assert missing.value.status == 404


def test_a_deleted_deployment_frees_its_quota_and_deleting_twice_is_204(arm: Arm) -> None:
    arm.put("a", capacity=9)
    path = parse_arm_path(f"{ACCOUNT}/deployments/a")
    assert arm.deployments.delete(path).status == 202
    arm.settle()
    assert arm.deployments.delete(path).status == 204
    assert arm.put("b", capacity=9).status == 201
    assert [d["name"] for d in arm.deployments.list_deployments(parse_arm_path(ACCOUNT)).body["value"]] == [
        "b"
    ]


def test_a_deployment_needs_its_account() -> None:
    arm = Arm()
    error = arm.refused("a")
    assert (error.status, error.code) == (404, "ParentResourceNotFound")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"sku": {"name": "GlobalStandard"}, "properties": {}}, "InvalidRequestContent"),
        ({"properties": {"model": {"name": "gpt-image-1.5"}}}, "InvalidRequestContent"),
        (
            {"sku": {"name": "GlobalStandard", "capacity": 0}, "properties": {"model": {"name": "m"}}},
            "InvalidCapacity",
        ),
        (
            {"sku": {"name": "GlobalStandard", "capacity": True}, "properties": {"model": {"name": "m"}}},
            "InvalidCapacity",
        ),
        (
            {
                "sku": {"name": "GlobalStandard", "capacity": 1_000_001},
                "properties": {"model": {"name": "m"}},
            },
            "InvalidCapacity",
        ),
        (
            {
                "sku": {"name": "GlobalStandard"},
                "properties": {"model": {"name": "m"}, "versionUpgradeOption": "Never"},
            },
            "InvalidResourceProperties",
        ),
    ],
    ids=["no-model", "no-sku", "capacity-0", "capacity-bool", "capacity-too-big", "bad-upgrade-option"],
)
def test_a_malformed_deployment_body_is_refused_before_any_rule(body: dict[str, Any], code: str) -> None:
    with pytest.raises(ArmError) as caught:
        parse_deployment("d", body, "2025-12-16")
    assert (caught.value.status, caught.value.code) == (400, code)


def test_parse_deployment_reads_every_field_with_its_default() -> None:
    request = parse_deployment(
        "d",
        {"sku": {"name": "GlobalStandard", "capacity": 1_000_000}, "properties": {"model": {"name": "m"}}},
        "v1",
    )
    assert (
        request.name,
        request.model,
        request.version,
        request.format,
        request.sku,
        request.capacity,
        request.rai_policy,
        request.upgrade_option,
    ) == ("d", "m", "v1", "OpenAI", "GlobalStandard", 1_000_000, None, "OnceNewDefaultVersionAvailable")
    assert (
        parse_deployment("d", {"sku": {"name": "S"}, "properties": {"model": {"name": "m"}}}, None).capacity
        == 1
    )


# -- ARM: quota and offers -----------------------------------------------------------------------------
def test_quota_limits_come_from_the_config_case_insensitively_else_the_catalog() -> None:
    offers = load_offers()
    assert usage_name("GlobalStandard", "gpt-image-1.5") == "OpenAI.GlobalStandard.gpt-image-1.5"
    assert quota_limit(offers, {}, "EastUS2", "GlobalStandard", "gpt-image-1.5") == 9
    assert quota_limit(offers, {}, "eastus2", "DataZoneStandard", "gpt-image-1.5") == 3
    assert quota_limit(offers, {}, "eastus2", "GlobalStandard", "gpt-image-1-mini") == 12
    assert quota_limit(offers, {}, "eastus2", "GlobalStandard", "no-such-model") == 0
    assert quota_limit(offers, {}, "eastus2", "Standard", "gpt-image-1.5") == 0
    assert quota_limit(offers, {}, "brazilsouth", "GlobalStandard", "gpt-image-1.5") == 0
    override = {"eastus2": {"openai.globalstandard.GPT-IMAGE-1.5": 40}}
    assert quota_limit(offers, override, "EASTUS2", "GlobalStandard", "gpt-image-1.5") == 40
    withdrawn = load_offers(
        overrides=(AvailabilityOverride("eastus2", "gpt-image-1.5", "GlobalStandard", False),)
    )
    assert quota_limit(withdrawn, {}, "eastus2", "GlobalStandard", "gpt-image-1.5") == 0


def test_arm_quota_settings_bound_what_deployments_may_take() -> None:
    arm = Arm(quota={"eastus2": {"OpenAI.GlobalStandard.gpt-image-1.5": 2}})
    arm.account()
    assert arm.refused("a", capacity=3).message.endswith(
        "available capacity '2' for UsageName 'OpenAI.GlobalStandard.gpt-image-1.5'."
    )


def test_version_or_capacity_alone_may_change(arm: Arm, tmp_path: Path) -> None:
    catalog = json.loads(DEFAULT_CATALOG_PATH.read_text("utf-8"))
    versions = catalog["models"]["gpt-image-1.5"]["versions"]
    versions["2026-03-10"] = {"retirementDate": None, "default": False}
    (tmp_path / "catalog.json").write_text(json.dumps(catalog), "utf-8")
    arm.state.offers = load_offers(tmp_path / "catalog.json")
    arm.put("gpt-image", capacity=2)
    assert arm.put("gpt-image", capacity=3).status == 200  # capacity alone
    assert arm.put("gpt-image", version="2026-03-10", capacity=3).status == 200  # version alone
    got = arm.deployments.get(parse_arm_path(f"{ACCOUNT}/deployments/gpt-image")).body
    assert (got["properties"]["model"]["version"], got["sku"]["capacity"]) == ("2026-03-10", 3)


def test_moving_a_deployment_to_another_sku_takes_quota_from_that_sku(arm: Arm) -> None:
    arm.put("a", capacity=9)
    arm.put("b", sku="DataZoneStandard", capacity=3)
    # a's own GlobalStandard capacity does not free DataZoneStandard quota.
    error = arm.refused("a", sku="DataZoneStandard", capacity=1)
    assert error.code == "InsufficientQuota"
    assert error.message.endswith(
        "available capacity '0' for UsageName 'OpenAI.DataZoneStandard.gpt-image-1.5'."
    )
