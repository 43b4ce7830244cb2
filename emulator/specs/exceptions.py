"""Where Microsoft's vendored specs are themselves wrong or silent: each exception once, with its reason.

The judge, the schemathesis run and docs/fidelity.md read this table and nothing else; an exception not
listed here does not exist. ``applies(key, operation_id)`` is how code asks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpecException:
    key: str
    operations: tuple[str, ...]  # operationIds it covers; () for a rule about documents
    what: str
    reason: str
    # Instance locations (``a/0/b``) in an answer whose schema errors this exception tolerates.
    paths: tuple[str, ...] = ()


EXCEPTIONS: tuple[SpecException, ...] = (
    SpecException(
        "edits-body-multipart",
        ("ImageGenerations_Edit",),
        "The 2025-04-01-preview file declares the edits request body as application/json; the emulator "
        "takes multipart/form-data and the request body is not generated or judged from the spec.",
        "Every client sends multipart (the openai SDK's images.edit, curl examples in Learn's "
        "dall-e how-to), the schema itself uses format: binary, and the v1 spec and OpenAI's own API "
        "declare multipart/form-data for edits.",
    ),
    SpecException(
        "v1-edits-undeclared",
        ("createImage",),
        "POST /openai/v1/images/edits is judged by the v1 createImage operation's responses.",
        "The vendored v1 file (azure-v1-preview-generated.yaml at 0723d852) declares no /images/edits "
        "operation, yet the service and the openai SDK's images.edit use it; both routes answer "
        "AzureImagesResponse / AzureErrorResponse in OpenAI's API.",
    ),
    SpecException(
        "image-streaming",
        ("createImage", "ImageGenerations_Create", "ImageGenerations_Edit"),
        "On the v1 surface a text/event-stream answer (stream=true) is accepted without a declared "
        "media type; its events are not schema-checked.",
        "gpt-image models stream partial images on v1 (Learn's image how-to; OpenAI's images API "
        "documents stream and partial_images) but this v1 file version declares only application/json. "
        "The dated 2025-04-01-preview file has no streaming and the emulator refuses stream=true there; "
        "later dated versions, judged by that file (newer-api-version), stream like v1.",
    ),
    SpecException(
        "gpt-image-2-sizes",
        ("createImage",),
        "The v1 AzureImagesResponse size enum (1024x1024, 1024x1536, 1536x1024) is not applied to image "
        "answers (an answer does not name its model, and gpt-image-2 answers echo the requested WxH).",
        "gpt-image-2 accepts arbitrary WxH sizes (Learn's image how-to); the "
        "enum in this file version predates it.",
        paths=("size",),
    ),
    SpecException(
        "newer-api-version",
        (),
        "A request at an api-version newer than every vendored file of its surface is judged by the "
        "newest vendored file (ARM 2025-09-01, the azure-mgmt-cognitiveservices 14.1 default, by "
        "2025-06-01; dated data-plane versions after 2025-04-01-preview by 2025-04-01-preview).",
        "The program and the local engine use 2025-06-01 and 2025-04-01-preview; newer files add "
        "operations and properties but the vendored ones are what the program is held to.",
    ),
    SpecException(
        "resources-cloud-error",
        ("ResourceGroups_CreateOrUpdate", "ResourceGroups_Get", "ResourceGroups_Delete"),
        "An error answer to a resource group operation is judged on its status (declared by default) "
        "but not on its body.",
        "resources.json 2024-03-01 types errors as CloudError, whose error property refers to "
        "common-types/resource-management/v1/types.json#/definitions/ErrorResponse; the only stored "
        "version of that file (020576d2) has no ErrorResponse, so the schema cannot be vendored "
        "unchanged. The emulator's error bodies are the ARM shape the other vendored files judge.",
    ),
    SpecException(
        "apimanagement-unvendored",
        (
            "ApiManagementService_CreateOrUpdate",
            "Api_CreateOrUpdate",
            "ApiOperation_CreateOrUpdate",
            "ApiPolicy_CreateOrUpdate",
            "Subscription_CreateOrUpdate",
            "Logger_CreateOrUpdate",
            "Diagnostic_CreateOrUpdate",
        ),
        "The gateway program's API Management bodies other than backends (service, api, operation, api "
        "policy, subscription, logger, diagnostic at 2024-05-01) are not judged; the emulator's own "
        "validation (emulator/apim/resources.py) checks their required properties and parses the policy.",
        "Only apimbackends.json (with the definitions and parameters it refers to) of "
        "specification/apimanagement/resource-manager/Microsoft.ApiManagement/stable/2024-05-01/ is vendored "
        "yet; apimdeployment.json, apimapis.json, apimsubscriptions.json, apimloggers.json and "
        "apimdiagnostics.json are the files that would judge the rest.",
    ),
    SpecException(
        "monitor-v1-error",
        ("Metrics_List",),
        "An error answer to a metrics query is judged on its status (declared by default) but not on "
        "its body.",
        "metrics_API.json 2024-02-01 types Metrics_List's errors as "
        "common-types/resource-management/v1/types.json#/definitions/ErrorResponse; the only stored "
        "version of that file (020576d2) has no ErrorResponse. Azure Monitor answers a top-level "
        '{"code": "BadRequest", "message"} (Azure/azure-sdk-for-net#29584), which the emulator sends.',
    ),
)


_BY_KEY = {exception.key: exception for exception in EXCEPTIONS}


def tolerated_paths(operation_id: str) -> frozenset[str]:
    return frozenset(p for e in EXCEPTIONS if operation_id in e.operations for p in e.paths)


def applies(key: str, operation_id: str | None = None) -> bool:
    exception = _BY_KEY.get(key)
    if exception is None:
        return False
    return operation_id is None or not exception.operations or operation_id in exception.operations
