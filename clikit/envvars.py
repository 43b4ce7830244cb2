"""The environment variables behind imagegate's options: one name each, and the old names they replaced.

Standard library only, so a library module that reads a variable itself (the rollout's smoke pacing) uses
the same names and the same deprecation warning as the options do. An old name still works for one release:
it is read only when the new one is unset or empty, and says on stderr which name to set instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping

# new name -> the old spellings it replaces (each read, with a warning, when the new one is unset).
RENAMED: Mapping[str, tuple[str, ...]] = {
    "IMAGEGATE_CA_BUNDLE": ("SMOKE_CA_BUNDLE",),
    "AZURE_SUBSCRIPTION_ID": ("IMAGEGATE_SUBSCRIPTION_ID",),
    "IMAGEGATE_AUTH": ("SMOKE_AUTH",),
    "IMAGEGATE_SCOPE": ("SMOKE_SCOPE",),
    "IMAGEGATE_CHECK_TIMEOUT": ("SMOKE_CHECK_TIMEOUT",),
    "IMAGEGATE_RPM_PER_CAPACITY_UNIT": ("SMOKE_RPM_PER_CAPACITY_UNIT",),
}


def deprecation(old: str, new: str) -> str:
    """The one sentence an old spelling prints."""
    return f"warning: {old} is deprecated; set {new} instead (the old name goes in the next release)."


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


def from_old_names(
    name: str, environ: Mapping[str, str] | None = None, warn: Callable[[str], None] = _to_stderr
) -> str | None:
    """The value of an old spelling of ``name`` (warning that it is deprecated), or None if none is set."""
    env = os.environ if environ is None else environ
    for old in RENAMED.get(name, ()):
        value = env.get(old)
        if value:
            warn(deprecation(old, name))
            return value
    return None


def lookup(
    name: str, environ: Mapping[str, str] | None = None, warn: Callable[[str], None] = _to_stderr
) -> str | None:
    """``name``'s value, else an old spelling's (with the warning); unset and empty both count as absent."""
    env = os.environ if environ is None else environ
    return env.get(name) or from_old_names(name, env, warn)
