"""``imagegate:access:Access``: Cognitive Services OpenAI User on the account for each configured principal,
with role-assignment names derived from scope + principal + role so re-runs never duplicate them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization

from infra.config_sections import OpenAiUser
from infra.naming import OPENAI_USER_ROLE_ID, role_assignment_name, role_definition_id


@dataclass(frozen=True)
class AccessArgs:
    subscription_id: pulumi.Input[str]
    resource_group: str
    account_name: str
    account_id: pulumi.Input[str]
    users: Sequence[OpenAiUser]


class Access(pulumi.ComponentResource):
    def __init__(self, name: str, args: AccessArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("imagegate:access:Access", name, None, opts)
        subscription = pulumi.Output.from_input(args.subscription_id)
        self.assignments = {
            user.name: authorization.RoleAssignment(
                f"{name}-{user.name}",
                role_assignment_name=_assignment_name(subscription, args, user),
                scope=args.account_id,
                principal_id=user.principal_id,
                principal_type=user.principal_type,
                role_definition_id=subscription.apply(
                    lambda sub: role_definition_id(sub, OPENAI_USER_ROLE_ID)
                ),
                description=f"imagegate: {user.name} calls the image deployments.",
                opts=pulumi.ResourceOptions(parent=self),
            )
            for user in args.users
        }
        self.register_outputs({"roleAssignments": {k: v.name for k, v in self.assignments.items()}})


def _assignment_name(
    subscription: pulumi.Output[str], args: AccessArgs, user: OpenAiUser
) -> pulumi.Output[str]:
    return subscription.apply(
        lambda sub: role_assignment_name(
            sub, args.resource_group, args.account_name, user.principal_id, OPENAI_USER_ROLE_ID
        )
    )
