"""Rewriting the ``imagegate:`` keys of a ``Pulumi.<stack>.yaml`` the way ``pulumi config set`` would.

A ruamel.yaml round trip that changes the loaded document in place, key by key and item by item, so
comments, key order, quoting and layout survive wherever the values did not change; other namespaces are
untouched. Written atomically, so a crash never leaves half a stack file.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from infra.config import read_stack_file
from infra.errors import ConfigError
from rollout.errors import DriverError

NAMESPACE = "imagegate"


def _yaml() -> YAML:
    yaml = YAML()  # round-trip mode: keeps comments and formatting
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def _merge(node: Any, value: Any) -> Any:
    """``value`` written over ``node`` in place where both are mappings or lists, so what did not change
    keeps its comments; anything else is replaced."""
    if isinstance(node, dict) and isinstance(value, Mapping):
        for key in [k for k in node if k not in value]:
            del node[key]
        for key, item in value.items():
            node[key] = _merge(node[key], item) if key in node else item
        return node
    if isinstance(node, list) and isinstance(value, list):
        del node[len(value) :]
        for i, item in enumerate(value):
            if i < len(node):
                node[i] = _merge(node[i], item)
            else:
                node.append(item)
        return node
    return value


def render_stack_file(text: str, values: Mapping[str, Any]) -> str:
    """``text`` (a stack file) with its ``imagegate:`` keys replaced by ``values``; pure."""
    yaml = _yaml()
    try:
        document = yaml.load(text)
    except YAMLError as exc:
        raise DriverError(f"The stack file is not valid YAML ({exc.__class__.__name__}); fix it.") from exc
    except RecursionError:
        raise DriverError("The stack file is nested too deeply to be a stack file; fix it.") from None
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise DriverError("The stack file is not a YAML mapping; fix it before a rollout.")
    if document.get("config") is None:
        document["config"] = {}
    config = document["config"]
    prefix = f"{NAMESPACE}:"
    wanted = {f"{prefix}{k}": v for k, v in values.items()}
    for key in [k for k in config if str(k).startswith(prefix) and k not in wanted]:
        del config[key]
    for key, value in wanted.items():
        config[key] = _merge(config[key], value) if key in config else value
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


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
