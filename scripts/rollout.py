#!/usr/bin/env python3
"""Model-version upgrade rollouts for an imagegate stack: plan, canary, smoke, promote, verify, roll back.

Touches only the named stack, and only through Pulumi (its config and `up`) or, with --driver local, the
local engine and the emulator. Writes a journal under .imagegate/<stack>/. Exit 0 success, 1 rolled back,
2 usage error (nothing changed), 3 needs attention. See `python scripts/rollout.py --help`.
"""

import sys
from pathlib import Path

# This file is named like the `rollout` package; drop its own folder from the path so the import below
# finds the package, not this script.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
# The project root, so the packages are found even by a Python where the project is not installed.
sys.path.insert(0, str(_HERE.parent))

try:
    from rollout.cli import main  # noqa: E402
except ModuleNotFoundError as exc:
    # A Python without the project's dependencies (not .venv): one sentence, not a traceback.
    print(
        f"Error: this Python lacks the module {exc.name!r}; run .venv/bin/python scripts/rollout.py "
        "(scripts/test or scripts/demo create .venv).",
        file=sys.stderr,
    )
    raise SystemExit(2) from None

if __name__ == "__main__":
    raise SystemExit(main())
