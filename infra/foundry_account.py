"""``imagegate:foundry:Account``: the Foundry (AIServices) account and its Foundry project."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import cognitiveservices as cs

from infra.config_sections import AccountConfig
from infra.naming import openai_endpoint


@dataclass(frozen=True)
class FoundryAccountArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    account_name: str
    project_name: str
    account: AccountConfig
    tags: Mapping[str, str]
    protect: bool


class FoundryAccount(pulumi.ComponentResource):
    """An AIServices account (S0, custom subdomain, system identity, project management on) plus a project.

    ``endpoint`` is the OpenAI endpoint the account reports, falling back to ``https://<subdomain>.openai.azure.com/``.
    Keys are never read here: nothing downstream needs them.
    """

    def __init__(
        self, name: str, args: FoundryAccountArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("imagegate:foundry:Account", name, None, opts)
        settings = args.account
        network_acls = None
        if settings.ip_rules or settings.public_network_access == "Disabled":
            # With IP rules the default must be Deny, or the rules would allow nothing extra.
            network_acls = cs.NetworkRuleSetArgs(
                default_action="Deny",
                ip_rules=[cs.IpRuleArgs(value=rule) for rule in settings.ip_rules],
            )
        self.account = cs.Account(
            f"{name}-account",
            account_name=args.account_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind="AIServices",
            sku=cs.SkuArgs(name="S0"),
            identity=cs.IdentityArgs(type=cs.ResourceIdentityType.SYSTEM_ASSIGNED),
            properties=cs.AccountPropertiesArgs(
                custom_sub_domain_name=settings.custom_subdomain,
                disable_local_auth=settings.disable_local_auth,
                public_network_access=settings.public_network_access,
                network_acls=network_acls,
                allow_project_management=True,
            ),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.project = cs.Project(
            f"{name}-project",
            account_name=self.account.name,
            project_name=args.project_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            identity=cs.IdentityArgs(type=cs.ResourceIdentityType.SYSTEM_ASSIGNED),
            properties=cs.ProjectPropertiesArgs(
                display_name=args.project_name,
                description="GPT-Image deployments managed by imagegate.",
            ),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        subdomain = settings.custom_subdomain
        self.name = self.account.name
        self.id = self.account.id
        self.endpoint: pulumi.Output[str] = self.account.properties.apply(
            lambda p: openai_endpoint(p.endpoints if p is not None else None, subdomain)
        )
        self.register_outputs(
            {
                "accountName": self.name,
                "accountId": self.id,
                "endpoint": self.endpoint,
                "projectName": self.project.name,
            }
        )
