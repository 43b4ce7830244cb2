"""The Pulumi program as a function: ``build(config)`` declares every resource of one stack and returns
its outputs (the dict ``__main__`` exports). Safe to call once per stack in one process under mocks."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi_azure_native import authorization, resources

from infra.access import Access, AccessArgs
from infra.config import StackConfig
from infra.content_filter import ContentFilter, ContentFilterArgs
from infra.foundry_account import FoundryAccount, FoundryAccountArgs
from infra.image_deployment import ImageDeployment, ImageDeploymentArgs
from infra.monitoring import Monitoring, MonitoringArgs
from infra.naming import API_VERSION, resource_names
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

    foundry = FoundryAccount(
        "foundry",
        FoundryAccountArgs(
            resource_group_name=resource_group_name,
            location=config.location,
            account_name=names.account,
            project_name=names.project,
            account=config.account,
            tags=tags,
            protect=config.protect,
        ),
    )
    content_filter = ContentFilter(
        "content-filter",
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
    for deployment in config.image_deployments:
        previous = [image_deployments[-1].deployment] if image_deployments else []
        image_deployments.append(
            ImageDeployment(
                deployment.name,
                ImageDeploymentArgs(
                    resource_group_name=resource_group_name,
                    account_name=foundry.name,
                    rai_policy=content_filter.policy,
                    deployment=deployment,
                    after=previous,
                ),
            )
        )

    if config.account.private_endpoint is not None:
        PrivateAccess(
            "private-access",
            PrivateAccessArgs(
                resource_group_name=resource_group_name,
                location=config.location,
                endpoint_name=names.private_endpoint,
                account_id=foundry.id,
                settings=config.account.private_endpoint,
                tags=tags,
            ),
        )
    Monitoring(
        "monitoring",
        MonitoringArgs(
            resource_group_name=resource_group_name,
            location=config.location,
            account_id=foundry.id,
            subscription_id=subscription_id,
            names=names,
            settings=config.monitoring,
            tags=tags,
        ),
    )
    if config.access.open_ai_users:
        Access(
            "access",
            AccessArgs(
                subscription_id=subscription_id,
                resource_group=names.resource_group,
                account_name=names.account,
                account_id=foundry.id,
                users=config.access.open_ai_users,
            ),
        )

    return {
        "environment": config.environment,
        "location": config.location,
        "resourceGroupName": resource_group_name,
        "accountName": foundry.name,
        "accountId": foundry.id,
        "projectName": foundry.project.name,
        "raiPolicyName": content_filter.policy_name,
        "customSubdomain": config.account.custom_subdomain,
        "endpoint": foundry.endpoint,
        "apiVersion": API_VERSION,
        "localAuthDisabled": config.account.disable_local_auth,
        "deployments": pulumi.Output.all(*[d.summary for d in image_deployments]).apply(
            lambda summaries: {d.config.name: s for d, s in zip(image_deployments, summaries, strict=True)}
        ),
        "activeDeployment": config.active_deployment,
        "subscriptionId": subscription_id,
    }
