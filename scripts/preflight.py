#!/usr/bin/env python3
"""Shim for `imagegate preflight` (kept because the project's layout promises it); same options.

Runs the installed command with this Python, or with the project's .venv when this Python lacks it.
"""

from imagegate_shim import run

if __name__ == "__main__":
    raise SystemExit(run(["preflight"]))
