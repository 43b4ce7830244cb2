"""Ask Azure (or the emulator) what preflight needs, through azure-mgmt-cognitiveservices.

Read-only: ``models.list``, ``usages.list`` (in every region of the stack, and with capacity planning
in every region the catalog offers the model in), ``accounts.get``, ``deployments.list`` and
``deleted_accounts.list``; nothing is created or changed. The SDK and azure-identity are imported lazily
so the pure verdicts in ``preflight.checks`` never need them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from preflight.checks import (
    AzureView,
    DeletedAccount,
    ExistingDeployment,
    OfferedModel,
    PreflightPlan,
    Usage,
)
from preflight.errors import AzureQueryError

__all__ = ["AzureQueryError", "arm_sdk_client", "fetch_usages", "fetch_view", "make_client"]


def make_client(
    subscription_id: str,
    credential: Any | None = None,
    *,
    arm_endpoint: str | None = None,
    ca_bundle: str | None = None,
    retries: int | None = None,
) -> Any:
    """A ``CognitiveServicesManagementClient``; ``arm_endpoint``/``ca_bundle`` aim it at the emulator.

    ``retries`` caps azure-core's retries of a failed request (None keeps its default: 3 per kind, with a
    backoff that makes an unreachable endpoint cost about 5 s)."""
    from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient

    return arm_sdk_client(
        CognitiveServicesManagementClient, subscription_id, credential,
        arm_endpoint=arm_endpoint, ca_bundle=ca_bundle, retries=retries,
    )


def arm_sdk_client(
    client_class: Any,
    subscription_id: str,
    credential: Any | None = None,
    *,
    arm_endpoint: str | None = None,
    ca_bundle: str | None = None,
    retries: int | None = None,
) -> Any:
    """Any azure-mgmt client class, built the one way: DefaultAzureCredential unless one is given, and
    ``arm_endpoint``/``ca_bundle``/``retries`` as ``make_client`` takes them."""
    if credential is None:
        from azure.identity import DefaultAzureCredential

        credential = DefaultAzureCredential()
    kwargs: dict[str, Any] = {}
    if arm_endpoint:
        kwargs["base_url"] = arm_endpoint.rstrip("/")
    if ca_bundle:
        kwargs["connection_verify"] = ca_bundle
    if retries is not None:
        kwargs["retry_total"] = retries
    return client_class(credential, subscription_id, **kwargs)


def fetch_view(client: Any, plan: PreflightPlan) -> AzureView:
    """Everything the verdicts need, in one pass; raises :class:`AzureQueryError` with one sentence."""
    from azure.core.exceptions import HttpResponseError

    with _asking():
        offered = tuple(_offered(item) for item in client.models.list(plan.location) if _is_image_model(item))
        usages = tuple(_usage(item) for item in client.usages.list(plan.location))
        existing = _existing_deployments(client, plan, HttpResponseError)
        deleted = tuple(_deleted(item) for item in client.deleted_accounts.list())
    return AzureView(offered=offered, usages=usages, existing=existing, deleted_accounts=deleted)


def fetch_usages(client: Any, location: str) -> tuple[Usage, ...]:
    """``usages.list(location)``: the subscription's quota in one region (capacity planning reads the
    regions the stack does not use); raises :class:`AzureQueryError` with one sentence."""
    with _asking():
        return tuple(_usage(item) for item in client.usages.list(location))


@contextmanager
def _asking() -> Iterator[None]:
    """Turn azure-core's failures into one :class:`AzureQueryError` sentence each."""
    from azure.core.exceptions import (
        AzureError,
        ClientAuthenticationError,
        DecodeError,
        DeserializationError,
        HttpResponseError,
        ServiceRequestError,
    )

    try:
        yield
    except ClientAuthenticationError as exc:
        raise AzureQueryError(
            f"Azure refused the credentials ({_first_line(exc)}); run `az login` or set AZURE_* variables."
        ) from exc
    except ServiceRequestError as exc:
        raise AzureQueryError(f"Cannot reach Azure Resource Manager ({_first_line(exc)}).") from exc
    except HttpResponseError as exc:
        raise AzureQueryError(f"Azure answered {exc.status_code}: {_first_line(exc)}") from exc
    except (DeserializationError, DecodeError) as exc:
        # An exit 1 here would read as "blockers found"; an answer the SDK cannot read is a query error.
        raise AzureQueryError(
            "The answer of Azure Resource Manager could not be read by azure-mgmt-cognitiveservices "
            f"({_first_line(exc).split(' Data:')[0][:200]}); check --arm-endpoint points at ARM."
        ) from exc
    except AzureError as exc:
        raise AzureQueryError(f"Asking Azure Resource Manager failed ({_first_line(exc)[:200]}).") from exc


def _existing_deployments(
    client: Any, plan: PreflightPlan, http_error: type[Exception]
) -> tuple[ExistingDeployment, ...]:
    try:
        items = list(client.deployments.list(plan.resource_group, plan.account_name))
    except http_error as exc:
        # No account (or no resource group) yet: a first `up`, nothing deployed to compare with.
        if getattr(exc, "status_code", None) == 404:
            return ()
        raise
    return tuple(_deployment(item) for item in items)


def _is_image_model(item: Any) -> bool:
    model = getattr(item, "model", None)
    return model is not None and bool(model.name)


def _offered(item: Any) -> OfferedModel:
    model = item.model
    retirement = None
    deprecation = getattr(model, "deprecation", None)
    if deprecation is not None and deprecation.inference:
        retirement = _date(deprecation.inference)
    skus = tuple(s.name for s in (model.skus or []) if s.name)
    return OfferedModel(name=model.name, version=model.version or "", skus=skus, retirement_date=retirement)


def _usage(item: Any) -> Usage:
    name = item.name.value if item.name is not None else ""
    return Usage(name=name or "", current=float(item.current_value or 0), limit=float(item.limit or 0))


def _deployment(item: Any) -> ExistingDeployment:
    model = item.properties.model if item.properties is not None else None
    return ExistingDeployment(
        name=item.name,
        model=(model.name if model else "") or "",
        version=(model.version if model else "") or "",
        sku=item.sku.name if item.sku else "",
        capacity=int(item.sku.capacity or 0) if item.sku else 0,
    )


def _deleted(item: Any) -> DeletedAccount:
    parts = (item.id or "").split("/")
    lowered = [p.lower() for p in parts]
    group = parts[lowered.index("resourcegroups") + 1] if "resourcegroups" in lowered else ""
    subdomain = item.properties.custom_sub_domain_name if item.properties is not None else ""
    return DeletedAccount(name=item.name, location=item.location or "", resource_group=group,
                          custom_subdomain=subdomain or "")


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _first_line(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return str(message).strip().splitlines()[0] if str(message).strip() else type(exc).__name__
