"""Names, ids and endpoints derived from the stack config. Pure: same config in, same names out, so
re-running the program never renames (and so never replaces) anything."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace

from infra.config import StackConfig

API_VERSION = "2025-04-01-preview"
OPENAI_ENDPOINT_KEY = "OpenAI Language Model Instance API"
OPENAI_USER_ROLE_ID = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"  # Cognitive Services OpenAI User
# Fixed namespace for role-assignment GUIDs; changing it would rename (re-create) every assignment.
ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("5b0ad1a4-1b8e-4a53-9c0e-6d1f0c2a7e11")


@dataclass(frozen=True)
class ResourceNames:
    resource_group: str
    account: str
    project: str
    rai_policy: str
    blocklist: str
    workspace: str
    diagnostic_setting: str
    action_group: str
    action_group_short: str
    budget: str
    private_endpoint: str

    def alert(self, key: str) -> str:
        return f"{self.account}-{key}"


def resource_names(config: StackConfig) -> ResourceNames:
    prefix = config.name_prefix
    account = config.account.custom_subdomain
    return ResourceNames(
        resource_group=config.resource_group.name,
        # The account takes its subdomain's name, as the portal does, so one name finds it everywhere.
        account=account,
        project=f"{prefix}-project",
        rai_policy=f"{prefix}-image-filter".replace("-", "_")[:64],
        blocklist=f"{prefix}-blocklist".replace("-", "_")[:64],
        workspace=f"{prefix}-logs",
        diagnostic_setting=f"{account}-diagnostics",
        action_group=f"{prefix}-alerts",
        # Azure caps the short name at 12 characters; it appears in SMS and email subjects.
        action_group_short=f"ig-{config.environment}"[:12],
        budget=f"{prefix}-monthly",
        private_endpoint=f"{account}-pe",
    )


def region_names(names: ResourceNames, custom_subdomain: str) -> ResourceNames:
    """The names of another region's account: the stack's shared names, its own account-derived ones."""
    return replace(
        names,
        account=custom_subdomain,
        diagnostic_setting=f"{custom_subdomain}-diagnostics",
        private_endpoint=f"{custom_subdomain}-pe",
    )


def gateway_backend_id(alias: str, region: str, deployment: str) -> str:
    """One member's backend id: unique per alias, as each alias has its own circuit breaker."""
    return f"{alias}-{region}-{deployment}"[:80]


def account_id(subscription_id: str, resource_group: str, account: str) -> str:
    return (
        f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"
        f"/providers/Microsoft.CognitiveServices/accounts/{account}"
    )


def role_definition_id(subscription_id: str, role_id: str) -> str:
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{role_id}"


def role_assignment_name(
    subscription_id: str, resource_group: str, account: str, principal_id: str, role_id: str
) -> str:
    """A GUID from scope + principal + role, like Bicep's ``guid(scope, principal, role)``: stable across
    runs, distinct across subscriptions, accounts, principals and roles."""
    scope = account_id(subscription_id, resource_group, account).lower()
    return str(uuid.uuid5(ROLE_ASSIGNMENT_NAMESPACE, f"{scope}|{principal_id.lower()}|{role_id.lower()}"))


def blocklist_item_name(term: str) -> str:
    """Named by the term, not its position: removing one term deletes one item instead of shifting the
    others (and their Pulumi names) along the list."""
    return f"term-{hashlib.sha256(term.encode('utf-8')).hexdigest()[:16]}"


def openai_endpoint(endpoints: Mapping[str, str] | None, custom_subdomain: str) -> str:
    """The endpoint the image routes live under: what the account reports, else the documented pattern."""
    reported = (endpoints or {}).get(OPENAI_ENDPOINT_KEY)
    if reported:
        return reported if reported.endswith("/") else reported + "/"
    return f"https://{custom_subdomain}.openai.azure.com/"
