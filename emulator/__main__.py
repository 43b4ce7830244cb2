import sys

if sys.argv[1:2] == ["up"]:
    # The local engine left the emulator package (the emulator imports nothing that drives it).
    print(
        "Error: `python -m emulator up` is gone; use `imagegate local up --stack NAME` "
        "(same options).",
        file=sys.stderr,
    )
    raise SystemExit(2)

from emulator.cli import main  # noqa: E402

raise SystemExit(main())
