"""Model versions Azure offers that the repository's catalog does not list yet.

Azure publishes new versions of a model (ARM's ``models.list(location)`` shows them) before anyone edits
``model_catalog.json``. The catalog stays the offline fallback and the place for the facts ARM does not
give (sizes, SKUs and regions per model, quota, operations); this module adds ARM's versions to it, at the
JSON level, so a merged file can be handed to other processes with ``IMAGEGATE_CATALOG``. Pure.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class OfferedVersion:
    """One ``models.list`` entry: a model version Azure offers in ``location``."""

    model: str
    version: str
    retirement_date: date | None
    location: str


def with_offered_versions(
    raw: Mapping[str, Any], offered: Iterable[OfferedVersion], today: date
) -> tuple[dict[str, Any], list[OfferedVersion]]:
    """The catalog JSON plus every offered version of a model it knows; returns (json, versions added).

    Versions of models the catalog lacks are left out: without the catalog's facts about the model (sizes,
    SKUs, operations) nothing could validate a deployment of it.
    """
    merged = copy.deepcopy(dict(raw))
    models = merged.get("models", {})
    added: list[OfferedVersion] = []
    for item in offered:
        model = models.get(item.model)
        if not isinstance(model, dict):
            continue
        versions = model.setdefault("versions", {})
        if item.version in versions:
            continue
        versions[item.version] = {
            "retirementDate": item.retirement_date.isoformat() if item.retirement_date else None,
            "default": False,
            "$source": f"ARM models.list in {item.location} on {today.isoformat()}",
        }
        added.append(item)
    return merged, added
