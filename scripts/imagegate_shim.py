"""What the scripts/*.py shims share: run `imagegate <words> <args>` in a Python that has it installed.

The command runs as `python -P -m imagegate`, so this folder (whose rollout.py and preflight.py share
their names with the packages) is never on the import path.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

VENV_PYTHON = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "python"


def run(words: list[str], args: list[str] | None = None) -> int:
    args = sys.argv[1:] if args is None else args
    python = sys.executable if importlib.util.find_spec("imagegate") else str(VENV_PYTHON)
    if python != sys.executable and not VENV_PYTHON.exists():
        print(
            "Error: imagegate is not installed for this Python; run scripts/test once (it creates .venv) "
            "or `pip install .`.",
            file=sys.stderr,
        )
        return 2
    os.execv(python, [python, "-P", "-m", "imagegate", *words, *args])
    return 2  # not reached: execv replaces this process
