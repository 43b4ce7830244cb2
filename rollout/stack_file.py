"""Rewriting the ``imagegate:`` keys of a ``Pulumi.<stack>.yaml`` the way ``pulumi config set`` would.

The rollout's writer of a stack file (the local driver's and the preflight gate's scratch copy; the Pulumi
driver lets ``pulumi config set`` write, after ``check_stack_values``): a ruamel.yaml round trip that
changes the loaded document in place, key by key and item by item, so comments, key order, quoting and
layout survive wherever the values did not change; other namespaces are untouched. Before the file is
replaced, the new text is read back with the program's own reader (``read_stack_file`` +
``load_stack_config``): it must say exactly the values asked for and be a config the program accepts.
Written atomically, so a crash never leaves half a stack file.
``restore_stack_text`` puts back a text kept earlier, byte for byte.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from catalog import Catalog, CatalogError, load_catalog
from infra.config import load_stack_config, read_stack_file
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


def check_stack_values(values: Mapping[str, Any], stack: str, catalog: Catalog | None = None) -> None:
    """Raise :class:`DriverError` unless the program's reader accepts ``values`` as stack ``stack``."""
    try:
        load_stack_config(values, stack, catalog=catalog or load_catalog())
    except ConfigError as exc:
        first = exc.problems[0] if exc.problems else str(exc)
        raise DriverError(f"The rollout would write a stack config the program rejects: {first}") from exc
    except CatalogError as exc:
        raise DriverError(str(exc)) from exc


def same_values(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """The same ``imagegate:`` values, however they were read (a YAML date and its string compare equal)."""
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def read_stack_text(path: Path) -> str:
    """The stack file's whole text, line endings and all (CRLF line endings kept as written)."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise DriverError(f"Cannot read {path}: {getattr(exc, 'strerror', None) or exc}.") from exc


def _replace(path: Path, text: str, check: Any = None) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if check is not None:
            check(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise DriverError(f"Cannot rewrite {path}: {exc.strerror or exc}.") from exc
    finally:
        tmp.unlink(missing_ok=True)


def restore_stack_text(path: Path, text: str) -> None:
    """Put ``path`` back to exactly ``text`` (atomically)."""
    _replace(path, text)


def write_stack_file(
    path: Path, values: Mapping[str, Any], stack: str, catalog: Catalog | None = None
) -> None:
    """Make the ``imagegate:`` values of ``path`` exactly ``values``, changing only the keys that differ;
    refuses (:class:`DriverError`, file untouched) a result the program's reader would not read back the
    same or would reject."""
    rendered = render_stack_file(read_stack_text(path), values)

    def check(written: Path) -> None:
        back = read_stack_values(written)
        if not same_values(back, values):
            raise DriverError(
                f"Rewriting {path} would not keep the values the rollout asked for; the file was not changed."
            )
        check_stack_values(back, stack, catalog)

    _replace(path, rendered, check)
