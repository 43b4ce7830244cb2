"""Rewriting the ``imagegate:`` keys of a ``Pulumi.<stack>.yaml`` the way ``pulumi config set`` would.

Plain PyYAML round trip: key order is kept, other namespaces are untouched and the comment block at the
top of the file survives; comments *inside* the ``config:`` mapping are lost (PyYAML does not keep them).
Written atomically, so a crash never leaves half a stack file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from infra.config import read_stack_file
from infra.errors import ConfigError
from rollout.errors import DriverError

NAMESPACE = "imagegate"


def _header(text: str) -> str:
    lines = []
    for line in text.splitlines(keepends=True):
        if not line.lstrip().startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


def render_stack_file(text: str, values: Mapping[str, Any]) -> str:
    """``text`` (a stack file) with its ``imagegate:`` keys replaced by ``values``; pure."""
    document = yaml.safe_load(text) or {}
    if not isinstance(document, dict):
        raise DriverError("The stack file is not a YAML mapping; fix it before a rollout.")
    old = document.get("config") or {}
    prefix = f"{NAMESPACE}:"
    config: dict[str, Any] = {}
    pending = {f"{prefix}{k}": v for k, v in values.items()}
    for key, value in old.items():
        if not str(key).startswith(prefix):
            config[key] = value
        elif key in pending:
            config[key] = pending.pop(key)
    config.update(pending)
    document["config"] = config
    body = yaml.safe_dump(document, sort_keys=False, default_flow_style=False, allow_unicode=True)
    return _header(text) + body


def read_stack_values(path: Path) -> dict[str, Any]:
    """The file's ``imagegate:`` values (keys without the namespace), as both drivers read them."""
    try:
        return read_stack_file(path)
    except ConfigError as exc:
        raise DriverError(str(exc.problems[0] if exc.problems else exc)) from exc


def write_stack_file(path: Path, values: Mapping[str, Any]) -> None:
    try:
        text = path.read_text(encoding="utf-8")
        rendered = render_stack_file(text, values)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(rendered, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise DriverError(f"Cannot rewrite {path}: {exc.strerror or exc}.") from exc
