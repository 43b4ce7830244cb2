"""The fleet file (``fleet.yaml``): which stacks roll out together and in what order.

Pure parsing of the YAML document into frozen objects; every problem is collected, each one sentence
``<file>: <key path>: <bad value> <issue>; accepted: <what is accepted>.`` Nothing about a stack's own
settings lives here: those are read from ``Pulumi.<stack>.yaml`` by the stack config reader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fleet.errors import FleetInputError

DEFAULT_FLEET_FILE = Path("fleet.yaml")
MAX_PARALLEL_LIMIT = 256  # GitHub's cap on the jobs of one matrix
WAVE_KEYS = ("name", "environment", "maxParallel", "stacks")
STACK_KEYS = ("stack", "environment")
_WAVE_NAME = re.compile(r"[a-z][a-z0-9-]{0,30}")
_ENVIRONMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")
_STACK = re.compile(r"[A-Za-z0-9_.-]{1,100}")


@dataclass(frozen=True)
class FleetStack:
    """One stack of a wave and the GitHub environment its job runs in."""

    name: str
    github_environment: str


@dataclass(frozen=True)
class Wave:
    name: str
    github_environment: str
    max_parallel: int
    stacks: tuple[FleetStack, ...]


@dataclass(frozen=True)
class FleetFile:
    source: str
    waves: tuple[Wave, ...]


def _show(value: Any) -> str:
    return "(missing)" if value is None else repr(value) if isinstance(value, str) else str(value)


class _Problems:
    def __init__(self, source: str) -> None:
        self.source = source
        self.found: list[str] = []

    def fail(self, path: str, value: Any, issue: str, accepted: str) -> None:
        self.found.append(f"{self.source}: {path}: {_show(value)} {issue}; accepted: {accepted}.")

    def unknown_keys(self, path: str, raw: Mapping[Any, Any], known: tuple[str, ...]) -> None:
        for key in sorted(set(map(str, raw)) - set(known)):
            self.fail(f"{path}{key}", key, "is not a known key", ", ".join(known))

    def name(self, path: str, value: Any, pattern: re.Pattern[str], accepted: str) -> str | None:
        if isinstance(value, str) and pattern.fullmatch(value):
            return value
        self.fail(path, value, "is not a valid name" if value is not None else "is required", accepted)
        return None


def parse_fleet(document: Any, source: str) -> FleetFile:
    """The parsed YAML of a fleet file -> :class:`FleetFile`; raises :class:`FleetInputError`."""
    p = _Problems(source)
    if not isinstance(document, Mapping):
        raise FleetInputError([f"{source}: the file holds no `waves:` list; see docs/fleet.md."])
    p.unknown_keys("", document, ("waves",))
    raw_waves = document.get("waves")
    if not isinstance(raw_waves, list) or not raw_waves:
        p.fail("waves", raw_waves, "is not a list of waves", "a non-empty list, in rollout order")
        raise FleetInputError(p.found)
    waves = [_wave(p, f"waves[{i}]", raw) for i, raw in enumerate(raw_waves)]
    if p.found:
        raise FleetInputError(p.found)
    return FleetFile(source=source, waves=tuple(w for w in waves if w is not None))


def _wave(p: _Problems, path: str, raw: Any) -> Wave | None:
    if not isinstance(raw, Mapping):
        p.fail(path, raw, "is not a wave", "a mapping with name, environment, maxParallel, stacks")
        return None
    p.unknown_keys(f"{path}.", raw, WAVE_KEYS)
    name = p.name(
        f"{path}.name",
        raw.get("name"),
        _WAVE_NAME,
        "1-31 lowercase letters, digits or hyphens, starting with a letter",
    )
    environment = raw.get("environment", name or "-")
    environment = (
        None
        if environment == "-"
        else p.name(
            f"{path}.environment",
            environment,
            _ENVIRONMENT,
            "a GitHub environment name (letters, digits, '.', '_', '-'); default the wave name",
        )
    )
    max_parallel = raw.get("maxParallel", 1)
    if (
        isinstance(max_parallel, bool)
        or not isinstance(max_parallel, int)
        or not (1 <= max_parallel <= MAX_PARALLEL_LIMIT)
    ):
        p.fail(
            f"{path}.maxParallel",
            max_parallel,
            "is not a whole number in range",
            f"1 to {MAX_PARALLEL_LIMIT} (default 1)",
        )
        max_parallel = 1
    raw_stacks = raw.get("stacks", [])
    if not isinstance(raw_stacks, list):
        p.fail(f"{path}.stacks", raw_stacks, "is not a list", "a list of stack names")
        raw_stacks = []
    stacks = [_stack(p, f"{path}.stacks[{i}]", s, environment or "") for i, s in enumerate(raw_stacks)]
    if name is None or environment is None:
        return None
    return Wave(name, environment, max_parallel, tuple(s for s in stacks if s is not None))


def _stack(p: _Problems, path: str, raw: Any, wave_environment: str) -> FleetStack | None:
    accepted = "a Pulumi stack name (letters, digits, '_', '.', '-')"
    if isinstance(raw, Mapping):
        p.unknown_keys(f"{path}.", raw, STACK_KEYS)
        name = p.name(f"{path}.stack", raw.get("stack"), _STACK, accepted)
        environment = p.name(
            f"{path}.environment",
            raw.get("environment", wave_environment),
            _ENVIRONMENT,
            "a GitHub environment name; default the wave's environment",
        )
        return FleetStack(name, environment) if name and environment else None
    name = p.name(path, raw, _STACK, f"{accepted}, or a mapping with stack and environment")
    return FleetStack(name, wave_environment) if name else None


def read_fleet_file(path: Path) -> FleetFile:
    """Read and parse a fleet file; an unreadable file is one problem sentence."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FleetInputError(
            [f"{path} does not exist; write it (docs/fleet.md) or pass --fleet FILE."]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise FleetInputError([f"{path} is not valid YAML{where}; fix the file."]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FleetInputError([f"{path} cannot be read ({exc}); check the path."]) from None
    return parse_fleet(document, str(path))
