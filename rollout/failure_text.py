"""Reading a failed ``up``'s output: the Azure error code and the one line worth showing.

Pure. Handles azure-native's ``Code="RequestConflict" Message="..."``, ARM JSON bodies
(``{"error": {"code": ...}}``) and the local engine's ``RequestConflict: ...`` lines.
"""

from __future__ import annotations

import re

KNOWN_CODES = (
    "RequestConflict",
    "InsufficientQuota",
    "CannotChangeDeploymentModel",
    "DeploymentModelNotSupported",
    "ServiceModelDeprecating",
    "AccountProvisioningStateInvalid",
    "FlagMustBeSetForRestore",
)
_PATTERNS = (
    re.compile(r'Code="(?P<code>[A-Za-z]+)"'),
    re.compile(r'"code"\s*:\s*"(?P<code>[A-Za-z]+)"'),
    re.compile(r"\b(?P<code>" + "|".join(KNOWN_CODES) + r")\b"),
)
_MAX_LINE = 300


def error_code(text: str) -> str | None:
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            code = match["code"]
            if code not in ("", "OK"):
                return code
    return None


def error_line(text: str, fallback: str) -> str:
    """The last line that reads like an error, trimmed to one sentence-sized line."""
    # CommandError text prefixes the streams with "stdout:" / "stderr:"; they say nothing to a reader.
    lines = [re.sub(r"^(stdout|stderr):\s*", "", line.strip()) for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if line]
    wanted = [line for line in lines if "error" in line.lower() or error_code(line)]
    chosen = (wanted or lines or [fallback])[-1]
    return chosen if len(chosen) <= _MAX_LINE else chosen[: _MAX_LINE - 3] + "..."
