"""Turning "make the config look like this" into Pulumi config commands: path keys and minimal changes.

Pure. ``config_changes(current, desired)`` compares two ``imagegate:`` value maps and returns the commands
that turn one into the other: a plain ``config set`` for scalars, ``config set --path`` on the changed leaves
of structured values (``imagegate:deployments[0].version``), and ``config rm`` + leaf sets when a structure
loses entries (Pulumi has no "replace this object" command). Secret (``secure:``) values are never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rollout.errors import DriverError

NAMESPACE = "imagegate"
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class SetValue:
    key: str
    value: str
    path: bool


@dataclass(frozen=True)
class RemoveKey:
    key: str


Change = SetValue | RemoveKey


def _segment(key: str) -> str:
    return f".{key}" if _PLAIN_KEY.match(key) else f'["{key}"]'


def flatten(prefix: str, value: Any) -> dict[str, Any]:
    """``("imagegate:deployments", [{"name": "a"}])`` -> ``{"imagegate:deployments[0].name": "a"}``."""
    if isinstance(value, Mapping) and set(value) == {"secure"}:
        return {prefix: value}
    if isinstance(value, Mapping) and value:
        leaves: dict[str, Any] = {}
        for key, item in value.items():
            leaves.update(flatten(prefix + _segment(str(key)), item))
        return leaves
    if isinstance(value, list) and value:
        leaves = {}
        for index, item in enumerate(value):
            leaves.update(flatten(f"{prefix}[{index}]", item))
        return leaves
    return {prefix: value}


def render_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _leaf_value(path: str, value: Any) -> str:
    if isinstance(value, Mapping) and set(value) == {"secure"}:
        raise DriverError(
            f"Config {path} is a secret; set it with `pulumi config set --secret`, not by a rollout."
        )
    if isinstance(value, (Mapping, list)) or value is None:
        raise DriverError(f"Config {path} is empty or null, which `pulumi config set --path` cannot write.")
    return render_scalar(value)


def config_changes(current: Mapping[str, Any], desired: Mapping[str, Any]) -> list[Change]:
    """The config commands that turn ``current`` into ``desired`` (keys without the namespace)."""
    changes: list[Change] = []
    for key in current:
        if key not in desired:
            changes.append(RemoveKey(f"{NAMESPACE}:{key}"))
    for key, value in desired.items():
        full = f"{NAMESPACE}:{key}"
        old = current.get(key)
        if key in current and old == value:
            continue
        if not isinstance(value, (Mapping, list)):
            changes.append(SetValue(full, _leaf_value(full, value), path=False))
            continue
        new_leaves = flatten(full, value)
        old_leaves = flatten(full, old) if isinstance(old, (Mapping, list)) else {}
        if key in current and not isinstance(old, (Mapping, list)) or set(old_leaves) - set(new_leaves):
            changes.append(RemoveKey(full))
            old_leaves = {}
        for path, leaf in new_leaves.items():
            if path not in old_leaves or old_leaves[path] != leaf:
                changes.append(SetValue(path, _leaf_value(path, leaf), path=True))
    return changes
