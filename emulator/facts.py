"""Every Azure fact the emulator encodes, with its source: the one place to check them against Azure.

Values used by code are module constants; ``FACTS`` lists them (and the facts that live as data in the
model catalog or as wording in ``errors.py`` / ``arm/errors.py``) with where each comes from. "Spec" means
the vendored file under ``emulator/specs`` (its path and commit are in the file); "unverified" marks a
value no public source pins down, which is configurable or says so in docs/fidelity.md.
"""

from __future__ import annotations

from dataclasses import dataclass

# ARM provisioning states (spec: cognitiveservices 2025-06-01, AccountProperties / DeploymentProperties /
# ProjectProperties provisioningState enums). An update in flight reads "Accepted": the enums have no
# "Updating". A soft-deleted account reads "Succeeded" with deletionDate/scheduledPurgeDate set: the enum
# has no "Deleted" and the deletion itself completed.
UPDATE_IN_PROGRESS_STATE = "Accepted"
DELETED_ACCOUNT_STATE = "Succeeded"

# Requests per minute per capacity unit for image models. Learn, "Azure OpenAI quotas and limits":
# "Default GPT-image-1 quota limits: 2 capacity units (6 requests per minute)"; DALL-E 3 the same ratio.
RPM_PER_CAPACITY_UNIT = 3

# ARM names. Spec: accountNameParameter (and raiPolicy/raiBlocklist/raiBlocklistItem/project name
# parameters) pattern ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$, accounts and projects 2-64 characters. Observed answer
# for a bad account name (microsoft/microsoft-foundry-for-vscode#70, HTTP 400):
INVALID_ACCOUNT_NAME_CODE = "InvalidAccountName"
INVALID_ACCOUNT_NAME_MESSAGE = (
    "The account name is invalid. Account name can only include alphanumeric characters, underscores and "
    "hyphens; Account name only allows 2 to 64 characters."
)
# Deployments have no pattern in the spec; Learn's naming rules give none either. The emulator applies the
# sibling children's spec pattern and 2-64 characters (unverified), so '..', '/', NUL and 5,000 characters
# are refused as ARM refuses malformed resource names (ARM's generic code, unverified for this RP).
CHILD_NAME_PATTERN = r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$"
CHILD_NAME_MAX = 64
INVALID_RESOURCE_NAME_CODE = "InvalidResourceName"
# A body the spec refuses. ARM's front door answers unparsable or mistyped content with this code
# (wording from memory, unverified).
INVALID_REQUEST_CONTENT_CODE = "InvalidRequestContent"

# Data plane. Spec: inference 2025-04-01-preview imageGenerationsRequest/imageEditsRequest declare no
# `stream`; the emulator refuses it there with the wording Azure uses for unknown arguments
# ("Unrecognized request argument supplied: <name>", observed on chat completions; code unverified).
NO_STREAMING_API_VERSIONS = frozenset({"2025-04-01-preview"})
UNRECOGNIZED_ARGUMENT_MESSAGE = "Unrecognized request argument supplied: {name}"
# Spec: azure-v1-preview-generated AzureErrorResponse error.type enum is ["error"].
V1_ERROR_TYPE = "error"


@dataclass(frozen=True)
class Fact:
    name: str
    value: str
    source: str


FACTS: tuple[Fact, ...] = (
    Fact("rpm per capacity unit", str(RPM_PER_CAPACITY_UNIT), "Learn: Azure OpenAI quotas and limits"),
    Fact(
        "provisioningState while updating",
        UPDATE_IN_PROGRESS_STATE,
        "spec enums (cognitiveservices 2025-06-01)",
    ),
    Fact("provisioningState of a soft-deleted account", DELETED_ACCOUNT_STATE, "spec enum; deletionDate set"),
    Fact("account name rule", "2-64, ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$", "spec accountNameParameter"),
    Fact("bad account name", INVALID_ACCOUNT_NAME_CODE, "microsoft/microsoft-foundry-for-vscode#70"),
    Fact("bad child resource name", INVALID_RESOURCE_NAME_CODE, "ARM generic code (unverified)"),
    Fact("body refused by the spec", INVALID_REQUEST_CONTENT_CODE, "ARM front door (unverified wording)"),
    Fact(
        "RAI policy/blocklist/item DELETE",
        "202 + Location, then 204",
        "spec RaiPolicies/RaiBlocklists/RaiBlocklistItems_Delete",
    ),
    Fact("image prompt_filter_results", "flat, with jailbreak", "spec AzureContentFilterImagePromptResults"),
    Fact("v1 error type", V1_ERROR_TYPE, "spec AzureErrorResponse"),
    Fact("stream on 2025-04-01-preview", "refused, 400", "spec imageGenerationsRequest (no stream)"),
    Fact(
        "model versions, SKUs, regions, quota, retirement",
        "catalog",
        "model catalog ($source and $comment per entry)",
    ),
    Fact("data-plane error codes and wording", "errors.py", "Learn image how-to, inference spec"),
    Fact("ARM error codes", "arm/errors.py", "GitHub issues cited next to each code"),
)
