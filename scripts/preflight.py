#!/usr/bin/env python3
"""Preflight: catch, before `pulumi up`, what would make Azure refuse this stack's deployments.

Touches: Azure Resource Manager, read-only (models, usages, the stack's account deployments, deleted
accounts) through azure-mgmt-cognitiveservices with DefaultAzureCredential; with --arm-endpoint, the
emulator instead, with a local token. Writes only the --json / --junit files asked for.
Exit codes: 0 `up` can go ahead, 1 blockers found (listed), 2 usage, config or Azure query error.
The command lives in infra/preflight_cli.py; see `python scripts/preflight.py --help`.
"""

import sys
from pathlib import Path

# The project root, so the packages are found even by a Python where the project is not installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

try:
    from infra.preflight_cli import main, preflight  # noqa: E402, F401
except ModuleNotFoundError as exc:
    # A Python without the project's dependencies (not .venv): one sentence, not a traceback.
    print(
        f"Error: this Python lacks the module {exc.name!r}; run .venv/bin/python scripts/preflight.py "
        "(scripts/test or scripts/demo create .venv).",
        file=sys.stderr,
    )
    raise SystemExit(2) from None

if __name__ == "__main__":
    raise SystemExit(main())
