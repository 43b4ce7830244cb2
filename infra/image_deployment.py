"""``imagegate:foundry:ImageDeployment``: one GPT-Image model deployment on the account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import cognitiveservices as cs

from infra.deployments_config import DeploymentConfig

# Deployments are long-running ARM operations; the provider default can give up on a busy region.
DEPLOYMENT_TIMEOUTS = pulumi.CustomTimeouts(create="45m", update="45m", delete="30m")


@dataclass(frozen=True)
class ImageDeploymentArgs:
    resource_group_name: pulumi.Input[str]
    account_name: pulumi.Input[str]
    rai_policy: cs.RaiPolicy
    deployment: DeploymentConfig
    # The deployment declared before this one on the same account: Azure refuses concurrent changes
    # (RequestConflict), so each waits for the previous.
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)


class ImageDeployment(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: ImageDeploymentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("imagegate:foundry:ImageDeployment", name, None, opts)
        d = args.deployment
        self.config = d
        self.deployment = cs.Deployment(
            f"{name}-deployment",
            account_name=args.account_name,
            resource_group_name=args.resource_group_name,
            deployment_name=d.name,
            sku=cs.SkuArgs(name=d.sku, capacity=d.capacity),
            properties=cs.DeploymentPropertiesArgs(
                model=cs.DeploymentModelArgs(format="OpenAI", name=d.model, version=d.version),
                rai_policy_name=args.rai_policy.name,
                version_upgrade_option=d.version_upgrade_option,
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[args.rai_policy, *args.after],
                custom_timeouts=DEPLOYMENT_TIMEOUTS,
            ),
        )
        # What Azure reports (a dev deployment may have auto-upgraded), not only what was asked for.
        # Each field is read in its own apply: typed output objects do not survive Output.all.
        model = self.deployment.properties.apply(
            lambda p: (p.model.name if p and p.model else None) or d.model
        )
        version = self.deployment.properties.apply(
            lambda p: (p.model.version if p and p.model else None) or d.version
        )
        sku = self.deployment.sku.apply(lambda s: (s.name if s else None) or d.sku)
        capacity = self.deployment.sku.apply(
            lambda s: s.capacity if s and s.capacity is not None else d.capacity
        )
        self.summary: pulumi.Output[dict[str, object]] = pulumi.Output.all(
            model, version, sku, capacity
        ).apply(lambda v: {"model": v[0], "version": v[1], "sku": v[2], "capacity": v[3], "role": d.role})
        self.register_outputs({"deploymentName": self.deployment.name, "summary": self.summary})
