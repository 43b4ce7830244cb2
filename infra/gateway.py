"""``imagegate:gateway:Gateway``: one API Management service in front of the stack's regional accounts.

Per alias: a ``Single`` backend per member (the account's OpenAI endpoint and the member's deployment)
with its circuit breaker, a ``Pool`` backend over them, an api at ``openai/deployments/<alias>`` with the
dated image routes, and its policy (:mod:`infra.gateway_policy`). The service's system identity gets
Cognitive Services OpenAI User on every account (the gateway never uses account keys); its logs and
metrics go to the stack's workspace; with subscription keys on, clients get one subscription whose keys
are never exported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import apimanagement as apim
from pulumi_azure_native import authorization

from infra.gateway_config import CLASSIC_SKUS, AliasConfig, CircuitBreakerConfig, GatewayConfig
from infra.gateway_policy import policy_xml, pool_backend_id
from infra.monitoring import account_diagnostics
from infra.naming import OPENAI_USER_ROLE_ID, gateway_backend_id, role_assignment_name, role_definition_id

# Classic tiers take 45-75 minutes to activate; the v2 tiers minutes.
V2_TIMEOUTS = pulumi.CustomTimeouts(create="30m", update="30m", delete="30m")
CLASSIC_TIMEOUTS = pulumi.CustomTimeouts(create="120m", update="120m", delete="60m")
IMAGE_OPERATIONS = (
    ("images-generations", "Generate images", "/images/generations"),
    ("images-edits", "Edit images", "/images/edits"),
)
CLIENT_SUBSCRIPTION = "imagegate-clients"
LOGGER_ID = "azuremonitor"


@dataclass(frozen=True)
class RegionalAccount:
    """What the gateway needs of one region's account."""

    location: str
    account_name: str
    account_id: pulumi.Input[str]
    endpoint: pulumi.Input[str]


@dataclass(frozen=True)
class GatewayArgs:
    resource_group_name: pulumi.Input[str]
    resource_group: str
    location: str
    subscription_id: pulumi.Input[str]
    settings: GatewayConfig
    accounts: Sequence[RegionalAccount]
    workspace_id: pulumi.Input[str]
    tags: Mapping[str, str]


def iso_duration(seconds: int) -> str:
    """``60`` -> ``PT1M``; ``90`` -> ``PT1M30S``; ``3600`` -> ``PT1H`` (what the breaker fields take)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{secs}S" if secs else "")
    return f"PT{parts or '0S'}"


def member_url(endpoint: str, deployment: str) -> str:
    """The backend url of one member: the gateway forwards to it + the operation's path."""
    return f"{endpoint.rstrip('/')}/openai/deployments/{deployment}"


class Gateway(pulumi.ComponentResource):
    def __init__(self, name: str, args: GatewayArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("imagegate:gateway:Gateway", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        gw = args.settings
        rg = args.resource_group_name
        self.service = apim.ApiManagementService(
            f"{name}-service",
            service_name=gw.name,
            resource_group_name=rg,
            location=args.location,
            sku=apim.ApiManagementServiceSkuPropertiesArgs(name=gw.sku, capacity=gw.capacity),
            publisher_name=gw.publisher_name,
            publisher_email=gw.publisher_email,
            identity=apim.ApiManagementServiceIdentityArgs(type="SystemAssigned"),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(
                parent=self, custom_timeouts=CLASSIC_TIMEOUTS if gw.sku in CLASSIC_SKUS else V2_TIMEOUTS
            ),
        )
        service_name = self.service.name
        principal = self.service.identity.apply(lambda i: (i.principal_id if i else None) or "")
        subscription = pulumi.Output.from_input(args.subscription_id)
        self.role_assignments = [
            authorization.RoleAssignment(
                f"{name}-openai-user-{account.location}",
                role_assignment_name=_assignment_name(subscription, principal, args.resource_group, account),
                scope=account.account_id,
                principal_id=principal,
                principal_type="ServicePrincipal",
                role_definition_id=subscription.apply(lambda s: role_definition_id(s, OPENAI_USER_ROLE_ID)),
                description="imagegate: the gateway calls the image deployments with its managed identity.",
                opts=child,
            )
            for account in args.accounts
        ]
        by_location = {account.location: account for account in args.accounts}
        self.apis: dict[str, apim.Api] = {}
        for alias in gw.aliases:
            self.apis[alias.name] = self._alias(name, alias, gw, service_name, rg, by_location, child)

        self.logger = apim.Logger(
            f"{name}-logger",
            logger_id=LOGGER_ID,
            logger_type="azureMonitor",
            resource_group_name=rg,
            service_name=service_name,
            description="Gateway logs to Azure Monitor (the diagnostic setting sends them to the workspace).",
            opts=child,
        )
        self.diagnostic = apim.Diagnostic(
            f"{name}-diagnostic",
            diagnostic_id=LOGGER_ID,
            logger_id=self.logger.id,
            resource_group_name=rg,
            service_name=service_name,
            always_log="allErrors",
            verbosity="information",
            log_client_ip=False,
            sampling=apim.SamplingSettingsArgs(sampling_type="fixed", percentage=100),
            opts=child,
        )
        self.diagnostic_setting = account_diagnostics(
            f"{name}-diagnostics", f"{gw.name}-diagnostics", self.service.id, args.workspace_id, child
        )
        self.subscription = (
            apim.Subscription(
                f"{name}-clients",
                sid=CLIENT_SUBSCRIPTION,
                display_name="imagegate clients",
                scope=self.service.id.apply(lambda service_id: f"{service_id}/apis"),
                state=apim.SubscriptionState.ACTIVE,
                resource_group_name=rg,
                service_name=service_name,
                opts=child,
            )
            if gw.clients.subscription_key
            else None
        )
        self.endpoint: pulumi.Output[str] = self.service.gateway_url
        self.register_outputs({"endpoint": self.endpoint, "serviceName": service_name})

    def _alias(
        self,
        name: str,
        alias: AliasConfig,
        gw: GatewayConfig,
        service_name: pulumi.Output[str],
        rg: pulumi.Input[str],
        by_location: Mapping[str, RegionalAccount],
        child: pulumi.ResourceOptions,
    ) -> apim.Api:
        members = []
        for member in alias.members:
            account = by_location[member.region]
            backend_id = gateway_backend_id(alias.name, member.region, member.deployment)
            backend = apim.Backend(
                f"{name}-{backend_id}",
                backend_id=backend_id,
                resource_group_name=rg,
                service_name=service_name,
                url=_member_url(account.endpoint, member.deployment),
                protocol="http",
                title=f"{member.deployment} in {member.region}",
                circuit_breaker=_breaker(alias.circuit_breaker),
                opts=child,
            )
            members.append((member, backend))
        pool = apim.Backend(
            f"{name}-{pool_backend_id(alias.name)}",
            backend_id=pool_backend_id(alias.name),
            resource_group_name=rg,
            service_name=service_name,
            type="Pool",
            # The spec requires url and protocol on every backend; a pool's are never called.
            url=members[0][1].url,
            protocol="http",
            title=f"Pool for {alias.name}",
            pool=apim.BackendBaseParametersPoolArgs(
                services=[
                    apim.BackendPoolItemArgs(id=backend.id, priority=member.priority, weight=member.weight)
                    for member, backend in members
                ]
            ),
            opts=child,
        )
        api = apim.Api(
            f"{name}-{alias.name}-api",
            api_id=alias.name,
            display_name=f"imagegate {alias.name}",
            path=f"openai/deployments/{alias.name}",
            protocols=["https"],
            subscription_required=gw.clients.subscription_key,
            # The openai SDK's AzureOpenAI sends its key as `api-key`: clients work unchanged.
            subscription_key_parameter_names=apim.SubscriptionKeyParameterNamesContractArgs(
                header="api-key", query="api-key"
            ),
            resource_group_name=rg,
            service_name=service_name,
            opts=child,
        )
        for operation_id, display, template in IMAGE_OPERATIONS:
            apim.ApiOperation(
                f"{name}-{alias.name}-{operation_id}",
                operation_id=operation_id,
                api_id=alias.name,
                display_name=display,
                method="POST",
                url_template=template,
                resource_group_name=rg,
                service_name=service_name,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[api]),
            )
        apim.ApiPolicy(
            f"{name}-{alias.name}-policy",
            policy_id="policy",
            api_id=alias.name,
            # "xml", the format Azure answers a GET in, so a second `up` finds the policy unchanged.
            format="xml",
            value=policy_xml(alias, gw.clients),
            resource_group_name=rg,
            service_name=service_name,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[api, pool]),
        )
        return api


def _breaker(b: CircuitBreakerConfig) -> apim.BackendCircuitBreakerArgs:
    return apim.BackendCircuitBreakerArgs(
        rules=[
            apim.CircuitBreakerRuleArgs(
                name="imagegate-breaker",
                trip_duration=iso_duration(b.trip_duration_seconds),
                accept_retry_after=b.accept_retry_after,
                failure_condition=apim.CircuitBreakerFailureConditionArgs(
                    count=b.failure_count,
                    interval=iso_duration(b.interval_seconds),
                    status_code_ranges=[
                        apim.FailureStatusCodeRangeArgs(min=r.low, max=r.high) for r in b.status_ranges
                    ],
                ),
            )
        ]
    )


def _assignment_name(
    subscription: pulumi.Output[str],
    principal: pulumi.Output[str],
    resource_group: str,
    account: RegionalAccount,
) -> pulumi.Output[str]:
    return pulumi.Output.all(subscription, principal).apply(
        lambda v: role_assignment_name(v[0], resource_group, account.account_name, v[1], OPENAI_USER_ROLE_ID)
    )


def _member_url(endpoint: pulumi.Input[str], deployment: str) -> pulumi.Output[str]:
    return pulumi.Output.from_input(endpoint).apply(lambda e: member_url(e, deployment))
