#!/usr/bin/env python3
"""Shim for `imagegate rollout` (kept because the project's layout promises it).

`scripts/rollout.py --stack S --to M@V` runs `imagegate rollout run`; the old flags `--dry-run` and
`--abort` still work for this release and map to `imagegate rollout plan` / `abort`, with a note.
"""

import sys

from imagegate_shim import run

OLD_FLAGS = {"--dry-run": "plan", "--abort": "abort"}

if __name__ == "__main__":
    args = sys.argv[1:]
    word = "run"
    for flag, replacement in OLD_FLAGS.items():
        if flag in args:
            args = [a for a in args if a != flag]
            word = replacement
            print(
                f"note: `rollout.py {flag}` is now `imagegate rollout {replacement}`; "
                "the old spelling goes in the next release.",
                file=sys.stderr,
            )
    if args[:1] in (["-h"], ["--help"]) and word == "run":
        word = ""
    raise SystemExit(run(["rollout", word] if word else ["rollout"], args))
