"""``imagegate:foundry:ContentFilter``: the RAI (content-filter) policy image deployments name, with an
optional custom blocklist."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import cognitiveservices as cs

from infra.config_sections import ContentFilterConfig
from infra.naming import blocklist_item_name

HARM_CATEGORIES = ("Hate", "Sexual", "Violence", "Selfharm")
SOURCES = ("Prompt", "Completion")
DETECTION_FILTERS = (
    ("Jailbreak", "Prompt"),
    ("Protected Material Text", "Completion"),
    ("Protected Material Code", "Completion"),
)


@dataclass(frozen=True)
class ContentFilterArgs:
    resource_group_name: pulumi.Input[str]
    account_name: pulumi.Input[str]
    policy_name: str
    blocklist_name: str
    settings: ContentFilterConfig
    # Account children declared before this one (the project). Azure answers RequestConflict when two
    # children of one account change at once, so every child here waits for the one before it.
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)


def content_filters(settings: ContentFilterConfig) -> list[cs.RaiPolicyContentFilterArgs]:
    """Every filter states ``blocking`` and ``source``: ARM rejects a policy that leaves them out."""
    filters = [
        cs.RaiPolicyContentFilterArgs(
            name=category,
            enabled=True,
            blocking=True,
            severity_threshold=settings.severity_threshold,
            source=source,
        )
        for category in HARM_CATEGORIES
        for source in SOURCES
    ]
    # The rest of Microsoft.DefaultV2, so this policy is never weaker than its base (and blocking where the
    # base only annotates code). The protected-material detectors read text and code completions; the RAI
    # policy API (2025-06-01) has no image-specific protected-material filter to set.
    filters.extend(
        cs.RaiPolicyContentFilterArgs(name=filter_name, enabled=True, blocking=True, source=source)
        for filter_name, source in DETECTION_FILTERS
    )
    return filters


class ContentFilter(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: ContentFilterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("imagegate:foundry:ContentFilter", name, None, opts)
        settings = args.settings
        after: list[pulumi.Resource] = list(args.after)
        custom_blocklists = None
        if settings.block_terms:
            self.blocklist = cs.RaiBlocklist(
                f"{name}-blocklist",
                account_name=args.account_name,
                resource_group_name=args.resource_group_name,
                rai_blocklist_name=args.blocklist_name,
                properties=cs.RaiBlocklistPropertiesArgs(description="Terms imagegate blocks in prompts."),
                opts=pulumi.ResourceOptions(parent=self, depends_on=after),
            )
            after = [self.blocklist]
            for term in settings.block_terms:
                item = cs.RaiBlocklistItem(
                    f"{name}-blocklist-{blocklist_item_name(term)}",
                    account_name=args.account_name,
                    resource_group_name=args.resource_group_name,
                    rai_blocklist_name=self.blocklist.name,
                    rai_blocklist_item_name=blocklist_item_name(term),
                    properties=cs.RaiBlocklistItemPropertiesArgs(pattern=term, is_regex=False),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=after),
                )
                after = [item]
            custom_blocklists = [
                cs.CustomBlocklistConfigArgs(
                    blocklist_name=args.blocklist_name, blocking=True, source="Prompt"
                )
            ]
        self.policy = cs.RaiPolicy(
            f"{name}-policy",
            account_name=args.account_name,
            resource_group_name=args.resource_group_name,
            rai_policy_name=args.policy_name,
            properties=cs.RaiPolicyPropertiesArgs(
                base_policy_name=settings.base_policy_name,
                mode="Blocking",
                content_filters=content_filters(settings),
                custom_blocklists=custom_blocklists,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=after),
        )
        self.policy_name = self.policy.name
        self.register_outputs({"raiPolicyName": self.policy_name})
