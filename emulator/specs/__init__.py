"""Microsoft's published API contracts, vendored, and the one judge that holds answers and bodies to them.

``azure-rest-api-specs/`` mirrors the layout of the public ``Azure/azure-rest-api-specs`` repository, so
each file's relative ``$ref`` resolves unchanged; every file records its source path and commit in
``x-imagegate-vendored``. ``documents()`` lists them; ``judge.SpecJudge`` uses them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

ROOT = "azure-rest-api-specs"
BASE_URI = "https://imagegate.invalid/azure-rest-api-specs/"

Surface = Literal["arm", "dated", "v1"]


@dataclass(frozen=True)
class SpecDocument:
    """One vendored file: where it lives, which surface and api-version it describes."""

    path: str  # inside the repository, e.g. specification/common-types/...
    surface: Surface | None  # None: shared definitions only (common types)
    api_version: str | None
    namespace: str | None = None  # ARM provider namespace, lower case

    @property
    def uri(self) -> str:
        return BASE_URI + self.path


_CS = "specification/cognitiveservices"
_INSIGHTS = "specification/monitor/resource-manager/Microsoft.Insights"
_OI = "specification/operationalinsights/resource-manager"
_APIM = "specification/apimanagement/resource-manager/Microsoft.ApiManagement/stable/2024-05-01"
DOCUMENTS: tuple[SpecDocument, ...] = (
    SpecDocument("specification/common-types/resource-management/v2/types.json", None, None),
    SpecDocument("specification/common-types/resource-management/v2/privatelinks.json", None, None),
    SpecDocument(
        f"{_CS}/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json",
        "arm",
        "2025-06-01",
        "microsoft.cognitiveservices",
    ),
    SpecDocument(
        f"{_CS}/data-plane/AzureOpenAI/inference/preview/2025-04-01-preview/inference.yaml",
        "dated",
        "2025-04-01-preview",
    ),
    SpecDocument("specification/ai/data-plane/OpenAI.v1/azure-v1-preview-generated.yaml", "v1", "v1"),
    SpecDocument("specification/common-types/resource-management/v3/types.json", None, None),
    SpecDocument("specification/common-types/resource-management/v5/managedidentity.json", None, None),
    SpecDocument(f"{_INSIGHTS}/stable/2016-03-01/alertRules_API.json", None, None),
    SpecDocument(
        f"{_INSIGHTS}/stable/2018-03-01/metricAlert_API.json", "arm", "2018-03-01", "microsoft.insights"
    ),
    SpecDocument(
        "specification/authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/"
        "authorization-RoleAssignmentsCalls.json",
        "arm",
        "2022-04-01",
        "microsoft.authorization",
    ),
    SpecDocument(
        f"{_INSIGHTS}/preview/2021-05-01-preview/diagnosticsSettings_API.json",
        "arm",
        "2021-05-01-preview",
        "microsoft.insights",
    ),
    SpecDocument(
        f"{_INSIGHTS}/preview/2024-10-01-preview/actionGroups_API.json",
        "arm",
        "2024-10-01-preview",
        "microsoft.insights",
    ),
    SpecDocument("specification/monitor/common-types/v2/commonMonitoringTypes.json", None, None),
    SpecDocument(
        f"{_INSIGHTS}/stable/2024-02-01/metrics_API.json", "arm", "2024-02-01", "microsoft.insights"
    ),
    SpecDocument(f"{_OI}/common/v1/types.json", None, None),
    SpecDocument(
        f"{_OI}/Microsoft.OperationalInsights/stable/2023-09-01/Workspaces.json",
        "arm",
        "2023-09-01",
        "microsoft.operationalinsights",
    ),
    SpecDocument(
        "specification/resources/resource-manager/Microsoft.Resources/stable/2024-03-01/resources.json",
        "arm",
        "2024-03-01",
        "microsoft.resources",
    ),
    SpecDocument(
        "specification/consumption/resource-manager/Microsoft.Consumption/stable/2024-08-01/consumption.json",
        "arm",
        "2024-08-01",
        "microsoft.consumption",
    ),
    SpecDocument("specification/common-types/resource-management/v5/types.json", None, None),
    SpecDocument(f"{_APIM}/apimanagement.json", None, None),
    SpecDocument(f"{_APIM}/definitions.json", None, None),
    SpecDocument(f"{_APIM}/apimbackends.json", "arm", "2024-05-01", "microsoft.apimanagement"),
)


@cache
def load(path: str) -> dict[str, Any]:
    """The parsed contents of one vendored file (cached; treat as read-only)."""
    text = resources.files(__package__).joinpath(ROOT, path).read_text(encoding="utf-8")
    loaded = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} is not an OpenAPI document")
    return loaded


def documents() -> tuple[SpecDocument, ...]:
    return DOCUMENTS
