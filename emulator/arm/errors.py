"""Errors the emulated ARM API answers with, as Azure Resource Manager spells them.

Providers raise these; the route layer turns every one into ARM's body ``{"error": {"code", "message"}}``
with its status, so the wording of each ARM failure lives here and nowhere else::

    EmulatorError (emulator.errors)
    └── ArmError                   status + ARM error code + one-sentence message
        └── (factories below)      one function per ARM failure the tools must survive

Codes follow the public error reports (GitHub issues) cited next to them; *unverified* marks a guess.
"""

from __future__ import annotations

from emulator import facts
from emulator.errors import EmulatorError


class ArmError(EmulatorError):
    """An ARM-shaped error answer: ``status`` plus ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, code, message)


def missing_api_version() -> ArmError:
    return ArmError(
        400,
        "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all requests.",
    )


def missing_token() -> ArmError:
    return ArmError(
        401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."
    )


def invalid_token(reason: str) -> ArmError:
    return ArmError(401, "InvalidAuthenticationToken", f"The access token is invalid: {reason}.")


def wrong_audience(audience: str) -> ArmError:
    return ArmError(
        401,
        "InvalidAuthenticationTokenAudience",
        f"The access token has been obtained for wrong audience or resource '{audience}'. It should exactly "
        "match with one of the allowed audiences 'https://management.core.windows.net/',"
        "'https://management.azure.com/'.",
    )


def expired_token() -> ArmError:
    return ArmError(
        401,
        "ExpiredAuthenticationToken",
        "The access token expiry UTC time is earlier than current UTC time; get a new token.",
    )


def resource_group_not_found(name: str) -> ArmError:
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")


def resource_not_found(resource_type: str, name: str, resource_group: str | None) -> ArmError:
    where = f" under resource group '{resource_group}'" if resource_group else ""
    return ArmError(
        404,
        "ResourceNotFound",
        f"The Resource '{resource_type}/{name}'{where} was not found. For more details please go to "
        "https://aka.ms/ARMResourceNotFoundFix",
    )


def parent_not_found(parent_id: str) -> ArmError:
    return ArmError(
        404,
        "ParentResourceNotFound",
        f"Can not perform requested operation on nested resource. Parent resource '{parent_id}' not found.",
    )


def operation_not_found(operation_id: str) -> ArmError:
    return ArmError(404, "OperationNotFound", f"The operation '{operation_id}' was not found.")


def unsupported_method(method: str, path: str) -> ArmError:
    return ArmError(405, "MethodNotAllowed", f"The HTTP method '{method}' is not supported for '{path}'.")


def invalid_body(message: str) -> ArmError:
    return ArmError(400, "InvalidRequestContent", message)


def body_too_large(cap: int) -> ArmError:
    # ARM caps request payloads at 4 MB; wording unverified.
    return ArmError(
        413,
        "RequestEntityTooLarge",
        f"The request content is larger than the limit of {cap} bytes; send a smaller resource body.",
    )


def invalid_properties(message: str) -> ArmError:
    return ArmError(400, "InvalidResourceProperties", message)


def request_conflict(account_id: str) -> ArmError:
    return ArmError(
        409,
        "RequestConflict",
        f"Another operation is being performed on the parent resource '{account_id}'. "
        "Please try again later.",
    )


def insufficient_quota(requested: int, available: int, usage_name: str) -> ArmError:
    return ArmError(
        400,
        "InsufficientQuota",
        f"The specified capacity '{requested}' of account deployment is bigger than available capacity "
        f"'{available}' for UsageName '{usage_name}'.",
    )


def invalid_capacity(capacity: object) -> ArmError:
    return ArmError(
        400,
        "InvalidCapacity",
        f"The specified capacity '{capacity}' of account deployment should be at least 1 and no more "
        "than 1000000.",
    )


def cannot_change_model() -> ArmError:
    return ArmError(400, "CannotChangeDeploymentModel", "The model of deployment cannot be changed.")


def cannot_change_capacity_and_model(deployment: str) -> ArmError:
    # azure-search-openai-demo#1154 quotes the message but not its code; InvalidResourceProperties is
    # this emulator's choice.
    return ArmError(
        400,
        "InvalidResourceProperties",
        f"Cannot change capacity and model at the same time for deployment '{deployment}'; change the "
        "version and the capacity in two steps.",
    )


def model_not_supported(model: str, version: str, sku: str, location: str) -> ArmError:
    return ArmError(
        400,
        "DeploymentModelNotSupported",
        f"The model 'Format:OpenAI,Name:{model},Version:{version}' of account deployment is not supported "
        f"with SKU '{sku}' in region '{location}'; check models.list(location) for what is offered.",
    )


def rai_policy_not_found(name: str) -> ArmError:
    # Code unverified: public reports only quote "rai policy not found".
    return ArmError(
        400,
        "RaiPolicyNotFound",
        f"Rai policy '{name}' not found; create the raiPolicy before the deployment.",
    )


def flag_must_be_set_for_restore(account_id: str) -> ArmError:
    return ArmError(
        409,
        "FlagMustBeSetForRestore",
        f"An existing resource with ID '{account_id}' has been soft-deleted. To restore the resource, you "
        "must specify 'restore' to be 'true' in the property. If you don't want to restore existing "
        "resource, please purge it first.",
    )


def custom_domain_in_use(subdomain: str) -> ArmError:
    # Status and wording unverified; the code is the one Azure reports.
    return ArmError(
        409,
        "CustomDomainInUse",
        f"Custom domain name '{subdomain}' is already used by another resource (possibly soft-deleted); pick "
        "another customSubDomainName or purge the deleted account.",
    )


def local_auth_disabled() -> ArmError:
    return ArmError(400, "BadRequest", "Failed to list key. disableLocalAuth is set to be true.")


def project_management_disabled(account: str) -> ArmError:
    return ArmError(
        400,
        "InvalidResourceProperties",
        f"Account '{account}' does not allow project management; set properties.allowProjectManagement "
        "to true.",
    )


def account_provisioning_state_invalid(account_id: str, state: str) -> ArmError:
    return ArmError(
        400,
        "AccountProvisioningStateInvalid",
        f"Call to Microsoft.CognitiveServices/accounts failed. Account {account_id} in state {state}; "
        "wait until it is Succeeded.",
    )


def invalid_account_name() -> ArmError:
    return ArmError(400, facts.INVALID_ACCOUNT_NAME_CODE, facts.INVALID_ACCOUNT_NAME_MESSAGE)


def invalid_resource_name(name: str) -> ArmError:
    shown = name if len(name) <= 80 else name[:80] + "..."
    return ArmError(
        400,
        facts.INVALID_RESOURCE_NAME_CODE,
        f"The resource name {shown!r} is invalid. It must be 1 to {facts.CHILD_NAME_MAX} characters, start "
        "with a letter or digit and contain only letters, digits, underscores, periods and hyphens.",
    )


def invalid_request_content(problem: str) -> ArmError:
    return ArmError(
        400,
        facts.INVALID_REQUEST_CONTENT_CODE,
        f"The request content was invalid and could not be deserialized: {problem}",
    )
