"""A rollout target that Azure offers but the repository's model catalog does not list yet.

When ``--to MODEL@VERSION`` names a version missing from the catalog, ARM's ``models.list(location)`` is
asked (the emulator with ``--arm-endpoint``, else Azure). If it offers the version, the catalog plus ARM's
versions is written to ``<journal dir>/catalog.json`` and used for the rest of the rollout, by this process
and, through ``IMAGEGATE_CATALOG``, by the engine and preflight it runs. The catalog remains the source of
what ARM does not say (sizes, SKUs, regions, quota).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from catalog import CATALOG_ENV, DEFAULT_CATALOG_PATH, OfferedVersion, load_catalog, with_offered_versions
from rollout.errors import UsageError
from rollout.request import RolloutRequest
from rollout.target import ModelTarget

MERGED_CATALOG = "catalog.json"
EMULATOR_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def with_arm_versions(
    request: RolloutRequest,
    target: ModelTarget,
    location: object,
    directory: Path,
    *,
    today: date | None = None,
) -> tuple[RolloutRequest, str | None]:
    """The request, pointed at a catalog that knows ``target`` when only ARM does; and a note to print."""
    catalog = load_catalog(request.catalog)
    model = catalog.model(target.model)
    if model is None or target.version in model.versions or not isinstance(location, str):
        return request, None
    # `rollout plan` has no connection options: it asks where `run` would (the same environment variables).
    request_for_arm = replace(
        request,
        arm_endpoint=request.arm_endpoint or os.environ.get("IMAGEGATE_ARM_ENDPOINT") or None,
        ca_bundle=request.ca_bundle or os.environ.get("IMAGEGATE_CA_BUNDLE") or None,
        subscription_id=request.subscription_id or os.environ.get("AZURE_SUBSCRIPTION_ID") or None,
    )
    if not (request_for_arm.subscription_id or request_for_arm.arm_endpoint):
        raise UsageError(
            f"Version '{target.version}' of {target.model} is not in the model catalog; known versions: "
            f"{', '.join(model.versions)}. For a version Azure offers that the catalog lacks, pass "
            "--subscription-id (or --arm-endpoint for the emulator) so ARM's models.list is asked."
        )
    offered = _ask_arm(request_for_arm, location)
    versions = sorted({o.version for o in offered if o.model == target.model})
    if target.version not in versions:
        raise UsageError(
            f"Version '{target.version}' of {target.model} is neither in the model catalog "
            f"({', '.join(model.versions)}) nor offered by ARM in {location} "
            f"({', '.join(versions) or 'no versions'}); pick one of those."
        )
    source = Path(request.catalog or os.environ.get(CATALOG_ENV) or DEFAULT_CATALOG_PATH)
    raw = json.loads(source.read_text(encoding="utf-8"))
    merged, added = with_offered_versions(raw, offered, today or date.today())
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MERGED_CATALOG
    path.write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")
    # The local engine and preflight run as child processes; they read the catalog named here.
    os.environ[CATALOG_ENV] = str(path.resolve())
    note = (
        f"{target} is offered by ARM in {location} but not in the model catalog ({source}); using "
        f"{path} (the catalog plus {len(added)} version(s) from models.list). "
        "Add it to catalog/model_catalog.json so `pulumi up` knows it too."
    )
    return replace(request, catalog=str(path.resolve())), note


def _ask_arm(request: RolloutRequest, location: str) -> list[OfferedVersion]:
    from preflight.azure import make_client

    credential: Any = None
    subscription = request.subscription_id
    if request.arm_endpoint:
        from smoke import LocalTokenCredential

        credential = LocalTokenCredential()
        subscription = subscription or EMULATOR_SUBSCRIPTION
    assert subscription, "with_arm_versions asks ARM only with a subscription or an ARM endpoint"
    try:
        client = make_client(
            subscription, credential, arm_endpoint=request.arm_endpoint, ca_bundle=request.ca_bundle
        )
        items = list(client.models.list(location))
    except Exception as exc:  # azure-core, azure-identity and transport errors: one sentence, exit 2
        first = (str(getattr(exc, "message", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
        raise UsageError(
            f"The target version is not in the model catalog and ARM's models.list could not be asked "
            f"({first[:200]}); check the credentials and --arm-endpoint, or pass --catalog FILE."
        ) from None
    found = []
    for item in items:
        model = getattr(item, "model", None)
        if model is None or not model.name or not model.version:
            continue
        deprecation = getattr(model, "deprecation", None)
        retires = getattr(deprecation, "inference", None) if deprecation is not None else None
        found.append(OfferedVersion(model.name, model.version, _day(retires), location))
    return found


def _day(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value if type(value) is date else value.date()  # type: ignore[attr-defined]
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
