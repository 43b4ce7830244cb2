"""The pool stacks a user writes from docs/config.md's "Regions and a gateway" table: a full one that spells
every optional key of ``regions`` and ``gateway`` with a value of its own, one variant per key left out, and
the minimal pool that leaves them all out. The single-region matrix (``variants.py``) leaves these keys to
this one, since leaving ``regions`` or ``gateway`` out of a stack is not a default but another stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.stacks.variants import POOL_PREFIXES, REPO, optional_keys, without

POOL_STACK = "pool"

# Keys the full pool spells at their default value, and why another value does not fit.
POOL_AT_DEFAULT = {
    "gateway.clients.subscriptionKey": "false (Entra only) is tests/engine/test_gateway_entra.py",
}

POOL_FULL_TEXT = """\
# A pool written by hand from docs/config.md: two regions behind one gateway.
config:
  azure-native:location: eastus2
  imagegate:environment: pool
  imagegate:location: eastus2
  imagegate:regions:
    - location: eastus2
      account:
        customSubdomain: pool-east-img   # its own subdomain
      deployments:
        - {name: gpt-image, model: gpt-image-1.5, version: "2025-12-16", sku: GlobalStandard, capacity: 2}
    - location: westus3
      account:
        customSubdomain: pool-west-img
      deployments:
        - {name: gpt-image, model: gpt-image-1.5, version: "2025-12-16", sku: GlobalStandard, capacity: 2}
  imagegate:gateway:
    name: pool-gateway-custom
    sku: StandardV2
    capacity: 2
    publisherName: Platform team
    publisherEmail: platform@example.com
    clients:
      subscriptionKey: true
      entra:
        tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
        audiences: [api://imagegate]
    aliases:
      - name: gpt-image
        members:
          - {region: eastus2, deployment: gpt-image, priority: 1, weight: 3}
          - {region: westus3, deployment: gpt-image, priority: 2, weight: 2}
        circuitBreaker:
          statusCodeRanges: [429]
          failureCount: 3
          intervalSeconds: 30
          tripDurationSeconds: 45
          acceptRetryAfter: false
        retryCount: 1
        timeoutSeconds: 90
        retryAfterCapSeconds: 30
  imagegate:access:
    openAiUsers:
      - {name: smoke-ci, principalId: 11111111-1111-1111-1111-111111111111, principalType: User}
"""


# Rows of the pool table the full pool leaves out, and why.
POOL_FEATURES = {"regions[].candidate": "written by the rollout itself, never by the user"}


def pool_keys() -> list[str]:
    """The optional keys of ``regions`` and ``gateway`` (the docs' table), in the table's order."""
    return [
        k for k in optional_keys()
        if k.startswith(POOL_PREFIXES) and not any(k.startswith(f) for f in POOL_FEATURES)
    ]


def pool_full_values() -> dict[str, Any]:
    config = yaml.safe_load(POOL_FULL_TEXT)["config"]
    return {k.removeprefix("imagegate:"): v for k, v in config.items() if k.startswith("imagegate:")}


POOL_VARIANTS: dict[str, dict[str, Any]] = {
    "full": pool_full_values(),
    **{f"without-{key}": without(pool_full_values(), key) for key in pool_keys()},
    "minimal": without(pool_full_values(), *pool_keys()),
}


def write_pool_stack(folder: Path, values: dict[str, Any]) -> Path:
    """``Pulumi.pool.yaml`` (and the project's ``Pulumi.yaml``) in ``folder``, from the full text with the
    left-out keys removed as a user would delete lines."""
    from rollout.stack_file import render_stack_file

    (folder / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    path = folder / f"Pulumi.{POOL_STACK}.yaml"
    text = POOL_FULL_TEXT if values == pool_full_values() else render_stack_file(POOL_FULL_TEXT, values)
    path.write_text(text, encoding="utf-8")
    return path
