"""How a pulumi-azure-native resource, as the mock runtime hands it over, becomes an ARM request.

Pure. In mocks the inputs are the provider's camelCase names: the path parameters (``accountName``,
``resourceGroupName``, ``scope``...) sit next to the body, and for most non-Cognitive-Services types the
provider *flattens* ARM's ``properties`` into top-level inputs. This module undoes both, and maps the ARM
answer back to the output shape the program reads (``account.properties.endpoints``, ``customerId``).
The pulumi-azure-native provider binary holds this metadata and cannot run here: api-versions come from
the installed provider's documentation and wire names from Microsoft's specs (wire_names.py); the table
keeps paths, name inputs and the layout of types no vendored spec covers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import EngineUsageError, UnsupportedResource
from engine.wire_names import body_from_spec, provider_api_version

RG = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
CS_ACCOUNT = RG + "/providers/Microsoft.CognitiveServices/accounts/{accountName}"
APIM_SERVICE = RG + "/providers/Microsoft.ApiManagement/service/{serviceName}"
APIM_API = APIM_SERVICE + "/apis/{apiId}"
APIM = "2024-05-01"
# Keys that ARM keeps beside ``properties`` on every flattened type below.
COMMON_TOP_LEVEL = frozenset(
    {"location", "tags", "identity", "etag", "eTag", "kind", "zones", "extendedLocation"}
)


@dataclass(frozen=True)
class ArmType:
    """One resource type: its ARM path, api-version and how its inputs are laid out."""

    token: str
    path: str
    api_version: str
    # The input carrying the resource's own name; absent inputs fall back to the Pulumi logical name.
    name_param: str
    flattened: bool = False
    top_level: frozenset[str] = COMMON_TOP_LEVEL
    # "stack" fills a missing location with the stack's region, as the provider's default location does.
    default_location: str | None = None

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(p for p in re.findall(r"{(\w+)}", self.path) if p != "subscriptionId")


def _types(*items: ArmType) -> dict[str, ArmType]:
    return {item.token: item for item in items}


ARM_TYPES: Mapping[str, ArmType] = _types(
    ArmType("azure-native:resources:ResourceGroup", RG, "2024-03-01", "resourceGroupName",
            default_location="stack"),
    ArmType("azure-native:cognitiveservices:Account", CS_ACCOUNT, "2025-06-01", "accountName",
            default_location="stack"),
    ArmType("azure-native:cognitiveservices:Deployment", CS_ACCOUNT + "/deployments/{deploymentName}",
            "2025-06-01", "deploymentName"),
    ArmType("azure-native:cognitiveservices:RaiPolicy", CS_ACCOUNT + "/raiPolicies/{raiPolicyName}",
            "2025-06-01", "raiPolicyName"),
    ArmType("azure-native:cognitiveservices:RaiBlocklist", CS_ACCOUNT + "/raiBlocklists/{raiBlocklistName}",
            "2025-06-01", "raiBlocklistName"),
    ArmType("azure-native:cognitiveservices:RaiBlocklistItem",
            CS_ACCOUNT + "/raiBlocklists/{raiBlocklistName}/raiBlocklistItems/{raiBlocklistItemName}",
            "2025-06-01", "raiBlocklistItemName"),
    ArmType("azure-native:cognitiveservices:Project", CS_ACCOUNT + "/projects/{projectName}", "2025-06-01",
            "projectName", default_location="stack"),
    ArmType("azure-native:operationalinsights:Workspace",
            RG + "/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}", "2023-09-01",
            "workspaceName", flattened=True, default_location="stack"),
    ArmType("azure-native:monitor:DiagnosticSetting",
            "{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}", "2021-05-01-preview",
            "name", flattened=True),
    ArmType("azure-native:monitor:ActionGroup",
            RG + "/providers/Microsoft.Insights/actionGroups/{actionGroupName}", "2024-10-01-preview",
            "actionGroupName", flattened=True),
    ArmType("azure-native:monitor:MetricAlert", RG + "/providers/Microsoft.Insights/metricAlerts/{ruleName}",
            "2018-03-01", "ruleName", flattened=True),
    ArmType("azure-native:consumption:Budget", "{scope}/providers/Microsoft.Consumption/budgets/{budgetName}",
            "2024-08-01", "budgetName", flattened=True),
    ArmType("azure-native:authorization:RoleAssignment",
            "{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}", "2022-04-01",
            "roleAssignmentName", flattened=True),
    ArmType("azure-native:network:PrivateEndpoint",
            RG + "/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}", "2024-05-01",
            "privateEndpointName", flattened=True, top_level=COMMON_TOP_LEVEL | {"id"},
            default_location="stack"),
    ArmType("azure-native:network:PrivateDnsZoneGroup",
            RG + "/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}"
            "/privateDnsZoneGroups/{privateDnsZoneGroupName}", "2024-05-01",
            "privateDnsZoneGroupName", flattened=True, top_level=COMMON_TOP_LEVEL | {"id", "name"}),
    # API Management (the gateway): the provider flattens ``properties`` of every type; a service keeps
    # its ``sku`` beside them.
    ArmType("azure-native:apimanagement:ApiManagementService", APIM_SERVICE, APIM, "serviceName",
            flattened=True, top_level=COMMON_TOP_LEVEL | {"sku"}, default_location="stack"),
    ArmType("azure-native:apimanagement:Backend", APIM_SERVICE + "/backends/{backendId}", APIM, "backendId",
            flattened=True),
    ArmType("azure-native:apimanagement:Api", APIM_API, APIM, "apiId", flattened=True),
    ArmType("azure-native:apimanagement:ApiOperation", APIM_API + "/operations/{operationId}", APIM,
            "operationId", flattened=True),
    ArmType("azure-native:apimanagement:ApiPolicy", APIM_API + "/policies/{policyId}", APIM, "policyId",
            flattened=True),
    ArmType("azure-native:apimanagement:Subscription", APIM_SERVICE + "/subscriptions/{sid}", APIM, "sid",
            flattened=True),
    ArmType("azure-native:apimanagement:Logger", APIM_SERVICE + "/loggers/{loggerId}", APIM, "loggerId",
            flattened=True),
    ArmType("azure-native:apimanagement:Diagnostic", APIM_SERVICE + "/diagnostics/{diagnosticId}", APIM,
            "diagnosticId", flattened=True),
)


@dataclass(frozen=True)
class ArmRequest:
    """A resource as ARM sees it: its id (the URL path), api-version and PUT body."""

    token: str
    logical_name: str
    path: str
    api_version: str
    body: Mapping[str, Any]

    @property
    def arm_name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def kind(self) -> str:
        """``cognitiveservices:Deployment`` - the token without the provider, for progress lines."""
        return self.token.split(":", 1)[-1]


def arm_type_for(token: str) -> ArmType:
    try:
        return ARM_TYPES[token]
    except KeyError:
        raise UnsupportedResource(
            f"The local engine cannot apply resource type {token}; add it to emulator/engine/resource_map.py."
        ) from None


def is_azure_resource(token: str) -> bool:
    """True for resources the engine must apply; components and providers are only bookkeeping."""
    return token.startswith("azure-native:")


def to_arm_request(
    token: str,
    logical_name: str,
    inputs: Mapping[str, Any],
    *,
    subscription_id: str,
    location: str,
) -> ArmRequest:
    """Translate mock-runtime inputs into the ARM resource id and PUT body."""
    arm_type = arm_type_for(token)
    values = _as_arm_json(dict(inputs))
    values.setdefault(arm_type.name_param, logical_name)
    params: dict[str, str] = {"subscriptionId": subscription_id}
    for param in arm_type.path_params:
        value = values.pop(param, None)
        if not isinstance(value, str) or not value:
            raise EngineUsageError(f"{logical_name} ({token}) has no '{param}'; the program must set it.")
        params[param] = value.rstrip("/")
    path = arm_type.path.format(**params)
    if not path.startswith("/"):
        raise EngineUsageError(f"{logical_name} ({token}) has a scope that is not an ARM id: {path!r}.")
    # The provider's own api-version and, where Microsoft's spec for it is vendored, the provider's wire
    # names (engine/wire_names.py); the table below is the fallback for types no vendored spec covers.
    api_version = provider_api_version(token) or arm_type.api_version
    body = body_from_spec(path, api_version, values)
    if body is None:
        body = _arrange_body(arm_type, values)
    if arm_type.default_location == "stack":
        body.setdefault("location", location)
    return ArmRequest(token, logical_name, path, api_version, body)


def to_pulumi_outputs(token: str, inputs: Mapping[str, Any], arm_body: Mapping[str, Any]) -> dict[str, Any]:
    """The resource's outputs as the provider would report them: inputs overlaid with ARM's answer."""
    arm_type = arm_type_for(token)
    outputs = _as_arm_json(dict(inputs))
    answer = dict(arm_body)
    properties = answer.pop("properties", None)
    outputs.update(answer)
    if isinstance(properties, Mapping):
        if arm_type.flattened:
            outputs.update(properties)
        else:
            outputs["properties"] = dict(properties)
    return outputs


def is_subset(desired: Any, actual: Any) -> bool:
    """True when everything ``desired`` says is already in ``actual`` (ARM adds read-only fields)."""
    if isinstance(desired, Mapping):
        if not isinstance(actual, Mapping):
            return False
        return all(key in actual and is_subset(value, actual[key]) for key, value in desired.items())
    if isinstance(desired, list | tuple):
        if not isinstance(actual, list | tuple) or len(desired) != len(actual):
            return False
        return all(is_subset(d, a) for d, a in zip(desired, actual, strict=True))
    if isinstance(desired, bool) or isinstance(actual, bool):
        return desired is actual
    if isinstance(desired, int | float) and isinstance(actual, int | float):
        return float(desired) == float(actual)
    return bool(desired == actual)


def _arrange_body(arm_type: ArmType, values: dict[str, Any]) -> dict[str, Any]:
    if not arm_type.flattened:
        return values
    body = {key: value for key, value in values.items() if key in arm_type.top_level}
    properties = dict(values.get("properties") or {})
    nested = arm_type.top_level | {"properties"}
    properties.update({key: value for key, value in values.items() if key not in nested})
    if properties:
        body["properties"] = properties
    return body


def _as_arm_json(value: Any) -> Any:
    """Drop unset inputs and give whole numbers back their integer type.

    Pulumi carries numbers as protobuf doubles, so ``capacity: 2`` reaches the mocks as ``2.0``; the
    provider restores integers from its schema, and ARM rejects ``2.0`` where it wants an integer.
    """
    if isinstance(value, Mapping):
        return {k: _as_arm_json(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_as_arm_json(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
