import sys

if sys.argv[1:2] == ["up"]:
    # `python -m emulator up ...` is the local engine (emulator/engine), which applies a stack to ARM.
    from emulator.engine.cli import main as up_main

    raise SystemExit(up_main(sys.argv[2:]))

from emulator.cli import main  # noqa: E402

raise SystemExit(main())
