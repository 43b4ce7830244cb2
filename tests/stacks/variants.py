"""The stacks a user writes from docs/config.md: a full one that spells every optional key, the variants
that each leave one optional key out, and the minimal one that leaves them all out.

The optional keys are read from the docs' own table (every row whose default is not "required"), so a key
added to the docs joins the matrix by itself. A few rows are features rather than defaults (nothing is
deployed when they are left out) and sit outside the full stack; ``FEATURES`` says why for each.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import yaml

from catalog import DEFAULT_CATALOG_PATH

REPO = Path(__file__).resolve().parents[2]
STACK = "staging"
NEW_VERSION = "2026-03-10"
MODEL_TARGET = "gpt-image-2@2026-04-21"

# Rows of the docs' table that are left out of the full stack, and why.
FEATURES = {
    "account.privateEndpoint.subnetId": "a private endpoint needs a virtual network; left out, none is made",
    "account.privateEndpoint.privateDnsZoneId": "part of the private endpoint above",
    "monitoring.budget.amount": "a budget is a feature (left out: no budget), dated to the month",
    "monitoring.budget.thresholds[]": "part of the budget above",
    "candidate.deployment": "written by the rollout itself, never by the user",
    "candidate.model": "written by the rollout itself",
    "candidate.sku / candidate.capacity": "the rollout leaves the sku to this default in every rollout",
    "regions": "another stack, not a default: the pool matrix (pool_variants.py) covers its keys",
    "gateway": "another stack, not a default: the pool matrix (pool_variants.py) covers its keys",
}
# The keys under regions[] and gateway are the pool matrix's (pool_variants.py).
POOL_PREFIXES = ("regions[].", "gateway.")

# Keys the full stack spells at their default value, and why another value does not fit the matrix.
AT_DEFAULT = {
    "resourceGroup.existing": "true needs a resource group made beforehand",
    "protect": "true makes `local destroy` and a rollout's removals refuse",
    "account.publicNetworkAccess": "Disabled needs a private endpoint to reach the account",
    "account.ipRules[]": "a rule would shut out the tests' own calls from 127.0.0.1",
    "deployments[].version": "the catalog's only live version besides the rollout target",
    "deployments[].sku": "the plans assert GlobalStandard: spelled or defaulted, the same",
    "activeDeployment": "one deployment: the first is the only one",
}

# A full stack: every optional key spelled, each with a value that is not its default where one fits (see
# AT_DEFAULT), so leaving it out changes what the reader resolves. Comments, which every rewrite must keep.
FULL_TEXT = """\
# Staging, written by hand from docs/config.md.
config:
  azure-native:location: eastus2   # the provider's region, equal to imagegate:location
  imagegate:environment: stg
  imagegate:location: eastus2
  imagegate:namePrefix: stg-images
  imagegate:resourceGroup:
    name: rg-staging-images
    existing: false
  imagegate:protect: false
  imagegate:account:
    customSubdomain: imagegate-stg-img
    disableLocalAuth: false   # key auth for quick experiments
    publicNetworkAccess: Enabled
    ipRules: []
  imagegate:contentFilter:
    basePolicyName: Microsoft.Default
    severityThreshold: High
    blockTerms:
      - forbidden-term
  # The deployment applications call.
  imagegate:deployments:
    - name: gpt-image   # stable name, never renamed
      model: gpt-image-1.5
      version: "2025-12-16"
      sku: GlobalStandard
      capacity: 2
      versionUpgradeOption: NoAutoUpgrade
  imagegate:activeDeployment: gpt-image
  imagegate:monitoring:
    retentionInDays: 60
    alertEmails:
      - platform-staging@example.com
    thresholds:
      throttledRequests: 25
      serverErrors: 12
      availabilityPercent: 95
      latencyMs: 90000
      contentFilterRejections: 40
  imagegate:access:
    openAiUsers:
      - name: smoke-ci
        principalId: 11111111-1111-1111-1111-111111111111
        principalType: User
  imagegate:tags:
    costCenter: platform
"""


def optional_keys() -> list[str]:
    """Every key of docs/config.md's table whose default is not "required", in the table's order."""
    keys = []
    for line in (REPO / "docs" / "config.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        key, default = cells[0].strip("`"), cells[3]
        if not default.startswith("required"):
            keys.append(key.replace("` / `", " / "))
    return keys


def _drop(node: Any, path: list[str]) -> None:
    """Remove ``path`` (``["deployments[]", "version"]``) from ``node``; an emptied section goes too."""
    head, rest = path[0], path[1:]
    name = head.removesuffix("[]")
    if not isinstance(node, dict) or name not in node:
        return
    if not rest:
        del node[name]
        return
    children = node[name] if head.endswith("[]") else [node[name]]
    for child in children:
        _drop(child, rest)
    if node[name] in ({}, []):
        del node[name]


def full_values() -> dict[str, Any]:
    config = yaml.safe_load(FULL_TEXT)["config"]
    return {k.removeprefix("imagegate:"): v for k, v in config.items() if k.startswith("imagegate:")}


def without(values: dict[str, Any], *keys: str) -> dict[str, Any]:
    result = copy.deepcopy(values)
    for key in keys:
        _drop(result, [part for part in re.split(r"\.", key) if part])
    return result


def matrix_keys() -> list[str]:
    """The optional keys the matrix leaves out one at a time."""
    return [k for k in optional_keys() if k not in FEATURES and not k.startswith(POOL_PREFIXES)]


def minimal_values() -> dict[str, Any]:
    """Every optional key left out. The one grant in ``access`` stays: without it nobody may call the
    account (keyless by default), so smoke could not run; it has no optional key left but its type."""
    return without(full_values(), *matrix_keys())


def stack_text(values: dict[str, Any]) -> str:
    """A stack file for ``values``: the full stack's text (comments and all) when nothing was left out,
    else that text with the left-out keys removed, as a user would delete lines."""
    if values == full_values():
        return FULL_TEXT
    from rollout.stack_file import render_stack_file

    return render_stack_file(FULL_TEXT, values)


def write_stack(folder: Path, values: dict[str, Any]) -> Path:
    """``Pulumi.staging.yaml`` (and the project's ``Pulumi.yaml``) in ``folder``; returns the stack file."""
    (folder / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    path = folder / f"Pulumi.{STACK}.yaml"
    path.write_text(stack_text(values), encoding="utf-8")
    return path


def catalog_with_new_version(rpm_per_capacity_unit: int | None = None) -> dict[str, Any]:
    """The packaged catalog plus a newer gpt-image-1.5 version to roll out to."""
    data = json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))
    data["models"]["gpt-image-1.5"]["versions"][NEW_VERSION] = {"retirementDate": None, "default": False}
    if rpm_per_capacity_unit is not None:
        data["rpmPerCapacityUnit"] = rpm_per_capacity_unit
    return data


VARIANTS: dict[str, dict[str, Any]] = {
    "full": full_values(),
    **{f"without-{key}": without(full_values(), key) for key in matrix_keys()},
    "minimal": minimal_values(),
}
