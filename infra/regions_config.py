"""The reader for ``regions[]``: a stack's Foundry accounts in several Azure regions.

Each region has its own location, account settings (a subdomain of its own) and deployments with their
capacities, checked against the model catalog for that region; the content filter, monitoring, access and
tags stay shared. A stack without ``regions`` has one implicit region (``location``, ``account``,
``deployments``): :func:`implicit_region` builds it, so code that walks ``StackConfig.regions`` treats both
alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from catalog import Catalog
from infra.config_reader import MISSING, Reader
from infra.config_sections import AccountConfig, read_account
from infra.deployments_config import (
    CandidateConfig,
    DeploymentConfig,
    quota_warnings,
    read_candidate,
    read_deployments,
)

MAX_REGIONS = 10
LOCATION_PATTERN = r"[a-z][a-z0-9]{2,30}"
REGION_KEYS = ("location", "account", "deployments", "candidate")
# Top-level keys that describe the one implicit region; with ``regions`` they move into each region.
SINGLE_REGION_KEYS = ("account", "deployments", "candidate")


@dataclass(frozen=True)
class RegionConfig:
    location: str
    account: AccountConfig
    # Every deployment of the region's account, the rollout candidate (when set) last.
    deployments: tuple[DeploymentConfig, ...]
    # A rollout's candidate in this region (``regions[i].candidate``, as ``imagegate:candidate`` is for a
    # stack without regions): deployed as ``candidate_name(deployment)``, poolable behind an alias.
    candidate: CandidateConfig | None = None


class PrefixedReader(Reader):
    """A reader whose keys live under ``prefix`` (``regions[1].account.customSubdomain``) and whose
    problems go to the parent's list, so the section readers of a single-region stack serve each region."""

    def __init__(self, parent: Reader, prefix: str) -> None:
        super().__init__(parent.namespace)
        self.problems = parent.problems
        self._prefix = prefix

    def key(self, path: str) -> str:
        return f"{self.namespace}:{self._prefix}.{path}"


def declares_regions(values: Mapping[str, Any]) -> bool:
    return values.get("regions") is not None


def first_location(values: Mapping[str, Any]) -> str | None:
    """``regions[0].location`` when the stack lists regions: the default ``location`` (resource group,
    workspace and gateway)."""
    regions = values.get("regions")
    if isinstance(regions, str) and regions.lstrip().startswith("["):
        try:
            regions = json.loads(regions)  # Pulumi hands structured config to programs as JSON text
        except json.JSONDecodeError:
            return None
    if isinstance(regions, list) and regions and isinstance(regions[0], Mapping):
        location = regions[0].get("location")
        return location if isinstance(location, str) and location else None
    return None


def read_regions(
    r: Reader,
    values: Mapping[str, Any],
    *,
    name_prefix: str,
    catalog: Catalog,
    today: date,
    warnings: list[str],
) -> list[RegionConfig]:
    """Every region of ``values["regions"]``, problems recorded on ``r``; [] when there are none."""
    if not declares_regions(values):
        return []
    for key in SINGLE_REGION_KEYS:
        if values.get(key) is not None:
            r.fail(
                key,
                values[key],
                "cannot be combined with imagegate:regions",
                f"{key} inside each region of imagegate:regions"
                if key != "candidate"
                else "a candidate in a stack without imagegate:regions",
            )
    entries = r.items("regions", values.get("regions"), required=True, what="regions")
    if len(entries) > MAX_REGIONS:
        r.fail("regions", f"{len(entries)} regions", "is too many", f"at most {MAX_REGIONS} regions")
    regions: list[RegionConfig] = []
    seen_locations: set[str] = set()
    seen_subdomains: set[str] = set()
    for i, entry in enumerate(entries):
        path = f"regions[{i}]"
        raw = r.section(path, entry, REGION_KEYS, required=True)
        location = r.string(
            f"{path}.location",
            raw.get("location", MISSING),
            pattern=LOCATION_PATTERN,
            accepted="an Azure region name such as eastus2",
        )
        if location and location in seen_locations:
            r.fail(f"{path}.location", location, "is listed twice", "each region once")
        seen_locations.add(location)
        sub = PrefixedReader(r, path)
        # The first region keeps the single-region default subdomain; the others add their location.
        default_subdomain = name_prefix if i == 0 else f"{name_prefix}-{location}"
        account = read_account(sub, raw.get("account", MISSING), default_subdomain=default_subdomain)
        if account.custom_subdomain in seen_subdomains:
            r.fail(
                f"{path}.account.customSubdomain",
                account.custom_subdomain,
                "is used by another region",
                "a subdomain of its own for each region (it names the account)",
            )
        seen_subdomains.add(account.custom_subdomain)
        before = len(r.problems)
        deployments = read_deployments(
            sub, raw.get("deployments", MISSING), location, catalog, today, warnings
        )
        candidate = read_candidate(
            sub, raw.get("candidate", MISSING), deployments, location, catalog, today, warnings
        )
        if candidate is not None:
            deployments = [*deployments, candidate.as_deployment()]
        if len(r.problems) == before and location:
            warnings.extend(quota_warnings(deployments, location, catalog))
        regions.append(RegionConfig(location, account, tuple(deployments), candidate))
    return regions


def implicit_region(
    location: str, account: AccountConfig, deployments: tuple[DeploymentConfig, ...]
) -> RegionConfig:
    """The one region of a stack without ``regions``."""
    return RegionConfig(location, account, deployments)
