"""``python -m emulator.engine up ...``: the same command as ``python -m emulator up ...``."""

import sys

from emulator.engine.cli import main

args = sys.argv[1:]
if args[:1] == ["up"]:
    args = args[1:]
raise SystemExit(main(args))
