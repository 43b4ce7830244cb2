"""Problem-collecting readers for the stack config: each reads one value, records a problem if it is bad,
and returns a usable value either way, so one pass over the config reports every problem at once.

Values may arrive as parsed YAML (from ``Pulumi.<stack>.yaml``) or as the strings Pulumi hands a program
(``pulumi.Config.get``: objects and lists as JSON text, booleans as ``"true"``); both are accepted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")
MISSING: Any = object()


def show(value: Any) -> str:
    """How a bad value appears in a message: quoted strings, plain numbers, ``(missing)``."""
    if value is MISSING or value is None:
        return "(missing)"
    if isinstance(value, str):
        return repr(value)
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def join(options: Iterable[str]) -> str:
    return ", ".join(options) or "(none)"


class Reader:
    """Reads config values under the ``imagegate:`` namespace and collects problems."""

    def __init__(self, namespace: str = "imagegate") -> None:
        self.namespace = namespace
        self.problems: list[str] = []

    def key(self, path: str) -> str:
        return f"{self.namespace}:{path}"

    def fail(self, path: str, value: Any, issue: str, accepted: str) -> None:
        self.problems.append(f"{self.key(path)}: {show(value)} {issue}; accepted: {accepted}.")

    # structure ---------------------------------------------------------------------------------------
    def section(
        self, path: str, value: Any, allowed: Iterable[str], *, required: bool = False
    ) -> dict[str, Any]:
        """An object; unknown keys are problems (they are usually typos). Missing gives ``{}``."""
        value = _decode_json(value, "{")
        allowed = tuple(allowed)
        if value is MISSING or value is None:
            if required:
                self.fail(path, value, "is required", f"an object with keys {join(allowed)}")
            return {}
        if not isinstance(value, Mapping):
            self.fail(path, value, "is not an object", f"an object with keys {join(allowed)}")
            return {}
        for unknown in sorted(set(value) - set(allowed), key=str):
            self.fail(f"{path}.{unknown}", value[unknown], "is not a known key", join(allowed))
        return dict(value)

    def mapping(self, path: str, value: Any, accepted: str) -> dict[Any, Any]:
        """A free-form object (e.g. tags); missing gives ``{}``."""
        value = _decode_json(value, "{")
        if value is MISSING or value is None:
            return {}
        if not isinstance(value, Mapping):
            self.fail(path, value, "is not an object", accepted)
            return {}
        return dict(value)

    def items(self, path: str, value: Any, *, required: bool = False, what: str = "items") -> list[Any]:
        value = _decode_json(value, "[")
        if value is MISSING or value is None:
            if required:
                self.fail(path, value, "is required", f"a non-empty list of {what}")
            return []
        if not isinstance(value, list):
            self.fail(path, value, "is not a list", f"a list of {what}")
            return []
        if required and not value:
            self.fail(path, value, "is empty", f"a non-empty list of {what}")
        return value

    # scalars -----------------------------------------------------------------------------------------
    def string(
        self,
        path: str,
        value: Any,
        default: str | None = None,
        *,
        pattern: str | None = None,
        accepted: str = "a non-empty string",
        choices: Iterable[str] | None = None,
        choice_issue: str = "is not a valid choice",
    ) -> str:
        choices = tuple(choices) if choices is not None else None
        if value is MISSING or value is None:
            if default is None:
                self.fail(path, value, "is required", join(choices) if choices else accepted)
                return ""
            return default
        if not isinstance(value, str) or not value.strip():
            self.fail(path, value, "is not a non-empty string", join(choices) if choices else accepted)
            return default or ""
        if choices is not None and value not in choices:
            self.fail(path, value, choice_issue, join(choices))
        elif pattern is not None and not re.fullmatch(pattern, value):
            self.fail(path, value, "is not valid", accepted)
        return value

    def boolean(self, path: str, value: Any, default: bool) -> bool:
        if value is MISSING or value is None:
            return default
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            self.fail(path, value, "is not a boolean", "true or false")
            return default
        return value

    def integer(self, path: str, value: Any, default: int | None, *, low: int, high: int) -> int:
        accepted = f"an integer from {low} to {high}"
        if value is MISSING or value is None:
            if default is None:
                self.fail(path, value, "is required", accepted)
                return low
            return default
        value = _decode_number(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, value, "is not an integer", accepted)
            return default if default is not None else low
        if not low <= value <= high:
            self.fail(path, value, "is out of range", accepted)
        return value

    def number(
        self, path: str, value: Any, default: float | None, *, low: float, high: float, low_open: bool = False
    ) -> float:
        lower = f"above {_num(low)} up" if low_open else f"from {_num(low)}"
        accepted = f"a number {lower} to {_num(high)}"
        if value is MISSING or value is None:
            if default is None:
                self.fail(path, value, "is required", accepted)
                return high
            return default
        value = _decode_number(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, value, "is not a number", accepted)
            return default if default is not None else high
        too_low = value <= low if low_open else value < low
        if too_low or value > high:
            self.fail(path, value, "is out of range", accepted)
        return value

    def each(self, path: str, values: list[Any], read: Callable[[str, Any], T]) -> list[T]:
        return [read(f"{path}[{i}]", v) for i, v in enumerate(values)]


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _decode_json(value: Any, opener: str) -> Any:
    """Pulumi passes structured config to programs as JSON text; parse it back when it looks like JSON."""
    if isinstance(value, str) and value.lstrip().startswith(opener):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _decode_number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value
