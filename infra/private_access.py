"""``imagegate:network:PrivateAccess``: a private endpoint for the account and its DNS zone group."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import network

from infra.config_sections import PrivateEndpointConfig


@dataclass(frozen=True)
class PrivateAccessArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    endpoint_name: str
    account_id: pulumi.Input[str]
    settings: PrivateEndpointConfig
    tags: Mapping[str, str]


class PrivateAccess(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: PrivateAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("imagegate:network:PrivateAccess", name, None, opts)
        # Depending on the account id means Pulumi waits for the account to finish provisioning; an endpoint
        # created while it is still Accepted fails with AccountProvisioningStateInvalid.
        self.endpoint = network.PrivateEndpoint(
            f"{name}-endpoint",
            private_endpoint_name=args.endpoint_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            subnet=network.SubnetArgs(id=args.settings.subnet_id),
            private_link_service_connections=[
                network.PrivateLinkServiceConnectionArgs(
                    name=args.endpoint_name, private_link_service_id=args.account_id, group_ids=["account"]
                )
            ],
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.zone_group = None
        if args.settings.private_dns_zone_id:
            self.zone_group = network.PrivateDnsZoneGroup(
                f"{name}-dns",
                private_dns_zone_group_name="default",
                private_endpoint_name=self.endpoint.name,
                resource_group_name=args.resource_group_name,
                private_dns_zone_configs=[
                    network.PrivateDnsZoneConfigArgs(
                        name="cognitiveservices", private_dns_zone_id=args.settings.private_dns_zone_id
                    )
                ],
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"privateEndpointId": self.endpoint.id})
