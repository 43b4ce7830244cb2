"""docs/config.md's config table documents exactly the keys the validator accepts, found by asking the
validator itself (an unknown key's message lists the accepted ones)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from infra.config import ConfigError, load_stack_config
from tests.infra.conftest import REPO, TODAY, stack_values

# Paths of the objects in the config, as set in a config (list items as index 0).
SECTIONS = {
    "": (),
    "resourceGroup": ("resourceGroup",),
    "account": ("account",),
    "account.privateEndpoint": ("account", "privateEndpoint"),
    "contentFilter": ("contentFilter",),
    "deployments": ("deployments", 0),
    "candidate": ("candidate",),
    "monitoring": ("monitoring",),
    "monitoring.thresholds": ("monitoring", "thresholds"),
    "monitoring.budget": ("monitoring", "budget"),
    "access": ("access",),
    "access.openAiUsers": ("access", "openAiUsers", 0),
}


def _accepted_keys(section: str, path: tuple[Any, ...]) -> list[str]:
    values = stack_values("keyless")  # the single-region keys: one account, one deployments list
    values["candidate"] = {"deployment": "gpt-image", "version": "2025-12-16"}
    subnet = "/subscriptions/s/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
    values["account"]["privateEndpoint"] = {"subnetId": subnet}
    target: Any = values
    for step in path:
        target = target[step]
    target["zzUnknown"] = 1
    with pytest.raises(ConfigError) as raised:
        load_stack_config(values, "keyless", today=TODAY)
    (problem,) = [p for p in raised.value.problems if "zzUnknown" in p]
    accepted = problem.rsplit("accepted: ", 1)[1].rstrip(".")
    return [f"{section}.{key}" if section else key for key in accepted.split(", ")]


def _code_leaf_keys() -> set[str]:
    keys = {key for section, path in SECTIONS.items() for key in _accepted_keys(section, path)}
    return keys - set(SECTIONS)


def _doc_keys() -> set[str]:
    text = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    section = text.split("## Config keys (`imagegate:` namespace)", 1)[1].split("\n## ", 1)[0]
    keys: set[str] = set()
    for row in re.findall(r"^\| (`[^|]+)\|", section, flags=re.M):
        for key in re.findall(r"`([^`]+)`", row):
            keys.add(key.replace("[]", ""))
    return keys


def test_config_doc_table_lists_every_accepted_key():
    assert _doc_keys() == _code_leaf_keys()
