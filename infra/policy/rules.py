"""imagegate's policy rules as plain functions over (resource type, props): each returns the violations
it finds, one sentence each, and an empty list when the resource complies. ``__main__`` wires them into
a pulumi-policy pack; tests call them directly. No pulumi import, so the rules run anywhere."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ACCOUNT_TYPE = "azure-native:cognitiveservices:Account"
DEPLOYMENT_TYPE = "azure-native:cognitiveservices:Deployment"
DIAGNOSTIC_SETTING_TYPE = "azure-native:monitor:DiagnosticSetting"
KEYLESS_ENVIRONMENTS = ("prod",)
IMAGE_MODEL_PREFIXES = ("gpt-image", "dall-e")


def _get(props: Mapping[str, Any] | None, *path: str) -> Any:
    value: Any = props
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def prod_account_keyless(
    resource_type: str, props: Mapping[str, Any], keyless_environments: Sequence[str] = KEYLESS_ENVIRONMENTS
) -> list[str]:
    """An account tagged with a production environment must set ``disableLocalAuth: true``."""
    if resource_type != ACCOUNT_TYPE:
        return []
    environment = _get(props, "tags", "environment")
    if environment not in keyless_environments:
        return []
    if _get(props, "properties", "disableLocalAuth") is True:
        return []
    name = props.get("accountName") or props.get("name") or "the account"
    return [
        f"Account {name} (environment {environment}) allows key authentication; "
        "set imagegate:account.disableLocalAuth to true so only Entra ID tokens are accepted."
    ]


def image_deployment_pinned(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """An image-model deployment names an exact model version and an RAI (content-filter) policy."""
    if resource_type != DEPLOYMENT_TYPE:
        return []
    model = _get(props, "properties", "model", "name") or ""
    if not str(model).startswith(IMAGE_MODEL_PREFIXES):
        return []
    name = props.get("deploymentName") or props.get("name") or "the deployment"
    violations = []
    if not _get(props, "properties", "model", "version"):
        violations.append(f"Deployment {name} of {model} does not pin a model version; set its version.")
    if not _get(props, "properties", "raiPolicyName"):
        violations.append(f"Deployment {name} of {model} names no RAI policy; set properties.raiPolicyName.")
    return violations


@dataclass(frozen=True)
class StackResource:
    """What the stack rule needs of a resource: its type, URN, props and which resources feed each prop."""

    type: str
    urn: str
    props: Mapping[str, Any]
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)


def accounts_without_diagnostics(resources: Sequence[StackResource]) -> list[str]:
    """Every account has a diagnostic setting pointing at it (by dependency, or by id when it is known)."""
    settings = [r for r in resources if r.type == DIAGNOSTIC_SETTING_TYPE]
    violations = []
    for account in (r for r in resources if r.type == ACCOUNT_TYPE):
        name = str(account.props.get("accountName") or account.props.get("name") or account.urn)
        covered = any(_targets(setting, account.urn, name) for setting in settings)
        if not covered:
            violations.append(
                f"Account {name} has no diagnostic setting; add one that sends allLogs and AllMetrics."
            )
    return violations


def _targets(setting: StackResource, account_urn: str, account_name: str) -> bool:
    if account_urn in setting.property_dependencies.get("resourceUri", ()):
        return True
    uri = setting.props.get("resourceUri")
    return isinstance(uri, str) and uri.lower().endswith(f"/accounts/{account_name.lower()}")
