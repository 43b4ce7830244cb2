"""Strict JSON for everything the emulator reads from outside: request bodies, JWT parts, the state file.

Python's ``json`` accepts ``NaN``/``Infinity``, turns ``1e400`` into ``inf``, keeps lone surrogates
(``"\\ud800"``) in strings and recurses until ``RecursionError``. Any of those, once stored, makes every
later answer (and the saved state) fail. ``parse_json`` refuses them all before anything is stored:
size first (cheap), then valid UTF-8, then the parse with non-finite numbers refused, then a walk (no
recursion) that bounds depth and finds lone surrogates.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_VALUES = 2_000_000


class JsonRejected(ValueError):
    """The bytes are not strict JSON within the limits; ``reason`` is one sentence fragment.

    ``too_large`` tells callers to answer 413 rather than 400.
    """

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_large = too_large


def _no_constant(name: str) -> Any:
    raise JsonRejected(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRejected(f"the number {text[:40]} is too large")
    return value


def parse_json(raw: bytes | str, *, max_bytes: int, max_depth: int, max_values: int = MAX_VALUES) -> Any:
    """The JSON value in ``raw``, or ``JsonRejected`` saying what is wrong with it."""
    if len(raw) > max_bytes:
        raise JsonRejected(f"the body is larger than {max_bytes} bytes", too_large=True)
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise JsonRejected("the body is not valid UTF-8") from None
    else:
        text = raw
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except RecursionError:
        raise JsonRejected(f"it is nested deeper than {max_depth} levels") from None
    except JsonRejected:
        raise
    except ValueError as exc:  # JSONDecodeError, and int() past Python's digit limit
        raise JsonRejected("it is not valid JSON") from exc
    check_value(value, max_depth=max_depth, max_values=max_values)
    return value


def check_value(value: Any, *, max_depth: int, max_values: int = MAX_VALUES) -> None:
    """Refuse a value nested deeper than ``max_depth``, holding a lone surrogate or too many values.

    The value count bounds the walk on YAML, whose aliases can make a small file a huge shared tree.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        seen += 1
        if seen > max_values:
            raise JsonRejected(f"it holds more than {max_values} values", too_large=True)
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise JsonRejected("a string holds a lone surrogate (not valid Unicode)")
        elif isinstance(item, dict | list):
            if depth > max_depth:
                raise JsonRejected(f"it is nested deeper than {max_depth} levels")
            if isinstance(item, dict):
                stack.extend((k, depth) for k in item)
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)
