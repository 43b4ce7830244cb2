"""docs/config.md's "Regions and a gateway" table documents exactly the keys the validator accepts under
`regions` and `gateway`, found by asking the validator itself (an unknown key's message lists the accepted
ones)."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from infra.config import ConfigError, load_stack_config, read_stack_file
from tests.infra.conftest import REPO, TODAY

POOL = read_stack_file(REPO / "examples" / "stacks" / "Pulumi.pool.yaml")
SECTIONS = {
    "regions": ("regions", 0),
    "gateway": ("gateway",),
    "gateway.clients": ("gateway", "clients"),
    "gateway.clients.entra": ("gateway", "clients", "entra"),
    "gateway.aliases": ("gateway", "aliases", 0),
    "gateway.aliases.members": ("gateway", "aliases", 0, "members", 0),
    "gateway.aliases.circuitBreaker": ("gateway", "aliases", 0, "circuitBreaker"),
}


def _accepted_keys(section: str, path: tuple[Any, ...]) -> list[str]:
    values = copy.deepcopy(POOL)
    values["gateway"]["clients"]["entra"] = {"tenantId": "11111111-2222-3333-4444-555555555555"}
    target: Any = values
    for step in path:
        target = target[step]
    target["zzUnknown"] = 1
    with pytest.raises(ConfigError) as raised:
        load_stack_config(values, "pool", today=TODAY)
    (problem,) = [p for p in raised.value.problems if "zzUnknown" in p]
    accepted = problem.rsplit("accepted: ", 1)[1].rstrip(".")
    return [f"{section}.{key}" for key in accepted.split(", ")]


def _doc_keys() -> set[str]:
    text = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    section = text.split("## Regions and a gateway", 1)[1].split("\n## ", 1)[0]
    keys: set[str] = set()
    for row in re.findall(r"^\| (`[^|]+)\|", section, flags=re.M):
        for key in re.findall(r"`([^`]+)`", row):
            keys.add(key.replace("[]", ""))
    return keys


def test_the_regions_and_gateway_table_lists_every_accepted_key() -> None:
    code = {key for section, path in SECTIONS.items() for key in _accepted_keys(section, path)} - set(
        SECTIONS
    )
    assert _doc_keys() == code
