"""The Pulumi program as a function: ``build(config)`` declares every resource of one stack and returns
its outputs (the dict ``__main__`` exports). Safe to call once per stack in one process under mocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_azure_native import authorization, resources

from infra.access import Access, AccessArgs
from infra.account_monitoring import AccountMonitoring, AccountMonitoringArgs
from infra.config import GatewayConfig, RegionConfig, StackConfig
from infra.content_filter import ContentFilter, ContentFilterArgs
from infra.foundry_account import FoundryAccount, FoundryAccountArgs
from infra.gateway import Gateway, GatewayArgs, RegionalAccount
from infra.image_deployment import ImageDeployment, ImageDeploymentArgs
from infra.monitoring import Monitoring, MonitoringArgs
from infra.naming import API_VERSION, ResourceNames, region_names, resource_names
from infra.private_access import PrivateAccess, PrivateAccessArgs


def build(config: StackConfig) -> dict[str, Any]:
    """Declare the stack's resources; returns ``{output name: value or Output}`` per docs/CONTRACTS.md."""
    names = resource_names(config)
    tags = {"environment": config.environment, "managedBy": "imagegate-pulumi", **config.tags}
    client = authorization.get_client_config_output()
    subscription_id = client.subscription_id

    if config.resource_group.existing:
        resource_group_name: pulumi.Input[str] = names.resource_group
    else:
        group = resources.ResourceGroup(
            "resource-group",
            resource_group_name=names.resource_group,
            location=config.location,
            tags=tags,
        )
        resource_group_name = group.name

    regional: list[_Region] = []
    monitoring: Monitoring | None = None
    for index, region in enumerate(config.regions):
        # The first region keeps today's logical names, so a stack that gains regions keeps its account.
        suffix = "" if index == 0 else f"-{region.location}"
        region_names_ = names if index == 0 else region_names(names, region.account.custom_subdomain)
        built = _declare_region(
            config, region, suffix, region_names_, resource_group_name, tags, subscription_id
        )
        if monitoring is None:
            monitoring = Monitoring(
                "monitoring",
                MonitoringArgs(
                    resource_group_name=resource_group_name,
                    location=config.location,
                    account_id=built.foundry.id,
                    subscription_id=subscription_id,
                    names=names,
                    settings=config.monitoring,
                    tags=tags,
                ),
            )
        else:
            AccountMonitoring(
                f"monitoring{suffix}",
                AccountMonitoringArgs(
                    resource_group_name=resource_group_name,
                    account_id=built.foundry.id,
                    workspace_id=monitoring.workspace.id,
                    action_group_id=monitoring.action_group.id,
                    names=region_names_,
                    settings=config.monitoring,
                    tags=tags,
                ),
            )
        regional.append(built)
    first = regional[0]
    assert monitoring is not None  # a stack has at least one region

    outputs: dict[str, Any] = {
        "environment": config.environment,
        "location": config.location,
        "resourceGroupName": resource_group_name,
        "accountName": first.foundry.name,
        "accountId": first.foundry.id,
        "projectName": first.foundry.project.name,
        "raiPolicyName": first.content_filter.policy_name,
        "customSubdomain": config.account.custom_subdomain,
        "endpoint": first.foundry.endpoint,
        "apiVersion": API_VERSION,
        "localAuthDisabled": config.account.disable_local_auth,
        "deployments": _summaries(first.deployments),
        "activeDeployment": config.active_deployment,
        "subscriptionId": subscription_id,
    }
    if config.gateway is not None:
        gateway = Gateway(
            "gateway",
            GatewayArgs(
                resource_group_name=resource_group_name,
                resource_group=names.resource_group,
                location=config.location,
                subscription_id=subscription_id,
                settings=config.gateway,
                accounts=[
                    RegionalAccount(r.region.location, r.foundry_name, r.foundry.id, r.foundry.endpoint)
                    for r in regional
                ],
                workspace_id=monitoring.workspace.id,
                tags=tags,
            ),
        )
        outputs["gateway"] = _gateway_outputs(config.gateway, gateway, regional)
    return outputs


@dataclass(frozen=True)
class _Region:
    region: RegionConfig
    foundry_name: str
    foundry: FoundryAccount
    content_filter: ContentFilter
    deployments: tuple[ImageDeployment, ...]


def _declare_region(
    config: StackConfig,
    region: RegionConfig,
    suffix: str,
    names: ResourceNames,
    resource_group_name: pulumi.Input[str],
    tags: dict[str, str],
    subscription_id: pulumi.Output[str],
) -> _Region:
    """One region's account, project, filter, deployments (one at a time), private access and access."""
    foundry = FoundryAccount(
        f"foundry{suffix}",
        FoundryAccountArgs(
            resource_group_name=resource_group_name,
            location=region.location,
            account_name=names.account,
            project_name=names.project,
            account=region.account,
            tags=tags,
            protect=config.protect,
        ),
    )
    content_filter = ContentFilter(
        f"content-filter{suffix}",
        ContentFilterArgs(
            resource_group_name=resource_group_name,
            account_name=foundry.name,
            policy_name=names.rai_policy,
            blocklist_name=names.blocklist,
            settings=config.content_filter,
            after=[foundry.project],
        ),
    )

    image_deployments: list[ImageDeployment] = []
    for deployment in region.deployments:
        previous = [image_deployments[-1].deployment] if image_deployments else []
        image_deployments.append(
            ImageDeployment(
                f"{deployment.name}{suffix}",
                ImageDeploymentArgs(
                    resource_group_name=resource_group_name,
                    account_name=foundry.name,
                    rai_policy=content_filter.policy,
                    deployment=deployment,
                    after=previous,
                ),
            )
        )

    if region.account.private_endpoint is not None:
        PrivateAccess(
            f"private-access{suffix}",
            PrivateAccessArgs(
                resource_group_name=resource_group_name,
                location=region.location,
                endpoint_name=names.private_endpoint,
                account_id=foundry.id,
                settings=region.account.private_endpoint,
                tags=tags,
            ),
        )
    if config.access.open_ai_users:
        Access(
            f"access{suffix}",
            AccessArgs(
                subscription_id=subscription_id,
                resource_group=names.resource_group,
                account_name=names.account,
                account_id=foundry.id,
                users=config.access.open_ai_users,
            ),
        )
    return _Region(region, names.account, foundry, content_filter, tuple(image_deployments))


def _summaries(deployments: tuple[ImageDeployment, ...]) -> pulumi.Output[dict[str, Any]]:
    return pulumi.Output.all(*[d.summary for d in deployments]).apply(
        lambda summaries: {d.config.name: s for d, s in zip(deployments, summaries, strict=True)}
    )


def _gateway_outputs(
    settings: GatewayConfig, gateway: Gateway, regional: list[_Region]
) -> pulumi.Output[dict[str, Any]]:
    """``gateway`` of the stack outputs: the endpoint and, per alias, its members (never a key)."""
    by_location = {r.region.location: r for r in regional}
    endpoints = pulumi.Output.all(*[r.foundry.endpoint for r in regional]).apply(
        lambda values: {r.region.location: e for r, e in zip(regional, values, strict=True)}
    )

    def shape(values: list[Any]) -> dict[str, Any]:
        endpoint, account_endpoints = values
        return {
            "endpoint": endpoint,
            "apiVersion": API_VERSION,
            "aliases": {
                alias.name: {
                    "model": alias.model,
                    "version": alias.version,
                    "members": [
                        {
                            "region": m.region,
                            "account": by_location[m.region].foundry_name,
                            "endpoint": account_endpoints[m.region],
                            "deployment": m.deployment,
                            "priority": m.priority,
                            "weight": m.weight,
                        }
                        for m in alias.members
                    ],
                }
                for alias in settings.aliases
            },
        }

    return pulumi.Output.all(gateway.endpoint, endpoints).apply(shape)
